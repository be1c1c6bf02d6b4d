"""Exceptions and warnings raised by skser.

Every exception derives from :class:`SkserError` and from the built-in exception a
user would expect (``ValueError``, ``OSError``), so both ``except SkserError`` and
``except ValueError`` work. Every warning derives from :class:`SkserWarning` (a
``UserWarning``), so ``warnings.simplefilter("error", SkserWarning)`` makes them all
fatal. The modules that raise them re-export them (``skser.io.AudioFileError``,
``skser.deploy.ModelFileError``, ``skser.cli.ConfigError``): this module is the one
place they are defined.
"""

__all__ = [
    "SkserError",
    "SkserWarning",
    "AudioFileError",
    "ConfigError",
    "ModelFileError",
    "VersionMismatchWarning",
    "CorpusError",
    "AudioLoadError",
    "ChecksumError",
    "UnsafeArchiveError",
    "LeakageError",
    "CorpusWarning",
    "SpeakerNormalisationWarning",
    "TruncatedAudioWarning",
]


class SkserError(Exception):
    """Base class of every exception raised by skser.

    Examples
    --------
    >>> from skser.exceptions import LeakageError, SkserError
    >>> issubclass(LeakageError, SkserError) and issubclass(LeakageError, ValueError)
    True
    """


class SkserWarning(UserWarning):
    """Base class of every warning skser issues.

    Examples
    --------
    >>> from skser.exceptions import CorpusWarning, SkserWarning
    >>> issubclass(CorpusWarning, SkserWarning) and issubclass(SkserWarning, UserWarning)
    True
    """


class CorpusError(SkserError, ValueError):
    """A corpus directory cannot be read as the requested corpus.

    Examples
    --------
    >>> import tempfile
    >>> from skser.datasets import load_ravdess
    >>> load_ravdess(tempfile.mkdtemp())
    Traceback (most recent call last):
    ...
    skser.exceptions.CorpusError: load_ravdess: no ravdess clips under ...: found 0 audio file(s)
    """


class AudioLoadError(SkserError, ValueError):
    """One or more audio files could not be loaded.

    Parameters
    ----------
    message : str
        What went wrong, naming the files.
    failures : sequence of (str, str), default=()
        ``(path, reason)`` for every file that failed in the call (kept as the
        ``failures`` attribute).

    Examples
    --------
    >>> from skser.exceptions import AudioLoadError
    >>> from skser.io import AudioLoader
    >>> try:
    ...     AudioLoader(duration=1.0).fit_transform(["missing-1.wav", "missing-2.wav"])
    ... except AudioLoadError as err:
    ...     print(len(err.failures), err.failures[0][0])
    2 missing-1.wav
    """

    def __init__(self, message, failures=()):
        super().__init__(message)
        self.failures = list(failures)


class ChecksumError(SkserError, OSError):
    """A downloaded file does not match its pinned checksum.

    :func:`~skser.datasets.fetch_ravdess` raises it (and deletes the download) when
    the archive's SHA-256 differs from the pinned one.

    Examples
    --------
    >>> from skser.exceptions import ChecksumError
    >>> issubclass(ChecksumError, OSError)
    True
    """


class UnsafeArchiveError(SkserError, ValueError):
    """An archive contains a member that would be written outside its target folder.

    Examples
    --------
    >>> import tempfile, zipfile
    >>> from pathlib import Path
    >>> from skser.datasets import safe_extract_zip
    >>> from skser.exceptions import UnsafeArchiveError
    >>> tmp = Path(tempfile.mkdtemp())
    >>> with zipfile.ZipFile(tmp / "a.zip", "w") as z:
    ...     z.writestr("/etc/evil", "x")
    >>> try:
    ...     safe_extract_zip(tmp / "a.zip", tmp / "out")
    ... except UnsafeArchiveError:
    ...     print("refused")
    refused
    """


class LeakageError(SkserError, ValueError):
    """An evaluation would put the same speaker (group) in training and test data.

    Examples
    --------
    >>> import numpy as np
    >>> from skser.exceptions import LeakageError
    >>> from skser.model_selection import check_group_overlap
    >>> try:
    ...     check_group_overlap(np.array(["a", "a", "b"]), [0, 2], [1])
    ... except LeakageError as err:
    ...     print(err)
    1 speaker group(s) are in both the training and the test data: a. Use a group-aware splitter such as SpeakerKFold.
    """


