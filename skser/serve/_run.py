"""Run the service with uvicorn."""

import ipaddress
import logging
import socket

from ._app import DEFAULT_HOST, DEFAULT_MAX_UPLOAD_MB, DEFAULT_PORT, DEFAULT_TIMEOUT_S

logger = logging.getLogger(__name__)

__all__ = ["serve", "is_loopback", "listen"]


def is_loopback(host):
    """Whether ``host`` only accepts connections from this machine.

    Examples
    --------
    >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("0.0.0.0")
    (True, True, False)
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def listen(host, port):
    """A listening TCP socket on ``host:port`` (port 0: any free port), or an OSError
    that says which address could not be used and why.

    Examples
    --------
    >>> sock = listen("127.0.0.1", 0)
    >>> sock.getsockname()[1] > 0
    True
    >>> listen("127.0.0.1", sock.getsockname()[1])
    Traceback (most recent call last):
    ...
    OSError: cannot listen on 127.0.0.1:...: ... (is another server using the port? choose another with --port)
    >>> sock.close()
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        sock = socket.create_server((host, port), family=family, backlog=128)
    except OSError as exc:
        hint = " (is another server using the port? choose another with --port)"
        raise OSError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}"
            + (hint if exc.errno in (98, 48) else "")
        ) from None
    # Accepted connections inherit this: without it a keep-alive client waits ~40 ms per
    # response for the delayed ACK of the previous segment (Nagle's algorithm).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def serve(
    model_path,
    *,
    host=DEFAULT_HOST,
    port=DEFAULT_PORT,
    max_upload_mb=DEFAULT_MAX_UPLOAD_MB,
    timeout_s=DEFAULT_TIMEOUT_S,
    log_level="info",
    ready=None,
):
    """Serve ``model_path`` over HTTP until interrupted (Ctrl-C).

    The model is loaded once, before the port opens. The service has no
    authentication: it binds to 127.0.0.1 unless ``host`` says otherwise, and logs a
    warning when it listens beyond this machine.

    Parameters
    ----------
    model_path : str or Path
        Model bundle.
    host : str, default="127.0.0.1"
        Address to bind (``0.0.0.0`` for every interface).
    port : int, default=8000
        TCP port (0: any free port; ``ready`` is told which).
    max_upload_mb, timeout_s
        See :func:`~skser.serve.create_app`.
    log_level : str, default="info"
        uvicorn's log level (its access log is at "info").
    ready : callable, optional
        Called with the service's URL once the port is open.

    Examples
    --------
    From Python (the command line's ``skser serve model.skser --port 8000`` does this):

    >>> from skser.serve import serve
    >>> serve("model.skser", port=8000)  # doctest: +SKIP

    The numbers are checked before the model is loaded:

    >>> serve("model.skser", port=70000)
    Traceback (most recent call last):
    ...
    ValueError: serve: port must be an integer in [0, 65535], got 70000
    """
    import uvicorn

    from .._validation import check_scalar_param
    from ._app import create_app

    check_scalar_param("serve", "port", port, "int", low=0, high=65535)
    app = create_app(model_path, max_upload_mb=max_upload_mb, timeout_s=timeout_s)
    sock = listen(host, port)
    if not is_loopback(host):
        logger.warning(
            "skser serve listens on %s, beyond this machine, without authentication: "
            "anyone who can reach the port can use the model",
            host,
        )
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    config = uvicorn.Config(app, log_level=log_level, timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)
    if ready is not None:
        ready(f"http://{shown}:{bound}/")
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()


class background:
    """Run ``app`` with uvicorn in a daemon thread on a free loopback port (tests,
    benchmarks, notebooks); a context manager whose value is the base URL.

    Examples
    --------
    >>> from fastapi import FastAPI
    >>> import urllib.request
    >>> app = FastAPI()
    >>> _ = app.get("/ping")(lambda: "pong")
    >>> with background(app) as url:
    ...     urllib.request.urlopen(url + "ping").read()
    b'"pong"'
    """

    def __init__(self, app, *, host="127.0.0.1", port=0, log_level="warning"):
        import threading

        import uvicorn

        self._sock = listen(host, port)
        config = uvicorn.Config(app, log_level=log_level, timeout_graceful_shutdown=2)
        self.server = uvicorn.Server(config)
        self.url = f"http://{host}:{self._sock.getsockname()[1]}/"
        self._thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self._sock]}, daemon=True
        )

    def __enter__(self):
        import time

        self._thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the background server did not start")
            time.sleep(0.01)
        return self.url

    def __exit__(self, *exc):
        self.server.should_exit = True
        self._thread.join(timeout=30)
        self._sock.close()
