"""AudioLoader: file paths or waveforms -> fixed-length 2-D float32 waveforms."""

import logging
import os

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import check_array
from sklearn.utils.validation import check_is_fitted, validate_data

from .._cache import cached_transform, fitted_attributes
from .._validation import check_finite, check_scalar_param
from ..exceptions import AudioLoadError
from ._audio import AudioFileError, _resample, load_audio

__all__ = ["AudioLoader", "fix_length"]

logger = logging.getLogger(__name__)

_MAX_LISTED = 20


def fix_length(y, n_samples, *, crop="center"):
    """Pad with zeros or crop a 1-D signal to exactly ``n_samples``.

    Parameters
    ----------
    y : ndarray, shape (n,)
    n_samples : int
    crop : {"center", "start", "loudest"}, default="center"
        ``"center"`` pads and crops symmetrically (speech is usually in the middle of
        a clip); ``"start"`` keeps the beginning and pads at the end; ``"loudest"``
        pads as ``"center"`` and crops to the window of ``n_samples`` with the most
        energy (the speech of a recording that is longer or padded with silence).

    Returns
    -------
    ndarray, shape (n_samples,)

    Examples
    --------
    >>> import numpy as np
    >>> from skser.io import fix_length
    >>> fix_length(np.arange(1.0, 5.0), 6).tolist()
    [0.0, 1.0, 2.0, 3.0, 4.0, 0.0]
    >>> fix_length(np.arange(1.0, 5.0), 2).tolist()
    [2.0, 3.0]
    >>> fix_length(np.arange(1.0, 5.0), 2, crop="start").tolist()
    [1.0, 2.0]
    >>> fix_length(np.array([0.0, 0.0, 0.0, 3.0, 4.0, 0.0]), 2, crop="loudest").tolist()
    [3.0, 4.0]
    """
    n = y.shape[-1]
    if n == n_samples:
        return y
    if n > n_samples:
        if crop == "loudest":
            energy = np.concatenate([[0.0], np.cumsum(np.square(y, dtype=np.float64))])
            window = energy[n_samples:] - energy[: n - n_samples + 1]
            start = int(np.argmax(window))
        else:
            start = (n - n_samples) // 2 if crop == "center" else 0
        return y[start : start + n_samples]
    out = np.zeros(n_samples, dtype=y.dtype)
    start = (n_samples - n) // 2 if crop in ("center", "loudest") else 0
    out[start : start + n] = y
    return out


def _is_path(v):
    return isinstance(v, (str, os.PathLike))


def _as_path_list(X):
    """Return a list of paths if X is path-like input, else None."""
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is a dependency
        pd = None
    if pd is not None and isinstance(X, pd.DataFrame):
        if X.shape[1] != 1:
            raise ValueError(
                f"AudioLoader expects one column of file paths; the DataFrame has {X.shape[1]} "
                f"columns {list(X.columns)[:5]}. Select it, e.g. X=frame[['path']]"
            )
        X = X.iloc[:, 0]
    if pd is not None and isinstance(X, pd.Series):
        X = X.to_numpy()
    if _is_path(X):
        raise TypeError(
            f"AudioLoader expects a list of paths, got a single path {os.fspath(X)!r}; "
            "wrap it in a list"
        )
    if isinstance(X, (list, tuple)):
        if X and all(_is_path(v) for v in X):
            return [os.fspath(v) for v in X]
        return None
    arr = np.asarray(X) if not isinstance(X, np.ndarray) else X
    if (
        arr.dtype.kind in "OUS"
        and arr.size
        and (arr.ndim == 1 or (arr.ndim == 2 and arr.shape[1] == 1))
    ):
        flat = arr.reshape(-1)
        if all(_is_path(v) for v in flat):
            return [os.fspath(v) for v in flat]
    return None


def _trim(y, top_db):
    import librosa

    trimmed, _ = librosa.effects.trim(y, top_db=top_db)
    return trimmed if trimmed.size else y


_MIN_PARALLEL_FILES = 8


