"""`skser serve`: the HTTP API on loopback with a real bundle, every bad upload, safety
rules, concurrency, the CLI, and the timeline figure."""

import io
import json
import re
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import soundfile as sf
from conftest import SERVE_EMOTIONS

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")
httpx = pytest.importorskip("httpx")

from skser.deploy import load_model, predict_timeline, read_metadata, save_model  # noqa: E402
from skser.pipeline import make_ser_pipeline  # noqa: E402
from skser.serve import create_app  # noqa: E402
from skser.serve._run import background  # noqa: E402

EMOTIONS = SERVE_EMOTIONS


@pytest.fixture(scope="module")
def corpus(serve_corpus):
    return serve_corpus


@pytest.fixture(scope="module")
def bundle(serve_bundle):
    return serve_bundle


@pytest.fixture(scope="module")
def model(bundle):
    return load_model(bundle)


@pytest.fixture(scope="module")
def server(bundle):
    app = create_app(bundle, max_upload_mb=1.0)
    with background(app) as url:
        yield url, app.state.service


@pytest.fixture(scope="module")
def long_recording(corpus, tmp_path_factory):
    """Four clips back to back: 4 s."""
    y = np.concatenate([sf.read(f)[0] for f in corpus.filenames[:12:3]])
    path = tmp_path_factory.mktemp("long") / "call.wav"
    sf.write(path, y, 16000)
    return path


def _post(url, path_or_bytes, *, name="clip.wav", endpoint="predict", params=None):
    data = path_or_bytes if isinstance(path_or_bytes, bytes) else path_or_bytes.read_bytes()
    return httpx.post(url + endpoint, files={"file": (name, data)}, params=params, timeout=60)


def _no_traceback(reply):
    assert "Traceback" not in reply.text and 'File "' not in reply.text
    assert isinstance(reply.json()["detail"], str | list)


# ------------------------------------------------------------------ the API, good input
def test_predict_equals_load_model_predict_proba(server, corpus, model):
    url, _ = server
    files = [corpus.filenames[i] for i in (0, 5, 11, 20, 35)]
    expected = model.predict_proba(files)
    for f, p in zip(files, expected, strict=True):
        reply = _post(url, _path(f), name="x.wav")
        assert reply.status_code == 200, reply.text
        body = reply.json()
        assert set(body) == {"filename", "label", "probabilities", "duration_s", "warnings"}
        assert body["filename"] == "x.wav" and body["duration_s"] == 1.0
        assert list(body["probabilities"]) == EMOTIONS
        np.testing.assert_allclose(list(body["probabilities"].values()), p, atol=1e-6, rtol=0)
        assert body["label"] == EMOTIONS[int(np.argmax(p))]
        assert body["warnings"] == []


def _path(f):
    from pathlib import Path

    return Path(f)


def test_timeline_equals_predict_timeline(server, model, long_recording):
    url, _ = server
    reply = _post(url, long_recording, endpoint="timeline", params={"window": 1.0, "hop": 0.5})
    assert reply.status_code == 200, reply.text
    body = reply.json()
    rows = predict_timeline(model, long_recording, window=1.0, hop=0.5)
    assert body["classes"] == EMOTIONS and body["window_s"] == 1.0 and body["hop_s"] == 0.5
    assert body["duration_s"] == 4.0 and len(body["windows"]) == len(rows) == 7
    for w, r in zip(body["windows"], rows, strict=True):
        assert (w["start_s"], w["end_s"], w["label"]) == (r["start_s"], r["end_s"], r["label"])
        np.testing.assert_allclose(
            [w["probabilities"][c] for c in EMOTIONS], [r[c] for c in EMOTIONS], atol=1e-6
        )
    default = _post(url, long_recording, endpoint="timeline").json()  # the model's clip, half
    assert (default["window_s"], default["hop_s"]) == (1.0, 0.5)


def test_long_upload_to_predict_says_use_timeline(server, long_recording):
    url, _ = server
    body = _post(url, long_recording).json()
    assert len(body["warnings"]) == 1 and "POST /timeline" in body["warnings"][0]


