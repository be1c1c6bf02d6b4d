"""Entry point of the ``skser`` command."""

import argparse
import errno
import json
import logging
import os
import sys
import warnings
from pathlib import Path

from .._presets import AUTO_MODEL_DESCRIPTION, FEATURES, MODELS
from .._version import __version__

_TRAIN_HELP = {
    "evaluate": "cross-validate a pipeline with speaker-independent folds and write a report",
    "train": "cross-validate, then fit on all data and save a deployable model bundle",
    "grid": "grid-search the [grid] parameters with speaker-independent folds, then train",
}


def _add_experiment_flags(p):
    p.add_argument("--config", type=Path, help="TOML config file (see docs/cli.md)")
    p.add_argument("--corpus", help="ravdess, crema_d, tess, savee, emodb, csv or synthetic")
    p.add_argument("--data", help="corpus folder")
    p.add_argument("--csv", help="CSV file with columns path,label,speaker (--corpus csv)")
    p.add_argument("--emotions", help="comma-separated emotions to keep")
    p.add_argument(
        "--recipe",
        help="start from a published recipe: S0, S1, S2, S3 or S4 (docs: Recipes from the "
        "literature)",
    )
    p.add_argument(
        "--features",
        help="auto (default: what the model takes; the fusion for the default model), "
        + ", ".join(FEATURES),
    )
    p.add_argument(
        "--model",
        help=f"auto (default: {AUTO_MODEL_DESCRIPTION}), " + ", ".join(MODELS),
    )
    p.add_argument("--epochs", type=int)
    p.add_argument("--batch-size", type=int)
    p.add_argument("--augment", action=argparse.BooleanOptionalAction, default=None)
    p.add_argument("--oversample", action=argparse.BooleanOptionalAction, default=None)
    p.add_argument(
        "--speaker-normalise",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="z-score features per speaker (each test speaker's unlabelled clips set its "
        "normalisation); the saved model then needs speaker ids at predict time",
    )
    p.add_argument("--cv", dest="cv_scheme", help="speaker_kfold, loso or random")
    p.add_argument("--n-splits", type=int)
    p.add_argument("--random-state", type=int)
    p.add_argument("--out", help="parent folder of run folders (default skser_runs)")
    p.add_argument("--name", help="run folder name (default <command>-<time>)")
    p.add_argument("--resume", action="store_true", help="continue an interrupted run")
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run the folds (and grid candidates) on a Dask cluster: 'local' for worker "
        "processes on this machine, or a scheduler address such as tcp://host:8786 "
        "(needs skser[dask])",
    )
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="SECTION.KEY=VALUE",
        help="set any config key, e.g. --set model.dropout=0.2 (repeatable)",
    )


