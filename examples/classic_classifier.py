"""
Classic classifiers on pooled features
======================================

Classic scikit-learn classifiers on pooled features: fast, strong baselines.

::

    python examples/classic_classifier.py               # synthetic corpus, offline
    python examples/classic_classifier.py --data path/to/RAVDESS
    python examples/classic_classifier.py --smoke       # tiny settings (CI)

Pooled statistics (mean and standard deviation over time of MFCCs, their deltas, ZCR
and RMS: 164 numbers per clip) feed logistic regression, an RBF SVM, a random forest
and a k-nearest-neighbour classifier, each in the same leak-free pipeline and scored
with the same speaker-independent folds. Writes ``<out>/classic_uar.png``.
"""

import argparse
from pathlib import Path

from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import SVC

from skser.datasets import load_ravdess, make_synthetic_speech
from skser.model_selection import SpeakerKFold, cross_validate_ser
from skser.pipeline import make_ser_pipeline
from skser.plotting import save_figure


def main():
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--data", help="RAVDESS folder (default: a synthetic corpus)")
    ap.add_argument("--out", type=Path, default=Path("example_output/classic_classifier"))
    ap.add_argument("--smoke", action="store_true", help="tiny settings for a quick check")
    args = ap.parse_args()

    if args.data:
        corpus = load_ravdess(args.data)
    else:
        corpus = make_synthetic_speech(
            n_actors=4 if args.smoke else 8,
            n_clips_per_emotion=2 if args.smoke else 6,
            random_state=0,
            out_dir=args.out / "synthetic",
        )
    classifiers = {
        "logistic regression": LogisticRegression(C=1.0, max_iter=2000),
        "RBF SVM": SVC(C=10.0, gamma="scale"),
        "random forest": RandomForestClassifier(n_estimators=300, random_state=0),
        "5-NN": KNeighborsClassifier(5),
    }
    cv = SpeakerKFold(2 if args.smoke else 4, random_state=0)  # the same folds for all
    scores = {}
    for name, clf in classifiers.items():
        pipe = make_ser_pipeline("pooled", clf, oversample=False, random_state=0)
        result = cross_validate_ser(pipe, corpus.filenames, corpus.target, corpus.groups, cv=cv)
        scores[name] = (result.summary["uar_mean"], result.summary["uar_std"])
        print(f"{name:20s} UAR {scores[name][0]:.3f} ± {scores[name][1]:.3f}")

    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 3), layout="constrained")
    ax = fig.add_subplot()
    ax.barh(list(scores), [m for m, _ in scores.values()], xerr=[s for _, s in scores.values()])
    ax.axvline(1 / len(set(corpus.target)), color="grey", linestyle="--", label="chance")
    ax.set_xlabel("UAR, speaker-independent folds")
    ax.legend()
    save_figure(fig, args.out / "classic_uar.png")
    print(f"wrote {args.out / 'classic_uar.png'}")


if __name__ == "__main__":
    main()
