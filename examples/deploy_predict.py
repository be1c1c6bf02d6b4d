"""
Save, load and predict, with a timeline
=======================================

Train, save, load and predict: single files and a timeline of a long recording.

::

    python examples/deploy_predict.py                   # synthetic corpus, offline
    python examples/deploy_predict.py --data path/to/RAVDESS
    python examples/deploy_predict.py --smoke           # tiny settings (CI)

The bundle ``model.skser`` keeps the fitted pipeline (file in, emotion out), its
metrics and the package versions, behind a checksum. A "call" is made by joining
clips of different emotions; ``predict_timeline`` follows the emotion window by
window. Writes ``<out>/model.skser``, ``<out>/timeline.csv`` and ``<out>/timeline.png``.
"""

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
import soundfile as sf

from skser.datasets import load_ravdess, make_synthetic_speech
from skser.deploy import load_model, predict_timeline, read_metadata, save_model
from skser.io import load_audio
from skser.pipeline import make_ser_pipeline
from skser.plotting import save_figure


def main():
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--data", help="RAVDESS folder (default: a synthetic corpus)")
    ap.add_argument("--out", type=Path, default=Path("example_output/deploy_predict"))
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
    # Hold out the last actor: the "call" below is made of clips the model never saw.
    held_out = corpus.groups == sorted(set(corpus.groups))[-1]
    model = make_ser_pipeline("pooled", "logreg", random_state=0)
    model.fit(corpus.filenames[~held_out], corpus.target[~held_out])
    bundle = args.out / "model.skser"
    save_model(model, bundle, training={"clips": int((~held_out).sum()), "held_out_actor": 1})
    meta = read_metadata(bundle)  # reads JSON only, runs no code
    print(f"bundle {bundle}: classes {meta['classes']}, skser {meta['versions']['skser']}")

    deployed = load_model(bundle)  # verifies the checksum; warns on version mismatches
    files = corpus.filenames[held_out][:8]
    deployed.predict(files[:1])  # warm-up
    t0 = time.perf_counter()
    labels = deployed.predict(files)
    print(f"{len(files)} files in {1000 * (time.perf_counter() - t0):.1f} ms:")
    for f, true, pred in zip(files, corpus.target[held_out][:8], labels, strict=True):
        print(f"  {Path(f).name}: {pred} (true {true})")

    # A long recording: one clip of each of four emotions, back to back.
    emotions = ["neutral", "angry", "sad", "happy"]
    picks = [np.flatnonzero(held_out & (corpus.target == e))[0] for e in emotions]
    sr = deployed.steps[0][1].sr
    call = np.concatenate([load_audio(corpus.filenames[i], sr=sr)[0] for i in picks])
    call_path = args.out / "call.wav"
    sf.write(call_path, call, sr)
    clip_s = len(call) / sr / len(picks)
    rows = pd.DataFrame(predict_timeline(deployed, call_path, window=clip_s / 2, hop=clip_s / 4))
    rows.to_csv(args.out / "timeline.csv", index=False)
    print(rows[["start_s", "end_s", "label"]].to_string(index=False))

    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 3), layout="constrained")
    ax = fig.add_subplot()
    centres = (rows["start_s"] + rows["end_s"]) / 2
    for label in deployed.classes_:
        ax.plot(centres, rows[label], label=label)
    for k, emotion in enumerate(emotions):
        ax.axvspan(k * clip_s, (k + 1) * clip_s, alpha=0.08 * (k % 2 + 1), color="grey")
        ax.text((k + 0.5) * clip_s, 1.02, emotion, ha="center")
    ax.set(xlabel="time (s)", ylabel="probability", ylim=(0, 1.1))
    ax.legend(loc="upper left", bbox_to_anchor=(1, 1), fontsize="small")
    save_figure(fig, args.out / "timeline.png")
    print(f"wrote {bundle}, {args.out / 'timeline.csv'} and {args.out / 'timeline.png'}")


if __name__ == "__main__":
    main()
