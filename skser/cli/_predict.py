"""`skser predict`: emotions of audio files, or a per-window timeline of long recordings."""

import logging
from pathlib import Path

import numpy as np

from ..deploy._timeline import class_names as _classes
from ..deploy._timeline import predict_timeline, require_proba

logger = logging.getLogger(__name__)

__all__ = ["expand_paths", "predict_files", "predict_timeline"]

AUDIO_SUFFIXES = {".wav", ".flac", ".ogg", ".mp3", ".aiff", ".aif", ".m4a", ".opus"}


def expand_paths(paths):
    """Files as given, and audio files found recursively in folders (sorted)."""
    out = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(
                f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in AUDIO_SUFFIXES
            )
            if not found:
                logger.warning("no audio files in %s", p)
            out += found
        else:
            out.append(p)
    return [str(p) for p in out]


def predict_files(model, paths, *, batch_size=32):
    """Return ``(rows, failures)``: one row per readable file, ``(path, reason)`` per failure."""
    require_proba(model, "skser predict")
    from ..io import load_audio
    from ..io._audio import AudioFileError

    classes = _classes(model)
    sr = model.steps[0][1].sr if hasattr(model, "steps") else 16000
    rows, failures = [], []
    for start in range(0, len(paths), batch_size):
        batch, waves = [], []
        for path in paths[start : start + batch_size]:
            try:
                y, _ = load_audio(path, sr=sr)
            except AudioFileError as exc:
                failures.append((path, exc.reason))
                continue
            except Exception as exc:  # any decoder error: report it, keep going
                failures.append((path, f"{type(exc).__name__}: {exc}"))
                continue
            batch.append(path)
            waves.append(y)
        if not batch:
            continue
        X = np.empty(len(waves), dtype=object)
        X[:] = waves  # variable-length waveforms, padded/cropped by the model's loader
        proba = model.predict_proba(X)
        for path, p in zip(batch, proba, strict=True):
            rows.append(
                {
                    "path": path,
                    "label": classes[int(np.argmax(p))],
                    **dict(zip(classes, map(float, p), strict=True)),
                }
            )
    return rows, failures
