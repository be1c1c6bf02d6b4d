"""FeatureStack: several frame-level features stacked along the band axis."""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.utils.metaestimators import _BaseComposition
from sklearn.utils.validation import check_is_fitted

__all__ = ["FeatureStack", "make_feature_stack"]


class FeatureStack(TransformerMixin, _BaseComposition, BaseEstimator):
    """Stack the outputs of several feature transformers along the band axis.

    Recipe S2's front end is ``FeatureStack([("zcr", ZeroCrossingRate()),
    ("rms", RMSEnergy()), ("mfcc", MFCC())])``: ``(n_clips, 1 + 1 + 20, n_frames)``.
    Every transformer must give the same number of frames (same ``hop_length`` and
    ``center``). Nested parameters are grid-searchable as ``<name>__<param>``.

    Parameters
    ----------
    transformers : list of (str, transformer)
        Named transformers, each mapping waveforms to ``(n, bands, frames)``.

    Attributes
    ----------
    transformers_ : list of (str, transformer)
        The fitted clones.
    n_bands_ : int
        Total number of bands.

    Examples
    --------
    >>> import numpy as np
    >>> from skser.features import FeatureStack, MFCC, RMSEnergy, ZeroCrossingRate
    >>> X = np.random.default_rng(0).normal(size=(2, 16000)).astype("float32")
    >>> stack = FeatureStack([("zcr", ZeroCrossingRate()), ("rms", RMSEnergy()),
    ...                       ("mfcc", MFCC(n_mfcc=13))])
    >>> stack.fit_transform(X).shape
    (2, 15, 32)
    """

    def __init__(self, transformers):
        self.transformers = transformers

    def get_params(self, deep=True):
        return self._get_params("transformers", deep=deep)

    def set_params(self, **params):
        self._set_params("transformers", **params)
        return self

    def _check_transformers(self):
        if not isinstance(self.transformers, (list, tuple)) or not self.transformers:
            raise ValueError(
                "FeatureStack: transformers must be a non-empty list of (name, transformer)"
            )
        for item in self.transformers:
            if not (isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str)):
                raise ValueError(
                    f"FeatureStack: each item must be a (name, transformer) pair, got {item!r}"
                )
        self._validate_names([name for name, _ in self.transformers])

    def fit(self, X, y=None):
        """Fit every transformer (a clone) and check that their frame counts agree."""
        self.fit_transform(X, y)
        return self

    def fit_transform(self, X, y=None, **fit_params):
        """Fit every transformer and return the stacked features."""
        self._check_transformers()
        self.transformers_ = [(name, clone(t)) for name, t in self.transformers]
        parts = [t.fit_transform(X, y) for _, t in self.transformers_]
        out = self._stack(parts)
        self.n_bands_ = out.shape[1]
        self.n_features_in_ = self.transformers_[0][1].n_features_in_
        return out

    def _stack(self, parts):
        for (name, _), part in zip(self.transformers_, parts, strict=True):
            if part.ndim != 3:
                raise ValueError(
                    f"FeatureStack: {name!r} returned a {part.ndim}-D array; need (n, bands, frames)"
                )
        frames = {name: p.shape[-1] for (name, _), p in zip(self.transformers_, parts, strict=True)}
        if len(set(frames.values())) > 1:
            raise ValueError(
                f"FeatureStack: the transformers give different numbers of frames {frames}; "
                "use the same hop_length, center and n_frames for all of them"
            )
        return np.concatenate(parts, axis=1).astype(np.float32, copy=False)

    def transform(self, X):
        """Return ``(n_clips, sum of bands, n_frames)``."""
        check_is_fitted(self, "transformers_")
        return self._stack([t.transform(X) for _, t in self.transformers_])

    def get_feature_names_out(self, input_features=None):
        """Band names of every transformer, in stacking order."""
        check_is_fitted(self, "transformers_")
        return np.concatenate([t.get_feature_names_out() for _, t in self.transformers_]).astype(
            object
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags


def make_feature_stack(*transformers):
    """Build a :class:`FeatureStack`, naming each transformer after its class.

    Parameters
    ----------
    *transformers : transformer
        Waveform feature transformers whose outputs are stacked along the bands
        axis (same hop length, so the same number of frames).

    Returns
    -------
    FeatureStack

    Examples
    --------
    >>> from skser.features import make_feature_stack, RMSEnergy, ZeroCrossingRate
    >>> [name for name, _ in make_feature_stack(ZeroCrossingRate(), RMSEnergy()).transformers]
    ['zerocrossingrate', 'rmsenergy']
    """
    names = [type(t).__name__.lower() for t in transformers]
    out = []
    for name, t in zip(names, transformers, strict=True):
        if names.count(name) > 1:
            name = f"{name}-{sum(1 for n, _ in out if n.startswith(name)) + 1}"
        out.append((name, t))
    return FeatureStack(out)
