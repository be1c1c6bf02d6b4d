"""Disk caching of transformer outputs with joblib.Memory (internal).

``Pipeline(memory=...)`` caches only ``fit_transform`` on the training data; the
held-out part of every fold is still decoded and featurised once per candidate of a
grid search. skser's loader and feature transformers take their own ``memory`` and
cache ``transform`` too, keyed on what determines the output: the class, the
parameters (not ``memory``, ``n_jobs`` or ``verbose``), the fitted attributes, the
input and, for file paths, each file's size and modification time.
"""

import os

from sklearn.utils.validation import check_memory

from ._version import __version__

__all__ = ["cached_transform", "fitted_attributes"]

_NOT_KEYED = {"memory", "n_jobs", "verbose"}


def fitted_attributes(estimator):
    """The public attributes set by ``fit`` (names ending in one underscore)."""
    return {
        k: v
        for k, v in vars(estimator).items()
        if k.endswith("_") and not k.endswith("__") and not k.startswith("_")
    }


def _run(method, X, key):
    """The cached call: ``key`` only identifies the result (it is what joblib hashes)."""
    return method(X)


def _file_stamps(X):
    try:
        items = list(X)
    except TypeError:
        return None
    if not items or not all(isinstance(p, (str, os.PathLike)) for p in items):
        return None
    stamps = []
    for p in items:
        try:
            st = os.stat(p)
            stamps.append((st.st_size, st.st_mtime_ns))
        except OSError:
            stamps.append(None)  # the transformer itself reports the missing file
    return stamps


def cached_transform(estimator, compute, X, *, fitting=False):
    """Return ``compute(X)``, through ``estimator.memory`` when it is set.

    Parameters
    ----------
    estimator : estimator with a ``memory`` parameter
        The transformer whose output ``compute`` produces.
    compute : callable
        ``compute(X)`` computes the output without caching.
    X : array-like
        Input.
    fitting : bool, default=False
        True for a ``fit_transform``: attributes left by an earlier fit are not part
        of the key (``compute`` should then return the new fitted state with its output).
    """
    memory = check_memory(getattr(estimator, "memory", None))
    if memory.location is None:
        return compute(X)
    params = {k: v for k, v in estimator.get_params(deep=False).items() if k not in _NOT_KEYED}
    fitted = {} if fitting else fitted_attributes(estimator)
    key = (type(estimator).__qualname__, __version__, params, fitted, _file_stamps(X))
    return memory.cache(_run, ignore=["method"])(compute, X, key)
