"""`skser train / evaluate / grid / demo`: data -> pipeline -> CV -> run folder -> bundle.

The run folder is built under ``<name>.partial`` and renamed when complete, so a
folder without the suffix is always whole. Fold results are written inside it as
folds finish; ``run.resume = true`` continues an interrupted ``.partial`` run.
"""

import contextlib
import logging
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from .._atomic import atomic_write_json, atomic_write_text
from .._lock import run_lock
from .._version import __version__
from ._config import ConfigError, did_you_mean

logger = logging.getLogger(__name__)

__all__ = ["load_data", "build_pipeline", "run_experiment"]


# ------------------------------------------------------------------------- data
def load_data(cfg, *, workdir=None):
    """Return ``(X paths, y, groups, frame, summary)`` for the ``[data]`` section.

    Corpus warnings (skipped files, labels outside the vocabulary) are shown as usual
    and also kept in ``summary["warnings"]``, so metrics.json records them."""
    import warnings

    from ..exceptions import CorpusWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CorpusWarning)
        out = _load_data(cfg, workdir=workdir)
    kept = []
    for w in caught:
        if issubclass(w.category, CorpusWarning):
            kept.append(str(w.message))
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if kept:
        out[4]["warnings"] = kept
    return out


def _load_data(cfg, *, workdir=None):

    from ..datasets import LOADERS, make_synthetic_speech, select_emotions

    d = cfg["data"]
    corpus = d["corpus"]
    emotions = d["emotions"]
    if isinstance(emotions, dict):  # TOML has no null: "" drops a label
        emotions = {k: (v or None) for k, v in emotions.items()}
    elif emotions is not None and not isinstance(emotions, list):
        raise ConfigError(
            f"data.emotions must be a list such as ['sad', 'angry'] or a table mapping labels "
            f"(e.g. calm = 'neutral'), got {emotions!r}"
        )
    if corpus == "synthetic":
        out = Path(workdir or tempfile.mkdtemp(prefix="skser-synthetic-")) / "corpus"
        bunch = make_synthetic_speech(
            n_actors=int(d["n_actors"]),
            n_clips_per_emotion=int(d["n_clips_per_emotion"]),
            duration=float(d["clip_seconds"]),
            emotions=None if isinstance(emotions, dict) else emotions,
            random_state=cfg["run"]["random_state"],
            out_dir=out,
        )
        frame = bunch.frame.copy()
        frame["path"] = [str(p) for p in bunch.filenames]
        if isinstance(emotions, dict):
            frame = select_emotions(frame, emotions, param="data.emotions")
        desc = f"synthetic: {d['n_actors']} actors"
    elif corpus == "csv":
        if not d["csv"]:
            raise ConfigError("data.corpus = 'csv' needs data.csv (a file with path,label,speaker)")
        from ..datasets import load_csv_corpus

        csv = Path(d["csv"])
        frame = load_csv_corpus(csv, emotions=emotions).frame
        desc = f"csv: {csv}"
    else:
        if not d["path"]:
            raise ConfigError(f"data.corpus = {corpus!r} needs data.path (the corpus folder)")
        path = Path(d["path"])
        if not path.is_dir():
            raise FileNotFoundError(f"data directory not found: {path}")
        kwargs = {"emotions": emotions} if emotions else {}
        bunch = LOADERS[corpus](path, **kwargs)
        frame = bunch.frame.copy()
        frame["path"] = [str(p) for p in bunch.filenames]
        frame["actor"] = bunch.groups
        desc = f"{corpus}: {path}"
    if frame.empty:
        raise ConfigError(f"no clips found ({desc}, emotions={d['emotions']})")
    X = frame["path"].to_numpy()
    y = frame["emotion"].astype(str).to_numpy()
    groups = frame["actor"].astype(str).to_numpy()
    summary = {
        "corpus": desc,
        "clips": int(len(y)),
        "speakers": int(len(np.unique(groups))),
        "class_counts": {k: int(v) for k, v in zip(*np.unique(y, return_counts=True), strict=True)},
    }
    return X, y, groups, frame.reset_index(drop=True), summary


