"""Throughput and memory of AudioLoader + LogMelSpectrogram versus a per-file librosa loop.

Prints one JSON object. Baseline: the recipes' way, one file at a time:
``librosa.load`` -> ``librosa.util.fix_length`` -> ``melspectrogram`` -> ``power_to_db``,
with the same parameters and output length as skser. Both run in this process on the
same clips, alternating, so machine noise hits both alike.

    python benchmarks/bench_features.py [--data DIR] [--limit N] [--repeats R]
"""

import argparse
import json
import os
import time
import tracemalloc
from pathlib import Path

import numpy as np
from _run_info import run_info

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "ravdess-speech-16k"
PARAMS = dict(n_fft=2048, hop_length=512, n_mels=128)


def per_file_loop(paths, sr, n_samples):
    import librosa

    out = []
    for p in paths:
        y, _ = librosa.load(p, sr=sr)
        y = librosa.util.fix_length(y, size=n_samples)
        S = librosa.feature.melspectrogram(y=y, sr=sr, **PARAMS)
        out.append(librosa.power_to_db(S))
    return np.stack(out)


def skser_batched(paths, sr, n_samples, n_jobs):
    from skser.features import LogMelSpectrogram
    from skser.io import AudioLoader

    waves = AudioLoader(sr=sr, duration=n_samples / sr, crop="start", n_jobs=n_jobs).fit_transform(
        paths
    )
    return LogMelSpectrogram(sr=sr, n_jobs=n_jobs, **PARAMS).fit_transform(waves)


def measure(fn, *args):
    tracemalloc.start()
    t0 = time.perf_counter()
    out = fn(*args)
    elapsed = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return out, elapsed, peak


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--data", type=Path, default=Path(os.environ.get("SKSER_RAVDESS_DIR", DEFAULT_DATA))
    )
    ap.add_argument("--limit", type=int, default=None, help="use only the first N clips")
    ap.add_argument("--repeats", type=int, default=2)
    args = ap.parse_args()

    import librosa
    import sklearn

    import skser
    from skser.datasets import load_ravdess

    paths = list(load_ravdess(args.data).filenames)[: args.limit]
    sr = 16000
    import soundfile as sf

    n_samples = max(sf.info(p).frames for p in paths)  # no clip is cropped
    results = {"loop": [], "skser_n_jobs_1": [], "skser_n_jobs_2": []}
    peaks = {}
    outputs = {}
    for _ in range(args.repeats):
        for name, fn, extra in (
            ("loop", per_file_loop, ()),
            ("skser_n_jobs_1", skser_batched, (1,)),
            ("skser_n_jobs_2", skser_batched, (2,)),
        ):
            out, elapsed, peak = measure(fn, paths, sr, n_samples, *extra)
            results[name].append(elapsed)
            peaks[name] = max(peaks.get(name, 0), peak)
            outputs[name] = out
    best = {k: min(v) for k, v in results.items()}
    diff = float(np.abs(outputs["loop"] - outputs["skser_n_jobs_2"]).max())
    report = {
        "benchmark": "AudioLoader + LogMelSpectrogram vs per-file librosa loop",
        "clips": len(paths),
        "clip_seconds": n_samples / sr,
        "params": PARAMS,
        "wall_s_best_of_repeats": best,
        "clips_per_s": {k: len(paths) / v for k, v in best.items()},
        "speedup_vs_loop": {k: best["loop"] / v for k, v in best.items() if k != "loop"},
        "peak_traced_memory_mb": {k: v / 2**20 for k, v in peaks.items()},
        "max_abs_diff_db": diff,
        "output_shape": list(outputs["loop"].shape),
        "repeats": args.repeats,
        **run_info(skser, librosa, np, sklearn),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
