"""The HTTP service: one loaded bundle behind FastAPI, and the web page."""

import asyncio
import logging
import shutil
import tempfile
import threading
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Annotated

from ._upload import UploadLimit, private_copy, safe_suffix

logger = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "DEFAULT_MAX_UPLOAD_MB",
    "DEFAULT_TIMEOUT_S",
    "ModelService",
    "create_app",
]

#: Loopback only unless told otherwise: the service has no authentication.
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
#: Largest upload accepted (MB): about 4.5 minutes of 16-bit 48 kHz stereo WAV.
DEFAULT_MAX_UPLOAD_MB = 50.0
#: Seconds a request may take, waiting for the model included, before a 504.
DEFAULT_TIMEOUT_S = 60.0


class _Busy(Exception):
    """The model stayed busy with other requests for the whole request timeout."""


class _Refused(Exception):
    """An upload the service cannot use: ``status`` and a message for the client."""

    def __init__(self, status, detail):
        super().__init__(detail)
        self.status, self.detail = status, detail


#: AudioFileError reasons -> HTTP status: nothing uploaded (400), not audio (415),
#: audio that decodes to nothing usable (422).
def _status_of(reason):
    if reason.startswith("empty file"):
        return 400, "the upload is empty (0 bytes)"
    if reason.startswith("not a readable audio file"):
        return 415, f"the upload cannot be decoded as audio: {reason}"
    return 422, f"the upload decodes but cannot be used: {reason}"


class ModelService:
    """One bundle, loaded once, and the calls the HTTP endpoints make on it.

    Predictions run one at a time on the loaded model (Keras models are not documented
    as safe to call from several threads; one clip is a few tens of milliseconds on two
    cores) in a small pool of worker threads, so the event loop, and with it
    ``/health``, never waits for a prediction. Copying an upload to its private temp
    file happens outside that lock.

    Parameters
    ----------
    model_path : str or Path
        Bundle from ``skser train`` or :func:`skser.deploy.save_model`; checked as
        :func:`skser.deploy.load_model` checks it (checksum, bundle format, versions).
    timeout_s : float, default=DEFAULT_TIMEOUT_S
        Seconds a request may wait for and run its prediction.
    workers : int, default=4
        Threads that copy uploads and wait for the model.

    Examples
    --------
    >>> import tempfile
    >>> from skser.datasets import make_synthetic_speech
    >>> from skser.deploy import save_model
    >>> from skser.pipeline import make_ser_pipeline
    >>> from skser.serve import ModelService
    >>> corpus = make_synthetic_speech(n_actors=2, emotions=["angry", "sad"],
    ...                                n_clips_per_emotion=4, duration=1.0, random_state=0,
    ...                                out_dir=tempfile.mkdtemp())
    >>> model = make_ser_pipeline("pooled", "logreg").fit(corpus.filenames, corpus.target)
    >>> bundle = tempfile.mkdtemp() + "/model.skser"
    >>> _ = save_model(model, bundle)
    >>> service = ModelService(bundle)
    >>> reply = service.predict_path(corpus.filenames[0])
    >>> sorted(reply), reply["duration_s"]
    (['duration_s', 'label', 'probabilities', 'warnings'], 1.0)
    >>> service.close()
    """

    def __init__(self, model_path, *, timeout_s=DEFAULT_TIMEOUT_S, workers=4):
        from .._routing import uses_speakers
        from ..deploy import load_model, read_metadata
        from ..deploy._timeline import class_names, require_proba

        self.path = Path(model_path)
        self.metadata = read_metadata(self.path)
        self.model = load_model(self.path)
        require_proba(self.model, "skser serve")
        loader = self.model.steps[0][1]
        self.sr = int(loader.sr)
        self.clip_samples = int(loader.n_samples_)
        self._class_keys = class_names(self.model)  # the keys of predict_timeline's rows
        self.classes = [str(c) for c in self._class_keys]
        self.speaker_normalised = uses_speakers(self.model, "predict")
        self.timeout_s = float(timeout_s)
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="skser-serve")
        self.tmpdir = Path(tempfile.mkdtemp(prefix="skser-serve-"))  # mode 0700
        self.started = time.monotonic()
        self.served = 0

    @property
    def busy(self):
        """Whether a prediction is running now."""
        return self._lock.locked()

    def close(self):
        """Stop the worker threads and remove the temp folder."""
        self._executor.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(self.tmpdir, ignore_errors=True)

    # -- the work, in a worker thread ------------------------------------------------
    def _locked(self, deadline, fn, *args):
        if not self._lock.acquire(timeout=max(deadline - time.monotonic(), 0.0)):
            raise _Busy
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                result = fn(*args)
            self.served += 1
        finally:
            self._lock.release()
        from ..exceptions import SkserWarning

        notes = [str(w.message) for w in caught if issubclass(w.category, SkserWarning)]
        return result, notes

    def _with_upload(self, deadline, source, filename, fn, *args):
        from ..exceptions import AudioFileError

        with private_copy(source, self.tmpdir, suffix=safe_suffix(filename)) as path:
            try:
                return self._locked(deadline, fn, path, *args)
            except AudioFileError as exc:  # the client knows its file name, not our path
                reason = exc.reason.replace(str(path), repr(filename or "the upload"))
                raise _Refused(*_status_of(reason)) from None

    def predict_path(self, path):
        """Label, probabilities, duration and warnings of one audio file."""
        from ..cli._predict import _ragged, doubts
        from ..io import load_audio

        y, _ = load_audio(path, sr=self.sr)
        notes = doubts(y, self.sr, self.clip_samples, timeline_hint="use POST /timeline")
        if self.speaker_normalised:
            notes.append(
                "this model is speaker-normalised; one uploaded clip is normalised with the "
                "global training statistics, not its speaker's, which is not how it was "
                "evaluated"
            )
        proba = self.model.predict_proba(_ragged([y]))[0]
        return {
            "label": self.classes[int(proba.argmax())],
            "probabilities": dict(zip(self.classes, map(float, proba), strict=True)),
            "duration_s": round(len(y) / self.sr, 3),
            "warnings": notes,
        }

    def timeline_path(self, path, window, hop):
        """Per-window rows of one recording (the recording is one speaker)."""
        from ..deploy import predict_timeline
        from ..deploy._timeline import timeline_window

        window, hop = timeline_window(self.model, window, hop)
        rows = predict_timeline(self.model, path, window=window, hop=hop)
        windows = [
            {
                "start_s": r["start_s"],
                "end_s": r["end_s"],
                "label": str(r["label"]),
                "probabilities": {
                    c: float(r[k]) for c, k in zip(self.classes, self._class_keys, strict=True)
                },
            }
            for r in rows
        ]
        return {
            "duration_s": max(w["end_s"] for w in windows),
            "window_s": window,
            "hop_s": hop,
            "classes": self.classes,
            "windows": windows,
        }

    # -- called by the endpoints ------------------------------------------------------
    async def run(self, source, filename, fn, *args):
        """Run ``fn(path, *args)`` on a private copy of ``source`` in a worker thread,
        within the request timeout; return ``(result, warnings)``."""
        deadline = time.monotonic() + self.timeout_s
        future = self._executor.submit(self._with_upload, deadline, source, filename, fn, *args)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), self.timeout_s)
        except TimeoutError:
            raise _Busy from None