class AudioFileError(SkserError, ValueError):
    """One file failed to load.

    Parameters
    ----------
    path : str
        The file.
    reason : str
        A short human-readable cause (kept as the ``path`` and ``reason``
        attributes).

    Examples
    --------
    :func:`load_audio` raises it for one file; :class:`AudioLoader` collects every
    failure of a call into one :class:`~skser.exceptions.AudioLoadError`:

    >>> from skser.io import load_audio
    >>> load_audio("no/such/file.wav")
    Traceback (most recent call last):
    ...
    skser.exceptions.AudioFileError: no/such/file.wav: ...
    """

    def __init__(self, path, reason):
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


class ModelFileError(SkserError, ValueError):
    """A model bundle is missing, truncated, corrupt or not a skser bundle.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from skser.deploy import ModelFileError, read_metadata
    >>> path = Path(tempfile.mkdtemp()) / "model.skser"
    >>> _ = path.write_text("not a bundle")
    >>> try:
    ...     read_metadata(path)
    ... except ModelFileError as err:
    ...     print("refused")
    refused
    """


class ConfigError(SkserError, ValueError):
    """A configuration file or flag is invalid (the message names the key).

    Examples
    --------
    >>> from skser.cli import check_config
    >>> try:
    ...     check_config({"cv": {"n_split": 3}})
    ... except ConfigError as err:
    ...     print(err)
    config: unknown key cv.n_split; did you mean 'n_splits'?
    """


class VersionMismatchWarning(SkserWarning):
    """A bundle was saved with other package versions than the running ones.

    :func:`load_model` warns with it (``check_versions=False`` skips the check);
    predictions of a model unpickled under other versions are not guaranteed.

    Examples
    --------
    >>> import warnings
    >>> from skser.deploy import VersionMismatchWarning
    >>> warnings.simplefilter("error", VersionMismatchWarning)  # make it fatal
    >>> warnings.resetwarnings()
    """


class CorpusWarning(SkserWarning):
    """Files of a corpus were skipped (the message says how many and gives examples).

    Loaders take ``strict=True`` to raise :class:`CorpusError` instead.

    Examples
    --------
    >>> import tempfile, warnings
    >>> from pathlib import Path
    >>> import numpy as np, soundfile as sf
    >>> from skser.datasets import load_savee
    >>> from skser.exceptions import CorpusWarning
    >>> folder = Path(tempfile.mkdtemp())
    >>> for name in ["DC_a01.wav", "notes.wav"]:
    ...     sf.write(folder / name, np.zeros(1600), 16000)
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     corpus = load_savee(folder)
    >>> len(corpus.target), caught[0].category is CorpusWarning
    (1, True)
    """


class SpeakerNormalisationWarning(SkserWarning):
    """A speaker-normalised step fell back to global training statistics.

    Raised when speaker ids are missing at predict time, or when a speaker has fewer
    clips than the step's ``min_clips``; the message names the speakers.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> from skser.exceptions import SpeakerNormalisationWarning
    >>> from skser.features import SpeakerStandardScaler
    >>> X = np.arange(12.0).reshape(6, 2)
    >>> scaler = SpeakerStandardScaler().fit(X, groups=["a", "a", "a", "b", "b", "b"])
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = scaler.transform(X)  # no speaker ids
    >>> caught[0].category is SpeakerNormalisationWarning
    True
    """


class TruncatedAudioWarning(SkserWarning):
    """An audio file decodes only in part: its header declares more audio than it holds.

    Typical of a copy or download that was cut off. The part that decodes is used; the
    message names the file and both durations.

    Examples
    --------
    >>> import os, tempfile, warnings
    >>> import numpy as np, soundfile as sf
    >>> from skser.io import load_audio
    >>> from skser.exceptions import TruncatedAudioWarning
    >>> path = os.path.join(tempfile.mkdtemp(), "cut.wav")
    >>> sf.write(path, np.zeros(16000), 16000, subtype="PCM_16")
    >>> with open(path, "rb") as f:
    ...     head = f.read(8044)  # the header and the first 0.25 s
    >>> with open(path, "wb") as f:
    ...     _ = f.write(head)
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     y, sr = load_audio(path)
    >>> caught[0].category is TruncatedAudioWarning, len(y)
    (True, 4000)
    """
