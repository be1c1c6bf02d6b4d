"""Fast screening of default-pipeline ideas on RAVDESS (a standalone Keras script).

Used to choose skser's default pipeline before confirming the winner with
``bench_ravdess.py`` on all 6 folds. It reimplements the candidates directly in Keras
(features computed once, no pipeline overhead) so that one idea costs about a minute
per fold on 2 cores. Each run prints one JSON line and appends it to ``--log``.

    python benchmarks/screen_ravdess.py '{"folds": [0, 1], "feat": "mfcc", "n_mels": 20}'
    python benchmarks/screen_ravdess.py '{"folds": [0, 1], "feat": "mfcc", "n_mels": 20, "norm": "cmn", "deltas": 1}'

Configuration keys (JSON, defaults in ``DEFAULTS``): ``wave`` ("w": clips padded to
the longest, "wt": silence trimmed, 3 s), ``feat`` ("logmel" or "mfcc"), ``n_mels``
(mel bands, or MFCCs for "mfcc"), ``n_fft``, ``hop``, ``deltas`` (0/1), ``chroma`` (0/1: append 12 chroma bands), ``f0`` (0/1: append log2 YIN pitch), ``db``
("batch": MFCC dB floor 80 dB below the loudest clip of the corpus; "clip": below
each clip's own peak), ``norm``
("band": training-fold z-score per band; "cmn": each clip's per-band mean removed
first; "clip": per-clip z-score), ``model`` ("cnn1d", "cnn2d", "crnn"), ``filters``,
``kernel``, ``dropout`` (head; blocks use half), ``epochs``, ``batch``, ``lr``,
``sched`` ("cosine" or "constant"), ``specaug`` (number of SpecAugment masks),
``fmask``/``tmask`` (their widths), ``mixup`` (Beta alpha, 0 = off), ``waug`` (skser
AudioAugmenter copies per training clip), ``seeds`` (networks averaged), ``folds``
(which of the 6 actor folds of bench_ravdess to test), ``tag`` (a label).
"""

import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_ravdess import DEFAULT_DATA, actor_folds  # noqa: E402

DEFAULTS = {
    "wave": "w", "feat": "logmel", "n_mels": 64, "n_fft": 1024, "hop": 256, "deltas": 0,
    "model": "cnn1d", "filters": [64, 128, 256], "kernel": 5, "dropout": 0.3,
    "epochs": 40, "batch": 32, "lr": 1e-3, "sched": "cosine", "specaug": 0, "fmask": 8,
    "tmask": 20, "mixup": 0.0, "seeds": 1, "folds": [0, 1, 2, 3, 4, 5], "norm": "band",
    "waug": 0, "db": "batch", "tag": "",
}  # fmt: skip


def load_waves(data_dir, cache):
    """Decoded clips (padded to the longest; and trimmed to 3 s), labels, actor folds."""
    if cache and Path(cache).is_file():
        d = np.load(cache, allow_pickle=False)
        return {k: d[k] for k in d.files}
    from skser.datasets import load_ravdess
    from skser.io import AudioLoader

    b = load_ravdess(data_dir)
    X, y, g = np.asarray(b.filenames), np.asarray(b.target), np.asarray(b.groups)
    fold_of = actor_folds(g, 6)
    out = {
        "w": AudioLoader(n_jobs=2).fit_transform(X),
        "wt": AudioLoader(n_jobs=2, trim=True, duration=3.0).fit_transform(X),
        "y": y.astype(str),
        "fold": np.array([fold_of[a] for a in g]),
    }
    if cache:
        np.savez(cache, **out)
    return out


