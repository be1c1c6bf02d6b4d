"""`skser predict`: emotions of audio files, or a per-window timeline of long recordings."""

import csv as _csv
import logging
import re
from pathlib import Path

import numpy as np

from ..datasets._base import scan_audio_files
from ..deploy._timeline import class_names as _classes
from ..deploy._timeline import predict_timeline, require_proba

logger = logging.getLogger(__name__)

__all__ = ["expand_paths", "predict_files", "predict_timeline", "speaker_ids"]

AUDIO_SUFFIXES = {".wav", ".flac", ".ogg", ".mp3", ".aiff", ".aif", ".m4a", ".opus"}


def expand_paths(paths):
    """Files as given, and audio files found recursively in folders (sorted)."""
    out = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(
                scan_audio_files(p, extensions=tuple(AUDIO_SUFFIXES), caller="skser predict")
            )
            if not found:
                raise ValueError(
                    f"no audio files ({', '.join(sorted(AUDIO_SUFFIXES))}) in the folder {str(p)!r}"
                )
            out += found
        else:
            out.append(p)
    return [str(p) for p in out]


def _speakers_from_csv(paths, csv):
    csv = Path(csv)
    try:
        with open(csv, newline="", encoding="utf-8") as fh:
            reader = _csv.DictReader(fh)
            if not reader.fieldnames or not {"path", "speaker"} <= set(reader.fieldnames):
                raise ValueError(
                    f"{csv}: the speakers CSV needs a header with columns path,speaker; got "
                    f"{reader.fieldnames}"
                )
            table = {}
            for line, row in enumerate(reader, start=2):
                path, speaker = (row["path"] or "").strip(), (row["speaker"] or "").strip()
                if not path or not speaker:
                    raise ValueError(f"{csv}, line {line}: empty path or speaker")
                table[str(Path(path).resolve())] = speaker
    except OSError as exc:
        raise OSError(f"cannot read the speakers CSV {csv}: {exc.strerror or exc}") from None
    missing = [p for p in paths if str(Path(p).resolve()) not in table]
    if missing:
        raise ValueError(
            f"{csv} gives no speaker for {len(missing)} file(s), e.g. {missing[0]}; list every "
            "file to predict (paths relative to the current folder or absolute)"
        )
    return [table[str(Path(p).resolve())] for p in paths]


def _speakers_from_pattern(paths, pattern):
    try:
        rx = re.compile(pattern)
    except re.error as exc:
        raise ValueError(
            f"--speaker-pattern {pattern!r} is not a valid regular expression: {exc}"
        ) from None
    if rx.groups < 1:
        raise ValueError(
            f"--speaker-pattern {pattern!r} needs a group that captures the speaker, e.g. "
            r"'-(\d+)\.\w+$'"
        )
    out = []
    for p in paths:
        m = rx.search(Path(p).name)
        speaker = None
        if m:
            speaker = m.group("speaker") if "speaker" in rx.groupindex else m.group(1)
        if not speaker:
            raise ValueError(
                f"--speaker-pattern {pattern!r} finds no speaker in the file name {Path(p).name!r} "
                f"({p})"
            )
        out.append(speaker)
    return out


def speaker_ids(paths, *, csv=None, pattern=None, per_folder=False):
    """Speaker of each path, from a CSV (path,speaker), a file-name pattern, or the folder.

    Parameters
    ----------
    paths : list of str
        Audio files.
    csv : str or Path, optional
        CSV file with a header ``path,speaker``.
    pattern : str, optional
        Regular expression searched in each file name; its group ``speaker`` (or its
        first group) is the speaker.
    per_folder : bool, default=False
        The folder holding each file is its speaker.

    Returns
    -------
    list of str
        One speaker id per path; a path without one raises ``ValueError`` naming it.
    """
    if csv is not None:
        return _speakers_from_csv(paths, csv)
    if pattern is not None:
        return _speakers_from_pattern(paths, pattern)
    if per_folder:
        return [str(Path(p).resolve().parent) for p in paths]
    raise ValueError("speaker_ids: give csv, pattern or per_folder")


def predict_files(model, paths, *, batch_size=32, groups=None):
    """Return ``(rows, failures)``: one row per readable file, ``(path, reason)`` per failure.

    With ``groups`` (one speaker id per path) and a speaker-normalised model, all clips
    of one speaker are predicted in one call, so the speaker's own statistics set its
    normalisation; each row then has a ``speaker`` column.
    """
    require_proba(model, "skser predict")
    if groups is not None:
        return _predict_by_speaker(model, paths, groups)
    classes = _classes(model)
    sr = _sample_rate(model)
    rows, failures = [], []
    for start in range(0, len(paths), batch_size):
        batch, waves, failed = _decode(paths[start : start + batch_size], sr, _clip_samples(model))
        failures += failed
        if batch:
            rows += _rows(batch, model.predict_proba(_ragged(waves)), classes)
    return rows, failures