def test_health_info_docs(server, bundle):
    url, _ = server
    health = httpx.get(url + "health").json()
    assert health["status"] == "ok" and health["busy"] is False and health["uptime_s"] > 0
    assert httpx.get(url + "info").json() == json.loads(json.dumps(read_metadata(bundle)))
    spec = httpx.get(url + "openapi.json").json()
    assert {"/predict", "/timeline", "/health", "/info"} <= set(spec["paths"])
    props = spec["components"]["schemas"]["PredictReply"]["properties"]
    assert set(props) == {"filename", "label", "probabilities", "duration_s", "warnings"}
    assert httpx.get(url + "docs").status_code == 200


def test_page_is_served_with_everything_it_needs_from_skser(server):
    url, _ = server
    page = httpx.get(url)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    refs = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert "/static/app.js" in refs and "/static/style.css" in refs
    for ref in refs:  # no CDN: every script and style comes from this server
        assert ref.startswith("/"), ref
        assert httpx.get(url + ref.lstrip("/")).status_code == 200, ref
    for asset in ("app.js", "style.css"):
        text = httpx.get(url + "static/" + asset).text
        urls = set(re.findall(r"https?://[^\s\"'`)]+", text))
        assert urls <= {"http://www.w3.org/2000/svg"}, urls  # the SVG namespace only


# ------------------------------------------------------------------ bad input
def _wav_bytes(y, sr=16000, subtype="FLOAT"):
    buf = io.BytesIO()
    sf.write(buf, y, sr, format="WAV", subtype=subtype)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("data", "status", "needle"),
    [
        (b"", 400, "empty"),
        (b"this is plain text, not audio" * 10, 415, "cannot be decoded as audio"),
        (b"\x89PNG\r\n\x1a\n" + bytes(200), 415, "cannot be decoded as audio"),
        (_wav_bytes(np.zeros(0, dtype=np.float32)), 422, "zero-length"),
        (_wav_bytes(np.full(1600, np.nan, dtype=np.float32)), 422, "NaN"),
        (_wav_bytes(np.zeros(16000, dtype=np.float32))[:60], 415, "cannot be decoded"),
    ],
    ids=["empty", "text", "png", "no-samples", "nan", "cut-header"],
)
def test_bad_uploads_get_a_clear_4xx(server, data, status, needle):
    url, service = server
    reply = _post(url, data, name="upload.wav")
    assert reply.status_code == status, reply.text
    _no_traceback(reply)
    assert needle in reply.json()["detail"]
    assert str(service.tmpdir) not in reply.text  # the client sees its name, not our path
    assert list(service.tmpdir.iterdir()) == []  # the private copy is gone


def test_missing_file_field_and_bad_windows_are_422(server, long_recording):
    url, _ = server
    reply = httpx.post(url + "predict", data={"nothing": "here"})
    assert reply.status_code == 422 and reply.json()["detail"][0]["loc"] == ["body", "file"]
    for params, needle in [
        ({"window": 0}, "window must be between"),
        ({"window": 1.0, "hop": 2.0}, "longer than window"),
        ({"hop": -1}, "hop must be > 0"),
        ({"window": "abc"}, "valid number"),
    ]:
        reply = _post(url, long_recording, endpoint="timeline", params=params)
        assert reply.status_code == 422, (params, reply.text)
        assert needle in json.dumps(reply.json()), (params, reply.text)


def test_uploads_over_the_limit_get_413_declared_or_chunked(server):
    url, service = server
    big = bytes(1_200_000)  # the fixture's limit is 1 MB
    reply = _post(url, big, name="big.wav")
    assert reply.status_code == 413 and "1,000,000 bytes" in reply.json()["detail"]

    def chunks():  # a valid multipart file part, without Content-Length: counted as it arrives
        yield (
            b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="big.wav"\r\n'
            b"Content-Type: application/octet-stream\r\n\r\n"
        )
        for _ in range(30):
            yield bytes(64_000)
        yield b"\r\n--xyz--\r\n"

    reply = httpx.post(
        url + "predict",
        content=chunks(),
        headers={"content-type": "multipart/form-data; boundary=xyz"},
        timeout=60,
    )
    assert reply.status_code == 413, reply.text
    assert list(service.tmpdir.iterdir()) == []
    assert httpx.get(url + "health").json()["status"] == "ok"


