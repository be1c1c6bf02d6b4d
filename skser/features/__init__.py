"""Feature transformers: waveforms (n, samples) -> features (n, bands, frames), and
pooling / flattening / normalisation of those features."""

from ._base import power_to_db_batched
from ._frame import RMSEnergy, ZeroCrossingRate
from ._functionals import ParalinguisticFunctionals
from ._gate import NoiseGate
from ._level import LevelNormaliser, active_level_db
from ._normalise import BandStandardScaler, PerSampleStandardScaler
from ._opensmile import OpenSmileFeatures
from ._padding import RepeatPadding, repeat_padding
from ._pooling import Flatten, FramePooling, PooledFeatures
from ._speaker import SPEAKER_NORMALISED_PROTOCOL, SpeakerStandardScaler
from ._spectral import MFCC, LogMelSpectrogram, Spectrogram
from ._stack import FeatureStack, make_feature_stack

__all__ = [
    "BandStandardScaler",
    "FeatureStack",
    "Flatten",
    "FramePooling",
    "LevelNormaliser",
    "LogMelSpectrogram",
    "MFCC",
    "NoiseGate",
    "OpenSmileFeatures",
    "ParalinguisticFunctionals",
    "PerSampleStandardScaler",
    "PooledFeatures",
    "RMSEnergy",
    "RepeatPadding",
    "SPEAKER_NORMALISED_PROTOCOL",
    "SpeakerStandardScaler",
    "Spectrogram",
    "ZeroCrossingRate",
    "active_level_db",
    "make_feature_stack",
    "power_to_db_batched",
    "repeat_padding",
]