def _build_parser():
    parser = argparse.ArgumentParser(
        prog="skser", description="Speech emotion recognition, composed like scikit-learn."
    )
    parser.add_argument("--version", action="version", version=f"skser {__version__}")
    verbosity = parser.add_mutually_exclusive_group()
    verbosity.add_argument(
        "-v", "--verbose", action="store_true", help="log progress and show tracebacks"
    )
    verbosity.add_argument(
        "-q", "--quiet", action="store_true", help="print only errors and results"
    )
    # -v/-q are accepted after the subcommand too (skser train ... -v)
    common = argparse.ArgumentParser(add_help=False)
    sub_verbosity = common.add_mutually_exclusive_group()
    sub_verbosity.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                               help="log progress and show tracebacks")  # fmt: skip
    sub_verbosity.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS,
                               help="print only errors and results")  # fmt: skip
    sub = parser.add_subparsers(dest="command", required=True)
    _add_parser = sub.add_parser
    sub.add_parser = lambda *a, **k: _add_parser(*a, parents=[common], **k)

    demo = sub.add_parser(
        "demo",
        help="train and evaluate a model on the built-in synthetic corpus (no download)",
        description="Generate a synthetic acted-emotion corpus, cross-validate a log-mel CNN "
        "with speaker-independent folds, write a run folder (metrics, report, figures, model).",
    )
    demo.add_argument("--out", default="skser_runs", help="parent folder of the run folder")
    demo.add_argument("--name", default=None, help="run folder name (default demo-<time>)")
    demo.add_argument("--n-actors", type=int, default=8)
    demo.add_argument("--n-clips-per-emotion", type=int, default=6)
    demo.add_argument("--n-folds", type=int, default=4)
    demo.add_argument("--epochs", type=int, default=20)
    demo.add_argument("--random-state", type=int, default=0)

    for name, text in _TRAIN_HELP.items():
        _add_experiment_flags(sub.add_parser(name, help=text, description=text))

    pred = sub.add_parser("predict", help="predict the emotion of audio files with a saved model")
    pred.add_argument("model", type=Path, help="model bundle (.skser) from skser train")
    pred.add_argument("paths", nargs="+", help="audio files or folders")
    pred.add_argument("--timeline", action="store_true", help="per-window emotions of each file")
    pred.add_argument(
        "--window", type=float, help="timeline window (s); default the model's clip length"
    )
    pred.add_argument("--hop", type=float, help="timeline hop (s); default half a window")
    speakers = pred.add_mutually_exclusive_group()
    speakers.add_argument(
        "--speakers",
        type=Path,
        metavar="CSV",
        help="speaker of each file, a CSV with columns path,speaker (speaker-normalised models)",
    )
    speakers.add_argument(
        "--speaker-pattern",
        metavar="REGEX",
        help="regular expression on the file name whose first group (or group 'speaker') is "
        r"the speaker, e.g. --speaker-pattern='-(\d+)\.\w+$' for RAVDESS names (write "
        "it with '=' when it starts with '-')",
    )
    speakers.add_argument(
        "--speaker-per-folder",
        action="store_true",
        help="the folder holding each file names its speaker",
    )
    pred.add_argument("--format", choices=("table", "csv", "json"), default="table")
    pred.add_argument("--output", type=Path, help="write the table to this file")
    pred.add_argument(
        "--plot",
        type=Path,
        metavar="PNG",
        help="with --timeline and one recording: save its timeline figure (.png, .pdf, .svg)",
    )

    from ..serve._app import DEFAULT_HOST, DEFAULT_MAX_UPLOAD_MB, DEFAULT_PORT, DEFAULT_TIMEOUT_S

    srv = sub.add_parser(
        "serve",
        help="serve a model over HTTP, with a web page to upload or record audio",
        description="Serve a model bundle: POST /predict, POST /timeline, GET /health, "
        "GET /info, the web page at /, OpenAPI docs at /docs. Needs skser[serve].",
    )
    srv.add_argument("model", type=Path, help="model bundle (.skser) from skser train")
    srv.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to bind (default {DEFAULT_HOST}: this machine only; the service has "
        "no authentication)",
    )
    srv.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}")
    srv.add_argument(
        "--max-upload-mb",
        type=float,
        default=DEFAULT_MAX_UPLOAD_MB,
        help=f"largest upload, in MB (default {DEFAULT_MAX_UPLOAD_MB:g}); larger ones get 413",
    )
    srv.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT_S,
        help=f"seconds a request may take (default {DEFAULT_TIMEOUT_S:g}); then 504",
    )

    info = sub.add_parser("info", help="show a model bundle's metadata (does not load the model)")
    info.add_argument("model", type=Path)
    info.add_argument("--json", action="store_true")

    audit = sub.add_parser("audit", help="check a corpus for duplicates, silence, clipping, ...")
    audit.add_argument("path", type=Path, help="corpus folder")
    audit.add_argument("--corpus", default="ravdess", help="ravdess, crema_d, tess, savee or emodb")
    audit.add_argument("--output", type=Path, help="write the issues table as CSV")
    return parser


