"""Input checks shared by skser's transformers (internal)."""

import numpy as np

__all__ = ["check_rank", "check_finite", "check_waveform_shape"]


def check_rank(X, ranks, *, name, expected):
    """Raise a ValueError naming the expected shape if ``X.ndim`` is not in ``ranks``."""
    if X.ndim not in ranks:
        raise ValueError(f"{name} expects {expected}; got an array of shape {X.shape} ({X.ndim}-D)")
    return X


def check_finite(X, *, name):
    """Raise a ValueError if X holds NaN or infinity, saying where."""
    bad = ~np.isfinite(X)
    if bad.any():
        rows = np.unique(np.nonzero(bad.reshape(len(X), -1))[0])
        raise ValueError(
            f"{name}: input contains NaN or infinity in {len(rows)} clip(s), "
            f"first at row {int(rows[0])}"
        )
    return X


def check_waveform_shape(X, *, name):
    """Raise a ValueError unless X is 2-D ``(n_clips, n_samples)``; a single clip gets
    scikit-learn's "Reshape your data" hint. Returns the shape."""
    shape = X.shape if hasattr(X, "shape") else np.asarray(X).shape
    if len(shape) != 2:
        hint = " Reshape your data: a single clip is X.reshape(1, -1)." if len(shape) == 1 else ""
        raise ValueError(
            f"{name} expects 2-D waveforms of shape (n_clips, n_samples), such as the "
            f"output of AudioLoader; got shape {shape}.{hint}"
        )
    return shape
