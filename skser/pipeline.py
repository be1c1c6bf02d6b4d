"""make_ser_pipeline: a whole SER model as ONE imbalanced-learn Pipeline.

Steps, always present and always named the same (a disabled step is
``"passthrough"``, so a grid can switch it on)::

    load -> oversample -> augment -> features -> speaker -> normalise -> clf

``oversample`` and ``augment`` are imbalanced-learn samplers: they run only while the
pipeline is fitted (on the training part of each fold) and never at predict time.
``speaker`` is per-speaker standardisation (:class:`~skser.features.SpeakerStandardScaler`,
``speaker_normalise=True``); the pipeline is a :class:`SERPipeline`, which carries speaker
ids (``groups``) to it through ``fit`` and ``predict``.
"""

from sklearn.base import clone

from ._presets import (
    AUTO_MODEL_DESCRIPTION,
    FEATURES,
    FUSION_AUGMENT,
    MODELS,
    RECIPES,
    RECORDING_CHAIN_AUGMENT,
    auto_features,
    auto_model,
    branch_augment,
    check_compatible,
    normaliser,
    speaker_step,
)
from ._routing import SERPipeline
from ._validation import check_scalar_param

__all__ = [
    "SERPipeline",
    "make_ser_pipeline",
    "make_recipe_pipeline",
    "FEATURE_PRESETS",
    "MODEL_PRESETS",
    "RECIPES",
    "RECORDING_CHAIN_AUGMENT",
    "FUSION_AUGMENT",
]

#: Named feature extractors accepted by ``make_ser_pipeline(features=...)`` and what
#: each gives (read from the preset registry, ``skser._presets``).
FEATURE_PRESETS = {name: p.description for name, p in FEATURES.items()}

#: Named classifiers accepted by ``make_ser_pipeline(model=...)`` (from the registry).
MODEL_PRESETS = {"auto": AUTO_MODEL_DESCRIPTION} | {
    name: p.description for name, p in MODELS.items()
}


def _set_nested(estimator, name, value, *, only_if_none=True):
    """Set every parameter called ``name`` (at any depth) that is still None."""
    if not hasattr(estimator, "get_params"):
        return
    params = estimator.get_params(deep=True)

    def owner(key):
        prefix = key.rpartition("__")[0]
        return params.get(prefix, estimator) if prefix else estimator

    updates = {
        key: value
        for key in params
        if (key == name or key.endswith("__" + name))
        and (params[key] is None or not only_if_none)
        # scikit-learn >= 1.8 warns that LogisticRegression's n_jobs has no effect
        and not (name == "n_jobs" and type(owner(key)).__name__ == "LogisticRegression")
    }
    if updates:
        estimator.set_params(**updates)


def _set_nested_augmenters(estimator, **params):
    """Set ``params`` on ``estimator`` and every AudioAugmenter inside it, if augmenters."""
    from .augment import AudioAugmenter

    found = [estimator] if isinstance(estimator, AudioAugmenter) else []
    if hasattr(estimator, "get_params"):
        found += [
            v for v in estimator.get_params(deep=True).values() if isinstance(v, AudioAugmenter)
        ]
    for augmenter in found:
        augmenter.set_params(**params)