class _Echo:
    def __init__(self, quiet):
        self.quiet = quiet

    def __call__(self, *args):
        if not self.quiet:
            print(*args, flush=True)


# ---------------------------------------------------------------------- commands
def _experiment_config(args):
    from ._config import apply_overrides, load_config

    cfg = load_config(args.config)
    sets = list(args.set)
    flag_map = {
        "corpus": "data.corpus",
        "data": "data.path",
        "csv": "data.csv",
        "recipe": "pipeline.recipe",
        "features": "pipeline.features",
        "model": "pipeline.model",
        "epochs": "model.epochs",
        "batch_size": "model.batch_size",
        "augment": "pipeline.augment",
        "oversample": "pipeline.oversample",
        "speaker_normalise": "pipeline.speaker_normalise",
        "cv_scheme": "cv.scheme",
        "n_splits": "cv.n_splits",
        "random_state": "run.random_state",
        "out": "run.out_dir",
        "name": "run.name",
        "scheduler": "run.scheduler",
    }
    updates = {}
    for attr, dotted in flag_map.items():
        value = getattr(args, attr)
        if value is not None:
            section, key = dotted.split(".")
            updates.setdefault(section, {})[key] = value
    if args.emotions:
        updates.setdefault("data", {})["emotions"] = [e.strip() for e in args.emotions.split(",")]
    if args.resume:
        updates.setdefault("run", {})["resume"] = True
    from ._config import _merge, check_config

    check_config(updates, source="flags")
    cfg = _merge(cfg, updates)
    return apply_overrides(cfg, sets)


def _summary(echo, metrics, folder):
    from ..model_selection._cross_validate import summary_lines

    for line in summary_lines(metrics["cv"]):
        echo(line)
    echo(f"run: {folder} ({metrics['wall_time_s']:.0f} s)")
    if metrics.get("model_file"):
        echo(f"model: {Path(folder) / metrics['model_file']}")


def _precheck(cfg):
    """Errors that need no model: data paths, before TensorFlow is imported."""
    from ._config import ConfigError

    d = cfg["data"]
    if d["corpus"] == "csv" and d["csv"] and not Path(d["csv"]).is_file():
        raise ConfigError(f"data.csv: file not found: {d['csv']}")
    if d["corpus"] not in ("csv", "synthetic"):
        from ..datasets import LOADERS

        if d["corpus"] not in LOADERS:
            from ._config import did_you_mean

            raise ConfigError(
                f"unknown corpus {d['corpus']!r}{did_you_mean(d['corpus'], list(LOADERS))}; use "
                f"one of {', '.join([*LOADERS, 'csv', 'synthetic'])}"
            )
        if d["path"] and not Path(d["path"]).is_dir():
            raise FileNotFoundError(f"data directory not found: {d['path']}")


def _cmd_experiment(args, echo):
    from ._run import run_experiment

    if not (args.config or args.corpus or any(s.startswith("data.") for s in args.set)):
        raise ValueError(
            f"skser {args.command} needs a corpus: --corpus NAME --data FOLDER, --corpus csv "
            "--csv FILE, or --config FILE (`skser demo` runs on the synthetic corpus)"
        )
    cfg = _experiment_config(args)
    _precheck(cfg)
    _import_tensorflow_quietly()
    metrics, folder = run_experiment(cfg, command=args.command, echo=echo, progress=not args.quiet)
    _summary(echo, metrics, folder)
    return 0


