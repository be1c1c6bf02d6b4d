"""Warm single-clip latency of the SAVED default model (target: <= 20 ms for a 4 s clip).

Trains ``make_ser_pipeline()`` (the default: the fusion of four 1-D CNNs on MFCC +
deltas and a linear model on paralinguistic functionals) on a few RAVDESS actors (training quality does not change the cost of a forward
pass, only the architecture and clip length do), saves it with ``save_model``, loads
it back with ``load_model`` and times ``predict_proba([file])`` on a 4 s file (cut
from a clip of a held-out actor): the median of ``--calls`` calls after 3 warm-up
calls, with the time of decoding and of each branch. Baseline in the same run: the
deep branch's networks through ``keras.Model.predict`` (what scikeras would do).

    python benchmarks/bench_default_latency.py [--actors 01-04] [--epochs 40] [--calls 50]
"""

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_models import timed  # noqa: E402
from bench_ravdess import DEFAULT_DATA, parse_actors  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--data", type=Path, default=Path(os.environ.get("SKSER_RAVDESS_DIR", DEFAULT_DATA))
    )
    ap.add_argument("--actors", default="01-04")
    ap.add_argument("--epochs", type=int, default=40)
    ap.add_argument("--calls", type=int, default=50)
    args = ap.parse_args()

    import soundfile as sf

    import skser
    from skser.datasets import load_ravdess
    from skser.deploy import load_model, save_model
    from skser.io import load_audio
    from skser.pipeline import make_ser_pipeline

    train = load_ravdess(args.data, actors=parse_actors(args.actors))
    held_out = load_ravdess(args.data, actors=[18])
    pipe = make_ser_pipeline(random_state=0, n_jobs=2)
    pipe.set_params(clf__deep__clf__estimator__epochs=args.epochs)
    t0 = time.perf_counter()
    pipe.fit(np.asarray(train.filenames), train.target)
    fit_s = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        bundle = Path(tmp) / "model.skser"
        save_model(pipe, bundle)
        model = load_model(bundle)
        y, sr = load_audio(held_out.filenames[0], sr=16000)
        clip = Path(tmp) / "clip4s.wav"
        sf.write(clip, np.resize(y, 4 * sr), sr)  # exactly 4 s
        files = [str(clip)]
        full = timed(lambda: model.predict_proba(files), args.calls)
        front = timed(lambda: model[:-1].transform(files), args.calls)
        waves = model[:-1].transform(files)
        fusion = model[-1]
        branches = {
            name: round(timed(lambda b=branch: b.predict_proba(waves), args.calls), 2)
            for name, branch in fusion.named_estimators_.items()
        }
        deep = fusion.named_estimators_["deep"]
        feats = deep[:-1].transform(waves)
        members = deep[-1].estimators_
        fast = timed(lambda: deep[-1].predict_proba(feats), args.calls)
        keras_predict = timed(
            lambda: [m.model_.predict(feats, verbose=0) for m in members], args.calls
        )
        same = np.allclose(
            deep[-1].predict_proba(feats),
            np.mean([m.model_.predict(feats, verbose=0) for m in members], axis=0),
            atol=1e-5,
        )
        bundle_kb = bundle.stat().st_size / 1024
    out = {
        "benchmark": "bench_default_latency",
        "model": "make_ser_pipeline() (default), saved and loaded",
        "trained_on": f"RAVDESS actors {args.actors}, {len(train.target)} clips, {args.epochs} epochs",
        "fit_seconds": round(fit_s, 1),
        "model_clip_seconds": round(model[0].n_samples_ / model[0].sr, 3),
        "bundle_kb": round(bundle_kb, 1),
        "clip_seconds": 4.0,
        "calls": args.calls,
        "predict_proba_one_file_ms": round(full, 2),
        "of_which_decoding_ms": round(front, 2),
        "branch_predict_proba_ms": branches,
        "n_networks": len(members),
        "deep_networks_ms": round(fast, 2),
        "baseline_keras_model_predict_deep_networks_ms": round(keras_predict, 2),
        "speedup_vs_keras_predict": round(keras_predict / fast, 2),
        "fast_path_equals_keras_predict": bool(same),
        "target_ms_max": 20.0,
        "machine": {"python": platform.python_version(), "cpu_count": os.cpu_count()},
        "versions": {"skser": skser.__version__},
        "command": "python benchmarks/bench_default_latency.py " + " ".join(sys.argv[1:]),
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
