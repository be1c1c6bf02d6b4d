"""Fitting and predicting a pipeline chunk by chunk: waveforms never all in memory.

:class:`~skser.pipeline.SERPipeline` calls these when its ``chunk_size`` is set and the
input has more clips than that. The pipeline's steps before the classifier (the
*head*: loader, samplers, features, normalisers) then run on ``chunk_size`` clips at a
time. The classifier's input, one row of features per training row, goes to a
:class:`~skser._store.FeatureStore` on disk when the classifier trains from one batch
by batch (skser's Keras classifiers and their seed ensembles); other classifiers get it
as one array. Peak memory is about::

    chunk_size * (1 + copies) * n_samples * 4 bytes       (waveforms of one chunk)
    + n_rows * feature_size * 4 bytes                      (only without a store)
    + the classifier's own training memory (a batch, for the Keras classifiers)

where ``copies`` is the augmenter's copies per clip, ``n_rows`` the training rows
after oversampling and augmentation and ``feature_size`` the values per clip (164 for
the ``"pooled"`` preset, 40 x 94 for 40 MFCCs of a 3 s clip). The store needs
``n_rows * feature_size * 4`` bytes of disk in the temporary folder (``TMPDIR``).

How the head is fitted, and how it differs from fitting on all clips at once:

1. Row samplers that choose clips from the labels alone (``RandomOverSampler``,
   ``RandomUnderSampler``, without shrinkage) run first, on clip indices: the same
   rows as in memory.
2. The head's transformers learn their statistics (e.g. a dB floor, band means) from
   ``chunk_size`` training rows spread evenly over the (resampled) training set.
3. Every chunk then goes through the fitted head; other samplers (the augmenter) run
   per chunk, each chunk with its own seed drawn from the sampler's ``random_state``.

With ``chunk_size`` at least the number of clips nothing is chunked and the fit is
exactly the in-memory one.
"""

import logging
import numbers

import numpy as np
from sklearn.base import clone

from ._store import FeatureStore
from ._validation import check_finite

logger = logging.getLogger(__name__)

__all__ = ["fit_chunked", "predict_chunked"]


def _is_row_sampler(step):
    from imblearn.over_sampling import RandomOverSampler
    from imblearn.under_sampling import RandomUnderSampler

    return (
        isinstance(step, RandomOverSampler | RandomUnderSampler)
        and getattr(step, "shrinkage", None) is None
    )


def _is_sampler(step):
    return hasattr(step, "fit_resample") and not hasattr(step, "transform")


def _active(steps):
    return [(name, step) for name, step in steps if step is not None and step != "passthrough"]


def _chunk_seeds(random_state, n_chunks):
    """One seed per chunk from a sampler's ``random_state`` (None stays None)."""
    if random_state is None:
        return [None] * n_chunks
    if isinstance(random_state, numbers.Integral):
        seq = np.random.SeedSequence([int(random_state), 0x5EED])
        return [int(s) for s in seq.generate_state(n_chunks)]
    return [int(random_state.randint(2**31 - 1)) for _ in range(n_chunks)]  # a RandomState


def _check_head(pipe, head):
    from .io import AudioLoader

    owner = f"{type(pipe).__name__}(chunk_size={pipe.chunk_size})"
    if pipe._needs_groups_at_fit():
        raise ValueError(
            f"{owner}: speaker normalisation needs all clips of a speaker at once; it cannot "
            "be fitted in chunks yet (set chunk_size=None)"
        )
    loaders = [step for _, step in head if isinstance(step, AudioLoader)]
    if loaders and loaders[0].duration is None:
        raise ValueError(
            f"{owner}: a chunked fit needs a fixed clip length, because the loader cannot "
            "see every clip to learn it: set the loader's duration (make_ser_pipeline("
            "duration=...) or AudioLoader(duration=...))"
        )
    seen_other = False
    for name, step in head:
        if _is_row_sampler(step):
            if seen_other:
                raise ValueError(
                    f"{owner}: the row sampler {name!r} comes after the sampler that changes "
                    "the clips; in a chunked fit it must come first"
                )
        elif _is_sampler(step):
            seen_other = True
    if not head or isinstance(head[-1][1], AudioLoader) or _is_sampler(head[-1][1]):
        raise ValueError(
            f"{owner}: the classifier's input would be waveforms: a chunked fit bounds "
            "memory only when the features are steps of the pipeline (a feature preset of "
            "make_ser_pipeline, not the fusion, whose classifier computes its own features)"
        )


