"""Cold start of `skser predict` on one file, and where the time goes.

Prints one JSON object. Trains a small CRNN pipeline on the synthetic corpus, saves it
as a bundle, then runs ``python -m skser predict MODEL clip.wav`` ``--runs`` times as
new processes (the first pays the operating system's cold file cache; the target is
for the second). A separate process times the stages: Python start + ``import skser``,
importing TensorFlow, loading the bundle, the first prediction (with XLA compilation)
and a second, warm prediction.

    python benchmarks/bench_cli.py [--runs 3]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STAGES = r"""
import json, sys, time
t0 = time.perf_counter()
import skser.cli
t1 = time.perf_counter()
import tensorflow
t2 = time.perf_counter()
from skser.deploy import load_model
model = load_model(sys.argv[1])
t3 = time.perf_counter()
model.predict_proba([sys.argv[2]])
t4 = time.perf_counter()
model.predict_proba([sys.argv[2]])
t5 = time.perf_counter()
print(json.dumps({"import_skser_cli_s": t1 - t0, "import_tensorflow_s": t2 - t1,
                  "load_bundle_s": t3 - t2, "first_prediction_s": t4 - t3,
                  "warm_prediction_s": t5 - t4}))
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()

    import numpy as np

    from skser.datasets import make_synthetic_speech
    from skser.deploy import save_model
    from skser.models import CRNNClassifier
    from skser.pipeline import make_ser_pipeline

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        corpus = make_synthetic_speech(
            n_actors=2, n_clips_per_emotion=2, duration=4.0, random_state=0, out_dir=tmp / "c"
        )
        pipe = make_ser_pipeline("logmel", CRNNClassifier(epochs=1), random_state=0)
        pipe.fit(np.asarray(corpus.filenames), corpus.target)
        model = tmp / "model.skser"
        save_model(pipe, model)
        clip = corpus.filenames[0]
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
        runs = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, "-m", "skser", "predict", str(model), clip],
                capture_output=True,
                text=True,
                env=env,
            )
            runs.append(round(time.perf_counter() - t0, 2))
            assert proc.returncode == 0, proc.stderr
        stages = json.loads(
            subprocess.run(
                [sys.executable, "-c", STAGES, str(model), clip],
                capture_output=True,
                text=True,
                env=env,
                check=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        result = {
            "benchmark": "bench_cli",
            "cpu_count": os.cpu_count(),
            "model": "logmel(128) -> CRNNClassifier defaults, 4 s clips",
            "bundle_bytes": model.stat().st_size,
            "predict_one_file_wall_s": runs,
            "second_invocation_s": runs[1] if len(runs) > 1 else None,
            "target_s_max": 8.0,
            "stages_s": {k: round(v, 3) for k, v in stages.items()},
            "command": "python benchmarks/" + Path(__file__).name,
        }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
