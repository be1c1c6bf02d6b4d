"""Training-time waveform augmentation as an imbalanced-learn sampler."""

from ._augmenter import AudioAugmenter
from ._channel import add_babble, apply_gain, band_limit, peak_normalise
from ._effects import add_noise, change_speed, shift_in_time, stretch_and_shift_pitch

__all__ = [
    "AudioAugmenter",
    "add_babble",
    "add_noise",
    "apply_gain",
    "band_limit",
    "change_speed",
    "peak_normalise",
    "shift_in_time",
    "stretch_and_shift_pitch",
]
