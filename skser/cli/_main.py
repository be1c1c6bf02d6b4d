"""Entry point of the ``skser`` command."""

import argparse
import logging
import os
import sys
from datetime import datetime
from pathlib import Path

from .._version import __version__


def _build_parser():
    parser = argparse.ArgumentParser(
        prog="skser", description="Speech emotion recognition, composed like scikit-learn."
    )
    parser.add_argument("--version", action="version", version=f"skser {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="log progress and show tracebacks"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser(
        "demo",
        help="train and evaluate a model on the built-in synthetic corpus (no download)",
        description="Generate a synthetic acted-emotion corpus, evaluate a pooled-MFCC model "
        "with actor-grouped cross-validation and write the metrics to a run folder.",
    )
    demo.add_argument(
        "--out", type=Path, default=None, help="run folder (default: skser_runs/demo-<time>)"
    )
    demo.add_argument("--n-actors", type=int, default=8)
    demo.add_argument("--n-clips-per-emotion", type=int, default=6)
    demo.add_argument("--n-folds", type=int, default=4)
    demo.add_argument("--random-state", type=int, default=0)
    return parser


def _cmd_demo(args):
    from ._demo import run_demo

    if args.n_folds < 2 or args.n_folds > args.n_actors:
        raise ValueError(
            f"--n-folds must be between 2 and --n-actors ({args.n_actors}), got {args.n_folds}"
        )
    out = args.out or Path("skser_runs") / f"demo-{datetime.now():%Y%m%d-%H%M%S}"
    print(f"skser {__version__} demo: synthetic corpus, {args.n_actors} actors; writing {out}")
    m = run_demo(
        out_dir=out,
        n_actors=args.n_actors,
        n_clips_per_emotion=args.n_clips_per_emotion,
        n_folds=args.n_folds,
        random_state=args.random_state,
    )
    print(f"protocol : {m['protocol']}")
    print(f"corpus   : {m['corpus']}")
    print(f"UAR      : {m['uar_mean']:.3f} ± {m['uar_std']:.3f}  (chance {m['chance_uar']:.3f})")
    print(f"accuracy : {m['accuracy']:.3f}   macro-F1: {m['macro_f1']:.3f}")
    print(f"time     : {m['wall_time_s']:.1f} s; metrics in {out / 'metrics.json'}")
    return 0


def main(argv=None):
    """Run the ``skser`` command line; returns the exit status."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    args = _build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return {"demo": _cmd_demo}[args.command](args)
    except (ValueError, OSError) as exc:
        if args.verbose:
            raise
        print(f"skser {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
