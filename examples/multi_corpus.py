"""
Several corpora: unseen speakers and an unseen corpus
=====================================================

Train on several corpora at once; test on unseen speakers and on an unseen corpus.

::

    python examples/multi_corpus.py                     # two synthetic corpora, offline
    python examples/multi_corpus.py --data ravdess=path/to/RAVDESS --data crema_d=path/to/CREMA-D
    python examples/multi_corpus.py --smoke             # tiny settings (CI)

Corpora are combined with their speaker ids prefixed by the corpus (``ravdess:01``), so
speakers never collide, on the four emotions every corpus has. Two evaluations:
speaker-independent folds over the combination, and leave-one-corpus-out (train on
all corpora but one, test on that one), the harder and more realistic test. Writes
``<out>/class_balance.png`` and ``<out>/cross_corpus.csv``.
"""

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import LeaveOneGroupOut

from skser.datasets import concat_corpora, load_corpora, load_ravdess, make_synthetic_speech
from skser.model_selection import cross_validate_ser
from skser.pipeline import make_ser_pipeline
from skser.plotting import plot_class_balance

EMOTIONS = ["neutral", "happy", "sad", "angry"]


def main():
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--data", action="append", default=[], metavar="NAME=FOLDER")
    ap.add_argument("--out", type=Path, default=Path("example_output/multi_corpus"))
    ap.add_argument("--smoke", action="store_true", help="tiny settings for a quick check")
    args = ap.parse_args()

    if args.data:
        corpus = load_corpora(dict(item.split("=", 1) for item in args.data), emotions=EMOTIONS)
    else:  # two synthetic "corpora" with different voices
        parts = []
        for seed in (0, 1):
            folder = args.out / f"synthetic{seed}"
            make_synthetic_speech(
                n_actors=4 if args.smoke else 8,
                emotions=EMOTIONS,
                n_clips_per_emotion=3 if args.smoke else 6,
                random_state=seed,
                out_dir=folder,
            )
            parts.append(load_ravdess(folder))
        corpus = concat_corpora(parts)
    source = np.array([g.split(":")[0] for g in corpus.groups])  # corpus of each clip
    print(
        f"{len(corpus.target)} clips, {len(set(corpus.groups))} speakers, corpora {sorted(set(source.tolist()))}"
    )
    plot_class_balance(
        corpus.frame.assign(source=source), by="source", path=args.out / "class_balance.png"
    )

    pipe = make_ser_pipeline("pooled", "logreg", random_state=0)
    X, y = corpus.filenames, corpus.target
    pooled = cross_validate_ser(
        pipe, X, y, corpus.groups, cv=2 if args.smoke else 4, random_state=0
    )
    print("speaker-independent folds over all corpora:", f"UAR {pooled.summary['uar_mean']:.3f}")

    cross = cross_validate_ser(pipe, X, y, source, cv=LeaveOneGroupOut())
    rows = [
        {"test_corpus": fold["test_groups"][0], "uar": fold["uar"], "wa": fold["wa"]}
        for fold in cross.folds
    ]
    table = pd.DataFrame(rows)
    print("leave-one-corpus-out:")
    print(table.to_string(index=False, float_format="%.3f"))
    table.to_csv(args.out / "cross_corpus.csv", index=False)
    print(f"wrote {args.out / 'class_balance.png'} and {args.out / 'cross_corpus.csv'}")


if __name__ == "__main__":
    main()
