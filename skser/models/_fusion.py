"""Late fusion: a weighted mean (arithmetic or geometric) of several classifiers'
probabilities, as one classifier."""

import itertools
import numbers

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.utils.metadata_routing import MetadataRequest
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d

from .._groups import check_groups
from .._routing import accepts_groups, uses_speakers
from .._validation import check_scalar_param

__all__ = ["FusionClassifier", "fuse_probabilities"]

#: The combination rules of :func:`fuse_probabilities` and :class:`FusionClassifier`.
RULES = ("mean", "geometric")

#: Floor of a probability before its logarithm in the geometric rule: one member's
#: (float32) zero for a class must not veto it outright.
_PROBA_FLOOR = 1e-7


def fuse_probabilities(probas, weights=None, *, rule="mean"):
    """Combine several classifiers' class probabilities into one.

    Parameters
    ----------
    probas : sequence of ndarray of shape (n_clips, n_classes)
        Each member's probabilities, the columns in the same class order.
    weights : array-like of shape (n_members,) or None, default=None
        Non-negative weights (normalised to sum to 1); None weighs the members equally.
    rule : {"mean", "geometric"}, default="mean"
        ``"mean"``: the weighted arithmetic mean (soft voting). ``"geometric"``: the
        weighted geometric mean, renormalised to sum to 1 per clip (log-linear pooling,
        the "product rule" of Kittler et al., 1998): a class one member finds unlikely
        stays unlikely, however sure another member is of it. Probabilities are
        floored at 1e-7 before the logarithm.

    Returns
    -------
    ndarray of shape (n_clips, n_classes)
        Fused probabilities (each row sums to 1 when the inputs' rows do).

    Examples
    --------
    >>> import numpy as np
    >>> from skser.models import fuse_probabilities
    >>> a = np.array([[0.6, 0.4, 0.0]])
    >>> b = np.array([[0.0, 0.4, 0.6]])
    >>> fuse_probabilities([a, b]).round(2).tolist()
    [[0.3, 0.4, 0.3]]
    >>> fuse_probabilities([a, b], rule="geometric").round(2).tolist()
    [[0.0, 1.0, 0.0]]
    """
    if rule not in RULES:
        raise ValueError(f"fuse_probabilities: rule must be one of {list(RULES)}, got {rule!r}")
    stacked = np.stack([np.asarray(p, dtype=float) for p in probas])
    if weights is None:
        w = np.full(len(stacked), 1.0 / len(stacked))
    else:
        w = np.asarray(weights, dtype=float)
        if w.shape != (len(stacked),) or np.any(w < 0) or not w.sum() > 0:
            raise ValueError(
                f"fuse_probabilities: weights must be {len(stacked)} non-negative numbers, "
                f"not all zero; got {weights!r}"
            )
        w = w / w.sum()
    if rule == "mean":
        return np.tensordot(w, stacked, 1)
    log = np.tensordot(w, np.log(np.maximum(stacked, _PROBA_FLOOR)), 1)
    log -= log.max(axis=1, keepdims=True)
    fused = np.exp(log)
    return fused / fused.sum(axis=1, keepdims=True)


def _simplex(n_members, step):
    """Every weight vector of ``n_members`` non-negative multiples of ``step`` summing to 1."""
    n = int(round(1.0 / step))
    out = [
        np.array(c, dtype=float) / n
        for c in itertools.product(range(n + 1), repeat=n_members)
        if sum(c) == n
    ]
    return out


