"""The preset registry: every named feature extractor and model, in one place.

Each :class:`FeaturePreset` and :class:`ModelPreset` says how to build it, what it is,
what it outputs or takes, and what it goes with. :func:`skser.pipeline.make_ser_pipeline`
builds from it, its public ``FEATURE_PRESETS``/``MODEL_PRESETS`` descriptions, the
command line's help and the docs' lists are read from it, and the tests check all of
them against it. Importing this module imports nothing heavy: the factories import
their estimators when called.
"""

from dataclasses import dataclass

__all__ = [
    "AUTO_MODEL_DESCRIPTION",
    "FEATURES",
    "FUSION_AUGMENT",
    "MODELS",
    "RECIPES",
    "RECORDING_CHAIN_AUGMENT",
    "FeaturePreset",
    "ModelPreset",
    "auto_features",
    "auto_model",
    "branch_augment",
    "check_compatible",
]


@dataclass(frozen=True)
class FeaturePreset:
    """A named feature extractor.

    Attributes
    ----------
    name, description : str
    build : callable
        ``build(sr)`` -> a new transformer from waveforms ``(n, samples)``.
    rank : {2, 3}
        2: one vector per clip ``(n, features)``; 3: ``(n, bands, frames)`` (or an
        image); 0: the features are built inside the model (the fusion).
    spectral : bool
        ``normalise="auto"`` uses CMN (per-clip band means removed) on it.
    blocks : tuple of (str, int, int)
        Named band ranges of its output (``("mfcc", 0, 40)``) that models may read.
    """

    name: str
    description: str
    build: object
    rank: int
    spectral: bool = False
    blocks: tuple = ()


@dataclass(frozen=True)
class ModelPreset:
    """A named classifier.

    Attributes
    ----------
    name, description : str
    build : callable
        ``build(sr=..., speaker_normalise=...)`` -> a new classifier.
    takes : frozenset of int
        Feature ranks it accepts (see :class:`FeaturePreset`).
    features : tuple of str or None
        The only feature presets it goes with, or None for any of a rank it takes.
    why : str
        Why it is restricted to ``features`` (quoted in the error).
    auto_features : str
        What ``features="auto"`` means with it.
    branch_augment : dict or None
        For a model of branches (the fusion): ``{branch: AudioAugmenter parameters}``
        that ``augment="auto"`` puts inside each branch, so that each trains on its own
        in-fold copies (the pipeline's own ``augment`` step stays ``"passthrough"``).
        None: ``augment="auto"`` is no augmentation.
    """

    name: str
    description: str
    build: object
    takes: frozenset = frozenset({2, 3})
    features: tuple | None = None
    why: str = ""
    auto_features: str = "mfcc40_deltas"
    branch_augment: dict | None = None


# ------------------------------------------------------------------------- features
def _mfcc_deltas(n_mfcc):
    def build(sr):
        from .features import MFCC

        return MFCC(
            sr=sr, n_mfcc=n_mfcc, n_fft=2048, hop_length=512, deltas=1, top_db_reference="train"
        )

    return build


def _logmel(n_frames=None):
    def build(sr):
        from .features import LogMelSpectrogram

        return LogMelSpectrogram(sr=sr, n_mels=128, n_fft=2048, hop_length=512, n_frames=n_frames)

    return build


def _mfcc(sr):
    from .features import MFCC

    return MFCC(sr=sr, n_mfcc=40, n_fft=2048, hop_length=512)


def _zcr_rms_mfcc(sr):
    from .features import MFCC, RMSEnergy, ZeroCrossingRate, make_feature_stack

    return make_feature_stack(
        ZeroCrossingRate(frame_length=2048, hop_length=512),
        RMSEnergy(frame_length=2048, hop_length=512),
        MFCC(sr=sr, n_mfcc=20, n_fft=2048, hop_length=512),
    )


def _stft64(sr):
    from .features import Spectrogram

    return Spectrogram(size=(64, 64))