def _cmd_demo(args, echo):
    from ._config import DEFAULTS, _merge
    from ._run import run_experiment

    if not 2 <= args.n_folds <= args.n_actors:
        raise ValueError(
            f"--n-folds must be between 2 and --n-actors ({args.n_actors}), got {args.n_folds}"
        )
    cfg = _merge(
        DEFAULTS,
        {
            "data": {
                "corpus": "synthetic",
                "n_actors": args.n_actors,
                "n_clips_per_emotion": args.n_clips_per_emotion,
                "clip_seconds": 2.0,
            },
            "pipeline": {
                "features": "logmel",
                "model": "cnn",
                "oversample": False,
                "normalise": "band",
            },
            "features": {"n_mels": 64, "n_fft": 1024, "hop_length": 256},
            "model": {
                "filters": [16, 32, 64],
                "dense_units": [64],
                "epochs": args.epochs,
                "learning_rate": 1e-3,
            },
            "cv": {"scheme": "speaker_kfold", "n_splits": args.n_folds},
            "run": {"out_dir": args.out, "name": args.name, "random_state": args.random_state},
        },
    )
    cfg["model"]["filters"] = tuple(cfg["model"]["filters"])
    cfg["model"]["dense_units"] = tuple(cfg["model"]["dense_units"])
    metrics, folder = run_experiment(cfg, command="demo", echo=echo, progress=not args.quiet)
    _summary(echo, metrics, folder)
    return 0


def _write_table(rows, fmt, output, echo):
    import pandas as pd

    frame = pd.DataFrame(rows)
    if fmt == "json":
        text = json.dumps(rows, indent=2)
    elif fmt == "csv":
        text = frame.to_csv(index=False)
    else:
        text = (
            frame.to_string(index=False, float_format=lambda v: f"{v:.3f}")
            if rows
            else "(no predictions)"
        )
    if output:
        from .._atomic import atomic_write_text

        atomic_write_text(output, text if text.endswith("\n") else text + "\n")
        echo(f"wrote {len(rows)} rows to {output}")
    else:
        print(text)


def _cmd_predict(args, echo):
    from .._routing import uses_speakers
    from ..deploy import load_model
    from ._predict import expand_paths, predict_files, predict_timeline, speaker_ids

    if args.timeline:  # numbers first: no model load for a typo
        from ..deploy._timeline import check_window

        check_window(args.window, args.hop)
    elif args.window is not None or args.hop is not None or args.plot is not None:
        raise ValueError("--window, --hop and --plot apply only with --timeline")
    if args.plot is not None:
        if args.plot.suffix.lower() not in {".png", ".pdf", ".svg"}:
            raise ValueError(f"--plot {str(args.plot)!r}: the figure must be .png, .pdf or .svg")
        if len(args.paths) != 1 or Path(args.paths[0]).is_dir():
            raise ValueError(
                f"--plot draws the timeline of ONE recording; got {len(args.paths)} path(s)"
                + (" (a folder)" if len(args.paths) == 1 else "")
            )
    if not Path(args.model).is_file():
        raise FileNotFoundError(f"model file not found: {args.model}")
    _import_tensorflow_quietly()
    model = load_model(args.model)
    paths = expand_paths(args.paths)
    speaker_normalised = uses_speakers(model, "predict")
    given = args.speakers or args.speaker_pattern or args.speaker_per_folder
    if given and args.timeline:
        raise ValueError(
            "--timeline treats each recording as one speaker; --speakers, --speaker-pattern "
            "and --speaker-per-folder apply to predictions per file"
        )
    if given and not speaker_normalised:
        echo("note: this model is not speaker-normalised; the speaker ids change nothing")
    groups = None
    if given:
        groups = speaker_ids(
            paths,
            csv=args.speakers,
            pattern=args.speaker_pattern,
            per_folder=args.speaker_per_folder,
        )
    elif speaker_normalised and not args.timeline:
        print(
            "skser predict: warning: this model is speaker-normalised but no speaker ids were "
            "given (--speakers, --speaker-pattern or --speaker-per-folder): every clip is "
            "normalised with the global training statistics instead, which is not how it was "
            "evaluated",
            file=sys.stderr,
        )
    if args.timeline:
        rows, failures = [], []
        for p in paths:
            try:
                rows += predict_timeline(model, p, window=args.window, hop=args.hop)
            except Exception as exc:  # report the file, keep going
                failures.append((p, getattr(exc, "reason", None) or f"{type(exc).__name__}: {exc}"))
    else:
        rows, failures = predict_files(model, paths, groups=groups)
    _write_table(rows, args.format, args.output, echo)
    for p, reason in failures:
        print(f"skser predict: error: {p}: {reason}", file=sys.stderr)
    if args.plot is not None and rows:
        from ..deploy._timeline import class_names
        from ..plotting import plot_timeline

        plot_timeline(rows, classes=class_names(model), title=Path(paths[0]).name, path=args.plot)
        echo(f"wrote the timeline figure {args.plot}")
    return 1 if failures else 0


