"""A feature store on disk: the rows of a chunked fit, read back a batch at a time.

A chunked fit (:class:`~skser.pipeline.SERPipeline` with ``chunk_size``) appends each
chunk's features to a :class:`FeatureStore`; skser's Keras classifiers train from it
batch by batch (:class:`StoreBatches`, a ``keras.utils.PyDataset``). Rows are read
with ``os.pread``, not through a memory map, so what has been read does not stay in the
process's resident memory (the operating system's file cache holds it, and gives it
back under pressure). The file is removed when the store is closed or collected.
"""

import errno
import logging
import os
import tempfile
import weakref

import numpy as np

logger = logging.getLogger(__name__)

__all__ = ["FeatureStore", "StoreRows"]


def _close(handle, path):
    try:
        handle.close()
    finally:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass


class FeatureStore:
    """float32 rows of one shape in a temporary file.

    Parameters
    ----------
    directory : str or path-like, default=None
        Folder of the file (the system's temporary folder when None). It must hold
        ``n_rows x row_size x 4`` bytes.

    Examples
    --------
    >>> import numpy as np
    >>> store = FeatureStore()
    >>> store.append(np.ones((3, 2, 4)))
    >>> store.append(np.zeros((2, 2, 4)))
    >>> rows = store.rows()
    >>> rows.shape, float(rows[[0, 4]].read().sum())
    ((5, 2, 4), 8.0)
    >>> store.close()
    """

    def __init__(self, directory=None):
        fd, self.path = tempfile.mkstemp(prefix="skser-features-", suffix=".f32", dir=directory)
        self._file = os.fdopen(fd, "r+b", buffering=0)
        self._finalizer = weakref.finalize(self, _close, self._file, self.path)
        self.row_shape = None
        self.n_rows = 0

    @property
    def row_bytes(self):
        return int(np.prod(self.row_shape)) * 4

    def append(self, block):
        """Write the rows of ``block`` (shape ``(n, *row_shape)``) after the others."""
        block = np.ascontiguousarray(block, dtype=np.float32)
        if self.row_shape is None:
            self.row_shape = block.shape[1:]
        elif block.shape[1:] != self.row_shape:
            raise ValueError(
                f"FeatureStore {self.path}: rows of shape {block.shape[1:]} after rows of "
                f"shape {self.row_shape}"
            )
        try:
            self._file.seek(self.n_rows * self.row_bytes)
            self._file.write(block.tobytes())
        except OSError as exc:
            need = (self.n_rows + len(block)) * self.row_bytes
            self.close()
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise OSError(
                    exc.errno,
                    f"feature store {self.path}: the disk is full after {self.n_rows} rows "
                    f"({need / 1e6:.0f} MB needed so far, {self.row_bytes} bytes per row); "
                    "the partial file was removed: free space or give another folder",
                ) from exc
            raise
        self.n_rows += len(block)

    def rows(self, index=None):
        """A :class:`StoreRows` view of all rows (or of ``index``); nothing is read."""
        rows = np.arange(self.n_rows) if index is None else np.asarray(index)
        return StoreRows(self, rows)

    def read(self, rows):
        """The rows ``rows`` (integer array) as one float32 array, in that order."""
        rows = np.asarray(rows, dtype=np.int64)
        out = np.empty((len(rows), *self.row_shape), dtype=np.float32)
        flat = out.reshape(len(rows), -1)
        fd, size = self._file.fileno(), self.row_bytes
        order = np.argsort(rows, kind="stable")  # ascending offsets read faster
        for i in order:
            data = os.pread(fd, size, int(rows[i]) * size)
            if len(data) != size:
                raise OSError(f"feature store {self.path}: row {rows[i]} is incomplete")
            flat[i] = np.frombuffer(data, dtype=np.float32)
        return out

    def close(self):
        """Remove the file (also done when the store is garbage-collected)."""
        self._finalizer()


class StoreRows:
    """Some rows of a :class:`FeatureStore`, indexable like an array without reading.

    ``rows[idx]`` (integers, a slice or a boolean mask) is another view; ``read()``
    returns the values. ``shape`` and ``len`` are those of the array it stands for.
    """

    ndim = property(lambda self: 1 + len(self.store.row_shape))
    dtype = np.dtype(np.float32)

    def __init__(self, store, rows):
        self.store = store
        self.rows = np.asarray(rows, dtype=np.int64)

    @property
    def shape(self):
        return (len(self.rows), *self.store.row_shape)

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, index):
        if isinstance(index, tuple):  # x[mask, ...] as scikeras indexes
            if len(index) != 2 or index[1] is not Ellipsis:
                raise IndexError("StoreRows: only rows can be selected")
            index = index[0]
        return StoreRows(self.store, self.rows[index])

    def read(self):
        """The values, as a float32 array of shape :attr:`shape`."""
        return self.store.read(self.rows)

    def __array__(self, dtype=None, copy=None):
        out = self.read()
        return out if dtype is None else out.astype(dtype, copy=False)
