"""Evaluation reports: UAR, WA, macro-F1, per-class recall, confusion matrix, and the
same scores per value of a clip attribute (e.g. gender)."""

import numpy as np
from sklearn.metrics import confusion_matrix

from ._scores import macro_f1, unweighted_average_recall, weighted_accuracy

__all__ = ["ser_report", "scores_by_attribute"]


def ser_report(y_true, y_pred, *, labels=None):
    """The standard SER evaluation of one set of predictions, as plain Python types.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_clips,)
        True and predicted labels.
    labels : array-like or None, default=None
        Class order of the confusion matrix and per-class recalls (default: the sorted
        union of both label sets).

    Returns
    -------
    dict
        ``uar``, ``wa``, ``macro_f1``, ``n_clips``, ``labels``,
        ``per_class_recall`` (label -> recall), ``support`` (label -> clips) and
        ``confusion_matrix`` (rows: true class, columns: predicted class).

    Examples
    --------
    >>> r = ser_report(["sad", "sad", "angry", "angry"], ["sad", "angry", "angry", "angry"])
    >>> r["uar"], r["wa"], r["per_class_recall"]
    (0.75, 0.75, {'angry': 1.0, 'sad': 0.5})
    """
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true has shape {y_true.shape} but y_pred has {y_pred.shape}")
    if labels is None:
        labels = np.unique(np.concatenate([y_true.astype(object), y_pred.astype(object)]))
    labels = list(labels)
    cm = confusion_matrix(y_true, y_pred, labels=labels)
    support = cm.sum(axis=1)
    present = [lab for lab, s in zip(labels, support, strict=True) if s > 0]
    recall = {
        _plain(lab): (float(cm[i, i] / support[i]) if support[i] else float("nan"))
        for i, lab in enumerate(labels)
    }
    return {
        "uar": unweighted_average_recall(y_true, y_pred, labels=present),
        "wa": weighted_accuracy(y_true, y_pred),
        "macro_f1": macro_f1(y_true, y_pred, labels=present),
        "n_clips": int(len(y_true)),
        "labels": [_plain(lab) for lab in labels],
        "per_class_recall": recall,
        "support": {_plain(lab): int(s) for lab, s in zip(labels, support, strict=True)},
        "confusion_matrix": cm.tolist(),
    }


def scores_by_attribute(y_true, y_pred, attribute):
    """UAR, WA and clip count for each value of a clip attribute (e.g. gender).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_clips,)
        True and predicted labels.
    attribute : array-like of shape (n_clips,)
        The attribute of each clip.

    Returns
    -------
    dict
        attribute value -> ``{"uar", "wa", "n_clips"}``.

    Examples
    --------
    >>> from skser.metrics import scores_by_attribute
    >>> scores_by_attribute(["angry", "angry", "sad", "sad"], ["angry", "sad", "sad", "sad"],
    ...                     ["male", "female", "male", "female"])
    {'female': {'uar': 0.5, 'wa': 0.5, 'n_clips': 2}, 'male': {'uar': 1.0, 'wa': 1.0, 'n_clips': 2}}
    """
    y_true, y_pred, attribute = (np.asarray(a) for a in (y_true, y_pred, attribute))
    if not (len(y_true) == len(y_pred) == len(attribute)):
        raise ValueError(
            f"y_true, y_pred and attribute must have the same length, got "
            f"{len(y_true)}, {len(y_pred)} and {len(attribute)}"
        )
    out = {}
    for value in np.unique(attribute.astype(str)):
        mask = attribute.astype(str) == value
        out[str(value)] = {
            "uar": unweighted_average_recall(y_true[mask], y_pred[mask]),
            "wa": weighted_accuracy(y_true[mask], y_pred[mask]),
            "n_clips": int(mask.sum()),
        }
    return out


def _plain(value):
    """numpy scalars -> Python scalars (JSON-safe keys and values)."""
    return value.item() if isinstance(value, np.generic) else value