def make_ser_pipeline(
    features="auto",
    model="auto",
    *,
    oversample=True,
    augment="auto",
    normalise="auto",
    speaker_normalise=False,
    sr=16000,
    duration=None,
    memory=None,
    random_state=None,
    n_jobs=None,
    verbose=False,
    chunk_size=None,
):
    """One imbalanced-learn ``Pipeline`` from file paths (or waveforms) to emotions.

    Parameters
    ----------
    features : str or transformer, default="auto"
        ``"auto"``: ``"fusion"`` for the default model, ``"functionals"`` for
        ``"logreg"``/``"svm"``, ``"mfcc40_deltas"`` for the other named models. Or a name
        from :data:`FEATURE_PRESETS` (``"fusion"``, ``"mfcc40_deltas"``,
        ``"mfcc_deltas"``, ``"logmel"``, ``"mfcc"``, ``"zcr_rms_mfcc"``, ``"stft64"``,
        ``"logmel_100"``, ``"pooled"``, ``"mfcc_mean"``, ``"functionals"``) or any transformer mapping waveforms
        ``(n, samples)`` to features (it is cloned). ``"fusion"`` goes with
        ``model="fusion"``: each branch of the fusion builds its own features.
    model : str or classifier, default="auto"
        ``"auto"``: ``"fusion"`` with the ``"fusion"`` features, ``"cnn1d_views_x6"``
        with ``"mfcc40_deltas"``, ``"cnn1d_pool_x3"`` with any other. Or a name from
        :data:`MODEL_PRESETS` (``"fusion"``, ``"cnn1d_views_x6"``, ``"cnn1d_pool_x3"``,
        ``"cnn1d_pool"``, ``"crnn"``, ``"cnn"``, ``"cnn1d"``, ``"mlp"``, ``"logreg"``,
        ``"svm"``) or any classifier (it is cloned). The default, the fusion of a CNN
        ensemble and a linear model on functionals, both on level-normalised audio (the
        CNNs' also noise-gated, :class:`~skser.features.NoiseGate`), was chosen on
        RAVDESS with speaker-independent folds against the classical baseline
        (docs/benchmarks.md, "A default that generalises").
    oversample : bool or sampler, default=True
        Random oversampling of the minority classes on the training waveforms
        (``RandomOverSampler``), or any imbalanced-learn sampler; False disables it.
    augment : "auto", None, True, dict or AudioAugmenter, default="auto"
        Training-time augmentation (training folds only, never at predict time).
        ``"auto"``: what the model preset trains with. For the fusion (the default)
        :data:`FUSION_AUGMENT`, inside each branch (``clf__deep__augment``,
        ``clf__functionals__augment``; the pipeline's ``augment`` step stays
        ``"passthrough"``): copies of the training clips through a random recording
        chain (:data:`RECORDING_CHAIN_AUGMENT`: babble, telephone band, noise, time
        shift), the CNNs on the copies only, the linear model on the clips and their
        copies. For the other presets none. True uses
        :class:`~skser.augment.AudioAugmenter` defaults, a dict gives its parameters, an
        AudioAugmenter is cloned: all three as the pipeline's ``augment`` step, which
        every branch of the fusion then shares. None disables it.
    normalise : {"auto", "band", "cmn", "sample"}, None or transformer, default="auto"
        ``"band"``: per-band z-score learnt on the training fold
        (:class:`~skser.features.BandStandardScaler`); ``"cmn"``: each clip's own
        per-band mean over frames removed first (cepstral mean normalisation, then the
        band z-score); ``"auto"``: ``"cmn"`` for the spectral presets
        (``"mfcc40_deltas"``, ``"mfcc_deltas"``, ``"logmel"``, ``"mfcc"``), ``"band"`` for everything else; ``"sample"``: per-clip z-score (recipe S1); None: none.
    speaker_normalise : bool, dict or transformer, default=False
        True inserts :class:`~skser.features.SpeakerStandardScaler` as the ``speaker``
        step, right after the features (per band of ``(bands, frames)`` features, per
        column of pooled ones) and before ``normalise``: each speaker's features are
        z-scored with that speaker's own statistics, at fit the training speakers', at
        predict the test speakers' (from their unlabelled clips). The model then needs
        speaker ids: ``fit(X, y, groups=g)``, ``predict(X, groups=g)``, and every result
        says "speaker-normalised". A dict gives the scaler's parameters. With the fusion
        (the default) both branches get it. This is the second default: UAR 0.688 on
        RAVDESS against 0.637 without it, at the price of needing each test speaker's
        unlabelled clips.
    sr : int, default=16000
        Sample rate everything is loaded and computed at.
    duration : float or None, default=None
        Clip length in seconds after padding/cropping; None learns the longest
        training clip.
    memory : str, joblib.Memory or None, default=None
        Cache folder. Caches the samplers' and transformers' training outputs
        (``Pipeline(memory=)``) AND the loader's and feature transformers'
        ``transform`` on held-out data, so a grid search decodes each fold's audio and
        computes each feature type once, not once per candidate.
    random_state : int or None, default=None
        Seed given to the oversampler, the augmenter and the classifier (where their
        own ``random_state`` is None).
    n_jobs : int or None, default=None
        Parallel jobs of every step that has them: threads for decoding, spectral
        features and augmentation; worker processes for the functionals
        (:class:`~skser.features.ParalinguisticFunctionals`) and for the networks of a
        seed ensemble (:class:`~skser.models.SeedEnsembleClassifier`, one TensorFlow
        thread each: the default's four networks train two at a time with
        ``n_jobs=2``). Any int gives the same numbers; None trains the networks in
        this process on TensorFlow's own threads, whose float sums differ in the last
        digits.
    verbose : bool, default=False
        Progress bars while decoding and augmenting.
    chunk_size : int or None, default=None
        Load, augment and featurise at most this many clips at a time (the pipeline's
        ``chunk_size``), for corpora whose waveforms do not fit in memory. Needs
        ``duration`` and a feature preset (not the fusion); see
        :class:`~skser.pipeline.SERPipeline`.

    Returns
    -------
    SERPipeline
        An imbalanced-learn ``Pipeline`` with steps ``load``, ``oversample``,
        ``augment``, ``features``, ``speaker``, ``normalise``, ``clf`` that routes
        speaker ids (``groups``) to the steps that use them.

    Examples
    --------
    >>> pipe = make_ser_pipeline()  # the default: a fusion of two branches
    >>> [name for name, _ in pipe.named_steps["clf"].estimators]
    ['deep', 'functionals']
    >>> pipe = make_ser_pipeline("pooled", "logreg", random_state=0)
    >>> [name for name, _ in pipe.steps]
    ['load', 'oversample', 'augment', 'features', 'speaker', 'normalise', 'clf']
    >>> pipe = make_ser_pipeline("pooled", "logreg", speaker_normalise=True)
    >>> type(pipe.named_steps["speaker"]).__name__, pipe.uses_speakers()
    ('SpeakerStandardScaler', True)
    """
    from imblearn.over_sampling import RandomOverSampler

    from .augment import AudioAugmenter
    from .io import AudioLoader

    check_scalar_param("make_ser_pipeline", "sr", sr, "int", low=1)
    if isinstance(features, str) and features == "auto":
        features = auto_features(model)
    if isinstance(model, str) and model == "auto":
        model = auto_model(features)
    check_compatible(features, model)
    auto_augment = isinstance(augment, str) and augment == "auto"
    if isinstance(model, str) and 0 in MODELS[model].takes:  # the fusion: features inside
        if normalise != "auto":
            raise ValueError(
                f"model={model!r} sets its own normalisation in each branch; leave normalise='auto'"
            )
        feats, speaker, norm = "passthrough", "passthrough", "passthrough"
        inner = branch_augment(model) if auto_augment else None
        clf = MODELS[model].build(sr=sr, speaker_normalise=speaker_normalise, augment=inner)
    else:
        feats = FEATURES[features].build(sr) if isinstance(features, str) else clone(features)
        clf = MODELS[model].build(sr=sr) if isinstance(model, str) else clone(model)
        speaker = speaker_step(speaker_normalise)
        norm = normaliser(normalise, features)

    if oversample is True:
        sampler = RandomOverSampler()
    elif oversample in (False, None, "passthrough"):
        sampler = "passthrough"
    else:
        sampler = clone(oversample)

    if auto_augment:
        augment = None  # no preset augments at the pipeline level (the fusion: in branches)
    if augment in (None, False, "passthrough"):
        augmenter = "passthrough"
    elif augment is True:
        augmenter = AudioAugmenter(sr=sr)
    elif isinstance(augment, dict):
        augmenter = AudioAugmenter(**{"sr": sr, **augment})
    else:
        augmenter = clone(augment)

    # crop="loudest": a clip longer than the learnt length is judged on its most active
    # window, not its centre (a recording padded with silence kept 0.656 UAR instead of
    # 0.370 on one RAVDESS fold, benchmarks/bench_crop.py); training clips are not cropped
    loader = AudioLoader(sr=sr, duration=duration, crop="loudest", verbose=verbose)
    steps = [
        ("load", loader),
        ("oversample", sampler),
        ("augment", augmenter),
        ("features", feats),
        ("speaker", speaker),
        ("normalise", norm),
        ("clf", clf),
    ]
    for _, step in steps:
        if step == "passthrough":
            continue
        if random_state is not None:
            _set_nested(step, "random_state", random_state)
        if n_jobs is not None:
            _set_nested(step, "n_jobs", n_jobs)
        if memory is not None and step is not clf:
            _set_nested(step, "memory", memory)
    if verbose:
        for step in (augmenter, clf):  # the fusion's branches have their own augmenters
            if step != "passthrough":
                _set_nested_augmenters(step, verbose=True)
    return SERPipeline(steps, memory=memory, chunk_size=chunk_size)