def _cmd_serve(args, echo):
    from .._validation import check_scalar_param

    # Numbers and the bundle first: no TensorFlow import and no port for a typo.
    check_scalar_param("skser serve", "--port", args.port, "int", low=0, high=65535)
    check_scalar_param("skser serve", "--max-upload-mb", args.max_upload_mb, "real", low=0.001)
    check_scalar_param("skser serve", "--timeout", args.timeout, "real", low=0.01)
    if not Path(args.model).is_file():
        raise FileNotFoundError(f"model file not found: {args.model}")
    from ..serve import serve
    from ..serve._app import import_fastapi

    import_fastapi()  # the extra is there, before the slow TensorFlow import

    _import_tensorflow_quietly()
    try:
        serve(
            args.model,
            host=args.host,
            port=args.port,
            max_upload_mb=args.max_upload_mb,
            timeout_s=args.timeout,
            log_level="info" if args.verbose else "warning",
            ready=lambda url: echo(f"serving {args.model} at {url} (Ctrl-C stops)"),
        )
    except KeyboardInterrupt:  # uvicorn shut down cleanly, then passed Ctrl-C on
        pass
    echo("skser serve: stopped")
    return 0


def _cmd_info(args, echo):
    from ..deploy import read_metadata

    meta = read_metadata(args.model)
    if args.json:
        print(json.dumps(meta, indent=2))
        return 0
    m = meta.get("metrics", {})
    print(f"model     : {args.model}")
    print(f"created   : {meta['created']} with skser {meta['versions'].get('skser')}")
    print(f"classes   : {', '.join(map(str, meta.get('classes', [])))}")
    print(f"audio     : {meta.get('sample_rate')} Hz, clips of {meta.get('clip_seconds', 0):.2f} s")
    print(f"pipeline  : {' -> '.join(f'{n}:{s}' for n, s in meta.get('steps', []))}")
    if meta.get("speaker_normalised"):
        print(
            f"speakers  : {meta.get('speaker_normalisation')}; predict with speaker ids "
            "(--speakers, --speaker-pattern or --speaker-per-folder)"
        )
    if m:
        from ..model_selection._cross_validate import uar_headline

        print(f"evaluation: {uar_headline(m)} ({m.get('protocol')})")
        if m.get("selection"):
            from ..model_selection._cross_validate import describe_selection

            print(f"            {describe_selection(m['selection'])}")
    if meta.get("training"):
        t = meta["training"]
        print(
            f"trained on: {t.get('corpus')} ({t.get('clips')} clips, {t.get('speakers')} speakers)"
        )
    print(
        f"payload   : {meta['payload']['bytes']} bytes, sha256 {meta['payload']['sha256'][:16]}..."
    )
    print("security  : loading a model unpickles it; load only bundles from trusted sources")
    return 0


def _cmd_audit(args, echo):
    from ..datasets import LOADERS, audit_corpus

    if args.corpus not in LOADERS:
        raise ValueError(f"--corpus must be one of {', '.join(LOADERS)}, got {args.corpus!r}")
    if not args.path.is_dir():
        raise FileNotFoundError(f"data directory not found: {args.path}")
    audit = audit_corpus(LOADERS[args.corpus](args.path))
    print(audit.summary())
    if args.output:
        from .._atomic import atomic_write_text

        atomic_write_text(args.output, audit.issues.to_csv(index=False))
    return 0


