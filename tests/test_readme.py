"""The README's two commands, and .ci/run running the same test command."""

import re
import subprocess
import sys

from conftest import REPO_ROOT


def _bash_blocks():
    text = (REPO_ROOT / "README.md").read_text()
    return [b.strip() for b in re.findall(r"```bash\n(.*?)```", text, flags=re.S)]


def test_readme_has_exactly_two_commands_and_ci_runs_the_test_one():
    blocks = _bash_blocks()
    assert len(blocks) == 2, blocks
    main, tests = blocks
    assert main.startswith("python3.11 -m venv .venv") and main.endswith("skser demo")
    assert tests.endswith("python -m pytest")
    ci = (REPO_ROOT / ".ci" / "run").read_text().splitlines()
    assert tests in ci  # the very same line


def test_skser_demo_runs_and_scores_above_chance(tmp_path):
    """The main job, small: a subprocess as a user runs it."""
    import json

    cmd = [sys.executable, "-m", "skser", "demo", "--out", str(tmp_path), "--name", "run"]
    cmd += ["--n-actors", "4", "--n-clips-per-emotion", "3", "--n-folds", "2", "--epochs", "12"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "protocol: speaker-independent" in proc.stdout
    assert proc.stderr == ""  # TensorFlow's start-up noise is kept out of the CLI
    uar = float(re.search(r"^UAR ([0-9.]+) ±", proc.stdout, re.MULTILINE).group(1))
    assert uar > 0.125 + 0.1  # chance is 1/8
    out = tmp_path / "run"
    metrics = json.loads((out / "metrics.json").read_text())
    assert abs(metrics["cv"]["uar_mean"] - uar) < 5e-4 and len(metrics["per_fold"]) == 2
    for fold in metrics["per_fold"]:
        assert fold["test_groups"]  # each fold names its held-out actors
    assert sorted(p.name for p in out.iterdir()) == [
        "figures",
        "folds",
        "metrics.json",
        "model.skser",
        "report.md",
    ]
    assert not list(tmp_path.glob("*.partial"))


def test_demo_bad_arguments_exit_2_with_one_line():
    proc = subprocess.run(
        [sys.executable, "-m", "skser", "demo", "--n-folds", "9", "--n-actors", "4"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert (
        proc.stderr.strip()
        == "skser demo: error: --n-folds must be between 2 and --n-actors (4), got 9"
    )


def test_import_is_light_and_has_no_keras():
    code = "import sys, skser, skser.datasets, skser.features, skser.io; print('keras' in sys.modules, 'tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "False False", out.stderr


def test_readme_python_snippet_runs_verbatim(tmp_path):
    text = (REPO_ROOT / "README.md").read_text()
    (snippet,) = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    proc = subprocess.run(
        [sys.executable, "-c", snippet], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    assert "protocol: speaker-independent" in proc.stdout
    uar = float(re.search(r"UAR ([0-9.]+) ±", proc.stdout).group(1))
    assert 0.25 < uar < 0.95  # chance is 1/8
    from skser.deploy import load_model, read_metadata

    bundle = tmp_path / "model.skser"
    assert abs(read_metadata(bundle)["metrics"]["uar_mean"] - uar) < 5e-4
    assert len(load_model(bundle).predict(sorted((tmp_path / "synthetic").rglob("*.wav"))[:2])) == 2
