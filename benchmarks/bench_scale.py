"""Wall time of an 8-candidate x 6-fold speaker-grouped grid search: locally
(``n_jobs=None``, one fit after another) against a 2-worker Dask ``LocalCluster`` on the
same machine (target: speed-up >= 1.7x on 2 cores), and joblib's own worker processes
(``n_jobs=2``, no Dask) as a second reference, with the searches' scores compared.

The model is the pooled-MFCC SVM (``make_ser_pipeline("pooled", "svm")``) over
``C`` x ``gamma`` (4 x 2 candidates) on RAVDESS actors 01-06 (one actor per fold), so
each of the 48 fits decodes and featurises its training clips, as a real search without
a cache does. Both runs are in this process, one after the other; the cluster's start
is timed separately and not counted.

The memory part of issue 18 (peak RSS for 1k/10k/50k clips) is not measured: bounded-
memory training does not exist yet.

    python benchmarks/bench_scale.py [--actors 01-06] [--out results/scale_grid.json]
"""

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_ravdess import DEFAULT_DATA, parse_actors  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--data", type=Path, default=Path(os.environ.get("SKSER_RAVDESS_DIR", DEFAULT_DATA))
    )
    ap.add_argument("--actors", default="01-06")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()

    import skser
    from skser.datasets import load_ravdess
    from skser.model_selection import dask_scheduler, make_grid_search
    from skser.pipeline import make_ser_pipeline

    data = load_ravdess(args.data, actors=parse_actors(args.actors))
    files, y, groups = np.asarray(data.filenames), data.target, data.groups
    n_folds = len(set(groups))
    grid = {"clf__C": [0.1, 1.0, 10.0, 100.0], "clf__gamma": ["scale", 0.01]}

    def search(n_jobs):
        s = make_grid_search(
            make_ser_pipeline("pooled", "svm", random_state=0),
            grid,
            cv=n_folds,
            random_state=0,
            n_jobs=n_jobs,
            refit=False,
        )
        t0 = time.perf_counter()
        s.fit(files, y, groups=groups)
        return s, time.perf_counter() - t0

    local, local_s = search(None)
    loky, loky_s = search(args.workers)  # joblib's own worker processes, no Dask
    t0 = time.perf_counter()
    with dask_scheduler("local", n_workers=args.workers) as client:
        start_s = time.perf_counter() - t0
        client.run(lambda: __import__("skser.pipeline"))  # import skser on every worker
        remote, remote_s = search(-1)
    same = bool(
        np.array_equal(local.cv_results_["mean_test_score"], remote.cv_results_["mean_test_score"])
        and local.best_params_ == remote.best_params_
        and np.array_equal(
            local.cv_results_["mean_test_score"], loky.cv_results_["mean_test_score"]
        )
    )
    result = {
        "benchmark": "bench_scale (grid part)",
        "data": f"RAVDESS actors {args.actors}: {len(files)} clips, {n_folds} speaker folds",
        "model": 'make_ser_pipeline("pooled", "svm"), no cache',
        "candidates": len(remote.cv_results_["params"]),
        "fits": len(remote.cv_results_["params"]) * n_folds,
        "local_n_jobs_none_seconds": round(local_s, 1),
        "dask_local_cluster_seconds": round(remote_s, 1),
        "loky_n_jobs_workers_seconds": round(loky_s, 1),
        "loky_speedup": round(local_s / loky_s, 2),
        "dask_workers": args.workers,
        "cluster_start_seconds": round(start_s, 1),
        "speedup": round(local_s / remote_s, 2),
        "target_speedup_min": 1.7,
        "same_scores_and_best_params": same,
        "best_params": remote.best_params_,
        "best_score": round(float(remote.best_score_), 4),
        "machine": {"python": platform.python_version(), "cpu_count": os.cpu_count()},
        "versions": {"skser": skser.__version__},
        "command": "python benchmarks/bench_scale.py " + " ".join(sys.argv[1:]),
    }
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