def _run_head(head, X, y, groups, *, fit, seeds=None):
    """``X`` through the head steps: ``fit`` fits them on these rows (the sample)."""
    fitted = []
    for name, step in head:
        if _is_sampler(step):
            sampler = clone(step)
            if seeds is not None and "random_state" in sampler.get_params():
                sampler.set_params(random_state=seeds[name])
            X, y = sampler.fit_resample(X, y)
            groups = None if groups is None else groups[sampler.sample_indices_]
            fitted.append((name, sampler))
        elif fit:
            X = step.fit_transform(X, y)
            fitted.append((name, step))
        else:
            X = step.transform(X)
            fitted.append((name, step))
    return X, y, groups, fitted


def fit_chunked(pipe, X, y, groups=None):
    """Fit ``pipe`` (an :class:`~skser.pipeline.SERPipeline`) in chunks of
    ``pipe.chunk_size`` clips; see the module docstring. Returns ``pipe``."""
    k = int(pipe.chunk_size)
    X, y = np.asarray(X), np.asarray(y)
    groups = None if groups is None else np.asarray(groups)
    pipe.steps = list(pipe.steps)
    pipe._validate_steps()
    head = [(n, clone(s)) for n, s in _active(pipe.steps[:-1])]
    _check_head(pipe, head)
    final_name, final = pipe.steps[-1]

    # 1. row samplers on clip indices (they read only the labels)
    rows = np.arange(len(y))
    row_fitted = {}
    for name, step in head:
        if _is_row_sampler(step):
            step.fit_resample(rows.reshape(-1, 1), y[rows])
            rows = rows[step.sample_indices_]
            row_fitted[name] = step
    rest = [(n, s) for n, s in head if n not in row_fitted]

    # 2. the transformers' statistics from chunk_size rows spread over the training set
    sample = rows[np.unique(np.linspace(0, len(rows) - 1, min(k, len(rows))).astype(int))]
    g = None if groups is None else groups[sample]
    _, _, _, fitted = _run_head(rest, X[sample], y[sample], g, fit=True)
    transformers = dict(fitted)

    # 3. every chunk through the fitted head
    n_chunks = -(-len(rows) // k)
    seeds = {
        name: _chunk_seeds(step.get_params().get("random_state"), n_chunks)
        for name, step in rest
        if _is_sampler(step)
    }
    store = FeatureStore() if getattr(final, "_reads_feature_store", False) else None
    try:  # the store's file is removed however the fit ends
        final = _fit_final(pipe, rest, transformers, rows, X, y, groups, seeds, store)
    finally:
        if store is not None:
            store.close()
    fitted_all = {**row_fitted, **transformers}
    pipe.steps = [(name, fitted_all.get(name, step)) for name, step in pipe.steps[:-1]] + [
        (final_name, final)
    ]
    return pipe


def _fit_final(pipe, rest, transformers, rows, X, y, groups, seeds, store):
    """Every chunk through the fitted head (into ``store`` or memory), then the
    classifier on the result. Returns the fitted classifier."""
    from ._routing import consumes_groups, routing_scope

    k = int(pipe.chunk_size)
    final = pipe.steps[-1][1]
    n_chunks = -(-len(rows) // k)
    steps = [(n, transformers[n] if not _is_sampler(s) else s) for n, s in rest]
    parts, labels, speakers = [], [], []
    for c in range(n_chunks):
        rr = rows[c * k : (c + 1) * k]
        Xc, yc, gc, _ = _run_head(
            steps,
            X[rr],
            y[rr],
            None if groups is None else groups[rr],
            fit=False,
            seeds={name: s[c] for name, s in seeds.items()},
        )
        Xc = np.asarray(Xc)
        if store is None:
            parts.append(Xc)
        else:
            check_finite(Xc, name=f"{type(pipe).__name__} chunk {c + 1}")
            store.append(Xc)
        labels.append(yc)
        speakers.append(gc)
        logger.info("chunk %d/%d: %d clips -> %s", c + 1, n_chunks, len(rr), Xc.shape)
        del Xc
    Xt = store.rows() if store is not None else np.concatenate(parts)
    yt = np.concatenate(labels)
    del parts
    if final in (None, "passthrough"):
        return final
    final = clone(final)
    logger.info("fitting %s on %s", type(final).__name__, Xt.shape)
    if groups is not None and consumes_groups(final, "fit"):
        with routing_scope():
            final.fit(Xt, yt, groups=np.concatenate(speakers))
    else:
        final.fit(Xt, yt)
    return final


def predict_chunked(pipe, method, X, groups=None, **params):
    """``pipe.<method>`` on ``chunk_size`` clips at a time, the results concatenated."""
    k = int(pipe.chunk_size)
    X = np.asarray(X)
    groups = None if groups is None else np.asarray(groups)
    call = getattr(pipe, method)
    out = []
    for start in range(0, len(X), k):
        part = slice(start, start + k)
        out.append(call(X[part], groups=None if groups is None else groups[part], **params))
    return np.concatenate(out)
