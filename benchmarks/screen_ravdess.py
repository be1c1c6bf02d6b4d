"""Fast screening of default-pipeline ideas on RAVDESS (a standalone Keras script).

Used to choose skser's default pipeline before confirming the winner with
``bench_ravdess.py`` on all 6 folds. It reimplements the candidates directly in Keras
(features computed once, no pipeline overhead) so that one idea costs about a minute
per fold on 2 cores. Each run prints one JSON line and appends it to ``--log``.

    python benchmarks/screen_ravdess.py '{"folds": [0, 1], "feat": "mfcc", "n_mels": 20}'
    python benchmarks/screen_ravdess.py '{"folds": [0, 1], "feat": "mfcc", "n_mels": 20, "norm": "cmn", "deltas": 1}'

Configuration keys (JSON, defaults in ``DEFAULTS``): ``wave`` ("w": clips padded to
the longest, "wt": silence trimmed, 3 s), ``feat`` ("logmel" or "mfcc"), ``n_mels``
(mel bands, or MFCCs for "mfcc"), ``n_fft``, ``hop``, ``deltas`` (0/1), ``chroma`` (0/1: append 12 chroma bands), ``f0`` (0/1: append log2 YIN pitch), ``lm`` (append that many log-mel bands), ``db``
("batch": MFCC dB floor 80 dB below the loudest clip of the corpus; "clip": below
each clip's own peak), ``norm``
("band": training-fold z-score per band; "cmn": each clip's per-band mean removed
first; "clip": per-clip z-score), ``model`` ("cnn1d", "cnn2d", "crnn"), ``filters``,
``kernel``, ``dropout`` (head; blocks use half), ``epochs``, ``batch``, ``lr``,
``sched`` ("cosine" or "constant"), ``specaug`` (number of SpecAugment masks),
``fmask``/``tmask`` (their widths), ``mixup`` (Beta alpha, 0 = off), ``waug`` (skser
AudioAugmenter copies per training clip), ``seeds`` (networks averaged), ``folds``
(which of the 6 actor folds of bench_ravdess to test), ``tag`` (a label), ``ls``
(label smoothing), ``crop`` (train on one random window of that many frames per
batch), ``block`` ("plain" or "res": two convolutions with a skip), ``rnn`` (units of
a BiGRU after the convolutions, 0 = none), ``attn`` (units of an attention pooling
added to the average and max pooling, 0 = none), ``fshift`` (roll bands by up to
that many, training only), ``ens`` (a list of overrides: one member per entry, their
probabilities averaged).

Options: ``--feat-cache=DIR`` keeps features per feature configuration,
``--features-only`` just fills that cache, ``--save-proba=FILE.npz`` writes the
out-of-fold class probabilities (ensembles of runs can then be scored offline) and
``--log=FILE`` appends the JSON line.
"""

import hashlib
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
    "waug": 0, "db": "batch", "tag": "", "ls": 0.0, "crop": 0, "block": "plain",
    "rnn": 0, "attn": 0, "fshift": 0, "ens": [],
}  # fmt: skip
FEATURE_KEYS = ("wave", "feat", "n_mels", "n_fft", "hop", "deltas", "chroma", "f0", "db", "lm")


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
    if cfg.get("lm"):  # append that many log-mel bands (same frames)
        S = librosa.feature.melspectrogram(
            y=W, sr=16000, n_fft=cfg["n_fft"], hop_length=cfg["hop"], n_mels=cfg["lm"]
        )
        F = np.concatenate([F, np.maximum(librosa.power_to_db(S, top_db=None), -100)], axis=1)
    if cfg.get("chroma"):  # 12 chroma bands (same frames)
        C = librosa.feature.chroma_stft(y=W, sr=16000, n_fft=cfg["n_fft"], hop_length=cfg["hop"])
        F = np.concatenate([F, C], axis=1)
    return F.astype("float32")


