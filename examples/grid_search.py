"""
Grid search over features and architectures
===========================================

Grid search over features AND architectures with speaker-independent folds.

::

    python examples/grid_search.py                      # synthetic corpus, offline
    python examples/grid_search.py --data path/to/RAVDESS
    python examples/grid_search.py --smoke              # tiny settings (CI)

Every candidate is scored by UAR on folds that never share an actor between training
and test. ``memory=`` caches decoded audio and features, so each fold's audio is decoded
once and each feature type computed once, whatever the number of candidates. Writes
``<out>/grid_results.csv`` and ``<out>/grid_scores.png``.
"""

import argparse
import tempfile
from pathlib import Path

import pandas as pd

from skser.datasets import load_ravdess, make_synthetic_speech
from skser.features import MFCC, LogMelSpectrogram
from skser.model_selection import make_grid_search
from skser.models import CNN1DClassifier, CNNClassifier
from skser.pipeline import make_ser_pipeline
from skser.plotting import save_figure


def main():
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--data", help="RAVDESS folder (default: a synthetic corpus)")
    ap.add_argument("--out", type=Path, default=Path("example_output/grid_search"))
    ap.add_argument("--smoke", action="store_true", help="tiny settings for a quick check")
    args = ap.parse_args()

    if args.data:
        corpus = load_ravdess(args.data)
    else:
        corpus = make_synthetic_speech(
            n_actors=4 if args.smoke else 8,
            emotions=["angry", "happy", "neutral", "sad"],
            n_clips_per_emotion=3 if args.smoke else 6,
            duration=1.0 if args.smoke else 2.0,
            random_state=0,
            out_dir=args.out / "synthetic",
        )
    epochs = 2 if args.smoke else 20

    with tempfile.TemporaryDirectory() as cache:
        pipe = make_ser_pipeline("mfcc40_deltas", oversample=False, memory=cache, random_state=0)
        grid = {
            "features": [LogMelSpectrogram(n_mels=64), MFCC(n_mfcc=20, deltas=1)],
            "clf": [
                CNNClassifier(filters=(16, 32), dense_units=(64,), epochs=epochs),
                CNN1DClassifier(filters=(32, 64), dense_units=(), epochs=epochs),
            ],
        }
        search = make_grid_search(pipe, grid, cv=2 if args.smoke else 4, random_state=0)
        search.fit(corpus.filenames, corpus.target, groups=corpus.groups)

    table = pd.DataFrame(
        {
            "features": [type(p["features"]).__name__ for p in search.cv_results_["params"]],
            "classifier": [type(p["clf"]).__name__ for p in search.cv_results_["params"]],
            "uar_mean": search.cv_results_["mean_test_score"],
            "uar_std": search.cv_results_["std_test_score"],
            "fit_seconds": search.cv_results_["mean_fit_time"],
        }
    ).sort_values("uar_mean", ascending=False)
    print(table.to_string(index=False, float_format="%.3f"))
    print(f"best: {search.best_params_} (UAR {search.best_score_:.3f}; optimistic, see docs)")

    args.out.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out / "grid_results.csv", index=False)
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 3), layout="constrained")
    ax = fig.add_subplot()
    labels = table["features"] + " + " + table["classifier"]
    ax.barh(labels, table["uar_mean"], xerr=table["uar_std"])
    ax.axvline(1 / len(set(corpus.target)), color="grey", linestyle="--", label="chance")
    ax.set_xlabel("UAR (speaker-independent folds)")
    ax.legend()
    save_figure(fig, args.out / "grid_scores.png")
    print(f"wrote {args.out / 'grid_results.csv'} and {args.out / 'grid_scores.png'}")


if __name__ == "__main__":
    main()