# --------------------------------------------------------------------- pipeline
def _set_section(pipe, step, params, section):
    if not params:
        return
    est = pipe.named_steps[step]
    if est == "passthrough":
        hint = ""
        if hasattr(pipe.steps[-1][1], "fuse"):
            hint = (
                "; the fusion model builds its features in its branches: set them in [model] "
                "as deep__features__<key> or functionals__features__<key>"
            )
        raise ConfigError(f"[{section}] sets parameters, but the {step} step is disabled{hint}")
    valid = est.get_params(deep=True)

    # A wrapper (SeedEnsembleClassifier, the fusion's branches): a key of the wrapped
    # network (model.epochs) reaches the one nested parameter it names
    # (estimator__epochs, deep__clf__estimator__epochs).
    def resolve(key):
        if key in valid:
            return key
        nested = [k for k in valid if k.endswith("__" + key)]
        return nested[0] if len(nested) == 1 else key

    params = {resolve(k): v for k, v in params.items()}
    # the names a user writes: top-level ones and, for a wrapper, the wrapped ones
    names = sorted({k.rpartition("__")[2] for k in valid})
    for key in params:
        if key not in valid:
            raise ConfigError(
                f"unknown key {section}.{key} for {type(est).__name__}"
                f"{did_you_mean(key, names)} (valid: {', '.join(names)})"
            )
    est.set_params(**params)


def build_pipeline(cfg):
    """The pipeline described by ``[pipeline]``, ``[features]``, ``[model]``, ``[augment]``."""
    from ..pipeline import make_recipe_pipeline, make_ser_pipeline

    p = dict(cfg["pipeline"])
    run = cfg["run"]
    augment = p["augment"]
    if augment is True and cfg["augment"]:
        augment = dict(cfg["augment"])
    common = dict(
        sr=int(p["sr"]),
        random_state=run["random_state"],
        memory=run["cache"],
    )
    if p["recipe"]:
        overrides = {}
        if p["speaker_normalise"]:
            overrides["speaker_normalise"] = True
        if run["n_jobs"] is not None:
            overrides["n_jobs"] = run["n_jobs"]
        pipe = make_recipe_pipeline(p["recipe"], **common, **overrides)
    else:
        pipe = make_ser_pipeline(
            p["features"],
            p["model"],
            oversample=bool(p["oversample"]),
            augment=augment or None,
            normalise=p["normalise"],
            speaker_normalise=p["speaker_normalise"],
            duration=p["duration"],
            n_jobs=run["n_jobs"],
            **common,
        )
    if p.get("chunk_size") is not None:
        pipe.set_params(chunk_size=p["chunk_size"])
    _set_section(pipe, "features", cfg["features"], "features")
    _set_section(pipe, "clf", cfg["model"], "model")
    if not isinstance(augment, dict):
        _set_augment_section(pipe, cfg["augment"])
    return pipe


def _set_augment_section(pipe, params):
    """``[augment]`` keys: the pipeline's augmenter, or with ``augment = "auto"`` and the
    fusion, the augmenter inside each branch (each branch keeps its own copies)."""
    if not params or pipe.named_steps["augment"] != "passthrough":
        return _set_section(pipe, "augment", params, "augment")
    members = getattr(pipe.named_steps["clf"], "estimators", None) or []
    branches = [
        member
        for _, member in members
        if getattr(member, "named_steps", {}).get("augment", "passthrough") != "passthrough"
    ]
    if not branches:
        return _set_section(pipe, "augment", params, "augment")  # the "disabled" error
    for member in branches:
        _set_section(member, "augment", params, "augment")


