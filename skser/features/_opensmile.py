"""openSMILE functionals (the field's classical baseline) as a scikit-learn transformer."""

import numbers
import sys

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .._validation import check_rank

__all__ = ["OpenSMILEFunctionals"]

_SETS = ("ComParE_2016", "eGeMAPSv02", "GeMAPSv01b", "emobase")


def _smile(feature_set):
    try:
        import opensmile
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "OpenSMILEFunctionals needs the 'opensmile' package: pip install 'skser[opensmile]'"
        ) from exc
    return opensmile.Smile(
        feature_set=getattr(opensmile.FeatureSet, feature_set),
        feature_level=opensmile.FeatureLevel.Functionals,
    )


def _functionals(feature_set, sr, clips):
    """openSMILE functionals of each clip (a list of 1-D float32 arrays)."""
    smile = _smile(feature_set)
    return np.stack([smile.process_signal(c, sr).to_numpy()[0] for c in clips]).astype(np.float32)


def _functionals_isolated(feature_set, sr, clips):
    """The same, in a fresh process: openSMILE's native library corrupts the heap when it
    is loaded into a process that has already imported TensorFlow (measured with
    opensmile 2.6.0 and TensorFlow 2.21: ``malloc(): invalid size``, then an abort)."""
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(_functionals, (feature_set, sr, clips))


def _feature_names(feature_set):
    if "tensorflow" in sys.modules:  # see _functionals_isolated
        import multiprocessing

        with multiprocessing.get_context("spawn").Pool(1) as pool:
            return pool.apply(_names, (feature_set,))
    return _names(feature_set)


def _names(feature_set):
    return list(_smile(feature_set).feature_names)


def _strip_padding(x):
    """The clip without the trailing run of exact zeros that fixed-length loading adds."""
    nonzero = np.flatnonzero(x)
    return x[: nonzero[-1] + 1] if nonzero.size else x


class OpenSMILEFunctionals(TransformerMixin, BaseEstimator):
    """One vector of openSMILE functionals per clip (e.g. ComParE_2016: 6373 values).

    The baseline of the field (Schuller et al., the INTERSPEECH ComParE challenges;
    eGeMAPS, Eyben et al. 2016), computed by the ``opensmile`` package (optional extra
    ``skser[opensmile]``). Stateless: each clip's functionals depend on that clip only.
    In a process that has imported TensorFlow, openSMILE runs in a separate worker
    process (its native library crashes next to TensorFlow's).

    Parameters
    ----------
    feature_set : {"ComParE_2016", "eGeMAPSv02", "GeMAPSv01b", "emobase"}, default="ComParE_2016"
        openSMILE feature set.
    sr : int, default=16000
        Sample rate of the waveforms.
    strip_padding : bool, default=True
        Remove the trailing exact zeros that :class:`~skser.io.AudioLoader` pads
        clips with, so the padding does not enter the functionals. Clips shorter than
        0.1 s are zero-padded to 0.1 s (openSMILE returns nothing for them), and the
        rare non-finite values openSMILE gives for degenerate clips become 0.

    Attributes
    ----------
    feature_names_ : ndarray of str
        openSMILE's name of each output column.

    Examples
    --------
    >>> import numpy as np
    >>> from skser.features import OpenSMILEFunctionals
    >>> t = np.arange(16000) / 16000
    >>> X = np.stack([np.sin(2 * np.pi * 220 * t), np.sin(2 * np.pi * 330 * t)]).astype("float32")
    >>> F = OpenSMILEFunctionals(feature_set="eGeMAPSv02").fit_transform(X)
    >>> F.shape
    (2, 88)
    """

    def __init__(self, *, feature_set="ComParE_2016", sr=16000, strip_padding=True):
        self.feature_set = feature_set
        self.sr = sr
        self.strip_padding = strip_padding

    def _check(self, X):
        name = type(self).__name__
        if self.feature_set not in _SETS:
            raise ValueError(
                f"{name}: feature_set must be one of {_SETS}, got {self.feature_set!r}"
            )
        if isinstance(self.sr, bool) or not isinstance(self.sr, numbers.Integral) or self.sr <= 0:
            raise ValueError(f"{name}: sr must be a positive integer, got {self.sr!r}")
        X = np.asarray(X, dtype=np.float32)
        check_rank(X, (2,), name=name, expected="waveforms of shape (n_clips, n_samples)")
        if not np.isfinite(X).all():
            raise ValueError(f"{name}: waveforms contain NaN or infinity")
        return X

    def fit(self, X, y=None):
        """Check the input and record the feature names (learns nothing from the data)."""
        X = self._check(X)
        self.n_features_in_ = X.shape[1]
        self.feature_names_ = np.asarray(_feature_names(self.feature_set), dtype=object)
        return self

    def transform(self, X):
        """Functionals of each clip, shape ``(n_clips, n_features)``, float32."""
        check_is_fitted(self, "feature_names_")
        X = self._check(X)
        clips = []
        for x in X:
            clip = _strip_padding(x) if self.strip_padding else x
            if len(clip) < self.sr // 10:  # openSMILE returns nothing for < ~0.1 s
                clip = np.pad(clip, (0, self.sr // 10 - len(clip)))
            clips.append(np.ascontiguousarray(clip))
        compute = _functionals_isolated if "tensorflow" in sys.modules else _functionals
        out = compute(self.feature_set, int(self.sr), clips)
        return np.nan_to_num(out, nan=0.0, posinf=0.0, neginf=0.0)

    def get_feature_names_out(self, input_features=None):
        """openSMILE's feature names."""
        check_is_fitted(self, "feature_names_")
        return self.feature_names_.copy()
