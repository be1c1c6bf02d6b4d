"""benchmarks/fuse_probas.py: fusing saved branch probabilities without refitting."""

import json
import subprocess
import sys

import numpy as np
import pytest
from conftest import REPO_ROOT

SCRIPT = REPO_ROOT / "benchmarks" / "fuse_probas.py"
ACTORS = [f"{a:02d}" for a in range(1, 19)]  # the script reports speaker_rows' folds


def _uar(y, pred):
    return np.mean([np.mean(pred[y == c] == c) for c in np.unique(y)])


@pytest.fixture
def branch_files(tmp_path):
    rng = np.random.default_rng(0)
    classes = np.array(["angry", "neutral", "sad"])
    groups = np.repeat(ACTORS, 6)
    y = np.tile(classes, len(groups) // 3)
    files, probas = {}, {}
    for name, noise in (("deep", 1.0), ("functionals", 1.5)):
        p = {}
        for cond in ("clean", "babble 20 dB"):
            logits = (y[:, None] == classes).astype(float) + noise * rng.normal(size=(len(y), 3))
            e = np.exp(logits)
            p[cond] = e / e.sum(1, keepdims=True)
        labels = {"classes": classes, "y": y, "groups": groups}
        path = tmp_path / f"{name}.npz"
        np.savez(path, **labels, **{f"{name}/{c}": v for c, v in p.items()})
        files[name], probas[name] = path, p
    return files, probas, classes, y, groups


def _run(*args):
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=120
    )


def test_fused_uar_is_the_weighted_mean_of_the_branches(branch_files):
    files, probas, classes, y, groups = branch_files
    res = _run(
        "--branch", f"deep={files['deep']}", "--branch", f"functionals={files['functionals']}",
        "--weights", "1,1", "--weights", "3,1",
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    for name in ("deep", "functionals"):
        for cond, p in probas[name].items():
            expected = _uar(y, classes[p.argmax(1)])
            assert out["alone"][name][cond] == pytest.approx(expected, abs=1e-4)
    for row, (wd, wf) in zip(out["fused"], ((0.5, 0.5), (0.75, 0.25)), strict=True):
        assert row["weights"] == {"deep": wd, "functionals": wf}
        for cond in ("clean", "babble 20 dB"):
            fused = wd * probas["deep"][cond] + wf * probas["functionals"][cond]
            expected = _uar(y, classes[fused.argmax(1)])
            assert row["uar_pooled"][cond] == pytest.approx(expected, abs=1e-4)
        assert len(row["clean_uar_per_fold"]) == 6
    # equal weights differ from either branch alone on this data: the fusion was computed
    assert out["fused"][0]["uar_pooled"]["clean"] != out["alone"]["functionals"]["clean"]


def test_branches_from_different_corpora_are_refused(branch_files, tmp_path):
    files, probas, classes, y, groups = branch_files
    other = tmp_path / "other.npz"
    np.savez(
        other, classes=classes, y=y[::-1], groups=groups, **{"x/clean": probas["deep"]["clean"]}
    )
    res = _run("--branch", f"deep={files['deep']}", "--branch", f"x={other}")
    assert res.returncode != 0
    assert "labels or speakers differ" in res.stderr


def test_missing_file_is_named(tmp_path):
    res = _run("--branch", f"deep={tmp_path / 'nope.npz'}")
    assert res.returncode != 0
    assert "nope.npz" in res.stderr
