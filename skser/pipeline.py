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

import numbers

from sklearn.base import clone

from ._routing import SERPipeline

__all__ = [
    "SERPipeline",
    "make_ser_pipeline",
    "make_recipe_pipeline",
    "FEATURE_PRESETS",
    "MODEL_PRESETS",
    "RECIPES",
]

#: Named feature extractors accepted by ``make_ser_pipeline(features=...)``.
FEATURE_PRESETS = {
    "mfcc40_deltas": "40 MFCCs and their deltas, n_fft 2048, hop 512, dB floor 80 dB below "
    "the loudest training value -> (80, frames) (the default before 'fusion')",
    "mfcc_deltas": "20 MFCCs and their deltas, n_fft 2048, hop 512, dB floor 80 dB below the "
    "loudest training value -> (40, frames)",
    "logmel": "log-mel spectrogram, 128 mels, n_fft 2048, hop 512 -> (128, frames)",
    "mfcc": "40 MFCCs, n_fft 2048, hop 512 -> (40, frames)",
    "zcr_rms_mfcc": "zero-crossing rate, RMS energy and 20 MFCCs per frame -> (22, frames)",
    "stft64": "STFT magnitude in dB resized to a 64x64 image -> (64, 64)",
    "pooled": "mean and std over frames of 40 MFCCs + deltas, ZCR and RMS -> (164,)",
    "functionals": "ParalinguisticFunctionals: 633 ComParE/eGeMAPS-style functionals of "
    "MFCC, loudness, spectral shape, ZCR, f0, voicing, HNR, jitter and shimmer -> (633,)",
    "fusion": "two branches from level-normalised waveforms (LevelNormaliser): "
    "'mfcc40_deltas' frames for a CNN ensemble and 'functionals' for a linear model "
    "(needs model 'fusion'; the default)",
}

#: Named classifiers accepted by ``make_ser_pipeline(model=...)``.
MODEL_PRESETS = {
    "auto": "'fusion' with the 'fusion' features (the default), 'cnn1d_views_x6' with "
    "'mfcc40_deltas', 'cnn1d_pool_x3' with any other",
    "cnn1d_views_x6": "six 'cnn1d_pool' networks averaged, two seeds of each of three views "
    "of 40 MFCCs + deltas: the first 20 MFCCs and deltas; the same z-scored per clip; all "
    "80 bands (SeedEnsembleClassifier with variants; needs 'mfcc40_deltas')",
    "fusion": "FusionClassifier, equal-weight soft vote of two branches on level-normalised "
    "audio: four 'cnn1d_pool' networks (the first four members of 'cnn1d_views_x6') on 40 "
    "MFCC + deltas with CMN, and LogisticRegression (C=0.01) on z-scored "
    "'functionals'; speaker_normalise applies in both branches (needs features 'fusion')",
    "cnn1d_pool_x3": "three seeds of 'cnn1d_pool', probabilities averaged (SeedEnsembleClassifier)",
    "cnn1d_pool": "CNN1DClassifier with 64/128/256 filters, global average+max pooling over "
    "time, cosine learning-rate decay, 40 epochs",
    "crnn": "CRNNClassifier (recipe S1's network)",
    "cnn": "CNNClassifier (2-D CNN, recipe S0)",
    "cnn1d": "CNN1DClassifier (1-D CNN, recipes S2/S3)",
    "mlp": "KerasMLPClassifier (recipe S4)",
    "logreg": "scikit-learn LogisticRegression (needs 2-D features such as 'pooled')",
    "svm": "scikit-learn SVC with an RBF kernel and probabilities (needs 2-D features such "
    "as 'pooled')",
}

_TWO_D_ONLY = ("logreg", "svm")
_TWO_D_FEATURES = ("pooled", "functionals")


