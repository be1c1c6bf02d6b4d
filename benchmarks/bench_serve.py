"""Latency, throughput and memory of ``skser serve`` on loopback, for 4 s clips.

Trains the default model (``make_ser_pipeline()``) on a few RAVDESS actors (a few
epochs: training quality does not change the cost of a prediction), saves the bundle,
starts ``skser serve --port 0`` as a separate process and sends it ``POST /predict``
requests with a 4 s WAV file (cut from a held-out actor's clip) from 1, 4 and 16
concurrent clients (keep-alive connections, one per client), each level bounded by
``--requests`` requests and ``--seconds`` seconds. Reported: p50/p99 latency and
requests/s per level, and the server's resident memory (RSS, from /proc) after a
100-request warm-up and after ``--memory-requests`` more. Baseline in the same run:
the in-process warm ``load_model(bundle).predict_proba([file])`` of the same file, so
the HTTP cost is the difference.

    python benchmarks/bench_serve.py [--actors 01-04] [--epochs 3] [--requests 300]
        [--seconds 40] [--memory-requests 1000] [--out results/serve.json]
"""

import argparse
import json
import os
import platform
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_ravdess import DEFAULT_DATA, parse_actors  # noqa: E402


def rss_mb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def load(url, clip, clients, n_requests, seconds):
    """Send up to ``n_requests`` (and for at most ``seconds``) from ``clients`` threads."""
    import httpx

    data = Path(clip).read_bytes()
    latencies, errors = [], []
    lock = threading.Lock()
    sent = [0]
    t_end = time.perf_counter() + seconds

    def client():
        with httpx.Client(timeout=120) as http:
            while True:
                with lock:
                    if sent[0] >= n_requests or time.perf_counter() > t_end:
                        return
                    sent[0] += 1
                t0 = time.perf_counter()
                reply = http.post(url + "predict", files={"file": ("clip.wav", data)})
                dt = time.perf_counter() - t0
                with lock:
                    (latencies if reply.status_code == 200 else errors).append(dt)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    ms = np.array(latencies) * 1000
    return {
        "clients": clients,
        "requests": len(latencies),
        "errors": len(errors),
        "seconds": round(wall, 2),
        "requests_per_s": round(len(latencies) / wall, 2),
        "p50_ms": round(float(np.percentile(ms, 50)), 1),
        "p99_ms": round(float(np.percentile(ms, 99)), 1),
        "max_ms": round(float(ms.max()), 1),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--data", type=Path, default=Path(os.environ.get("SKSER_RAVDESS_DIR", DEFAULT_DATA))
    )
    ap.add_argument("--actors", default="01-04")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--requests", type=int, default=300, help="per concurrency level")
    ap.add_argument("--seconds", type=float, default=40.0, help="per concurrency level")
    ap.add_argument("--memory-requests", type=int, default=1000)
    ap.add_argument("--out", type=Path)
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
    pipe.fit(np.asarray(train.filenames), train.target)
    with tempfile.TemporaryDirectory() as tmp:
        bundle = Path(tmp) / "model.skser"
        save_model(pipe, bundle)
        y, sr = load_audio(held_out.filenames[0], sr=16000)
        clip = Path(tmp) / "clip4s.wav"
        sf.write(clip, np.resize(y, 4 * sr), sr)  # exactly 4 s

        model = load_model(bundle)
        for _ in range(3):
            model.predict_proba([str(clip)])
        inproc = []
        for _ in range(50):
            t0 = time.perf_counter()
            model.predict_proba([str(clip)])
            inproc.append(time.perf_counter() - t0)
        baseline_ms = round(1000 * float(np.median(inproc)), 1)
        del model

        proc = subprocess.Popen(
            [sys.executable, "-m", "skser", "serve", str(bundle), "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            line = proc.stdout.readline()
            url = re.search(r"at (http://\S+/)", line)[1]
            warm = load(url, clip, 1, 100, 120)
            rss_warm = rss_mb(proc.pid)
            levels = [load(url, clip, c, args.requests, args.seconds) for c in (1, 4, 16)]
            rss_before = rss_mb(proc.pid)
            memory_run = load(url, clip, 4, args.memory_requests, 3600)
            rss_after = rss_mb(proc.pid)
        finally:
            proc.send_signal(signal.SIGINT)
            proc.communicate(timeout=60)

    result = {
        "benchmark": "bench_serve",
        "model": "make_ser_pipeline() (default), saved bundle, served by skser serve",
        "trained_on": f"RAVDESS actors {args.actors}, {len(train.filenames)} clips, "
        f"{args.epochs} epochs",
        "clip_seconds": 4.0,
        "baseline_in_process_predict_proba_p50_ms": baseline_ms,
        "warm_up": warm,
        "levels": levels,
        "memory": {
            "rss_after_warm_up_mb": round(rss_warm, 1),
            "rss_before_mb": round(rss_before, 1),
            "requests": memory_run["requests"],
            "errors": memory_run["errors"],
            "rss_after_mb": round(rss_after, 1),
            "growth_mb": round(rss_after - rss_before, 1),
            "growth_fraction": round((rss_after - rss_before) / rss_before, 4),
        },
        "machine": {"python": platform.python_version(), "cpu_count": os.cpu_count()},
        "versions": {"skser": skser.__version__},
        "command": "python benchmarks/bench_serve.py " + " ".join(sys.argv[1:]),
    }
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