def _pooled(sr):
    from .features import MFCC, PooledFeatures, RMSEnergy, ZeroCrossingRate, make_feature_stack

    return PooledFeatures(
        make_feature_stack(MFCC(sr=sr, n_mfcc=40, deltas=1), ZeroCrossingRate(), RMSEnergy()),
        stats=("mean", "std"),
    )


def _mfcc_mean(sr):
    from .features import MFCC, PooledFeatures

    return PooledFeatures(MFCC(sr=sr, n_mfcc=40), stats=("mean",))


def _functionals(sr):
    from .features import ParalinguisticFunctionals

    return ParalinguisticFunctionals(sr=sr)


def _no_features(sr):
    return "passthrough"


_FEATURE_LIST = [
    FeaturePreset(
        "fusion",
        "two branches from level-normalised waveforms (LevelNormaliser): 'mfcc40_deltas' "
        "frames for a CNN ensemble and 'functionals' for a linear model (needs model "
        "'fusion'; the default)",
        _no_features,
        rank=0,
    ),
    FeaturePreset(
        "mfcc40_deltas",
        "40 MFCCs and their deltas, n_fft 2048, hop 512, dB floor 80 dB below the loudest "
        "training value -> (80, frames) (the default before 'fusion')",
        _mfcc_deltas(40),
        rank=3,
        spectral=True,
        blocks=(("mfcc", 0, 40), ("deltas", 40, 80)),
    ),
    FeaturePreset(
        "mfcc_deltas",
        "20 MFCCs and their deltas, n_fft 2048, hop 512, dB floor 80 dB below the loudest "
        "training value -> (40, frames)",
        _mfcc_deltas(20),
        rank=3,
        spectral=True,
        blocks=(("mfcc", 0, 20), ("deltas", 20, 40)),
    ),
    FeaturePreset(
        "logmel",
        "log-mel spectrogram, 128 mels, n_fft 2048, hop 512 -> (128, frames)",
        _logmel(),
        rank=3,
        spectral=True,
    ),
    FeaturePreset(
        "mfcc",
        "40 MFCCs, n_fft 2048, hop 512 -> (40, frames)",
        _mfcc,
        rank=3,
        spectral=True,
    ),
    FeaturePreset(
        "zcr_rms_mfcc",
        "zero-crossing rate, RMS energy and 20 MFCCs per frame -> (22, frames) (recipe S2)",
        _zcr_rms_mfcc,
        rank=3,
    ),
    FeaturePreset(
        "stft64",
        "STFT magnitude in dB resized to a 64x64 image -> (64, 64) (recipe S0)",
        _stft64,
        rank=3,
    ),
    FeaturePreset(
        "logmel_100",
        "'logmel' padded or cropped to 100 frames -> (128, 100) (recipe S1)",
        _logmel(n_frames=100),
        rank=3,
    ),
    FeaturePreset(
        "pooled",
        "mean and std over frames of 40 MFCCs + deltas, ZCR and RMS -> (164,) (recipe S4)",
        _pooled,
        rank=2,
    ),
    FeaturePreset(
        "mfcc_mean",
        "40 MFCCs averaged over frames -> (40,) (recipe S3)",
        _mfcc_mean,
        rank=2,
    ),
    FeaturePreset(
        "functionals",
        "ParalinguisticFunctionals: 633 ComParE/eGeMAPS-style functionals of MFCC, "
        "loudness, spectral shape, ZCR, f0, voicing, HNR, jitter and shimmer -> (633,)",
        _functionals,
        rank=2,
    ),
]

#: Feature presets by name, in the order the docs list them.
FEATURES = {p.name: p for p in _FEATURE_LIST}