def feature_cache(W, cfg, cache_dir):
    """``features(W, cfg)``, kept in ``cache_dir`` keyed by the feature keys."""
    key = json.dumps({k: cfg[k] for k in FEATURE_KEYS if cfg.get(k) is not None}, sort_keys=True)
    name = hashlib.sha1(key.encode()).hexdigest()[:12] + ".npy"
    path = Path(cache_dir) / name if cache_dir else None
    if path is not None and path.is_file():
        return np.load(path)
    if W is None:
        raise FileNotFoundError(f"no cached features {path} for {key}")
    F = features(W, cfg)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, F)
    return F


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

    class TimeCrop(layers.Layer):
        """Training only: one random window of ``n`` frames per batch (bands, time)."""

        def __init__(self, n, **kw):
            super().__init__(**kw)
            self.n = n
            self.gen = keras.random.SeedGenerator(2)

        def call(self, x, training=False):
            T = x.shape[2]
            if not training or self.n >= T:
                return x
            t0 = keras.random.randint((), 0, T - self.n + 1, seed=self.gen)
            return ops.slice(x, (0, 0, t0), (ops.shape(x)[0], x.shape[1], self.n))

        def compute_output_shape(self, s):
            return s

    class BandShift(layers.Layer):
        """Training only: roll each clip's bands by -k..k (a crude VTLP on log-mel)."""

        def __init__(self, k, **kw):
            super().__init__(**kw)
            self.k = k
            self.gen = keras.random.SeedGenerator(3)

        def call(self, x, training=False):
            if not training:
                return x
            B = x.shape[1]
            s = keras.random.randint((ops.shape(x)[0], 1, 1), -self.k, self.k + 1, seed=self.gen)
            idx = ops.clip(ops.arange(B)[None, :, None] - s, 0, B - 1)
            idx = ops.broadcast_to(idx, (ops.shape(x)[0], B, x.shape[2]))
            return ops.take_along_axis(x, idx, axis=1)

    x = inp = keras.Input(shape)
    if cfg["specaug"]:
        x = SpecAugment(cfg["specaug"], cfg["fmask"], cfg["tmask"])(x)
    if cfg["fshift"]:
        x = BandShift(cfg["fshift"])(x)
    if cfg["crop"]:
        x = TimeCrop(cfg["crop"])(x)
    if cfg["model"] == "cnn1d":
        x = layers.Permute((2, 1))(x)
        for f in cfg["filters"]:
            if cfg["block"] == "res":
                h = layers.Conv1D(f, cfg["kernel"], padding="same", use_bias=False)(x)
                h = layers.ReLU()(layers.BatchNormalization()(h))
                h = layers.Conv1D(f, cfg["kernel"], padding="same", use_bias=False)(h)
                h = layers.BatchNormalization()(h)
                sc = x if x.shape[-1] == f else layers.Conv1D(f, 1, use_bias=False)(x)
                x = layers.ReLU()(layers.Add()([h, sc]))
            else:
                x = layers.Conv1D(f, cfg["kernel"], padding="same", use_bias=False)(x)
                x = layers.ReLU()(layers.BatchNormalization()(x))
            x = layers.Dropout(cfg["dropout"] / 2)(layers.MaxPooling1D(2)(x))
        if cfg["rnn"]:
            x = layers.Bidirectional(layers.GRU(cfg["rnn"], return_sequences=True))(x)
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
    pooled = [layers.GlobalAveragePooling1D()(x), layers.GlobalMaxPooling1D()(x)]
    if cfg["attn"]:
        a = layers.Softmax(axis=1)(layers.Dense(1)(layers.Dense(cfg["attn"], "tanh")(x)))
        pooled.append(layers.Lambda(lambda t: ops.sum(t[0] * t[1], axis=1))([x, a]))
    x = layers.Dropout(cfg["dropout"])(layers.Concatenate()(pooled))
    return keras.Model(inp, layers.Dense(n_classes, activation="softmax")(x))


def normalise(Xtr, Xte, norm):
    if norm == "clip":
        Xtr = (Xtr - Xtr.mean(2, keepdims=True)) / (Xtr.std(2, keepdims=True) + 1e-6)
        Xte = (Xte - Xte.mean(2, keepdims=True)) / (Xte.std(2, keepdims=True) + 1e-6)
    if norm == "cmn":
        Xtr, Xte = Xtr - Xtr.mean(2, keepdims=True), Xte - Xte.mean(2, keepdims=True)
    mu = Xtr.mean(axis=(0, 2), keepdims=True)
    sd = Xtr.std(axis=(0, 2), keepdims=True) + 1e-6
    return (Xtr - mu) / sd, (Xte - mu) / sd


