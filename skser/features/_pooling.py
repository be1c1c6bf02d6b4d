"""From (clips, bands, frames) to 2-D features: statistics over frames, flattening."""

import numpy as np
from scipy import stats as sstats
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import check_array
from sklearn.utils.validation import check_is_fitted

from .._validation import check_rank

__all__ = ["FramePooling", "Flatten", "PooledFeatures", "validate_features"]

_STATS = {
    "mean": lambda F: F.mean(axis=-1),
    "std": lambda F: F.std(axis=-1),
    "min": lambda F: F.min(axis=-1),
    "max": lambda F: F.max(axis=-1),
    "median": lambda F: np.median(F, axis=-1),
    "q05": lambda F: np.quantile(F, 0.05, axis=-1),
    "q95": lambda F: np.quantile(F, 0.95, axis=-1),
    "skew": lambda F: np.nan_to_num(sstats.skew(F, axis=-1)),
    "kurtosis": lambda F: np.nan_to_num(sstats.kurtosis(F, axis=-1)),
    "range": lambda F: F.max(axis=-1) - F.min(axis=-1),
}


def validate_features(estimator, X, *, reset):
    """Validate 2-D or 3-D feature input and return ``(X as float32 3-D, original ndim)``.

    Uses scikit-learn's ``check_array`` (sparse, complex, object, empty and NaN input
    get its messages). 2-D input is one band per clip. ``n_features_in_`` is the size
    of axis 1 (bands for 3-D input, columns for 2-D), recorded when ``reset`` and
    enforced otherwise.
    """
    name = type(estimator).__name__
    X = check_array(
        X,
        allow_nd=True,
        accept_sparse=False,
        dtype=[np.float32, np.float64],
        ensure_all_finite=True,
        estimator=estimator,
        input_name="X",
    )
    check_rank(X, (2, 3), name=name, expected="features of shape (n_clips, n_bands, n_frames)")
    if X.shape[1] == 0 or X.shape[-1] == 0:
        raise ValueError(
            f"{name}: found array with 0 feature(s) (shape={X.shape}) while a minimum of 1 is required."
        )
    if reset:
        estimator.n_features_in_ = X.shape[1]
    elif hasattr(estimator, "n_features_in_") and X.shape[1] != estimator.n_features_in_:
        raise ValueError(
            f"X has {X.shape[1]} features, but {name} is expecting {estimator.n_features_in_} "
            "features as input (for 3-D input the features are the bands of "
            f"(n_clips, {estimator.n_features_in_}, n_frames))"
        )
    ndim = X.ndim
    X3 = X[:, None, :] if ndim == 2 else X
    return X3.astype(np.float32, copy=False), ndim


