"""Audio input: decoding files and the AudioLoader transformer."""

from ._audio import AudioFileError, load_audio
from ._loader import AudioLoader, fix_length

__all__ = ["AudioFileError", "AudioLoader", "fix_length", "load_audio"]
