"""Speaker-independent cross-validation with per-fold results written as they finish."""

import hashlib
import json
import logging
import os
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.utils import _safe_indexing

from .._atomic import atomic_write_json, atomic_write_text
from .._groups import SPEAKER_NORMALISED_PROTOCOL, check_groups
from .._routing import consumes_groups, routing_scope, uses_speakers
from ..exceptions import AudioFileError, AudioLoadError
from ..metrics import scores_by_attribute, ser_report
from ._dask import bound_tensorflow_threads
from ._splitters import check_group_overlap, make_splitter

logger = logging.getLogger(__name__)

__all__ = ["cross_validate_ser", "CVResult"]

_METRICS = ("uar", "wa", "macro_f1")
NOT_SPEAKER_INDEPENDENT = (
    "NOT speaker-independent: the same speakers appear in training and test folds, so "
    "these scores overestimate accuracy on new speakers"
)


def uar_headline(summary):
    """``"UAR 0.634 ± 0.083"``: the headline number of a cross-validation summary."""
    return f"UAR {summary['uar_mean']:.3f} ± {summary['uar_std']:.3f}"


def summary_lines(summary):
    """The lines that report a cross-validation summary (:attr:`CVResult.summary`):
    ``str(CVResult)``, the ``skser`` command line and its report all print these.

    Examples
    --------
    >>> s = {"protocol": "speaker-independent", "uar_mean": 0.6, "uar_std": 0.05,
    ...      "wa_mean": 0.62, "wa_std": 0.04, "macro_f1_mean": 0.6, "macro_f1_std": 0.05,
    ...      "n_folds": 6, "chance_uar": 0.125,
    ...      "pooled": {"per_class_recall": {"angry": 0.8, "sad": 0.4}}}
    >>> print("\\n".join(summary_lines(s)))
    protocol: speaker-independent
    UAR 0.600 ± 0.050   WA 0.620 ± 0.040   macro-F1 0.600 ± 0.050   (6 folds, chance UAR 0.125)
    recall: angry 0.80, sad 0.40
    """
    s = summary
    lines = [f"protocol: {s['protocol']}"]
    if s.get("warning"):
        lines.append(f"WARNING: {s['warning']}")
    lines.append(
        f"{uar_headline(s)}   WA {s['wa_mean']:.3f} ± {s['wa_std']:.3f}   macro-F1 "
        f"{s['macro_f1_mean']:.3f} ± {s['macro_f1_std']:.3f}   ({s['n_folds']} folds, "
        f"chance UAR {s['chance_uar']:.3f})"
    )
    if s.get("selection"):
        lines.append(describe_selection(s["selection"]))
    if s.get("members"):
        lines.append(
            "fusion members alone: "
            + ", ".join(
                f"{name} UAR {m['uar_mean']:.3f} (weight {np.mean(m['weight_per_fold']):.2f})"
                for name, m in s["members"].items()
            )
        )
    recall = s["pooled"]["per_class_recall"]
    lines.append("recall: " + ", ".join(f"{k} {v:.2f}" for k, v in recall.items()))
    for name, values in s.get("by_attribute", {}).items():
        lines.append(
            f"by {name}: "
            + ", ".join(f"{k} UAR {v['uar']:.3f} (n={v['n_clips']})" for k, v in values.items())
        )
    return lines


