"""SAVEE: Surrey Audio-Visual Expressed Emotion database."""

import re

from ._base import ParseError, make_corpus_bunch, parse_corpus_files, resolve_data_dir

__all__ = ["load_savee"]

SAVEE_EMOTIONS = {
    "a": "angry",
    "d": "disgust",
    "f": "fearful",
    "h": "happy",
    "n": "neutral",
    "sa": "sad",
    "su": "surprised",
}
_NAME = re.compile(r"^(?:(?P<speaker>[A-Za-z]{2})_)?(?P<code>sa|su|a|d|f|h|n)(?P<number>\d{2})$")

DESCR = """\
SAVEE (Haq & Jackson, 2009). Four male British English speakers (DC, JE, JK, KL), 7
emotions (anger, disgust, fear, happiness, neutral, sadness, surprise), 120 clips each
(480 in all; neutral has 30 per speaker, the others 15). Original layout
AudioData/DC/a01.wav; the common flat layout is ALL/DC_a01.wav. Both are accepted.
"""


def _parse(path):
    match = _NAME.match(path.stem)
    if match is None:
        raise ParseError("name is not SPEAKER_<code><nn> like DC_a01 (codes a d f h n sa su)")
    speaker = match["speaker"] or path.parent.name
    if not (len(speaker) == 2 and speaker.isalpha()):
        raise ParseError(
            "no speaker code in the name or the folder (e.g. DC_a01.wav or DC/a01.wav)"
        )
    return {
        "emotion": SAVEE_EMOTIONS[match["code"]],
        "actor": speaker.upper(),
        "gender": "male",
        "sentence_number": int(match["number"]),
    }


def load_savee(data_dir, *, emotions=None, strict=False):
    """Load the file list and labels of SAVEE.

    Parameters
    ----------
    data_dir : str or path-like
        Folder that contains the clips (searched recursively).
    emotions : None, list of str or dict, default=None
        Emotion subset or mapping in the canonical vocabulary.
    strict : bool, default=False
        Raise instead of warning when files are skipped.

    Returns
    -------
    sklearn.utils.Bunch
        Same fields as :func:`load_ravdess`; the frame has ``sentence_number``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np, soundfile as sf
    >>> from skser.datasets import load_savee
    >>> folder = Path(tempfile.mkdtemp())
    >>> for name in ["DC_a01.wav", "JE_sa02.wav", "KL_n03.wav"]:
    ...     sf.write(folder / name, np.zeros(1600), 16000)
    >>> corpus = load_savee(folder)
    >>> corpus.target.tolist(), corpus.groups.tolist()
    (['angry', 'sad', 'neutral'], ['DC', 'JE', 'KL'])
    """
    root = resolve_data_dir(data_dir, "savee")
    records = parse_corpus_files(
        root,
        "savee",
        _parse,
        strict=strict,
        dedupe_key=lambda r: (r["actor"], r["emotion"], r["sentence_number"]),
    )
    return make_corpus_bunch(
        records,
        corpus="savee",
        data_dir=root,
        emotions=emotions,
        descr=DESCR,
        extra_columns=("sentence_number",),
    )