def _clip_samples(model):
    """Samples per clip the model's loader pads or crops to (None when unknown)."""
    loader = model.steps[0][1] if hasattr(model, "steps") else None
    return getattr(loader, "n_samples_", None)


#: Below this peak level (dBFS) a clip is silence to the model.
SILENT_DBFS = -60.0
#: Shorter clips than this (seconds) hold less than one analysis frame of the features.
MIN_SECONDS = 0.128


def doubts(y, sr, clip_samples=None, *, timeline_hint="use --timeline"):
    """Reasons a model cannot judge this clip (empty list when none).

    Silence (peak below :data:`SILENT_DBFS`), less than one analysis frame
    (:data:`MIN_SECONDS`), or a recording more than twice the model's clip length
    (only its centre is classified: ``timeline_hint`` says what to do instead).

    Examples
    --------
    >>> import numpy as np
    >>> doubts(np.zeros(16000), 16000)
    ['silent (peak below -60 dBFS): the label means nothing']
    >>> doubts(np.full(800, 0.1), 16000)
    ['0.05 s long, shorter than one analysis frame (0.128 s): the label means little']
    >>> doubts(np.full(160000, 0.1), 16000, clip_samples=48000)[0][:48]
    '10.0 s long; the model classifies 3.0 s clips, s'
    """
    out = []
    peak = float(np.max(np.abs(y))) if len(y) else 0.0
    if peak <= 10 ** (SILENT_DBFS / 20):
        out.append(f"silent (peak below {SILENT_DBFS:.0f} dBFS): the label means nothing")
    if len(y) < MIN_SECONDS * sr:
        out.append(
            f"{len(y) / sr:.2f} s long, shorter than one analysis frame ({MIN_SECONDS} s): "
            "the label means little"
        )
    if clip_samples and len(y) > 2 * clip_samples:
        out.append(
            f"{len(y) / sr:.1f} s long; the model classifies {clip_samples / sr:.1f} s clips, "
            f"so only the centre of this recording is judged: {timeline_hint} for a label "
            "per window"
        )
    return out


def _sample_rate(model):
    return model.steps[0][1].sr if hasattr(model, "steps") else 16000


def _ragged(waves):
    """Variable-length waveforms as one object array (padded/cropped by the model's loader)."""
    X = np.empty(len(waves), dtype=object)
    X[:] = waves
    return X


def _rows(paths, proba, classes, **extra):
    """One table row per file: path, any extra columns, label, each class probability."""
    return [
        {
            "path": path,
            **extra,
            "label": classes[int(np.argmax(p))],
            **dict(zip(classes, map(float, p), strict=True)),
        }
        for path, p in zip(paths, proba, strict=True)
    ]


def _decode(paths, sr, clip_samples=None):
    """``(decoded paths, waveforms, failures)``; a file that fails is reported, not fatal;
    a clip the model cannot judge (:func:`doubts`) is logged as a warning naming it."""
    from ..io import load_audio
    from ..io._audio import AudioFileError

    ok, waves, failures = [], [], []
    for path in paths:
        try:
            y, _ = load_audio(path, sr=sr)
        except AudioFileError as exc:
            failures.append((path, exc.reason))
            continue
        except Exception as exc:  # any decoder error: report it, keep going
            failures.append((path, f"{type(exc).__name__}: {exc}"))
            continue
        for doubt in doubts(y, sr, clip_samples):
            logger.warning("%s: %s", path, doubt)
        ok.append(path)
        waves.append(y)
    return ok, waves, failures


def _predict_by_speaker(model, paths, groups):
    import warnings

    from .._routing import routing_scope, uses_speakers
    from ..exceptions import SpeakerNormalisationWarning

    classes = _classes(model)
    sr = _sample_rate(model)
    uses = uses_speakers(model, "predict")
    by_path = dict(zip(paths, groups, strict=True))
    rows, failures = [], []
    for speaker in dict.fromkeys(groups):  # speakers in order of appearance
        members = [p for p in paths if by_path[p] == speaker]
        ok, waves, failed = _decode(members, sr, _clip_samples(model))
        failures += failed
        if not ok:
            continue
        X = _ragged(waves)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", SpeakerNormalisationWarning)
            if uses:
                with routing_scope():
                    proba = model.predict_proba(X, groups=[speaker] * len(ok))
            else:
                proba = model.predict_proba(X)
        for w in caught:
            if issubclass(w.category, SpeakerNormalisationWarning):
                logger.warning("speaker %s: %s", speaker, w.message)
            else:  # pragma: no cover - pass other warnings on
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        rows += _rows(ok, proba, classes, speaker=speaker)
    order = {p: i for i, p in enumerate(paths)}
    rows.sort(key=lambda r: order[r["path"]])
    return rows, failures
