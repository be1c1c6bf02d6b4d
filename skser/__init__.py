"""skser: speech emotion recognition composed like scikit-learn.

Importing :mod:`skser` is cheap and has no side effects: sub-packages are loaded on
first attribute access, and Keras/TensorFlow are only imported by :mod:`skser.models`.
"""

import importlib
import logging

from ._version import __version__

logging.getLogger(__name__).addHandler(logging.NullHandler())

_SUBMODULES = (
    "datasets",
    "io",
    "features",
    "augment",
    "models",
    "pipeline",
    "model_selection",
    "metrics",
    "plotting",
    "deploy",
    "exceptions",
    "cli",
)

__all__ = ["__version__", *_SUBMODULES]


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'skser' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
