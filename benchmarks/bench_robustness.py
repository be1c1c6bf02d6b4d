"""Robustness to the recording chain: the held-out speakers' clips under conditions.

Per fold of the speaker-normalisation protocol (benchmarks/speaker_rows.py: six folds of
three actors), the pipeline is fitted once on the training actors' files, then its
test actors' clips are scored clean and under each condition: gain -12/+12 dB, peak
normalisation, telephone band (300-3400 Hz), white and babble-like noise at 20 and
10 dB SNR (babble: four clips of other test-fold talkers), and re-cut to 1.5/2/3/8 s
(centre crop, or zero padding; the model's loader then pads or crops to the clip
length it learnt, as it does in deployment). Prints one JSON object: UAR over all
clips per condition and its difference to clean.

    python benchmarks/bench_robustness.py --pipeline pooled-logreg
    python benchmarks/bench_robustness.py --pipeline pooled-logreg --speaker-normalise
    python benchmarks/bench_robustness.py --pipeline functionals-logreg --speaker-normalise
    python benchmarks/bench_robustness.py --pipeline compare-logreg --speaker-normalise
    python benchmarks/bench_robustness.py --pipeline default   # ~20 min on 2 cores
    python benchmarks/bench_robustness.py --pipeline fusion    # issue 15
    python benchmarks/bench_robustness.py --pipeline fusion --augment-chain

``--members deep`` keeps only the named branches of the fusion; ``--set key=value``
(repeatable, the value read as JSON where it parses, else as a string) sets pipeline
parameters before fitting, e.g. ``--set clf__deep__repeat=passthrough`` or
``--set augment__p_babble=0``; ``--conditions clean,re-cut 2 s`` scores only those.
They are for attributing a change: each variant fits the same folds with the same seed.
``--save-proba FILE.npz`` also writes each fusion branch's probabilities per condition
(``{member}/{condition}``, rows in corpus order, plus ``classes``, ``y``, ``groups``): branches fit
independently, so runs of one branch each can be fused afterwards without refitting.

``--augment-chain`` trains on in-fold copies of the training clips through the recording
chain (``CHAIN_AUGMENT``, skser's ``RECORDING_CHAIN_AUGMENT``: babble, band limit and
noise each with probability 0.3, a time shift with probability 0.5) instead of the clips
themselves; the fusion trains as it ships (``augment="auto"``: ``FUSION_AUGMENT``, the
CNN branch on the copies, the functionals branch on the clips and the copies). A
screen of one branch's augmentation sets it inside the branch, e.g.
``--set clf__functionals__augment__keep_original=false``.
"""

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_ravdess import DEFAULT_DATA  # noqa: E402
from speaker_rows import ISSUE_FOLDS, uar_per_fold  # noqa: E402

from skser.pipeline import FUSION_AUGMENT, RECORDING_CHAIN_AUGMENT  # noqa: E402


def conditions(sr):
    from skser.augment import add_babble, add_noise, apply_gain, band_limit, peak_normalise

    def recut(seconds):
        n = int(round(seconds * sr))

        def f(y, others, rng):
            if len(y) >= n:
                start = (len(y) - n) // 2
                return y[start : start + n]
            return np.pad(y, (0, n - len(y)))

        return f

    return {
        "clean": lambda y, o, r: y,
        "gain -12 dB": lambda y, o, r: apply_gain(y, -12.0),
        "gain +12 dB": lambda y, o, r: apply_gain(y, 12.0),
        "peak-normalised": lambda y, o, r: peak_normalise(y),
        "telephone 300-3400 Hz": lambda y, o, r: band_limit(y, sr, 300.0, 3400.0),
        "white noise 20 dB": lambda y, o, r: add_noise(y, 20.0, r),
        "white noise 10 dB": lambda y, o, r: add_noise(y, 10.0, r),
        "babble 20 dB": lambda y, o, r: add_babble(y, o, 20.0, r),
        "babble 10 dB": lambda y, o, r: add_babble(y, o, 10.0, r),
        "re-cut 1.5 s": recut(1.5),
        "re-cut 2 s": recut(2.0),
        "re-cut 3 s": recut(3.0),
        "re-cut 8 s": recut(8.0),
    }


