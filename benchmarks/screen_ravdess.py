"""Screening of pipeline ideas on a few RAVDESS folds, through skser's own estimators.

What is screened is what ships: each candidate is a ``make_ser_pipeline`` call (plus
``set_params`` overrides), cross-validated by ``cross_validate_ser`` on the actor folds
of ``bench_ravdess.py`` (6 gender-balanced folds of 3 actors), scoring only the folds
named. One JSON line per run is printed and appended to ``--log``.

    python benchmarks/screen_ravdess.py '{"folds": [0, 1], "pipeline": {"features": "pooled", "model": "logreg", "speaker_normalise": true}}'
    python benchmarks/screen_ravdess.py '{"folds": [0, 1], "pipeline": {}, "set": {"clf__n_estimators": 1}}'

Keys: ``folds`` (actor folds to score, default all 6), ``pipeline`` (keyword arguments of
``make_ser_pipeline``), ``set`` (``pipe.set_params`` overrides), ``tag`` (a label),
``random_state`` (default 0). A screening number chose something, so it is not the
number to report: confirm a winner with ``bench_ravdess.py`` (all folds) or nest the
choice (``cross_validate_ser`` over ``make_grid_search``).

Rows logged in ``benchmarks/results/screen_ravdess.jsonl`` before 2026-12 came from an
earlier standalone Keras script (its own features and networks); they are kept as
history, not as evidence about skser's estimators.
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_ravdess import DEFAULT_DATA, actor_folds  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("config", help="JSON object (see the module docstring)")
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--cache", default=None, help="joblib cache folder (decoded audio, features)")
    ap.add_argument("--log", type=Path, default=None, help="append the JSON line to this file")
    args = ap.parse_args()
    cfg = json.loads(args.config)
    unknown = sorted(set(cfg) - {"folds", "pipeline", "set", "tag", "random_state"})
    if unknown:
        raise SystemExit(f"unknown config keys {unknown}")

    from sklearn.model_selection import PredefinedSplit

    from skser.datasets import load_ravdess
    from skser.model_selection import cross_validate_ser
    from skser.pipeline import make_ser_pipeline

    bunch = load_ravdess(args.data)
    X, y, groups = np.asarray(bunch.filenames), np.asarray(bunch.target), np.asarray(bunch.groups)
    fold_of = actor_folds(groups, 6)
    test_fold = np.array([fold_of[g] for g in groups])
    keep = cfg.get("folds", list(range(6)))
    test_fold[~np.isin(test_fold, keep)] = -1
    seed = cfg.get("random_state", 0)
    pipe = make_ser_pipeline(**cfg.get("pipeline", {}), random_state=seed, memory=args.cache)
    if cfg.get("set"):
        pipe.set_params(**cfg["set"])
    t0 = time.perf_counter()
    result = cross_validate_ser(pipe, X, y, groups, cv=PredefinedSplit(test_fold))
    s = result.summary
    line = {
        "cfg": cfg,
        "uar_mean": round(s["uar_mean"], 4),
        "uar_per_fold": [round(v, 4) for v in s["uar_per_fold"]],
        "folds_actors": [f["test_groups"] for f in result.folds],
        "protocol": s["protocol"],
        "seconds": round(time.perf_counter() - t0, 1),
    }
    text = json.dumps(line)
    print(text)
    if args.log:
        with open(args.log, "a", encoding="utf-8") as fh:
            fh.write(text + "\n")


if __name__ == "__main__":
    main()
