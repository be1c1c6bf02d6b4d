"""Recording-chain effects: gain, peak normalisation, band limiting, babble noise.

What a microphone, a telephone line or an audio tool does to a clip without changing
the emotion in it. Used by :class:`~skser.augment.AudioAugmenter` (random gain and
band limiting of training copies) and by ``benchmarks/bench_robustness.py`` (the
conditions a model is scored under).
"""

import numpy as np

from ._effects import clip_rms

__all__ = ["apply_gain", "peak_normalise", "band_limit", "add_babble"]


def apply_gain(y, gain_db):
    """Scale the clip by ``gain_db`` decibels (no clipping: skser audio is float).

    Parameters
    ----------
    y : ndarray
        The clip.
    gain_db : float
        Gain in dB (negative attenuates).

    Returns
    -------
    ndarray
        Scaled copy, same dtype.

    Examples
    --------
    >>> import numpy as np
    >>> from skser.augment import apply_gain
    >>> apply_gain(np.array([0.5, -0.25], dtype="float32"), 20 * np.log10(2)).tolist()
    [1.0, -0.5]
    """
    return (y * 10.0 ** (gain_db / 20.0)).astype(y.dtype, copy=False)


def peak_normalise(y, peak=0.99):
    """Scale the clip so its largest absolute sample is ``peak`` (a silent clip is kept).

    Parameters
    ----------
    y : ndarray
        The clip.
    peak : float, default=0.99
        Target peak amplitude.

    Returns
    -------
    ndarray
        Scaled copy, same dtype.

    Examples
    --------
    >>> import numpy as np
    >>> from skser.augment import peak_normalise
    >>> peak_normalise(np.array([0.1, -0.2], dtype="float32"), peak=1.0).tolist()
    [0.5, -1.0]
    """
    top = float(np.max(np.abs(y))) if y.size else 0.0
    if top == 0.0:
        return y.copy()
    return (y * (peak / top)).astype(y.dtype, copy=False)


def band_limit(y, sr, low=300.0, high=3400.0, order=6):
    """Band-pass the clip to ``[low, high]`` Hz (Butterworth, zero phase), e.g. telephone.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        The clip.
    sr : int
        Sample rate.
    low, high : float, default=300.0, 3400.0
        Pass band in Hz; ``low=0`` makes a low-pass filter, ``high >= sr/2`` a high-pass.
    order : int, default=6
        Filter order.

    Returns
    -------
    ndarray
        Filtered copy, same dtype.

    Examples
    --------
    >>> import numpy as np
    >>> from skser.augment import band_limit
    >>> t = np.arange(16000) / 16000
    >>> low, mid = np.sin(2 * np.pi * 100 * t), np.sin(2 * np.pi * 1000 * t)
    >>> [round(float(np.std(band_limit(x, 16000)) / np.std(x)), 2) for x in (low, mid)]
    [0.0, 1.0]
    """
    from scipy.signal import butter, sosfiltfilt

    nyq = sr / 2.0
    if not 0 <= low < high:
        raise ValueError(f"band_limit: need 0 <= low < high, got low={low!r}, high={high!r}")
    if low <= 0 and high >= nyq:
        return y.copy()
    if low <= 0:
        sos = butter(order, high / nyq, btype="lowpass", output="sos")
    elif high >= nyq:
        sos = butter(order, low / nyq, btype="highpass", output="sos")
    else:
        sos = butter(order, [low / nyq, high / nyq], btype="bandpass", output="sos")
    if len(y) <= 3 * (2 * len(sos) + 1):  # too short for zero-phase filtering
        return y.copy()
    return sosfiltfilt(sos, y).astype(y.dtype, copy=False)


def add_babble(y, others, snr_db, rng, n_talkers=4):
    """Add babble: the sum of ``n_talkers`` other clips, scaled to ``snr_db`` below ``y``.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        The clip.
    others : sequence of ndarray
        Clips of other talkers to draw from (tiled or cut to the clip's length).
    snr_db : float
        Signal-to-babble ratio in dB (RMS over the whole clip).
    rng : numpy.random.Generator
        Chooses the talkers and their offsets.
    n_talkers : int, default=4
        Talkers mixed.

    Returns
    -------
    ndarray
        Noisy copy, same dtype.

    Examples
    --------
    >>> import numpy as np
    >>> from skser.augment import add_babble
    >>> rng = np.random.default_rng(0)
    >>> y = np.sin(np.linspace(0, 300, 8000)).astype("float32")
    >>> others = [rng.normal(size=6000) for _ in range(5)]
    >>> noisy = add_babble(y, others, 10.0, np.random.default_rng(1))
    >>> round(float(10 * np.log10(np.mean(y**2) / np.mean((noisy - y) ** 2))), 1)
    10.0
    """
    rms = clip_rms(y)
    if rms == 0.0 or not len(others):
        return y.copy()
    mix = np.zeros(len(y))
    picks = rng.choice(len(others), size=min(n_talkers, len(others)), replace=False)
    for k in picks:
        o = np.asarray(others[k], dtype=np.float64)
        if o.size == 0:
            continue
        o = np.tile(o, int(np.ceil(len(y) / o.size)) + 1)
        start = int(rng.integers(0, o.size - len(y) + 1))
        mix += o[start : start + len(y)]
    noise_rms = clip_rms(mix)
    if noise_rms == 0.0:
        return y.copy()
    mix *= rms / (10.0 ** (snr_db / 20.0)) / noise_rms
    return (y + mix).astype(y.dtype, copy=False)