def features(W, cfg):
    import librosa

    if cfg["feat"] == "logmel":
        S = librosa.feature.melspectrogram(
            y=W, sr=16000, n_fft=cfg["n_fft"], hop_length=cfg["hop"], n_mels=cfg["n_mels"]
        )
        F = np.maximum(librosa.power_to_db(S, ref=1.0, top_db=None), -100)
    elif cfg.get("db") == "clip":  # dB floor (top_db=80) per clip, as skser's MFCC
        S = librosa.feature.melspectrogram(
            y=W, sr=16000, n_fft=cfg["n_fft"], hop_length=cfg["hop"], n_mels=128
        )
        D = np.stack([librosa.power_to_db(c, ref=1.0, top_db=80.0) for c in S])
        F = librosa.feature.mfcc(S=D, n_mfcc=cfg["n_mels"])
    else:  # dB floor over the whole batch (librosa's mfcc on a 2-D batch)
        F = librosa.feature.mfcc(
            y=W, sr=16000, n_mfcc=cfg["n_mels"], n_fft=cfg["n_fft"], hop_length=cfg["hop"]
        )
    if cfg["deltas"]:
        F = np.concatenate([F, librosa.feature.delta(F, axis=-1)], axis=1)
    if cfg.get("f0"):  # log2 of the YIN pitch track, one band (same frames)
        f0 = librosa.yin(W, fmin=60, fmax=500, sr=16000, frame_length=2048, hop_length=512)
        F = np.concatenate([F, np.log2(f0)[:, None, :]], axis=1)
    if cfg.get("chroma"):  # 12 chroma bands (same frames)
        C = librosa.feature.chroma_stft(y=W, sr=16000, n_fft=cfg["n_fft"], hop_length=cfg["hop"])
        F = np.concatenate([F, C], axis=1)
    return F.astype("float32")


def build(shape, n_classes, cfg):
    import keras
    from keras import layers, ops

    class SpecAugment(layers.Layer):
        def __init__(self, n, fmask, tmask, **kw):
            super().__init__(**kw)
            self.n, self.fmask, self.tmask = n, fmask, tmask
            self.gen = keras.random.SeedGenerator(1)

        def call(self, x, training=False):
            if not training:
                return x
            b, B, T = ops.shape(x)[0], x.shape[1], x.shape[2]
            fr, tr = ops.arange(B)[None, :, None], ops.arange(T)[None, None, :]
            mask = ops.ones_like(x)
            for _ in range(self.n):
                fw = keras.random.randint((b, 1, 1), 0, self.fmask + 1, seed=self.gen)
                f0 = keras.random.randint((b, 1, 1), 0, B - self.fmask, seed=self.gen)
                tw = keras.random.randint((b, 1, 1), 0, self.tmask + 1, seed=self.gen)
                t0 = keras.random.randint((b, 1, 1), 0, T - self.tmask, seed=self.gen)
                m = ops.logical_or(
                    ops.logical_and(fr >= f0, fr < f0 + fw), ops.logical_and(tr >= t0, tr < t0 + tw)
                )
                mask = mask * (1.0 - ops.cast(m, x.dtype))
            return x * mask

    x = inp = keras.Input(shape)
    if cfg["specaug"]:
        x = SpecAugment(cfg["specaug"], cfg["fmask"], cfg["tmask"])(x)
    if cfg["model"] == "cnn1d":
        x = layers.Permute((2, 1))(x)
        for f in cfg["filters"]:
            x = layers.Conv1D(f, cfg["kernel"], padding="same", use_bias=False)(x)
            x = layers.ReLU()(layers.BatchNormalization()(x))
            x = layers.Dropout(cfg["dropout"] / 2)(layers.MaxPooling1D(2)(x))
    else:  # cnn2d / crnn
        x = layers.Reshape(shape + (1,))(x)
        for f in cfg["filters"]:
            x = layers.Conv2D(f, 3, padding="same", use_bias=False)(x)
            x = layers.ReLU()(layers.BatchNormalization()(x))
            x = layers.Dropout(cfg["dropout"] / 2)(layers.MaxPooling2D(2)(x))
        if cfg["model"] == "cnn2d":
            x = layers.Lambda(lambda t: ops.mean(t, axis=1))(x)
        else:
            x = layers.Permute((2, 1, 3))(x)
            x = layers.Reshape((x.shape[1], x.shape[2] * x.shape[3]))(x)
            x = layers.Bidirectional(layers.GRU(64, return_sequences=True))(x)
    x = layers.Concatenate()([layers.GlobalAveragePooling1D()(x), layers.GlobalMaxPooling1D()(x)])
    x = layers.Dropout(cfg["dropout"])(x)
    return keras.Model(inp, layers.Dense(n_classes, activation="softmax")(x))


