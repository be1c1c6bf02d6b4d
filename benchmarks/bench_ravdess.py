"""Speaker-independent RAVDESS benchmark of one skser pipeline.

Prints one JSON object: UAR mean ± std over folds, accuracy, macro-F1, per-class
recall, wall time, training time per epoch, inference clips/s, peak memory, versions
and the exact configuration.

Protocol: the shared RAVDESS copy (speech, 8 emotions, 16 kHz); actors dealt into
``--folds`` folds (default 6 folds of 3 of the 18 actors), males round-robin from the
first fold and females from the last, so folds are gender-balanced where possible;
each fold's actors are tested on a model trained on all the others.

    python benchmarks/bench_ravdess.py --pipeline default
    python benchmarks/bench_ravdess.py --pipeline S1 --set clf__epochs=20
    python benchmarks/bench_ravdess.py --pipeline default --ensemble 1   # one network
    python benchmarks/bench_ravdess.py --features pooled --model svm
    python benchmarks/bench_ravdess.py --pipeline pooled-logreg --actors 01-06 --folds 2
    python benchmarks/bench_ravdess.py --rows a,b,c,d   # speaker normalisation (issue 14)
    python benchmarks/bench_ravdess.py --rows a,b,f,n   # the defaults against the baseline

``--rows`` runs the comparison rows of benchmarks/speaker_rows.py in one process on
that module's fixed six folds (needs ``pip install -e ".[opensmile]"`` for rows a, b).
"""

import argparse
import json
import os
import platform
import resource
import sys
import time
from pathlib import Path

import numpy as np

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "ravdess-speech-16k"
SHORTCUTS = {
    "default": {},
    "pooled-logreg": {"features": "pooled", "model": "logreg", "oversample": False},
    "pooled-svm": {"features": "pooled", "model": "svm", "oversample": False},
}


def actor_folds(actors, n_folds):
    """Fold index per actor id: males (odd ids) dealt from fold 0, females from the last."""
    ids = sorted(set(actors), key=int)
    males = [a for a in ids if int(a) % 2 == 1]
    females = [a for a in ids if int(a) % 2 == 0]
    fold = {}
    for k, a in enumerate(males):
        fold[a] = k % n_folds
    for k, a in enumerate(females):
        fold[a] = n_folds - 1 - (k % n_folds)
    return fold


def parse_actors(text):
    if not text:
        return None
    out = []
    for part in text.split(","):
        if "-" in part:
            lo, hi = part.split("-")
            out += list(range(int(lo), int(hi) + 1))
        else:
            out.append(int(part))
    return out


