"""Normalisers of feature arrays: per-sample and per-band z-scores."""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ._pooling import validate_features

__all__ = ["PerSampleStandardScaler", "BandStandardScaler"]


class PerSampleStandardScaler(TransformerMixin, BaseEstimator):
    """Z-score each clip over all its values (recipe S1's per-sample standardisation).

    Stateless: each clip is standardised with its own mean and standard deviation. A
    constant clip (e.g. silence) becomes all zeros rather than NaN. Works on 2-D and
    3-D arrays and keeps the shape.

    Parameters
    ----------
    eps : float, default=1e-8
        Added to the standard deviation.

    Examples
    --------
    >>> import numpy as np
    >>> out = PerSampleStandardScaler().fit_transform(np.array([[1., 2., 3.], [5., 5., 5.]]))
    >>> print(out.round(3))
    [[-1.225  0.     1.225]
     [ 0.     0.     0.   ]]
    """

    def __init__(self, *, eps=1e-8):
        self.eps = eps

    def fit(self, X, y=None):
        """Check the input; learn nothing."""
        validate_features(self, X, reset=True)
        return self

    def transform(self, X):
        """Return ``(X - mean) / (std + eps)`` per clip, same shape as X."""
        X, original_ndim = validate_features(self, X, reset=False)  # stateless: no fit needed
        flat = X.reshape(len(X), -1).astype(np.float64)
        mean = flat.mean(axis=1, keepdims=True)
        std = flat.std(axis=1, keepdims=True)
        out = ((flat - mean) / (std + self.eps)).astype(np.float32).reshape(X.shape)
        return out[:, 0, :] if original_ndim == 2 else out

    def get_feature_names_out(self, input_features=None):
        """Input names unchanged (for 2-D use)."""
        if input_features is not None:
            return np.asarray(input_features, dtype=object)
        return np.asarray([f"x{i}" for i in range(self.n_features_in_)], dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.requires_fit = False
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags


class FittedBandScalerMixin:
    """Feature names and tags of the scalers with fitted per-band ``mean_`` (internal):
    the names pass through, 2-D and 3-D float32 input is kept as it is."""

    def get_feature_names_out(self, input_features=None):
        """Input names unchanged."""
        check_is_fitted(self, "mean_")
        if input_features is not None:
            return np.asarray(input_features, dtype=object)
        return np.asarray([f"x{i}" for i in range(len(self.mean_))], dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags


class BandStandardScaler(FittedBandScalerMixin, TransformerMixin, BaseEstimator):
    """Z-score each band with statistics learned on the training fold.

    For ``(n, bands, frames)`` input the mean and standard deviation of each band are
    taken over clips and frames of the training data; for 2-D input, per column (like
    ``StandardScaler``). Fitted inside the pipeline, so validation folds never
    contribute to the statistics.

    With ``center_clips=True``, each clip's own mean over frames is first subtracted
    from each of its bands (cepstral mean normalisation, CMN, for MFCCs): what is
    constant over a clip, such as the speaker's vocal tract and the recording channel,
    is removed before the training-fold z-score. The clip's loudness goes with it, but
    its changes over time (and deltas) remain. Needs ``(n, bands, frames)`` input.

    Parameters
    ----------
    eps : float, default=1e-8
        Added to the standard deviation (a constant band maps to 0).
    center_clips : bool, default=False
        Subtract each clip's per-band mean over frames first (CMN).

    Attributes
    ----------
    mean_, scale_ : ndarray of shape (n_bands,)

    Examples
    --------
    >>> import numpy as np
    >>> F = np.stack([np.full((2, 5), 1.0), np.full((2, 5), 3.0)])  # 2 clips, 2 bands
    >>> BandStandardScaler().fit(F).mean_.tolist()
    [2.0, 2.0]
    >>> BandStandardScaler(center_clips=True).fit(F).mean_.tolist()  # clip means removed
    [0.0, 0.0]
    """

    def __init__(self, *, eps=1e-8, center_clips=False):
        self.eps = eps
        self.center_clips = center_clips

    def _centered(self, X, ndim):
        if not self.center_clips:
            return X
        if ndim == 2:
            raise ValueError(
                "BandStandardScaler: center_clips=True needs (n, bands, frames) features; "
                "got one vector per clip"
            )
        return X - X.mean(axis=2, keepdims=True)

    def fit(self, X, y=None):
        """Learn per-band mean and standard deviation."""
        X, ndim = validate_features(self, X, reset=True)
        X = self._centered(X, ndim)
        if ndim == 2:
            X = X.transpose(0, 2, 1)  # columns are the bands
        flat = X.transpose(1, 0, 2).reshape(X.shape[1], -1).astype(np.float64)
        self.mean_ = flat.mean(axis=1)
        self.scale_ = flat.std(axis=1) + self.eps
        return self

    def transform(self, X):
        """Standardise each band; the shape is kept."""
        check_is_fitted(self, "mean_")
        X, ndim = validate_features(self, X, reset=False)
        X = self._centered(X, ndim)
        if ndim == 2:
            X = X.transpose(0, 2, 1)
        out = ((X - self.mean_[None, :, None]) / self.scale_[None, :, None]).astype(np.float32)
        return out[:, :, 0] if ndim == 2 else out
