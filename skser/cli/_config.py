"""Run configuration: defaults, TOML files, flag overrides, strict key checking."""

import copy
import difflib
import tomllib
from pathlib import Path

from .._presets import FEATURES, MODELS, RECIPES
from ..exceptions import ConfigError

__all__ = ["DEFAULTS", "ConfigError", "load_config", "apply_overrides", "check_config"]


#: Every section and key a config may have, with its default. Sections marked
#: "free" take estimator parameters, checked when the pipeline is built.
DEFAULTS = {
    "data": {
        "corpus": "synthetic",  # ravdess, crema_d, tess, savee, emodb, csv, synthetic
        "path": None,  # corpus folder
        "csv": None,  # CSV with columns path,label,speaker (corpus = "csv")
        "emotions": None,  # subset of emotions to keep
        "n_actors": 8,  # synthetic corpus only
        "n_clips_per_emotion": 6,
        "clip_seconds": 2.0,
    },
    "pipeline": {
        "recipe": None,  # "S0".."S4": start from a published recipe
        "features": "auto",  # the fusion default; see skser.pipeline.FEATURE_PRESETS
        "model": "auto",
        "oversample": True,
        "augment": "auto",  # the model's own (the default's, in each branch); true/false
        "normalise": "auto",
        "speaker_normalise": False,  # z-score features per speaker (SpeakerStandardScaler)
        "sr": 16000,
        "duration": None,
        "chunk_size": None,  # clips loaded at a time (corpora larger than memory)
    },
    "features": {},  # free: parameters of the feature transformer
    "model": {},  # free: parameters of the classifier (epochs, batch_size, ...)
    "augment": {},  # free: AudioAugmenter parameters (of each fusion branch with "auto")
    "cv": {"scheme": "speaker_kfold", "n_splits": 5},  # speaker_kfold, loso, random
    "grid": {},  # free: parameter grid for `skser grid`, e.g. {"clf__dropout" = [0.1, 0.3]}
    "run": {
        "out_dir": "skser_runs",
        "name": None,
        "random_state": 0,
        "n_jobs": None,
        "cache": None,  # folder for cached audio/features (grid search)
        "resume": False,
        "scheduler": None,  # Dask: "local" or "tcp://host:8786" (folds and grid candidates)
    },
}
_FREE = {"features", "model", "augment", "grid"}

# The type of every non-free key: a value of another type is an error that names the
# key (a string "no" is not false; 2.7 is not an integer).
_BOOL, _INT, _NUM, _STR = "true or false", "an integer", "a number", "a string"
_TYPES = {
    ("data", "corpus"): (_STR,),
    ("data", "path"): (_STR, None),
    ("data", "csv"): (_STR, None),
    ("data", "n_actors"): (_INT,),
    ("data", "n_clips_per_emotion"): (_INT,),
    ("data", "clip_seconds"): (_NUM,),
    ("pipeline", "recipe"): (_STR, None),
    ("pipeline", "features"): (_STR,),
    ("pipeline", "model"): (_STR,),
    ("pipeline", "oversample"): (_BOOL,),
    ("pipeline", "augment"): (_BOOL, _STR),
    ("pipeline", "normalise"): (_STR,),
    ("pipeline", "speaker_normalise"): (_BOOL,),
    ("pipeline", "sr"): (_INT,),
    ("pipeline", "duration"): (_NUM, None),
    ("pipeline", "chunk_size"): (_INT, None),
    ("cv", "scheme"): (_STR,),
    ("cv", "n_splits"): (_INT,),
    ("run", "out_dir"): (_STR,),
    ("run", "name"): (_STR, None),
    ("run", "random_state"): (_INT, None),
    ("run", "n_jobs"): (_INT, None),
    ("run", "cache"): (_STR, None),
    ("run", "resume"): (_BOOL,),
    ("run", "scheduler"): (_STR, None),
}


def _is(value, kind):
    if kind is None:
        return value is None
    if kind == _BOOL:
        return isinstance(value, bool)
    if kind == _INT:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == _NUM:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, (str, Path))


def _check_type(source, section, key, value):
    kinds = _TYPES.get((section, key))
    if kinds is None or any(_is(value, k) for k in kinds):
        return
    want = " or ".join("none (leave it out)" if k is None else k for k in kinds)
    raise ConfigError(f"{source}: {section}.{key} must be {want}; got {value!r}")


_CHOICES = {
    ("data", "corpus"): ("ravdess", "crema_d", "tess", "savee", "emodb", "csv", "synthetic"),
    ("cv", "scheme"): ("speaker_kfold", "loso", "random"),
    ("pipeline", "features"): ("auto", *FEATURES),
    ("pipeline", "model"): ("auto", *MODELS),
    ("pipeline", "recipe"): tuple(RECIPES),
    ("pipeline", "augment"): ("auto",),
}


