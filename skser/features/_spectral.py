"""Spectral features: log-mel spectrogram, MFCC, STFT image."""

import numpy as np

from .._validation import check_scalar_param
from ._base import WaveformFeatureBase, fix_frames, power_to_db_batched

__all__ = ["LogMelSpectrogram", "MFCC", "Spectrogram"]


def _mel_power(X, est):
    import librosa

    return librosa.feature.melspectrogram(
        y=X,
        sr=est.sr,
        n_fft=est.n_fft,
        hop_length=est.hop_length,
        win_length=est.win_length,
        window=est.window,
        center=est.center,
        pad_mode=est.pad_mode,
        power=est.power,
        n_mels=est.n_mels,
        fmin=est.fmin,
        fmax=est.fmax,
    )


class _STFTParams:
    def _check_stft(self):
        self._check_positive_ints("n_fft", "hop_length")
        self._check_positive_ints("n_frames", allow_none=True)


class LogMelSpectrogram(_STFTParams, WaveformFeatureBase):
    """Log-mel spectrogram of each clip, computed for a whole batch at once.

    Parameters follow ``librosa.feature.melspectrogram`` and ``librosa.power_to_db``.
    Recipe S1's front end is ``LogMelSpectrogram(n_mels=128, n_fft=2048, hop_length=512,
    n_frames=100)`` followed by :class:`PerSampleStandardScaler`.

    Parameters
    ----------
    sr : int, default=16000
    n_fft : int, default=2048
    hop_length : int, default=512
    win_length : int or None, default=None
    window : str, default="hann"
    center : bool, default=True
    pad_mode : str, default="constant"
    n_mels : int, default=128
    fmin : float, default=0.0
    fmax : float or None, default=None
    power : float, default=2.0
    to_db : bool, default=True
        Apply ``power_to_db`` (per clip).
    ref : "max" or float, default=1.0
        dB reference: a number, or ``"max"`` for each clip's own maximum (librosa's
        ``ref=np.max`` applied clip by clip).
    top_db : float or None, default=80.0
    n_frames : int or None, default=None
        Pad (with the clip's minimum, i.e. silence) or trim to this many frames.
    chunk_size : int, default=64
        Clips per batch computation (bounds memory).
    n_jobs : int or None, default=None
        Parallel threads over chunks.
    memory : str, joblib.Memory or None, default=None
        Cache ``transform`` outputs on disk (see :class:`~skser.io.AudioLoader`).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(0).normal(size=(2, 16000)).astype("float32")
    >>> LogMelSpectrogram(n_mels=64).fit_transform(X).shape
    (2, 64, 32)
    """

    def __init__(
        self,
        *,
        sr=16000,
        n_fft=2048,
        hop_length=512,
        win_length=None,
        window="hann",
        center=True,
        pad_mode="constant",
        n_mels=128,
        fmin=0.0,
        fmax=None,
        power=2.0,
        to_db=True,
        ref=1.0,
        top_db=80.0,
        n_frames=None,
        chunk_size=64,
        n_jobs=None,
        memory=None,
    ):
        self.sr = sr
        self.n_fft = n_fft
        self.hop_length = hop_length
        self.win_length = win_length
        self.window = window
        self.center = center
        self.pad_mode = pad_mode
        self.n_mels = n_mels
        self.fmin = fmin
        self.fmax = fmax
        self.power = power
        self.to_db = to_db
        self.ref = ref
        self.top_db = top_db
        self.n_frames = n_frames
        self.chunk_size = chunk_size
        self.n_jobs = n_jobs
        self.memory = memory

    def _check_params(self):
        super()._check_params()
        self._check_stft()
        self._check_positive_ints("n_mels")

    def _compute(self, X):
        S = _mel_power(X, self)
        if self.to_db:
            S = power_to_db_batched(S, ref=self.ref, top_db=self.top_db)
        return fix_frames(S, self.n_frames, pad_value="min" if self.to_db else 0.0)

    def _band_names(self):
        return [f"mel{i}" for i in range(self.n_mels)]


