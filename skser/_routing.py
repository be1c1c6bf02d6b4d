"""Speaker ids (``groups``) through fit and predict: scikit-learn metadata routing, scoped.

scikit-learn routes metadata such as ``groups`` to the steps that request it only while
``enable_metadata_routing`` is on, a global setting. skser never switches it on for the
process: its entry points (:class:`SERPipeline`, the grid search of
:func:`~skser.model_selection.make_grid_search`, :func:`~skser.model_selection.cross_validate_ser`)
switch it on only for the duration of one call (``sklearn.config_context``, which is
thread-local), and only when ``groups`` are given.
"""

import inspect

import sklearn
from imblearn.pipeline import Pipeline
from sklearn.utils import _safe_indexing
from sklearn.utils.metadata_routing import get_routing_for_object
from sklearn.utils.validation import _num_samples

from ._chunked import fit_chunked, predict_chunked
from ._groups import check_groups
from ._validation import check_scalar_param

__all__ = [
    "SERPipeline",
    "routing_scope",
    "consumes_groups",
    "uses_speakers",
    "accepts_groups",
    "GroupsBoundEstimator",
]


def routing_scope():
    """Metadata routing on for the enclosed block only (thread-local)."""
    return sklearn.config_context(enable_metadata_routing=True)


def consumes_groups(estimator, method="fit"):
    """Whether ``estimator`` (or a step inside it) requests ``groups`` for ``method``.

    Parameters
    ----------
    estimator : estimator
        Any scikit-learn estimator, pipeline or meta-estimator.
    method : str, default="fit"
        ``"fit"``, ``"transform"``, ``"predict"``, ``"predict_proba"``, ...

    Returns
    -------
    bool
    """
    if isinstance(estimator, str) or estimator is None:
        return False
    with routing_scope():
        try:
            routing = get_routing_for_object(estimator)
            return bool(routing.consumes(method=method, params=["groups"]))
        except Exception:  # an object without routing support consumes nothing
            return False


def uses_speakers(model, method="predict"):
    """Whether ``model`` reads speaker ids in ``method``: its own ``uses_speakers`` (a
    :class:`SERPipeline`, a speaker-aware search), else its metadata requests. Pass the
    ids inside :func:`routing_scope` when it does."""
    if hasattr(model, "uses_speakers"):
        return bool(model.uses_speakers(method))
    return consumes_groups(model, method)


def accepts_groups(method):
    """Whether a bound method takes a ``groups`` argument."""
    try:
        return "groups" in inspect.signature(method).parameters
    except (TypeError, ValueError):  # pragma: no cover - builtins
        return False


class GroupsBoundEstimator:
    """A fitted estimator with the speaker ids of one call bound to its predictions.

    Scorers call ``estimator.predict(X)``; this proxy calls
    ``estimator.predict(X, groups=groups)`` instead, so any scikit-learn scorer scores
    a speaker-normalised model on its test speakers' own statistics.
    """

    def __init__(self, estimator, groups):
        self.estimator = estimator
        self.groups = groups

    def _bound(self, name):
        method = getattr(self.estimator, name)

        def call(X, *args, **kwargs):
            return method(X, *args, groups=self.groups, **kwargs)

        call.__name__ = name  # scikit-learn's scorers look the method up by this name
        return call

    def __getattr__(self, name):
        if name in ("predict", "predict_proba", "predict_log_proba", "decision_function"):
            return self._bound(name)
        return getattr(self.estimator, name)

    def __sklearn_tags__(self):
        return self.estimator.__sklearn_tags__()


def _reindex_params(params, n_before, indices, owner):
    """Follow resampling: index every per-clip value of routed ``params`` by ``indices``."""
    seen = set()  # one dict may serve several methods: index it once
    for step_params in params.values():
        for method_params in step_params.values():
            if id(method_params) in seen:
                continue
            seen.add(id(method_params))
            for key, value in list(method_params.items()):
                try:
                    per_clip = _num_samples(value) == n_before
                except TypeError:
                    per_clip = False
                if not per_clip:
                    continue
                if indices is None:
                    raise ValueError(
                        f"SERPipeline: the sampler {owner} changes the clips but does not say "
                        f"which input clip each output row comes from (no sample_indices_), so "
                        f"{key!r} cannot follow it to the later steps that need it; use a "
                        "sampler that records sample_indices_ (RandomOverSampler, "
                        "RandomUnderSampler, AudioAugmenter)"
                    )
                method_params[key] = _safe_indexing(value, indices)


