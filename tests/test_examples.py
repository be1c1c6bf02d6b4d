"""Every script in examples/ runs in smoke mode (tiny settings, synthetic corpus) within
2 minutes on 2 cores, and writes its figures and files, non-empty."""

import subprocess
import sys
import time

import pytest
from conftest import REPO_ROOT

EXPECTED = {
    "quickstart.py": ["model.skser", "confusion_matrix.png"],
    "grid_search.py": ["grid_results.csv", "grid_scores.png"],
    "custom_network.py": ["fold_scores.png", "training_curves.png"],
    "classic_classifier.py": ["classic_uar.png"],
    "multi_corpus.py": ["class_balance.png", "cross_corpus.csv"],
    "speaker_normalisation.py": ["speaker_normalisation.csv", "speaker_normalisation.png"],
    "deploy_predict.py": ["model.skser", "call.wav", "timeline.csv", "timeline.png"],
    "eda_figures.py": [
        "class_balance.png",
        "durations.png",
        "mfcc_means.png",
        "waveform_angry.png",
    ],
}


def test_every_example_is_listed():
    scripts = sorted(p.name for p in (REPO_ROOT / "examples").glob("*.py"))
    assert scripts == sorted(EXPECTED)
    listing = (REPO_ROOT / "docs" / "examples.md").read_text()
    for name in scripts:
        assert f"examples/{name}" in listing, name


@pytest.mark.slow
@pytest.mark.parametrize("script", sorted(EXPECTED))
def test_example_runs_in_smoke_mode(script, tmp_path):
    out = tmp_path / "out"
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(REPO_ROOT / "examples" / script), "--smoke", "--out", str(out)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    seconds = time.perf_counter() - t0
    assert proc.returncode == 0, proc.stderr[-3000:]
    for name in EXPECTED[script]:
        path = out / name
        assert path.is_file() and path.stat().st_size > 0, name
    if script != "eda_figures.py":
        assert "UAR" in proc.stdout or "ms:" in proc.stdout, proc.stdout
    assert seconds < 120
