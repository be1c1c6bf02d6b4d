"""Input checks shared by skser's transformers (internal)."""

import numbers

import numpy as np

__all__ = ["check_rank", "check_finite", "check_waveform_shape", "check_scalar_param"]


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


def check_scalar_param(owner, name, value, kind, *, low=None, high=None, allow_none=False):
    """The one check of a scalar hyper-parameter; raises a ValueError naming the owner,
    the parameter, what it must be and the value.

    ``kind`` is ``"int"`` or ``"real"``; a bool is neither (``True`` is not 1 epoch).
    ``kind="bool"`` accepts only True or False. ``low``/``high`` are inclusive bounds.
    Returns the value.
    """
    if allow_none and value is None:
        return value
    if kind == "bool":
        if not isinstance(value, bool | np.bool_):
            raise ValueError(
                f"{owner}: {name} must be True or False{' or None' if allow_none else ''}, "
                f"got {value!r}"
            )
        return value
    ok_type = not isinstance(value, bool | np.bool_) and isinstance(
        value, numbers.Integral if kind == "int" else numbers.Real
    )
    ok = ok_type and (kind == "int" or np.isfinite(value))
    ok = ok and (low is None or value >= low) and (high is None or value <= high)
    if not ok:
        what = "an integer" if kind == "int" else "a number"
        if kind == "int" and low == 1 and high is None:
            what = "a positive integer"
        elif low is not None and high is not None:
            what += f" in [{low}, {high}]"
        elif low is not None:
            what += f" >= {low}"
        elif high is not None:
            what += f" <= {high}"
        raise ValueError(
            f"{owner}: {name} must be {what}{' or None' if allow_none else ''}, got {value!r}"
        )
    return value
