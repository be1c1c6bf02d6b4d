"""TESS: Toronto Emotional Speech Set."""

from ._base import ParseError, make_corpus_bunch, parse_corpus_files, resolve_data_dir

__all__ = ["load_tess"]

TESS_EMOTIONS = {
    "angry": "angry",
    "disgust": "disgust",
    "fear": "fearful",
    "happy": "happy",
    "neutral": "neutral",
    "sad": "sad",
    "ps": "surprised",
    "pleasant_surprise": "surprised",
    "pleasant_surprised": "surprised",
    "surprise": "surprised",
    "surprised": "surprised",
}
_AGE_GROUPS = {"OAF": "older", "YAF": "younger"}

DESCR = """\
TESS (Dupuis & Pichora-Fuller, 2010, University of Toronto). Two actresses (OAF aged 64,
YAF aged 26) say "Say the word ___" with 200 target words in 7 emotions (anger, disgust,
fear, happiness, pleasant surprise, sadness, neutral): 2800 clips in speaker folders
such as OAF_angry/. File names: SPEAKER_word_emotion.wav. With only two speakers,
speaker-independent evaluation on TESS alone is leave-one-speaker-out at best.
Licence: CC BY-NC-ND 4.0.
"""


def _parse(path):
    parts = path.stem.split("_")
    if len(parts) < 3:
        raise ParseError("name is not SPEAKER_word_emotion like OAF_back_angry")
    speaker, word = parts[0].upper(), parts[1].lower()
    emotion = "_".join(parts[2:]).lower()
    if emotion not in TESS_EMOTIONS:
        raise ParseError(f"unknown emotion {emotion!r}")
    if not speaker.isalpha():
        raise ParseError(f"speaker {parts[0]!r} is not a speaker code like OAF")
    return {
        "emotion": TESS_EMOTIONS[emotion],
        "actor": speaker,
        "gender": "female",
        "word": word,
        "age_group": _AGE_GROUPS.get(speaker, "unknown"),
    }


def load_tess(data_dir, *, emotions=None, strict=False):
    """Load the file list and labels of TESS.

    Parameters
    ----------
    data_dir : str or path-like
        Folder that contains the speaker folders (searched recursively).
    emotions : None, list of str or dict, default=None
        Emotion subset or mapping in the canonical vocabulary (``ps`` is ``surprised``).
    strict : bool, default=False
        Raise instead of warning when files are skipped.

    Returns
    -------
    sklearn.utils.Bunch
        Same fields as :func:`load_ravdess`; the frame has ``word`` and ``age_group``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np, soundfile as sf
    >>> from skser.datasets import load_tess
    >>> folder = Path(tempfile.mkdtemp())
    >>> for name in ["OAF_back_angry.wav", "YAF_dog_ps.wav"]:
    ...     sf.write(folder / name, np.zeros(1600), 16000)
    >>> corpus = load_tess(folder)
    >>> corpus.target.tolist(), corpus.groups.tolist()
    (['angry', 'surprised'], ['OAF', 'YAF'])
    """
    root = resolve_data_dir(data_dir, "tess")
    records = parse_corpus_files(root, "tess", _parse, strict=strict)
    return make_corpus_bunch(
        records,
        corpus="tess",
        data_dir=root,
        emotions=emotions,
        descr=DESCR,
        extra_columns=("word", "age_group"),
    )
