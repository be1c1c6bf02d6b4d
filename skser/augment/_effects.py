"""Waveform effects used by :class:`~skser.augment.AudioAugmenter` (pure functions).

Time stretching and pitch shifting use librosa's phase vocoder, as
``librosa.effects.time_stretch`` and ``librosa.effects.pitch_shift`` do. When a copy
gets both, they are done in ONE vocoder pass (stretch by ``rate * 2**(-steps/12)``,
then resample by ``2**(-steps/12)``) instead of two, which is where augmentation
spends its time.
"""

import numpy as np

__all__ = [
    "add_noise",
    "change_speed",
    "stretch_and_shift_pitch",
    "shift_in_time",
    "fit_to_length",
    "phase_vocoder",
]


def phase_vocoder(D, *, rate, hop_length, n_fft):
    """``librosa.phase_vocoder`` without its Python loop over output frames.

    The phase accumulator of librosa's loop is an exclusive cumulative sum of the
    per-step phase advances, so the whole output is computed with array operations
    (several times faster on a 4 s clip). The phase is accumulated in float64, where
    librosa accumulates in float32; the two agree to within librosa's own rounding.

    Parameters
    ----------
    D : ndarray of shape (n_bins, n_frames), complex
        STFT.
    rate : float
        Speed-up factor.
    hop_length : int
        STFT hop.
    n_fft : int
        STFT frame length.

    Returns
    -------
    ndarray of shape (n_bins, ceil(n_frames / rate)), complex
    """
    steps = np.arange(0, D.shape[-1], rate, dtype=np.float64)
    real = np.finfo(D.dtype).dtype  # float32 for complex64 input
    padded = np.pad(D, [(0, 0), (0, 2)], mode="constant")
    magnitude = np.abs(padded)  # once per input frame, then gathered
    angle = np.angle(padded)
    left = steps.astype(np.int64)
    alpha = np.mod(steps, 1.0).astype(real)
    mag = magnitude[:, left]
    mag += alpha * (magnitude[:, left + 1] - mag)
    phi_advance = (hop_length * np.linspace(0, np.pi, D.shape[0])).astype(real)[:, None]
    dphase = angle[:, left + 1] - angle[:, left] - phi_advance
    dphase -= (2.0 * np.pi) * np.round(dphase / (2.0 * np.pi))
    dphase += phi_advance
    # the accumulated phase grows to ~1e5 rad: sum in float64, then wrap
    phase = np.empty(dphase.shape, dtype=np.float64)
    phase[:, 0] = angle[:, 0]
    np.cumsum(dphase[:, :-1], axis=1, dtype=np.float64, out=phase[:, 1:])
    phase[:, 1:] += phase[:, :1]
    phase = np.mod(phase, 2.0 * np.pi).astype(real)
    out = np.empty(phase.shape, dtype=D.dtype)
    out.real = mag * np.cos(phase)
    out.imag = mag * np.sin(phase)
    return out


def fit_to_length(y, n):
    """Pad with zeros or cut at the end to ``n`` samples."""
    if len(y) == n:
        return y
    if len(y) > n:
        return y[:n]
    out = np.zeros(n, dtype=y.dtype)
    out[: len(y)] = y
    return out


def clip_rms(y):
    """Root-mean-square level of the whole clip (the reference of every SNR here)."""
    return float(np.sqrt(np.mean(np.square(y, dtype=np.float64))))


def add_noise(y, snr_db, rng):
    """Add white Gaussian noise at ``snr_db`` dB below the clip's RMS level.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        The clip (a silent clip is returned unchanged).
    snr_db : float
        Signal-to-noise ratio in dB.
    rng : numpy.random.Generator
        Source of the noise.

    Returns
    -------
    ndarray
        Noisy copy, same dtype.

    Examples
    --------
    >>> import numpy as np
    >>> from skser.augment import add_noise
    >>> y = np.sin(np.linspace(0, 100, 16000)).astype("float32")
    >>> noisy = add_noise(y, 20.0, np.random.default_rng(0))
    >>> snr = 10 * np.log10(np.mean(y**2) / np.mean((noisy - y) ** 2))
    >>> bool(abs(snr - 20.0) < 0.5), noisy.dtype
    (True, dtype('float32'))
    """
    rms = clip_rms(y)
    if rms == 0.0:
        return y.copy()
    noise_rms = rms / (10.0 ** (snr_db / 20.0))
    return (y + rng.normal(0.0, noise_rms, size=y.shape)).astype(y.dtype, copy=False)


