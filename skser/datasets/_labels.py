"""The canonical emotion vocabulary and emotion selection / merging."""

import difflib
from collections.abc import Mapping

import numpy as np

__all__ = ["EMOTIONS", "EXTRA_EMOTIONS", "VOCABULARY", "check_emotion_labels", "select_emotions"]

#: The eight RAVDESS emotions, the canonical order used for reports.
EMOTIONS = ("neutral", "calm", "happy", "sad", "angry", "fearful", "disgust", "surprised")
#: Labels that exist in only some corpora (``boredom`` in EmoDB).
EXTRA_EMOTIONS = ("boredom",)
#: Every label a skser corpus loader can return.
VOCABULARY = EMOTIONS + EXTRA_EMOTIONS


def _unknown_label_message(label, param):
    close = difflib.get_close_matches(str(label), VOCABULARY, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return (
        f"{param}: {label!r} is not an emotion of skser's vocabulary {', '.join(VOCABULARY)}{hint}"
    )


def check_emotion_labels(labels, *, param="emotions"):
    """Raise ``ValueError`` if any label is outside :data:`VOCABULARY`.

    Parameters
    ----------
    labels : iterable of str
        Labels to check.
    param : str, default="emotions"
        Name of the parameter the labels came from, used in the error message.

    Returns
    -------
    list of str
        The labels, as a list.

    Examples
    --------
    >>> check_emotion_labels(["angry", "sad"])
    ['angry', 'sad']
    """
    labels = list(labels)
    for label in labels:
        if label not in VOCABULARY:
            raise ValueError(_unknown_label_message(label, param))
    return labels


def sort_emotions(labels):
    """Sort labels in vocabulary order (unknown labels last, alphabetically)."""
    order = {label: i for i, label in enumerate(VOCABULARY)}
    return sorted(set(labels), key=lambda lab: (order.get(lab, len(order)), str(lab)))


def select_emotions(frame, emotions, *, param="emotions"):
    """Select, merge or drop emotion classes of a corpus frame.

    Parameters
    ----------
    frame : pandas.DataFrame
        A corpus frame with an ``emotion`` column.
    emotions : None, list of str or dict
        ``None`` keeps every clip. A list keeps only the clips of those emotions. A
        dict maps labels to new labels (merge, e.g. ``{"calm": "neutral"}``) or to
        ``None`` (drop); labels absent from the dict are kept unchanged.
    param : str
        Parameter name used in error messages.

    Returns
    -------
    pandas.DataFrame
        A new frame (index reset). The original label is kept in ``emotion_original``
        when a mapping changed it.

    Examples
    --------
    >>> import pandas as pd
    >>> from skser.datasets import select_emotions
    >>> frame = pd.DataFrame({"emotion": ["calm", "neutral", "angry", "surprised"]})
    >>> select_emotions(frame, {"calm": "neutral", "surprised": None})["emotion"].tolist()
    ['neutral', 'neutral', 'angry']
    >>> select_emotions(frame, ["angry"])["emotion"].tolist()
    ['angry']
    """
    if emotions is None:
        return frame.reset_index(drop=True)
    if isinstance(emotions, str):
        raise TypeError(
            f"{param} must be a list of emotions or a dict mapping, not the string "
            f"{emotions!r}; write {param}=[{emotions!r}]"
        )
    present = set(frame["emotion"])
    if isinstance(emotions, Mapping):
        # a key may be a label of this corpus outside the vocabulary (mapping it is the
        # point); other keys must be vocabulary labels (a typo is an error)
        check_emotion_labels([k for k in emotions if k not in present], param=param)
        targets = [v for v in emotions.values() if v is not None]
        check_emotion_labels(targets, param=param)
        out = frame.copy()
        mapped = out["emotion"].map(lambda e: emotions.get(e, e))
        if (mapped != out["emotion"]).any():
            out["emotion_original"] = out["emotion"]
        out["emotion"] = mapped
        out = out[out["emotion"].notna()]
    else:
        wanted = check_emotion_labels(emotions, param=param)
        missing = [e for e in wanted if e not in present]
        if len(missing) == len(wanted):
            raise ValueError(
                f"{param}={wanted!r} selects no clip: the corpus has only "
                f"{', '.join(sort_emotions(present))}"
            )
        out = frame[frame["emotion"].isin(wanted)]
    if out.empty:
        raise ValueError(f"{param}={emotions!r} leaves no clip in the corpus")
    return out.reset_index(drop=True)


def as_label_array(values):
    """Return labels as a 1-D object array of ``str``."""
    return np.asarray([str(v) for v in values], dtype=object)