def _features(name, sr):
    from .features import (
        MFCC,
        LogMelSpectrogram,
        PooledFeatures,
        RMSEnergy,
        Spectrogram,
        ZeroCrossingRate,
        make_feature_stack,
    )

    if name in ("mfcc40_deltas", "mfcc_deltas"):
        n_mfcc = 40 if name == "mfcc40_deltas" else 20
        return MFCC(
            sr=sr, n_mfcc=n_mfcc, n_fft=2048, hop_length=512, deltas=1, top_db_reference="train"
        )
    if name == "logmel":
        return LogMelSpectrogram(sr=sr, n_mels=128, n_fft=2048, hop_length=512)
    if name == "mfcc":
        return MFCC(sr=sr, n_mfcc=40, n_fft=2048, hop_length=512)
    if name == "zcr_rms_mfcc":
        return make_feature_stack(
            ZeroCrossingRate(frame_length=2048, hop_length=512),
            RMSEnergy(frame_length=2048, hop_length=512),
            MFCC(sr=sr, n_mfcc=20, n_fft=2048, hop_length=512),
        )
    if name == "stft64":
        return Spectrogram(size=(64, 64))
    if name == "functionals":
        from .features import ParalinguisticFunctionals

        return ParalinguisticFunctionals(sr=sr)
    if name == "pooled":
        return PooledFeatures(
            make_feature_stack(MFCC(sr=sr, n_mfcc=40, deltas=1), ZeroCrossingRate(), RMSEnergy()),
            stats=("mean", "std"),
        )
    raise ValueError(
        f"unknown features {name!r}: use one of {sorted(FEATURE_PRESETS)} or a transformer"
    )


def _model(name, n_estimators=6):
    if name == "cnn1d_views_x6":
        from .models import SeedEnsembleClassifier

        first20 = ((0, 20), (40, 60))  # 20 MFCCs and their deltas of mfcc40_deltas
        return SeedEnsembleClassifier(
            _model("cnn1d_pool"),
            n_estimators=n_estimators,
            variants=[{"bands": first20}, {"bands": first20, "input_norm": "clip"}, {}],
        )
    if name == "cnn1d_pool_x3":
        from .models import SeedEnsembleClassifier

        return SeedEnsembleClassifier(_model("cnn1d_pool"), n_estimators=3)
    if name == "cnn1d_pool":
        from .models import CNN1DClassifier

        return CNN1DClassifier(
            filters=(64, 128, 256),
            kernel_size=5,
            dense_units=(),
            dropout=0.15,
            head="global",
            head_dropout=0.3,
            learning_rate=1e-3,
            lr_schedule="cosine",
            batch_size=32,
            epochs=40,
        )
    if name in ("crnn", "cnn", "cnn1d", "mlp"):
        from . import models

        cls = {
            "crnn": models.CRNNClassifier,
            "cnn": models.CNNClassifier,
            "cnn1d": models.CNN1DClassifier,
            "mlp": models.KerasMLPClassifier,
        }[name]
        return cls()
    if name == "logreg":
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(max_iter=2000)
    if name == "svm":
        from sklearn.svm import SVC

        # probability=True: skser predict and the bundles report class probabilities
        # (predictions still come from the decision function, as without it)
        return SVC(kernel="rbf", C=10.0, gamma="scale", probability=True)
    raise ValueError(f"unknown model {name!r}: use one of {sorted(MODEL_PRESETS)} or an estimator")


#: Feature presets on which ``normalise="auto"`` uses CMN: the spectral ones, where it was
#: measured to help on unseen speakers (docs/benchmarks.md). Not "zcr_rms_mfcc" (unmeasured).
_FRAME_PRESETS = ("mfcc40_deltas", "mfcc_deltas", "logmel", "mfcc")


def _normaliser(normalise, features=None):
    from .features import BandStandardScaler, PerSampleStandardScaler

    if normalise == "auto":
        frames = isinstance(features, str) and features in _FRAME_PRESETS
        normalise = "cmn" if frames else "band"
    if normalise is None or normalise == "passthrough":
        return "passthrough"
    if normalise == "band":
        return BandStandardScaler()
    if normalise == "cmn":
        return BandStandardScaler(center_clips=True)
    if normalise == "sample":
        return PerSampleStandardScaler()
    if isinstance(normalise, str):
        raise ValueError(
            f"unknown normalise {normalise!r}: use 'auto', 'band', 'cmn', 'sample', None or "
            "a transformer"
        )
    return clone(normalise)


def _speaker_step(speaker_normalise):
    from .features import SpeakerStandardScaler

    if speaker_normalise in (False, None, "passthrough"):
        return "passthrough"
    if speaker_normalise is True:
        return SpeakerStandardScaler()
    if isinstance(speaker_normalise, dict):
        return SpeakerStandardScaler(**speaker_normalise)
    if isinstance(speaker_normalise, str) or not hasattr(speaker_normalise, "fit"):
        raise ValueError(
            f"speaker_normalise must be True, False, a dict of SpeakerStandardScaler "
            f"parameters or a transformer, got {speaker_normalise!r}"
        )
    return clone(speaker_normalise)


