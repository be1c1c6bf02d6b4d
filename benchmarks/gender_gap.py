"""The female/male UAR gap of saved fusion probabilities, with its uncertainty over actors.

Reads a ``bench_robustness.py --save-proba`` file, fuses its branches for one condition
with :func:`skser.models.fuse_probabilities` (equal weights, ``--rule``), and prints one
JSON object: UAR per gender and the gap (female - male); a 95 % interval of the gap
from ``--resamples`` bootstrap resamples of the actors (the actors of each gender drawn
with replacement, every clip of a drawn actor scored; seed 0); each actor's UAR; and how
often each gender's clips are called each emotion against the truth.

    python benchmarks/gender_gap.py \\
        --proba benchmarks/results/probas/robustness_default_parallel.npz --rule geometric
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _run_info import run_info  # noqa: E402
from bench_ravdess import DEFAULT_DATA  # noqa: E402

from skser.metrics import unweighted_average_recall  # noqa: E402
from skser.models._fusion import RULES, fuse_probabilities  # noqa: E402


def bootstrap_gap(y, pred, groups, gender, resamples, seed=0):
    """Female - male UAR over actor resamples (within each gender): 2.5 and 97.5 %."""
    rng = np.random.default_rng(seed)
    rows = {a: np.flatnonzero(groups == a) for a in np.unique(groups)}
    by = {v: sorted({a for a in rows if gender[rows[a][0]] == v}) for v in ("female", "male")}
    gaps = []
    for _ in range(resamples):
        uar = {}
        for v, actors in by.items():
            idx = np.concatenate([rows[a] for a in rng.choice(actors, len(actors))])
            uar[v] = unweighted_average_recall(y[idx], pred[idx])
        gaps.append(uar["female"] - uar["male"])
    return [round(float(q), 3) for q in np.percentile(gaps, [2.5, 97.5])]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--proba", type=Path, required=True)
    ap.add_argument("--rule", choices=RULES, default="mean")
    ap.add_argument("--condition", default="clean")
    ap.add_argument("--resamples", type=int, default=2000)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = ap.parse_args()

    from skser.datasets import load_ravdess

    bunch = load_ravdess(args.data)
    gender = np.asarray(bunch.frame["gender"]).astype(str)
    data = np.load(args.proba)
    y, groups, classes = data["y"], data["groups"], data["classes"]
    if not np.array_equal(groups, np.asarray(bunch.groups).astype(str)):
        raise SystemExit(f"--proba {args.proba}: its clips are not the corpus's, in order")
    members = sorted({k.split("/", 1)[0] for k in data.files if "/" in k})
    key = [f"{m}/{args.condition}" for m in members]
    missing = [k for k in key if k not in data.files]
    if missing:
        raise SystemExit(f"--proba {args.proba}: no {missing}")
    fused = fuse_probabilities([data[k] for k in key], rule=args.rule)
    pred = classes[np.argmax(fused, axis=1)]

    def uar(mask):
        return round(float(unweighted_average_recall(y[mask], pred[mask])), 4)

    by_gender = {v: uar(gender == v) for v in ("female", "male")}
    per_actor = {a: uar(groups == a) for a in sorted(set(groups))}
    called = {
        v: {c: round(float(np.mean(pred[gender == v] == c)), 3) for c in classes}
        for v in ("female", "male")
    }
    out = {
        "benchmark": "gender_gap",
        "proba": str(args.proba),
        "members": members,
        "rule": args.rule,
        "condition": args.condition,
        "uar": uar(np.ones(len(y), bool)),
        "uar_by_gender": by_gender,
        "gap": round(by_gender["female"] - by_gender["male"], 4),
        "gap_95_interval_over_actors": bootstrap_gap(y, pred, groups, gender, args.resamples),
        "uar_per_actor": per_actor,
        "worst_actors": sorted(per_actor, key=per_actor.get)[:3],
        "called_share_by_gender": called,
        "true_share": {c: round(float(np.mean(y == c)), 3) for c in classes},
        **run_info(np),
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