def import_fastapi():
    """FastAPI, after checking that the ``serve`` extra (FastAPI and uvicorn) is
    installed; else an ImportError that says how to install it."""
    try:
        import fastapi
        import uvicorn  # noqa: F401
    except ImportError:
        raise ImportError(
            "skser serve needs FastAPI and uvicorn: pip install 'skser[serve]'"
        ) from None
    return fastapi


def create_app(
    model_path,
    *,
    max_upload_mb=DEFAULT_MAX_UPLOAD_MB,
    timeout_s=DEFAULT_TIMEOUT_S,
):
    """The FastAPI application that serves one model bundle and the web page.

    Endpoints: ``POST /predict`` (one audio file -> label, class probabilities,
    duration, warnings), ``POST /timeline`` (one recording, ``window`` and ``hop`` query
    parameters in seconds -> one row per window), ``GET /health``, ``GET /info`` (the
    bundle's metadata, as ``skser info --json``), ``GET /`` (the web page), OpenAPI
    docs at ``/docs``. Uploads are multipart form fields named ``file``.

    Only audio is read from requests: nothing received is ever unpickled. An upload is
    copied to a private temp file (mode 0600, in a folder of mode 0700) that is
    removed when its request ends, and decoded there exactly as ``skser predict``
    decodes files.

    Parameters
    ----------
    model_path : str or Path
        Bundle to serve, loaded once here (a bad bundle fails now, not at the first
        request).
    max_upload_mb : float, default=DEFAULT_MAX_UPLOAD_MB
        Largest request body (MB, 10**6 bytes); larger ones get a 413.
    timeout_s : float, default=DEFAULT_TIMEOUT_S
        Seconds a request may take (waiting for the model included); then a 504.

    Returns
    -------
    fastapi.FastAPI
        Its ``state.service`` is the :class:`ModelService`.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from skser.datasets import make_synthetic_speech
    >>> from skser.deploy import save_model
    >>> from skser.pipeline import make_ser_pipeline
    >>> from skser.serve import create_app
    >>> corpus = make_synthetic_speech(n_actors=2, emotions=["angry", "sad"],
    ...                                n_clips_per_emotion=4, duration=1.0, random_state=0,
    ...                                out_dir=tempfile.mkdtemp())
    >>> model = make_ser_pipeline("pooled", "logreg").fit(corpus.filenames, corpus.target)
    >>> bundle = Path(tempfile.mkdtemp()) / "model.skser"
    >>> _ = save_model(model, bundle)
    >>> app = create_app(bundle)  # run it with uvicorn.run(app), or skser serve
    >>> sorted(r.path for r in app.routes if "POST" in getattr(r, "methods", ()))
    ['/predict', '/timeline']
    >>> app.state.service.classes
    ['angry', 'sad']
    >>> app.state.service.close()  # what the app's shutdown does
    """
    from .._validation import check_scalar_param
    from ..deploy._timeline import check_window

    fastapi = import_fastapi()
    from fastapi import File, HTTPException, Query, Request, UploadFile
    from fastapi.responses import FileResponse, JSONResponse
    from fastapi.staticfiles import StaticFiles

    from ._schemas import Health, PredictReply, TimelineReply

    check_scalar_param("create_app", "max_upload_mb", max_upload_mb, "real", low=0.001)
    check_scalar_param("create_app", "timeout_s", timeout_s, "real", low=0.01)
    service = ModelService(model_path, timeout_s=timeout_s)

    @asynccontextmanager
    async def lifespan(app):
        yield
        service.close()

    app = fastapi.FastAPI(
        title="skser",
        summary="Speech emotion recognition with one skser model bundle",
        version=str(service.metadata.get("versions", {}).get("skser", "")),
        lifespan=lifespan,
    )
    app.state.service = service
    app.add_middleware(UploadLimit, max_bytes=int(max_upload_mb * 1e6))
    static = resources.files("skser.serve") / "static"

    @app.middleware("http")
    async def security_headers(request, call_next):
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if request.url.path == "/" or request.url.path.startswith("/static/"):
            response.headers["Content-Security-Policy"] = (
                "default-src 'self'; img-src 'self' data:; media-src 'self' blob:; "
                "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
            )
        return response

    def refused(exc):
        raise HTTPException(status_code=exc.status, detail=exc.detail)

    def busy():
        raise HTTPException(
            status_code=504,
            detail=f"no result within this server's request timeout of {service.timeout_s:g} s",
        )

    async def handle(file, fn, *args):
        try:
            result, notes = await service.run(file.file, file.filename, fn, *args)
        except _Refused as exc:
            refused(exc)
        except _Busy:
            busy()
        result = {"filename": file.filename or "", **result}
        if "warnings" in result:
            result["warnings"] += [n for n in notes if n not in result["warnings"]]
        else:
            result["warnings"] = notes
        return result

    upload = Annotated[UploadFile, File(description="audio file (WAV, FLAC, OGG, MP3, ...)")]

    @app.post("/predict", response_model=PredictReply)
    async def predict(file: upload):
        """The emotion of one audio file: label, class probabilities, duration, warnings."""
        return await handle(file, service.predict_path)

    @app.post("/timeline", response_model=TimelineReply)
    async def timeline(
        file: upload,
        window: Annotated[
            float | None, Query(description="window (s); default the model's clip length")
        ] = None,
        hop: Annotated[float | None, Query(description="hop (s); default half a window")] = None,
    ):
        """The emotion of each window of a (long) recording, taken as one speaker."""
        try:
            check_window(window, hop, names=("window", "hop"))
        except ValueError as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from None
        return await handle(file, service.timeline_path, window, hop)

    @app.get("/health", response_model=Health)
    async def health():
        """Liveness: answers at once, also while predictions run."""
        return {
            "status": "ok",
            "busy": service.busy,
            "predictions_served": service.served,
            "uptime_s": round(time.monotonic() - service.started, 3),
        }

    @app.get("/info")
    async def info():
        """The bundle's metadata (as ``skser info --json``)."""
        return service.metadata

    @app.get("/", include_in_schema=False)
    async def page():
        return FileResponse(static / "index.html", media_type="text/html")

    app.mount("/static", StaticFiles(directory=str(static)), name="static")

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception):
        # Logged in full here; the client gets no traceback.
        logger.error("%s %s failed", request.method, request.url.path, exc_info=exc)
        return JSONResponse(
            status_code=500,
            content={"detail": f"internal error ({type(exc).__name__}); see the server log"},
        )

    return app
