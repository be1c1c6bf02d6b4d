"""One writer per run folder: an exclusive, non-blocking lock held for the whole run."""

import contextlib
import os

__all__ = ["run_lock"]


@contextlib.contextmanager
def run_lock(path, what):
    """Hold an exclusive lock on the file ``path`` for the enclosed block.

    The lock is the operating system's (``fcntl.flock``; ``msvcrt.locking`` on
    Windows), so it is released when the process ends, even after a crash or ``kill -9``:
    a stale lock file never blocks a later run. A second process asking for the same
    lock gets a :class:`BlockingIOError` at once that names ``what`` and the holder's
    process id.

    Parameters
    ----------
    path : Path
        Lock file (created if missing; left in place, it is harmless).
    what : str
        What the lock protects, for the error message.
    """
    fh = open(path, "a+")
    try:
        try:
            _lock(fh)
        except OSError:
            fh.seek(0)
            holder = fh.read().strip() or "unknown"
            raise BlockingIOError(
                f"another skser process (pid {holder}) is writing {what}; wait for it to "
                "finish (two writers would mix their fold files)"
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        yield
    finally:
        fh.close()  # closing releases the lock


def _lock(fh):
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        import msvcrt

        msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
        return
    fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
