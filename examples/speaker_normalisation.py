"""
Speaker normalisation, measured honestly
========================================

The same model with and without speaker normalisation, and a nested search that
chooses between them.

::

    python examples/speaker_normalisation.py                   # synthetic corpus, offline
    python examples/speaker_normalisation.py --data path/to/RAVDESS
    python examples/speaker_normalisation.py --smoke           # tiny settings (CI)

Actors differ in pitch, formants and loudness; ``speaker_normalise=True`` z-scores each
speaker's features with that speaker's own statistics (at test time from the test
speaker's unlabelled clips). Speaker ids travel as ``groups``: ``cross_validate_ser``
passes each fold's ids to ``fit`` and ``predict``. The nested run gives a grid search
over the ``speaker`` step to ``cross_validate_ser``: each outer fold chooses on its
training speakers only, and the gap between the selection score and the nested score
shows how optimistic the selection score is. Writes ``<out>/speaker_normalisation.csv``
and ``<out>/speaker_normalisation.png``.
"""

import argparse
from pathlib import Path

import pandas as pd

from skser.datasets import load_ravdess, make_synthetic_speech
from skser.features import SpeakerStandardScaler
from skser.model_selection import cross_validate_ser, make_grid_search
from skser.pipeline import make_ser_pipeline
from skser.plotting import save_figure


def main():
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--data", help="RAVDESS folder (default: a synthetic corpus)")
    ap.add_argument("--out", type=Path, default=Path("example_output/speaker_normalisation"))
    ap.add_argument("--smoke", action="store_true", help="tiny settings for a quick check")
    args = ap.parse_args()

    if args.data:
        corpus = load_ravdess(args.data)
    else:
        corpus = make_synthetic_speech(
            n_actors=6 if args.smoke else 10,
            emotions=["angry", "happy", "neutral", "sad"],
            n_clips_per_emotion=3 if args.smoke else 6,
            duration=1.0 if args.smoke else 2.0,
            random_state=0,
            out_dir=args.out / "synthetic",
        )
    X, y, groups = corpus.filenames, corpus.target, corpus.groups
    folds = 3 if args.smoke else 5

    rows = []
    for speaker in (False, True):
        pipe = make_ser_pipeline("pooled", "logreg", speaker_normalise=speaker, random_state=0)
        result = cross_validate_ser(pipe, X, y, groups, cv=folds, random_state=0)
        s = result.summary
        rows.append(
            {
                "model": f"pooled + logreg, speaker_normalise={speaker}",
                "uar_mean": s["uar_mean"],
                "uar_std": s["uar_std"],
                "selection_score": None,
            }
        )
        print(f"speaker_normalise={speaker}: {result}\n")

    pipe = make_ser_pipeline("pooled", "logreg", random_state=0)
    grid = {"speaker": ["passthrough", SpeakerStandardScaler()], "clf__C": [0.1, 1.0]}
    search = make_grid_search(pipe, grid, cv=folds - 1, random_state=0)
    nested = cross_validate_ser(search, X, y, groups, cv=folds, random_state=0)
    sel = nested.summary["selection"]
    rows.append(
        {
            "model": "nested search over the speaker step and C",
            "uar_mean": nested.summary["uar_mean"],
            "uar_std": nested.summary["uar_std"],
            "selection_score": sel["inner_best_score_mean"],
        }
    )
    print(f"nested: {nested}")
    print("chosen per outer fold:", [p["speaker"] for p in sel["best_params_per_fold"]])

    table = pd.DataFrame(rows)
    args.out.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out / "speaker_normalisation.csv", index=False)
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 2.8), layout="constrained")
    ax = fig.add_subplot()
    ax.barh(table["model"], table["uar_mean"], xerr=table["uar_std"])
    ax.axvline(1 / len(set(y)), color="grey", linestyle="--", label="chance")
    ax.set_xlabel("UAR (speaker-independent folds)")
    ax.legend()
    save_figure(fig, args.out / "speaker_normalisation.png")
    print(f"wrote {args.out / 'speaker_normalisation.csv'} and the figure")


if __name__ == "__main__":
    main()