# --------------------------------------------------------------------------- models
#: The default's training augmentation: each training clip is replaced by one copy
#: through a random recording chain (babble of other training clips at 10-30 dB SNR
#: with probability 0.3, band-limited with probability 0.3, white noise at 10-30 dB
#: SNR with probability 0.3, shifted in time with probability 0.5), so the training set
#: keeps its size and time. Measured on RAVDESS (docs/benchmarks.md, "A default that
#: generalises"): without babble, clean UAR 0.634 -> 0.628, telephone band 0.296 ->
#: 0.560, white noise at 20 dB SNR 0.267 -> 0.562; adding babble (with the active-frame
#: functionals): clean 0.622, babble at 20 dB SNR 0.366 -> 0.500.
RECORDING_CHAIN_AUGMENT = {
    "n_augment": 1,
    "keep_original": False,
    "p_babble": 0.3,
    "babble_snr": (10.0, 30.0),
    "p_band": 0.3,
    "p_noise": 0.3,
    "noise_snr": (10.0, 30.0),
    "p_shift": 0.5,
    "p_stretch": 0.0,
    "p_pitch": 0.0,
}


#: What ``augment="auto"`` trains the fusion's branches on (each branch in-fold, from
#: the same training clips and seed, so the copies are the same): the CNN ensemble on
#: :data:`RECORDING_CHAIN_AUGMENT` copies only (as many training clips as without
#: augmentation: the same training time), the linear model on the clips AND their
#: copies. Measured on RAVDESS (docs/benchmarks.md, "Screens of the default's branches"): the
#: functionals branch alone 0.516 -> 0.550 UAR, 0.595 -> 0.623 speaker-normalised; the
#: default 0.631 -> 0.638 and 0.662 -> 0.684, in the same wall time.
FUSION_AUGMENT = {
    "deep": RECORDING_CHAIN_AUGMENT,
    "functionals": {**RECORDING_CHAIN_AUGMENT, "keep_original": True},
}


def _first_of_each_block(feature, n):
    """Band ranges of the first ``n`` bands of each block of a feature preset."""
    return tuple((start, start + n) for _, start, _stop in FEATURES[feature].blocks)


def _cnn1d_pool(**_):
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


def _cnn1d_views(n_estimators=6, **_):
    from .models import SeedEnsembleClassifier

    first20 = _first_of_each_block("mfcc40_deltas", 20)  # 20 MFCCs and their deltas
    return SeedEnsembleClassifier(
        _cnn1d_pool(),
        n_estimators=n_estimators,
        variants=[{"bands": first20}, {"bands": first20, "input_norm": "clip"}, {}],
    )


def _cnn1d_pool_x3(**_):
    from .models import SeedEnsembleClassifier

    return SeedEnsembleClassifier(_cnn1d_pool(), n_estimators=3)


def _keras(cls_name):
    def build(**_):
        from . import models

        return getattr(models, cls_name)()

    return build


def _logreg(**_):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(max_iter=2000)


def _svm(**_):
    from sklearn.svm import SVC

    # probability=True: skser predict and the bundles report class probabilities
    # (predictions still come from the decision function, as without it)
    return SVC(kernel="rbf", C=10.0, gamma="scale", probability=True)


def speaker_step(speaker_normalise):
    """The ``speaker`` step for ``make_ser_pipeline(speaker_normalise=...)``."""
    from sklearn.base import clone

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


def normaliser(normalise, features=None):
    """The ``normalise`` step; ``"auto"`` is CMN for spectral feature presets."""
    from sklearn.base import clone

    from .features import BandStandardScaler, PerSampleStandardScaler

    if normalise == "auto":
        spectral = isinstance(features, str) and features in FEATURES
        normalise = "cmn" if spectral and FEATURES[features].spectral else "band"
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


def _branch_augmenter(augment, branch, sr):
    """The ``augment`` step of one fusion branch: ``augment[branch]``'s AudioAugmenter."""
    from .augment import AudioAugmenter

    params = (augment or {}).get(branch)
    return "passthrough" if params is None else AudioAugmenter(**{"sr": sr, **params})


