"""Base class of the waveform -> (clips, bands, frames) feature transformers."""

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from .._cache import cached_transform
from .._validation import check_scalar_param, check_waveform_shape

__all__ = ["WaveformFeatureBase", "WaveformPassBase", "power_to_db_batched", "fix_frames"]


def power_to_db_batched(S, *, ref=1.0, amin=1e-10, top_db=80.0):
    """``librosa.power_to_db`` applied to each clip of a batch independently.

    librosa's own function takes ``ref=np.max`` and ``top_db`` over the whole array, so
    a batch would give each clip a different result than computing it alone. Here the
    reference (``"max"`` or a number) and the ``top_db`` floor are per clip (axis 0).

    Parameters
    ----------
    S : ndarray of shape (n_clips, ...)
        Power spectrograms, one per row.
    ref : "max" or float, default=1.0
        0 dB reference: each clip's own maximum, or a fixed power.
    amin : float, default=1e-10
        Floor applied to ``S`` and ``ref`` before the logarithm.
    top_db : float or None, default=80.0
        Floor each clip at its own peak minus ``top_db`` dB; None disables it.

    Returns
    -------
    ndarray
        Same shape as ``S``, in dB.

    Examples
    --------
    >>> import numpy as np
    >>> from skser.features import power_to_db_batched
    >>> S = np.stack([np.full((2, 3), 1.0), np.full((2, 3), 100.0)])  # two clips
    >>> power_to_db_batched(S, ref="max")[:, 0, 0].tolist()  # each clip's own max is 0 dB
    [0.0, 0.0]
    >>> power_to_db_batched(S)[:, 0, 0].tolist()
    [0.0, 20.0]
    """
    S = np.asarray(S)
    log_spec = 10.0 * np.log10(np.maximum(amin, S))
    if isinstance(ref, str):
        if ref != "max":
            raise ValueError(f"ref must be 'max' or a positive number, got {ref!r}")
        ref_value = S.reshape(len(S), -1).max(axis=1).reshape((-1,) + (1,) * (S.ndim - 1))
    else:
        ref_value = np.abs(ref)
    log_spec -= 10.0 * np.log10(np.maximum(amin, ref_value))
    if top_db is not None:
        peak = log_spec.reshape(len(S), -1).max(axis=1).reshape((-1,) + (1,) * (S.ndim - 1))
        log_spec = np.maximum(log_spec, peak - top_db)
    return log_spec


def strip_padding(x):
    """The clip without the runs of exact zeros that fixed-length loading adds.

    :class:`~skser.io.AudioLoader` pads a short clip with zeros on both sides (``crop=
    "center"`` or ``"loudest"``) or at the end (``"start"``); both runs are removed, so
    where and how much a clip was padded never reaches a feature. A clip of zeros is
    returned as it is.
    """
    nonzero = np.flatnonzero(x)
    return x[nonzero[0] : nonzero[-1] + 1] if nonzero.size else x


def fix_frames(F, n_frames, *, pad_value="min"):
    """Pad (at the end) or trim the last axis of a feature batch to ``n_frames``.

    ``pad_value="min"`` pads each clip with its own minimum (silence, for dB features);
    a number pads with that number.
    """
    if n_frames is None or F.shape[-1] == n_frames:
        return F
    if F.shape[-1] > n_frames:
        return F[..., :n_frames]
    out = np.empty(F.shape[:-1] + (n_frames,), dtype=F.dtype)
    out[..., : F.shape[-1]] = F
    if pad_value == "min":
        fill = F.reshape(len(F), -1).min(axis=1) if F.size else np.zeros(len(F), F.dtype)
        out[..., F.shape[-1] :] = fill.reshape((-1,) + (1,) * (F.ndim - 1))
    else:
        out[..., F.shape[-1] :] = pad_value
    return out