def fit_predict(Xtr, ytr, Xte, n_classes, cfg, seed):
    """Train one network on (Xtr, ytr); class probabilities for Xte."""
    import keras

    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    Ytr = np.eye(n_classes, dtype="float32")[ytr]
    model = build(Xtr.shape[1:], n_classes, cfg)
    steps = int(np.ceil(len(Xtr) / cfg["batch"])) * cfg["epochs"]
    lr = (
        keras.optimizers.schedules.CosineDecay(cfg["lr"], steps)
        if cfg["sched"] == "cosine"
        else cfg["lr"]
    )
    loss = keras.losses.CategoricalCrossentropy(label_smoothing=cfg["ls"])
    model.compile(keras.optimizers.Adam(lr), loss)
    if cfg["mixup"] > 0:
        for _ in range(cfg["epochs"]):
            idx = rng.permutation(len(Xtr))
            for b0 in range(0, len(idx), cfg["batch"]):
                b = idx[b0 : b0 + cfg["batch"]]
                lam = rng.beta(cfg["mixup"], cfg["mixup"], size=(len(b), 1)).astype("float32")
                p = rng.permutation(len(b))
                xb = lam[:, :, None] * Xtr[b] + (1 - lam[:, :, None]) * Xtr[b][p]
                model.train_on_batch(xb, lam * Ytr[b] + (1 - lam) * Ytr[b][p])
    else:
        model.fit(Xtr, Ytr, batch_size=cfg["batch"], epochs=cfg["epochs"], verbose=0)
    return model.predict(Xte, verbose=0, batch_size=128)


def main():
    cfg = dict(DEFAULTS)
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    cfg.update(json.loads(args[0]) if args else {})
    opts = dict((a[2:].split("=", 1) + ["1"])[:2] for a in sys.argv[1:] if a.startswith("--"))
    data_dir = Path(opts.get("data", os.environ.get("SKSER_RAVDESS_DIR", DEFAULT_DATA)))
    feat_dir = opts.get("feat-cache")
    # members of a heterogeneous ensemble: cfg overridden by each entry of "ens"
    members = [dict(cfg, **m) for m in cfg["ens"]] or [cfg]
    if feat_dir and (Path(feat_dir) / "labels.npz").is_file() and not opts.get("features-only"):
        data = dict(np.load(Path(feat_dir) / "labels.npz"))
        W = {}
    else:
        data = load_waves(data_dir, opts.get("cache", "/tmp/skser-screen-waves.npz"))
        W = data
        if feat_dir:
            Path(feat_dir).mkdir(parents=True, exist_ok=True)
            np.savez(Path(feat_dir) / "labels.npz", y=data["y"], fold=data["fold"])
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from sklearn.metrics import recall_score

    y, fold = data["y"], data["fold"]
    classes = np.unique(y)
    yi = np.searchsorted(classes, y)
    t0 = time.time()
    feats = [feature_cache(W.get(m["wave"]), m, feat_dir) for m in members]
    t_feat = time.time() - t0
    if opts.get("features-only"):
        print(json.dumps({"cached": [list(f.shape) for f in feats]}))
        return
    scores, t_train = [], 0.0
    proba = np.zeros((len(y), len(classes)), dtype="float32")
    for k in cfg["folds"]:
        tr, te = fold != k, fold == k
        P = 0
        for m, F in zip(members, feats, strict=True):
            Xtr, Xte, ytr = F[tr], F[te], yi[tr]
            if m["waug"]:
                from skser.augment import AudioAugmenter

                aug = AudioAugmenter(n_augment=m["waug"], random_state=k, n_jobs=2)
                Wa, ytr = aug.fit_resample(W[m["wave"]][tr], ytr)
                Xtr = features(Wa, m)
            Xtr, Xte = normalise(Xtr, Xte, m["norm"])
            for s in range(m["seeds"]):
                t1 = time.time()
                P = P + fit_predict(Xtr, ytr, Xte, len(classes), m, 1000 * k + s)
                t_train += time.time() - t1
        scores.append(recall_score(yi[te], np.argmax(P, 1), average="macro"))
        proba[te] = P / np.sum(P, axis=1, keepdims=True)
    out = {
        "cfg": cfg,
        "uar": round(float(np.mean(scores)), 4),
        "std": round(float(np.std(scores)), 4),
        "per_fold": [round(float(v), 4) for v in scores],
        "train_s": round(t_train, 1),
        "feat_s": round(t_feat, 1),
    }
    print(json.dumps(out), flush=True)
    if opts.get("save-proba"):  # out-of-fold probabilities, to score ensembles offline
        np.savez(opts["save-proba"], proba=proba, y=yi, fold=fold, classes=classes)
    if opts.get("log"):
        with open(opts["log"], "a") as fh:
            fh.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