@dataclass
class CVResult:
    """Result of :func:`cross_validate_ser`.

    Parameters
    ----------
    folds : list of dict
        Per fold: ``fold``, ``uar``, ``wa``, ``macro_f1``, ``per_class_recall``,
        ``confusion_matrix``, ``test_groups``, ``fit_seconds``, ``predict_seconds``,
        ``n_train``/``n_test``, ``histories`` (the ``history_`` of every network in the
        model, by member name: :func:`keras_histories`) and ``history`` (the first).
    summary : dict
        ``protocol``, mean and std over folds of each metric (``uar_mean``...),
        ``pooled`` (the report of all out-of-fold predictions together: UAR, WA,
        per-class recall, summed confusion matrix) and ``by_attribute``.
    predictions : pandas.DataFrame
        One row per clip: ``index`` (row of X), ``fold``, ``group``, ``y_true``,
        ``y_pred`` and any attributes.

    Examples
    --------
    >>> import tempfile
    >>> from skser.datasets import make_synthetic_speech
    >>> corpus = make_synthetic_speech(n_actors=4, emotions=["angry", "sad"],
    ...                                n_clips_per_emotion=4, duration=0.5,
    ...                                random_state=0, out_dir=tempfile.mkdtemp())
    >>> from skser.model_selection import cross_validate_ser
    >>> from skser.pipeline import make_ser_pipeline
    >>> result = cross_validate_ser(make_ser_pipeline("pooled", "logreg", random_state=0),
    ...                             corpus.filenames, corpus.target, corpus.groups, cv=2,
    ...                             random_state=0)
    >>> print(result.protocol)
    speaker-independent SpeakerKFold(n_splits=2, random_state=0, shuffle=True); ...
    >>> len(result.folds), sorted(result.predictions.columns)[:3]
    (2, ['fold', 'group', 'index'])
    >>> 0.0 <= result.summary["uar_mean"] <= 1.0
    True
    """

    folds: list
    summary: dict
    predictions: object = field(repr=False)

    @property
    def protocol(self):
        """How the folds were made (says so when they are not speaker-independent)."""
        return self.summary["protocol"]

    @property
    def labels(self):
        """Class order of the confusion matrix."""
        return self.summary["pooled"]["labels"]

    @property
    def confusion_matrix(self):
        """Confusion matrix summed over folds (rows: true, columns: predicted)."""
        return np.asarray(self.summary["pooled"]["confusion_matrix"])

    def to_frame(self):
        """Per-fold metrics as a pandas DataFrame (one row per fold)."""
        import pandas as pd

        cols = ["fold", *_METRICS, "n_train", "n_test", "fit_seconds", "predict_seconds"]
        return pd.DataFrame([{c: f[c] for c in cols} for f in self.folds]).set_index("fold")

    def __str__(self):
        return "\n".join(summary_lines(self.summary))


def describe_selection(selection):
    """One line for people: the selection score beside the nested score, and the gap."""
    return (
        f"selection score (inner best UAR, which chose the candidates; optimistic) "
        f"{selection['inner_best_score_mean']:.3f}; nested UAR "
        f"{selection['nested_uar_mean']:.3f}; gap {selection['gap']:+.3f}"
    )


def _as_attributes(attributes, n):
    if attributes is None:
        return {}
    if hasattr(attributes, "columns"):  # DataFrame
        attributes = {c: attributes[c].to_numpy() for c in attributes.columns}
    out = {}
    for name, values in dict(attributes).items():
        values = np.asarray(values)
        if values.shape != (n,):
            raise ValueError(
                f"attributes[{name!r}] must have one value per clip ({n}), got shape {values.shape}"
            )
        out[str(name)] = values
    return out


def keras_histories(estimator, name="clf"):
    """Training history of every network inside a fitted estimator, by member name.

    Walks pipelines (their last step), :class:`~skser.models.FusionClassifier` branches
    (``deep/...``) and :class:`~skser.models.SeedEnsembleClassifier` members
    (``.../0``, ``.../1`` ...); a model without networks gives ``{}``.

    Parameters
    ----------
    estimator : estimator
        A fitted pipeline or classifier.
    name : str, default="clf"
        Name given to the network when ``estimator`` itself is one.

    Returns
    -------
    dict of str to dict
        ``{member name: {"loss": [...], ...}}`` in the order of the members.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> keras_histories(LogisticRegression())
    {}
    """
    if hasattr(estimator, "steps"):
        return keras_histories(estimator.steps[-1][1], name)
    named = getattr(estimator, "named_estimators_", None)
    if isinstance(named, dict):
        out = {}
        for member, est in named.items():
            out.update(keras_histories(est, member))
        return out
    members = getattr(estimator, "estimators_", None)
    if isinstance(members, list) and members and hasattr(members[0], "history_"):
        out = {}
        for k, est in enumerate(members):
            out.update(keras_histories(est, f"{name}/{k}"))
        return out
    history = getattr(estimator, "history_", None)
    return {name: dict(history)} if isinstance(history, dict) and history else {}