class _ShapeFitted(TransformerMixin, BaseEstimator):
    def _fit_shape(self, X):
        X, _ = validate_features(self, X, reset=True)
        self.n_bands_, self.n_frames_ = X.shape[1:]
        return X

    def _check_shape(self, X):
        check_is_fitted(self, "n_bands_")
        X, _ = validate_features(self, X, reset=False)
        return X

    def _band_names(self, input_features):
        """Band names: ``input_features`` (one per band of the 3-D input) or ``band<i>``.

        ``input_features`` of another length than the input's ``n_features_in_`` (its
        bands; the columns of a 2-D input) is an error, as in scikit-learn."""
        if input_features is None:
            return [f"band{i}" for i in range(self.n_bands_)]
        names = [str(f) for f in input_features]
        if len(names) != self.n_features_in_:
            raise ValueError(
                f"{type(self).__name__}.get_feature_names_out: input_features has "
                f"{len(names)} names, but the input had {self.n_features_in_} "
                "bands (the second axis)"
            )
        return names if len(names) == self.n_bands_ else [f"band{i}" for i in range(self.n_bands_)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags


class FramePooling(_ShapeFitted):
    """Statistics over frames: ``(n, bands, frames) -> (n, bands * n_stats)``.

    Turns frame-level features into a fixed vector for any scikit-learn classifier
    (recipe S4). 2-D input is treated as one band.

    Parameters
    ----------
    stats : sequence of str, default=("mean", "std")
        Any of ``mean std min max median q05 q95 skew kurtosis range``.

    Examples
    --------
    >>> import numpy as np
    >>> F = np.arange(24, dtype="float32").reshape(2, 3, 4)
    >>> FramePooling(stats=("mean", "max")).fit_transform(F)[0]
    array([ 1.5,  5.5,  9.5,  3. ,  7. , 11. ], dtype=float32)
    """

    def __init__(self, *, stats=("mean", "std")):
        self.stats = stats

    def _check_stats(self):
        if isinstance(self.stats, str) or not len(self.stats):
            raise ValueError(
                f"FramePooling: stats must be a non-empty list such as ('mean', 'std'), got {self.stats!r}"
            )
        unknown = [s for s in self.stats if s not in _STATS]
        if unknown:
            raise ValueError(f"FramePooling: unknown stats {unknown}; choose from {sorted(_STATS)}")

    def fit(self, X, y=None):
        """Record the number of bands."""
        self._check_stats()
        self._fit_shape(X)
        return self

    def transform(self, X):
        """Return the statistics, grouped by statistic: all bands' means, then stds..."""
        X = self._check_shape(X)
        return np.concatenate([_STATS[s](X) for s in self.stats], axis=1).astype(np.float32)

    def get_feature_names_out(self, input_features=None):
        """``<band>_<stat>``, e.g. ``mfcc0_mean``; band names come from the previous step."""
        check_is_fitted(self, "n_bands_")
        bands = self._band_names(input_features)
        return np.asarray([f"{b}_{s}" for s in self.stats for b in bands], dtype=object)


class Flatten(_ShapeFitted):
    """Flatten ``(n, bands, frames)`` to ``(n, bands * frames)`` (band-major).

    Examples
    --------
    >>> import numpy as np
    >>> Flatten().fit_transform(np.zeros((2, 3, 4))).shape
    (2, 12)
    """

    def fit(self, X, y=None):
        """Record the input shape."""
        self._fit_shape(X)
        return self

    def transform(self, X):
        """Return the flattened features; the frame count must match ``fit``."""
        X = self._check_shape(X)
        if X.shape[2] != self.n_frames_:
            raise ValueError(
                f"Flatten: X has {X.shape[2]} frames, but {self.n_frames_} were seen in fit; "
                "fix the clip length (AudioLoader duration) or the feature's n_frames"
            )
        return X.reshape(len(X), -1)

    def get_feature_names_out(self, input_features=None):
        """``<band>_t<frame>``, e.g. ``mel3_t10``."""
        check_is_fitted(self, "n_bands_")
        bands = self._band_names(input_features)
        return np.asarray([f"{b}_t{t}" for b in bands for t in range(self.n_frames_)], dtype=object)


class PooledFeatures(TransformerMixin, BaseEstimator):
    """A frame-level feature transformer followed by statistics over its frames.

    ``PooledFeatures(MFCC())`` is ``MFCC()`` then ``FramePooling()`` as ONE step:
    imbalanced-learn's ``Pipeline`` does not accept a nested ``Pipeline`` as an
    intermediate step, and the features step of an SER pipeline should be
    swappable as a whole in a grid search.

    Parameters
    ----------
    transformer : transformer
        Waveforms ``(n, samples)`` -> features ``(n, bands, frames)``; cloned in fit.
    stats : sequence of str, default=("mean", "std")
        Statistics over frames (see :class:`FramePooling`).

    Attributes
    ----------
    transformer_ : transformer
        The fitted clone of ``transformer``.
    pooling_ : FramePooling
        The fitted pooling step.
    n_features_in_ : int
        Input columns (samples per waveform).

    Examples
    --------
    >>> import numpy as np
    >>> from skser.features import MFCC
    >>> X = np.random.default_rng(0).normal(size=(2, 16000)).astype("float32")
    >>> PooledFeatures(MFCC(n_mfcc=13)).fit_transform(X).shape
    (2, 26)
    """

    def __init__(self, transformer, *, stats=("mean", "std")):
        self.transformer = transformer
        self.stats = stats

    def fit(self, X, y=None):
        """Fit the transformer and the pooling."""
        self.fit_transform(X, y)
        return self

    def fit_transform(self, X, y=None, **fit_params):
        """Fit, then return the pooled features of X."""
        from sklearn.base import clone

        self.transformer_ = clone(self.transformer)
        F = self.transformer_.fit_transform(X, y)
        self.pooling_ = FramePooling(stats=self.stats)
        out = self.pooling_.fit_transform(F)
        if hasattr(self.transformer_, "n_features_in_"):
            self.n_features_in_ = self.transformer_.n_features_in_
        return out

    def transform(self, X):
        """Return ``FramePooling(stats).transform(transformer.transform(X))``."""
        check_is_fitted(self, "pooling_")
        return self.pooling_.transform(self.transformer_.transform(X))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = self.transformer.__sklearn_tags__()
        tags.input_tags = inner.input_tags
        if inner.transformer_tags is not None:
            tags.transformer_tags.preserves_dtype = inner.transformer_tags.preserves_dtype
        return tags

    def get_feature_names_out(self, input_features=None):
        """``<band>_<stat>`` names, e.g. ``mfcc0_mean``."""
        check_is_fitted(self, "pooling_")
        bands = self.transformer_.get_feature_names_out()
        return self.pooling_.get_feature_names_out(bands)
