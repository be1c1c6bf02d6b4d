"""Seed ensembles: one classifier (or variants of it) trained with several seeds, averaged."""

import logging
import multiprocessing
import numbers

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from .._routing import accepts_groups
from .._validation import check_scalar_param

__all__ = ["SeedEnsembleClassifier"]

logger = logging.getLogger(__name__)


def _fit_member(member, X, y, fit_params):
    return member.fit(X, y, **fit_params)


def _fit_in_workers(members, n_workers, X, y, fit_params):
    """Fit ``members`` in ``n_workers`` new worker processes (loky: works from scripts
    without a ``__main__`` guard and from notebooks); the workers exit afterwards.
    The fitted members come back in order; a member's error is raised here."""
    from joblib.externals.loky import ProcessPoolExecutor

    # one thread each for TensorFlow and BLAS/OpenMP (the environment of a local Dask
    # worker): n workers share n cores, and a member's numbers do not depend on the
    # machine's core count
    from ..model_selection._dask import WORKER_THREAD_ENV

    with ProcessPoolExecutor(max_workers=n_workers, env=dict(WORKER_THREAD_ENV)) as pool:
        futures = [pool.submit(_fit_member, m, X, y, fit_params) for m in members]
        try:
            return [f.result() for f in futures]
        except BaseException:
            for f in futures:
                f.cancel()
            raise


