"""``skser serve``: a model bundle behind an HTTP API, with a web page to try it.

Needs the ``serve`` extra (``pip install 'skser[serve]'``: FastAPI and uvicorn). See
:func:`create_app` for the endpoints and :func:`serve` to run it; the guide page
"Serving a model" shows both and the safety rules (loopback by default, size limit,
timeout, nothing received is unpickled).
"""

from ._app import (
    DEFAULT_HOST,
    DEFAULT_MAX_UPLOAD_MB,
    DEFAULT_PORT,
    DEFAULT_TIMEOUT_S,
    ModelService,
    create_app,
)
from ._run import serve

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_MAX_UPLOAD_MB",
    "DEFAULT_PORT",
    "DEFAULT_TIMEOUT_S",
    "ModelService",
    "create_app",
    "serve",
]