class SERPipeline(Pipeline):
    """An imbalanced-learn ``Pipeline`` that carries speaker ids to the steps that use them.

    What :func:`~skser.pipeline.make_ser_pipeline` returns. Without ``groups`` it is
    exactly imbalanced-learn's ``Pipeline``. With ``groups``:

    - ``fit(X, y, groups=g)``, ``predict(X, groups=g)``, ``predict_proba(X, groups=g)``,
      ``score(X, y, groups=g)`` pass the speaker ids to every step that requests them
      (scikit-learn metadata routing, switched on for that call only; you need not call
      ``sklearn.set_config``);
    - the ids follow the samplers: after oversampling or augmentation, each copy of a
      clip keeps its speaker (read from the sampler's ``sample_indices_``);
    - if no step requests ``groups`` they are checked and then ignored: the pipeline
      behaves as without them (see :meth:`uses_speakers`).

    A step requests ``groups`` either by default (:class:`~skser.features.SpeakerStandardScaler`,
    skser's Keras classifiers for early stopping on held-out speakers) or when you ask
    (``step.set_fit_request(groups=True)`` inside ``sklearn.config_context(
    enable_metadata_routing=True)``).

    Parameters
    ----------
    steps, memory, verbose, transform_input
        As for ``imblearn.pipeline.Pipeline``.
    chunk_size : int or None, default=None
        Fit and predict on at most this many clips at a time, so that the waveforms
        of a corpus larger than memory are never all loaded: the steps before the
        classifier run chunk by chunk and only the classifier's input (one row of
        features per clip) is held whole. The steps' statistics are then learnt from
        ``chunk_size`` training clips spread over the training set, the augmenter
        draws a seed per chunk, ``memory`` is not used, and speaker normalisation is
        refused (it needs all clips of a speaker at once). None (and any input of at
        most ``chunk_size`` clips): everything at once, as imbalanced-learn does. See
        the guide page "Scaling out" for the memory cost.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skser.features import SpeakerStandardScaler
    >>> from skser.pipeline import SERPipeline
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.normal(size=(40, 3)), np.repeat(["angry", "sad"], 20)
    >>> speakers = np.tile(["s1", "s2", "s3", "s4"], 10)
    >>> pipe = SERPipeline([("speaker", SpeakerStandardScaler()),
    ...                     ("clf", LogisticRegression())])
    >>> pipe.uses_speakers()
    True
    >>> pipe = pipe.fit(X, y, groups=speakers)
    >>> pipe.predict(X[:8], groups=speakers[:8]).shape
    (8,)
    """

    # The pipeline itself accepts ``groups`` in every method (and ignores them when no step
    # reads them), so a meta-estimator routes them to it whatever its steps are: a grid
    # that swaps a speaker-aware step in still gets the ids through to that candidate.
    __metadata_request__fit = {"groups": True}
    __metadata_request__predict = {"groups": True}
    __metadata_request__predict_proba = {"groups": True}
    __metadata_request__predict_log_proba = {"groups": True}
    __metadata_request__score = {"groups": True}

    def __init__(self, steps, *, transform_input=None, memory=None, verbose=False, chunk_size=None):
        super().__init__(steps, transform_input=transform_input, memory=memory, verbose=verbose)
        self.chunk_size = chunk_size

    def __setstate__(self, state):
        state.setdefault("chunk_size", None)  # pipelines pickled before chunk_size existed
        super().__setstate__(state)

    def _chunked(self, X):
        """Whether this call runs in chunks (``chunk_size`` set and exceeded)."""
        k = self.chunk_size
        if k is None:
            return False
        check_scalar_param(type(self).__name__, "chunk_size", k, "int", low=1)
        return _num_samples(X) > k

    def get_metadata_routing(self):
        """The steps' requests (as imbalanced-learn's ``Pipeline``) plus the pipeline's own."""
        router = super().get_metadata_routing()
        router.add_self_request(self)
        return router

    def uses_speakers(self, method="predict"):
        """Whether a step reads speaker ids in ``method`` (``"fit"`` or ``"predict"``).

        Parameters
        ----------
        method : str, default="predict"
            Pipeline method.

        Returns
        -------
        bool
        """
        with routing_scope():
            steps = Pipeline.get_metadata_routing(self)
            return bool(steps.consumes(method=method, params=["groups"]))

    def _check_groups(self, X, groups):
        return check_groups(groups, _num_samples(X), name=type(self).__name__)

    def _fit(self, X, y=None, routed_params=None, raw_params=None):
        if not (raw_params and sklearn.get_config()["enable_metadata_routing"]):
            return super()._fit(X, y, routed_params, raw_params)  # no routed metadata
        # The parent's loop, with per-clip metadata re-indexed after each sampler.
        self.steps = list(self.steps)
        self._validate_steps()
        Xt, yt = X, y
        for idx, (name, step) in enumerate(self.steps[:-1]):
            if step is None or step == "passthrough":
                continue
            # One step at a time through the parent's own loop (caching, cloning and
            # logging unchanged), so the ids can be re-indexed between steps.
            single = SERPipeline([(name, step), ("_end", "passthrough")], memory=self.memory)
            sub_params = type(routed_params)(**{name: routed_params[name], "_end": {}})
            n_before = _num_samples(Xt)
            Xt, yt = Pipeline._fit(single, Xt, yt, sub_params, raw_params)
            fitted = single.steps[0][1]
            self.steps[idx] = (name, fitted)
            if hasattr(fitted, "fit_resample") and not hasattr(fitted, "transform"):
                later = {
                    n: routed_params[n] for n, _ in self.steps[idx + 1 :] if n in routed_params
                }
                _reindex_params(
                    later,
                    n_before,
                    getattr(fitted, "sample_indices_", None),
                    f"{name!r} ({type(fitted).__name__})",
                )
        return Xt, yt

    def _with_groups(self, method, X, groups, call):
        if groups is None:
            return call({})
        groups = self._check_groups(X, groups)
        if not self.uses_speakers(method):
            return call({})  # no speaker-aware step: the ids change nothing
        with routing_scope():
            return call({"groups": groups})

    def fit(self, X, y=None, groups=None, **params):
        """Fit the steps; ``groups`` (speaker ids) reach the steps that request them.

        Parameters
        ----------
        X : array-like of shape (n_clips,) or (n_clips, n_samples)
            File paths or waveforms.
        y : array-like of shape (n_clips,)
            Labels.
        groups : array-like of shape (n_clips,), default=None
            Speaker of each clip. Required when a step reads speakers at fit.
        **params : dict
            As for ``Pipeline.fit``.

        Returns
        -------
        self
        """
        if groups is None and self.uses_speakers("fit") and self._needs_groups_at_fit():
            raise ValueError(
                "SERPipeline: this pipeline normalises features per speaker, so fit needs the "
                "speaker of each clip: pipe.fit(X, y, groups=speakers)"
            )

        if self._chunked(X):
            if params:
                raise ValueError(
                    f"SERPipeline(chunk_size={self.chunk_size}): a chunked fit takes no fit "
                    f"parameters; got {sorted(params)}"
                )
            if groups is not None:
                groups = self._check_groups(X, groups)
            return fit_chunked(self, X, y, groups)
        sup = super()
        return self._with_groups("fit", X, groups, lambda e: sup.fit(X, y, **e, **params))

    def _needs_groups_at_fit(self):
        from .features import SpeakerStandardScaler

        return any(isinstance(step, SpeakerStandardScaler) for _, step in self.steps)

    def predict(self, X, groups=None, **params):
        """Predict labels; ``groups`` set each test speaker's normalisation.

        Parameters
        ----------
        X : array-like
            File paths or waveforms.
        groups : array-like of shape (n_clips,), default=None
            Speaker of each clip (needed by speaker-normalised models; without them
            they warn and use global statistics).
        **params : dict
            As for ``Pipeline.predict``.

        Returns
        -------
        ndarray of shape (n_clips,)
        """
        if self._chunked(X):
            return predict_chunked(self, "predict", X, groups, **params)
        sup = super()
        return self._with_groups("predict", X, groups, lambda e: sup.predict(X, **e, **params))

    def predict_proba(self, X, groups=None, **params):
        """Class probabilities; ``groups`` as for :meth:`predict`.

        Parameters
        ----------
        X : array-like
            File paths or waveforms.
        groups : array-like of shape (n_clips,), default=None
            Speaker of each clip.
        **params : dict
            As for ``Pipeline.predict_proba``.

        Returns
        -------
        ndarray of shape (n_clips, n_classes)
        """
        if self._chunked(X):
            return predict_chunked(self, "predict_proba", X, groups, **params)
        sup = super()
        return self._with_groups(
            "predict_proba", X, groups, lambda e: sup.predict_proba(X, **e, **params)
        )

    def predict_log_proba(self, X, groups=None, **params):
        """Log of :meth:`predict_proba`.

        Parameters
        ----------
        X : array-like
            File paths or waveforms.
        groups : array-like of shape (n_clips,), default=None
            Speaker of each clip.
        **params : dict
            As for ``Pipeline.predict_log_proba``.

        Returns
        -------
        ndarray of shape (n_clips, n_classes)
        """
        if self._chunked(X):
            return predict_chunked(self, "predict_log_proba", X, groups, **params)
        sup = super()
        return self._with_groups(
            "predict_log_proba", X, groups, lambda e: sup.predict_log_proba(X, **e, **params)
        )

    def score(self, X, y=None, sample_weight=None, groups=None, **params):
        """Accuracy of :meth:`predict` on ``(X, y)``.

        Parameters
        ----------
        X : array-like
            File paths or waveforms.
        y : array-like of shape (n_clips,)
            True labels.
        sample_weight : array-like, default=None
            Weights.
        groups : array-like of shape (n_clips,), default=None
            Speaker of each clip.
        **params : dict
            Ignored unless metadata routing is on.

        Returns
        -------
        float
        """
        from sklearn.metrics import accuracy_score

        return float(accuracy_score(y, self.predict(X, groups=groups), sample_weight=sample_weight))