def _fusion(sr=16000, speaker_normalise=False, augment=None, **_):
    """The 'fusion' model: a deep and a classical branch, each from waveforms.

    ``augment``: ``{branch: AudioAugmenter parameters}`` (:data:`FUSION_AUGMENT` for
    ``augment="auto"``) or None (each branch's ``augment`` step ``"passthrough"``)."""
    from sklearn.linear_model import LogisticRegression

    from ._routing import SERPipeline
    from .features import BandStandardScaler, LevelNormaliser, NoiseGate
    from .models import FusionClassifier

    deep = SERPipeline(
        [
            ("augment", _branch_augmenter(augment, "deep", sr)),
            ("level", LevelNormaliser()),
            # frames 20 dB below the speech silenced: under babble at 20 dB SNR the
            # default lost 0.038 instead of 0.096 UAR, for 0.011 clean (docs/benchmarks.md)
            ("gate", NoiseGate()),
            ("features", FEATURES["mfcc40_deltas"].build(sr)),
            ("speaker", speaker_step(speaker_normalise)),
            ("normalise", normaliser("cmn")),
            ("clf", _cnn1d_views(n_estimators=4)),
        ]
    )
    # C=0.01: chosen in 5 of 6 outer folds by inner speaker folds (docs/benchmarks.md)
    functionals = SERPipeline(
        [
            ("augment", _branch_augmenter(augment, "functionals", sr)),
            ("level", LevelNormaliser()),
            ("features", FEATURES["functionals"].build(sr)),
            ("speaker", speaker_step(speaker_normalise)),
            ("normalise", BandStandardScaler()),
            ("clf", LogisticRegression(C=0.01, max_iter=3000)),
        ]
    )
    # rule="geometric": chosen over the arithmetic mean by inner speaker folds of every
    # outer fold (benchmarks/screen_fusion_rule.py, docs/benchmarks.md)
    return FusionClassifier([("deep", deep), ("functionals", functionals)], rule="geometric")


_MODEL_LIST = [
    ModelPreset(
        "fusion",
        "FusionClassifier, equal-weight geometric mean (product rule) of two branches on "
        "level-normalised audio: four 'cnn1d_pool' networks (the first four members of 'cnn1d_views_x6') on "
        "40 MFCC + deltas with CMN of noise-gated audio (NoiseGate), and LogisticRegression (C=0.01) on z-scored "
        "'functionals'; each branch trains on its own recording-chain copies "
        "(FUSION_AUGMENT); speaker_normalise applies in both branches (needs features "
        "'fusion')",
        _fusion,
        takes=frozenset({0}),
        features=("fusion",),
        why="the fusion model builds its own features in each branch",
        auto_features="fusion",
        branch_augment=FUSION_AUGMENT,
    ),
    ModelPreset(
        "cnn1d_views_x6",
        "six 'cnn1d_pool' networks averaged, two seeds of each of three views of 40 MFCCs "
        "+ deltas: the first 20 MFCCs and deltas; the same z-scored per clip; all 80 bands "
        "(SeedEnsembleClassifier with variants; needs 'mfcc40_deltas')",
        _cnn1d_views,
        features=("mfcc40_deltas",),
        why="it reads band ranges of the 'mfcc40_deltas' features (40 MFCCs + deltas); "
        "use model='cnn1d_pool_x3' (or model='auto', which picks it)",
    ),
    ModelPreset(
        "cnn1d_pool_x3",
        "three seeds of 'cnn1d_pool', probabilities averaged (SeedEnsembleClassifier)",
        _cnn1d_pool_x3,
    ),
    ModelPreset(
        "cnn1d_pool",
        "CNN1DClassifier with 64/128/256 filters, global average+max pooling over time, "
        "cosine learning-rate decay, 40 epochs",
        _cnn1d_pool,
    ),
    ModelPreset("crnn", "CRNNClassifier (recipe S1's network)", _keras("CRNNClassifier")),
    ModelPreset("cnn", "CNNClassifier (2-D CNN, recipe S0)", _keras("CNNClassifier")),
    ModelPreset("cnn1d", "CNN1DClassifier (1-D CNN, recipes S2/S3)", _keras("CNN1DClassifier")),
    ModelPreset("mlp", "KerasMLPClassifier (recipe S4)", _keras("KerasMLPClassifier")),
    ModelPreset(
        "logreg",
        "scikit-learn LogisticRegression (needs one vector per clip, e.g. 'functionals')",
        _logreg,
        takes=frozenset({2}),
        auto_features="functionals",
    ),
    ModelPreset(
        "svm",
        "scikit-learn SVC with an RBF kernel and probabilities (needs one vector per clip, "
        "e.g. 'functionals')",
        _svm,
        takes=frozenset({2}),
        auto_features="functionals",
    ),
]

