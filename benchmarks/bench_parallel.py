"""Parallel training and features of the default on 2 cores: threads versus processes.

Prints one JSON object. Two measurements on real RAVDESS clips (the training actors of
the first issue fold: every actor but 01, 02 and 13), each a ratio against a baseline
measured in the same process, the variants alternating over ``--repeats`` rounds so
machine noise hits them alike:

- ``ParalinguisticFunctionals`` (the default's linear branch) on ``--clips`` clips:
  one process (``n_jobs=None``); two threads (the previous ``n_jobs=2``, reproduced with
  ``joblib.parallel_config(backend="threading")``); two worker processes (``n_jobs=2``
  now). Reports the largest difference between the outputs (0: same values).
- The default's CNN ensemble (four ``cnn1d_pool`` networks of the fusion's deep branch,
  ``--epochs`` epochs each) on the deep branch's features of those training clips:
  in this process with TensorFlow's own threads (``n_jobs=None``, the baseline), in one
  worker process on one thread (``n_jobs=1``) and in two (``n_jobs=2``). The time
  includes starting the workers. Reports whether ``n_jobs=1`` and ``n_jobs=2`` give the
  same probabilities (they should: one TensorFlow thread each).

    python benchmarks/bench_parallel.py [--data DIR] [--clips N] [--epochs E] [--repeats R]
"""

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np
from _run_info import run_info
from bench_ravdess import DEFAULT_DATA
from speaker_rows import ISSUE_FOLDS

TEST_ACTORS = ISSUE_FOLDS[0]  # the first fold's held-out actors: 01, 02, 13


def _timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def bench_functionals(waves, repeats):
    from joblib import parallel_config

    from skser.features import ParalinguisticFunctionals

    def run(n_jobs, backend=None):
        pf = ParalinguisticFunctionals(n_jobs=n_jobs).fit(waves)
        if backend is None:
            return pf.transform(waves)
        with parallel_config(backend=backend):
            return pf.transform(waves)

    variants = {
        "one_process": lambda: run(None),
        "two_threads": lambda: run(2, "threading"),
        "two_processes": lambda: run(2),
    }
    run(2)  # start the worker processes once (joblib keeps them for later calls)
    times = {k: [] for k in variants}
    outputs = {}
    for _ in range(repeats):
        for name, fn in variants.items():
            outputs[name], seconds = _timed(fn)
            times[name].append(seconds)
    best = {k: min(v) for k, v in times.items()}
    return {
        "clips": len(waves),
        "wall_s_best_of_repeats": best,
        "ms_per_clip": {k: 1e3 * v / len(waves) for k, v in best.items()},
        "speedup_vs_one_process": {k: best["one_process"] / v for k, v in best.items()},
        "two_processes_vs_two_threads": best["two_threads"] / best["two_processes"],
        "max_abs_diff": {
            k: float(np.abs(outputs[k] - outputs["one_process"]).max())
            for k in ("two_threads", "two_processes")
        },
    }


def bench_ensemble(waves, y, epochs, repeats):
    from sklearn.base import clone

    from skser.pipeline import make_ser_pipeline

    deep = make_ser_pipeline(random_state=0).named_steps["clf"].estimators[0][1]
    features = clone(deep[1:-1])  # level, features, speaker, normalise (no augmenter)
    X = features.fit_transform(waves, y)
    ensemble = clone(deep.named_steps["clf"]).set_params(estimator__epochs=epochs)
    variants = {"in_process": None, "one_worker": 1, "two_workers": 2}
    times = {k: [] for k in variants}
    probas = {}
    for _ in range(repeats):
        for name, n_jobs in variants.items():
            fitted, seconds = _timed(
                lambda n=n_jobs: clone(ensemble).set_params(n_jobs=n).fit(X, y)
            )
            times[name].append(seconds)
            probas[name] = fitted.predict_proba(X[:200])
    best = {k: min(v) for k, v in times.items()}
    return {
        "members": ensemble.n_estimators,
        "epochs": epochs,
        "features_shape": list(X.shape),
        "wall_s_best_of_repeats": best,
        "speedup_vs_in_process": {k: best["in_process"] / v for k, v in best.items()},
        "workers_same_probabilities": bool(
            np.array_equal(probas["one_worker"], probas["two_workers"])
        ),
        "max_abs_diff_in_process_vs_workers": float(
            np.abs(probas["in_process"] - probas["two_workers"]).max()
        ),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--data", type=Path, default=Path(os.environ.get("SKSER_RAVDESS_DIR", DEFAULT_DATA))
    )
    ap.add_argument("--clips", type=int, default=300, help="clips for the functionals")
    ap.add_argument("--epochs", type=int, default=10, help="epochs of each network")
    ap.add_argument("--repeats", type=int, default=2)
    args = ap.parse_args()

    import keras
    import librosa
    import sklearn

    import skser
    from skser.datasets import load_ravdess
    from skser.io import AudioLoader

    bunch = load_ravdess(args.data)
    train = ~np.isin(np.asarray(bunch.groups), TEST_ACTORS)
    paths, y = np.asarray(bunch.filenames)[train], np.asarray(bunch.target)[train]
    waves = AudioLoader(sr=16000, n_jobs=2).fit_transform(paths)
    report = {
        "benchmark": "threads versus worker processes for the default's functionals and "
        "CNN ensemble",
        "training_clips": len(y),
        "functionals": bench_functionals(waves[: args.clips], args.repeats),
        "cnn_ensemble": bench_ensemble(waves, y, args.epochs, args.repeats),
        "repeats": args.repeats,
        **run_info(skser, keras, librosa, np, sklearn),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
