"""The `skser` command line end to end, and its config handling.

The training fixture and the entry point's traceback run `python -m skser` as a user
would; the other commands run `skser.cli.main` in this process (the same code, without
a TensorFlow start-up of about 7 s per command).
"""

import io
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import soundfile as sf
from conftest import in_process

from skser.cli._config import ConfigError, apply_overrides, check_config, load_config


def skser(*args, timeout=300):
    """Run the command as a user would, from a scratch folder (never the repository)."""
    import tempfile

    return subprocess.run(
        [sys.executable, "-m", "skser", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=tempfile.gettempdir(),
    )


CONFIG = """
[data]
corpus = "csv"
csv = "{csv}"

[pipeline]
features = "logmel"
model = "cnn"
oversample = false
duration = 1.0

[features]
n_mels = 32
n_fft = 512
hop_length = 256

[model]
filters = [4, 8]
dense_units = [16]
epochs = 8
learning_rate = 0.003

[cv]
n_splits = 2

[run]
out_dir = "{out}"
name = "cfg-run"
random_state = 0
cache = "{out}/cache"
"""


@pytest.fixture(scope="module")
def trained(synthetic_files, tmp_path_factory):
    """`skser train --config` on a CSV of the synthetic corpus (4 actors x 16 clips)."""
    corpus_dir, corpus = synthetic_files
    base = tmp_path_factory.mktemp("cli")
    csv = base / "clips.csv"
    pd.DataFrame(
        {"path": corpus.filenames, "label": corpus.target, "speaker": corpus.groups}
    ).to_csv(csv, index=False)
    cfg = base / "run.toml"
    cfg.write_text(CONFIG.format(csv=csv, out=base / "runs"))
    proc = skser("train", "--config", cfg)
    assert proc.returncode == 0, proc.stderr
    return base, proc, corpus


def test_train_with_a_config_writes_a_complete_run_folder(trained, capsys):
    base, proc, corpus = trained
    run = base / "runs" / "cfg-run"
    assert "UAR" in proc.stdout and "protocol: speaker-independent" in proc.stdout
    assert sorted(p.name for p in run.iterdir()) == [
        "figures",
        "folds",
        "metrics.json",
        "model.skser",
        "report.md",
    ]
    m = json.loads((run / "metrics.json").read_text())
    assert m["data"]["clips"] == len(corpus.target) and m["data"]["speakers"] == 4
    assert m["config"]["model"]["epochs"] == 8 and len(m["per_fold"]) == 2
    assert m["versions"]["keras"] and m["cv"]["pooled"]["confusion_matrix"]
    assert sorted(p.name for p in (run / "figures").iterdir()) == [
        "class_balance.png",
        "confusion_matrix.png",
        "fold_scores.png",
        "training_curves.png",
    ]
    report = (run / "report.md").read_text()
    assert "![confusion_matrix.png](figures/confusion_matrix.png)" in report
    from skser.deploy import load_model

    model = load_model(run / "model.skser")
    caches = {k: v for k, v in model.get_params(deep=True).items() if k.split("__")[-1] == "memory"}
    assert caches and not any(caches.values())  # trained with a cache, deployed without
    assert (base / "runs" / "cache").is_dir()
    info = in_process(capsys, "info", run / "model.skser")
    assert info.returncode == 0 and "classes   : angry, calm" in info.stdout
    assert "trusted" in info.stdout


def test_predict_mixed_formats_matches_the_in_memory_pipeline(trained, tmp_path, capsys):
    from skser.deploy import load_model

    base, _, corpus = trained
    model_path = base / "runs" / "cfg-run" / "model.skser"
    clip, sr = sf.read(corpus.filenames[0], dtype="float32")
    import librosa

    files = [tmp_path / "a16k.wav", tmp_path / "b44k_stereo.flac", tmp_path / "c8k.ogg"]
    sf.write(files[0], clip, sr)
    up = librosa.resample(clip, orig_sr=sr, target_sr=44100)
    sf.write(files[1], np.stack([up, 0.5 * up], axis=1), 44100)
    sf.write(files[2], librosa.resample(clip, orig_sr=sr, target_sr=8000), 8000)
    proc = in_process(capsys, "predict", model_path, tmp_path, "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    table = pd.read_csv(io.StringIO(proc.stdout))
    assert sorted(table["path"]) == sorted(map(str, files))
    classes = [c for c in table.columns if c not in ("path", "label")]
    np.testing.assert_allclose(table[classes].sum(axis=1), 1.0, atol=1e-5)
    model = load_model(model_path)  # the same bundle, in this process
    from skser.cli._predict import predict_files

    rows, failures = predict_files(model, [str(f) for f in files])
    assert not failures
    expected = pd.DataFrame(rows).set_index("path")[classes]
    got = table.set_index("path")[classes].loc[expected.index]
    np.testing.assert_allclose(got.to_numpy(), expected.to_numpy(), atol=1e-6)
    # and the first file equals the pipeline's own prediction on the original clip
    np.testing.assert_allclose(
        expected.loc[str(files[0])].to_numpy(),
        model.predict_proba([corpus.filenames[0]])[0],
        atol=1e-6,
    )


def test_timeline_on_a_long_recording(trained, tmp_path, capsys):
    base, _, corpus = trained
    clips = [sf.read(f, dtype="float32")[0] for f in corpus.filenames[:12]]
    long = tmp_path / "call.wav"
    sf.write(long, np.concatenate(clips), 16000)  # 12 s
    proc = in_process(
        capsys,
        "predict",
        base / "runs" / "cfg-run" / "model.skser",
        long,
        "--timeline",
        "--window",
        "2",
        "--hop",
        "1",
        "--format",
        "json",
    )
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert [r["start_s"] for r in rows] == [float(s) for s in range(11)]
    assert rows[-1]["end_s"] == 12.0 and {r["label"] for r in rows} <= set(corpus.target)


def test_predict_reports_a_bad_file_and_still_predicts_the_others(trained, tmp_path, capsys):
    base, _, corpus = trained
    bad = tmp_path / "broken.wav"
    bad.write_bytes(b"RIFF not really")
    model = base / "runs" / "cfg-run" / "model.skser"
    proc = in_process(capsys, "predict", model, corpus.filenames[0], bad)
    assert proc.returncode == 1
    assert corpus.filenames[0] in proc.stdout
    assert proc.stderr.strip().startswith(f"skser predict: error: {bad}:")
    assert "Traceback" not in proc.stderr


def test_errors_are_one_line_with_exit_status(tmp_path, capsys):
    missing = in_process(
        capsys,
        "evaluate",
        "--corpus",
        "ravdess",
        "--data",
        tmp_path / "nope",
        "--out",
        tmp_path / "runs",
    )
    assert missing.returncode == 2
    assert (
        missing.stderr.strip()
        == f"skser evaluate: error: data directory not found: {tmp_path / 'nope'}"
    )
    cfg = tmp_path / "typo.toml"
    cfg.write_text('[pipeline]\nfeaturs = "mfcc"\n')
    typo = in_process(capsys, "train", "--config", cfg)
    assert typo.returncode == 2
    assert "unknown key pipeline.featurs; did you mean 'features'?" in typo.stderr
    assert len(typo.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "runs").exists()  # a failed start creates no run folder
    corrupt = tmp_path / "model.skser"
    corrupt.write_bytes(b"PK\x03\x04 truncated")
    bad_model = in_process(capsys, "predict", corrupt, cfg)
    assert bad_model.returncode == 2 and "truncated or corrupt" in bad_model.stderr
    assert "Traceback" not in bad_model.stderr
    # the real entry point (a process of its own): --verbose shows the traceback
    verbose = skser("--verbose", "predict", corrupt, cfg)
    assert verbose.returncode != 0 and "Traceback" in verbose.stderr


def test_audit_command(synthetic_files, capsys):
    corpus_dir, _ = synthetic_files
    proc = in_process(capsys, "audit", corpus_dir, "--corpus", "ravdess")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip()


# ------------------------------------------------------------------ config unit
def test_config_unknown_keys_suggest_the_closest():
    with pytest.raises(ConfigError, match=r"unknown section \[pipline\]; did you mean 'pipeline'"):
        check_config({"pipline": {}})
    with pytest.raises(ConfigError, match="unknown key cv.n_split; did you mean 'n_splits'"):
        check_config({"cv": {"n_split": 3}})
    # values are type-checked: a string is not a boolean, 2.7 is not an integer
    with pytest.raises(ConfigError, match=r"pipeline.oversample must be true or false; got 'no'"):
        check_config({"pipeline": {"oversample": "no"}})
    with pytest.raises(ConfigError, match=r"cv.n_splits must be an integer; got 2.7"):
        check_config({"cv": {"n_splits": 2.7}})
    with pytest.raises(ConfigError, match=r"pipeline.speaker_normalise must be true or false"):
        apply_overrides(load_config(), ["pipeline.speaker_normalise=1"])
    with pytest.raises(ConfigError, match=r"run.random_state must be an integer or none"):
        check_config({"run": {"random_state": True}})
    check_config({"pipeline": {"duration": 3, "oversample": False}, "run": {"n_jobs": None}})
    with pytest.raises(ConfigError, match="cv.scheme must be one of .*did you mean 'loso'"):
        check_config({"cv": {"scheme": "lso"}})
    cfg = apply_overrides(load_config(), ["model.dropout=0.2", "data.emotions=['sad', 'angry']"])
    assert cfg["model"]["dropout"] == 0.2 and cfg["data"]["emotions"] == ["sad", "angry"]
    with pytest.raises(ConfigError, match="section.key=value"):
        apply_overrides(load_config(), ["epochs=3"])


def test_free_sections_are_checked_against_the_estimator():
    from skser.cli._run import build_pipeline

    cfg = apply_overrides(load_config(), ["model.dropuot=0.2"])
    with pytest.raises(
        ConfigError,
        match="unknown key model.dropuot for FusionClassifier; did you mean 'dropout'",
    ):
        build_pipeline(cfg)


def test_augment_section_reaches_each_branch_of_the_default():
    """[augment] with augment = "auto": each fusion branch's own augmenter; with
    augment = true: the pipeline's one; with augment = false: an error naming it."""
    from skser.cli._run import build_pipeline

    pipe = build_pipeline(apply_overrides(load_config(), ["augment.p_babble=0.5"]))
    branches = dict(pipe.named_steps["clf"].estimators)
    assert pipe.named_steps["augment"] == "passthrough"
    got = {k: (b.named_steps["augment"].p_babble, b.named_steps["augment"].keep_original)
           for k, b in branches.items()}  # fmt: skip
    assert got == {"deep": (0.5, False), "functionals": (0.5, True)}
    with pytest.raises(ConfigError, match="unknown key augment.p_babel .*'p_babble'"):
        build_pipeline(apply_overrides(load_config(), ["augment.p_babel=0.5"]))
    cfg = apply_overrides(load_config(), ["pipeline.augment=true", "augment.n_augment=2"])
    assert build_pipeline(cfg).named_steps["augment"].n_augment == 2
    cfg = apply_overrides(load_config(), ["pipeline.augment=false", "augment.n_augment=2"])
    with pytest.raises(ConfigError, match=r"\[augment\] sets parameters, but the augment step"):
        build_pipeline(cfg)


def tiny_pooled_run(out, name):
    """Flags of a seconds-long run: pooled features + logistic regression, 4 actors."""
    return (
        *("--corpus", "synthetic", "--features", "pooled", "--model", "logreg"),
        *("--n-splits", "2", "--out", out, "--name", name),
        *("--set", "data.n_actors=4", "--set", "data.n_clips_per_emotion=2"),
        *("--set", "data.clip_seconds=1.0"),
    )


def test_grid_command_searches_and_saves_the_best(tmp_path, capsys):
    proc = in_process(
        capsys, "grid", *tiny_pooled_run(tmp_path, "g"), "--set", "grid.clf__C=[0.01, 1.0]"
    )
    assert proc.returncode == 0, proc.stderr
    assert "grid: nested UAR" in proc.stdout and "selection score" in proc.stdout
    m = json.loads((tmp_path / "g" / "metrics.json").read_text())
    g = m["grid"]
    assert len(g["candidates"]) == 2
    assert g["final_selection_score"] == max(c["mean_uar"] for c in g["candidates"])
    # the headline is the nested (outer) score, not the score that chose the candidate
    assert m["cv"]["uar_mean"] == pytest.approx(g["nested_uar_mean"])
    assert g["gap"] == pytest.approx(g["selection_score_mean"] - g["nested_uar_mean"])
    assert "nested" in m["cv"]["protocol"]
    # every inner split of every outer fold stays inside that fold's training speakers
    for k in (1, 2):
        fold = json.loads((tmp_path / "g" / "folds" / f"fold_{k:02d}.json").read_text())
        inner = fold["selection"]["inner_splits"]
        assert len(inner) == 2
        for split in inner:
            assert not set(split["train_groups"] + split["test_groups"]) & set(fold["test_groups"])
    report = (tmp_path / "g" / "report.md").read_text()
    assert "Grid search (nested)" in report and "optimistic" in report
    from skser.deploy import read_metadata

    meta = read_metadata(tmp_path / "g" / "model.skser")
    assert meta["metrics"]["selection"]["nested_uar_mean"] == pytest.approx(g["nested_uar_mean"])
    typo = in_process(
        capsys, "grid", "--corpus", "synthetic", "--out", tmp_path, "--set", "grid.clf__CC=[1]"
    )
    assert typo.returncode == 2 and "unknown grid key 'clf__CC'" in typo.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g"]


def test_emotion_subset_and_mapping_from_config(synthetic_files, tmp_path):
    from skser.cli._run import load_data

    _, corpus = synthetic_files
    csv = tmp_path / "clips.csv"
    pd.DataFrame(
        {"path": corpus.filenames, "label": corpus.target, "speaker": corpus.groups}
    ).to_csv(csv, index=False)
    cfg = apply_overrides(load_config(), ["data.corpus='csv'", f"data.csv='{csv}'"])
    cfg["data"]["emotions"] = {"calm": "neutral", "surprised": ""}  # merge calm, drop surprised
    _, y, groups, _, summary = load_data(cfg)
    assert "calm" not in y and "surprised" not in y
    assert summary["class_counts"]["neutral"] == 2 * int(np.sum(corpus.target == "neutral"))
    cfg["data"]["emotions"] = ["sad", "angry"]
    _, y, _, _, _ = load_data(cfg)
    assert sorted(set(y)) == ["angry", "sad"]
    cfg["data"]["emotions"] = "sad"
    with pytest.raises(ConfigError, match="data.emotions must be a list"):
        load_data(cfg)


# ------------------------------------------------------------- speaker-normalised models
def test_speaker_normalised_train_info_and_predict(tmp_path, capsys):
    from skser.datasets import make_synthetic_speech
    from skser.deploy import load_model, read_metadata

    proc = in_process(capsys, "train", *tiny_pooled_run(tmp_path, "sn"), "--speaker-normalise")
    assert proc.returncode == 0, proc.stderr
    assert "speaker-normalised: each test speaker's unlabelled clips" in proc.stdout
    run = tmp_path / "sn"
    m = json.loads((run / "metrics.json").read_text())
    assert m["cv"]["speaker_normalised"] is True
    assert "speaker-normalised" in (run / "report.md").read_text()
    meta = read_metadata(run / "model.skser")
    assert meta["speaker_normalised"] is True and meta["metrics"]["speaker_normalised"] is True
    info = in_process(capsys, "info", run / "model.skser")
    assert "speakers  : speaker-normalised" in info.stdout

    corpus = make_synthetic_speech(
        n_actors=2,
        n_clips_per_emotion=3,
        emotions=["angry", "sad"],
        duration=1.0,
        random_state=5,
        out_dir=tmp_path / "new",
    )
    files = [str(f) for f in corpus.filenames]
    out = tmp_path / "pred.csv"
    proc = in_process(
        capsys,
        "predict",
        run / "model.skser",
        *files,
        r"--speaker-pattern=-(\d+)\.wav$",
        "--format",
        "csv",
        "--output",
        out,
    )
    assert proc.returncode == 0, proc.stderr
    rows = pd.read_csv(out, dtype={"speaker": str})
    assert rows["path"].tolist() == files
    assert rows["speaker"].tolist() == list(corpus.groups)
    # equal to the model's own per-speaker predictions
    model = load_model(run / "model.skser")
    classes = [c for c in rows.columns if c not in ("path", "speaker", "label")]
    for spk in np.unique(corpus.groups):
        sel = corpus.groups == spk
        expected = model.predict_proba(np.asarray(files)[sel], groups=corpus.groups[sel])
        got = rows.loc[sel, [str(c) for c in model.classes_]].to_numpy()
        np.testing.assert_allclose(got, expected, atol=1e-6)
    assert sorted(classes) == sorted(map(str, model.classes_))
    # the same ids from a CSV and from folders (one actor per folder)
    csv = tmp_path / "speakers.csv"
    pd.DataFrame({"path": files, "speaker": corpus.groups}).to_csv(csv, index=False)
    by_csv = in_process(
        capsys, "predict", run / "model.skser", *files, "--speakers", csv, "--format", "csv"
    )
    assert by_csv.returncode == 0, by_csv.stderr
    assert pd.read_csv(io.StringIO(by_csv.stdout))["label"].tolist() == rows["label"].tolist()
    by_dir = in_process(
        capsys,
        "predict",
        run / "model.skser",
        tmp_path / "new",
        "--speaker-per-folder",
        "--format",
        "csv",
    )
    assert by_dir.returncode == 0, by_dir.stderr
    # without ids: a warning, and global statistics
    plain = in_process(capsys, "predict", run / "model.skser", *files, "--format", "csv")
    assert plain.returncode == 0 and "no speaker ids were given" in plain.stderr
    # a file the CSV does not list, and a pattern that does not match, are named
    pd.DataFrame({"path": files[:2], "speaker": ["01", "01"]}).to_csv(csv, index=False)
    bad = in_process(capsys, "predict", run / "model.skser", *files, "--speakers", csv)
    assert bad.returncode == 2 and f"gives no speaker for {len(files) - 2} file(s)" in bad.stderr
    bad = in_process(
        capsys, "predict", run / "model.skser", *files, "--speaker-pattern", r"x(\d+)y"
    )
    assert bad.returncode == 2 and "finds no speaker in the file name" in bad.stderr
    # a timeline of one recording is one speaker: it runs and gives windows
    tl = in_process(
        capsys,
        "predict",
        run / "model.skser",
        files[0],
        "--timeline",
        "--window",
        "0.25",
        "--format",
        "csv",
    )
    assert tl.returncode == 0, tl.stderr
    assert len(pd.read_csv(io.StringIO(tl.stdout))) >= 4