def _cv(cfg, n_groups):
    from ..model_selection import LeaveOneSpeakerOut, make_splitter

    c = cfg["cv"]
    if n_groups < 2 and c["scheme"] != "random":
        raise ConfigError(
            f"the corpus has {n_groups} speaker(s): speaker-independent folds need at least 2, "
            "so it cannot be scored on unseen speakers (add speakers or another corpus; "
            "cv.scheme = 'random' scores seen speakers and is marked as such)"
        )
    if c["scheme"] == "loso":
        return LeaveOneSpeakerOut(), True
    if c["scheme"] == "random":
        return int(c["n_splits"]), False
    n = int(c["n_splits"])
    if not 2 <= n <= n_groups:
        raise ConfigError(f"cv.n_splits must be between 2 and the {n_groups} speakers, got {n}")
    return make_splitter(n, random_state=cfg["run"]["random_state"]), True


def _inner_cv(cfg, outer):
    """Folds of the search inside each outer fold: the same scheme on the training
    speakers, one fold fewer (so inner and outer test folds hold as many speakers)."""
    from ..model_selection import LeaveOneSpeakerOut, make_splitter

    if isinstance(outer, LeaveOneSpeakerOut):
        return LeaveOneSpeakerOut()
    if isinstance(outer, int):  # random folds (not speaker-independent)
        return max(2, outer - 1)
    return make_splitter(max(2, outer.n_splits - 1), random_state=cfg["run"]["random_state"])


# ---------------------------------------------------------------------- outputs
def _versions():
    from ..deploy._bundle import _versions

    return _versions()


def _figures(figdir, result, frame):
    from ..plotting import (
        plot_class_balance,
        plot_confusion_matrix,
        plot_fold_scores,
        plot_history,
        save_figure,
    )

    figs = {}
    figs["confusion_matrix.png"] = plot_confusion_matrix(result.confusion_matrix, result.labels)
    by = "gender" if "gender" in frame.columns else None
    figs["class_balance.png"] = plot_class_balance(frame, by=by)
    figs["fold_scores.png"] = plot_fold_scores(result)
    histories = {
        f"fold {f['fold']}/{name}": h
        for f in result.folds
        for name, h in (
            f.get("histories") or ({"clf": f["history"]} if f.get("history") else {})
        ).items()
    }
    if histories:
        n_folds = len({name.split("/")[0] for name in histories})
        figs["training_curves.png"] = plot_history(
            histories,
            title=f"training curves: {len(histories)} networks over {n_folds} fold(s)",
        )
    for name, fig in figs.items():
        save_figure(fig, figdir / name)
    return sorted(figs)


def _model_summary(pipe):
    """One line: the pipeline's active steps and the classifier's kind."""
    steps = [f"{n}={type(st).__name__}" for n, st in pipe.steps if st != "passthrough"]
    clf = pipe.steps[-1][1]
    if hasattr(clf, "estimators") and isinstance(clf.estimators, list):
        branches = "; ".join(
            f"{name}: " + " -> ".join(type(st).__name__ for _, st in b.steps if st != "passthrough")
            for name, b in clf.estimators
            if hasattr(b, "steps")
        )
        steps[-1] += f" [{branches}]"
    return " -> ".join(steps)


