"""EmoDB: Berlin Database of Emotional Speech."""

import re

from ._base import ParseError, make_corpus_bunch, parse_corpus_files, resolve_data_dir

__all__ = ["load_emodb"]

EMODB_EMOTIONS = {
    "W": "angry",  # Wut / Aerger
    "L": "boredom",  # Langeweile
    "E": "disgust",  # Ekel
    "A": "fearful",  # Angst
    "F": "happy",  # Freude
    "T": "sad",  # Trauer
    "N": "neutral",
}
#: speaker id -> (gender, age), from the corpus documentation.
EMODB_SPEAKERS = {
    "03": ("male", 31),
    "08": ("female", 34),
    "09": ("female", 21),
    "10": ("male", 32),
    "11": ("male", 26),
    "12": ("male", 30),
    "13": ("female", 32),
    "14": ("female", 35),
    "15": ("male", 25),
    "16": ("female", 31),
}
_NAME = re.compile(r"^(?P<speaker>\d{2})(?P<text>[ab]\d{2})(?P<code>[A-Z])(?P<version>[a-z])$")

DESCR = """\
EmoDB (Burkhardt et al., 2005, Interspeech). Ten German actors (5 male, 5 female) say 10
sentences in 7 emotions (anger, boredom, disgust, fear, happiness, sadness, neutral):
535 clips at 16 kHz. File names: speaker(2) text(3) emotion(1 German letter)
version(1), e.g. 03a01Fa.wav. Boredom has no RAVDESS equivalent and keeps its own label.
"""


def _parse(path):
    match = _NAME.match(path.stem)
    if match is None:
        raise ParseError("name is not speaker-text-emotion-version like 03a01Fa")
    if match["code"] not in EMODB_EMOTIONS:
        raise ParseError(f"unknown emotion code {match['code']!r}")
    gender, age = EMODB_SPEAKERS.get(match["speaker"], ("unknown", None))
    return {
        "emotion": EMODB_EMOTIONS[match["code"]],
        "actor": match["speaker"],
        "gender": gender,
        "age": age,
        "text": match["text"],
        "version": match["version"],
    }


def load_emodb(data_dir, *, emotions=None, strict=False):
    """Load the file list and labels of EmoDB.

    Parameters
    ----------
    data_dir : str or path-like
        Folder that contains the clips (for example ``wav/``), searched recursively.
    emotions : None, list of str or dict, default=None
        Emotion subset or mapping in the canonical vocabulary (``boredom`` included).
    strict : bool, default=False
        Raise instead of warning when files are skipped.

    Returns
    -------
    sklearn.utils.Bunch
        Same fields as :func:`load_ravdess`; the frame has ``age``, ``text`` and
        ``version``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np, soundfile as sf
    >>> from skser.datasets import load_emodb
    >>> folder = Path(tempfile.mkdtemp())
    >>> for name in ["03a01Fa.wav", "08b02Lb.wav"]:
    ...     sf.write(folder / name, np.zeros(1600), 16000)
    >>> corpus = load_emodb(folder)
    >>> corpus.target.tolist(), corpus.groups.tolist()
    (['happy', 'boredom'], ['03', '08'])
    """
    root = resolve_data_dir(data_dir, "emodb")
    records = parse_corpus_files(root, "emodb", _parse, strict=strict)
    return make_corpus_bunch(
        records,
        corpus="emodb",
        data_dir=root,
        emotions=emotions,
        descr=DESCR,
        extra_columns=("age", "text", "version"),
    )
