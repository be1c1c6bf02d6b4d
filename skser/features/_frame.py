"""Frame-level time-domain features: zero-crossing rate and RMS energy."""

from ._base import WaveformFeatureBase

__all__ = ["ZeroCrossingRate", "RMSEnergy"]


class _FrameParams(WaveformFeatureBase):
    def __init__(
        self,
        *,
        frame_length=2048,
        hop_length=512,
        center=True,
        chunk_size=64,
        n_jobs=None,
        memory=None,
    ):
        self.frame_length = frame_length
        self.hop_length = hop_length
        self.center = center
        self.chunk_size = chunk_size
        self.n_jobs = n_jobs
        self.memory = memory

    def _check_params(self):
        super()._check_params()
        self._check_positive_ints("frame_length", "hop_length")


class ZeroCrossingRate(_FrameParams):
    """Zero-crossing rate per frame (``librosa.feature.zero_crossing_rate``), 1 band.

    Parameters
    ----------
    frame_length : int, default=2048
    hop_length : int, default=512
    center : bool, default=True
    chunk_size : int, default=64
    n_jobs : int or None, default=None
    memory : str, joblib.Memory or None, default=None

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(0).normal(size=(2, 16000)).astype("float32")
    >>> ZeroCrossingRate().fit_transform(X).shape
    (2, 1, 32)
    """

    def _compute(self, X):
        import librosa

        return librosa.feature.zero_crossing_rate(
            X, frame_length=self.frame_length, hop_length=self.hop_length, center=self.center
        )

    def _band_names(self):
        return ["zcr"]


class RMSEnergy(_FrameParams):
    """Root-mean-square energy per frame (``librosa.feature.rms``), 1 band.

    Parameters
    ----------
    frame_length : int, default=2048
    hop_length : int, default=512
    center : bool, default=True
    chunk_size : int, default=64
    n_jobs : int or None, default=None
    memory : str, joblib.Memory or None, default=None

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(0).normal(size=(2, 16000)).astype("float32")
    >>> RMSEnergy().fit_transform(X).shape
    (2, 1, 32)
    """

    def _compute(self, X):
        import librosa

        return librosa.feature.rms(
            y=X, frame_length=self.frame_length, hop_length=self.hop_length, center=self.center
        )

    def _band_names(self):
        return ["rms"]
