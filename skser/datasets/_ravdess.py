"""RAVDESS: The Ryerson Audio-Visual Database of Emotional Speech and Song."""

from ._base import Ignored, ParseError, make_corpus_bunch, parse_corpus_files, resolve_data_dir

__all__ = ["load_ravdess", "RAVDESS_EMOTIONS", "parse_ravdess_name"]

RAVDESS_EMOTIONS = {
    "01": "neutral",
    "02": "calm",
    "03": "happy",
    "04": "sad",
    "05": "angry",
    "06": "fearful",
    "07": "disgust",
    "08": "surprised",
}
_MODALITIES = {"01": "audio-video", "02": "video-only", "03": "audio-only"}
_CHANNELS = {"01": "speech", "02": "song"}
_INTENSITIES = {"01": "normal", "02": "strong"}
_STATEMENTS = {"01": "Kids are talking by the door", "02": "Dogs are sitting by the door"}
_VOCAL_CHANNEL_CHOICES = ("speech", "song", "both")

DESCR = """\
RAVDESS (Livingstone & Russo, 2018, PLoS ONE 13(5): e0196391; Zenodo record 1188976).
24 professional actors (odd ids male, even ids female) speak two lexically matched
statements in 8 emotions (neutral, calm, happy, sad, angry, fearful, disgust, surprised),
at normal and strong intensity (neutral has no strong), two repetitions each: 60 speech
clips per actor (1440 in all); the song part has 44 clips per actor for 23 actors.
File names: modality-vocal channel-emotion-intensity-statement-repetition-actor.
Licence: CC BY-NC-SA 4.0.
"""


def parse_ravdess_name(name):
    """Parse a RAVDESS file name (``03-01-05-02-01-02-12.wav``) into its seven fields.

    Parameters
    ----------
    name : str
        File name or stem.

    Returns
    -------
    dict
        ``modality``, ``vocal_channel``, ``emotion`` (canonical label), ``emotion_code``,
        ``intensity``, ``statement``, ``repetition`` (int), ``actor`` (two-digit str),
        ``gender``.

    Raises
    ------
    ValueError
        If the name does not have seven two-digit fields or a field has an unknown code.

    Examples
    --------
    >>> fields = parse_ravdess_name("03-01-05-02-01-02-12.wav")
    >>> fields["emotion"], fields["intensity"], fields["actor"], fields["gender"]
    ('angry', 'strong', '12', 'female')
    """
    stem = name.rsplit("/", 1)[-1]
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    parts = stem.split("-")
    if len(parts) != 7 or not all(len(p) == 2 and p.isdigit() for p in parts):
        raise ParseError("name is not seven two-digit fields like 03-01-05-02-01-02-12")
    modality, channel, emotion, intensity, statement, repetition, actor = parts
    for value, table, field in (
        (modality, _MODALITIES, "modality"),
        (channel, _CHANNELS, "vocal channel"),
        (emotion, RAVDESS_EMOTIONS, "emotion"),
        (intensity, _INTENSITIES, "intensity"),
        (statement, _STATEMENTS, "statement"),
    ):
        if value not in table:
            raise ParseError(f"unknown {field} code {value!r}")
    if int(actor) < 1 or int(repetition) < 1:
        raise ParseError("actor and repetition must be >= 01")
    return {
        "emotion": RAVDESS_EMOTIONS[emotion],
        "actor": actor,
        "gender": "male" if int(actor) % 2 else "female",
        "modality": _MODALITIES[modality],
        "vocal_channel": _CHANNELS[channel],
        "emotion_code": emotion,
        "intensity": _INTENSITIES[intensity],
        "statement": _STATEMENTS[statement],
        "repetition": int(repetition),
    }


def load_ravdess(data_dir, *, vocal_channel="speech", emotions=None, actors=None, strict=False):
    """Load the file list and labels of RAVDESS.

    Accepts the Zenodo layout (``Actor_01/...``), the Kaggle layout
    (``audio_speech_actors_01-24/Actor_01/...``), nested or flat folders, ``.wav`` and
    ``.flac`` files. Video-modality files (modality 01/02) are ignored. When the same
    clip name appears twice (Kaggle archives ship two copies of the tree), the first
    copy is kept and the others are reported.

    Parameters
    ----------
    data_dir : str or path-like
        Folder that contains the corpus (searched recursively).
    vocal_channel : {"speech", "song", "both"}, default="speech"
        Which vocal channel to load.
    emotions : None, list of str or dict, default=None
        Emotion subset (list) or mapping (dict; map to ``None`` to drop), in the
        canonical vocabulary, see :func:`skser.datasets.select_emotions`.
    actors : None or iterable of int, default=None
        Keep only these actor ids (1-24).
    strict : bool, default=False
        Raise :class:`~skser.exceptions.CorpusError` instead of warning when files are
        skipped (names that do not parse, empty files, duplicate copies).

    Returns
    -------
    sklearn.utils.Bunch
        ``frame`` (one row per clip: path, corpus, emotion, actor, gender and the seven
        filename fields), ``filenames``, ``target`` (emotion labels), ``groups`` (actor
        ids), ``target_names``, ``corpus``, ``data_dir``, ``DESCR``.

    Raises
    ------
    FileNotFoundError
        If ``data_dir`` does not exist.
    skser.exceptions.CorpusError
        If no RAVDESS clip is found, or ``strict=True`` and files were skipped.

    Examples
    --------
    >>> import tempfile
    >>> from skser.datasets import make_synthetic_speech, load_ravdess
    >>> out = tempfile.mkdtemp()
    >>> _ = make_synthetic_speech(n_actors=2, n_clips_per_emotion=1, duration=0.5,
    ...                           random_state=0, out_dir=out)
    >>> bunch = load_ravdess(out)
    >>> len(bunch.filenames), sorted(set(bunch.groups))
    (16, ['01', '02'])
    """
    if vocal_channel not in _VOCAL_CHANNEL_CHOICES:
        raise ValueError(
            f"vocal_channel must be one of {_VOCAL_CHANNEL_CHOICES}, got {vocal_channel!r}"
        )
    if actors is not None:
        try:
            wanted_actors = {f"{int(a):02d}" for a in actors}
        except (TypeError, ValueError):
            raise ValueError(f"actors must be integers such as [1, 2, 3], got {actors!r}") from None
    root = resolve_data_dir(data_dir, "ravdess")

    def parse(path):
        record = parse_ravdess_name(path.name)
        if record["modality"] != "audio-only":
            raise Ignored
        if vocal_channel != "both" and record["vocal_channel"] != vocal_channel:
            raise Ignored
        if actors is not None and record["actor"] not in wanted_actors:
            raise Ignored
        return record

    records = parse_corpus_files(
        root, "ravdess", parse, strict=strict, dedupe_key=lambda r: _clip_key(r)
    )
    return make_corpus_bunch(
        records, corpus="ravdess", data_dir=root, emotions=emotions, descr=DESCR
    )


def _clip_key(record):
    return tuple(
        record[k]
        for k in ("vocal_channel", "emotion_code", "intensity", "statement", "repetition", "actor")
    )
