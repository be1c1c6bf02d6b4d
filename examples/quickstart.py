"""
Quickstart
==========

Cross-validate an SER pipeline with speaker-independent folds and save it.

::

    python examples/quickstart.py                       # synthetic corpus, offline
    python examples/quickstart.py --data path/to/RAVDESS
    python examples/quickstart.py --smoke               # tiny settings (CI)

Writes ``<out>/model.skser`` and ``<out>/confusion_matrix.png``.
"""

import argparse
from pathlib import Path

from skser.datasets import load_ravdess, make_synthetic_speech
from skser.deploy import save_model
from skser.model_selection import cross_validate_ser
from skser.pipeline import make_ser_pipeline
from skser.plotting import plot_confusion_matrix


def main():
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--data", help="RAVDESS folder (default: a synthetic corpus)")
    ap.add_argument("--out", type=Path, default=Path("example_output/quickstart"))
    ap.add_argument("--smoke", action="store_true", help="tiny settings for a quick check")
    args = ap.parse_args()

    if args.data:
        corpus = load_ravdess(args.data)
    else:
        corpus = make_synthetic_speech(
            n_actors=4 if args.smoke else 8,
            n_clips_per_emotion=2 if args.smoke else 4,
            random_state=0,
            out_dir=args.out / "synthetic",
        )
    # Pooled MFCC statistics + logistic regression train in seconds;
    # make_ser_pipeline() with no arguments gives the default (a CNN ensemble fused
    # with a linear model on paralinguistic functionals).
    model = make_ser_pipeline("pooled", "logreg", random_state=0)
    result = cross_validate_ser(
        model,
        corpus.filenames,
        corpus.target,
        corpus.groups,
        cv=2 if args.smoke else 4,
        attributes=corpus.frame[["gender"]],
        random_state=0,
    )
    print(result)

    plot_confusion_matrix(
        result.summary["pooled"]["confusion_matrix"],
        result.labels,
        title=f"UAR {result.summary['uar_mean']:.3f} (speaker-independent)",
        path=args.out / "confusion_matrix.png",
    )
    model.fit(corpus.filenames, corpus.target)
    save_model(model, args.out / "model.skser", metrics=result.summary)
    print(f"saved {args.out / 'model.skser'} and {args.out / 'confusion_matrix.png'}")


if __name__ == "__main__":
    main()