def _import_tensorflow_quietly():
    """Import TensorFlow with its C++ start-up log lines (written straight to file
    descriptor 2, whatever TF_CPP_MIN_LOG_LEVEL says) sent to /dev/null."""
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            try:
                import tensorflow  # noqa: F401
            finally:
                os.dup2(saved, 2)
    except ImportError:
        pass  # reported properly by the code that needs it
    finally:
        os.close(saved)


_COMMANDS = {
    "demo": _cmd_demo,
    "evaluate": _cmd_experiment,
    "train": _cmd_experiment,
    "grid": _cmd_experiment,
    "predict": _cmd_predict,
    "serve": _cmd_serve,
    "info": _cmd_info,
    "audit": _cmd_audit,
}


def main(argv=None):
    """Run the ``skser`` command line.

    Parameters
    ----------
    argv : list of str, optional
        Arguments without the program name; ``sys.argv[1:]`` when None.

    Returns
    -------
    int
        The exit status: 0 on success, 2 for a usage or input error (one line on
        stderr), 130 when interrupted.

    Examples
    --------
    >>> from skser.cli import main
    >>> main(["info", "no/such/model.skser"])
    2
    """
    with warnings.catch_warnings():  # the CLI's warning display ends with the call
        return _main(argv)


def _main(argv):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # TensorFlow's start-up noise
    args = _build_parser().parse_args(argv)
    args.verbose = getattr(args, "verbose", False)
    args.quiet = getattr(args, "quiet", False)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not args.verbose:
        for name in ("tensorflow", "absl", "keras"):
            logging.getLogger(name).setLevel(logging.ERROR)
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        warnings.showwarning = _one_line_warning(args.command)
    echo = _Echo(args.quiet)
    try:
        if args.command == "demo":
            _import_tensorflow_quietly()
        from ..deploy import ModelFileError

        try:
            return _COMMANDS[args.command](args, echo)
        except (ValueError, OSError, ImportError, ModelFileError) as exc:
            if args.verbose:
                raise
            print(f"skser {args.command}: error: {describe_error(exc)}", file=sys.stderr)
            return 2
    except KeyboardInterrupt:  # also during start-up (imports)
        print(f"skser {args.command}: interrupted", file=sys.stderr)
        return 130


_OS_HINTS = {
    errno.EACCES: "check its permissions (ls -l) or choose another path",
    errno.EPERM: "check its permissions (ls -l) or choose another path",
    errno.ENOSPC: "free some space or write elsewhere (--out); nothing half-written was kept",
    errno.ELOOP: "a symbolic link points back at itself or a folder above it",
    errno.EROFS: "the file system is read-only: write elsewhere (--out)",
}


def describe_error(exc):
    """One line for an error: a system error names what failed, on which path, and what
    to do (``[Errno 13] Permission denied: 'x'`` becomes
    ``permission denied: x (check its permissions ...)``).

    Examples
    --------
    >>> describe_error(PermissionError(13, "Permission denied", "/data/a.wav"))
    'permission denied: /data/a.wav (check its permissions (ls -l) or choose another path)'
    >>> describe_error(ValueError("bad value"))
    'bad value'
    """
    if isinstance(exc, OSError) and exc.strerror and exc.filename is not None:
        where = os.fsdecode(exc.filename)
        if exc.filename2 is not None:
            where += f" -> {os.fsdecode(exc.filename2)}"
        hint = _OS_HINTS.get(exc.errno)
        return f"{exc.strerror[0].lower()}{exc.strerror[1:]}: {where}" + (
            f" ({hint})" if hint else ""
        )
    return str(exc)


def _one_line_warning(command):
    """Library warnings as one line on stderr (no source line), as the CLI's errors."""

    def show(message, category, filename, lineno, file=None, line=None):
        print(f"skser {command}: warning: {message}", file=file or sys.stderr)

    return show


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
