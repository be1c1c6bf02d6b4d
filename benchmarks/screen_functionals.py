"""Screen variants of the functionals branch: nested UAR, speaker-normalised or not, and
its robustness to how clips were cut and recorded.

Every candidate is skser's own estimators: ``AudioLoader(crop="loudest")`` (as in the
pipeline) -> ``LevelNormaliser`` -> ``ParalinguisticFunctionals(**variant)`` -> optional
``SpeakerStandardScaler`` -> ``BandStandardScaler`` -> ``LogisticRegression``, on the six
fixed folds of three actors, trained on the clean clips. ``C``: 0.01 as the default's
branch ships (``--C 0.01``), or chosen in {0.01, 0.1, 1, 10} by 5 inner speaker folds
of each outer fold's training actors (``--C search``, benchmarks/speaker_rows.py's
``_linear``). The feature steps are stateless, so they are computed once per condition
for all clips. Conditions (``--conditions``; names and effects of
benchmarks/bench_robustness.py, babble from four clips of other actors of the same
fold): by default the clips as they are, centre-cut to 2 s and zero-padded to 8 s (the
loader then crops the loudest window of its learnt length, as in deployment).

With two or more variants, each outer fold also CHOOSES one by its training actors
only: three inner folds (every third sorted training actor held out, as
benchmarks/screen_fusion_rule.py), each variant scored by its inner UAR averaged over
the conditions (ties: the first variant listed); the chosen variant's outer
predictions are reported as ``"nested"``.

    python benchmarks/screen_functionals.py '{}' '{"active_range_db": 30}'
    python benchmarks/screen_functionals.py --C 0.01 \\
        --conditions "clean,babble 20 dB,white noise 20 dB,telephone 300-3400 Hz" \\
        '{"active_range_db": 30}' '{"active_range_db": 25}' '{"active_range_db": 20}'

Prints one JSON object per variant, then (two or more variants) one for the nested
choice.
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
from bench_robustness import apply_condition, conditions  # noqa: E402
from screen_fusion_rule import inner_folds  # noqa: E402
from speaker_rows import ISSUE_FOLDS, _linear, uar_per_fold  # noqa: E402


def _fixed_c(speaker, C):
    from sklearn.linear_model import LogisticRegression

    from skser.features import BandStandardScaler, SpeakerStandardScaler
    from skser.pipeline import SERPipeline

    return SERPipeline(
        [
            ("speaker", SpeakerStandardScaler() if speaker else "passthrough"),
            ("normalise", BandStandardScaler()),
            ("clf", LogisticRegression(C=C, max_iter=3000)),
        ]
    )


def predict_conditions(feats, y, g, train_actors, test_actors, speaker, C, random_state, out):
    """Fit on the clean clips of ``train_actors``; write the predictions of
    ``test_actors``'s clips per condition into ``out[condition]`` (arrays over all
    clips); return the C."""
    train, test = np.isin(g, train_actors), np.isin(g, test_actors)
    model = _linear(speaker, random_state) if C == "search" else _fixed_c(speaker, float(C))
    model.fit(feats["clean"][train], y[train], groups=g[train])
    for c, F in feats.items():
        out[c][test] = model.predict(F[test], groups=g[test])
    return model.best_params_["clf__C"] if C == "search" else float(C)


def summary(y, g, gender, preds, chosen):
    from skser.metrics import unweighted_average_recall

    clean = preds["clean"].astype(str)
    per_fold = uar_per_fold(y, clean, g)
    row = {
        "uar_mean": round(float(np.mean(per_fold)), 4),
        "uar_std": round(float(np.std(per_fold)), 4),
        "uar_per_fold": [round(u, 3) for u in per_fold],
        "by_gender": {
            v: round(float(unweighted_average_recall(y[gender == v], clean[gender == v])), 4)
            for v in sorted(set(gender))
        },
        "chosen": chosen,
    }
    for c in preds:
        if c != "clean":
            u = float(unweighted_average_recall(y, preds[c].astype(str)))
            row[f"{c} minus clean (pooled)"] = round(
                u - float(unweighted_average_recall(y, clean)), 4
            )
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("variants", nargs="+", help="JSON dicts of ParalinguisticFunctionals params")
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--cache", type=Path, default=Path("/tmp/skser-screen-functionals"))
    ap.add_argument("--random-state", type=int, default=0)
    ap.add_argument("--C", default="search",
                    help="'search' (inner speaker folds) or a fixed C, e.g. 0.01")  # fmt: skip
    ap.add_argument("--conditions", default="clean,re-cut 2 s,re-cut 8 s",
                    help="comma-separated conditions of bench_robustness.py, with 'clean'")  # fmt: skip
    args = ap.parse_args()

    from skser.datasets import load_ravdess
    from skser.features import LevelNormaliser, ParalinguisticFunctionals
    from skser.io import AudioLoader, load_audio
    from skser.metrics import unweighted_average_recall

    effects = conditions(16000)
    wanted = [c.strip() for c in args.conditions.split(",")]
    unknown = sorted(set(wanted) - set(effects))
    if unknown or "clean" not in wanted:
        raise SystemExit(f"--conditions: unknown {unknown} or no 'clean'; known: {list(effects)}")
    bunch = load_ravdess(args.data)
    files, y, g = (np.asarray(v) for v in (bunch.filenames, bunch.target, bunch.groups))
    gender = np.asarray(bunch.frame["gender"])
    raw = [load_audio(f, sr=16000)[0] for f in files]
    clean = np.empty(len(raw), dtype=object)
    clean[:] = raw
    loader = AudioLoader(sr=16000, crop="loudest").fit(clean)
    waves = {}
    for name in wanted:
        clips = list(raw)
        if name != "clean":
            for k, actors in enumerate(ISSUE_FOLDS):
                rng = np.random.default_rng(args.random_state + k)
                fold = np.flatnonzero(np.isin(g, actors))  # babble of other actors of the fold
                done = apply_condition(effects[name], [raw[i] for i in fold], g[fold], rng)
                for i, clip in zip(fold, done, strict=True):
                    clips[i] = clip
        batch = np.empty(len(clips), dtype=object)
        batch[:] = clips
        waves[name] = LevelNormaliser().fit_transform(loader.transform(batch))
    args.cache.mkdir(parents=True, exist_ok=True)
    outer, inner = {}, {}  # (variant, speaker) -> predictions; (variant, speaker, k) -> score
    for v, text in enumerate(args.variants):
        params = json.loads(text)
        t0 = time.perf_counter()
        feats = {}
        for name, W in waves.items():
            key = [params, name, args.random_state]
            key = hashlib.sha1(json.dumps(key, sort_keys=True).encode()).hexdigest()
            path = args.cache / f"{key[:16]}.npy"
            if path.exists():
                feats[name] = np.load(path)
            else:
                feats[name] = ParalinguisticFunctionals(n_jobs=2, **params).fit_transform(W)
                np.save(path, feats[name])
        t_feat = time.perf_counter() - t0
        out = {"variant": params, "n_features": int(feats["clean"].shape[1]), "C": args.C}
        for speaker in (False, True):
            preds = {c: np.empty(len(y), dtype=object) for c in feats}
            chosen = []
            for k, actors in enumerate(ISSUE_FOLDS):
                train_actors = sorted(set(g) - set(actors))
                chosen.append(
                    predict_conditions(
                        feats, y, g, train_actors, actors, speaker, args.C, args.random_state,
                        preds,
                    )
                )  # fmt: skip
                if len(args.variants) > 1:  # this fold's inner score of the variant
                    ip = {c: np.full(len(y), None, dtype=object) for c in feats}
                    for held in inner_folds(train_actors):
                        rest = sorted(set(train_actors) - set(held))
                        predict_conditions(
                            feats, y, g, rest, held, speaker, args.C, args.random_state, ip
                        )
                    scored = np.isin(g, train_actors)
                    inner[v, speaker, k] = float(
                        np.mean([
                            unweighted_average_recall(y[scored], ip[c][scored].astype(str))
                            for c in feats
                        ])
                    )  # fmt: skip
            outer[v, speaker] = preds
            out["speaker_normalised" if speaker else "global"] = summary(
                y, g, gender, preds, chosen
            )
        out["seconds"] = {"features": round(t_feat, 1), "total": round(time.perf_counter() - t0, 1)}
        print(json.dumps(out), flush=True)
    if len(args.variants) > 1:
        out = {"nested": "variant chosen per outer fold by its inner UAR over the conditions"}
        for speaker in (False, True):
            preds = {c: np.empty(len(y), dtype=object) for c in wanted}
            chosen = []
            for k, actors in enumerate(ISSUE_FOLDS):
                scores = [inner[v, speaker, k] for v in range(len(args.variants))]
                best = int(np.argmax(scores))  # first of the ties
                chosen.append(json.loads(args.variants[best]))
                test = np.isin(g, actors)
                for c in wanted:
                    preds[c][test] = outer[best, speaker][c][test]
            row = summary(y, g, gender, preds, chosen)
            row["inner_scores"] = [
                [round(inner[v, speaker, k], 4) for v in range(len(args.variants))]
                for k in range(len(ISSUE_FOLDS))
            ]
            out["speaker_normalised" if speaker else "global"] = row
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
