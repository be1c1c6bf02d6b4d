"""openSMILE features (the field's classical baseline) as a scikit-learn transformer."""

import sys

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_array, check_is_fitted

from .._validation import check_scalar_param, check_waveform_shape
from ._base import strip_padding

__all__ = ["OpenSmileFeatures"]

_SETS = ("ComParE_2016", "eGeMAPSv02", "GeMAPSv01b", "emobase")
_LEVELS = {"functionals": "Functionals", "lld": "LowLevelDescriptors"}


def _smile(feature_set, level):
    try:
        import opensmile
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "OpenSmileFeatures needs the 'opensmile' package: pip install 'skser[opensmile]'"
        ) from exc
    return opensmile.Smile(
        feature_set=getattr(opensmile.FeatureSet, feature_set),
        feature_level=getattr(opensmile.FeatureLevel, _LEVELS[level]),
    )


def _compute(feature_set, level, sr, clips):
    """openSMILE's output for each clip: (n_features,) functionals or (frames, n_lld)."""
    smile = _smile(feature_set, level)
    out = [smile.process_signal(c, sr).to_numpy().astype(np.float32) for c in clips]
    return [o[0] for o in out] if level == "functionals" else out


def _names(feature_set, level):
    return list(_smile(feature_set, level).feature_names)


_WORKER = []  # the one worker process, started on first use (never at import)


def _isolated(fn, *args):
    """``fn(*args)`` in a separate process: openSMILE's native library corrupts the heap
    when it is loaded into a process that has already imported TensorFlow (measured with
    opensmile 2.6.0 and TensorFlow 2.21: ``malloc(): invalid size``, then an abort).

    One spawned worker is started on first need and reused (starting one costs about
    3 s); it ends with the interpreter. A worker that died is replaced once."""
    if "tensorflow" not in sys.modules:
        return fn(*args)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    def worker():
        if not _WORKER:
            ctx = multiprocessing.get_context("spawn")
            _WORKER.append(ProcessPoolExecutor(max_workers=1, mp_context=ctx))
        return _WORKER[0]

    try:
        return worker().submit(fn, *args).result()
    except BrokenProcessPool:  # the worker died: start one more, once
        _WORKER.pop().shutdown(wait=False)
        return worker().submit(fn, *args).result()


class OpenSmileFeatures(TransformerMixin, BaseEstimator):
    """openSMILE features of each clip: functionals (one vector) or low-level descriptors.

    The baseline of the field (Schuller et al., the INTERSPEECH ComParE challenges;
    eGeMAPS, Eyben et al. 2016), computed by the ``opensmile`` package (optional extra
    ``skser[opensmile]``; nothing else in skser needs it). Stateless: each clip's
    features depend on that clip only. In a process that has imported TensorFlow,
    openSMILE runs in a separate worker process (its native library crashes next to
    TensorFlow's).

    Licence: the openSMILE binary that the ``opensmile`` package ships is licensed by
    audEERING for research and education only; commercial use needs a licence from
    audEERING.

    Parameters
    ----------
    feature_set : {"ComParE_2016", "eGeMAPSv02", "GeMAPSv01b", "emobase"}, default="ComParE_2016"
        openSMILE feature set.
    level : {"functionals", "lld"}, default="functionals"
        ``"functionals"``: ``(n_clips, n_features)`` (ComParE_2016: 6373, eGeMAPSv02:
        88); ``"lld"``: the frame-level descriptors, ``(n_clips, n_lld, n_frames)``
        (10 ms frames; ComParE_2016: 65, eGeMAPSv02: 25), clips of equal length giving
        equal frame counts.
    sr : int, default=16000
        Sample rate of the waveforms.
    strip_padding : bool, default=True
        For functionals: remove the leading and trailing exact zeros that
        :class:`~skser.io.AudioLoader` pads clips with, so the padding does not enter them. Clips shorter than 0.1 s
        are zero-padded to 0.1 s (openSMILE returns nothing for them), and the rare
        non-finite values openSMILE gives for degenerate clips become 0.

    Attributes
    ----------
    feature_names_ : ndarray of str
        openSMILE's name of each output column (functionals) or band (LLDs).

    Examples
    --------
    >>> import numpy as np
    >>> from skser.features import OpenSmileFeatures
    >>> t = np.arange(16000) / 16000
    >>> X = np.stack([np.sin(2 * np.pi * 220 * t), np.sin(2 * np.pi * 330 * t)]).astype("float32")
    >>> OpenSmileFeatures(feature_set="eGeMAPSv02").fit_transform(X).shape
    (2, 88)
    >>> OpenSmileFeatures(feature_set="eGeMAPSv02", level="lld").fit_transform(X).shape
    (2, 25, 96)
    """

    def __init__(
        self, *, feature_set="ComParE_2016", level="functionals", sr=16000, strip_padding=True
    ):
        self.feature_set = feature_set
        self.level = level
        self.sr = sr
        self.strip_padding = strip_padding

    def _check(self, X):
        name = type(self).__name__
        if self.feature_set not in _SETS:
            raise ValueError(
                f"{name}: feature_set must be one of {_SETS}, got {self.feature_set!r}"
            )
        if self.level not in _LEVELS:
            raise ValueError(f"{name}: level must be one of {tuple(_LEVELS)}, got {self.level!r}")
        check_scalar_param(name, "sr", self.sr, "int", low=1)
        check_waveform_shape(X, name=name)
        # dense, real, finite, at least one clip (scikit-learn's messages for the rest)
        X = check_array(X, dtype=[np.float32, np.float64], ensure_all_finite=True,
                        input_name="X", estimator=name)  # fmt: skip
        return np.asarray(X, dtype=np.float32)

    def fit(self, X, y=None):
        """Check the input and record the feature names (learns nothing from the data)."""
        X = self._check(X)
        self.n_features_in_ = X.shape[1]
        names = _isolated(_names, self.feature_set, self.level)
        self.feature_names_ = np.asarray(names, dtype=object)
        return self

    def transform(self, X):
        """Features of each clip: ``(n_clips, n_features)`` or ``(n_clips, n_lld, n_frames)``."""
        check_is_fitted(self, "feature_names_")
        X = self._check(X)
        min_len = self.sr // 10  # openSMILE returns nothing for clips under ~0.1 s
        clips = []
        for x in X:
            clip = strip_padding(x) if self.strip_padding and self.level == "functionals" else x
            if len(clip) < min_len:
                clip = np.pad(clip, (0, min_len - len(clip)))
            clips.append(np.ascontiguousarray(clip))
        out = _isolated(_compute, self.feature_set, self.level, int(self.sr), clips)
        out = np.stack(out) if self.level == "functionals" else np.stack(out).transpose(0, 2, 1)
        return np.nan_to_num(out.astype(np.float32), nan=0.0, posinf=0.0, neginf=0.0)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags

    def get_feature_names_out(self, input_features=None):
        """openSMILE's feature names (functionals; for LLDs, the band names)."""
        check_is_fitted(self, "feature_names_")
        return self.feature_names_.copy()
