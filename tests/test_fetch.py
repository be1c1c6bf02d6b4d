"""fetch_ravdess against a loopback HTTP server (never the internet)."""

import hashlib
import http.server
import io
import threading
import zipfile
from functools import partial

import pytest

from skser.datasets import fetch_ravdess, safe_extract_zip
from skser.exceptions import ChecksumError, UnsafeArchiveError


def _zip_bytes(members):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "www"
    root.mkdir()
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a, **k: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def ravdess_zip(synthetic_files):
    src, _ = synthetic_files
    members = {}
    for f in sorted(src.glob("Actor_0[12]/*.wav")):
        members[f"{f.parent.name}/{f.name}"] = f.read_bytes()
    return _zip_bytes(members)


def _sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def test_download_verify_extract_and_cache(server, ravdess_zip, tmp_path):
    www, base = server
    (www / "ravdess.zip").write_bytes(ravdess_zip)
    home = tmp_path / "home"
    b = fetch_ravdess(data_home=home, url=f"{base}/ravdess.zip", known_hash=_sha256(ravdess_zip))
    assert len(b.target) == 32 and sorted(set(b.groups)) == ["01", "02"]
    assert (home / "ravdess" / "speech" / "Actor_01").is_dir()
    assert not list((home / "ravdess").glob("*.zip"))  # archive removed after extraction
    # Second call: served from the cache even with the server gone.
    (www / "ravdess.zip").unlink()
    again = fetch_ravdess(data_home=home, download_if_missing=False)
    assert len(again.target) == 32


def test_wrong_checksum_is_refused_and_nothing_is_kept(server, ravdess_zip, tmp_path):
    www, base = server
    (www / "ravdess.zip").write_bytes(ravdess_zip)
    home = tmp_path / "home"
    wrong = "sha256:" + "0" * 64
    with pytest.raises(ChecksumError, match="does not match its pinned checksum sha256:000"):
        fetch_ravdess(data_home=home, url=f"{base}/ravdess.zip", known_hash=wrong)
    assert not (home / "ravdess" / "speech").exists()
    assert not [p for p in (home / "ravdess").iterdir() if p.suffix == ".zip"]


@pytest.mark.parametrize(
    "member,reason",
    [
        ("../evil.wav", r"points outside the target \('..'\)"),
        ("/abs/evil.wav", "has an absolute path"),
        ("Actor_01/../../evil.wav", r"points outside the target"),
    ],
)
def test_path_traversal_member_is_refused(server, tmp_path, member, reason):
    www, base = server
    data = _zip_bytes({"Actor_01/03-01-01-01-01-01-01.wav": b"x", member: b"evil"})
    (www / "bad.zip").write_bytes(data)
    home = tmp_path / "home"
    with pytest.raises(UnsafeArchiveError, match=reason):
        fetch_ravdess(data_home=home, url=f"{base}/bad.zip", known_hash=_sha256(data))
    assert not (tmp_path / "evil.wav").exists() and not (home / "evil.wav").exists()
    assert not (home / "ravdess" / "speech").exists()  # nothing half-extracted


def test_symlink_member_is_refused(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        info = zipfile.ZipInfo("Actor_01/link.wav")
        info.external_attr = 0o120777 << 16  # symbolic link
        zf.writestr(info, "/etc/passwd")
    archive = tmp_path / "a.zip"
    archive.write_bytes(buf.getvalue())
    with pytest.raises(UnsafeArchiveError, match="is a symbolic link"):
        safe_extract_zip(archive, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_offline_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="not cached .* download_if_missing=False"):
        fetch_ravdess(data_home=tmp_path, download_if_missing=False)
    with pytest.raises(ValueError, match="mirror url needs its known_hash"):
        fetch_ravdess(data_home=tmp_path, url="http://127.0.0.1:1/x.zip")
    with pytest.raises(ValueError, match="downloads the speech archive only"):
        fetch_ravdess(data_home=tmp_path, vocal_channel="song")


def test_data_home_env_var(tmp_path, monkeypatch):
    from skser.datasets import get_data_home

    monkeypatch.setenv("SKSER_DATA", str(tmp_path / "cache"))
    assert get_data_home() == tmp_path / "cache" and (tmp_path / "cache").is_dir()


def test_official_archive_is_pinned():
    from skser.datasets import RAVDESS_SPEECH_ARCHIVE as remote

    assert remote.url.startswith("https://zenodo.org/records/1188976/")
    assert remote.known_hash == "md5:bc696df654c87fed845eb13823edef8a"
    assert remote.size == 208_468_073
