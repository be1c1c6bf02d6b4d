"""Nested screen of the fusion's combination rule: chosen on inner speaker folds only.

For each outer fold of ``speaker_rows.ISSUE_FOLDS`` the default as it ships
(``make_ser_pipeline(n_jobs=2)``, optionally ``speaker_normalise=True``) is trained on
three inner folds of the outer fold's 15 training actors (actors sorted, inner fold
``j`` = every third actor from the ``j``-th: 10 actors train, 5 are scored) and each
branch's probabilities on the inner held-out actors are kept. The combination rules

- ``mean``: the weighted arithmetic mean of the branches' probabilities (soft voting,
  what the default shipped before), and
- ``geometric``: the weighted geometric mean, renormalised (log-linear pooling, the
  "product rule"),

each with equal weights, are scored by UAR on those inner out-of-fold probabilities,
and the rule with the higher inner UAR is the outer fold's choice. The outer score of
each choice is read from ``--outer``: the probabilities that the same default, trained
on all 15 training actors, gave on the outer fold's test actors
(``bench_robustness.py --save-proba``), so no outer clip is used for the choice. The
weights grid (deep-branch weight 0.3-0.7) of each rule is scored on the inner folds too,
for information.

    python benchmarks/screen_fusion_rule.py \\
        --outer benchmarks/results/probas/robustness_default_parallel.npz \\
        --save-inner /tmp/inner_n0.npz
    python benchmarks/screen_fusion_rule.py --speaker-normalise \\
        --outer benchmarks/results/probas/robustness_default_parallel_speaker_normalised.npz

``--from-inner FILE.npz`` re-scores saved inner probabilities without training.
``--set KEY=VALUE`` trains the inner fits of a variant of the default (pass that
variant's outer probabilities as ``--outer``): the saved inner probabilities of two
variants then choose between them on the inner folds.
Prints one JSON object.
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import sklearn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _run_info import run_info  # noqa: E402
from bench_ravdess import DEFAULT_DATA  # noqa: E402
from bench_robustness import parse_overrides  # noqa: E402
from speaker_rows import ISSUE_FOLDS  # noqa: E402

from skser.metrics import unweighted_average_recall  # noqa: E402
from skser.models._fusion import RULES, fuse_probabilities  # noqa: E402

DEEP_WEIGHTS = (0.3, 0.4, 0.5, 0.6, 0.7)


def inner_folds(actors):
    """Three inner folds of the sorted training actors: every third actor."""
    actors = sorted(actors)
    return [actors[j::3] for j in range(3)]


def score(classes, y, probas, rule, w_deep):
    fused = fuse_probabilities(
        [probas["deep"], probas["functionals"]], [w_deep, 1.0 - w_deep], rule=rule
    )
    return float(unweighted_average_recall(y, classes[np.argmax(fused, axis=1)]))


def train_inner(X, y, g, speaker_normalise, random_state, overrides=None):
    """Inner out-of-fold branch probabilities for every outer fold: {k: {member: P}}."""
    from skser.pipeline import make_ser_pipeline

    out, t0 = {}, time.perf_counter()
    for k, test_actors in enumerate(ISSUE_FOLDS):
        train_actors = sorted(set(g) - set(test_actors))
        train = np.isin(g, train_actors)
        idx = np.flatnonzero(train)
        store = {}
        for j, held in enumerate(inner_folds(train_actors)):
            inner_test = np.isin(g[idx], held)
            fit_idx, score_idx = idx[~inner_test], idx[inner_test]
            pipe = make_ser_pipeline(
                speaker_normalise=speaker_normalise, random_state=random_state, n_jobs=2
            )
            if overrides:
                pipe.set_params(**overrides)
            pipe.fit(X[fit_idx], y[fit_idx], groups=g[fit_idx])
            clf = pipe.named_steps["clf"]
            waves = pipe.named_steps["load"].transform(X[score_idx])
            for member, p in clf.member_proba(waves, g[score_idx]).items():
                store.setdefault(member, np.full((len(idx), len(clf.classes_)), np.nan))
                store[member][np.flatnonzero(inner_test)] = p
            print(
                f"outer {k + 1}/6 inner {j + 1}/3 done ({time.perf_counter() - t0:.0f} s)",
                file=sys.stderr,
            )
        out[k] = {"index": idx, "classes": np.asarray(clf.classes_).astype(str), **store}
    return out, time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--speaker-normalise", action="store_true")
    ap.add_argument("--random-state", type=int, default=0)
    ap.add_argument("--outer", type=Path, required=True,
                    help="bench_robustness --save-proba file of the same default")  # fmt: skip
    ap.add_argument("--save-inner", type=Path, default=None)
    ap.add_argument("--from-inner", type=Path, default=None)
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="pipeline parameter of the inner fits (a variant's inner "
                         "probabilities for --save-inner)")  # fmt: skip
    args = ap.parse_args()

    from skser.datasets import load_ravdess

    bunch = load_ravdess(args.data)
    X, y, g = np.asarray(bunch.filenames), np.asarray(bunch.target), np.asarray(bunch.groups)
    gender = np.asarray(bunch.frame["gender"])
    outer = np.load(args.outer)
    if not (np.array_equal(outer["y"], y.astype(str)) and np.array_equal(outer["groups"], g)):
        raise SystemExit(f"--outer {args.outer}: its clips are not the corpus's, in order")
    classes = outer["classes"]
    outer_p = {m: outer[f"{m}/clean"] for m in ("deep", "functionals")}

    if args.from_inner is not None:
        saved = np.load(args.from_inner)
        wall = float(saved["wall_time_s"]) if "wall_time_s" in saved.files else None
        inner = {
            k: {key.split("/", 1)[1]: saved[key] for key in saved.files if key.startswith(f"{k}/")}
            for k in range(len(ISSUE_FOLDS))
        }
    else:
        overrides = parse_overrides(args.set)
        inner, wall = train_inner(X, y, g, args.speaker_normalise, args.random_state, overrides)
        if args.save_inner is not None:
            flat = {f"{k}/{name}": v for k, d in inner.items() for name, v in d.items()}
            np.savez_compressed(args.save_inner, wall_time_s=wall, **flat)

    folds, chosen_pred = [], np.empty(len(y), dtype=object)
    fixed_pred = {r: np.empty(len(y), dtype=object) for r in RULES}
    for k, actors in enumerate(ISSUE_FOLDS):
        d = inner[k]
        yi = y[d["index"]]
        if not np.array_equal(d["classes"].astype(str), classes):
            raise SystemExit("inner and outer classes differ")
        inner_uar = {r: round(score(classes, yi, d, r, 0.5), 4) for r in RULES}
        grid = {
            f"{r} {w:.1f}": round(score(classes, yi, d, r, w), 4)
            for r in RULES
            for w in DEEP_WEIGHTS
        }
        choice = max(RULES, key=lambda r: (inner_uar[r], r == "mean"))  # ties: keep mean
        test = np.isin(g, actors)
        p_test = {m: p[test] for m, p in outer_p.items()}
        outer_uar = {}
        for r in RULES:
            fused = fuse_probabilities([p_test["deep"], p_test["functionals"]], rule=r)
            fixed_pred[r][test] = classes[np.argmax(fused, axis=1)]
            outer_uar[r] = round(float(unweighted_average_recall(y[test], fixed_pred[r][test])), 4)
        chosen_pred[test] = fixed_pred[choice][test]
        folds.append({
            "test_actors": actors,
            "inner_uar": inner_uar,
            "inner_uar_branches": {
                m: round(float(unweighted_average_recall(yi, classes[d[m].argmax(1)])), 4)
                for m in ("deep", "functionals")
            },
            "inner_grid": grid,
            "choice": choice,
            "outer_uar": outer_uar,
        })  # fmt: skip

    def summary(pred):
        pred = pred.astype(str)
        by_gender = {
            v: round(float(unweighted_average_recall(y[gender == v], pred[gender == v])), 4)
            for v in sorted(set(gender))
        }
        return {
            "uar_pooled": round(float(unweighted_average_recall(y, pred)), 4),
            "uar_by_gender": by_gender,
        }

    out = {
        "benchmark": "screen_fusion_rule",
        "speaker_normalised": args.speaker_normalise,
        "outer": str(args.outer),
        "folds": folds,
        "chosen_by_inner_folds": summary(chosen_pred),
        "fixed_rule": {r: summary(p) for r, p in fixed_pred.items()},
        "inner_wall_time_s": None if wall is None else round(wall, 1),
        **run_info(np, sklearn),
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
