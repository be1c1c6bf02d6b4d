"""Training-time waveform augmentation as an imbalanced-learn sampler."""

from ._augmenter import AudioAugmenter
from ._channel import add_babble, apply_gain, band_limit, peak_normalise
from ._effects import add_noise, shift_in_time, stretch_and_shift_pitch

__all__ = [
    "AudioAugmenter",
    "add_babble",
    "add_noise",
    "apply_gain",
    "band_limit",
    "peak_normalise",
    "shift_in_time",
    "stretch_and_shift_pitch",
]