def _report(path, metrics, figures):
    s = metrics["cv"]
    lines = [
        f"# skser {metrics['command']} report",
        "",
        f"- created: {metrics['created']}",
        f"- data: {metrics['data']['corpus']} ({metrics['data']['clips']} clips, "
        f"{metrics['data']['speakers']} speakers)",
        f"- protocol: {s['protocol']}",
        f"- model: {metrics.get('model_summary', '')}",
        f"- wall time: {metrics.get('wall_time_s', float('nan')):.0f} s on "
        f"{metrics['machine']['cpu_count']} CPU cores",
    ]
    if s.get("members"):
        lines.append(
            "- fusion branches alone: "
            + ", ".join(f"{k} UAR {v['uar_mean']:.3f}" for k, v in s["members"].items())
        )
    if s.get("warning"):
        lines.append(f"- **WARNING: {s['warning']}**")
    lines += [
        "",
        "| metric | mean | std | per fold |",
        "|---|---:|---:|---|",
    ]
    for m, name in (("uar", "UAR"), ("wa", "accuracy (WA)"), ("macro_f1", "macro-F1")):
        per = ", ".join(f"{v:.3f}" for v in s[f"{m}_per_fold"])
        lines.append(f"| {name} | {s[f'{m}_mean']:.3f} | {s[f'{m}_std']:.3f} | {per} |")
    lines += [
        "",
        f"Chance UAR: {s['chance_uar']:.3f}.",
        "",
        "Recall per class (all folds pooled): "
        + ", ".join(f"{k} {v:.2f}" for k, v in s["pooled"]["per_class_recall"].items()),
        "",
    ]
    for name, values in s.get("by_attribute", {}).items():
        lines.append(
            f"By {name}: "
            + ", ".join(f"{k} UAR {v['uar']:.3f} (n={v['n_clips']})" for k, v in values.items())
        )
        lines.append("")
    if metrics.get("grid"):
        g = metrics["grid"]
        lines += [
            "## Grid search (nested)",
            "",
            f"- nested UAR (the headline above): {g['nested_uar_mean']:.3f}",
            f"- selection score (best inner UAR, which chose each fold's candidate; "
            f"optimistic): {g['selection_score_mean']:.3f}",
            f"- gap: {g['gap']:+.3f}",
            f"- chosen per outer fold: {g['best_params_per_fold']}",
            f"- deployed model (search on all speakers): `{g['final_best_params']}`",
            "",
        ]
    for fig in figures:
        lines += [f"![{fig}](figures/{fig})", ""]
    if metrics.get("model_file"):
        lines.append(f"Model bundle: `{metrics['model_file']}` (load only from trusted sources).")
    atomic_write_text(path, "\n".join(lines) + "\n")


def _jsonable(obj):
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, (str, int, float, bool)) or obj is None:
        return obj
    if isinstance(obj, np.generic):
        return obj.item()
    return repr(obj)


def _fold_line(echo):
    """One line per finished fold, for logs as well as terminals."""
    uars = []

    def line(record, done, total, elapsed):
        uars.append(record["uar"])
        left = elapsed / done * (total - done)
        echo(
            f"fold {done}/{total}: UAR {record['uar']:.3f} (mean so far {np.mean(uars):.3f}); "
            f"{elapsed / 60:.1f} min elapsed, about {left / 60:.1f} min left"
        )

    return line


# ------------------------------------------------------------------------ main
def run_experiment(cfg, *, command, echo=print, progress=False):
    """Run ``command`` ("evaluate", "train", "grid" or "demo"); return ``(metrics, folder)``."""

    started = time.perf_counter()
    run = cfg["run"]
    name = run["name"] or f"{command}-{datetime.now():%Y%m%d-%H%M%S}"
    final = Path(run["out_dir"]) / name
    work = final.with_name(final.name + ".partial")
    if work.is_dir():  # a run writing it now, or one that was interrupted?
        with run_lock(work / ".lock", f"the run folder {work}"):
            pass
    with contextlib.ExitStack() as stack:
        return _run(cfg, command, echo, progress, started, final, stack)


@dataclass(frozen=True)
class _Run:
    """What every step of one run shares: its settings, folder and output channels."""

    cfg: dict
    command: str
    work: Path  # the ``.partial`` folder
    fresh: bool  # created by this run (nothing to keep if it fails early)
    echo: Callable
    progress: bool


@dataclass(frozen=True)
class _Corpus:
    """The loaded corpus and its folds."""

    X: np.ndarray
    y: np.ndarray
    groups: np.ndarray
    frame: object  # pandas.DataFrame of per-clip metadata
    data: dict  # the corpus summary written to metrics.json and the bundle
    cv: object
    speaker_independent: bool

    @property
    def fit_groups(self):
        """Speaker ids for fitting, None when the folds are not speaker-grouped."""
        return self.groups if self.speaker_independent else None


