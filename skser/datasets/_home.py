"""Where downloaded corpora are cached."""

import os
from pathlib import Path

__all__ = ["get_data_home"]


def get_data_home(data_home=None):
    """Return the folder where skser caches downloaded corpora, creating it.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Explicit folder. When ``None``: the ``SKSER_DATA`` environment variable if set,
        else ``~/skser_data``.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from skser.datasets import get_data_home
    >>> home = get_data_home(Path(tempfile.mkdtemp()) / "skser_data")
    >>> home.is_dir(), home.name
    (True, 'skser_data')
    """
    if data_home is None:
        data_home = os.environ.get("SKSER_DATA") or "~/skser_data"
    path = Path(os.path.expanduser(os.fspath(data_home)))
    path.mkdir(parents=True, exist_ok=True)
    return path