def _fit_predict(model, X_train, y_train, X_test, g_train, g_test):
    """Fit and predict, giving speaker ids to a model that reads them (timed)."""
    t0 = time.perf_counter()
    if g_train is not None and consumes_groups(model, "fit"):
        with routing_scope():
            model.fit(X_train, y_train, groups=g_train)
    else:
        model.fit(X_train, y_train)
    t1 = time.perf_counter()
    speaker_normalised = g_test is not None and uses_speakers(model, "predict")
    members = _member_probas(model, X_test, g_test if speaker_normalised else None)
    if members is not None:  # a fusion: the fused prediction from the same member outputs
        final = model.steps[-1][1] if hasattr(model, "steps") else model
        y_pred = final.classes_[np.argmax(final.fuse(members), axis=1)]
        members = {name: final.classes_[np.argmax(p, axis=1)] for name, p in members.items()}
    elif speaker_normalised:
        with routing_scope():
            y_pred = np.asarray(model.predict(X_test, groups=g_test))
    else:
        y_pred = np.asarray(model.predict(X_test))
    return y_pred, t1 - t0, time.perf_counter() - t1, speaker_normalised, members


def _member_probas(model, X_test, g_test):
    """Each member's test probabilities when the model ends in a fusion (else None).

    The steps before the fusion must not read speaker ids (they are the loader and the
    samplers in skser's fusion pipelines); otherwise None and the plain predict path."""
    final = model.steps[-1][1] if hasattr(model, "steps") else model
    if not (hasattr(final, "member_proba") and hasattr(final, "fuse")):
        return None
    if hasattr(model, "steps"):
        prefix = model[:-1]
        if uses_speakers(prefix, "predict"):
            return None
        X_test = prefix.transform(X_test)
    return final.member_proba(X_test, groups=g_test)


def _selection(model, g_train):
    """What a search inside the fold chose, on which inner speaker folds (or None)."""
    if not hasattr(model, "best_score_"):
        return None
    record = {
        "best_score": float(model.best_score_),
        "best_params": {k: repr(v) for k, v in model.best_params_.items()},
        "n_candidates": len(model.cv_results_["params"]),
    }
    splits = getattr(getattr(model, "cv", None), "splits_", None)
    if splits is not None and g_train is not None:
        record["inner_splits"] = [
            {
                "train_groups": sorted(map(str, np.unique(g_train[tr]))),
                "test_groups": sorted(map(str, np.unique(g_train[te]))),
            }
            for tr, te in splits
        ]
    return record


def _member_scores(model, y_test, members, labels):
    """UAR of each fusion member alone on the fold, the fusion's weights and rule (or None)."""
    if members is None:
        return None
    final = model.steps[-1][1] if hasattr(model, "steps") else model
    return {
        "weights": dict(zip(final.named_estimators_, map(float, final.weights_), strict=True)),
        "rule": getattr(final, "rule", "mean"),
        "uar": {
            name: float(ser_report(y_test, pred, labels=labels)["uar"])
            for name, pred in members.items()
        },
    }


def _run_fold(
    estimator,
    X_train,
    y_train,
    X_test,
    y_test,
    g_train,
    g_test,
    *,
    fold,
    key,
    test,
    labels,
    protocol,
    tf_threads=None,
):
    """Fit a clone of ``estimator`` on one fold and score it: the fold's record.

    Runs where joblib sends it (this process, a worker process, a Dask worker), so it
    takes the fold's data, not the corpus, and returns JSON-ready values; ``worker``
    says where it ran.
    """
    import socket

    if tf_threads is not None:
        bound_tensorflow_threads(tf_threads)
    worker = f"{socket.gethostname()}/{os.getpid()}"
    model = clone(estimator)
    try:
        y_pred, fit_s, predict_s, speaker_normalised, members = _fit_predict(
            model, X_train, y_train, X_test, g_train, g_test
        )
    except AudioLoadError as exc:
        # on a cluster the worker's storage is what failed: say which worker it was
        raise AudioLoadError(f"fold {fold} on worker {worker}: {exc}", exc.failures) from exc
    except AudioFileError as exc:
        raise AudioLoadError(
            f"fold {fold} on worker {worker}: {exc}", [(exc.path, exc.reason)]
        ) from exc
    report = ser_report(y_test, y_pred, labels=labels)
    histories = keras_histories(model)
    return {
        "fold": fold,
        "key": key,
        **{m: report[m] for m in _METRICS},
        "per_class_recall": report["per_class_recall"],
        "confusion_matrix": report["confusion_matrix"],
        "labels": report["labels"],
        "n_train": int(len(y_train)),
        "n_test": int(len(y_test)),
        "test_groups": (sorted(map(str, np.unique(g_test))) if g_test is not None else None),
        "fit_seconds": round(fit_s, 3),
        "predict_seconds": round(predict_s, 3),
        "speaker_normalised": bool(speaker_normalised),
        "selection": _selection(model, g_train),
        "members": _member_scores(model, y_test, members, labels),
        "test_indices": np.asarray(test).tolist(),
        "y_pred": [v.item() if isinstance(v, np.generic) else v for v in y_pred],
        "history": next(iter(histories.values()), None),
        "histories": histories,
        "protocol": protocol,
        "worker": worker,
    }