def _fusion(sr, speaker_normalise):
    """The 'fusion' model: a deep and a classical branch, each from waveforms."""
    from sklearn.linear_model import LogisticRegression

    from .features import BandStandardScaler, LevelNormaliser
    from .models import FusionClassifier

    deep = SERPipeline(
        [
            ("level", LevelNormaliser()),
            ("features", _features("mfcc40_deltas", sr)),
            ("speaker", _speaker_step(speaker_normalise)),
            ("normalise", _normaliser("cmn")),
            ("clf", _model("cnn1d_views_x6", n_estimators=4)),
        ]
    )
    # C=0.01: chosen in 5 of 6 outer folds by inner speaker folds (docs/benchmarks.md)
    functionals = SERPipeline(
        [
            ("level", LevelNormaliser()),
            ("features", _features("functionals", sr)),
            ("speaker", _speaker_step(speaker_normalise)),
            ("normalise", BandStandardScaler()),
            ("clf", LogisticRegression(C=0.01, max_iter=3000)),
        ]
    )
    return FusionClassifier([("deep", deep), ("functionals", functionals)])


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


def _auto_features(model):
    """features="auto": what the model takes (the fusion for the default model)."""
    if model in ("auto", "fusion"):
        return "fusion"
    if isinstance(model, str) and model in _TWO_D_ONLY:
        return "functionals"
    return "mfcc40_deltas"


