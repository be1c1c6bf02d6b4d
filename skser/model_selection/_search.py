"""Grid search with speaker-independent folds and UAR scoring."""

from sklearn.model_selection import GridSearchCV, StratifiedKFold

from ..metrics import get_ser_scorer
from ._splitters import GroupOverlapCheck, SpeakerKFold

__all__ = ["make_grid_search"]


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
    """A ``GridSearchCV`` that scores UAR on speaker-independent folds.

    Fit it with ``search.fit(X, y, groups=groups)``. Grids can swap whole steps of a
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
    sklearn.model_selection.GridSearchCV

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
    if isinstance(cv, int):
        cv = (
            SpeakerKFold(cv, shuffle=True, random_state=random_state)
            if speaker_independent
            else StratifiedKFold(cv, shuffle=True, random_state=random_state)
        )
    elif speaker_independent:
        cv = GroupOverlapCheck(cv)
    if isinstance(scoring, (list, tuple)):
        scoring = {name: get_ser_scorer(name) for name in scoring}
        refit = next(iter(scoring)) if refit is True else refit
    elif isinstance(scoring, dict):
        scoring = {name: get_ser_scorer(s) for name, s in scoring.items()}
        refit = next(iter(scoring)) if refit is True else refit
    else:
        scoring = get_ser_scorer(scoring)
    return GridSearchCV(
        estimator,
        param_grid,
        scoring=scoring,
        cv=cv,
        refit=refit,
        n_jobs=n_jobs,
        verbose=verbose,
        error_score=error_score,
    )