def _run(cfg, command, echo, progress, started, final, stack):
    """The steps of a run, in order; each is a function below."""
    work = _check_folders(cfg, final)
    pipe, grid = _build(cfg, command, progress)  # config errors before anything is written
    run = _Run(cfg, command, work, not work.exists(), echo, progress)
    work.mkdir(parents=True, exist_ok=True)
    # one writer: a second run on this folder stops here, before touching anything
    stack.enter_context(run_lock(work / ".lock", f"the run folder {work}"))
    corpus = _load(run)
    data = corpus.data
    echo(
        f"skser {__version__} {command}: {data['corpus']}, {data['clips']} clips, "
        f"{data['speakers']} speakers, {len(data['class_counts'])} emotions"
    )
    estimator = _estimator(cfg, pipe, grid, corpus)
    result = _cross_validate(run, estimator, corpus)
    metrics = _metrics(run, pipe, corpus, result)
    final_model = None
    if grid is not None:
        final_model = _final_search(run, estimator, corpus, result, metrics)
    figures = _figures(work / "figures", result, corpus.frame)
    if command in ("train", "grid", "demo"):
        if final_model is None:
            echo(f"final fit on all {len(corpus.y)} clips (the saved model) ...")
            final_model = pipe.fit(corpus.X, corpus.y, groups=corpus.fit_groups)
        _save_bundle(run, final_model, corpus, result, metrics)
    metrics["wall_time_s"] = round(time.perf_counter() - started, 1)
    return _finish(run, final, metrics, figures)


def _check_folders(cfg, final):
    """The ``.partial`` work folder of the run; refuse to overwrite a finished run."""
    if final.exists():
        raise FileExistsError(f"run folder already exists: {final} (choose another run.name)")
    work = final.with_name(final.name + ".partial")
    if work.exists() and not cfg["run"]["resume"]:
        raise FileExistsError(
            f"{work} is left from an interrupted run: set run.resume = true to continue it, "
            "or delete it"
        )
    return work


def _build(cfg, command, progress):
    """The pipeline and, for ``skser grid``, the checked parameter grid."""
    pipe = build_pipeline(cfg)
    if progress and sys.stderr.isatty():
        pipe.set_params(load__verbose=True)  # decoding progress bars
    if command != "grid":
        return pipe, None
    if not cfg["grid"]:
        raise ConfigError("skser grid needs a [grid] section, e.g. clf__dropout = [0.1, 0.3]")
    grid = {k: v if isinstance(v, list) else [v] for k, v in cfg["grid"].items()}
    valid = pipe.get_params(deep=True)
    for key in grid:
        if key not in valid:
            raise ConfigError(f"unknown grid key {key!r}{did_you_mean(key, valid)}")
    return pipe, grid


def _load(run):
    """The corpus and its folds; a failure here leaves no new folder behind."""
    try:
        X, y, groups, frame, data = load_data(run.cfg, workdir=run.work)
        cv, speaker_independent = _cv(run.cfg, data["speakers"])
    except BaseException:
        if run.fresh:
            shutil.rmtree(run.work, ignore_errors=True)  # nothing done yet: leave nothing behind
        raise
    return _Corpus(X, y, groups, frame, data, cv, speaker_independent)


def _estimator(cfg, pipe, grid, corpus):
    """The pipeline, or for a grid the nested search: it runs inside each outer fold on
    its training speakers, and the outer folds score the winner of each inner search."""
    if grid is None:
        return pipe
    from ..model_selection import make_grid_search

    return make_grid_search(
        pipe,
        grid,
        cv=_inner_cv(cfg, corpus.cv),
        speaker_independent=corpus.speaker_independent,
        random_state=cfg["run"]["random_state"],
        refit=True,
    )


def _cross_validate(run, estimator, corpus):
    """The speaker-grouped cross-validation, one fold file per finished fold."""
    from ..model_selection import cross_validate_ser

    settings = run.cfg["run"]
    cluster = contextlib.nullcontext()
    if settings["scheduler"]:
        from ..model_selection import dask_scheduler

        cluster = dask_scheduler(settings["scheduler"])
        run.echo(f"folds run on the Dask cluster {settings['scheduler']}")
    frame = corpus.frame
    try:
        with cluster:
            return cross_validate_ser(
                estimator,
                corpus.X,
                corpus.y,
                corpus.fit_groups,
                cv=corpus.cv,
                attributes=frame[["gender"]] if "gender" in frame.columns else None,
                out_dir=run.work / "folds",
                resume=bool(settings["resume"]),
                speaker_independent=corpus.speaker_independent,
                random_state=settings["random_state"],
                verbose=1,
                progress=run.progress,
                on_fold=_fold_line(run.echo),
                n_jobs=-1 if settings["scheduler"] else None,
            )
    except BaseException:
        # a value only checked at fit time failed the first fold: no finished work to keep,
        # and a .partial folder left behind would block the next run
        if run.fresh and not any((run.work / "folds").glob("fold_*.json")):
            shutil.rmtree(run.work, ignore_errors=True)
        raise