def _dask_backend_active():
    """Whether joblib's active backend is Dask's (inside :func:`dask_scheduler`)."""
    from joblib.parallel import get_active_backend

    return "Dask" in type(get_active_backend()[0]).__name__


def _worker_tf_threads(n_jobs):
    """TensorFlow threads of each local worker process: its share of the cores (None:
    folds run in this process, or on Dask workers whose environment sets it)."""
    if n_jobs in (None, 1) or _dask_backend_active():
        return None
    cores = os.cpu_count() or 1
    workers = cores if n_jobs < 0 else min(n_jobs, cores)
    return max(1, cores // workers)


def _read_fold_file(path, test):
    """A fold file to resume from, or None (with a warning naming it) when it is damaged:
    the fold is then computed again and the file rewritten."""
    try:
        record = json.loads(path.read_text())
        problem = None
        if not isinstance(record, dict):
            problem = f"a JSON {type(record).__name__}, not an object"
        else:
            missing = [k for k in ("key", "test_indices", "y_pred", *_METRICS) if k not in record]
            if missing:
                problem = f"it lacks {missing}"
            elif list(record["test_indices"]) != np.asarray(test).tolist() or len(
                record["y_pred"]
            ) != len(test):
                problem = "its test clips are not this fold's"
    except (OSError, ValueError, TypeError) as exc:
        problem = f"unreadable ({type(exc).__name__}: {exc})"
    if problem is None:
        return record
    warnings.warn(
        f"resume: {path} is damaged ({problem}); that fold is computed again",
        RuntimeWarning,
        stacklevel=3,
    )
    return None


def _fold_key(estimator, test):
    """Identifies a fold's setting: the estimator's parameters and the test rows."""
    text = repr(estimator.get_params(deep=True)) + json.dumps(np.asarray(test).tolist())
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def cross_validate_ser(
    estimator,
    X,
    y,
    groups=None,
    *,
    cv=5,
    attributes=None,
    out_dir=None,
    resume=False,
    speaker_independent=True,
    random_state=None,
    verbose=0,
    progress=False,
    on_fold=None,
    n_jobs=None,
):
    """Cross-validate an SER model the honest way: speaker-independent folds, UAR first.

    Each fold fits a clone of ``estimator`` on the training rows and predicts the test
    rows. Before fitting, every fold is checked: a speaker (group) in both parts raises
    :class:`~skser.exceptions.LeakageError`. With ``out_dir``, each finished fold is
    written to ``fold_XX.json`` at once (atomically), so a crash or interruption after
    fold k keeps folds 1..k; ``resume=True`` reuses them on the next run.

    Parameters
    ----------
    estimator : estimator
        Typically the pipeline from :func:`~skser.pipeline.make_ser_pipeline`.
    X : array-like of shape (n_clips,) or (n_clips, n_samples)
        File paths or waveforms.
    y : array-like of shape (n_clips,)
        Emotion labels.
    groups : array-like of shape (n_clips,) or None
        Speaker (actor) of each clip. Required unless ``speaker_independent=False``.
        The training speakers' ids also reach the steps of ``estimator`` that read them
        at fit (speaker normalisation, early stopping on held-out speakers, the inner
        folds of a search), and the test speakers' ids reach a speaker-normalised
        model's ``predict``; the protocol then says "speaker-normalised". Give it
        :func:`make_grid_search` for nested selection: each outer fold runs the whole
        search on its training speakers, records the inner folds and the chosen
        candidate (``fold["selection"]``), and the summary shows the inner best score
        beside the nested one (``summary["selection"]``).
    cv : int or splitter, default=5
        Number of :class:`SpeakerKFold` folds, or any splitter (its folds are checked).
    attributes : DataFrame or dict of arrays, optional
        Clip attributes to break the scores down by, e.g. ``bunch.frame[["gender"]]``.
    out_dir : str or Path, optional
        Folder for ``fold_XX.json``, ``summary.json`` and ``predictions.csv``.
    resume : bool, default=False
        Reuse fold files in ``out_dir`` whose estimator parameters and test rows match.
    speaker_independent : bool, default=True
        False opts into folds that ignore speakers (stratified random folds); every
        report then says it is not speaker-independent.
    random_state : int or None, default=None
        Seed of the fold assignment when ``cv`` is an int.
    verbose : int, default=0
        Log one line per fold (logging level INFO).
    progress : bool, default=False
        Show a progress bar over folds (tqdm, on stderr, only when it is a terminal).
    on_fold : callable or None, default=None
        Called as ``on_fold(record, done, total, elapsed_seconds)`` after each fold
        (computed or reused), e.g. to print one progress line into a log file.
    n_jobs : int or None, default=None
        Folds fitted at once, by joblib: None or 1 one after another in this process;
        k > 1 (or -1: one per core) in worker processes, each with TensorFlow bounded
        to its share of the cores; inside :func:`dask_scheduler` (joblib's ``dask``
        backend) on the workers of a Dask cluster. Scores equal those of a run with
        ``n_jobs=None`` and the same ``random_state``; fold files are written as folds
        finish, in whatever order they finish; ``fold["worker"]`` says where each ran.

    Returns
    -------
    CVResult

    Examples
    --------
    >>> import tempfile
    >>> from skser.datasets import make_synthetic_speech
    >>> corpus = make_synthetic_speech(n_actors=4, emotions=["angry", "sad"],
    ...                                n_clips_per_emotion=4, duration=0.5,
    ...                                random_state=0, out_dir=tempfile.mkdtemp())
    >>> from skser.model_selection import cross_validate_ser
    >>> from skser.pipeline import make_ser_pipeline
    >>> pipe = make_ser_pipeline("pooled", "logreg", random_state=0)
    >>> result = cross_validate_ser(pipe, corpus.filenames, corpus.target, corpus.groups, cv=2,
    ...                             attributes=corpus.frame[["gender"]], random_state=0)
    >>> [sorted(set(fold["test_groups"])) for fold in result.folds]  # two actors per fold
    [['02', '03'], ['01', '04']]
    >>> sorted(result.summary["by_attribute"]["gender"])
    ['female', 'male']

    Without speaker groups it refuses, unless you say the result is not
    speaker-independent (then every report says so):

    >>> cross_validate_ser(pipe, corpus.filenames, corpus.target, cv=2)
    Traceback (most recent call last):
    ...
    ValueError: cross_validate_ser needs groups ...
    """
    import pandas as pd

    y = np.asarray(y)
    n = len(y)
    if groups is None and speaker_independent:
        raise ValueError(
            "cross_validate_ser needs groups (the speaker/actor id of each clip) for a "
            "speaker-independent evaluation, e.g. groups=bunch.groups. To evaluate with "
            "speakers shared between training and test folds anyway, pass "
            "speaker_independent=False (the report will say so)."
        )
    groups_arr = None if groups is None else check_groups(groups, n, name="cross_validate_ser")
    if len(X) != n:
        raise ValueError(f"X has {len(X)} clips but y has {n} labels")
    attrs = _as_attributes(attributes, n)

    splitter = make_splitter(cv, speaker_independent=speaker_independent, random_state=random_state)
    protocol = (
        f"speaker-independent {splitter!r}; no speaker is in both the training and the "
        "test data of any fold (checked)"
        if speaker_independent
        else f"{splitter!r}, {NOT_SPEAKER_INDEPENDENT}"
    )
    out = Path(out_dir) if out_dir is not None else None
    labels = [v.item() if isinstance(v, np.generic) else v for v in np.unique(y)]

    folds, rows = [], []
    splits = list(splitter.split(X, y, groups_arr))
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(splits), desc="cross-validation", unit="fold", disable=None)
    started = time.perf_counter()
    tf_threads = _worker_tf_threads(n_jobs)
    reused, todo = {}, []
    for k, (train, test) in enumerate(splits, start=1):
        if speaker_independent:
            check_group_overlap(groups_arr, train, test, fold=k)
        key = _fold_key(estimator, test)
        path = out / f"fold_{k:02d}.json" if out is not None else None
        if resume and path is not None and path.exists():
            cached = _read_fold_file(path, test)
            if cached is not None and cached.get("key") == key:
                reused[k] = cached
                logger.info("fold %d/%d: reusing %s", k, len(splits), path)
                continue
        todo.append((k, train, test, key))

    def computed():
        """Fold records as they finish: one after another, or from joblib's workers
        (whatever backend is active: processes, or a Dask cluster) in completion order."""
        tasks = (
            delayed(_run_fold)(
                estimator,
                _safe_indexing(X, train),
                y[train],
                _safe_indexing(X, test),
                y[test],
                None if groups_arr is None else groups_arr[train],
                None if groups_arr is None else groups_arr[test],
                fold=k,
                key=key,
                test=test,
                labels=labels,
                protocol=protocol,
                tf_threads=tf_threads,
            )
            for k, train, test, key in todo
        )
        if n_jobs in (None, 1) and not _dask_backend_active():
            yield from (fn(*args, **kwargs) for fn, args, kwargs in tasks)
        else:
            yield from Parallel(n_jobs=n_jobs, return_as="generator_unordered")(tasks)

    def finished():
        yield from reused.values()
        for record in computed():
            if out is not None:  # written as each fold finishes, before the next is awaited
                atomic_write_json(out / f"fold_{record['fold']:02d}.json", record)
            if verbose:
                logger.info(
                    "fold %d/%d: UAR %.3f  WA %.3f  (fit %.1f s on %s)",
                    record["fold"],
                    len(splits),
                    record["uar"],
                    record["wa"],
                    record["fit_seconds"],
                    record["worker"],
                )
            yield record

    for done, record in enumerate(finished(), start=1):
        folds.append(record)
        if on_fold is not None:
            on_fold(record, done, len(splits), time.perf_counter() - started)
        if bar is not None:
            bar.set_postfix(uar=f"{record['uar']:.3f}")
            bar.update(1)
    folds.sort(key=lambda f: f["fold"])
    for record in folds:
        k = record["fold"]
        for i, pred in zip(record["test_indices"], record["y_pred"], strict=True):
            row = {
                "index": i,
                "fold": k,
                "y_true": y[i].item() if isinstance(y[i], np.generic) else y[i],
                "y_pred": pred,
            }
            if groups_arr is not None:
                row["group"] = str(groups_arr[i])
            for name, values in attrs.items():
                row[name] = values[i]
            rows.append(row)

    if bar is not None:
        bar.close()
    predictions = pd.DataFrame(rows).sort_values("index").reset_index(drop=True)
    pooled = ser_report(predictions["y_true"], predictions["y_pred"], labels=labels)
    any_normalised = any(f.get("speaker_normalised") for f in folds)
    if any_normalised:
        protocol += "; " + SPEAKER_NORMALISED_PROTOCOL
    selections = [f.get("selection") for f in folds]
    if all(selections):
        protocol += (
            "; nested: the search ran inside each outer fold on its training speakers only "
            "(inner folds grouped by speaker), so the outer scores are not the ones that chose"
        )
    summary = {"protocol": protocol, "n_folds": len(folds), "n_clips": int(len(predictions))}
    summary["speaker_normalised"] = any_normalised
    if not speaker_independent:
        summary["warning"] = NOT_SPEAKER_INDEPENDENT
    for m in _METRICS:
        values = np.array([f[m] for f in folds])
        summary[f"{m}_mean"] = float(values.mean())
        summary[f"{m}_std"] = float(values.std())
        summary[f"{m}_per_fold"] = values.tolist()
    summary["chance_uar"] = 1.0 / len(labels)
    if all(selections):
        inner = float(np.mean([sel["best_score"] for sel in selections]))
        summary["selection"] = {
            "inner_best_score_mean": inner,
            "inner_best_score_per_fold": [sel["best_score"] for sel in selections],
            "nested_uar_mean": summary["uar_mean"],
            "gap": inner - summary["uar_mean"],
            "best_params_per_fold": [sel["best_params"] for sel in selections],
        }
    members = [f.get("members") for f in folds]
    if all(members):
        summary["members"] = {
            name: {
                "uar_mean": float(np.mean([m["uar"][name] for m in members])),
                "uar_per_fold": [m["uar"][name] for m in members],
                "weight_per_fold": [m["weights"][name] for m in members],
            }
            for name in members[0]["uar"]
        }
    summary["pooled"] = pooled
    summary["by_attribute"] = {
        name: scores_by_attribute(predictions["y_true"], predictions["y_pred"], predictions[name])
        for name in attrs
    }
    if out is not None:
        atomic_write_json(out / "summary.json", summary)
        atomic_write_text(out / "predictions.csv", predictions.to_csv(index=False))
    return CVResult(folds=folds, summary=summary, predictions=predictions)
