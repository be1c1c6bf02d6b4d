"""Scale: (grid) a grid search locally and on a Dask cluster; (memory) peak memory of
fitting on 1k to 50k clips with ``chunk_size``.

Grid part (``--part grid``, the default): wall time of an 8-candidate x 6-fold speaker-grouped grid search: locally
(``n_jobs=None``, one fit after another) against a 2-worker Dask ``LocalCluster`` on the
same machine (target: speed-up >= 1.7x on 2 cores), and joblib's own worker processes
(``n_jobs=2``, no Dask) as a second reference, with the searches' scores compared.

The model is the pooled-MFCC SVM (``make_ser_pipeline("pooled", "svm")``) over
``C`` x ``gamma`` (4 x 2 candidates) on RAVDESS actors 01-06 (one actor per fold), so
each of the 48 fits decodes and featurises its training clips, as a real search without
a cache does. Both runs are in this process, one after the other; the cluster's start
is timed separately and not counted.

Memory part (``--part memory``): each fit in a fresh process, which reports its peak
resident memory (``ru_maxrss``) and its fit time. The corpus is N clip references (3 s
each) to a pool of 1040 synthetic clips written once (the disk holds the pool; every
reference is decoded and featurised on its own, as distinct files would be), labels and
speakers from the pool. Models: ``make_ser_pipeline("pooled", "logreg")`` and a 1-D CNN
on 40 MFCCs (``make_ser_pipeline("mfcc", "cnn1d", epochs 1)``), each with
``chunk_size=1000`` and, as the baseline, without (all waveforms in memory; skipped
where they would not fit).

    python benchmarks/bench_scale.py [--actors 01-06] [--out results/scale_grid.json]
    python benchmarks/bench_scale.py --part memory [--sizes 1000,10000,50000] [--out F]
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
    ap.add_argument("--part", choices=["grid", "memory"], default="grid")
    ap.add_argument("--sizes", default="1000,10000,50000")
    ap.add_argument("--models", default="pooled,cnn1d")
    ap.add_argument("--chunk-size", type=int, default=1000)
    ap.add_argument("--in-memory-max", type=int, default=10000)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return _child(json.loads(args.child))
    if args.part == "memory":
        return memory_part(args)

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
    }
    _report(result, args.out)


def _report(result, out):
    """Add the machine, versions and command to ``result``; print it, and write ``out``."""
    import skser

    result.update(
        machine={"python": platform.python_version(), "cpu_count": os.cpu_count()},
        versions={"skser": skser.__version__},
        command="python benchmarks/bench_scale.py " + " ".join(sys.argv[1:]),
    )
    text = json.dumps(result, indent=2)
    print(text)
    if out:
        out.write_text(text + "\n")


POOL_SECONDS = 3.0


def _pool(folder):
    """The pool of 1040 distinct 3 s synthetic clips (10 actors x 8 emotions x 13)."""
    from skser.datasets import load_ravdess, make_synthetic_speech

    if not (folder / "Actor_10").is_dir():
        make_synthetic_speech(
            n_actors=10,
            n_clips_per_emotion=13,
            duration=POOL_SECONDS,
            random_state=0,
            out_dir=folder,
        )
    return load_ravdess(folder)


def _child(cfg):
    """One fit in this (fresh) process; prints its peak RSS and times as JSON."""
    import resource

    from skser.pipeline import make_ser_pipeline

    pool = _pool(Path(cfg["pool"]))
    idx = np.arange(cfg["n"]) % len(pool.target)
    X = np.asarray(pool.filenames)[idx]
    y, groups = pool.target[idx], pool.groups[idx]
    if cfg["model"] == "pooled":
        pipe = make_ser_pipeline("pooled", "logreg", duration=POOL_SECONDS, random_state=0)
    else:
        pipe = make_ser_pipeline("mfcc", "cnn1d", duration=POOL_SECONDS, random_state=0)
        pipe.set_params(clf__epochs=1, clf__batch_size=64)
    pipe.set_params(chunk_size=cfg["chunk_size"])
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    pipe.fit(X, y, groups=groups)
    fit_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    pred = pipe.predict(X[:2000])
    predict_s = time.perf_counter() - t0
    print(
        json.dumps(
            {
                "model": cfg["model"],
                "clips": cfg["n"],
                "chunk_size": cfg["chunk_size"],
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                "rss_after_imports_mb": round(rss_before),
                "fit_seconds": round(fit_s, 1),
                "fit_clips_per_second": round(cfg["n"] / fit_s, 1),
                "predict_2000_seconds": round(predict_s, 1),
                "train_accuracy_first_2000": round(float(np.mean(pred == y[:2000])), 3),
            }
        )
    )


def memory_part(args):
    import subprocess
    import tempfile

    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        _pool(Path(tmp) / "pool")  # written once, outside the measured processes
        for model in args.models.split(","):
            for n in sizes:
                chunks = [args.chunk_size] + ([None] if n <= args.in_memory_max else [])
                for chunk in chunks:
                    cfg = {"model": model, "n": n, "chunk_size": chunk, "pool": f"{tmp}/pool"}
                    out = subprocess.run(
                        [sys.executable, __file__, "--child", json.dumps(cfg)],
                        capture_output=True,
                        text=True,
                    )
                    if out.returncode != 0:
                        raise SystemExit(f"{cfg}: failed\n{out.stderr[-3000:]}")
                    rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
                    print(json.dumps(rows[-1]), file=sys.stderr)
    chunked = {
        (r["model"], r["clips"]): r["peak_rss_mb"] for r in rows if r["chunk_size"] is not None
    }
    ratio = {
        model: round(chunked[(model, max(sizes))] / chunked[(model, min(sizes))], 2)
        for model in args.models.split(",")
    }
    result = {
        "benchmark": "bench_scale (memory part)",
        "data": f"N references to 1040 synthetic clips of {POOL_SECONDS} s (pool on disk)",
        "rows": rows,
        "peak_rss_ratio_largest_to_smallest_chunked": ratio,
        "target": "peak RSS at 50k clips < 3 GB and within 1.5x of the 1k run",
    }
    _report(result, args.out)


if __name__ == "__main__":
    main()
