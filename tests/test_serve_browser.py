"""The web page of `skser serve` in a real headless Chromium (Debian's chromium and
chromium-driver packages, driven by selenium): upload a file and read the rendered
result; record from Chromium's fake microphone fed from a WAV file; save a screenshot.

Skipped when Chromium is not installed, except under `.ci/run`, which installs it and
sets SKSER_REQUIRE_BROWSER=1 so that a missing browser fails."""

import os
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from conftest import SERVE_EMOTIONS

pytest.importorskip("fastapi")
httpx = pytest.importorskip("httpx")
webdriver = pytest.importorskip("selenium.webdriver")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
    if os.environ.get("SKSER_REQUIRE_BROWSER"):  # .ci/run: the page must be tested
        raise RuntimeError(
            f"SKSER_REQUIRE_BROWSER is set but {CHROMIUM} or {CHROMEDRIVER} is missing"
        )
    pytest.skip(
        "no Chromium: apt-get install chromium chromium-driver (.ci/run does)",
        allow_module_level=True,
    )

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from skser.serve import create_app  # noqa: E402
from skser.serve._run import background  # noqa: E402

EMOTIONS = SERVE_EMOTIONS


@pytest.fixture(scope="module")
def corpus(serve_corpus):
    return serve_corpus


@pytest.fixture(scope="module")
def url(serve_bundle):
    with background(create_app(serve_bundle)) as base:
        yield base


@pytest.fixture(scope="module")
def microphone(corpus, tmp_path_factory):
    """What the fake microphone hears: three clips back to back, 16-bit PCM at 48 kHz."""
    import soxr

    y = np.concatenate([sf.read(f)[0] for f in corpus.filenames[:9:3]])
    path = tmp_path_factory.mktemp("mic") / "mic.wav"
    sf.write(path, soxr.resample(y, 16000, 48000), 48000, subtype="PCM_16")
    return path


@pytest.fixture(scope="module")
def browser(microphone, tmp_path_factory):
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for flag in [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1000,1200",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
        "--use-fake-ui-for-media-stream",  # allow the microphone without asking
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={microphone}",
    ]:
        options.add_argument(flag)
    os.environ.setdefault("SE_OFFLINE", "true")  # selenium must not look for downloads
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def _open(browser, url):
    browser.get(url)
    wait = WebDriverWait(browser, 30)
    wait.until(lambda d: d.find_element(By.ID, "model").text.startswith("Model:"))
    return wait


def _rendered(browser):
    bars = browser.find_elements(By.CSS_SELECTOR, "#bars g.bar")
    return {
        "label": browser.find_element(By.ID, "label").text,
        "filename": browser.find_element(By.ID, "filename").text,
        "duration": float(browser.find_element(By.ID, "duration").text),
        "probabilities": {
            b.get_attribute("data-label"): float(b.get_attribute("data-p")) for b in bars
        },
    }


def _done(wait):
    wait.until(
        lambda d: (
            d.find_element(By.TAG_NAME, "body").get_attribute("data-state") in {"done", "error"}
        )
    )


def test_upload_a_file_and_read_the_rendered_result(browser, url, corpus, tmp_path):
    wait = _open(browser, url)
    clip = corpus.filenames[7]
    browser.find_element(By.ID, "file").send_keys(str(Path(clip).resolve()))
    browser.find_element(By.ID, "upload").click()
    _done(wait)
    assert browser.find_element(By.ID, "status").text == "done"
    shown = _rendered(browser)
    with open(clip, "rb") as fh:
        api = httpx.post(url + "predict", files={"file": (Path(clip).name, fh)}).json()
    assert shown["label"] == api["label"] and shown["filename"] == Path(clip).name
    assert list(shown["probabilities"]) == EMOTIONS
    for cls, p in api["probabilities"].items():
        assert shown["probabilities"][cls] == pytest.approx(p, abs=1e-6)
    assert not browser.find_element(By.ID, "timeline-card").is_displayed()  # a short clip
    shot = tmp_path / "upload.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000


def test_a_long_upload_shows_the_timeline(browser, url, microphone, tmp_path):
    wait = _open(browser, url)
    browser.find_element(By.ID, "file").send_keys(str(microphone))
    browser.find_element(By.ID, "upload").click()
    _done(wait)
    assert browser.find_element(By.ID, "timeline-card").is_displayed()
    with open(microphone, "rb") as fh:
        api = httpx.post(url + "timeline", files={"file": ("mic.wav", fh)}).json()
    strip = browser.find_elements(By.CSS_SELECTOR, "#timeline rect.top-label")
    assert [r.get_attribute("data-label") for r in strip] == [w["label"] for w in api["windows"]]
    areas = browser.find_elements(By.CSS_SELECTOR, "#timeline polygon.area")
    assert [a.get_attribute("data-label") for a in areas] == EMOTIONS
    shot = Path(os.environ.get("SKSER_SCREENSHOT_DIR", tmp_path)) / "serve_page.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000


def test_record_from_the_fake_microphone(browser, url):
    wait = _open(browser, url)
    browser.find_element(By.ID, "record").click()
    wait.until(
        lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-state") == "recording"
    )
    import time

    time.sleep(2.5)
    browser.find_element(By.ID, "stop").click()
    _done(wait)
    status = browser.find_element(By.ID, "status").text
    assert status == "done", status
    shown = _rendered(browser)
    assert shown["filename"] == "recording.wav"
    assert 1.5 < shown["duration"] < 5.0  # about the 2.5 s recorded
    assert shown["label"] in EMOTIONS
    assert sum(shown["probabilities"].values()) == pytest.approx(1.0, abs=1e-5)
    assert browser.find_element(By.ID, "playback").get_attribute("src").startswith("blob:")


def test_a_bad_file_shows_the_servers_message(browser, url, tmp_path):
    wait = _open(browser, url)
    bad = tmp_path / "notes.wav"
    bad.write_text("not audio at all " * 20)
    browser.find_element(By.ID, "file").send_keys(str(bad))
    browser.find_element(By.ID, "upload").click()
    _done(wait)
    status = browser.find_element(By.ID, "status")
    assert status.get_attribute("class") == "error"
    assert status.text.startswith("415: the upload cannot be decoded as audio")
    assert not browser.find_element(By.ID, "result").is_displayed()