class FusionClassifier(ClassifierMixin, BaseEstimator):
    """Late fusion of several classifiers, the weights fixed or chosen on held-out speakers.

    Each member is any classifier with ``predict_proba`` on the same input, typically a
    whole branch (a :class:`~skser.pipeline.SERPipeline` from waveforms to probabilities:
    its own features, normalisation and classifier), so that different views of a clip,
    such as a CNN on MFCC frames and a linear model on paralinguistic functionals, vote
    together. The fused probability is the weighted arithmetic mean of the members'
    probabilities (soft voting, ``rule="mean"``) or their weighted geometric mean,
    renormalised (``rule="geometric"``, log-linear pooling); see
    :func:`fuse_probabilities`.

    Speaker ids (``groups``) passed to ``fit`` and ``predict`` reach every member whose
    ``fit`` / ``predict`` takes them (speaker-normalised branches, early stopping on
    held-out speakers), inside a :class:`~skser.pipeline.SERPipeline` or a speaker-aware
    search too.

    Parameters
    ----------
    estimators : list of (str, classifier)
        Named members; each is cloned.
    weights : None, "cv" or array-like of shape (n_members,), default=None
        None: equal weights. An array: fixed non-negative weights (normalised to sum to
        1). ``"cv"``: chosen on speaker-grouped inner folds of the training data, never
        on the clips scored: every member is fitted on the other speakers of each of
        ``cv`` folds, the weights on a grid of step ``weight_step`` that give the best
        unweighted average recall (UAR) of the out-of-fold fused predictions win (ties:
        the most equal weights), and the members are refitted on all the training data.
        Needs ``groups`` in ``fit`` and costs ``cv + 1`` fits of every member.
    rule : {"mean", "geometric"}, default="mean"
        How the members' probabilities combine (:func:`fuse_probabilities`), also for
        the candidates of ``weights="cv"``.
    cv : int, default=3
        Inner speaker folds for ``weights="cv"`` (``StratifiedGroupKFold``).
    weight_step : float, default=0.1
        Grid step of the weights for ``weights="cv"``.
    random_state : int or None, default=None
        Shuffles the inner folds of ``weights="cv"``.

    Attributes
    ----------
    estimators_ : list of classifiers
        The fitted members.
    named_estimators_ : dict
        The fitted members by name.
    weights_ : ndarray of shape (n_members,)
        The weights used.
    cv_results_ : dict or None
        For ``weights="cv"``: ``"weights"`` (the candidates), ``"uar"`` (their inner
        out-of-fold UAR), ``"member_uar"`` (each member's alone) and ``"splits"`` (the
        held-out speakers of each inner fold). None otherwise.
    classes_ : ndarray of shape (n_classes,)
        Class labels, the columns of :meth:`predict_proba`.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.naive_bayes import GaussianNB
    >>> from skser.models import FusionClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(120, 4))
    >>> y = np.where(X[:, 0] + 0.5 * rng.normal(size=120) > 0, "angry", "sad")
    >>> speakers = np.repeat([f"s{i}" for i in range(6)], 20)
    >>> fusion = FusionClassifier([("lr", LogisticRegression()), ("nb", GaussianNB())])
    >>> fusion.fit(X, y).weights_.tolist()
    [0.5, 0.5]
    >>> fusion.predict_proba(X[:2]).shape
    (2, 2)
    >>> fusion = FusionClassifier([("lr", LogisticRegression()), ("nb", GaussianNB())],
    ...                           weights="cv", random_state=0).fit(X, y, groups=speakers)
    >>> float(fusion.weights_.sum()), len(fusion.cv_results_["weights"])
    (1.0, 11)
    """

    def __init__(
        self, estimators, *, weights=None, rule="mean", cv=3, weight_step=0.1, random_state=None
    ):
        self.estimators = estimators
        self.weights = weights
        self.rule = rule
        self.cv = cv
        self.weight_step = weight_step
        self.random_state = random_state

    def __setstate__(self, state):
        # pickled before ``rule`` existed: it fused by the mean, and keeps doing so
        state.setdefault("rule", "mean")
        super().__setstate__(state)

    # --- parameters of the members (``name__param``), as scikit-learn's VotingClassifier
    def get_params(self, deep=True):
        """Parameters of the fusion and, with ``deep``, of each member (``name__param``)."""
        params = super().get_params(deep=False)
        pairs = isinstance(self.estimators, (list, tuple)) and all(
            isinstance(e, (list, tuple)) and len(e) == 2 for e in self.estimators
        )
        if deep and pairs:
            for name, est in self.estimators:
                params[name] = est
                if hasattr(est, "get_params"):
                    for key, value in est.get_params(deep=True).items():
                        params[f"{name}__{key}"] = value
        return params

    def set_params(self, **params):
        """Set parameters of the fusion, a whole member (``name=``) or a member's (``name__p=``)."""
        own = {k: v for k, v in params.items() if "__" not in k and k in self._get_param_names()}
        if own:
            super().set_params(**own)
        if not set(params) - set(own):
            return self
        names = [name for name, _ in self.estimators]
        members = dict(self.estimators)
        nested = {}
        for key, value in params.items():
            if key in own:
                continue
            name, _, sub = key.partition("__")
            if name not in members:
                raise ValueError(
                    f"FusionClassifier: invalid parameter {key!r}; the members are {names}"
                )
            if sub:
                nested.setdefault(name, {})[sub] = value
            else:
                members[name] = value
        for name, sub in nested.items():
            members[name].set_params(**sub)
        self.estimators = [(name, members[name]) for name in names]
        return self

    def _check_params(self):
        est = self.estimators
        if (
            not isinstance(est, (list, tuple))
            or not est
            or not all(isinstance(e, (list, tuple)) and len(e) == 2 for e in est)
        ):
            raise ValueError(
                "FusionClassifier: estimators must be a non-empty list of (name, classifier) "
                f"pairs, got {est!r}"
            )
        names = [name for name, _ in est]
        if len(set(names)) != len(names) or not all(isinstance(n, str) and n for n in names):
            raise ValueError(f"FusionClassifier: member names must be unique strings, got {names}")
        bad = [n for n in names if "__" in n or n in self._get_param_names()]
        if bad:
            raise ValueError(
                f"FusionClassifier: member names {bad} clash with parameter names or contain '__'"
            )
        for name, member in est:
            if not hasattr(member, "predict_proba"):
                raise ValueError(
                    f"FusionClassifier: member {name!r} ({type(member).__name__}) has no "
                    "predict_proba to fuse"
                )
        if not isinstance(self.rule, str) or self.rule not in RULES:
            raise ValueError(
                f"FusionClassifier: rule must be one of {list(RULES)}, got {self.rule!r}"
            )
        w = self.weights
        if isinstance(w, str):
            if w != "cv":
                raise ValueError(
                    f"FusionClassifier: weights must be None, 'cv' or an array, got {w!r}"
                )
            check_scalar_param("FusionClassifier", "cv", self.cv, "int", low=2)
            step = self.weight_step
            if not (
                isinstance(step, numbers.Real)
                and 0 < step <= 0.5
                and abs(round(1 / step) * step - 1) < 1e-9
            ):
                raise ValueError(
                    "FusionClassifier: weight_step must divide 1 into whole steps "
                    f"(0.5, 0.25, 0.1, ...), got {step!r}"
                )
        elif w is not None:
            arr = np.asarray(w, dtype=float) if not isinstance(w, dict) else None
            if (
                arr is None
                or arr.shape != (len(est),)
                or not np.all(np.isfinite(arr))
                or np.any(arr < 0)
                or arr.sum() <= 0
            ):
                raise ValueError(
                    f"FusionClassifier: weights must be {len(est)} non-negative numbers, not "
                    f"all zero, one per member {names}; got {w!r}"
                )

    @staticmethod
    def _fit_member(member, X, y, groups):
        if groups is not None and accepts_groups(member.fit):
            return member.fit(X, y, groups=groups)
        return member.fit(X, y)

    @staticmethod
    def _member_proba(member, X, groups, classes):
        if groups is not None and accepts_groups(member.predict_proba):
            proba = member.predict_proba(X, groups=groups)
        else:
            proba = member.predict_proba(X)
        out = np.zeros((len(proba), len(classes)))
        cols = np.searchsorted(classes, member.classes_)
        out[:, cols] = proba
        return out

    def fit(self, X, y, groups=None):
        """Fit every member (and, for ``weights="cv"``, choose the weights first).

        Parameters
        ----------
        X : array-like
            Input every member takes (waveforms or file paths for SER branches).
        y : array-like of shape (n_clips,)
            Labels.
        groups : array-like of shape (n_clips,), default=None
            Speaker of each clip, passed to the members that take it; required for
            ``weights="cv"``.

        Returns
        -------
        self
        """
        self._check_params()
        if y is None:
            raise ValueError("FusionClassifier requires y to be passed, but the target y is None")
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        n = len(y)
        if groups is not None:
            groups = check_groups(groups, n, name="FusionClassifier")
        self.classes_ = np.unique(y)
        members = [clone(est) for _, est in self.estimators]
        self.cv_results_ = None
        if isinstance(self.weights, str):
            if groups is None:
                raise ValueError(
                    "FusionClassifier: weights='cv' chooses the weights on held-out speakers, "
                    "so fit needs the speaker of each clip: fit(X, y, groups=speakers)"
                )
            self.weights_ = self._cv_weights(members, X, y, groups)
        elif self.weights is None:
            self.weights_ = np.full(len(members), 1.0 / len(members))
        else:
            w = np.asarray(self.weights, dtype=float)
            self.weights_ = w / w.sum()
        self.estimators_ = [self._fit_member(m, X, y, groups) for m in members]
        self.named_estimators_ = {
            name: m for (name, _), m in zip(self.estimators, self.estimators_, strict=True)
        }
        if hasattr(X, "shape") and len(X.shape) == 2:
            self.n_features_in_ = X.shape[1]
        return self

    def _cv_weights(self, members, X, y, groups):
        from sklearn.utils import _safe_indexing

        splitter = StratifiedGroupKFold(self.cv, shuffle=True, random_state=self.random_state)
        if len(np.unique(groups)) < self.cv:
            raise ValueError(
                f"FusionClassifier: weights='cv' with cv={self.cv} needs at least {self.cv} "
                f"speakers, got {len(np.unique(groups))}"
            )
        oof = np.zeros((len(members), len(y), len(self.classes_)))
        splits = []
        for train, test in splitter.split(np.zeros(len(y)), y, groups):
            splits.append(sorted(map(str, np.unique(groups[test]))))
            Xtr, Xte = _safe_indexing(X, train), _safe_indexing(X, test)
            for k, member in enumerate(members):
                fitted = self._fit_member(clone(member), Xtr, y[train], groups[train])
                oof[k, test] = self._member_proba(fitted, Xte, groups[test], self.classes_)
        candidates = _simplex(len(members), self.weight_step)
        uars = [
            balanced_accuracy_score(
                y, self.classes_[np.argmax(fuse_probabilities(oof, w, rule=self.rule), axis=1)]
            )
            for w in candidates
        ]
        equal = np.full(len(members), 1.0 / len(members))
        best = max(
            range(len(candidates)),
            key=lambda i: (round(uars[i], 12), -np.abs(candidates[i] - equal).sum()),
        )
        self.cv_results_ = {
            "weights": [c.tolist() for c in candidates],
            "uar": [float(u) for u in uars],
            "member_uar": {
                name: float(balanced_accuracy_score(y, self.classes_[np.argmax(oof[k], axis=1)]))
                for k, (name, _) in enumerate(self.estimators)
            },
            "splits": splits,
        }
        return candidates[best]

    def member_proba(self, X, groups=None):
        """Each member's probabilities, aligned to :attr:`classes_`.

        Parameters
        ----------
        X : array-like
            Input.
        groups : array-like of shape (n_clips,), default=None
            Speaker of each clip (for speaker-normalised members).

        Returns
        -------
        dict of str to ndarray of shape (n_clips, n_classes)
        """
        check_is_fitted(self, "estimators_")
        if groups is not None:
            groups = check_groups(groups, len(X), name="FusionClassifier")
        return {
            name: self._member_proba(m, X, groups, self.classes_)
            for name, m in self.named_estimators_.items()
        }

    def predict_proba(self, X, groups=None):
        """Fused class probabilities: the weighted mean of the members' (``rule``).

        Parameters
        ----------
        X : array-like
            Input.
        groups : array-like of shape (n_clips,), default=None
            Speaker of each clip (for speaker-normalised members).

        Returns
        -------
        ndarray of shape (n_clips, n_classes)
        """
        return self.fuse(self.member_proba(X, groups))

    def fuse(self, member_probas):
        """The fused probabilities of :meth:`member_proba`'s output (by ``rule``).

        Parameters
        ----------
        member_probas : dict of str to ndarray of shape (n_clips, n_classes)
            As :meth:`member_proba` returns them.

        Returns
        -------
        ndarray of shape (n_clips, n_classes)
        """
        check_is_fitted(self, "weights_")
        probas = [member_probas[name] for name in self.named_estimators_]
        return fuse_probabilities(probas, self.weights_, rule=self.rule)

    def predict(self, X, groups=None):
        """Class with the highest fused probability.

        Parameters
        ----------
        X : array-like
            Input.
        groups : array-like of shape (n_clips,), default=None
            Speaker of each clip (for speaker-normalised members).

        Returns
        -------
        ndarray of shape (n_clips,)
        """
        check_is_fitted(self, "estimators_")
        return self.classes_[np.argmax(self.predict_proba(X, groups), axis=1)]

    def score(self, X, y, sample_weight=None, groups=None):
        """Accuracy on ``(X, y)`` (scikit-learn's classifier default; skser's scorers use UAR).

        Parameters
        ----------
        X : array-like
            Input.
        y : array-like of shape (n_clips,)
            True labels.
        sample_weight : array-like of shape (n_clips,), default=None
            Weights.
        groups : array-like of shape (n_clips,), default=None
            Speaker of each clip (for speaker-normalised members).

        Returns
        -------
        float
        """
        from sklearn.metrics import accuracy_score

        return float(accuracy_score(y, self.predict(X, groups), sample_weight=sample_weight))

    def predict_log_proba(self, X, groups=None):
        """Log of :meth:`predict_proba`."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X, groups))

    def uses_speakers(self, method="predict"):
        """Whether a member reads speaker ids in ``method`` (``"fit"`` or ``"predict"``)."""
        if method == "fit" and self.weights == "cv":
            return True
        return any(uses_speakers(est, method) for _, est in self.estimators)

    def get_metadata_routing(self):
        """Requests ``groups`` in ``fit`` always (members may use them) and in the predict
        methods when a member reads speakers there."""
        request = MetadataRequest(owner=type(self).__name__)
        request.fit.add_request(param="groups", alias=True)
        if self.uses_speakers("predict"):
            for method in ("predict", "predict_proba", "predict_log_proba"):
                getattr(request, method).add_request(param="groups", alias=True)
        return request

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        try:
            inner = [est.__sklearn_tags__().input_tags for _, est in self.estimators]
        except Exception:  # not a list of (name, estimator) yet: fit will say so
            return tags
        if inner:
            tags.input_tags = inner[0]
            tags.input_tags.sparse = all(t.sparse for t in inner)
            tags.input_tags.allow_nan = all(t.allow_nan for t in inner)
        return tags
