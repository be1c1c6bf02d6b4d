"""Uploads: a request-size limit enforced while the body arrives, and a private temp
file for decoding that is always removed."""

import contextlib
import os
import re
import tempfile
from pathlib import Path

__all__ = ["UploadLimit", "private_copy", "safe_suffix"]


def _too_large(limit):
    from fastapi import HTTPException

    return HTTPException(
        status_code=413,
        detail=f"the upload is larger than this server's limit of {limit:,} bytes "
        "(skser serve --max-upload-mb)",
    )


class UploadLimit:
    """ASGI middleware: refuse request bodies over ``max_bytes`` with a 413.

    A declared ``Content-Length`` over the limit is refused before anything is read;
    a body without one (chunked) is counted as it arrives and refused as soon as it
    passes the limit, so a large upload is never buffered or spooled to disk whole.

    Parameters
    ----------
    app : ASGI application
    max_bytes : int
        Largest request body accepted.
    """

    def __init__(self, app, max_bytes):
        self.app = app
        self.max_bytes = int(max_bytes)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                size = -1
            if size < 0:
                await _send_json(send, 400, {"detail": "invalid Content-Length header"})
                return
            if size > self.max_bytes:
                await _send_json(send, 413, {"detail": _too_large(self.max_bytes).detail})
                return
        seen = 0
        limit = self.max_bytes

        async def counted_receive():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _too_large(limit)
            return message

        await self.app(scope, counted_receive, send)


async def _send_json(send, status, payload):
    import json

    body = json.dumps(payload).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def safe_suffix(filename):
    """The upload's file suffix when it is a plain one (decoders may look at it), else
    ``.bin``: nothing of a client's file name reaches the file system but this.

    Examples
    --------
    >>> safe_suffix("call.WAV"), safe_suffix("../../etc/passwd"), safe_suffix(None)
    ('.wav', '.bin', '.bin')
    """
    suffix = Path(filename or "").suffix.lower()
    return suffix if re.fullmatch(r"\.[a-z0-9]{1,5}", suffix) else ".bin"


@contextlib.contextmanager
def private_copy(source, directory, *, suffix=".bin", chunk_size=1 << 20):
    """Copy the file object ``source`` to a new file only this user can read in
    ``directory``, yield its path, and remove it whatever happens.

    Examples
    --------
    >>> import io, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> with private_copy(io.BytesIO(b"RIFF"), folder, suffix=".wav") as path:
    ...     path.read_bytes(), oct(path.stat().st_mode & 0o777)
    (b'RIFF', '0o600')
    >>> path.exists()
    False
    """
    fd, name = tempfile.mkstemp(suffix=suffix, prefix="upload-", dir=directory)
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := source.read(chunk_size):
                out.write(chunk)
        yield path
    finally:
        path.unlink(missing_ok=True)