def apply_condition(effect, waves, talkers, rng):
    """``effect`` (a value of :func:`conditions`) applied to each clip of ``waves``, as
    float32; each clip's babble is drawn from six clips of other ``talkers``."""
    out = []
    for i, w in enumerate(waves):
        pool = np.flatnonzero(talkers != talkers[i])  # babble of other talkers
        others = [waves[j] for j in rng.choice(pool, 6, replace=False)]
        out.append(effect(w, others, rng).astype(np.float32))
    return out


#: In-fold recording-chain augmentation of --augment-chain (AudioAugmenter parameters)
#: for the pipelines other than the fusion, which trains as it ships (augment="auto");
#: without --augment-chain every pipeline is built with augment=None.
CHAIN_AUGMENT = RECORDING_CHAIN_AUGMENT


def chain_augment(pipeline):
    """What --augment-chain trains ``pipeline`` with: ``augment=`` and its parameters."""
    if pipeline == "fusion":
        return "auto", FUSION_AUGMENT
    return CHAIN_AUGMENT, CHAIN_AUGMENT


def build(name, speaker, random_state, augment=None):
    from sklearn.linear_model import LogisticRegression

    from skser.features import ParalinguisticFunctionals
    from skser.pipeline import make_ser_pipeline

    if name in ("default", "fusion"):
        features = "fusion" if name == "fusion" else "mfcc40_deltas"
        return make_ser_pipeline(
            features, augment=augment, speaker_normalise=speaker, random_state=random_state,
            n_jobs=2,
        )  # fmt: skip
    C = 0.1
    if name == "pooled-logreg":
        feats = "pooled"
    elif name == "functionals-logreg":
        feats = ParalinguisticFunctionals(n_jobs=2)
    elif name == "compare-logreg":  # the classical baseline (rows a/b of speaker_rows.py)
        from skser.features import OpenSmileFeatures

        feats = OpenSmileFeatures()  # ComParE_2016 functionals; needs skser[opensmile]
        C = 0.01  # chosen by row a's inner speaker folds in 5 of 6 folds
    else:
        raise SystemExit(f"unknown --pipeline {name!r}")
    return make_ser_pipeline(
        feats, LogisticRegression(C=C, max_iter=3000), oversample=False, augment=augment,
        speaker_normalise=speaker, random_state=random_state,
    )  # fmt: skip


