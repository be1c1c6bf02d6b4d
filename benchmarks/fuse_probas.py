"""Fuse branch probabilities saved by ``bench_robustness.py --save-proba``, without refitting.

Each ``--branch NAME=FILE.npz[:MEMBER]`` names one branch's probabilities (``MEMBER``
defaults to the only member in the file). The fused probability is what
:meth:`skser.models.FusionClassifier.fuse` computes (:func:`skser.models.fuse_probabilities`:
the weighted mean of the branches' probabilities, or with ``--rule geometric`` their
weighted geometric mean); each ``--weights`` gives one weight per branch (normalised to
sum to 1). Prints one JSON object: UAR per condition for each weight vector and each
branch alone, and the clean UAR per fold of ``benchmarks/speaker_rows.py``'s folds.

The weights printed here are scored on the outer folds' clips: use this to attribute a
branch's change to the fusion (two runs of one branch each, fused with the same other
branch), not to choose weights or the rule (``FusionClassifier(weights="cv")`` chooses
weights on inner speaker folds; ``screen_fusion_rule.py`` chose the rule on them).

    python benchmarks/bench_robustness.py --pipeline fusion --augment-chain --members deep \\
        --conditions "clean,babble 20 dB" --save-proba deep.npz
    python benchmarks/bench_robustness.py --pipeline fusion --augment-chain \\
        --members functionals --conditions "clean,babble 20 dB" --save-proba func.npz
    python benchmarks/fuse_probas.py --branch deep=deep.npz --branch functionals=func.npz \\
        --weights 1,1 --weights 2,1
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from speaker_rows import uar_per_fold  # noqa: E402

from skser.metrics import unweighted_average_recall  # noqa: E402
from skser.models._fusion import RULES, fuse_probabilities  # noqa: E402


def load_branch(spec):
    """``NAME=FILE.npz[:MEMBER]`` -> (name, {condition: proba}, classes, y, groups)."""
    name, sep, rest = spec.partition("=")
    if not sep or not name or not rest:
        raise SystemExit(f"--branch {spec!r}: use NAME=FILE.npz or NAME=FILE.npz:MEMBER")
    path, _, member = rest.partition(":")
    if not Path(path).is_file():
        raise SystemExit(f"--branch {spec!r}: no file {path}")
    data = np.load(path)  # written without objects: no pickle needed
    members = sorted({k.split("/", 1)[0] for k in data.files if "/" in k})
    if not member:
        if len(members) != 1:
            raise SystemExit(f"--branch {spec!r}: {path} holds members {members}; name one")
        member = members[0]
    if member not in members:
        raise SystemExit(f"--branch {spec!r}: {path} holds members {members}, not {member!r}")
    probas = {k.split("/", 1)[1]: data[k] for k in data.files if k.startswith(member + "/")}
    return name, probas, data["classes"], data["y"], data["groups"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--branch", action="append", required=True, help="NAME=FILE.npz[:MEMBER]")
    ap.add_argument("--weights", action="append", help="comma-separated, one per branch")
    ap.add_argument("--rule", choices=RULES, default="mean",
                    help="how the branches combine (FusionClassifier's rule)")  # fmt: skip
    args = ap.parse_args()

    branches = [load_branch(s) for s in args.branch]
    names = [b[0] for b in branches]
    _, _, classes, y, groups = branches[0]
    for name, _, c, yy, gg in branches[1:]:
        if not (
            np.array_equal(c, classes) and np.array_equal(yy, y) and np.array_equal(gg, groups)
        ):
            raise SystemExit(
                f"--branch {name}: its classes, labels or speakers differ from {names[0]}'s"
            )
    conditions = [c for c in branches[0][1] if all(c in b[1] for b in branches)]
    if "clean" not in conditions:
        raise SystemExit(f"no 'clean' condition common to all branches (common: {conditions})")
    weight_sets = args.weights or [",".join(["1"] * len(branches))]

    def predict(proba):
        return classes[np.argmax(proba, axis=1)]

    def uar(pred):
        return round(float(unweighted_average_recall(y, pred)), 4)

    out = {
        "branches": dict(zip(names, args.branch, strict=True)),
        "rule": args.rule,
        "alone": {},
        "fused": [],
    }
    for name, probas, *_ in branches:
        out["alone"][name] = {c: uar(predict(probas[c])) for c in conditions}
    for text in weight_sets:
        try:
            w = np.array([float(v) for v in text.split(",")])
        except ValueError:
            raise SystemExit(f"--weights {text!r}: not numbers") from None
        if w.shape != (len(branches),) or np.any(w < 0) or w.sum() <= 0:
            raise SystemExit(f"--weights {text!r}: need {len(branches)} non-negative weights")
        w = w / w.sum()
        preds = {
            c: predict(fuse_probabilities([b[1][c] for b in branches], w, rule=args.rule))
            for c in conditions
        }
        out["fused"].append(
            {
                "weights": dict(zip(names, np.round(w, 4).tolist(), strict=True)),
                "uar_pooled": {c: uar(p) for c, p in preds.items()},
                "clean_uar_per_fold": [
                    round(u, 4) for u in uar_per_fold(y, preds["clean"], groups)
                ],
            }
        )
    out["command"] = "python benchmarks/fuse_probas.py " + " ".join(sys.argv[1:])
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
