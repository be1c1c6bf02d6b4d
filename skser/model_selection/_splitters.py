"""Speaker-independent splitters built on scikit-learn's group splitters."""

import numpy as np
from sklearn.model_selection import LeaveOneGroupOut, StratifiedGroupKFold

from ..exceptions import LeakageError

__all__ = [
    "SpeakerKFold",
    "LeaveOneSpeakerOut",
    "GroupOverlapCheck",
    "check_group_overlap",
    "make_splitter",
]

_NEED_GROUPS = (
    "{name} is speaker-independent and needs groups: pass the speaker (actor) id of "
    "every clip, e.g. groups=bunch.groups from a skser corpus loader"
)


def check_group_overlap(groups, train, test, *, fold=None):
    """Raise :class:`~skser.exceptions.LeakageError` if a group is in train and test.

    Parameters
    ----------
    groups : array-like of shape (n_clips,)
        Speaker (group) of each clip.
    train, test : array-like of int
        Row indices of the two parts.
    fold : int or None, default=None
        Fold number, for the message.

    Examples
    --------
    >>> import numpy as np
    >>> from skser.model_selection import check_group_overlap
    >>> groups = np.array(["a", "a", "b", "b", "c", "c"])
    >>> check_group_overlap(groups, [0, 1, 2, 3], [4, 5])  # fine: returns None
    >>> check_group_overlap(groups, [0, 1, 2], [3, 4, 5], fold=1)
    Traceback (most recent call last):
    ...
    skser.exceptions.LeakageError: 1 speaker group(s) are in both the training and the test data in fold 1: b. ...
    """
    groups = np.asarray(groups)
    shared = np.intersect1d(groups[np.asarray(train)], groups[np.asarray(test)])
    if shared.size:
        where = f" in fold {fold}" if fold is not None else ""
        listed = ", ".join(map(str, shared[:10])) + (" ..." if shared.size > 10 else "")
        raise LeakageError(
            f"{shared.size} speaker group(s) are in both the training and the test data"
            f"{where}: {listed}. Use a group-aware splitter such as SpeakerKFold."
        )


class SpeakerKFold(StratifiedGroupKFold):
    """Stratified k-fold in which every speaker's clips fall in one test fold.

    :class:`sklearn.model_selection.StratifiedGroupKFold` with shuffling on by default
    and a clear error when ``groups`` is missing.

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds (at most the number of speakers).
    shuffle : bool, default=True
        Shuffle the speakers before assigning them to folds.
    random_state : int, RandomState or None, default=None
        Seed of the shuffle.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array(["sad", "angry"] * 6)
    >>> groups = np.repeat(["01", "02", "03", "04", "05", "06"], 2)
    >>> cv = SpeakerKFold(n_splits=3, random_state=0)
    >>> all(set(groups[tr]).isdisjoint(groups[te]) for tr, te in cv.split(y, y, groups))
    True
    """

    def __init__(self, n_splits=5, *, shuffle=True, random_state=None):
        super().__init__(n_splits=n_splits, shuffle=shuffle, random_state=random_state)

    def split(self, X, y=None, groups=None):
        """Yield ``(train, test)`` row indices; ``groups`` is required."""
        if groups is None:
            raise ValueError(_NEED_GROUPS.format(name=type(self).__name__))
        n_groups = np.unique(np.asarray(groups)).size
        if n_groups < 2:
            raise ValueError(
                f"SpeakerKFold: groups hold {n_groups} speaker(s); speaker-independent folds "
                "need at least 2 (one to train on, one to test), so this corpus cannot be "
                "scored on unseen speakers: add speakers, or combine it with another corpus"
            )
        if n_groups < self.n_splits:
            raise ValueError(
                f"SpeakerKFold: n_splits={self.n_splits} is more than the {n_groups} speakers "
                f"in groups; use n_splits <= {n_groups} or LeaveOneSpeakerOut"
            )
        yield from super().split(X, y, groups)


