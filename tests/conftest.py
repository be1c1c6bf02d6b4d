"""Shared fixtures: tiny audio writers, the shared RAVDESS copy, a synthetic corpus, the
bundle the serve tests serve."""

import os
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

REPO_ROOT = Path(__file__).resolve().parents[1]
RAVDESS_DIR = Path(
    os.environ.get("SKSER_RAVDESS_DIR", REPO_ROOT.parent / "shared" / "data" / "ravdess-speech-16k")
)


def write_tone(
    path, *, sr=16000, seconds=0.25, freq=220.0, channels=1, amplitude=0.3, subtype=None
):
    """Write a short sine tone (any rate / channel count / subtype) and return its path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    t = np.arange(int(sr * seconds)) / sr
    mono = amplitude * np.sin(2 * np.pi * freq * t)
    data = (
        np.stack([mono * (0.5 + 0.5 * c) for c in range(channels)], axis=1)
        if channels > 1
        else mono
    )
    sf.write(path, data, sr, subtype=subtype)
    return path


def in_process(capsys, *args):
    """The command line in this process (``skser.cli.main``): the same code as
    ``python -m skser``, without another TensorFlow start-up (about 7 s each)."""
    from types import SimpleNamespace

    from skser.cli import main

    capsys.readouterr()
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return SimpleNamespace(returncode=code, stdout=out, stderr=err)


@pytest.fixture
def tone_writer():
    return write_tone


@pytest.fixture(scope="session")
def ravdess_dir():
    if not RAVDESS_DIR.is_dir():
        pytest.skip(f"shared RAVDESS copy not found at {RAVDESS_DIR}")
    return RAVDESS_DIR


@pytest.fixture(scope="session")
def synthetic_files(tmp_path_factory):
    """A small synthetic corpus written as RAVDESS-named WAV files (session-wide)."""
    from skser.datasets import make_synthetic_speech

    out = tmp_path_factory.mktemp("synthetic")
    corpus = make_synthetic_speech(
        n_actors=4, n_clips_per_emotion=2, duration=1.0, random_state=0, out_dir=out
    )
    return out, corpus


#: The classes of the served test model (tests/test_serve.py, tests/test_serve_browser.py).
SERVE_EMOTIONS = ["angry", "happy", "sad"]


@pytest.fixture(scope="session")
def serve_corpus(tmp_path_factory):
    """3 actors x 3 emotions x 4 one-second clips, for the model the serve tests serve."""
    from skser.datasets import make_synthetic_speech

    return make_synthetic_speech(
        n_actors=3,
        emotions=SERVE_EMOTIONS,
        n_clips_per_emotion=4,
        duration=1.0,
        random_state=0,
        out_dir=tmp_path_factory.mktemp("serve_corpus"),
    )


@pytest.fixture(scope="session")
def serve_bundle(serve_corpus, tmp_path_factory):
    """A real bundle of a pooled-MFCC logistic regression trained on ``serve_corpus``."""
    from skser.deploy import save_model
    from skser.pipeline import make_ser_pipeline

    c = serve_corpus
    model = make_ser_pipeline("pooled", "logreg").fit(c.filenames, c.target)
    path = tmp_path_factory.mktemp("serve_bundle") / "model.skser"
    save_model(model, path, training={"corpus": "synthetic"})
    return path


def pytest_collection_modifyitems(config, items):
    if RAVDESS_DIR.is_dir():
        return
    skip = pytest.mark.skip(reason=f"shared RAVDESS copy not found at {RAVDESS_DIR}")
    for item in items:
        if "data" in item.keywords:
            item.add_marker(skip)


def pytest_configure(config):
    """With several xdist workers, each worker (and what it starts) uses one thread for
    TensorFlow and BLAS, so that n workers share n cores instead of each spinning up a
    thread per core. Set before the workers start (they inherit the environment); a
    value already in the environment is kept."""
    if getattr(config.option, "numprocesses", None) and not os.environ.get("PYTEST_XDIST_WORKER"):
        from skser.model_selection._dask import WORKER_THREAD_ENV

        for key, value in WORKER_THREAD_ENV.items():
            if key.endswith("_THREADS"):
                os.environ.setdefault(key, value)
