"""A corpus listed in a CSV file (path,label,speaker): your own recordings."""

import warnings
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from ..exceptions import CorpusError, CorpusWarning
from ._labels import VOCABULARY, select_emotions, sort_emotions

__all__ = ["load_csv_corpus"]

_COLUMNS = ("path", "label", "speaker")


def _guess(label):
    """The vocabulary label a stray label most likely means (for the hint)."""
    import difflib

    low = label.strip().lower()
    if low in VOCABULARY:
        return low
    close = difflib.get_close_matches(low, VOCABULARY, n=1, cutoff=0.5)
    return close[0] if close else "happy"


def load_csv_corpus(csv, *, emotions=None):
    """Load a corpus listed in a CSV file with the columns ``path,label,speaker``.

    Relative paths are relative to the CSV file's folder. Every cell of the three
    columns must be filled: a row with an empty path, label or speaker is an error that
    gives its line number (nothing is dropped silently). Labels are stripped of
    surrounding spaces; a label outside skser's vocabulary (``excited``, ``Happy``)
    stays a class of its own with a :class:`~skser.exceptions.CorpusWarning`, and
    ``emotions`` can map it (``{"excited": "happy"}``) or drop it.

    Parameters
    ----------
    csv : path-like
        The CSV file (UTF-8, a header row).
    emotions : None, list of str or dict, default=None
        As for :func:`select_emotions`.

    Returns
    -------
    sklearn.utils.Bunch
        ``filenames`` (absolute paths), ``target`` (labels), ``groups`` (speakers),
        ``frame`` (``path``, ``emotion``, ``actor`` and any other columns of the file).

    Raises
    ------
    CorpusError
        The file is empty, is not CSV, lacks a column, or has empty cells.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "corpus.csv").write_text("path,label,speaker\\na.wav,angry,s1\\nb.wav,sad,s2\\n")
    >>> bunch = load_csv_corpus(folder / "corpus.csv")
    >>> bunch.target.tolist(), bunch.groups.tolist()
    (['angry', 'sad'], ['s1', 's2'])
    >>> (folder / "corpus.csv").write_text("path,label,speaker\\na.wav,,s1\\n") and None
    >>> load_csv_corpus(folder / "corpus.csv")
    Traceback (most recent call last):
    ...
    skser.exceptions.CorpusError: ...corpus.csv: empty label on line 2; every row needs path, label and speaker
    """
    import pandas as pd

    csv = Path(csv)
    if not csv.is_file():
        raise CorpusError(f"{csv}: CSV corpus file not found")
    try:
        frame = pd.read_csv(csv, dtype=str, keep_default_na=False, skipinitialspace=True)
    except pd.errors.EmptyDataError:
        raise CorpusError(
            f"{csv}: the CSV file is empty; it needs a header path,label,speaker"
        ) from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise CorpusError(f"{csv}: not a readable UTF-8 CSV file ({exc})") from None
    missing = [c for c in _COLUMNS if c not in frame.columns]
    if missing:
        raise CorpusError(
            f"{csv}: missing column(s) {missing}; the header needs path,label,speaker "
            f"(found {list(frame.columns)})"
        )
    if frame.empty:
        raise CorpusError(f"{csv}: the CSV file has a header but no rows")
    for column in _COLUMNS:
        frame[column] = frame[column].str.strip()
        empty = np.flatnonzero(frame[column].to_numpy() == "")
        if empty.size:
            lines = ", ".join(str(i + 2) for i in empty[:10])  # line 1 is the header
            more = f" and {empty.size - 10} more" if empty.size > 10 else ""
            raise CorpusError(
                f"{csv}: empty {column} on line{'s' if empty.size > 1 else ''} {lines}{more}; "
                "every row needs path, label and speaker"
            )
    frame["path"] = [str(p if Path(p).is_absolute() else csv.parent / p) for p in frame["path"]]
    frame = frame.rename(columns={"label": "emotion", "speaker": "actor"})
    unknown = sort_emotions(set(frame["emotion"]) - set(VOCABULARY))
    mapped = set(emotions) if isinstance(emotions, dict) else set()
    unmapped = [u for u in unknown if u not in mapped]
    if unmapped:
        warnings.warn(
            f"{csv}: label(s) {unmapped} are not in skser's vocabulary ({', '.join(VOCABULARY)}) "
            "and stay classes of their own; map them with data.emotions (e.g. "
            f"{{{unmapped[0]!r}: {_guess(unmapped[0])!r}}}, or None to drop)",
            CorpusWarning,
            stacklevel=2,
        )
    frame = select_emotions(frame, emotions, param="data.emotions")
    return Bunch(
        filenames=frame["path"].to_numpy(dtype=object),
        target=frame["emotion"].to_numpy(dtype=object),
        groups=frame["actor"].to_numpy(dtype=object),
        frame=frame,
    )