def make_ser_pipeline(
    features="auto",
    model="auto",
    *,
    oversample=True,
    augment=None,
    normalise="auto",
    speaker_normalise=False,
    sr=16000,
    duration=None,
    memory=None,
    random_state=None,
    n_jobs=None,
    verbose=False,
):
    """One imbalanced-learn ``Pipeline`` from file paths (or waveforms) to emotions.

    Parameters
    ----------
    features : str or transformer, default="auto"
        ``"auto"``: ``"fusion"`` for the default model, ``"functionals"`` for
        ``"logreg"``/``"svm"``, ``"mfcc40_deltas"`` for the other named models. Or a name
        from :data:`FEATURE_PRESETS` (``"fusion"``, ``"mfcc40_deltas"``,
        ``"mfcc_deltas"``, ``"logmel"``, ``"mfcc"``, ``"zcr_rms_mfcc"``, ``"stft64"``,
        ``"pooled"``, ``"functionals"``) or any transformer mapping waveforms
        ``(n, samples)`` to features (it is cloned). ``"fusion"`` goes with
        ``model="fusion"``: each branch of the fusion builds its own features.
    model : str or classifier, default="auto"
        ``"auto"``: ``"fusion"`` with the ``"fusion"`` features, ``"cnn1d_views_x6"``
        with ``"mfcc40_deltas"``, ``"cnn1d_pool_x3"`` with any other. Or a name from
        :data:`MODEL_PRESETS` (``"fusion"``, ``"cnn1d_views_x6"``, ``"cnn1d_pool_x3"``,
        ``"cnn1d_pool"``, ``"crnn"``, ``"cnn"``, ``"cnn1d"``, ``"mlp"``, ``"logreg"``,
        ``"svm"``) or any classifier (it is cloned). The default, the fusion of a CNN
        ensemble and a linear model on functionals, both on level-normalised audio, was
        chosen on RAVDESS with speaker-independent folds against the classical baseline
        (docs/benchmarks.md, "A default that generalises").
    oversample : bool or sampler, default=True
        Random oversampling of the minority classes on the training waveforms
        (``RandomOverSampler``), or any imbalanced-learn sampler; False disables it.
    augment : None, True, dict or AudioAugmenter, default=None
        Training-time augmentation: True uses :class:`~skser.augment.AudioAugmenter`
        defaults, a dict gives its parameters.
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
        (the default) both branches get it. This is the second default: UAR 0.686 on
        RAVDESS against 0.634 without it, at the price of needing each test speaker's
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
        Threads for decoding, features and augmentation.
    verbose : bool, default=False
        Progress bars while decoding and augmenting.

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

    if not (isinstance(sr, numbers.Integral) and sr > 0):
        raise ValueError(f"make_ser_pipeline: sr must be a positive integer, got {sr!r}")
    if isinstance(features, str) and features == "auto":
        features = _auto_features(model)
    if model == "auto":
        model = {"mfcc40_deltas": "cnn1d_views_x6", "fusion": "fusion"}.get(
            features, "cnn1d_pool_x3"
        )
    fusion = model == "fusion" or features == "fusion"
    if fusion and not (model == "fusion" and features == "fusion"):
        raise ValueError(
            "features='fusion' and model='fusion' go together (the fusion model builds its "
            f"own features in each branch); got features={features!r}, model={model!r}"
        )
    if model == "cnn1d_views_x6" and isinstance(features, str) and features != "mfcc40_deltas":
        raise ValueError(
            f"model='cnn1d_views_x6' reads band ranges of the 'mfcc40_deltas' features (40 "
            f"MFCCs + deltas), not of features={features!r}; use model='cnn1d_pool_x3' (or "
            "model='auto', which picks it)"
        )
    if isinstance(model, str) and model in _TWO_D_ONLY and isinstance(features, str):
        if features not in _TWO_D_FEATURES:
            raise ValueError(
                f"model={model!r} needs one feature vector per clip; features={features!r} "
                "gives (bands, frames) per clip. Use features='pooled', or add "
                "skser.features.FramePooling to your own features."
            )
    if fusion:
        feats, speaker, norm = "passthrough", "passthrough", "passthrough"
        clf = _fusion(sr, speaker_normalise)
        if normalise != "auto":
            raise ValueError(
                "model='fusion' sets its own normalisation in each branch; leave normalise='auto'"
            )
    else:
        feats = _features(features, sr) if isinstance(features, str) else clone(features)
        clf = _model(model) if isinstance(model, str) else clone(model)
        speaker = _speaker_step(speaker_normalise)
        norm = _normaliser(normalise, features)

    if oversample is True:
        sampler = RandomOverSampler()
    elif oversample in (False, None, "passthrough"):
        sampler = "passthrough"
    else:
        sampler = clone(oversample)

    if augment in (None, False, "passthrough"):
        augmenter = "passthrough"
    elif augment is True:
        augmenter = AudioAugmenter(sr=sr)
    elif isinstance(augment, dict):
        augmenter = AudioAugmenter(**{"sr": sr, **augment})
    else:
        augmenter = clone(augment)

    loader = AudioLoader(sr=sr, duration=duration, verbose=verbose)
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
    if verbose and augmenter != "passthrough":
        augmenter.set_params(verbose=True)
    return SERPipeline(steps, memory=memory)


#: The five published recipes skser replaces (DESIGN.md S0-S4), as pipeline settings.
RECIPES = {
    "S0": {
        "description": "STFT spectrogram resized to 64x64, z-score, 2-D CNN (Adam 1e-3, "
        "batch 32, 30 epochs)",
        "features": "stft64",
        "model": "cnn",
        "normalise": "band",
        "oversample": False,
    },
    "S1": {
        "description": "log-mel (128 mels, n_fft 2048, hop 512) padded/trimmed to 100 "
        "frames, per-clip z-score, random oversampling of the training part, CRNN "
        "(Adam 1e-4, batch 32, 100 epochs)",
        "features": "logmel_100",
        "model": "crnn",
        "normalise": "sample",
        "oversample": True,
    },
    "S2": {
        "description": "frame-level ZCR, RMS and MFCC; noise, time-stretch, pitch-shift "
        "and time-shift augmentation (here on training folds only); 1-D CNN with batch "
        "norm, pooling and dropout",
        "features": "zcr_rms_mfcc",
        "model": "cnn1d",
        "normalise": "band",
        "oversample": False,
        "augment": {"n_augment": 2},
    },
    "S3": {
        "description": "40 MFCCs averaged over time, 1-D CNN with LeakyReLU, max-pooling "
        "and dropout",
        "features": "mfcc_mean",
        "model": "cnn1d",
        "normalise": "band",
        "oversample": False,
    },
    "S4": {
        "description": "pooled features (mean/std of MFCC+deltas, ZCR, RMS), Keras MLP "
        "with one hidden layer of 300 units",
        "features": "pooled",
        "model": "mlp",
        "normalise": "band",
        "oversample": False,
    },
}


def _recipe_features(name, sr):
    from .features import MFCC, LogMelSpectrogram, PooledFeatures

    if name == "logmel_100":
        return LogMelSpectrogram(sr=sr, n_mels=128, n_fft=2048, hop_length=512, n_frames=100)
    if name == "mfcc_mean":
        return PooledFeatures(MFCC(sr=sr, n_mfcc=40), stats=("mean",))
    return name


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
    settings["features"] = _recipe_features(settings["features"], sr)
    settings.update(overrides)
    return make_ser_pipeline(sr=sr, random_state=random_state, memory=memory, **settings)
