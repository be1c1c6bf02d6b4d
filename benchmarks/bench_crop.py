"""AudioLoader crop="center" against crop="loudest" on ONE fitted default (fold 1 of
the issue folds: actors 01 02 13 held out), for clips re-cut to 1.5-8 s.

The crop only acts at predict time on clips longer than the learnt clip length, so the
same fitted model scores both. Prints one JSON object (about 5 minutes on 2 cores).

    python benchmarks/bench_crop.py
"""

import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_ravdess import DEFAULT_DATA  # noqa: E402
from bench_robustness import conditions  # noqa: E402
from speaker_rows import ISSUE_FOLDS  # noqa: E402

from skser.datasets import load_ravdess  # noqa: E402
from skser.io import load_audio  # noqa: E402
from skser.metrics import unweighted_average_recall  # noqa: E402
from skser.pipeline import make_ser_pipeline  # noqa: E402


def main():
    b = load_ravdess(DEFAULT_DATA)
    X, y, g = np.asarray(b.filenames), np.asarray(b.target), np.asarray(b.groups)
    test = np.isin(g, ISSUE_FOLDS[0])
    t = time.perf_counter()
    pipe = make_ser_pipeline(random_state=0, n_jobs=2).fit(X[~test], y[~test])
    out = {
        "benchmark": "bench_crop",
        "fit_s": round(time.perf_counter() - t, 1),
        "n_samples_": int(pipe.named_steps["load"].n_samples_),
    }
    waves = [load_audio(f, sr=16000)[0] for f in X[test]]
    conds = conditions(16000)
    rng = np.random.default_rng(0)
    for name in ("clean", "re-cut 8 s", "re-cut 3 s", "re-cut 2 s", "re-cut 1.5 s"):
        batch = np.empty(len(waves), dtype=object)
        batch[:] = [conds[name](w, None, rng).astype(np.float32) for w in waves]
        for crop in ("center", "loudest"):
            pipe.set_params(load__crop=crop)
            uar = unweighted_average_recall(y[test], pipe.predict(batch))
            out[f"{name} / {crop}"] = round(float(uar), 4)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
