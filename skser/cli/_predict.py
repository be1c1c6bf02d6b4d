"""`skser predict`: emotions of audio files, or a per-window timeline of long recordings."""

import logging
from pathlib import Path

import numpy as np

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


def _classes(model):
    return [c.item() if hasattr(c, "item") else c for c in model.classes_]


def predict_files(model, paths, *, batch_size=32):
    """Return ``(rows, failures)``: one row per readable file, ``(path, reason)`` per failure."""
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


def predict_timeline(model, path, *, window=None, hop=None, batch_size=64):
    """Per-window emotions of one (long) recording.

    Windows of ``window`` seconds (default: the model's clip length) every ``hop``
    seconds (default: half a window); the last partial window is padded.
    """
    from ..io import load_audio

    classes = _classes(model)
    loader = model.steps[0][1]
    sr = loader.sr
    window = float(window or loader.n_samples_ / sr)
    hop = float(hop or window / 2)
    if window <= 0 or hop <= 0:
        raise ValueError(f"--window and --hop must be > 0 seconds, got {window} and {hop}")
    y, _ = load_audio(path, sr=sr)
    n_win, n_hop = int(round(window * sr)), int(round(hop * sr))
    starts = list(range(0, max(len(y) - n_win, 0) + 1, n_hop))
    if starts[-1] + n_win < len(y):
        starts.append(starts[-1] + n_hop)
    rows = []
    for k in range(0, len(starts), batch_size):
        chunk = starts[k : k + batch_size]
        X = np.zeros((len(chunk), n_win), dtype=np.float32)
        for i, s in enumerate(chunk):
            piece = y[s : s + n_win]
            X[i, : len(piece)] = piece
        proba = model.predict_proba(X)
        for s, p in zip(chunk, proba, strict=True):
            rows.append(
                {
                    "path": str(path),
                    "start_s": round(s / sr, 3),
                    "end_s": round(min(s + n_win, len(y)) / sr, 3),
                    "label": classes[int(np.argmax(p))],
                    **dict(zip(classes, map(float, p), strict=True)),
                }
            )
    return rows
