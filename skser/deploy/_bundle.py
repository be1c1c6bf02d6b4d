"""Model bundles: a fitted pipeline plus the metadata needed to trust and use it.

A bundle is ONE zip file holding ``metadata.json`` and ``model.joblib``. The metadata
(versions, classes, sample rate, training data summary, evaluation metrics, creation
time, sha256 and size of the payload) can be read without unpickling anything
(:func:`read_metadata`). :func:`load_model` checks the payload against its sha256 and
warns when the versions it was saved with differ from the running ones.

**Security**: the payload is a pickle. Loading a pickle runs code chosen by whoever
wrote it: load only bundles you made yourself or got from a source you trust. The
checksum detects corruption, not tampering.
"""

import datetime as _dt
import hashlib
import io
import json
import platform
import warnings
import zipfile
from importlib import metadata as importlib_metadata
from pathlib import Path

from .._atomic import atomic_path
from .._version import __version__
from ..exceptions import ModelFileError, VersionMismatchWarning

__all__ = [
    "save_model",
    "load_model",
    "read_metadata",
    "ModelFileError",
    "VersionMismatchWarning",
    "BUNDLE_FORMAT",
]

BUNDLE_FORMAT = 1
_PAYLOAD = "model.joblib"
_METADATA = "metadata.json"
_PACKAGES = (
    "scikit-learn",
    "keras",
    "tensorflow",
    "scikeras",
    "imbalanced-learn",
    "librosa",
    "numpy",
    "joblib",
)


def _versions():
    out = {"skser": __version__, "python": platform.python_version()}
    for name in _PACKAGES:
        try:
            out[name] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            out[name] = None
    return out


def _describe(model):
    """Classes and sample rate of a fitted pipeline (or classifier), where available."""
    info = {"estimator": type(model).__name__}
    classes = getattr(model, "classes_", None)
    if classes is not None:
        info["classes"] = [c.item() if hasattr(c, "item") else c for c in classes]
    steps = getattr(model, "steps", None)
    if steps:
        info["steps"] = [
            [name, step if isinstance(step, str) else type(step).__name__] for name, step in steps
        ]
        from .._groups import SPEAKER_NORMALISED_PROTOCOL
        from .._routing import uses_speakers

        if uses_speakers(model, "predict"):
            info["speaker_normalised"] = True
            info["speaker_normalisation"] = SPEAKER_NORMALISED_PROTOCOL
        else:
            info["speaker_normalised"] = False
        first = steps[0][1]
        if hasattr(first, "sr"):
            info["sample_rate"] = int(first.sr)
        if hasattr(first, "n_samples_") and hasattr(first, "sr"):
            info["clip_seconds"] = first.n_samples_ / first.sr
    return info


def save_model(model, path, *, training=None, metrics=None, config=None, extra=None):
    """Save a fitted model as a bundle, atomically (temporary name, then rename).

    Parameters
    ----------
    model : estimator
        A fitted pipeline (or any picklable fitted estimator).
    path : str or Path
        Output file, e.g. ``model.skser``.
    training : dict, optional
        Summary of the training data (corpus, clips, speakers, class counts).
    metrics : dict, optional
        Evaluation results to keep with the model (e.g. cross-validated UAR).
    config : dict, optional
        The configuration the model was built from.
    extra : dict, optional
        Anything else (JSON-serialisable).

    Returns
    -------
    dict
        The metadata written.

    Examples
    --------
    >>> import tempfile
    >>> from skser.datasets import make_synthetic_speech
    >>> corpus = make_synthetic_speech(n_actors=4, emotions=["angry", "sad"],
    ...                                n_clips_per_emotion=4, duration=0.5,
    ...                                random_state=0, out_dir=tempfile.mkdtemp())
    >>> from pathlib import Path
    >>> from skser.deploy import load_model, read_metadata, save_model
    >>> from skser.pipeline import make_ser_pipeline
    >>> pipe = make_ser_pipeline("pooled", "logreg", random_state=0)
    >>> pipe = pipe.fit(corpus.filenames, corpus.target)
    >>> path = Path(tempfile.mkdtemp()) / "model.skser"
    >>> meta = save_model(pipe, path, metrics={"uar_mean": 0.5})
    >>> read_metadata(path)["metrics"]
    {'uar_mean': 0.5}
    >>> load_model(path).predict(corpus.filenames[:2]).shape
    (2,)
    """
    import joblib

    if (
        getattr(model, "__sklearn_is_fitted__", None) is not None
        and not model.__sklearn_is_fitted__()
    ):
        raise ValueError("save_model: the model is not fitted")
    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    payload = buffer.getvalue()
    meta = {
        "format": BUNDLE_FORMAT,
        "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "versions": _versions(),
        "payload": {
            "name": _PAYLOAD,
            "bytes": len(payload),
            "sha256": hashlib.sha256(payload).hexdigest(),
        },
        **_describe(model),
        "training": training or {},
        "metrics": metrics or {},
        "config": config or {},
        "extra": extra or {},
        "security": "the payload is a pickle: load it only from a source you trust",
    }
    with atomic_path(path) as tmp:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as zf:
            zf.writestr(_METADATA, json.dumps(meta, indent=2, sort_keys=True, default=str))
            zf.writestr(_PAYLOAD, payload)
    return meta


def _open(path):
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"model file not found: {path}")
    try:
        zf = zipfile.ZipFile(path)
        names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise ModelFileError(
            f"{path} is not a skser model bundle, or it is truncated or corrupt ({exc})"
        ) from None
    if not {_METADATA, _PAYLOAD} <= names:
        raise ModelFileError(
            f"{path} is a zip file but not a skser model bundle (members: {sorted(names)})"
        )
    return zf


