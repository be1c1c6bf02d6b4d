"""Exceptions and warnings raised by skser.

Every exception derives from :class:`SkserError` and from the built-in exception a
user would expect (``ValueError``, ``OSError``), so both ``except SkserError`` and
``except ValueError`` work.
"""

__all__ = [
    "SkserError",
    "CorpusError",
    "AudioLoadError",
    "ChecksumError",
    "UnsafeArchiveError",
    "LeakageError",
    "CorpusWarning",
]


class SkserError(Exception):
    """Base class of every exception raised by skser."""


class CorpusError(SkserError, ValueError):
    """A corpus directory cannot be read as the requested corpus."""


class AudioLoadError(SkserError, ValueError):
    """One or more audio files could not be loaded.

    Attributes
    ----------
    failures : list of (str, str)
        ``(path, reason)`` for every file that failed in the call.
    """

    def __init__(self, message, failures=()):
        super().__init__(message)
        self.failures = list(failures)


class ChecksumError(SkserError, OSError):
    """A downloaded file does not match its pinned checksum."""


class UnsafeArchiveError(SkserError, ValueError):
    """An archive contains a member that would be written outside its target folder."""


class LeakageError(SkserError, ValueError):
    """An evaluation would put the same speaker (group) in training and test data."""


class CorpusWarning(UserWarning):
    """Files of a corpus were skipped (the message says how many and gives examples)."""
