"""Grid search with speaker-independent folds and UAR scoring, speaker ids routed."""

import numpy as np
from sklearn.model_selection import GridSearchCV
from sklearn.utils.metadata_routing import MetadataRequest
from sklearn.utils.validation import check_is_fitted

from .._routing import GroupsBoundEstimator, accepts_groups, consumes_groups, routing_scope
from ..metrics import get_ser_scorer
from ._splitters import GroupOverlapCheck, make_splitter

__all__ = ["make_grid_search", "SpeakerGridSearchCV", "SpeakerAwareScorer"]


class SpeakerAwareScorer:
    """A scorer that predicts with the test speakers' ids when it is given them.

    Inside a grid search, scikit-learn calls ``scorer(estimator, X_test, y_test)``;
    for a speaker-normalised pipeline the test speakers' ids must reach its
    ``predict``. This scorer requests ``groups`` (metadata routing) and calls the
    wrapped scorer on the estimator with those ids bound to its predictions.

    Parameters
    ----------
    scorer : callable
        ``scorer(estimator, X, y)``, e.g. ``get_ser_scorer("uar")``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skser.features import SpeakerStandardScaler
    >>> from skser.metrics import get_ser_scorer
    >>> from skser.model_selection import SpeakerAwareScorer
    >>> from skser.pipeline import SERPipeline
    >>> X, y = np.arange(24.0).reshape(12, 2), np.tile(["angry", "sad"], 6)
    >>> g = np.repeat(["a", "b"], 6)
    >>> pipe = SERPipeline([("speaker", SpeakerStandardScaler()), ("clf", LogisticRegression())])
    >>> pipe = pipe.fit(X, y, groups=g)
    >>> scorer = SpeakerAwareScorer(get_ser_scorer("uar"))
    >>> 0.0 <= scorer(pipe, X, y, groups=g) <= 1.0  # predicts with each speaker's statistics
    True
    """

    def __init__(self, scorer):
        self.scorer = scorer

    def __call__(self, estimator, X, y_true, groups=None, **kwargs):
        if groups is not None and accepts_groups(getattr(estimator, "predict", None)):
            estimator = GroupsBoundEstimator(estimator, groups)
        return self.scorer(estimator, X, y_true, **kwargs)

    def get_metadata_routing(self):
        """Request ``groups`` for ``score``."""
        request = MetadataRequest(owner=type(self).__name__)
        request.score.add_request(param="groups", alias=True)
        return request

    def __repr__(self):
        return f"SpeakerAwareScorer({self.scorer!r})"


class SpeakerGridSearchCV(GridSearchCV):
    """``GridSearchCV`` whose speaker ids reach the splitter, the candidates and the scorer.

    What :func:`make_grid_search` returns. ``fit(X, y, groups=g)`` switches
    scikit-learn's metadata routing on for that call only, so the inner folds are split
    by speaker, each candidate is fitted with its training speakers' ids and scored
    with its validation speakers' ids (a speaker-normalised candidate is normalised
    per validation speaker, as it will be at test time). ``predict(X, groups=g)`` and
    ``predict_proba`` pass the ids to the refitted best pipeline.

    Passed to :func:`~skser.model_selection.cross_validate_ser`, it is a nested
    evaluation: each outer fold runs the whole search on its training speakers only.

    Parameters
    ----------
    estimator, param_grid, scoring, n_jobs, refit, cv, verbose, pre_dispatch, error_score, return_train_score
        As for ``sklearn.model_selection.GridSearchCV`` (:func:`make_grid_search` sets
        them: UAR scoring with :class:`SpeakerAwareScorer`, folds checked by
        :class:`GroupOverlapCheck`).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skser.features import SpeakerStandardScaler
    >>> from skser.model_selection import make_grid_search
    >>> from skser.pipeline import SERPipeline
    >>> rng = np.random.default_rng(0)
    >>> g = np.repeat(["a", "b", "c", "d"], 10)
    >>> y = np.tile(["angry", "sad"], 20)
    >>> X = rng.normal(size=(40, 2)) + (y == "angry")[:, None] + (g == "a")[:, None] * 9
    >>> pipe = SERPipeline([("speaker", SpeakerStandardScaler()), ("clf", LogisticRegression())])
    >>> grid = {"speaker": ["passthrough", SpeakerStandardScaler()]}
    >>> search = make_grid_search(pipe, grid, cv=2, random_state=0).fit(X, y, groups=g)
    >>> type(search).__name__, search.predict(X[:4], groups=g[:4]).shape
    ('SpeakerGridSearchCV', (4,))
    """

    def fit(self, X, y=None, groups=None, **params):
        """Run the search; see ``GridSearchCV.fit``.

        Parameters
        ----------
        X : array-like
            File paths or waveforms.
        y : array-like of shape (n_clips,)
            Labels.
        groups : array-like of shape (n_clips,), default=None
            Speaker of each clip (needed by speaker-grouped folds).
        **params : dict
            Other metadata, as for ``GridSearchCV.fit``.

        Returns
        -------
        self
        """
        if groups is None:
            return super().fit(X, y, **params)
        with routing_scope():
            return super().fit(X, y, groups=np.asarray(groups), **params)

    def _best_call(self, method, X, groups):
        check_is_fitted(self, "best_estimator_")
        fn = getattr(self.best_estimator_, method)
        if groups is not None and accepts_groups(fn):
            return fn(X, groups=groups)
        return fn(X)

    def predict(self, X, groups=None):
        """Labels from the refitted best candidate (``groups``: speaker of each clip).

        Parameters
        ----------
        X : array-like
            File paths or waveforms.
        groups : array-like of shape (n_clips,), default=None
            Speaker of each clip.

        Returns
        -------
        ndarray of shape (n_clips,)
        """
        return self._best_call("predict", X, groups)

    def predict_proba(self, X, groups=None):
        """Class probabilities from the refitted best candidate.

        Parameters
        ----------
        X : array-like
            File paths or waveforms.
        groups : array-like of shape (n_clips,), default=None
            Speaker of each clip.

        Returns
        -------
        ndarray of shape (n_clips, n_classes)
        """
        return self._best_call("predict_proba", X, groups)

    @property
    def n_features_in_(self):
        """Number of features (columns or bands) the search was fitted on."""
        return super().n_features_in_

    def uses_speakers(self, method="predict"):
        """Whether the refitted best candidate (else the template) reads speaker ids."""
        est = getattr(self, "best_estimator_", self.estimator)
        if hasattr(est, "uses_speakers"):
            return est.uses_speakers(method)
        return consumes_groups(est, method)