class SeedEnsembleClassifier(ClassifierMixin, BaseEstimator):
    """Train ``n_estimators`` copies of a classifier with different seeds; average them.

    Networks trained from different random initialisations make partly different
    errors on unseen speakers; averaging their class probabilities is a cheap, reliable
    gain (measured on RAVDESS in docs/benchmarks.md) at ``n_estimators`` times the
    training and prediction cost.

    Parameters
    ----------
    estimator : classifier
        Any classifier with a ``random_state`` parameter and ``predict_proba`` (skser's
        Keras classifiers, a random forest, ...). It is cloned for each member.
    n_estimators : int, default=3
        Number of members.
    variants : list of dict or None, default=None
        Parameter overrides, one dict per variant: member ``i`` is the estimator with
        ``variants[i % len(variants)]`` set (e.g. ``[{}, {"head": "attention"}]``
        alternates two heads). Members that differ in more than their seed make more
        different errors. None: every member is the estimator itself.
    random_state : int, RandomState or None, default=None
        Draws each member's ``random_state``; an int makes the ensemble reproducible.
    n_jobs : int or None, default=None
        None: train the members one after the other in this process. An int (-1: one
        per CPU core): train them in that many worker processes, each running
        TensorFlow (and BLAS/OpenMP) on ONE thread. A small network barely uses a
        second core from inside TensorFlow, so two workers train two networks in
        little more than the time of one: on 2 cores, four ``cnn1d_pool`` networks
        trained in one worker at 0.91x the speed of this process and in two workers
        at 1.38x (``benchmarks/bench_parallel.py``, worker start-up included).
        TensorFlow's float sums depend on its thread count, so
        every int, 1 included, gives the same numbers on any machine, which can
        differ in the last digits from ``None`` (TensorFlow's own thread count in
        this process). Features on disk (a chunked fit) are always trained in this
        process, and so is an ensemble fitted inside a daemonic process (a Dask
        worker), which cannot start processes (logged as a warning).

    Attributes
    ----------
    estimators_ : list of classifiers
        The fitted members.
    classes_ : ndarray of shape (n_classes,)
        Class labels, in the order of the probability columns.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import SGDClassifier
    >>> from skser.models import SeedEnsembleClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(40, 5))
    >>> y = np.where(X[:, 0] > 0, "angry", "sad")
    >>> ens = SeedEnsembleClassifier(SGDClassifier(loss="log_loss"), n_estimators=4,
    ...                              random_state=0).fit(X, y)
    >>> len(ens.estimators_), ens.predict_proba(X[:2]).shape
    (4, (2, 2))
    >>> len({m.random_state for m in ens.estimators_})  # four different seeds
    4
    >>> ens = SeedEnsembleClassifier(SGDClassifier(loss="log_loss"), n_estimators=4,
    ...                              variants=[{"alpha": 1e-4}, {"alpha": 1e-2}],
    ...                              random_state=0).fit(X, y)
    >>> [m.alpha for m in ens.estimators_]
    [0.0001, 0.01, 0.0001, 0.01]
    """

    def __init__(self, estimator, *, n_estimators=3, variants=None, random_state=None, n_jobs=None):
        self.estimator = estimator
        self.n_estimators = n_estimators
        self.variants = variants
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _check_variants(self):
        variants = self.variants
        if variants is None:
            return [{}]
        if (
            isinstance(variants, dict)
            or not isinstance(variants, (list, tuple))
            or not variants
            or not all(isinstance(v, dict) for v in variants)
        ):
            raise ValueError(
                "SeedEnsembleClassifier: variants must be None or a non-empty list of dicts "
                f"of parameter overrides, got {variants!r}"
            )
        valid = self.estimator.get_params()
        for v in variants:
            unknown = sorted(set(v) - set(valid))
            if unknown:
                raise ValueError(
                    f"SeedEnsembleClassifier: variants set {unknown}, which are not "
                    f"parameters of {type(self.estimator).__name__}"
                )
            if "random_state" in v:
                raise ValueError(
                    "SeedEnsembleClassifier: variants must not set random_state (each "
                    "member's seed is drawn from the ensemble's random_state)"
                )
        return list(variants)

    __metadata_request__fit = {"groups": True}

    @property
    def _reads_feature_store(self):
        """Whether ``fit`` takes a chunked fit's features on disk (as its members do)."""
        return bool(getattr(self.estimator, "_reads_feature_store", False))

    def fit(self, X, y, groups=None, **fit_params):
        """Fit every member on ``(X, y)``, each with its own seed.

        Parameters
        ----------
        X : array-like
            Features, as the member classifier takes them.
        y : array-like of shape (n_examples,)
            Class labels.
        groups : array-like of shape (n_examples,), default=None
            Speaker ids, passed on to members whose ``fit`` takes ``groups`` (skser's
            Keras classifiers: early stopping on held-out speakers).
        **fit_params : dict
            Passed to every member's ``fit``.

        Returns
        -------
        self
        """
        n = check_scalar_param(
            "SeedEnsembleClassifier", "n_estimators", self.n_estimators, "int", low=1
        )
        if "random_state" not in self.estimator.get_params():
            raise ValueError(
                f"SeedEnsembleClassifier: the estimator {type(self.estimator).__name__} has no "
                "random_state parameter, so its members would all be the same"
            )
        if not hasattr(self.estimator, "predict_proba"):
            raise ValueError(
                f"SeedEnsembleClassifier: the estimator {type(self.estimator).__name__} has no "
                "predict_proba to average"
            )
        variants = self._check_variants()
        rng = check_random_state(self.random_state)
        seeds = rng.randint(np.iinfo(np.int32).max, size=n)
        if groups is not None and accepts_groups(self.estimator.fit):
            fit_params = {**fit_params, "groups": groups}
        members = []
        for i, seed in enumerate(seeds):
            member = clone(self.estimator).set_params(**variants[i % len(variants)])
            members.append(member.set_params(random_state=int(seed)))
        n_workers = self._n_workers(len(members))
        if n_workers is None or getattr(X, "read", None) is not None:  # StoreRows: on disk
            self.estimators_ = [member.fit(X, y, **fit_params) for member in members]
        else:
            self.estimators_ = _fit_in_workers(members, n_workers, X, y, fit_params)
        self.classes_ = np.asarray(self.estimators_[0].classes_)
        if hasattr(self.estimators_[0], "n_features_in_"):
            self.n_features_in_ = self.estimators_[0].n_features_in_
        for member in self.estimators_[1:]:
            if not np.array_equal(member.classes_, self.classes_):  # pragma: no cover
                raise RuntimeError("SeedEnsembleClassifier: members learnt different classes")
        return self

    def _n_workers(self, n_members):
        """Worker processes for ``n_members`` fits, or None (fit in this process)."""
        n_jobs = self.n_jobs
        if n_jobs is None:
            return None
        if (
            isinstance(n_jobs, bool)
            or not isinstance(n_jobs, numbers.Integral)
            or n_jobs == 0
            or n_jobs < -1
        ):
            raise ValueError(
                f"SeedEnsembleClassifier: n_jobs must be None, -1 or a positive int, got {n_jobs!r}"
            )
        if multiprocessing.current_process().daemon:  # e.g. a Dask worker
            logger.warning(
                "SeedEnsembleClassifier: n_jobs=%r ignored: this is a daemonic worker "
                "process, which cannot start processes; the members train in this process",
                n_jobs,
            )
            return None
        if n_jobs == -1:
            import os

            n_jobs = os.cpu_count() or 1
        return min(int(n_jobs), n_members)

    def predict_proba(self, X):
        """Mean of the members' class probabilities.

        Parameters
        ----------
        X : array-like
            Features.

        Returns
        -------
        ndarray of shape (n_examples, n_classes)
        """
        check_is_fitted(self, "estimators_")
        return np.mean([m.predict_proba(X) for m in self.estimators_], axis=0)

    def predict(self, X):
        """Class with the highest mean probability.

        Parameters
        ----------
        X : array-like
            Features.

        Returns
        -------
        ndarray of shape (n_examples,)
        """
        check_is_fitted(self, "estimators_")
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def score(self, X, y, sample_weight=None):
        """Accuracy on ``(X, y)`` (scikit-learn's classifier default; skser's scorers use UAR).

        Parameters
        ----------
        X : array-like
            Features.
        y : array-like of shape (n_examples,)
            True labels.
        sample_weight : array-like of shape (n_examples,), default=None
            Weights.

        Returns
        -------
        float
        """
        from sklearn.metrics import accuracy_score

        return float(accuracy_score(y, self.predict(X), sample_weight=sample_weight))

    @property
    def history_(self):
        """The first member's training history (for plots of Keras training curves)."""
        check_is_fitted(self, "estimators_")
        return getattr(self.estimators_[0], "history_", None)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = self.estimator.__sklearn_tags__()
        tags.input_tags = inner.input_tags
        return tags
