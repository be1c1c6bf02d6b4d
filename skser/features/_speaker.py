"""Per-speaker standardisation of features (speaker normalisation)."""

import numbers
import warnings

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .._groups import SPEAKER_NORMALISED_PROTOCOL, check_groups
from .._validation import check_scalar_param
from ..exceptions import SpeakerNormalisationWarning
from ._normalise import FittedBandScalerMixin
from ._pooling import validate_features

__all__ = ["SpeakerStandardScaler", "SPEAKER_NORMALISED_PROTOCOL"]


def _band_stats(X3):
    """Per-band mean and std over clips and frames of ``(n, bands, frames)``."""
    flat = X3.transpose(1, 0, 2).reshape(X3.shape[1], -1).astype(np.float64)
    return flat.mean(axis=1), flat.std(axis=1)


class SpeakerStandardScaler(FittedBandScalerMixin, TransformerMixin, BaseEstimator):
    """Standardise features per speaker, with the statistics of that speaker's clips.

    What is constant for a speaker (vocal tract, habitual pitch and loudness, microphone)
    is removed, so the classifier sees how each clip differs from its speaker's usual
    voice. Each speaker's mean (and standard deviation) is taken per band over the
    speaker's clips and frames for ``(n, bands, frames)`` input, and per column for
    ``(n, features)`` input.

    - At fit: each training speaker's own clips set its statistics; the global training
      statistics are kept as a fallback.
    - At transform (predict): the speakers present in the call, from their clips in
      that call only (unlabelled: ``y`` is never read). Predict all clips of a new
      speaker in one call.
    - A speaker with fewer than ``min_clips`` clips in a call falls back to the global
      training statistics (:class:`~skser.exceptions.SpeakerNormalisationWarning`
      naming the speaker).
    - ``transform`` without ``groups``: every clip falls back to the global training
      statistics, with a :class:`~skser.exceptions.SpeakerNormalisationWarning`. This
      is then a globally scaled model, not a speaker-normalised one.

    Speaker ids arrive as ``groups``: ``fit(X, y, groups=...)``, ``transform(X,
    groups=...)``. Inside a :class:`~skser.pipeline.SERPipeline` (what
    :func:`~skser.pipeline.make_ser_pipeline` returns) they are routed here from
    ``pipe.fit(X, y, groups=g)`` and ``pipe.predict(X, groups=g)``; the step requests
    ``groups`` for ``fit`` and ``transform`` by default (scikit-learn metadata routing).

    Parameters
    ----------
    with_std : bool, default=True
        Divide by each speaker's standard deviation; False removes the speaker mean only.
    min_clips : int, default=5
        Fewest clips a speaker needs in a call for its own statistics.
    eps : float, default=1e-8
        Added to every standard deviation (a constant band maps to 0).

    Attributes
    ----------
    mean_, scale_ : ndarray of shape (n_bands,)
        Global training statistics per band (or column): the fallback.
    speakers_ : ndarray of str
        The training speakers (empty when fitted without groups).
    n_features_in_ : int
        Bands (3-D input) or columns (2-D input).

    Examples
    --------
    >>> import numpy as np
    >>> from skser.features import SpeakerStandardScaler
    >>> X = np.array([[1.0], [3.0], [10.0], [14.0]])
    >>> scaler = SpeakerStandardScaler(min_clips=2).fit(X, groups=["a", "a", "b", "b"])
    >>> scaler.transform(X, groups=["a", "a", "b", "b"]).ravel().round(3).tolist()
    [-1.0, 1.0, -1.0, 1.0]
    >>> SpeakerStandardScaler(with_std=False, min_clips=2).fit_transform(
    ...     X, groups=["a", "a", "b", "b"]).ravel().tolist()
    [-1.0, 1.0, -2.0, 2.0]
    """

    __metadata_request__fit = {"groups": True}
    __metadata_request__transform = {"groups": True}

    def __init__(self, *, with_std=True, min_clips=5, eps=1e-8):
        self.with_std = with_std
        self.min_clips = min_clips
        self.eps = eps

    def _check_params(self):
        name = type(self).__name__
        check_scalar_param(name, "with_std", self.with_std, "bool")
        check_scalar_param(name, "min_clips", self.min_clips, "int", low=1)
        if not (isinstance(self.eps, numbers.Real) and self.eps >= 0):
            raise ValueError(f"{name}: eps must be a number >= 0, got {self.eps!r}")

    @staticmethod
    def _as_bands(X3, ndim):
        """``(n, bands, frames)``; 2-D input's columns become bands of one frame."""
        return X3.transpose(0, 2, 1) if ndim == 2 else X3

    def fit(self, X, y=None, groups=None):
        """Learn the global fallback statistics (and which speakers were trained on).

        Parameters
        ----------
        X : array-like of shape (n_clips, n_features) or (n_clips, n_bands, n_frames)
            Features.
        y : ignored
            Labels are never used.
        groups : array-like of shape (n_clips,), default=None
            Speaker of each clip.

        Returns
        -------
        self
        """
        self._check_params()
        X3 = self._as_bands(*validate_features(self, X, reset=True))
        mean, std = _band_stats(X3)
        self.mean_ = mean
        self.scale_ = (std if self.with_std else np.ones_like(std)) + self.eps
        if groups is None:
            self.speakers_ = np.array([], dtype=object)
        else:
            self.speakers_ = np.unique(check_groups(groups, len(X3), name=type(self).__name__))
        return self

    def transform(self, X, groups=None):
        """Standardise each speaker's clips with that speaker's statistics.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_features) or (n_clips, n_bands, n_frames)
            Features, as at fit.
        groups : array-like of shape (n_clips,), default=None
            Speaker of each clip. None: global training statistics for every clip,
            with a :class:`~skser.exceptions.SpeakerNormalisationWarning`.

        Returns
        -------
        ndarray of float32, the shape of X
        """
        check_is_fitted(self, "mean_")
        name = type(self).__name__
        X3, ndim = validate_features(self, X, reset=False)
        X3 = self._as_bands(X3, ndim)
        mean = np.broadcast_to(self.mean_[None, :, None], (len(X3), X3.shape[1], 1)).copy()
        scale = np.broadcast_to(self.scale_[None, :, None], mean.shape).copy()
        if groups is None:
            warnings.warn(
                f"{name}: no speaker ids (groups) given, so all {len(X3)} clip(s) are "
                "standardised with the global training statistics, not per speaker; pass "
                "groups= (skser predict: --speakers, --speaker-pattern or one folder per "
                "speaker)",
                SpeakerNormalisationWarning,
                stacklevel=2,
            )
        else:
            ids = check_groups(groups, len(X3), name=name)
            few = []
            for speaker in np.unique(ids):
                rows = np.flatnonzero(ids == speaker)
                if len(rows) < self.min_clips:
                    few.append(f"{speaker} ({len(rows)})")
                    continue
                m, s = _band_stats(X3[rows])
                mean[rows] = m[None, :, None]
                scale[rows] = ((s if self.with_std else np.ones_like(s)) + self.eps)[None, :, None]
            if few:
                warnings.warn(
                    f"{name}: {len(few)} speaker(s) have fewer than min_clips="
                    f"{self.min_clips} clips and use the global training statistics: "
                    + ", ".join(few[:10])
                    + (" ..." if len(few) > 10 else ""),
                    SpeakerNormalisationWarning,
                    stacklevel=2,
                )
        out = ((X3 - mean) / scale).astype(np.float32)
        return out[:, :, 0] if ndim == 2 else out

    def fit_transform(self, X, y=None, groups=None):
        """``fit`` then ``transform`` with the same speaker ids.

        Parameters
        ----------
        X : array-like
            Features.
        y : ignored
        groups : array-like of shape (n_clips,), default=None
            Speaker of each clip.

        Returns
        -------
        ndarray of float32, the shape of X
        """
        return self.fit(X, y, groups=groups).transform(X, groups=groups)
