"""
Exploratory figures of a corpus
===============================

The exploratory figures of the SER notebooks, from a corpus folder.

::

    python examples/eda_figures.py                      # synthetic corpus, offline
    python examples/eda_figures.py --data path/to/RAVDESS
    python examples/eda_figures.py --smoke              # tiny settings (CI)

Writes to ``<out>/``: ``class_balance.png`` (clips per emotion and gender),
``durations.png`` (clip lengths per emotion), ``waveform_<emotion>.png`` (waveform
above the spectrogram of one clip per emotion) and ``mfcc_means.png`` (mean MFCCs
per emotion), and prints the corpus audit.
"""

import argparse
from pathlib import Path

import numpy as np

from skser.datasets import audit_corpus, load_ravdess, make_synthetic_speech
from skser.features import MFCC
from skser.io import load_audio
from skser.plotting import plot_class_balance, plot_waveform_spectrogram, save_figure


def main():
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--data", help="RAVDESS folder (default: a synthetic corpus)")
    ap.add_argument("--out", type=Path, default=Path("example_output/eda_figures"))
    ap.add_argument("--smoke", action="store_true", help="tiny settings for a quick check")
    args = ap.parse_args()

    if args.data:
        corpus = load_ravdess(args.data)
    else:
        make_synthetic_speech(
            n_actors=2 if args.smoke else 8,
            n_clips_per_emotion=2 if args.smoke else 4,
            random_state=0,
            out_dir=args.out / "synthetic",
        )
        corpus = load_ravdess(args.out / "synthetic")
    frame = corpus.frame
    print(audit_corpus(corpus).summary())

    plot_class_balance(
        frame, by="gender", title="Clips per emotion", path=args.out / "class_balance.png"
    )

    sr = 16000
    waves = {path: load_audio(path, sr=sr)[0] for path in frame["path"]}
    durations = frame["path"].map(lambda p: len(waves[p]) / sr)
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 3), layout="constrained")
    ax = fig.add_subplot()
    emotions = sorted(frame["emotion"].unique())
    ax.boxplot([durations[frame["emotion"] == e] for e in emotions], tick_labels=emotions)
    ax.set(ylabel="seconds", title="Clip duration per emotion")
    ax.tick_params(axis="x", rotation=45)
    save_figure(fig, args.out / "durations.png")

    for emotion in emotions:
        path = frame.loc[frame["emotion"] == emotion, "path"].iloc[0]
        plot_waveform_spectrogram(
            waves[path],
            sr,
            title=f"{emotion}: {Path(path).name}",
            path=args.out / f"waveform_{emotion}.png",
        )

    n = max(len(w) for w in waves.values())
    X = np.stack([np.pad(w, (0, n - len(w))) for w in waves.values()])
    mfcc = MFCC(sr=sr, n_mfcc=20).fit_transform(X).mean(axis=2)  # (clips, 20)
    fig = Figure(figsize=(7, 3.5), layout="constrained")
    ax = fig.add_subplot()
    for emotion in emotions:
        ax.plot(mfcc[(frame["emotion"] == emotion).to_numpy()].mean(axis=0), label=emotion)
    ax.set(xlabel="MFCC coefficient", ylabel="mean value", title="Mean MFCCs per emotion")
    ax.legend(fontsize="small", ncols=2)
    save_figure(fig, args.out / "mfcc_means.png")
    print(f"wrote {len(list(args.out.glob('*.png')))} figures to {args.out}")


if __name__ == "__main__":
    main()
