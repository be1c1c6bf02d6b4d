"""Speaker (group) ids: one check used by every step and helper that takes them (internal)."""

import numbers

import numpy as np

__all__ = ["check_groups", "SPEAKER_NORMALISED_PROTOCOL"]

#: The sentence every result of a speaker-normalised model carries in its protocol.
SPEAKER_NORMALISED_PROTOCOL = (
    "speaker-normalised: each test speaker's unlabelled clips set its normalisation"
)


def _is_missing(value):
    if value is None:
        return True
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return bool(np.isnan(value))
    return isinstance(value, str) and not value.strip()


def check_groups(groups, n, *, name):
    """Return speaker ids as a 1-D object array of ``str``, or raise naming the problem.

    Parameters
    ----------
    groups : array-like of shape (n,)
        One speaker id per clip (strings or integers).
    n : int
        Number of clips the ids must match.
    name : str
        Who is asking (named in the error).

    Returns
    -------
    ndarray of shape (n,), dtype object
        The ids as strings, so ``1`` and ``"1"`` are the same speaker.

    Examples
    --------
    >>> check_groups([1, 1, "02"], 3, name="demo").tolist()
    ['1', '1', '02']
    >>> check_groups(["a", None], 2, name="demo")
    Traceback (most recent call last):
    ...
    ValueError: demo: groups must name a speaker for every clip; 1 are missing (None, NaN or empty) at rows [1]
    """
    arr = np.asarray(groups, dtype=object)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(
            f"{name}: groups must be 1-D (one speaker id per clip), got shape {arr.shape}"
        )
    if len(arr) != n:
        raise ValueError(f"{name}: groups has {len(arr)} speaker ids but X has {n} clips")
    missing = np.array([_is_missing(v) for v in arr], dtype=bool)
    if missing.any():
        rows = np.flatnonzero(missing)
        raise ValueError(
            f"{name}: groups must name a speaker for every clip; {missing.sum()} are missing "
            f"(None, NaN or empty) at rows {rows[:10].tolist()}"
        )
    return np.array([str(v.item() if isinstance(v, np.generic) else v) for v in arr], dtype=object)