#: Model presets by name, in the order the docs list them.
MODELS = {p.name: p for p in _MODEL_LIST}

#: What ``model="auto"`` means for a feature preset (``"cnn1d_pool_x3"`` otherwise).
_AUTO_MODEL = {"fusion": "fusion", "mfcc40_deltas": "cnn1d_views_x6"}

AUTO_MODEL_DESCRIPTION = (
    "'fusion' with the 'fusion' features (the default), 'cnn1d_views_x6' with "
    "'mfcc40_deltas', 'cnn1d_pool_x3' with any other"
)


def auto_features(model):
    """What ``features="auto"`` means with ``model`` (the fusion for the default)."""
    if model == "auto":
        return "fusion"
    if isinstance(model, str) and model in MODELS:
        return MODELS[model].auto_features
    return "mfcc40_deltas"


def branch_augment(model):
    """What ``augment="auto"`` puts inside the branches of ``model``: a copy of its
    preset's ``{branch: AudioAugmenter parameters}``, or None (no augmentation)."""
    preset = MODELS.get(model) if isinstance(model, str) else None
    if preset is None or not preset.branch_augment:
        return None
    return {branch: dict(params) for branch, params in preset.branch_augment.items()}


def auto_model(features):
    """What ``model="auto"`` means with ``features``."""
    return (
        _AUTO_MODEL.get(features, "cnn1d_pool_x3") if isinstance(features, str) else "cnn1d_pool_x3"
    )


def _names(rank):
    return " or ".join(repr(n) for n, p in FEATURES.items() if p.rank == rank)


def check_compatible(features, model):
    """Raise ValueError naming both when a feature preset and a model preset do not go
    together; names, not estimators, are checked (a custom estimator is the user's)."""
    if isinstance(features, str) and features not in FEATURES:
        raise ValueError(
            f"unknown features {features!r}: use one of {sorted(FEATURES)} or a transformer"
        )
    if isinstance(model, str) and model not in MODELS:
        raise ValueError(f"unknown model {model!r}: use one of {sorted(MODELS)} or an estimator")
    f = FEATURES.get(features) if isinstance(features, str) else None
    m = MODELS.get(model) if isinstance(model, str) else None
    if (f is not None and f.rank == 0) or (m is not None and 0 in m.takes):
        if not (f is not None and m is not None and f.rank == 0 and 0 in m.takes):
            raise ValueError(
                "features='fusion' and model='fusion' go together (the fusion model builds "
                f"its own features in each branch); got features={features!r}, model={model!r}"
            )
        return
    if m is None:
        return
    if m.features is not None and isinstance(features, str) and features not in m.features:
        raise ValueError(f"model={model!r} takes features={m.features[0]!r} only, not "
                         f"features={features!r}: {m.why}")  # fmt: skip
    if f is not None and f.rank not in m.takes:
        if f.rank == 3:
            raise ValueError(
                f"model={model!r} needs one feature vector per clip; features={features!r} "
                f"gives (bands, frames) per clip. Use features={_names(2)}, or add "
                "skser.features.FramePooling to your own features."
            )
        raise ValueError(  # pragma: no cover - no preset takes rank 3 only yet
            f"model={model!r} needs (bands, frames) per clip; features={features!r} gives "
            f"one vector per clip; use {_names(3)}"
        )


#: The five published recipes skser replaces (docs/guide/recipes.md), as pipeline settings.
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