class LeaveOneSpeakerOut(LeaveOneGroupOut):
    """Each fold tests on one speaker and trains on all the others (LOSO).

    :class:`sklearn.model_selection.LeaveOneGroupOut` with a clear error when
    ``groups`` is missing.

    Examples
    --------
    >>> import numpy as np
    >>> from skser.model_selection import LeaveOneSpeakerOut
    >>> X, y = np.zeros((6, 1)), np.array([0, 1, 0, 1, 0, 1])
    >>> groups = np.array(["a", "a", "b", "b", "c", "c"])
    >>> [groups[test].tolist() for _, test in LeaveOneSpeakerOut().split(X, y, groups)]
    [['a', 'a'], ['b', 'b'], ['c', 'c']]
    """

    def split(self, X, y=None, groups=None):
        """Yield ``(train, test)`` row indices; ``groups`` is required."""
        if groups is None:
            raise ValueError(_NEED_GROUPS.format(name=type(self).__name__))
        yield from super().split(X, y, groups)


class GroupOverlapCheck:
    """Wrap any splitter and raise :class:`~skser.exceptions.LeakageError` for a fold
    that shares a group between its training and test rows.

    Parameters
    ----------
    cv : cross-validation splitter
        An object with ``split`` and ``get_n_splits``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.model_selection import KFold
    >>> from skser.model_selection import GroupOverlapCheck
    >>> X, y = np.zeros((6, 1)), np.array([0, 1, 0, 1, 0, 1])
    >>> groups = np.array(["a", "a", "b", "b", "c", "c"])
    >>> cv = GroupOverlapCheck(KFold(2, shuffle=True, random_state=0))
    >>> list(cv.split(X, y, groups))
    Traceback (most recent call last):
    ...
    skser.exceptions.LeakageError: 3 speaker group(s) are in both the training and the test data in fold 1: a, b, c. ...
    """

    def __init__(self, cv):
        self.cv = cv

    def split(self, X, y=None, groups=None):
        """Yield the wrapped splitter's folds after checking each one.

        The folds of the last call are kept in ``splits_`` (a list of ``(train, test)``
        index arrays), so a nested search can show which speakers each inner fold held.
        """
        self.splits_ = []
        for k, (train, test) in enumerate(self.cv.split(X, y, groups), start=1):
            if groups is not None:
                check_group_overlap(groups, train, test, fold=k)
            self.splits_.append((np.asarray(train), np.asarray(test)))
            yield train, test

    def get_metadata_routing(self):
        """Request ``groups`` for ``split`` (scikit-learn metadata routing)."""
        from sklearn.utils.metadata_routing import MetadataRequest

        request = MetadataRequest(owner=type(self).__name__)
        request.split.add_request(param="groups", alias=True)
        return request

    def get_n_splits(self, X=None, y=None, groups=None):
        """Number of folds of the wrapped splitter."""
        return self.cv.get_n_splits(X, y, groups)

    def __repr__(self):
        return f"GroupOverlapCheck({self.cv!r})"


def make_splitter(cv, *, speaker_independent=True, random_state=None):
    """The cross-validation splitter for ``cv``: the one place an int becomes folds.

    Parameters
    ----------
    cv : int or splitter
        Number of folds, or a splitter (returned as is).
    speaker_independent : bool, default=True
        An int gives :class:`SpeakerKFold` (shuffled, stratified, each speaker in one
        test fold); False gives scikit-learn's shuffled ``StratifiedKFold``, which puts
        the same speakers in training and test folds.
    random_state : int or None, default=None
        Seed of the shuffling.

    Returns
    -------
    splitter

    Examples
    --------
    >>> from skser.model_selection import make_splitter
    >>> make_splitter(6, random_state=0)
    SpeakerKFold(n_splits=6, random_state=0, shuffle=True)
    >>> make_splitter(5, speaker_independent=False, random_state=0)
    StratifiedKFold(n_splits=5, random_state=0, shuffle=True)
    """
    if isinstance(cv, bool) or not isinstance(cv, int | np.integer):
        return cv
    if speaker_independent:
        return SpeakerKFold(int(cv), shuffle=True, random_state=random_state)
    from sklearn.model_selection import StratifiedKFold

    return StratifiedKFold(int(cv), shuffle=True, random_state=random_state)
