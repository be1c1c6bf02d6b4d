"""Shared machinery of the corpus loaders: scanning, skipping with one warning, Bunch."""

import logging
import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.utils import Bunch

from ..exceptions import CorpusError, CorpusWarning
from ._labels import as_label_array, select_emotions, sort_emotions

logger = logging.getLogger(__name__)

#: File extensions the loaders consider audio.
AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg", ".mp3")

#: Columns every corpus frame starts with, in this order.
BASE_COLUMNS = ("path", "corpus", "emotion", "actor", "gender")

_MAX_EXAMPLES = 5


class ParseError(Exception):
    """A file name does not follow a corpus's naming scheme (internal)."""


class Ignored(Exception):
    """A valid file that the caller did not ask for, e.g. a video file (internal)."""


def resolve_data_dir(data_dir, corpus):
    """Return ``data_dir`` as a resolved Path or raise a clear error."""
    if data_dir is None:
        raise TypeError(f"load_{corpus}: data_dir is required (the folder holding the corpus)")
    path = Path(os.path.expanduser(os.fspath(data_dir)))
    if not path.exists():
        raise FileNotFoundError(f"load_{corpus}: data_dir {str(path)!r} does not exist")
    if not path.is_dir():
        raise NotADirectoryError(f"load_{corpus}: data_dir {str(path)!r} is not a directory")
    return path.resolve()


def scan_audio_files(root, *, extensions=AUDIO_EXTENSIONS, caller="skser"):
    """All audio files below ``root``, sorted, skipping hidden files and ``__MACOSX``.

    Folders that are symbolic links are followed (an actor folder linked in from
    elsewhere is scanned like any other); a link back into a folder already being
    scanned is a loop and is refused. A folder that cannot be read is an error naming
    it, never silently skipped: a whole speaker would disappear.

    Parameters
    ----------
    root : path-like
        Folder to scan.
    extensions : tuple of str, default=AUDIO_EXTENSIONS
        Lower-case file suffixes that count as audio.
    caller : str, default="skser"
        Named in error messages (``load_ravdess``, ``skser predict``).

    Returns
    -------
    list of Path

    Raises
    ------
    CorpusError
        A folder cannot be read, or symbolic links form a loop.
    """
    found = []
    errors = []
    ancestors = {}  # dirpath -> the real paths of it and its parents (loop detection)
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True, onerror=errors.append):
        chain = ancestors.pop(dirpath, set()) | {os.path.realpath(dirpath)}
        keep = []
        for d in sorted(dirnames):
            if d.startswith(".") or d == "__MACOSX":
                continue
            full = os.path.join(dirpath, d)
            if os.path.realpath(full) in chain:
                raise CorpusError(
                    f"{caller}: the symbolic link {full!r} points back to a folder it is "
                    f"inside ({os.path.realpath(full)!r}): a loop; remove or fix the link"
                )
            ancestors[full] = chain
            keep.append(d)
        dirnames[:] = keep
        for name in sorted(filenames):
            if name.startswith(".") or not name.lower().endswith(tuple(extensions)):
                continue
            found.append(Path(dirpath) / name)
    if errors:
        listed = "; ".join(
            f"{e.filename}: {e.strerror or type(e).__name__}" for e in errors[:_MAX_EXAMPLES]
        )
        raise CorpusError(
            f"{caller}: cannot read {len(errors)} folder(s) under {str(root)!r}, so their "
            f"files would be missing: {listed}"
        )
    return found


class SkipLog:
    """Collects skipped files and reports them once (warning) or raises (strict)."""

    def __init__(self, corpus, *, strict):
        self.corpus = corpus
        self.strict = strict
        self.items = []

    def add(self, path, reason):
        self.items.append((str(path), reason))

    def report(self):
        if not self.items:
            return
        examples = "; ".join(f"{p} ({r})" for p, r in self.items[:_MAX_EXAMPLES])
        more = len(self.items) - _MAX_EXAMPLES
        msg = (
            f"load_{self.corpus}: skipped {len(self.items)} file(s) that are not valid "
            f"{self.corpus} clips, e.g. {examples}" + (f" and {more} more" if more > 0 else "")
        )
        if self.strict:
            raise CorpusError(msg + " (strict=True)")
        warnings.warn(msg, CorpusWarning, stacklevel=4)  # user -> load_x -> parse -> report


def parse_corpus_files(root, corpus, parse, *, strict, dedupe_key=None):
    """Parse every audio file under ``root`` with ``parse(path) -> dict``.

    ``parse`` raises :class:`ParseError` (reported) or :class:`Ignored` (silently
    dropped, e.g. files of another modality). Empty files are reported. When
    ``dedupe_key(record)`` is given, later files with the same key are reported as
    duplicate copies and dropped.
    """
    files = scan_audio_files(root, caller=f"load_{corpus}")
    skipped = SkipLog(corpus, strict=strict)
    records, seen, n_ignored = [], {}, 0
    for path in files:
        try:
            record = parse(path)
        except Ignored:
            n_ignored += 1
            continue
        except ParseError as exc:
            skipped.add(path, str(exc))
            continue
        try:
            size = path.stat().st_size
        except OSError as exc:
            skipped.add(path, f"unreadable: {exc.strerror or exc}")
            continue
        if size == 0:
            skipped.add(path, "empty file (0 bytes)")
            continue
        if dedupe_key is not None:
            key = dedupe_key(record)
            if key in seen:
                skipped.add(path, f"duplicate copy of {seen[key]}")
                continue
            seen[key] = path
        record["path"] = str(path)
        records.append(record)
    if n_ignored:
        logger.info("load_%s: ignored %d file(s) of another modality/channel", corpus, n_ignored)
    if not records:
        detail = f"found {len(files)} audio file(s)"
        if skipped.items:
            p, r = skipped.items[0]
            detail += f", none parseable (e.g. {p}: {r})"
        elif n_ignored:
            detail += ", all of another modality or vocal channel than requested"
        raise CorpusError(f"load_{corpus}: no {corpus} clips under {str(root)!r}: {detail}")
    skipped.report()
    return records


def make_corpus_bunch(records, *, corpus, data_dir, emotions, descr, extra_columns=()):
    """Build the Bunch every loader returns from parsed records."""
    frame = pd.DataFrame.from_records(records)
    frame["corpus"] = corpus
    columns = list(BASE_COLUMNS) + [c for c in extra_columns if c in frame.columns]
    columns += [c for c in frame.columns if c not in columns]
    frame = frame[columns]
    frame = select_emotions(frame, emotions)
    return bunch_from_frame(frame, corpus=corpus, data_dir=data_dir, descr=descr)


def bunch_from_frame(frame, *, corpus, data_dir, descr, groups=None):
    """Wrap a corpus frame into the loaders' Bunch."""
    groups = frame["actor"] if groups is None else groups
    return Bunch(
        frame=frame,
        filenames=np.asarray(frame["path"].tolist(), dtype=object),
        target=as_label_array(frame["emotion"]),
        groups=as_label_array(groups),
        target_names=sort_emotions(frame["emotion"]),
        corpus=corpus,
        data_dir=None if data_dir is None else str(data_dir),
        DESCR=descr,
    )