def test_a_pickle_upload_is_never_unpickled(server, tmp_path):
    url, _ = server
    marker = tmp_path / "unpickled"

    class Evil:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    import pickle

    reply = _post(url, pickle.dumps(Evil()), name="model.skser")
    assert reply.status_code == 415 and not marker.exists()


def test_uploaded_file_names_do_not_reach_the_file_system(server, corpus):
    url, service = server
    reply = _post(url, _path(corpus.filenames[0]), name="../../../../tmp/escape.wav")
    assert reply.status_code == 200 and reply.json()["filename"].endswith("escape.wav")
    assert list(service.tmpdir.iterdir()) == []


# ------------------------------------------------------------------ concurrency, timeouts
def test_concurrent_requests_equal_sequential_ones(server, corpus):
    url, _ = server
    files = [_path(corpus.filenames[i % len(corpus.filenames)]) for i in range(0, 64, 2)]
    sequential = [_post(url, f).json()["probabilities"] for f in files]
    with ThreadPoolExecutor(8) as pool:  # 32 requests from 8 threads
        replies = list(pool.map(lambda f: _post(url, f), files))
    assert [r.status_code for r in replies] == [200] * 32
    assert [r.json()["probabilities"] for r in replies] == sequential  # identical


def test_health_answers_while_a_prediction_runs(bundle, corpus, monkeypatch):
    app = create_app(bundle)
    service = app.state.service
    release = threading.Event()
    original = service.predict_path

    def slow(path):
        release.wait(30)
        return original(path)

    monkeypatch.setattr(service, "predict_path", slow)
    with background(app) as url, ThreadPoolExecutor(1) as pool:
        pending = pool.submit(_post, url, _path(corpus.filenames[0]))
        deadline = time.monotonic() + 20
        while not service.busy and time.monotonic() < deadline:
            time.sleep(0.01)
        health = httpx.get(url + "health", timeout=5).json()
        assert health["busy"] is True  # answered while the model was held
        release.set()
        assert pending.result().status_code == 200
        assert httpx.get(url + "health").json()["busy"] is False


def test_a_request_past_the_timeout_gets_504_and_the_server_goes_on(bundle, corpus, monkeypatch):
    app = create_app(bundle, timeout_s=0.5)
    service = app.state.service
    original = service.predict_path
    calls = []

    def sometimes_slow(path):
        calls.append(path)
        if len(calls) == 1:
            time.sleep(2.0)
        return original(path)

    monkeypatch.setattr(service, "predict_path", sometimes_slow)
    with background(app) as url:
        reply = _post(url, _path(corpus.filenames[0]))
        assert reply.status_code == 504 and "0.5 s" in reply.json()["detail"]
        time.sleep(2.0)  # the abandoned prediction finishes
        assert _post(url, _path(corpus.filenames[0])).status_code == 200
    assert not service.tmpdir.exists()  # shutdown removed the temp folder


def test_an_unexpected_error_is_a_json_500_without_traceback(bundle, corpus, monkeypatch):
    app = create_app(bundle)
    monkeypatch.setattr(app.state.service, "predict_path", lambda path: 1 / 0)
    with background(app) as url:
        reply = _post(url, _path(corpus.filenames[0]))
    assert reply.status_code == 500 and "ZeroDivisionError" in reply.json()["detail"]
    _no_traceback(reply)


def test_create_app_refuses_bad_settings_and_bundles(bundle, tmp_path):
    with pytest.raises(ValueError, match="max_upload_mb must be a number >= 0.001"):
        create_app(bundle, max_upload_mb=0)
    with pytest.raises(ValueError, match="timeout_s"):
        create_app(bundle, timeout_s=True)
    broken = tmp_path / "broken.skser"
    broken.write_bytes(bundle.read_bytes()[:200])
    from skser.deploy import ModelFileError

    with pytest.raises(ModelFileError):
        create_app(broken)


def test_speaker_normalised_model_warns_per_clip(corpus, tmp_path):
    model = make_ser_pipeline("pooled", "logreg", speaker_normalise=True)
    model.fit(corpus.filenames, corpus.target, groups=corpus.groups)
    path = tmp_path / "sn.skser"
    save_model(model, path)
    with background(create_app(path)) as url:
        body = _post(url, _path(corpus.filenames[0])).json()
    assert any("speaker-normalised" in w for w in body["warnings"])


