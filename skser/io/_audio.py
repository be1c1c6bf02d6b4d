"""Decoding one audio file robustly, with an actionable reason when it fails."""

import os
import re
import warnings

import numpy as np
import soundfile as sf

from ..exceptions import AudioFileError

__all__ = ["load_audio", "AudioFileError"]


_SHOULD_BE = re.compile(r"^data\s*:\s*(\d+)\s*\(should be (\d+)\)", re.MULTILINE)


def _declared_frames(f, n_read):
    """Frames the file's header declares, or None when it agrees with what was read.

    libsndfile shortens the frame count of a RIFF/WAV file whose data chunk runs past
    the end of the file and logs ``data : <declared> (should be <present>)``; other
    formats keep the declared count in ``frames``.
    """
    match = _SHOULD_BE.search(f.extra_info or "")
    if match:
        block = max(f.channels * _bytes_per_sample(f.subtype), 1)
        return int(match.group(1)) // block
    if f.frames > n_read > 0:
        return int(f.frames)
    return None


def _bytes_per_sample(subtype):
    sizes = {"PCM_S8": 1, "PCM_U8": 1, "ULAW": 1, "ALAW": 1, "PCM_16": 2, "PCM_24": 3}
    return sizes.get(
        subtype, 4 if subtype in ("PCM_32", "FLOAT") else 8 if subtype == "DOUBLE" else 2
    )


def read_soundfile(path):
    """``(data (frames, channels) float32, sample rate, declared frames or None)`` of a
    file libsndfile reads; ``declared`` is set when the header promises more frames."""
    with sf.SoundFile(path) as f:
        data = f.read(dtype="float32", always_2d=True)
        return data, f.samplerate, _declared_frames(f, data.shape[0])


def _decode(path):
    try:
        data, file_sr, declared = read_soundfile(path)
        if declared is not None and declared > data.shape[0]:
            from ..exceptions import TruncatedAudioWarning

            warnings.warn(
                f"{path}: truncated: its header declares {declared / file_sr:.2f} s of "
                f"audio but only {data.shape[0] / file_sr:.2f} s decodes; using that part",
                TruncatedAudioWarning,
                stacklevel=4,
            )
        return data, file_sr
    except sf.LibsndfileError as exc:
        sf_error = exc
    except RuntimeError as exc:  # older soundfile versions
        sf_error = exc
    # Formats libsndfile does not read (e.g. some MP3/M4A): try librosa's fallback.
    try:
        import librosa

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y, file_sr = librosa.load(path, sr=None, mono=False, dtype=np.float32)
        return np.atleast_2d(y).T, file_sr
    except Exception:
        raise AudioFileError(path, f"not a readable audio file ({sf_error})") from None


def _resample(y, orig_sr, sr):
    if orig_sr == sr:
        return y
    import soxr

    return soxr.resample(y, orig_sr, sr, quality="HQ").astype(np.float32, copy=False)


def load_audio(path, *, sr=16000, mono=True):
    """Load one audio file as float32 at ``sr`` Hz.

    Parameters
    ----------
    path : str or path-like
        Any format libsndfile reads (WAV, FLAC, OGG, MP3 with libsndfile >= 1.1), any
        sample rate, bit depth or channel count.
    sr : int or None, default=16000
        Target sample rate; ``None`` keeps the file's rate. Resampling uses soxr (HQ),
        the same as librosa's default.
    mono : bool, default=True
        Average the channels. When False the result is ``(channels, n_samples)``.

    Returns
    -------
    y : ndarray of float32
        ``(n_samples,)`` when mono, else ``(channels, n_samples)``.
    sr : int
        Its sample rate.

    Raises
    ------
    skser.io.AudioFileError
        With a ``reason``: missing, not readable by this user, empty, not audio or
        corrupt, zero-length, or NaN/inf samples.

    Warns
    -----
    skser.exceptions.TruncatedAudioWarning
        The header declares more audio than the file holds (a cut-off copy); the part
        that decodes is returned.

    Examples
    --------
    >>> import tempfile, os, numpy as np, soundfile as sf
    >>> path = os.path.join(tempfile.mkdtemp(), "tone.wav")
    >>> sf.write(path, np.zeros((44100, 2)), 44100)
    >>> y, sr = load_audio(path)
    >>> y.shape, sr
    ((16000,), 16000)
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise AudioFileError(path, "file not found")
    if os.path.isdir(path):
        raise AudioFileError(path, "is a directory, not an audio file")
    if not os.access(path, os.R_OK):
        raise AudioFileError(path, "permission denied: this user cannot read the file")
    if os.path.getsize(path) == 0:
        raise AudioFileError(path, "empty file (0 bytes)")
    data, file_sr = _decode(path)
    if data.shape[0] == 0:
        raise AudioFileError(path, "zero-length audio (no samples)")
    if not np.isfinite(data).all():
        raise AudioFileError(path, "contains NaN or infinite samples")
    y = data.mean(axis=1) if mono else data.T
    if sr is not None and sr != file_sr:
        y = _resample(y, file_sr, sr) if mono else np.stack([_resample(c, file_sr, sr) for c in y])
    return np.ascontiguousarray(y, dtype=np.float32), int(sr or file_sr)