class WaveformFeatureBase(TransformerMixin, BaseEstimator):
    """Shared fit/transform of the waveform feature transformers.

    Subclasses implement ``_compute(X_chunk) -> (n, bands, frames)`` and
    ``_band_names() -> list of str``. Batches are processed in chunks of
    ``chunk_size`` clips (bounded memory), optionally in parallel threads (``n_jobs``).
    """

    def _check_positive_ints(self, *names, allow_none=False):
        """Raise a ValueError naming the parameter unless each one is an integer >= 1."""
        for name in names:
            check_scalar_param(
                type(self).__name__, name, getattr(self, name), "int", low=1,
                allow_none=allow_none,
            )  # fmt: skip

    def _check_params(self):
        """Validate hyper-parameters (subclasses extend)."""
        self._check_positive_ints("chunk_size")

    def _validate(self, X, reset):
        check_waveform_shape(X, name=type(self).__name__)
        X = validate_data(
            self,
            X,
            reset=reset,
            dtype=[np.float32, np.float64],
            ensure_all_finite=True,
            ensure_min_features=1,
        )
        return np.asarray(X, dtype=np.float32)

    def fit(self, X, y=None):
        """Check parameters and the input; learn nothing from the data."""
        self._check_params()
        X = self._validate(X, reset=True)
        self.n_bands_ = len(self._band_names())
        self.n_frames_ = self._compute(X[:1]).shape[-1]
        return self

    def transform(self, X):
        """Return features of shape ``(n_clips, n_bands, n_frames)``, float32."""
        check_is_fitted(self, "n_frames_")
        X = self._validate(X, reset=False)
        return cached_transform(self, self._transform, X)

    def _transform(self, X):
        out = np.empty((len(X), self.n_bands_, self.n_frames_), dtype=np.float32)

        def fill(start):  # each chunk writes its own slice: no list + concatenate copy
            out[start : start + self.chunk_size] = self._compute(X[start : start + self.chunk_size])

        starts = range(0, len(X), self.chunk_size)
        if getattr(self, "n_jobs", None) in (None, 1) or len(starts) == 1:
            for start in starts:
                fill(start)
        else:
            Parallel(n_jobs=self.n_jobs, prefer="threads")(delayed(fill)(s) for s in starts)
        return out

    def get_feature_names_out(self, input_features=None):
        """Names of the band axis (e.g. ``mel0``, ``mfcc3``, ``zcr``).

        The output is 3-D; these are the names that :class:`FramePooling` and
        :class:`Flatten` combine with statistics or frame indices.
        """
        check_is_fitted(self, "n_frames_")
        return np.asarray(self._band_names(), dtype=object)

    def set_output(self, *, transform=None):
        """Refuse pandas/polars output: ``(n_clips, n_bands, n_frames)`` is not a table.

        Parameters
        ----------
        transform : {"default", None} or str
            ``"default"``/None keep NumPy arrays; ``"pandas"`` and ``"polars"`` raise.

        Returns
        -------
        self
        """
        if transform not in (None, "default"):
            raise ValueError(
                f"{type(self).__name__} outputs 3-D arrays (n_clips, n_bands, n_frames), which "
                f"a {transform} DataFrame cannot hold: call set_output(transform="
                f"{transform!r}) on a 2-D step after it (FramePooling, Flatten) instead"
            )
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags


class WaveformPassBase(TransformerMixin, BaseEstimator):
    """Shared checks of the stateless waveform-in, waveform-out transformers
    (:class:`LevelNormaliser`, :class:`NoiseGate`, :class:`RepeatPadding`).

    ``fit`` checks the parameters (``_check_params``, which subclasses override) and the
    input, and learns nothing; ``transform`` checks them again (``set_params`` after fit
    is checked too) and applies ``_transform_clip`` to a copy of each clip, in place. The
    output has the input's samples, sample names and float dtype.
    """

    def _check_params(self):
        """Validate hyper-parameters (subclasses override)."""

    def _validate(self, X, reset):
        check_waveform_shape(X, name=type(self).__name__)
        return validate_data(
            self, X, reset=reset, dtype=[np.float32, np.float64], ensure_all_finite=True
        )

    def fit(self, X, y=None):
        """Check parameters and the input; learn nothing from the data.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_samples)
            Waveforms.
        y : ignored

        Returns
        -------
        self
        """
        self._check_params()
        self._validate(X, reset=True)
        return self

    def _transform_clip(self, x):
        """Transform one clip (a writable copy) in place (subclasses implement)."""
        raise NotImplementedError

    def transform(self, X):
        """Each clip transformed as the class describes.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_samples)
            Waveforms.

        Returns
        -------
        ndarray of shape (n_clips, n_samples), same float dtype as X
        """
        check_is_fitted(self, "n_features_in_")
        self._check_params()
        X = self._validate(X, reset=False)
        out = np.array(X, copy=True)
        for x in out:
            self._transform_clip(x)
        return out

    def get_feature_names_out(self, input_features=None):
        """Sample names, as received (waveform in, waveform out)."""
        check_is_fitted(self, "n_features_in_")
        if input_features is not None:
            return np.asarray(input_features, dtype=object)
        return np.asarray([f"sample{i}" for i in range(self.n_features_in_)], dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        tags.requires_fit = True
        return tags
