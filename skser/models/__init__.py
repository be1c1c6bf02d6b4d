"""Keras networks for SER as scikit-learn classifiers (imports Keras/TensorFlow).

Builders (pure functions returning an uncompiled ``keras.Model``):
:func:`build_cnn2d` (S0), :func:`build_crnn` (S1), :func:`build_cnn1d` (S2/S3),
:func:`build_mlp` (S4). Classifiers: :class:`CNNClassifier`,
:class:`CRNNClassifier`, :class:`CNN1DClassifier`, :class:`KerasMLPClassifier` and
:class:`KerasBuildFnClassifier` for your own build function.
:class:`SeedEnsembleClassifier` averages several seeds of any of them;
:class:`FusionClassifier` fuses whole branches (the weighted arithmetic or geometric
mean of their probabilities; :func:`fuse_probabilities`).
"""

from ._builders import build_cnn1d, build_cnn2d, build_crnn, build_mlp
from ._classifiers import (
    CNN1DClassifier,
    CNNClassifier,
    CRNNClassifier,
    KerasBuildFnClassifier,
    KerasMLPClassifier,
)
from ._ensemble import SeedEnsembleClassifier
from ._fusion import FusionClassifier, fuse_probabilities

__all__ = [
    "CNN1DClassifier",
    "CNNClassifier",
    "CRNNClassifier",
    "FusionClassifier",
    "KerasBuildFnClassifier",
    "KerasMLPClassifier",
    "SeedEnsembleClassifier",
    "build_cnn1d",
    "build_cnn2d",
    "build_crnn",
    "build_mlp",
    "fuse_probabilities",
]
