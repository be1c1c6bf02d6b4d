"""Deployable model bundles: save, load (checksum and version checks), read metadata.

Loading a bundle unpickles it, which runs code: only load bundles you trust.
"""

from ._bundle import (
    BUNDLE_FORMAT,
    ModelFileError,
    VersionMismatchWarning,
    load_model,
    read_metadata,
    save_model,
)
from ._timeline import predict_timeline

__all__ = [
    "BUNDLE_FORMAT",
    "ModelFileError",
    "VersionMismatchWarning",
    "load_model",
    "read_metadata",
    "save_model",
    "predict_timeline",
]