def _check_metadata(meta, path):
    """The metadata object, or a ModelFileError naming what is missing or malformed."""
    if not isinstance(meta, dict):
        raise ModelFileError(
            f"{path}: metadata.json is a JSON {type(meta).__name__}, not an object: not a "
            "skser bundle, or a damaged one"
        )
    expected = {"format": int, "created": str, "payload": dict, "versions": dict}
    for key, kind in expected.items():
        if key not in meta:
            raise ModelFileError(f"{path}: metadata.json lacks the key {key!r} (damaged bundle)")
        if not isinstance(meta[key], kind) or isinstance(meta[key], bool):
            raise ModelFileError(
                f"{path}: metadata.json key {key!r} is {meta[key]!r}, expected a JSON "
                f"{ {int: 'integer', str: 'string', dict: 'object'}[kind] } (damaged bundle)"
            )
    payload = meta["payload"]
    if not (isinstance(payload.get("sha256"), str) and isinstance(payload.get("bytes"), int)):
        raise ModelFileError(
            f"{path}: metadata.json 'payload' needs 'sha256' (string) and 'bytes' (integer), "
            f"got {payload!r} (damaged bundle)"
        )
    return meta


def read_metadata(path):
    """Read a bundle's metadata without loading (unpickling) the model.

    Parameters
    ----------
    path : str or Path
        Bundle file.

    Returns
    -------
    dict

    Examples
    --------
    >>> import tempfile
    >>> from skser.datasets import make_synthetic_speech
    >>> corpus = make_synthetic_speech(n_actors=4, emotions=["angry", "sad"],
    ...                                n_clips_per_emotion=4, duration=0.5,
    ...                                random_state=0, out_dir=tempfile.mkdtemp())
    >>> from pathlib import Path
    >>> from skser.deploy import read_metadata, save_model
    >>> from skser.pipeline import make_ser_pipeline
    >>> pipe = make_ser_pipeline("pooled", "logreg").fit(corpus.filenames, corpus.target)
    >>> path = Path(tempfile.mkdtemp()) / "model.skser"
    >>> _ = save_model(pipe, path, training={"corpus": "synthetic"})
    >>> meta = read_metadata(path)  # nothing is unpickled
    >>> meta["training"], meta["format"]
    ({'corpus': 'synthetic'}, 1)
    """
    with _open(path) as zf:
        try:
            meta = json.loads(zf.read(_METADATA))
        except (ValueError, zipfile.BadZipFile, OSError) as exc:
            raise ModelFileError(f"{path}: unreadable metadata ({exc})") from None
    return _check_metadata(meta, path)


def load_model(path, *, check_versions=True):
    """Load a bundle saved by :func:`save_model`, verifying its checksum.

    Loading unpickles the payload, which runs code: only load bundles from a source
    you trust.

    Parameters
    ----------
    path : str or Path
        Bundle file.
    check_versions : bool, default=True
        Warn (:class:`VersionMismatchWarning`) for each package whose version differs
        from the one the bundle was saved with.

    Returns
    -------
    model : estimator
        The fitted model; its metadata is in ``model.skser_metadata_`` when the object
        accepts attributes.

    Examples
    --------
    >>> import tempfile
    >>> from skser.datasets import make_synthetic_speech
    >>> corpus = make_synthetic_speech(n_actors=4, emotions=["angry", "sad"],
    ...                                n_clips_per_emotion=4, duration=0.5,
    ...                                random_state=0, out_dir=tempfile.mkdtemp())
    >>> from pathlib import Path
    >>> from skser.deploy import ModelFileError, load_model, save_model
    >>> from skser.pipeline import make_ser_pipeline
    >>> pipe = make_ser_pipeline("pooled", "logreg").fit(corpus.filenames, corpus.target)
    >>> path = Path(tempfile.mkdtemp()) / "model.skser"
    >>> _ = save_model(pipe, path)
    >>> load_model(path).classes_.tolist()
    ['angry', 'sad']
    >>> _ = path.write_bytes(path.read_bytes()[:100])  # a truncated copy
    >>> load_model(path)
    Traceback (most recent call last):
    ...
    skser.exceptions.ModelFileError: ...
    """
    import joblib

    path = Path(path)
    with _open(path) as zf:
        try:
            meta = json.loads(zf.read(_METADATA))
            payload = zf.read(_PAYLOAD)
        except (ValueError, zipfile.BadZipFile, OSError, EOFError) as exc:
            raise ModelFileError(f"{path} is truncated or corrupt ({exc})") from None
    _check_metadata(meta, path)
    if meta.get("format") != BUNDLE_FORMAT:
        raise ModelFileError(
            f"{path} has bundle format {meta.get('format')!r}; this skser reads format {BUNDLE_FORMAT}"
        )
    digest = hashlib.sha256(payload).hexdigest()
    if digest != meta["payload"]["sha256"] or len(payload) != meta["payload"]["bytes"]:
        raise ModelFileError(
            f"{path}: the model payload does not match its sha256 checksum (corrupt file)"
        )
    if check_versions:
        now = _versions()
        for name, saved in meta.get("versions", {}).items():
            if name in now and saved != now[name]:
                warnings.warn(
                    f"{path.name} was saved with {name} {saved}, running {now[name]}: "
                    "predictions may differ or loading may fail",
                    VersionMismatchWarning,
                    stacklevel=2,
                )
    try:
        model = joblib.load(io.BytesIO(payload))
    except Exception as exc:
        raise ModelFileError(
            f"{path}: the model could not be unpickled ({type(exc).__name__}: {exc})"
        ) from exc
    try:
        model.skser_metadata_ = meta
    except AttributeError:
        pass
    return model