def make_recipe_pipeline(name, *, sr=16000, random_state=None, memory=None, **overrides):
    """The pipeline of one published recipe (``"S0"`` ... ``"S4"``, see :data:`RECIPES`).

    The recipe's preprocessing and network are reproduced; its evaluation is not:
    augmentation and oversampling now run inside training folds only, and you score
    the pipeline with speaker-independent folds (:func:`~skser.model_selection.cross_validate_ser`).

    Parameters
    ----------
    name : {"S0", "S1", "S2", "S3", "S4"}
        Recipe.
    sr : int, default=16000
        Sample rate.
    random_state : int or None, default=None
        Seed (see :func:`make_ser_pipeline`).
    memory : str, joblib.Memory or None, default=None
        Cache folder (see :func:`make_ser_pipeline`).
    **overrides
        Any other :func:`make_ser_pipeline` argument, replacing the recipe's.

    Returns
    -------
    imblearn.pipeline.Pipeline

    Examples
    --------
    >>> from skser.pipeline import RECIPES, make_recipe_pipeline
    >>> print(RECIPES["S4"]["description"])
    pooled features (mean/std of MFCC+deltas, ZCR, RMS), Keras MLP with one hidden layer of 300 units
    >>> pipe = make_recipe_pipeline("S4", random_state=0, oversample=True)
    >>> type(pipe.named_steps["clf"]).__name__, type(pipe.named_steps["oversample"]).__name__
    ('KerasMLPClassifier', 'RandomOverSampler')
    >>> pipe = pipe.set_params(clf__epochs=20)  # a shorter training budget
    """
    if name not in RECIPES:
        raise ValueError(f"unknown recipe {name!r}: use one of {sorted(RECIPES)}")
    settings = {k: v for k, v in RECIPES[name].items() if k != "description"}
    settings.update(overrides)
    return make_ser_pipeline(sr=sr, random_state=random_state, memory=memory, **settings)