class MFCC(_STFTParams, WaveformFeatureBase):
    """Mel-frequency cepstral coefficients, optionally with delta features.

    Computed like ``librosa.feature.mfcc`` (mel power spectrogram, ``power_to_db``
    with ``top_db`` per clip, DCT), with ``n_mfcc * (1 + deltas)`` output bands.

    Parameters
    ----------
    sr : int, default=16000
    n_mfcc : int, default=20
    n_fft : int, default=2048
    hop_length : int, default=512
    win_length : int or None, default=None
    window : str, default="hann"
    center : bool, default=True
    pad_mode : str, default="constant"
    n_mels : int, default=128
    fmin : float, default=0.0
    fmax : float or None, default=None
    power : float, default=2.0
    top_db : float or None, default=80.0
        Floor of the dB mel spectrogram, this many dB below the reference peak.
    top_db_reference : {"clip", "train"}, default="clip"
        ``"clip"``: below each clip's own peak (librosa on one clip). ``"train"``:
        below the loudest value of the training data, learnt in ``fit`` (``db_peak_``);
        every clip then gets the same absolute floor, so quiet clips and silent
        padding are not expanded into noise. Measured on RAVDESS (speaker-independent
        folds): "train" is better, see docs/benchmarks.md.
    dct_type : int, default=2
    norm : str or None, default="ortho"
    lifter : float, default=0.0
    deltas : {0, 1, 2}, default=0
        Append first (1) or first and second (2) order deltas
        (``librosa.feature.delta``).
    delta_width : int, default=9
    n_frames : int or None, default=None
        Pad (with the clip's minimum) or trim to this many frames.
    chunk_size : int, default=64
    n_jobs : int or None, default=None
    memory : str, joblib.Memory or None, default=None

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(0).normal(size=(2, 16000)).astype("float32")
    >>> MFCC(n_mfcc=13, deltas=2).fit_transform(X).shape
    (2, 39, 32)
    """

    def __init__(
        self,
        *,
        sr=16000,
        n_mfcc=20,
        n_fft=2048,
        hop_length=512,
        win_length=None,
        window="hann",
        center=True,
        pad_mode="constant",
        n_mels=128,
        fmin=0.0,
        fmax=None,
        power=2.0,
        top_db=80.0,
        top_db_reference="clip",
        dct_type=2,
        norm="ortho",
        lifter=0.0,
        deltas=0,
        delta_width=9,
        n_frames=None,
        chunk_size=64,
        n_jobs=None,
        memory=None,
    ):
        self.sr = sr
        self.n_mfcc = n_mfcc
        self.n_fft = n_fft
        self.hop_length = hop_length
        self.win_length = win_length
        self.window = window
        self.center = center
        self.pad_mode = pad_mode
        self.n_mels = n_mels
        self.fmin = fmin
        self.fmax = fmax
        self.power = power
        self.top_db = top_db
        self.top_db_reference = top_db_reference
        self.dct_type = dct_type
        self.norm = norm
        self.lifter = lifter
        self.deltas = deltas
        self.delta_width = delta_width
        self.n_frames = n_frames
        self.chunk_size = chunk_size
        self.n_jobs = n_jobs
        self.memory = memory

    def _check_params(self):
        super()._check_params()
        self._check_stft()
        if isinstance(self.deltas, bool) or self.deltas not in (0, 1, 2):
            raise ValueError(f"MFCC: deltas must be 0, 1 or 2, got {self.deltas!r}")
        if self.top_db_reference not in ("clip", "train"):
            raise ValueError(
                f"MFCC: top_db_reference must be 'clip' or 'train', got {self.top_db_reference!r}"
            )
        check_scalar_param("MFCC", "n_mfcc", self.n_mfcc, "int", low=1, high=self.n_mels)

    def fit(self, X, y=None):
        """Check parameters; with ``top_db_reference="train"`` learn the peak level.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_samples)
            Training waveforms.
        y : None
            Ignored.

        Returns
        -------
        self
        """
        self._check_params()
        if self.top_db_reference == "train":
            Xv = self._validate(X, reset=True)
            peak = max(
                float(_mel_power(Xv[i : i + self.chunk_size], self).max())
                for i in range(0, len(Xv), self.chunk_size)
            )
            self.db_peak_ = 10.0 * np.log10(max(peak, 1e-10))
        return super().fit(X, y)

    def _compute(self, X):
        import librosa

        if self.top_db_reference == "train" and self.top_db is not None:
            S = power_to_db_batched(_mel_power(X, self), ref=1.0, top_db=None)
            S = np.maximum(S, self.db_peak_ - float(self.top_db))
        else:
            S = power_to_db_batched(_mel_power(X, self), ref=1.0, top_db=self.top_db)
        M = librosa.feature.mfcc(
            S=S, n_mfcc=self.n_mfcc, dct_type=self.dct_type, norm=self.norm, lifter=self.lifter
        )
        M = fix_frames(M, self.n_frames, pad_value="min")
        if self.deltas:
            if M.shape[-1] < self.delta_width:
                raise ValueError(
                    f"MFCC: deltas need at least delta_width={self.delta_width} frames, the "
                    f"clips give {M.shape[-1]}; use longer clips or a smaller delta_width"
                )
            parts = [M] + [
                librosa.feature.delta(M, width=self.delta_width, order=k, axis=-1)
                for k in range(1, self.deltas + 1)
            ]
            M = np.concatenate(parts, axis=1)
        return M

    def _band_names(self):
        names = [f"mfcc{i}" for i in range(self.n_mfcc)]
        for k in range(1, self.deltas + 1):
            names += [f"{'d' * k}mfcc{i}" for i in range(self.n_mfcc)]
        return names