def shift_in_time(y, n_shift):
    """Delay (``n_shift > 0``) or advance the clip by ``n_shift`` samples, zero-filled.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        The clip.
    n_shift : int
        Samples to shift by; the length is kept.

    Returns
    -------
    ndarray
        Shifted copy.

    Examples
    --------
    >>> import numpy as np
    >>> from skser.augment import shift_in_time
    >>> shift_in_time(np.arange(1.0, 6.0), 2).tolist()
    [0.0, 0.0, 1.0, 2.0, 3.0]
    >>> shift_in_time(np.arange(1.0, 6.0), -2).tolist()
    [3.0, 4.0, 5.0, 0.0, 0.0]
    """
    n_shift = int(n_shift)
    if n_shift == 0:
        return y.copy()
    out = np.zeros_like(y)
    if abs(n_shift) >= len(y):
        return out
    if n_shift > 0:
        out[n_shift:] = y[:-n_shift]
    else:
        out[:n_shift] = y[-n_shift:]
    return out


def stretch_and_shift_pitch(y, sr, *, rate=1.0, n_steps=0.0, n_fft=512, hop_length=None):
    """Time-stretch by ``rate`` (> 1 is faster) and shift pitch by ``n_steps`` semitones.

    The output has ``round(len(y) / rate)`` samples (as ``librosa.effects.time_stretch``);
    with ``rate=1`` it equals ``librosa.effects.pitch_shift`` for the same ``n_fft``.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        Waveform.
    sr : int
        Sample rate.
    rate : float, default=1.0
        Speed factor.
    n_steps : float, default=0.0
        Pitch shift in semitones.
    n_fft : int, default=512
        Vocoder frame length (512 samples is 32 ms at 16 kHz, a speech-sized window;
        librosa's default 2048 smears syllables at 16 kHz).
    hop_length : int or None, default=None
        Vocoder hop (``n_fft // 4``).

    Returns
    -------
    ndarray
        The processed waveform (same dtype).

    Examples
    --------
    >>> import numpy as np
    >>> from skser.augment import stretch_and_shift_pitch
    >>> sr = 16000
    >>> y = np.sin(2 * np.pi * 220 * np.arange(sr) / sr).astype("float32")  # 1 s at 220 Hz
    >>> out = stretch_and_shift_pitch(y, sr, rate=1.25, n_steps=12)  # faster, an octave up
    >>> len(out)
    12800
    >>> spectrum = np.abs(np.fft.rfft(out))
    >>> round(float(np.argmax(spectrum) * sr / len(out)))  # about 440 Hz
    440
    """
    import librosa

    if rate == 1.0 and n_steps == 0.0:
        return y.copy()
    hop_length = n_fft // 4 if hop_length is None else hop_length
    pitch = 2.0 ** (-float(n_steps) / 12.0)  # librosa.effects.pitch_shift's rate
    vocoder_rate = rate * pitch
    D = librosa.stft(y, n_fft=n_fft, hop_length=hop_length)
    D = phase_vocoder(D, rate=vocoder_rate, hop_length=hop_length, n_fft=n_fft)
    n_stretched = int(round(len(y) / vocoder_rate))
    out = librosa.istft(D, hop_length=hop_length, n_fft=n_fft, length=n_stretched, dtype=y.dtype)
    if n_steps:
        out = librosa.resample(out, orig_sr=float(sr) / pitch, target_sr=sr, res_type="soxr_hq")
        out = fit_to_length(out, int(round(len(y) / rate)))
    return out.astype(y.dtype, copy=False)


def change_speed(y, sr, rate):
    """Play the clip ``rate`` times faster: pitch, formants and tempo all scale by ``rate``.

    The clip is resampled from ``sr`` to ``sr / rate`` (soxr) and read at ``sr`` again,
    as a tape played at another speed ("speed perturbation", Ko et al., 2015); no phase
    vocoder is involved, so it costs a fraction of :func:`stretch_and_shift_pitch`.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        Waveform.
    sr : int
        Sample rate.
    rate : float
        Speed factor (> 0; > 1 is faster and higher).

    Returns
    -------
    ndarray of shape (round(n_samples / rate),)
        The clip at the new speed (same dtype).

    Examples
    --------
    >>> import numpy as np
    >>> from skser.augment import change_speed
    >>> sr = 16000
    >>> y = np.sin(2 * np.pi * 200 * np.arange(sr) / sr).astype("float32")  # 1 s at 200 Hz
    >>> out = change_speed(y, sr, 1.1)
    >>> len(out), out.dtype
    (14545, dtype('float32'))
    >>> spectrum = np.abs(np.fft.rfft(out))
    >>> round(float(np.argmax(spectrum) * sr / len(out)))  # about 220 Hz
    220
    """
    import librosa

    rate = float(rate)
    if not rate > 0:
        raise ValueError(f"change_speed: rate must be > 0, got {rate!r}")
    if rate == 1.0:
        return y.copy()
    out = librosa.resample(y, orig_sr=float(sr), target_sr=float(sr) / rate, res_type="soxr_hq")
    return fit_to_length(out, int(round(len(y) / rate))).astype(y.dtype, copy=False)
