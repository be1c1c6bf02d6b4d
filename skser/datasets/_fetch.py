"""Download RAVDESS from Zenodo with a pinned checksum, extract it safely, cache it."""

import logging
import os
import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..exceptions import ChecksumError, UnsafeArchiveError
from ._home import get_data_home
from ._ravdess import load_ravdess

__all__ = ["fetch_ravdess", "RAVDESS_SPEECH_ARCHIVE", "safe_extract_zip"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RemoteArchive:
    """A remote archive and the checksum it must have (pooch ``known_hash`` syntax)."""

    filename: str
    url: str
    known_hash: str
    size: int | None = None


#: The official audio-only speech archive of RAVDESS (Zenodo record 1188976). Zenodo
#: publishes an MD5 checksum and the size for its files; both are pinned here. Pass
#: ``known_hash="sha256:..."`` to :func:`fetch_ravdess` to pin a stronger hash.
RAVDESS_SPEECH_ARCHIVE = RemoteArchive(
    filename="Audio_Speech_Actors_01-24.zip",
    url="https://zenodo.org/records/1188976/files/Audio_Speech_Actors_01-24.zip?download=1",
    known_hash="md5:bc696df654c87fed845eb13823edef8a",
    size=208_468_073,
)

_COMPLETE_MARKER = ".skser-complete"


def _member_is_symlink(info):
    return stat.S_ISLNK(info.external_attr >> 16)


def _check_member(info):
    name = info.filename.replace("\\", "/")
    path = PurePosixPath(name)
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise UnsafeArchiveError(f"archive member {info.filename!r} has an absolute path")
    if ".." in path.parts:
        raise UnsafeArchiveError(
            f"archive member {info.filename!r} points outside the target ('..')"
        )
    if _member_is_symlink(info):
        raise UnsafeArchiveError(f"archive member {info.filename!r} is a symbolic link")


def safe_extract_zip(archive, target):
    """Extract a zip archive into ``target`` after checking every member.

    Every member is checked before anything is written: absolute paths, ``..``
    components and symbolic links raise :class:`~skser.exceptions.UnsafeArchiveError`.
    Extraction goes to a temporary sibling folder that is renamed to ``target`` only
    when complete, so an interrupted extraction never leaves a partial corpus.

    Parameters
    ----------
    archive : path-like
        The zip file.
    target : path-like
        Folder to create (must not exist yet).

    Returns
    -------
    pathlib.Path
        ``target``.

    Examples
    --------
    >>> import tempfile, zipfile
    >>> from pathlib import Path
    >>> from skser.datasets import safe_extract_zip
    >>> tmp = Path(tempfile.mkdtemp())
    >>> with zipfile.ZipFile(tmp / "evil.zip", "w") as z:
    ...     z.writestr("../outside.txt", "x")
    >>> safe_extract_zip(tmp / "evil.zip", tmp / "corpus")
    Traceback (most recent call last):
    ...
    skser.exceptions.UnsafeArchiveError: ...
    >>> (tmp / "corpus").exists(), (tmp.parent / "outside.txt").exists()
    (False, False)
    """
    target = Path(target)
    with zipfile.ZipFile(archive) as zf:
        members = zf.infolist()
        for info in members:
            _check_member(info)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
        try:
            for info in members:
                dest = tmp.joinpath(*PurePosixPath(info.filename.replace("\\", "/")).parts)
                if not dest.resolve().is_relative_to(tmp.resolve()):  # defence in depth
                    raise UnsafeArchiveError(f"archive member {info.filename!r} escapes the target")
                if info.is_dir():
                    dest.mkdir(parents=True, exist_ok=True)
                    continue
                dest.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, open(dest, "wb") as out:
                    shutil.copyfileobj(src, out)
            os.replace(tmp, target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return target


def _download(url, known_hash, filename, folder, progressbar):
    import pooch

    try:
        return Path(
            pooch.retrieve(
                url, known_hash=known_hash, fname=filename, path=folder, progressbar=progressbar
            )
        )
    except ValueError as exc:
        if "hash" in str(exc).lower():
            raise ChecksumError(
                f"fetch_ravdess: the file downloaded from {url} does not match its pinned "
                f"checksum {known_hash}; it was discarded. The server may be serving a "
                f"different or truncated file. ({exc})"
            ) from None
        raise


def fetch_ravdess(
    *,
    data_home=None,
    download_if_missing=True,
    vocal_channel="speech",
    emotions=None,
    actors=None,
    url=None,
    known_hash=None,
    keep_archive=False,
    verbose=False,
):
    """Download (once) and load the RAVDESS audio-only speech corpus.

    The archive ``Audio_Speech_Actors_01-24.zip`` of Zenodo record 1188976 is
    downloaded with pooch, checked against its pinned checksum, extracted safely (no
    absolute paths, ``..`` members or symbolic links) into
    ``<data_home>/ravdess/speech`` and loaded with :func:`load_ravdess`. Later calls
    load the cache without touching the network.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Cache folder; see :func:`get_data_home` (``SKSER_DATA``, else ``~/skser_data``).
    download_if_missing : bool, default=True
        If False and the corpus is not cached, raise ``FileNotFoundError``.
    vocal_channel, emotions, actors
        Passed to :func:`load_ravdess`. Only the speech archive is downloaded.
    url : str, default=None
        A mirror of the archive. Requires ``known_hash``.
    known_hash : str, default=None
        Checksum of the archive in pooch syntax (``"sha256:<hex>"`` or ``"md5:<hex>"``).
        Defaults to the pinned checksum of the official archive.
    keep_archive : bool, default=False
        Keep the downloaded zip after extraction.
    verbose : bool, default=False
        Show a download progress bar.

    Returns
    -------
    sklearn.utils.Bunch
        See :func:`load_ravdess`.

    Raises
    ------
    skser.exceptions.ChecksumError
        If the download does not match the checksum (the file is discarded).
    skser.exceptions.UnsafeArchiveError
        If the archive holds a member that would be written outside the cache.

    Examples
    --------
    The first call downloads about 200 MB; later calls read the cache:

    >>> corpus = fetch_ravdess(actors=[1, 2])  # doctest: +SKIP
    >>> corpus.filenames.shape  # doctest: +SKIP
    (120,)

    Offline, ``download_if_missing=False`` fails fast instead of downloading:

    >>> import tempfile
    >>> from skser.datasets import fetch_ravdess
    >>> fetch_ravdess(data_home=tempfile.mkdtemp(), download_if_missing=False)
    Traceback (most recent call last):
    ...
    FileNotFoundError: ...
    """
    if url is not None and known_hash is None:
        raise ValueError("fetch_ravdess: a mirror url needs its known_hash ('sha256:<hex>')")
    if vocal_channel not in ("speech", "both"):
        raise ValueError(
            "fetch_ravdess downloads the speech archive only; for the song part download "
            "Audio_Song_Actors_01-24.zip from Zenodo record 1188976 and use load_ravdess"
        )
    remote = RAVDESS_SPEECH_ARCHIVE
    url = url or remote.url
    known_hash = known_hash or remote.known_hash
    folder = get_data_home(data_home) / "ravdess"
    target = folder / "speech"
    if not (target / _COMPLETE_MARKER).is_file():
        if not download_if_missing:
            raise FileNotFoundError(
                f"fetch_ravdess: RAVDESS is not cached in {str(folder)!r} and "
                "download_if_missing=False"
            )
        folder.mkdir(parents=True, exist_ok=True)
        logger.info("fetch_ravdess: downloading %s into %s", url, folder)
        archive = _download(url, known_hash, remote.filename, folder, verbose)
        if target.exists():  # a stale, unmarked extraction
            shutil.rmtree(target)
        safe_extract_zip(archive, target)
        (target / _COMPLETE_MARKER).write_text(f"{remote.filename} {known_hash}\n")
        if not keep_archive:
            archive.unlink(missing_ok=True)
    return load_ravdess(target, vocal_channel=vocal_channel, emotions=emotions, actors=actors)