class Spectrogram(_STFTParams, WaveformFeatureBase):
    """STFT magnitude (dB) of each clip, optionally resized to a fixed image.

    Recipe S0's front end is ``Spectrogram(size=(64, 64))``: the STFT in dB resized by
    bilinear interpolation to a 64x64 image (followed by a z-score).

    Parameters
    ----------
    n_fft : int, default=512
    hop_length : int, default=256
    win_length : int or None, default=None
    window : str, default="hann"
    center : bool, default=True
    pad_mode : str, default="constant"
    power : {1, 2}, default=1
        1 for magnitude (dB via ``amplitude_to_db``), 2 for power (``power_to_db``).
    to_db : bool, default=True
    ref : "max" or float, default="max"
    top_db : float or None, default=80.0
    size : (int, int) or None, default=(64, 64)
        Output (frequency bins, frames) after bilinear resizing; ``None`` keeps the
        STFT's own shape.
    n_frames : None
        Unused (kept for a uniform interface); use ``size``.
    chunk_size : int, default=64
    n_jobs : int or None, default=None
    memory : str, joblib.Memory or None, default=None

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(0).normal(size=(2, 16000)).astype("float32")
    >>> Spectrogram().fit_transform(X).shape
    (2, 64, 64)
    """

    def __init__(
        self,
        *,
        n_fft=512,
        hop_length=256,
        win_length=None,
        window="hann",
        center=True,
        pad_mode="constant",
        power=1.0,
        to_db=True,
        ref="max",
        top_db=80.0,
        size=(64, 64),
        n_frames=None,
        chunk_size=64,
        n_jobs=None,
        memory=None,
    ):
        self.n_fft = n_fft
        self.hop_length = hop_length
        self.win_length = win_length
        self.window = window
        self.center = center
        self.pad_mode = pad_mode
        self.power = power
        self.to_db = to_db
        self.ref = ref
        self.top_db = top_db
        self.size = size
        self.n_frames = n_frames
        self.chunk_size = chunk_size
        self.n_jobs = n_jobs
        self.memory = memory

    def _check_params(self):
        super()._check_params()
        self._check_stft()
        if self.size is not None and not (
            len(self.size) == 2
            and all(isinstance(s, (int, np.integer)) and s >= 1 for s in self.size)
        ):
            raise ValueError(
                f"Spectrogram: size must be (height, width) positive integers or None, got {self.size!r}"
            )
        if self.power not in (1, 2, 1.0, 2.0):
            raise ValueError(
                f"Spectrogram: power must be 1 (magnitude) or 2 (power), got {self.power!r}"
            )

    def _compute(self, X):
        import librosa
        from scipy.ndimage import zoom

        mag = np.abs(
            librosa.stft(
                X,
                n_fft=self.n_fft,
                hop_length=self.hop_length,
                win_length=self.win_length,
                window=self.window,
                center=self.center,
                pad_mode=self.pad_mode,
            )
        )
        if self.to_db:
            # librosa's amplitude_to_db(mag, ref) is power_to_db(mag**2, ref**2); with
            # power=2, power_to_db(mag**2, ref). Both are power_to_db of mag**2.
            ref = self.ref if isinstance(self.ref, str) else float(self.ref) ** (2.0 / self.power)
            S = power_to_db_batched(mag**2, ref=ref, top_db=self.top_db)
        else:
            S = mag**self.power
        if self.size is not None:
            factors = (1.0, self.size[0] / S.shape[1], self.size[1] / S.shape[2])
            S = zoom(S, factors, order=1, mode="nearest", grid_mode=True)
        return S

    def _band_names(self):
        n = self.size[0] if self.size is not None else self.n_fft // 2 + 1
        return [f"bin{i}" for i in range(n)]