def main():
    cfg = dict(DEFAULTS)
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    cfg.update(json.loads(args[0]) if args else {})
    opts = dict(a[2:].split("=", 1) for a in sys.argv[1:] if a.startswith("--"))
    data_dir = Path(opts.get("data", os.environ.get("SKSER_RAVDESS_DIR", DEFAULT_DATA)))
    data = load_waves(data_dir, opts.get("cache", "/tmp/skser-screen-waves.npz"))
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras
    from sklearn.metrics import recall_score

    W, y, fold = data[cfg["wave"]], data["y"], data["fold"]
    classes = np.unique(y)
    yi = np.searchsorted(classes, y)
    t0 = time.time()
    F = features(W, cfg)
    t_feat = time.time() - t0
    scores, t_train = [], 0.0
    for k in cfg["folds"]:
        tr, te = fold != k, fold == k
        Xtr, Xte, ytr = F[tr], F[te], yi[tr]
        if cfg["waug"]:
            from skser.augment import AudioAugmenter

            aug = AudioAugmenter(n_augment=cfg["waug"], random_state=k, n_jobs=2)
            Wa, ytr = aug.fit_resample(W[tr], ytr)
            Xtr = features(Wa, cfg)
        if cfg["norm"] == "clip":
            Xtr = (Xtr - Xtr.mean(2, keepdims=True)) / (Xtr.std(2, keepdims=True) + 1e-6)
            Xte = (Xte - Xte.mean(2, keepdims=True)) / (Xte.std(2, keepdims=True) + 1e-6)
        if cfg["norm"] == "cmn":
            Xtr, Xte = Xtr - Xtr.mean(2, keepdims=True), Xte - Xte.mean(2, keepdims=True)
        mu = Xtr.mean(axis=(0, 2), keepdims=True)
        sd = Xtr.std(axis=(0, 2), keepdims=True) + 1e-6
        Xtr, Xte = (Xtr - mu) / sd, (Xte - mu) / sd
        Ytr = np.eye(len(classes), dtype="float32")[ytr]
        P = 0
        for s in range(cfg["seeds"]):
            keras.utils.set_random_seed(1000 * k + s)
            rng = np.random.default_rng(1000 * k + s)
            model = build(Xtr.shape[1:], len(classes), cfg)
            steps = int(np.ceil(len(Xtr) / cfg["batch"])) * cfg["epochs"]
            lr = (
                keras.optimizers.schedules.CosineDecay(cfg["lr"], steps)
                if cfg["sched"] == "cosine"
                else cfg["lr"]
            )
            model.compile(keras.optimizers.Adam(lr), keras.losses.CategoricalCrossentropy())
            t1 = time.time()
            if cfg["mixup"] > 0:
                for _ in range(cfg["epochs"]):
                    idx = rng.permutation(len(Xtr))
                    for b0 in range(0, len(idx), cfg["batch"]):
                        b = idx[b0 : b0 + cfg["batch"]]
                        lam = rng.beta(cfg["mixup"], cfg["mixup"], size=(len(b), 1))
                        lam = lam.astype("float32")
                        p = rng.permutation(len(b))
                        xb = lam[:, :, None] * Xtr[b] + (1 - lam[:, :, None]) * Xtr[b][p]
                        model.train_on_batch(xb, lam * Ytr[b] + (1 - lam) * Ytr[b][p])
            else:
                model.fit(Xtr, Ytr, batch_size=cfg["batch"], epochs=cfg["epochs"], verbose=0)
            t_train += time.time() - t1
            P = P + model.predict(Xte, verbose=0, batch_size=128)
        scores.append(recall_score(yi[te], P.argmax(1), average="macro"))
    out = {
        "cfg": cfg,
        "uar": round(float(np.mean(scores)), 4),
        "std": round(float(np.std(scores)), 4),
        "per_fold": [round(float(v), 4) for v in scores],
        "train_s": round(t_train, 1),
        "feat_s": round(t_feat, 1),
    }
    print(json.dumps(out), flush=True)
    if opts.get("log"):
        with open(opts["log"], "a") as fh:
            fh.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