def make_grid_search(
    estimator,
    param_grid,
    *,
    cv=5,
    scoring="uar",
    refit=True,
    speaker_independent=True,
    random_state=None,
    n_jobs=None,
    verbose=0,
    error_score="raise",
):
    """A grid search that scores UAR on speaker-independent folds.

    Fit it with ``search.fit(X, y, groups=groups)``; the speaker ids also reach the
    steps that use them (:class:`SpeakerGridSearchCV`). For an honest estimate of the
    tuned model, give the search to :func:`~skser.model_selection.cross_validate_ser`
    (nested selection): its ``best_score_`` chose the winner and is optimistic. Grids can swap whole steps of a
    :func:`~skser.pipeline.make_ser_pipeline` pipeline, e.g.
    ``{"features": [LogMelSpectrogram(), MFCC()], "clf": [CNNClassifier(), CRNNClassifier()]}``,
    and reach their parameters (``"clf__dropout"``). Build the pipeline with
    ``memory=`` so that each fold's audio is decoded and each feature type computed
    once, not once per candidate.

    Parameters
    ----------
    estimator : estimator
        The pipeline to tune.
    param_grid : dict or list of dicts
        As for ``GridSearchCV``.
    cv : int or splitter, default=5
        Number of :class:`SpeakerKFold` folds, or a splitter; any splitter is wrapped
        so that a fold sharing a speaker between training and test data raises
        :class:`~skser.exceptions.LeakageError`.
    scoring : str, callable, list or dict, default="uar"
        ``"uar"``, ``"wa"``, ``"macro_f1"``, any scikit-learn scorer name or
        callable; a list or dict gives several metrics (then ``refit`` names one).
    refit : bool or str, default=True
        Refit the best candidate on all the data (with several metrics: the name of
        the metric that picks it; True means the first).
    speaker_independent : bool, default=True
        False allows ``cv`` as an int without groups (stratified random folds): not a
        speaker-independent evaluation.
    random_state : int or None, default=None
        Seed of the fold assignment when ``cv`` is an int.
    n_jobs : int or None, default=None
        Candidates fitted in parallel (keep None with Keras models).
    verbose : int, default=0
        ``GridSearchCV`` verbosity.
    error_score : "raise" or float, default="raise"
        As for ``GridSearchCV``: by default a failing candidate stops the search.

    Returns
    -------
    SpeakerGridSearchCV

    Examples
    --------
    >>> import tempfile
    >>> from skser.datasets import make_synthetic_speech
    >>> corpus = make_synthetic_speech(n_actors=4, emotions=["angry", "sad"],
    ...                                n_clips_per_emotion=4, duration=0.5,
    ...                                random_state=0, out_dir=tempfile.mkdtemp())
    >>> from skser.model_selection import make_grid_search
    >>> from skser.pipeline import make_ser_pipeline
    >>> pipe = make_ser_pipeline("pooled", "logreg", random_state=0)
    >>> search = make_grid_search(pipe, {"clf__C": [0.1, 1.0]}, cv=2, random_state=0)
    >>> search = search.fit(corpus.filenames, corpus.target, groups=corpus.groups)
    >>> sorted(search.best_params_)
    ['clf__C']
    >>> search.cv_results_["mean_test_score"].shape  # UAR of each candidate
    (2,)
    """
    cv = make_splitter(cv, speaker_independent=speaker_independent, random_state=random_state)
    if speaker_independent:
        cv = GroupOverlapCheck(cv)  # checks every inner fold and records it (splits_)
    if isinstance(scoring, (list, tuple)):
        scoring = {name: SpeakerAwareScorer(get_ser_scorer(name)) for name in scoring}
        refit = next(iter(scoring)) if refit is True else refit
    elif isinstance(scoring, dict):
        scoring = {name: SpeakerAwareScorer(get_ser_scorer(s)) for name, s in scoring.items()}
        refit = next(iter(scoring)) if refit is True else refit
    else:
        scoring = SpeakerAwareScorer(get_ser_scorer(scoring))
    return SpeakerGridSearchCV(
        estimator,
        param_grid,
        scoring=scoring,
        cv=cv,
        refit=refit,
        n_jobs=n_jobs,
        verbose=verbose,
        error_score=error_score,
    )