def did_you_mean(key, valid):
    """``"; did you mean 'x'?"`` for the closest valid name, or ``""``."""
    close = difflib.get_close_matches(str(key), [str(v) for v in valid], n=1, cutoff=0.5)
    return f"; did you mean {close[0]!r}?" if close else ""


def _suggest(key, valid):
    return did_you_mean(key, valid) or f"; valid keys: {', '.join(sorted(valid))}"


def check_config(cfg, *, source="config"):
    """Check a configuration: sections, keys, value types and choices.

    Parameters
    ----------
    cfg : dict
        ``{section: {key: value}}``, as TOML gives it; sections may be partial.
    source : str, default="config"
        Where it came from (a file name), quoted in the error.

    Returns
    -------
    dict
        ``cfg`` itself.

    Raises
    ------
    ConfigError
        An unknown section or key (naming the closest valid one), a value of the wrong
        type (``"no"`` is not a boolean, ``2.7`` not an integer) or outside its choices.
        Keys of the free sections (``[model]``, ``[features]``...) are checked against
        the estimator when the pipeline is built.

    Examples
    --------
    >>> from skser.cli import ConfigError, check_config
    >>> _ = check_config({"cv": {"n_splits": 6}})
    >>> try:
    ...     check_config({"pipeline": {"oversample": "no"}}, source="run.toml")
    ... except ConfigError as err:
    ...     print(err)
    run.toml: pipeline.oversample must be true or false; got 'no'
    """
    for section, values in cfg.items():
        if section not in DEFAULTS:
            raise ConfigError(f"{source}: unknown section [{section}]{_suggest(section, DEFAULTS)}")
        if not isinstance(values, dict):
            raise ConfigError(f"{source}: [{section}] must be a table of keys, got {values!r}")
        if section in _FREE:
            continue
        for key, value in values.items():
            if key not in DEFAULTS[section]:
                raise ConfigError(
                    f"{source}: unknown key {section}.{key}{_suggest(key, DEFAULTS[section])}"
                )
            _check_type(source, section, key, value)
            choices = _CHOICES.get((section, key))
            if choices and isinstance(value, str) and value not in choices:
                raise ConfigError(
                    f"{source}: {section}.{key} must be one of {', '.join(choices)}; got {value!r}"
                    + _suggest(value, choices).replace("valid keys", "choices")
                )
    return cfg


def _merge(base, update):
    out = copy.deepcopy(base)
    for section, values in update.items():
        out.setdefault(section, {})
        out[section].update(values)
    return out


def load_config(path=None):
    """The defaults (:data:`DEFAULTS`), updated by a TOML file if given.

    Parameters
    ----------
    path : str or path-like, optional
        A TOML file; checked with :func:`check_config`.

    Returns
    -------
    dict
        A new ``{section: {key: value}}`` with every key.

    Examples
    --------
    >>> import os, tempfile
    >>> from skser.cli import load_config
    >>> path = os.path.join(tempfile.mkdtemp(), "run.toml")
    >>> with open(path, "w") as f:
    ...     _ = f.write("[cv]\\nn_splits = 6\\n")
    >>> cfg = load_config(path)
    >>> cfg["cv"]["n_splits"], cfg["pipeline"]["features"]
    (6, 'auto')
    """
    cfg = copy.deepcopy(DEFAULTS)
    if path is None:
        return cfg
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    check_config(data, source=str(path))
    return _merge(cfg, data)


def _parse_value(text):
    """A TOML literal (number, bool, string, array), else the raw string."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def apply_overrides(cfg, assignments, *, source="--set"):
    """Apply ``section.key=value`` strings, as ``skser train --set`` does.

    Parameters
    ----------
    cfg : dict
        A configuration (:func:`load_config`); not modified.
    assignments : list of str
        ``"section.key=value"``; values are TOML literals (``3``, ``true``,
        ``"text"``, ``[1, 2]``), anything else is taken as a string.
    source : str, default="--set"
        Quoted in errors.

    Returns
    -------
    dict
        A new configuration.

    Examples
    --------
    >>> from skser.cli import apply_overrides, load_config
    >>> cfg = apply_overrides(load_config(), ["cv.n_splits=4", "model.dropout=0.2"])
    >>> cfg["cv"]["n_splits"], cfg["model"]["dropout"]
    (4, 0.2)
    """
    update = {}
    for item in assignments:
        if "=" not in item or "." not in item.split("=", 1)[0]:
            raise ConfigError(f"{source} expects section.key=value, got {item!r}")
        dotted, raw = item.split("=", 1)
        section, key = dotted.strip().split(".", 1)
        update.setdefault(section, {})[key] = _parse_value(raw.strip())
    check_config(update, source=source)
    return _merge(cfg, update)
