"""Combining several corpora into one (the S2 use case)."""

from collections.abc import Mapping

import pandas as pd

from ._base import BASE_COLUMNS, bunch_from_frame
from ._labels import select_emotions

__all__ = ["concat_corpora", "load_corpora"]

DESCR = "Combination of corpora: {}. Groups are 'corpus:actor' so speaker ids never collide."


def concat_corpora(bunches, *, emotions=None):
    """Concatenate corpus Bunches into one, with corpus-prefixed speaker groups.

    Parameters
    ----------
    bunches : sequence of Bunch
        Results of the ``load_*`` functions.
    emotions : None, list of str or dict, default=None
        Emotion subset or mapping applied to the combination (e.g. ``{"calm": None}``
        drops calm, ``{"calm": "neutral"}`` merges it into neutral).

    Returns
    -------
    sklearn.utils.Bunch
        Same fields as a single corpus; ``groups`` and the frame's ``group`` column are
        ``"<corpus>:<actor>"``.

    Examples
    --------
    >>> import tempfile
    >>> from skser.datasets import make_synthetic_speech, load_ravdess, concat_corpora
    >>> a, b = tempfile.mkdtemp(), tempfile.mkdtemp()
    >>> _ = make_synthetic_speech(n_actors=2, n_clips_per_emotion=1, duration=0.5,
    ...                           random_state=0, out_dir=a)
    >>> _ = make_synthetic_speech(n_actors=2, n_clips_per_emotion=1, duration=0.5,
    ...                           random_state=1, out_dir=b)
    >>> both = concat_corpora([load_ravdess(a), load_ravdess(b)])
    >>> len(both.target), len(set(both.groups))  # same actor ids, not merged
    (32, 4)
    """
    bunches = list(bunches)
    if not bunches:
        raise ValueError("concat_corpora: bunches is empty")
    frames = []
    for i, bunch in enumerate(bunches):
        frame = bunch.frame.copy()
        name = getattr(bunch, "corpus", None) or f"corpus{i}"
        # The same corpus loaded twice (two folders) still gets distinct groups.
        names_before = [getattr(b, "corpus", None) for b in bunches[:i]]
        prefix = name if name not in names_before else f"{name}{names_before.count(name) + 1}"
        frame["group"] = prefix + ":" + frame["actor"].astype(str)
        frames.append(frame)
    frame = pd.concat(frames, ignore_index=True, sort=False)
    columns = list(BASE_COLUMNS) + ["group"]
    frame = frame[columns + [c for c in frame.columns if c not in columns]]
    frame = select_emotions(frame, emotions)
    corpora = sorted({str(c) for c in frame["corpus"]})
    return bunch_from_frame(
        frame,
        corpus="+".join(corpora),
        data_dir=None,
        descr=DESCR.format(", ".join(corpora)),
        groups=frame["group"],
    )


def load_corpora(data_dirs, *, emotions=None, strict=False):
    """Load and combine several corpora in one call.

    Parameters
    ----------
    data_dirs : mapping of str to path-like
        Corpus name (``"ravdess"``, ``"crema_d"``, ``"tess"``, ``"savee"``, ``"emodb"``)
        to its folder.
    emotions : None, list of str or dict, default=None
        Emotion subset or mapping applied after combining.
    strict : bool, default=False
        Passed to every loader.

    Returns
    -------
    sklearn.utils.Bunch
        See :func:`concat_corpora`.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np, soundfile as sf
    >>> from skser.datasets import load_corpora, make_synthetic_speech
    >>> ravdess = tempfile.mkdtemp()
    >>> _ = make_synthetic_speech(n_actors=2, emotions=["angry", "sad"], n_clips_per_emotion=1,
    ...                           duration=0.5, random_state=0, out_dir=ravdess)
    >>> savee = Path(tempfile.mkdtemp())
    >>> for name in ["DC_a01.wav", "DC_sa01.wav"]:
    ...     sf.write(savee / name, np.zeros(1600), 16000)
    >>> both = load_corpora({"ravdess": ravdess, "savee": savee})
    >>> sorted(set(both.groups))
    ['ravdess:01', 'ravdess:02', 'savee:DC']
    """
    from . import LOADERS

    if not isinstance(data_dirs, Mapping) or not data_dirs:
        raise TypeError("load_corpora: data_dirs must be a non-empty dict {corpus name: folder}")
    bunches = []
    for name, folder in data_dirs.items():
        if name not in LOADERS:
            raise ValueError(
                f"load_corpora: unknown corpus {name!r}; choose from {sorted(LOADERS)}"
            )
        bunches.append(LOADERS[name](folder, strict=strict))
    return concat_corpora(bunches, emotions=emotions)
