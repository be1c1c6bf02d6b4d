"""Tests on the shared real RAVDESS copy (marker ``data``; skipped when it is absent)."""

import pytest

from skser.datasets import audit_corpus, load_ravdess

pytestmark = pytest.mark.data


def test_ravdess_counts(ravdess_dir):
    b = load_ravdess(ravdess_dir)
    assert len(b.filenames) == 1080
    assert len(set(b.groups)) == 18
    counts = b.frame["emotion"].value_counts().to_dict()
    assert counts == {
        e: 144 for e in ("calm", "happy", "sad", "angry", "fearful", "disgust", "surprised")
    } | {"neutral": 72}
    assert b.frame.groupby("actor").size().eq(60).all()
    assert b.frame["gender"].value_counts().to_dict() == {"male": 540, "female": 540}


def test_ravdess_audit_finds_the_identical_actor_07_pair(ravdess_dir):
    report = audit_corpus(load_ravdess(ravdess_dir, actors=[7, 9]))
    dups = report.issues.loc[report.issues.problem == "duplicate_audio", "path"]
    assert sorted(p.rsplit("/", 1)[-1] for p in dups) == [
        "03-01-03-01-02-01-07.flac",
        "03-01-03-01-02-02-07.flac",
    ]
    quiet = report.issues.loc[report.issues.problem == "quiet", "path"]
    assert any("Actor_09" in p for p in quiet)  # the very quiet actor-09 clips


@pytest.mark.data
def test_bench_ravdess_smoke(ravdess_dir):
    """benchmarks/bench_ravdess.py end to end on 6 actors, 2 folds, a fast pipeline."""
    import json
    import subprocess
    import sys

    from conftest import REPO_ROOT

    proc = subprocess.run(
        [
            sys.executable,
            str(REPO_ROOT / "benchmarks" / "bench_ravdess.py"),
            "--data",
            str(ravdess_dir),
            "--pipeline",
            "pooled-logreg",
            "--actors",
            "01-06",
            "--folds",
            "2",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["clips"] == 360 and len(out["uar_per_fold"]) == 2
    assert sorted(sum(out["folds_actors"], [])) == [f"{i:02d}" for i in range(1, 7)]
    assert all(len(set(f) & {"01", "03", "05"}) >= 1 for f in out["folds_actors"])  # both genders
    assert 0.125 < out["uar_mean"] < 1.0 and out["inference_clips_per_s"] > 0
