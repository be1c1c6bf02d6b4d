"""CREMA-D: Crowd-sourced Emotional Multimodal Actors Dataset."""

import logging
from pathlib import Path

import pandas as pd

from ..exceptions import CorpusError
from ._base import ParseError, make_corpus_bunch, parse_corpus_files, resolve_data_dir

__all__ = ["load_crema_d"]

logger = logging.getLogger(__name__)

CREMA_D_EMOTIONS = {
    "ANG": "angry",
    "DIS": "disgust",
    "FEA": "fearful",
    "HAP": "happy",
    "NEU": "neutral",
    "SAD": "sad",
}
_LEVELS = {"LO": "low", "MD": "medium", "HI": "high", "XX": "unspecified"}
_SENTENCES = {
    "IEO": "It's eleven o'clock",
    "TIE": "That is exactly what happened",
    "IOM": "I'm on my way to the meeting",
    "IWW": "I wonder what this is about",
    "TAI": "The airplane is almost full",
    "MTI": "Maybe tomorrow it will be cold",
    "IWL": "I would like a new alarm clock",
    "ITH": "I think I have a doctor's appointment",
    "DFA": "Don't forget a jacket",
    "ITS": "I think I've seen this before",
    "TSI": "The surface is slick",
    "WSI": "We'll stop in a couple of minutes",
}
DEMOGRAPHICS_FILE = "VideoDemographics.csv"

DESCR = """\
CREMA-D (Cao et al., 2014, IEEE Trans. Affective Computing 5(4)). 7442 clips from 91
actors (ids 1001-1091, 48 male and 43 female) saying 12 sentences in 6 emotions (anger,
disgust, fear, happy, neutral, sad) at up to 4 levels (LO, MD, HI, XX unspecified).
File names: ActorID_Sentence_Emotion_Level.wav. Speaker sex, age, race and ethnicity
come from VideoDemographics.csv when it is present. Licence: ODbL.
"""


def _parse(path):
    parts = path.stem.split("_")
    if len(parts) != 4:
        raise ParseError("name is not ActorID_Sentence_Emotion_Level like 1001_DFA_ANG_XX")
    actor, sentence, emotion, level = parts
    if not (actor.isdigit() and len(actor) == 4):
        raise ParseError(f"actor id {actor!r} is not four digits")
    if emotion not in CREMA_D_EMOTIONS:
        raise ParseError(f"unknown emotion code {emotion!r}")
    if level not in _LEVELS:
        raise ParseError(f"unknown level code {level!r}")
    if sentence not in _SENTENCES:
        raise ParseError(f"unknown sentence code {sentence!r}")
    return {
        "emotion": CREMA_D_EMOTIONS[emotion],
        "actor": actor,
        "gender": "unknown",
        "sentence": sentence,
        "level": _LEVELS[level],
    }


def _read_demographics(path):
    table = pd.read_csv(path)
    required = {"ActorID", "Sex"}
    if not required <= set(table.columns):
        raise CorpusError(
            f"load_crema_d: {str(path)!r} lacks the columns {sorted(required - set(table.columns))}"
        )
    table = table.rename(columns=str.lower)
    table["actor"] = table["actorid"].astype(int).astype(str)
    table["gender"] = table["sex"].str.strip().str.lower()
    keep = ["actor", "gender"] + [c for c in ("age", "race", "ethnicity") if c in table.columns]
    return table[keep]


def load_crema_d(data_dir, *, emotions=None, demographics="auto", strict=False):
    """Load the file list and labels of CREMA-D.

    Parameters
    ----------
    data_dir : str or path-like
        Folder that contains the clips (for example ``AudioWAV/``), searched recursively.
    emotions : None, list of str or dict, default=None
        Emotion subset or mapping in the canonical vocabulary.
    demographics : "auto", path-like or None, default="auto"
        ``VideoDemographics.csv``: ``"auto"`` looks for it in ``data_dir`` and its parent;
        ``None`` ignores it (gender is then ``"unknown"``).
    strict : bool, default=False
        Raise instead of warning when files are skipped.

    Returns
    -------
    sklearn.utils.Bunch
        Same fields as :func:`load_ravdess`; the frame has ``sentence`` and ``level``,
        plus ``age``, ``race`` and ``ethnicity`` when the demographics file is found.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np, soundfile as sf
    >>> from skser.datasets import load_crema_d
    >>> folder = Path(tempfile.mkdtemp())
    >>> for name in ["1001_DFA_ANG_XX.wav", "1001_IEO_SAD_HI.wav", "1002_DFA_HAP_XX.wav"]:
    ...     sf.write(folder / name, np.zeros(1600), 16000)
    >>> corpus = load_crema_d(folder)
    >>> corpus.target.tolist(), corpus.groups.tolist()
    (['angry', 'sad', 'happy'], ['1001', '1001', '1002'])
    """
    root = resolve_data_dir(data_dir, "crema_d")
    records = parse_corpus_files(root, "crema_d", _parse, strict=strict)
    frame_extra = ["sentence", "level"]
    csv = None
    if demographics == "auto":
        for candidate in (root / DEMOGRAPHICS_FILE, root.parent / DEMOGRAPHICS_FILE):
            if candidate.is_file():
                csv = candidate
                break
    elif demographics is not None:
        csv = Path(demographics)
        if not csv.is_file():
            raise FileNotFoundError(f"load_crema_d: demographics file {str(csv)!r} not found")
    if csv is not None:
        table = _read_demographics(csv).set_index("actor")
        for record in records:
            if record["actor"] in table.index:
                row = table.loc[record["actor"]]
                record.update({k: row[k] for k in table.columns})
        frame_extra += [c for c in ("age", "race", "ethnicity") if c in table.columns]
        logger.info("load_crema_d: speaker demographics from %s", csv)
    return make_corpus_bunch(
        records,
        corpus="crema_d",
        data_dir=root,
        emotions=emotions,
        descr=DESCR,
        extra_columns=frame_extra,
    )
