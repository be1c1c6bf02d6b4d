"""Training-time waveform augmentation as an imbalanced-learn sampler."""

from ._augmenter import AudioAugmenter
from ._effects import add_noise, shift_in_time, stretch_and_shift_pitch

__all__ = ["AudioAugmenter", "add_noise", "shift_in_time", "stretch_and_shift_pitch"]
