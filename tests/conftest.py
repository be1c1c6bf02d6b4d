"""Shared fixtures: tiny audio writers, the shared RAVDESS copy, a synthetic corpus."""

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


def pytest_collection_modifyitems(config, items):
    if RAVDESS_DIR.is_dir():
        return
    skip = pytest.mark.skip(reason=f"shared RAVDESS copy not found at {RAVDESS_DIR}")
    for item in items:
        if "data" in item.keywords:
            item.add_marker(skip)