# ------------------------------------------------------------------ the command line
def test_skser_serve_command_serves_and_stops_on_ctrl_c(bundle, corpus):
    proc = subprocess.Popen(
        [sys.executable, "-m", "skser", "serve", str(bundle), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        match = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
        assert match, (line, proc.stderr.read() if proc.poll() is not None else "")
        url = match[1]
        assert _post(url, _path(corpus.filenames[0])).status_code == 200
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["serve", "no/such.skser"], "model file not found: no/such.skser"),
        (["serve", "BUNDLE", "--port", "70000"], "--port must be an integer in [0, 65535]"),
        (["serve", "BUNDLE", "--max-upload-mb", "0"], "--max-upload-mb must be a number"),
        (["predict", "BUNDLE", "CLIP", "--plot", "t.png"], "apply only with --timeline"),
        (["predict", "BUNDLE", "CLIP", "CLIP", "--timeline", "--plot", "t.png"], "ONE recording"),
        (["predict", "BUNDLE", "CLIP", "--timeline", "--plot", "t.txt"], ".png, .pdf or .svg"),
    ],
)
def test_cli_usage_errors(args, needle, bundle, corpus, capsys):
    from skser.cli import main

    args = [
        str(bundle) if a == "BUNDLE" else corpus.filenames[0] if a == "CLIP" else a for a in args
    ]
    assert main(args) == 2
    assert needle in capsys.readouterr().err


def test_cli_serve_refuses_a_port_in_use(bundle, capsys):
    from skser.cli import main
    from skser.serve._run import listen

    taken = listen("127.0.0.1", 0)
    try:
        assert main(["serve", str(bundle), "--port", str(taken.getsockname()[1])]) == 2
    finally:
        taken.close()
    assert "cannot listen on 127.0.0.1" in capsys.readouterr().err


def test_cli_predict_timeline_plot(bundle, long_recording, tmp_path, capsys):
    from skser.cli import main

    png = tmp_path / "timeline.png"
    args = ["predict", str(bundle), str(long_recording), "--timeline", "--window", "1"]
    assert main(args + ["--hop", "0.5", "--plot", str(png), "--format", "csv"]) == 0
    assert png.stat().st_size > 10_000
    from PIL import Image

    assert Image.open(png).size[0] > 800


# ------------------------------------------------------------------ plot_timeline
def test_plot_timeline_draws_stack_and_top_labels(model, long_recording):
    from matplotlib.colors import to_hex

    from skser.plotting import plot_timeline

    rows = predict_timeline(model, long_recording, window=1.0, hop=0.5)
    fig = plot_timeline(rows)
    strip, ax = fig.axes
    stacks = ax.collections
    assert [c.get_label() for c in stacks] == EMOTIONS
    # The top of the stack is 1 everywhere: probabilities sum to one.
    top = stacks[-1].get_paths()[0].vertices[:, 1]
    assert top.max() == pytest.approx(1.0, abs=1e-5)
    colours = {c.get_label(): to_hex(c.get_facecolor()[0]) for c in stacks}
    segments = strip.collections
    assert len(segments) == len(rows)
    for seg, row in zip(segments, rows, strict=True):
        assert to_hex(seg.get_facecolor()[0]) == colours[row["label"]]
    spans = [seg.get_paths()[0].get_extents() for seg in segments]
    assert spans[0].x0 == 0 and spans[-1].x1 == pytest.approx(4.0)
    for a, b in zip(spans[:-1], spans[1:], strict=True):  # the strip tiles the recording, no gap
        assert a.x1 == pytest.approx(b.x0)


def test_plot_timeline_refuses_unusable_rows():
    from skser.plotting import plot_timeline

    with pytest.raises(ValueError, match="no windows"):
        plot_timeline([])
    with pytest.raises(ValueError, match=r"lack the column\(s\) \['label'\]"):
        plot_timeline([{"start_s": 0, "end_s": 1, "a": 1.0}])
    two = [
        {"path": p, "start_s": 0, "end_s": 1, "label": "a", "a": 1.0} for p in ("x.wav", "y.wav")
    ]
    with pytest.raises(ValueError, match="more than one recording"):
        plot_timeline(two)