_FOLD_KEYS = ("fold", "uar", "wa", "macro_f1", "n_train", "n_test", "test_groups", "fit_seconds")


def _metrics(run, pipe, corpus, result):
    """The content of metrics.json (wall time and model file are added later)."""
    return {
        "command": run.command,
        "created": datetime.now().isoformat(timespec="seconds"),
        "skser_version": __version__,
        "versions": _versions(),
        "machine": {"python": platform.python_version(), "cpu_count": os.cpu_count()},
        "config": _jsonable(run.cfg),
        "data": corpus.data,
        "pipeline": repr(pipe),
        "model_summary": _model_summary(pipe),
        "cv": result.summary,
        "per_fold": [{k: f[k] for k in _FOLD_KEYS} for f in result.folds],
    }


def _final_search(run, estimator, corpus, result, metrics):
    """``skser grid``: the search on all speakers chooses the deployed model."""
    from sklearn.base import clone

    search = clone(estimator)
    run.echo(f"final search on all {len(corpus.y)} clips (the saved model) ...")
    search.fit(corpus.X, corpus.y, groups=corpus.fit_groups)
    sel = result.summary["selection"]
    metrics["grid"] = {
        "nested_uar_mean": sel["nested_uar_mean"],
        "selection_score_mean": sel["inner_best_score_mean"],
        "gap": sel["gap"],
        "best_params_per_fold": sel["best_params_per_fold"],
        "final_best_params": _jsonable(search.best_params_),
        "final_selection_score": float(search.best_score_),
        "candidates": [
            {"params": _jsonable(p), "mean_uar": float(m), "std_uar": float(sd)}
            for p, m, sd in zip(
                search.cv_results_["params"],
                search.cv_results_["mean_test_score"],
                search.cv_results_["std_test_score"],
                strict=True,
            )
        ],
    }
    run.echo(
        f"grid: nested UAR {sel['nested_uar_mean']:.3f}; selection score (inner best, "
        f"optimistic) {sel['inner_best_score_mean']:.3f}, gap {sel['gap']:+.3f}; "
        f"deployed: {search.best_params_}"
    )
    return search.best_estimator_


_BUNDLE_METRICS = (
    "protocol",
    "uar_mean",
    "uar_std",
    "wa_mean",
    "macro_f1_mean",
    "speaker_normalised",
    "selection",
)


def _save_bundle(run, model, corpus, result, metrics):
    """The deployable bundle: no progress bars, no cache folders."""
    from ..deploy import save_model

    model.set_params(load__verbose=False)
    caches = [k for k in model.get_params(deep=True) if k.split("__")[-1] == "memory"]
    model.set_params(**dict.fromkeys(caches))  # a deployed model writes no cache
    metrics["model_file"] = "model.skser"
    save_model(
        model,
        run.work / "model.skser",
        training=corpus.data,
        metrics={k: result.summary[k] for k in _BUNDLE_METRICS if k in result.summary},
        config=_jsonable(run.cfg),
    )


def _finish(run, final, metrics, figures):
    """metrics.json and report.md, then the work folder becomes the run folder."""
    work = run.work
    atomic_write_json(work / "metrics.json", metrics)
    _report(work / "report.md", metrics, figures)
    if run.cfg["data"]["corpus"] == "synthetic":
        shutil.rmtree(work / "corpus", ignore_errors=True)  # regenerated from the seed
    (work / ".lock").unlink(missing_ok=True)  # still held until this run returns
    os.replace(work, final)
    return metrics, final
