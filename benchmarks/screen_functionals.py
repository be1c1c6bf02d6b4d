"""Screen variants of the functionals branch: nested UAR, speaker-normalised or not, and
its robustness to how clips were cut.

Every candidate is skser's own estimators: ``AudioLoader(crop="loudest")`` (as in the
pipeline) -> ``LevelNormaliser`` -> ``ParalinguisticFunctionals(**variant)`` -> optional
``SpeakerStandardScaler`` -> ``BandStandardScaler`` -> ``LogisticRegression`` with C in
{0.01, 0.1, 1, 10} chosen by 5 inner speaker folds of each outer fold's training actors
(benchmarks/speaker_rows.py's ``_linear``), on the six fixed folds of three actors. The
feature steps are stateless, so they are computed once per condition for all clips.
Conditions: the clips as they are, centre-cut to 2 s, and zero-padded to 8 s (the
loader then crops the loudest window of its learnt length, as in deployment).

    python benchmarks/screen_functionals.py '{}' '{"active_range_db": 30}'

Prints one JSON object per variant.
"""

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_ravdess import DEFAULT_DATA  # noqa: E402
from speaker_rows import ISSUE_FOLDS, _linear, uar_per_fold  # noqa: E402


def recut(y, seconds, sr=16000):
    n = int(round(seconds * sr))
    if len(y) >= n:
        start = (len(y) - n) // 2
        return y[start : start + n]
    return np.pad(y, (0, n - len(y)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("variants", nargs="+", help="JSON dicts of ParalinguisticFunctionals params")
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--cache", type=Path, default=Path("/tmp/skser-screen-functionals"))
    ap.add_argument("--random-state", type=int, default=0)
    args = ap.parse_args()

    from skser.datasets import load_ravdess
    from skser.features import LevelNormaliser, ParalinguisticFunctionals
    from skser.io import AudioLoader, load_audio
    from skser.metrics import unweighted_average_recall

    bunch = load_ravdess(args.data)
    files, y, g = (np.asarray(v) for v in (bunch.filenames, bunch.target, bunch.groups))
    gender = np.asarray(bunch.frame["gender"])
    raw = [load_audio(f, sr=16000)[0] for f in files]
    loader = AudioLoader(sr=16000, crop="loudest").fit(np.array(raw, dtype=object))
    conditions = {
        "clean": raw,
        "re-cut 2 s": [recut(w, 2.0) for w in raw],
        "re-cut 8 s": [recut(w, 8.0) for w in raw],
    }
    waves = {}
    for name, clips in conditions.items():
        batch = np.empty(len(clips), dtype=object)
        batch[:] = clips
        waves[name] = LevelNormaliser().fit_transform(loader.transform(batch))
    args.cache.mkdir(parents=True, exist_ok=True)
    for text in args.variants:
        params = json.loads(text)
        t0 = time.perf_counter()
        feats = {}
        for name, W in waves.items():
            key = hashlib.sha1(json.dumps([params, name], sort_keys=True).encode()).hexdigest()
            path = args.cache / f"{key[:16]}.npy"
            if path.exists():
                feats[name] = np.load(path)
            else:
                feats[name] = ParalinguisticFunctionals(n_jobs=2, **params).fit_transform(W)
                np.save(path, feats[name])
        t_feat = time.perf_counter() - t0
        out = {"variant": params, "n_features": int(feats["clean"].shape[1])}
        for speaker in (False, True):
            preds = {c: np.empty(len(y), dtype=object) for c in feats}
            chosen = []
            for actors in ISSUE_FOLDS:
                test = np.isin(g, actors)
                model = _linear(speaker, args.random_state)
                model.fit(feats["clean"][~test], y[~test], groups=g[~test])
                chosen.append(model.best_params_["clf__C"])
                for c, F in feats.items():
                    preds[c][test] = model.predict(F[test], groups=g[test])
            clean = preds["clean"].astype(str)
            per_fold = uar_per_fold(y, clean, g)
            row = {
                "uar_mean": round(float(np.mean(per_fold)), 4),
                "uar_std": round(float(np.std(per_fold)), 4),
                "uar_per_fold": [round(u, 3) for u in per_fold],
                "by_gender": {
                    v: round(
                        float(unweighted_average_recall(y[gender == v], clean[gender == v])), 4
                    )
                    for v in sorted(set(gender))
                },
                "chosen_C": chosen,
            }
            for c in feats:
                if c != "clean":
                    u = float(unweighted_average_recall(y, preds[c].astype(str)))
                    row[f"{c} minus clean (pooled)"] = round(
                        u - float(unweighted_average_recall(y, clean)), 4
                    )
            out["speaker_normalised" if speaker else "global"] = row
        out["seconds"] = {"features": round(t_feat, 1), "total": round(time.perf_counter() - t0, 1)}
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
