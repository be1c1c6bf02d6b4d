"""Cost of AudioAugmenter on a RAVDESS-sized training fold versus librosa's effects.

Prints one JSON object. The clips are the shared RAVDESS copy (16 kHz, padded to the
longest clip). skser: ``AudioAugmenter(n_augment=2)`` with its default effect
probabilities on all clips: ``n_fft=2048`` (librosa's frame, one thread) and the
default ``n_fft=512`` with ``n_jobs`` 1 and 2. Baseline, measured in the same run on
the first ``--baseline-copies`` copies of the same plan: the recipes' way, one
``librosa.effects.time_stretch`` and one ``librosa.effects.pitch_shift`` call per
copy (librosa's default n_fft=2048), same noise and shift code.

    python benchmarks/bench_augment.py [--data DIR] [--limit N] [--baseline-copies K]
"""

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "ravdess-speech-16k"


def librosa_copy(y, sr, rate, steps, shift, snr, seed):
    import librosa

    from skser.augment._effects import add_noise, fit_to_length, shift_in_time

    out = y
    if rate != 1.0:
        out = librosa.effects.time_stretch(out, rate=rate)
    if steps != 0.0:
        out = librosa.effects.pitch_shift(out, sr=sr, n_steps=steps)
    out = fit_to_length(out, len(y))
    if shift:
        out = shift_in_time(out, shift)
    if not np.isnan(snr):
        out = add_noise(out, snr, np.random.default_rng(seed))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--data", type=Path, default=Path(os.environ.get("SKSER_RAVDESS_DIR", DEFAULT_DATA))
    )
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--baseline-copies", type=int, default=200)
    args = ap.parse_args()

    import librosa

    import skser
    from skser.augment import AudioAugmenter
    from skser.datasets import load_ravdess
    from skser.io import AudioLoader

    bunch = load_ravdess(args.data)
    paths = list(bunch.filenames)[: args.limit]
    y = np.asarray(bunch.target)[: len(paths)]
    X = AudioLoader(sr=16000, n_jobs=2).fit_transform(paths)
    result = {
        "benchmark": "bench_augment",
        "machine": {"python": platform.python_version(), "cpu_count": os.cpu_count()},
        "versions": {"skser": skser.__version__, "librosa": librosa.__version__},
        "clips": len(paths),
        "clip_seconds": X.shape[1] / 16000,
        "n_augment": 2,
        "skser": {},
    }
    for n_fft, n_jobs in ((2048, 1), (512, 1), (512, 2)):
        aug = AudioAugmenter(n_augment=2, random_state=0, n_jobs=n_jobs, n_fft=n_fft)
        t0 = time.perf_counter()
        Xa, _ = aug.fit_resample(X, y)
        elapsed = time.perf_counter() - t0
        result["skser"][f"n_fft_{n_fft}_n_jobs_{n_jobs}"] = {
            "seconds": round(elapsed, 2),
            "copies": len(aug.augmentations_),
            "ms_per_copy": round(1000 * elapsed / len(aug.augmentations_), 2),
        }
    log = aug.augmentations_
    result["share_of_copies"] = {
        "noise": round(float(log["noise_snr"].notna().mean()), 3),
        "stretch": round(float((log["stretch_rate"] != 1.0).mean()), 3),
        "pitch": round(float((log["pitch_steps"] != 0.0).mean()), 3),
        "shift": round(float((log["shift_samples"] != 0).mean()), 3),
    }
    k = min(args.baseline_copies, len(log))
    seeds = np.random.default_rng(0).integers(0, 2**31 - 1, size=k)
    t0 = time.perf_counter()
    for i in range(k):
        row = log.iloc[i]
        librosa_copy(
            X[int(row.source)],
            16000,
            row.stretch_rate,
            row.pitch_steps,
            int(row.shift_samples),
            row.noise_snr,
            seeds[i],
        )
    base = (time.perf_counter() - t0) / k
    result["baseline_librosa_effects"] = {
        "copies_timed": k,
        "ms_per_copy": round(1000 * base, 2),
        "seconds_extrapolated_to_all_copies": round(base * len(log), 1),
    }
    result["speedup_vs_librosa"] = {
        name: round(1000 * base / r["ms_per_copy"], 2) for name, r in result["skser"].items()
    }
    result["command"] = "python benchmarks/" + Path(__file__).name
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
