"""Speaker-independent model selection: splitters, cross-validation, grid search."""

from ._cross_validate import (
    NOT_SPEAKER_INDEPENDENT,
    CVResult,
    cross_validate_ser,
    keras_histories,
)
from ._dask import dask_scheduler
from ._search import SpeakerAwareScorer, SpeakerGridSearchCV, make_grid_search
from ._splitters import (
    GroupOverlapCheck,
    LeaveOneSpeakerOut,
    SpeakerKFold,
    check_group_overlap,
    make_splitter,
)

__all__ = [
    "CVResult",
    "GroupOverlapCheck",
    "LeaveOneSpeakerOut",
    "NOT_SPEAKER_INDEPENDENT",
    "SpeakerAwareScorer",
    "SpeakerGridSearchCV",
    "SpeakerKFold",
    "check_group_overlap",
    "cross_validate_ser",
    "dask_scheduler",
    "keras_histories",
    "make_grid_search",
    "make_splitter",
]
