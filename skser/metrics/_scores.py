"""SER scores and scikit-learn scorers: UAR first.

In speech emotion recognition, *unweighted average recall* (UAR, the mean of the
per-class recalls; scikit-learn's balanced accuracy) is the headline number because
emotion corpora are imbalanced; *weighted accuracy* (WA) is the plain accuracy.
"""

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, get_scorer, make_scorer, recall_score

__all__ = [
    "unweighted_average_recall",
    "weighted_accuracy",
    "macro_f1",
    "SCORERS",
    "get_ser_scorer",
]


def unweighted_average_recall(y_true, y_pred, *, labels=None, sample_weight=None):
    """Mean of the per-class recalls (UAR), over the classes present in ``y_true``.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_clips,)
        True and predicted labels.
    labels : array-like or None, default=None
        Classes to average over (default: those in ``y_true``).
    sample_weight : array-like or None, default=None
        Clip weights.

    Returns
    -------
    float

    Examples
    --------
    >>> unweighted_average_recall(["sad", "sad", "sad", "angry"], ["sad", "sad", "sad", "sad"])
    0.5
    """
    y_true = np.asarray(y_true)
    if labels is None:
        labels = np.unique(y_true)
    return float(
        recall_score(
            y_true,
            y_pred,
            labels=labels,
            average="macro",
            sample_weight=sample_weight,
            zero_division=0,
        )
    )


def weighted_accuracy(y_true, y_pred, *, sample_weight=None):
    """Share of correctly classified clips (WA, plain accuracy).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_clips,)
        True and predicted labels.
    sample_weight : array-like or None, default=None
        Clip weights.

    Returns
    -------
    float

    Examples
    --------
    >>> from skser.metrics import unweighted_average_recall, weighted_accuracy
    >>> y_true = ["angry"] * 8 + ["sad"] * 2
    >>> y_pred = ["angry"] * 10  # always the majority class
    >>> weighted_accuracy(y_true, y_pred), unweighted_average_recall(y_true, y_pred)
    (0.8, 0.5)
    """
    return float(accuracy_score(y_true, y_pred, sample_weight=sample_weight))


def macro_f1(y_true, y_pred, *, labels=None, sample_weight=None):
    """Unweighted mean of the per-class F1 scores.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_clips,)
        True and predicted labels.
    labels : array-like or None, default=None
        Classes to average over (default: those in ``y_true``).
    sample_weight : array-like or None, default=None
        Clip weights.

    Returns
    -------
    float

    Examples
    --------
    >>> from skser.metrics import macro_f1
    >>> round(macro_f1(["angry", "angry", "sad", "sad"], ["angry", "sad", "sad", "sad"]), 4)
    0.7333
    """
    y_true = np.asarray(y_true)
    if labels is None:
        labels = np.unique(y_true)
    return float(
        f1_score(
            y_true,
            y_pred,
            labels=labels,
            average="macro",
            sample_weight=sample_weight,
            zero_division=0,
        )
    )


#: Scorers for ``scoring=`` in scikit-learn's model selection (callables), by name.
SCORERS = {
    "uar": make_scorer(unweighted_average_recall),
    "wa": make_scorer(weighted_accuracy),
    "accuracy": make_scorer(weighted_accuracy),
    "macro_f1": make_scorer(macro_f1),
}


def get_ser_scorer(scoring):
    """A scorer from a name (``"uar"``, ``"wa"``, ``"macro_f1"`` or any scikit-learn
    scorer name) or a callable, which is returned unchanged.

    Parameters
    ----------
    scoring : str or callable
        Scorer name or ``scorer(estimator, X, y)``.

    Returns
    -------
    callable

    Examples
    --------
    >>> from skser.metrics import get_ser_scorer
    >>> get_ser_scorer("uar")
    make_scorer(unweighted_average_recall, response_method='predict')
    >>> get_ser_scorer("wa") is get_ser_scorer("accuracy")
    False
    """
    if callable(scoring):
        return scoring
    if scoring in SCORERS:
        return SCORERS[scoring]
    try:
        return get_scorer(scoring)
    except ValueError:
        raise ValueError(
            f"unknown scoring {scoring!r}: use one of {sorted(SCORERS)} or a scikit-learn "
            "scorer name (sklearn.metrics.get_scorer_names())"
        ) from None
