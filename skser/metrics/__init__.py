"""SER metrics: unweighted average recall (UAR) first, scorers, reports."""

from ._report import scores_by_attribute, ser_report
from ._scores import (
    SCORERS,
    get_ser_scorer,
    macro_f1,
    unweighted_average_recall,
    weighted_accuracy,
)

__all__ = [
    "SCORERS",
    "get_ser_scorer",
    "macro_f1",
    "scores_by_attribute",
    "ser_report",
    "unweighted_average_recall",
    "weighted_accuracy",
]