def parse_value(text):
    import tomllib

    if text in ("None", "none", "null"):
        return None

    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def build(args):
    from skser.pipeline import RECIPES, make_recipe_pipeline, make_ser_pipeline

    common = {"random_state": args.random_state, "memory": args.cache, "n_jobs": args.n_jobs}
    if args.pipeline in RECIPES:
        pipe = make_recipe_pipeline(args.pipeline, **common)
        description = RECIPES[args.pipeline]["description"]
    else:
        kwargs = dict(SHORTCUTS.get(args.pipeline, {}))
        if args.features:
            kwargs["features"] = args.features
        if args.model:
            kwargs["model"] = args.model
        pipe = make_ser_pipeline(**kwargs, **common)
        description = f"make_ser_pipeline({kwargs})"
    params = {}
    for item in args.set:
        key, value = item.split("=", 1)
        params[key.strip()] = parse_value(value.strip())
    if params:
        pipe.set_params(**params)
    if args.ensemble:
        from skser.models import SeedEnsembleClassifier

        clf = pipe.named_steps["clf"]
        if isinstance(clf, SeedEnsembleClassifier):
            pipe.set_params(clf__n_estimators=args.ensemble)
        else:
            pipe.set_params(
                clf=SeedEnsembleClassifier(
                    clf, n_estimators=args.ensemble, random_state=args.random_state
                )
            )
        params["ensemble"] = args.ensemble
    if args.augment:
        from skser.augment import AudioAugmenter

        pipe.set_params(
            augment=AudioAugmenter(
                n_augment=args.augment, random_state=args.random_state, n_jobs=args.n_jobs
            )
        )
        params["augment"] = f"AudioAugmenter(n_augment={args.augment})"
    return pipe, description, params


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--data", type=Path, default=Path(os.environ.get("SKSER_RAVDESS_DIR", DEFAULT_DATA))
    )
    ap.add_argument(
        "--pipeline", default="default", help="default, S0..S4, pooled-logreg, pooled-svm"
    )
    ap.add_argument("--features")
    ap.add_argument("--model")
    ap.add_argument(
        "--set", action="append", default=[], help="pipeline parameter, e.g. clf__epochs=20"
    )
    ap.add_argument(
        "--augment", type=int, default=0, help="AudioAugmenter copies per clip (0: none)"
    )
    ap.add_argument(
        "--ensemble", type=int, default=0, help="average N seeds of the classifier (0: as built)"
    )
    ap.add_argument("--actors", help="e.g. 01-06 (default: all)")
    ap.add_argument("--folds", type=int, default=6)
    ap.add_argument(
        "--test-folds", help="score only these folds, e.g. 0,1 (screening; default: all)"
    )
    ap.add_argument("--random-state", type=int, default=0)
    ap.add_argument("--n-jobs", type=int, default=2)
    ap.add_argument("--cache", default=None, help="joblib cache folder for decoded audio/features")
    ap.add_argument("--out-dir", default=None, help="also write fold files here")
    ap.add_argument("--rows", help="speaker-normalisation rows, e.g. a,b,c,d (speaker_rows.py)")
    args = ap.parse_args()
    if args.rows:
        return rows_main(args)

    import sklearn
    from sklearn.model_selection import PredefinedSplit

    import skser
    from skser.datasets import load_ravdess
    from skser.model_selection import cross_validate_ser

    bunch = load_ravdess(args.data, actors=parse_actors(args.actors))
    X, y, groups = np.asarray(bunch.filenames), np.asarray(bunch.target), np.asarray(bunch.groups)
    folds = actor_folds(groups, args.folds)
    test_fold = np.array([folds[g] for g in groups])
    if args.test_folds:  # screening: score only these folds (the others always train)
        keep = [int(k) for k in args.test_folds.split(",")]
        test_fold[~np.isin(test_fold, keep)] = -1
    cv = PredefinedSplit(test_fold)
    pipe, description, params = build(args)
    t0 = time.perf_counter()
    result = cross_validate_ser(
        pipe,
        X,
        y,
        groups,
        cv=cv,
        attributes=bunch.frame[["gender"]],
        out_dir=args.out_dir,
        random_state=args.random_state,
    )
    wall = time.perf_counter() - t0
    s = result.summary
    # epochs trained per fold, over all members of a seed ensemble
    clf = pipe.named_steps["clf"]
    members = clf.n_estimators if type(clf).__name__ == "SeedEnsembleClassifier" else 1
    epochs = [members * len(f["history"]["loss"]) for f in result.folds if f.get("history")]
    fit_s = [f["fit_seconds"] for f in result.folds]
    out = {
        "benchmark": "bench_ravdess",
        "pipeline": args.pipeline
        if not (args.features or args.model)
        else f"{args.features}/{args.model}",
        "description": description,
        "params": params,
        "protocol": f"{args.folds} folds of actors, gender-balanced"
        + (f" (scored: folds {args.test_folds} only)" if args.test_folds else "")
        + "; "
        + s["protocol"],
        "folds_actors": [f["test_groups"] for f in result.folds],
        "clips": int(len(y)),
        "uar_mean": round(s["uar_mean"], 4),
        "uar_std": round(s["uar_std"], 4),
        "uar_per_fold": [round(v, 4) for v in s["uar_per_fold"]],
        "wa_mean": round(s["wa_mean"], 4),
        "macro_f1_mean": round(s["macro_f1_mean"], 4),
        "per_class_recall": {k: round(v, 3) for k, v in s["pooled"]["per_class_recall"].items()},
        "by_gender": s["by_attribute"].get("gender"),
        "wall_time_s": round(wall, 1),
        "fit_seconds_per_fold": fit_s,
        "epochs_per_fold": epochs or None,
        "seconds_per_epoch": round(sum(fit_s) / sum(epochs), 2) if epochs else None,
        "inference_clips_per_s": round(
            sum(f["n_test"] for f in result.folds)
            / sum(f["predict_seconds"] for f in result.folds),
            1,
        ),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "machine": {"python": platform.python_version(), "cpu_count": os.cpu_count()},
        "versions": {"skser": skser.__version__, "scikit-learn": sklearn.__version__},
        "pipeline_repr": repr(pipe),
        "command": "python benchmarks/bench_ravdess.py " + " ".join(sys.argv[1:]),
    }
    try:
        import keras

        out["versions"]["keras"] = keras.__version__
        out["versions"]["keras_backend"] = keras.backend.backend()
    except ImportError:  # pragma: no cover
        pass
    print(json.dumps(out, indent=2))


def rows_main(args):
    import sklearn

    import skser
    from skser.datasets import load_ravdess

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from speaker_rows import ISSUE_FOLDS, run_rows

    rows = [r.strip() for r in args.rows.split(",") if r.strip()]
    unknown = sorted(set(rows) - {"a", "b", "c", "d", "f", "g", "n"})
    if unknown:
        raise SystemExit(f"--rows: unknown rows {unknown}; use a subset of a,b,c,d,f,g,n")
    bunch = load_ravdess(args.data, actors=parse_actors(args.actors))
    t0 = time.perf_counter()
    results = run_rows(
        rows,
        bunch,
        random_state=args.random_state,
        cache=args.cache,
        log=lambda m: print(m, file=sys.stderr, flush=True),
    )
    versions = {"skser": skser.__version__, "scikit-learn": sklearn.__version__}
    try:
        import opensmile

        versions["opensmile"] = opensmile.__version__
    except ImportError:
        pass
    out = {
        "benchmark": "bench_ravdess --rows",
        "folds": ISSUE_FOLDS,
        "clips": len(bunch.target),
        "rows": results,
        "wall_time_s": round(time.perf_counter() - t0, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "machine": {"python": platform.python_version(), "cpu_count": os.cpu_count()},
        "versions": versions,
        "command": "python benchmarks/bench_ravdess.py " + " ".join(sys.argv[1:]),
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