def parse_overrides(items):
    """``["a__b=0.3", "c=passthrough"]`` -> ``{"a__b": 0.3, "c": "passthrough"}``."""
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise SystemExit(f"--set {item!r}: expected KEY=VALUE")
        try:
            out[key] = json.loads(value)
        except json.JSONDecodeError:
            out[key] = value
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--pipeline", default="pooled-logreg",
                    help="default, fusion, pooled-logreg, functionals-logreg or "
                         "compare-logreg")  # fmt: skip
    ap.add_argument("--augment-chain", action="store_true",
                    help="train on recording-chain copies (CHAIN_AUGMENT)")  # fmt: skip
    ap.add_argument("--speaker-normalise", action="store_true")
    ap.add_argument("--random-state", type=int, default=0)
    ap.add_argument("--members", default=None,
                    help="fusion only: comma-separated branches to keep, e.g. deep")  # fmt: skip
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="pipeline parameter to set before fitting (repeatable)")  # fmt: skip
    ap.add_argument("--conditions", default=None,
                    help="comma-separated conditions to score (default: all)")  # fmt: skip
    ap.add_argument("--save-proba", type=Path, default=None,
                    help="fusion only: write each branch's probabilities to this .npz")  # fmt: skip
    args = ap.parse_args()
    overrides = parse_overrides(args.set)

    from skser.datasets import load_ravdess
    from skser.io import load_audio
    from skser.metrics import unweighted_average_recall

    bunch = load_ravdess(args.data)
    X, y, g = np.asarray(bunch.filenames), np.asarray(bunch.target), np.asarray(bunch.groups)
    sr = 16000
    conds = conditions(sr)
    if args.conditions:
        wanted = [c.strip() for c in args.conditions.split(",")]
        unknown = sorted(set(wanted) - set(conds))
        if unknown or "clean" not in wanted:
            raise SystemExit(f"--conditions: unknown {unknown} or no 'clean'; known: {list(conds)}")
        conds = {c: conds[c] for c in wanted}
    preds = {c: np.empty(len(y), dtype=object) for c in conds}
    member_probas = {}  # fusion: each branch's own probabilities, from the same fitted models
    augment, augment_params = chain_augment(args.pipeline) if args.augment_chain else (None, None)
    t0 = time.perf_counter()
    for k, actors in enumerate(ISSUE_FOLDS):
        test = np.isin(g, actors)
        pipe = build(args.pipeline, args.speaker_normalise, args.random_state, augment)
        if args.members:
            keep = [m.strip() for m in args.members.split(",")]
            members = dict(pipe.named_steps["clf"].estimators)
            if not set(keep) <= set(members):
                raise SystemExit(f"--members {keep}: the fusion's members are {list(members)}")
            pipe.set_params(clf__estimators=[(m, members[m]) for m in keep])
        if overrides:
            pipe.set_params(**overrides)
        pipe.fit(X[~test], y[~test], groups=g[~test])
        waves = [load_audio(f, sr=sr)[0] for f in X[test]]
        talkers = g[test]
        rng = np.random.default_rng(args.random_state + k)
        for name, effect in conds.items():
            cond = apply_condition(effect, waves, talkers, rng)
            batch = np.empty(len(cond), dtype=object)
            batch[:] = cond
            clf = pipe.named_steps["clf"]
            if hasattr(clf, "member_proba"):  # the fusion: keep each branch's vote too
                waves_in = pipe.named_steps["load"].transform(batch)
                probas = clf.member_proba(waves_in, g[test])
                for member, p in probas.items():
                    store = member_probas.setdefault(member, {})
                    store.setdefault(name, np.full((len(y), len(clf.classes_)), np.nan))
                    store[name][test] = p
                preds[name][test] = clf.classes_[np.argmax(clf.fuse(probas), axis=1)]
            else:
                preds[name][test] = pipe.predict(batch, groups=g[test])
        print(f"fold {k + 1}/6 done ({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    uar = {c: float(unweighted_average_recall(y, p.astype(str))) for c, p in preds.items()}
    clean = preds["clean"].astype(str)
    gender = np.asarray(bunch.frame["gender"])
    by_gender = {
        v: round(float(unweighted_average_recall(y[gender == v], clean[gender == v])), 4)
        for v in sorted(set(gender))
    }
    per_fold = [round(u, 4) for u in uar_per_fold(y, clean, g)]
    out = {
        "benchmark": "bench_robustness",
        "pipeline": args.pipeline,
        "speaker_normalised": args.speaker_normalise,
        "augment_chain": augment_params,
        "members": args.members,
        "overrides": {
            k: repr(v) if not isinstance(v, (int, float, str, type(None), list)) else v
            for k, v in overrides.items()
        },  # fmt: skip
        "folds": ISSUE_FOLDS,
        "uar_pooled": {c: round(v, 4) for c, v in uar.items()},
        "minus_clean": {c: round(v - uar["clean"], 4) for c, v in uar.items()},
        "clean_uar_per_fold": per_fold,
        "clean_uar_mean_over_folds": round(float(np.mean(per_fold)), 4),
        "clean_uar_by_gender": by_gender,
        "member_uar_pooled": {
            m: {
                c: round(float(unweighted_average_recall(y, clf.classes_[p.argmax(1)])), 4)
                for c, p in d.items()
            }
            for m, d in member_probas.items()
        },
        "wall_time_s": round(time.perf_counter() - t0, 1),
        "machine": {"python": platform.python_version(), "cpu_count": os.cpu_count()},
        "command": "python benchmarks/bench_robustness.py " + " ".join(sys.argv[1:]),
    }
    if args.save_proba is not None:
        labels = {"classes": clf.classes_, "y": y, "groups": g}  # as str: no pickle to load
        labels = {k: np.asarray(v).astype(str) for k, v in labels.items()}
        probas = {f"{m}/{c}": p for m, d in member_probas.items() for c, p in d.items()}
        np.savez_compressed(args.save_proba, **labels, **probas)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