class AudioLoader(TransformerMixin, BaseEstimator):
    """Load audio files (or take waveforms) as fixed-length mono float32 at ``sr``.

    The first step of every skser pipeline: its output ``(n_clips, n_samples)`` is what
    imbalanced-learn samplers, augmenters and feature transformers consume.

    Parameters
    ----------
    sr : int, default=16000
        Output sample rate. Files of any rate (8-96 kHz and beyond) are resampled with
        soxr (HQ, librosa's default).
    duration : float or None, default=None
        Output length in seconds. ``None`` learns it in ``fit``: the longest training
        clip (after trimming), so nothing of the training set is cropped; ``transform``
        then pads or crops every clip to that length.
    trim : bool, default=False
        Trim leading and trailing silence (``librosa.effects.trim``) before fixing the
        length.
    top_db : float, default=30.0
        Threshold below the peak, in dB, that counts as silence when ``trim=True``.
    crop : {"center", "start", "loudest"}, default="center"
        Where to pad/crop: symmetrically, keep the start and pad at the end, or crop
        a longer clip to its window with the most energy (see :func:`fix_length`).
    input_sr : int or None, default=None
        Sample rate of waveform input (2-D numeric arrays). ``None`` means ``sr``.
        Ignored for file paths, whose rate is read from the file.
    n_jobs : int or None, default=None
        Parallel decoding jobs (joblib semantics; ``-1`` uses all cores).
    memory : str, joblib.Memory or None, default=None
        Cache decoded waveforms on disk (both ``fit_transform`` and ``transform``),
        keyed on the parameters, the input and each file's size and modification
        time: a grid search then decodes every fold once, not once per candidate.
    verbose : bool or int, default=False
        Show a progress bar while decoding.

    Attributes
    ----------
    n_samples_ : int
        Output length in samples.
    n_features_in_ : int
        Length of waveform input seen in ``fit`` (only for numeric input).

    Examples
    --------
    >>> import numpy as np
    >>> from skser.io import AudioLoader
    >>> waves = np.random.default_rng(0).normal(size=(3, 8000)).astype("float32")
    >>> AudioLoader(duration=1.0, input_sr=8000).fit_transform(waves).shape
    (3, 16000)
    """

    def __init__(
        self,
        *,
        sr=16000,
        duration=None,
        trim=False,
        top_db=30.0,
        crop="center",
        input_sr=None,
        n_jobs=None,
        memory=None,
        verbose=False,
    ):
        self.sr = sr
        self.duration = duration
        self.trim = trim
        self.top_db = top_db
        self.crop = crop
        self.input_sr = input_sr
        self.n_jobs = n_jobs
        self.memory = memory
        self.verbose = verbose

    def _check_params(self):
        check_scalar_param("AudioLoader", "sr", self.sr, "int", low=1)
        if self.duration is not None and not (np.isscalar(self.duration) and self.duration > 0):
            raise ValueError(
                f"AudioLoader: duration must be > 0 seconds or None, got {self.duration!r}"
            )
        if self.crop not in ("center", "start", "loudest"):
            raise ValueError(
                f"AudioLoader: crop must be 'center', 'start' or 'loudest', got {self.crop!r}"
            )

    # -- decoding -----------------------------------------------------------------
    def _load_one(self, path):
        try:
            y, _ = load_audio(path, sr=self.sr)
        except AudioFileError as exc:
            return None, exc.reason
        except Exception as exc:  # anything else a decoder may raise
            return None, f"{type(exc).__name__}: {exc}"
        if self.trim:
            y = _trim(y, self.top_db)
        return y, None

    def _load_paths(self, paths):
        iterator = paths
        if self.verbose:
            from tqdm.auto import tqdm

            iterator = tqdm(paths, desc="decoding", unit="file")
        # Starting joblib's workers costs ~10 ms per call: more than decoding a few
        # files, and the whole budget of a single-clip prediction. Few files: this thread.
        if self.n_jobs in (None, 1) or len(paths) < _MIN_PARALLEL_FILES:
            results = [self._load_one(p) for p in iterator]
        else:
            results = Parallel(n_jobs=self.n_jobs, prefer="threads")(
                delayed(self._load_one)(p) for p in iterator
            )
        failures = [(p, reason) for p, (y, reason) in zip(paths, results, strict=True) if reason]
        if failures:
            listed = "\n".join(f"  {p}: {r}" for p, r in failures[:_MAX_LISTED])
            more = len(failures) - _MAX_LISTED
            raise AudioLoadError(
                f"AudioLoader: {len(failures)} of {len(paths)} file(s) could not be loaded:\n"
                + listed
                + (f"\n  ... and {more} more (see the exception's .failures)" if more > 0 else ""),
                failures,
            )
        return [y for y, _ in results]

    def _waveforms(self, X, *, reset):
        if hasattr(X, "__len__") and len(X) == 0:
            raise ValueError(
                "AudioLoader: no clips given (an empty list of files or waveforms); check the "
                "folder, pattern or CSV that produced them"
            )
        paths = _as_path_list(X)
        if paths is not None:
            return self._load_paths(paths)
        if (
            isinstance(X, np.ndarray)
            and X.dtype == object
            and X.ndim == 1
            and X.size
            and all(isinstance(v, np.ndarray) for v in X)
        ):  # variable-length waveforms
            waves = [np.asarray(v, dtype=np.float32).reshape(-1) for v in X]
            for w in waves:
                check_finite(w[None], name="AudioLoader")
        else:
            # Waveforms of any length are accepted at transform time (they are padded or
            # cropped), so n_features_in_ is recorded in fit but not enforced later.
            kwargs = dict(dtype=[np.float32, np.float64], ensure_all_finite=True)
            X = validate_data(self, X, reset=True, **kwargs) if reset else check_array(X, **kwargs)
            waves = list(np.asarray(X, dtype=np.float32))
        in_sr = self.input_sr or self.sr
        if in_sr != self.sr:
            waves = [_resample(w, in_sr, self.sr) for w in waves]
        if self.trim:
            waves = [_trim(w, self.top_db) for w in waves]
        return waves

    def _stack(self, waves):
        out = np.empty((len(waves), self.n_samples_), dtype=np.float32)
        for i in range(len(waves)):
            out[i] = fix_length(waves[i], self.n_samples_, crop=self.crop)
            waves[i] = None  # release each decoded clip as soon as it is copied
        return out

    # -- estimator API ------------------------------------------------------------
    def fit(self, X, y=None):
        """Learn the output length (when ``duration`` is None) and check the input."""
        self.fit_transform(X, y)
        return self

    def fit_transform(self, X, y=None, **fit_params):
        """Fit and return the fixed-length waveforms, decoding every file once."""
        self._check_params()
        fitted, out = cached_transform(self, self._fit_transform, X, fitting=True)
        vars(self).update(fitted)
        return out

    def _fit_transform(self, X):
        waves = self._waveforms(X, reset=True)
        if self.duration is None:
            self.n_samples_ = int(max(len(w) for w in waves))
        else:
            self.n_samples_ = int(round(float(self.duration) * self.sr))
        logger.debug("AudioLoader: %d clips -> %d samples each", len(waves), self.n_samples_)
        out = self._stack(waves)
        return fitted_attributes(self), out

    def transform(self, X):
        """Load and return ``(n_clips, n_samples_)`` float32 waveforms."""
        check_is_fitted(self, "n_samples_")
        return cached_transform(self, lambda X: self._stack(self._waveforms(X, reset=False)), X)

    def get_feature_names_out(self, input_features=None):
        """Names of the output columns: ``sample0``, ``sample1``, ...

        The output is the clips padded or cropped to ``n_samples_``, so its columns are
        sample positions whatever the input's; ``input_features``, if given, must have
        one name per input column (scikit-learn's rule)."""
        check_is_fitted(self, "n_samples_")
        n_in = getattr(self, "n_features_in_", None)
        if input_features is not None and n_in is not None and len(input_features) != n_in:
            raise ValueError(
                f"AudioLoader.get_feature_names_out: input_features has {len(input_features)} "
                f"names, but X had {n_in} columns in fit"
            )
        return np.asarray([f"sample{i}" for i in range(self.n_samples_)], dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags
