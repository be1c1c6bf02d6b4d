"""
Your own Keras network in a pipeline
====================================

Plug your own Keras network into a full skser pipeline.

::

    python examples/custom_network.py                   # synthetic corpus, offline
    python examples/custom_network.py --data path/to/RAVDESS
    python examples/custom_network.py --smoke           # tiny settings (CI)

``KerasBuildFnClassifier`` turns a build function into a scikit-learn classifier; its
extra keyword arguments (``filters``, ``heads``) become estimator parameters that a grid
search can tune. Writes ``<out>/training_curves.png`` and ``<out>/fold_scores.png``.
"""

import argparse
from pathlib import Path

import keras

from skser.datasets import load_ravdess, make_synthetic_speech
from skser.model_selection import cross_validate_ser
from skser.models import KerasBuildFnClassifier
from skser.pipeline import make_ser_pipeline
from skser.plotting import plot_fold_scores, plot_history


def build_attention_cnn(input_shape, n_classes, filters=32, heads=2):
    """1-D convolution over time, self-attention, average pooling, softmax.

    Defined at module level so that the fitted classifier can be pickled.
    """
    x = inputs = keras.Input(input_shape)  # (bands, frames)
    x = keras.layers.Permute((2, 1))(x)  # (frames, bands): time steps x channels
    x = keras.layers.Conv1D(filters, 5, padding="same", activation="relu")(x)
    x = keras.layers.MaxPooling1D(2)(x)
    x = keras.layers.MultiHeadAttention(heads, max(filters // heads, 1))(x, x)
    x = keras.layers.GlobalAveragePooling1D()(x)
    x = keras.layers.Dropout(0.3)(x)
    return keras.Model(inputs, keras.layers.Dense(n_classes, activation="softmax")(x))


def main():
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--data", help="RAVDESS folder (default: a synthetic corpus)")
    ap.add_argument("--out", type=Path, default=Path("example_output/custom_network"))
    ap.add_argument("--smoke", action="store_true", help="tiny settings for a quick check")
    args = ap.parse_args()

    if args.data:
        corpus = load_ravdess(args.data)
    else:
        corpus = make_synthetic_speech(
            n_actors=4 if args.smoke else 8,
            n_clips_per_emotion=2 if args.smoke else 6,
            duration=1.0 if args.smoke else 2.0,
            random_state=0,
            out_dir=args.out / "synthetic",
        )
    clf = KerasBuildFnClassifier(
        build_attention_cnn,
        filters=16 if args.smoke else 64,
        heads=2,
        learning_rate=1e-3,
        epochs=3 if args.smoke else 40,
    )
    pipe = make_ser_pipeline("mfcc", clf, random_state=0)
    print(pipe.named_steps["clf"].get_params()["filters"], "filters; parameters:", end=" ")
    print(sorted(k for k in pipe.get_params() if k.startswith("clf__"))[:6], "...")

    result = cross_validate_ser(
        pipe,
        corpus.filenames,
        corpus.target,
        corpus.groups,
        cv=2 if args.smoke else 4,
        random_state=0,
    )
    print(result)
    plot_fold_scores(result, path=args.out / "fold_scores.png")
    plot_history(result.folds[0]["history"], title="fold 1", path=args.out / "training_curves.png")
    print(f"wrote {args.out / 'fold_scores.png'} and {args.out / 'training_curves.png'}")


if __name__ == "__main__":
    main()
