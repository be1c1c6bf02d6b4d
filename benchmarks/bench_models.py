"""Wrapper overhead of CRNNClassifier and warm single-clip latency of a fitted pipeline.

Prints one JSON object with two parts.

1. ``training``: wall time of ``CRNNClassifier.fit`` versus a plain Keras script of the
   same network (``build_crnn`` + ``compile`` + ``fit`` on integer labels), on the same
   log-mel-shaped data (128 mels x 126 frames, S1's shape for a 4 s clip), after one
   warm-up fit of each, alternating which goes first over ``--repeats`` rounds so
   machine noise hits both alike. Both times include
   building and compiling the network; per-epoch times exclude the first (tracing)
   epoch. Target: overhead <= 5 %.
2. ``latency``: warm single-clip prediction of a fitted pipeline
   ``AudioLoader(4 s) -> LogMelSpectrogram(128) -> PerSampleStandardScaler ->
   CRNNClassifier`` on one 4 s audio file, median of ``--calls`` calls; the baseline is
   the same pipeline step calling ``keras.Model.predict`` instead of skser's compiled
   fast path. Target: <= 20 ms.

    python benchmarks/bench_models.py [--clips N] [--epochs E] [--repeats R] [--calls C]
"""

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np


def make_data(n_clips, n_classes=8, shape=(128, 126), seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_clips, *shape)).astype(np.float32)
    y_int = np.arange(n_clips) % n_classes
    return X, y_int


class EpochTimer:
    """A Keras callback recording each epoch's wall time."""

    def __new__(cls):
        import keras

        class _Timer(keras.callbacks.Callback):
            def on_train_begin(self, logs=None):
                self.times = []

            def on_epoch_begin(self, epoch, logs=None):
                self._t0 = time.perf_counter()

            def on_epoch_end(self, epoch, logs=None):
                self.times.append(time.perf_counter() - self._t0)

        return _Timer()


def plain_keras(X, y_int, epochs, seed):
    import keras

    from skser.models import build_crnn

    keras.utils.set_random_seed(seed)
    t0 = time.perf_counter()
    model = build_crnn(X.shape[1:], int(y_int.max()) + 1)
    model.compile(
        optimizer=keras.optimizers.Adam(1e-4),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    timer = EpochTimer()
    model.fit(X, y_int, batch_size=32, epochs=epochs, callbacks=[timer], verbose=0)
    return time.perf_counter() - t0, timer.times


def skser_wrapper(X, y_str, epochs, seed):
    from skser.models import CRNNClassifier

    t0 = time.perf_counter()
    clf = CRNNClassifier(epochs=epochs, random_state=seed).fit(X, y_str)
    return time.perf_counter() - t0, clf


def training_overhead(n_clips, epochs, repeats):
    X, y_int = make_data(n_clips)
    y_str = np.array([f"emotion{k}" for k in y_int])
    plain_keras(X[:64], y_int[:64], 1, seed=0)  # warm-up: TensorFlow's one-time start-up
    skser_wrapper(X[:64], y_str[:64], 1, seed=0)
    plain, wrapped, plain_epochs = [], [], []
    for r in range(repeats):
        order = ("plain", "skser") if r % 2 == 0 else ("skser", "plain")
        for which in order:
            if which == "plain":
                t, epoch_times = plain_keras(X, y_int, epochs, seed=r)
                plain.append(t)
                plain_epochs += epoch_times[1:]
            else:
                wrapped.append(skser_wrapper(X, y_str, epochs, seed=r)[0])
    p, w = statistics.median(plain), statistics.median(wrapped)
    return {
        "data_shape": list(X.shape),
        "epochs": epochs,
        "repeats": repeats,
        "plain_keras_fit_s": [round(t, 3) for t in plain],
        "crnn_classifier_fit_s": [round(t, 3) for t in wrapped],
        "plain_keras_epoch_s_median": round(statistics.median(plain_epochs), 3),
        "overhead_ratio_median": round(w / p, 4),
        "overhead_percent_median": round(100 * (w / p - 1), 2),
        "target_percent_max": 5.0,
    }


def timed(fn, calls):
    """Median wall time in ms of ``calls`` calls of ``fn``, after 3 warm-up calls."""
    for _ in range(3):
        fn()
    out = []
    for _ in range(calls):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return 1000 * statistics.median(out)


def single_clip_latency(calls):
    import soundfile as sf
    from imblearn.pipeline import Pipeline

    from skser.datasets import make_synthetic_speech
    from skser.features import LogMelSpectrogram, PerSampleStandardScaler
    from skser.io import AudioLoader
    from skser.models import CRNNClassifier

    with tempfile.TemporaryDirectory() as tmp:
        bunch = make_synthetic_speech(
            n_actors=2, n_clips_per_emotion=2, duration=4.0, random_state=0, out_dir=tmp
        )
        pipe = Pipeline(
            [
                ("load", AudioLoader(sr=16000, duration=4.0)),
                ("features", LogMelSpectrogram(n_mels=128, n_fft=2048, hop_length=512)),
                ("norm", PerSampleStandardScaler()),
                ("clf", CRNNClassifier(epochs=1, random_state=0)),
            ]
        ).fit(np.asarray(bunch.filenames), bunch.target)
        clip = [bunch.filenames[0]]
        assert sf.info(clip[0]).duration == 4.0

        features = pipe[:-1].transform(clip)
        model = pipe[-1].model_
        fast = timed(lambda: pipe.predict_proba(clip), calls)
        front = timed(lambda: pipe[:-1].transform(clip), calls)
        keras_predict = timed(lambda: model.predict(features, verbose=0), calls)
        fast_model = timed(lambda: pipe[-1].predict_proba(features), calls)
        same = np.allclose(pipe.predict_proba(clip), model.predict(features, verbose=0), atol=1e-6)
    return {
        "clip_seconds": 4.0,
        "calls": calls,
        "pipeline_predict_proba_ms": round(fast, 2),
        "of_which_loading_and_features_ms": round(front, 2),
        "classifier_fast_path_ms": round(fast_model, 2),
        "baseline_keras_model_predict_ms": round(keras_predict, 2),
        "pipeline_with_keras_predict_ms_estimate": round(front + keras_predict, 2),
        "speedup_fast_path_vs_keras_predict": round(keras_predict / fast_model, 2),
        "fast_path_equals_keras_predict": bool(same),
        "target_ms_max": 20.0,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clips", type=int, default=256)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--calls", type=int, default=50)
    args = ap.parse_args()

    import keras
    import scikeras
    import sklearn
    import tensorflow as tf

    import skser

    result = {
        "benchmark": "bench_models",
        "machine": {
            "python": platform.python_version(),
            "cpu_count": os.cpu_count(),
            "platform": platform.platform(),
        },
        "versions": {
            "skser": skser.__version__,
            "keras": keras.__version__,
            "tensorflow": tf.__version__,
            "scikeras": scikeras.__version__,
            "scikit-learn": sklearn.__version__,
        },
        "training": training_overhead(args.clips, args.epochs, args.repeats),
        "latency": single_clip_latency(args.calls),
        "command": "python benchmarks/" + Path(__file__).name,
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
