"""Bad input gets a clear answer that names the file, key or value; nothing is lost (issue 16)."""

import json
import os
import shutil
import subprocess
import sys
import warnings
import zipfile

import numpy as np
import pytest
import soundfile as sf
from conftest import in_process

from skser.datasets import audit_corpus, load_csv_corpus, load_ravdess, make_synthetic_speech
from skser.exceptions import CorpusError, CorpusWarning


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("bad-input-corpus")
    make_synthetic_speech(n_actors=3, n_clips_per_emotion=1, duration=0.3, random_state=0,
                          out_dir=out)  # fmt: skip
    return out


def _copy(src, dst):
    shutil.copytree(src, dst)
    return dst


def _cli(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "skser", *map(str, args)],
        capture_output=True, text=True, cwd=cwd, timeout=300,
    )  # fmt: skip


# ----------------------------------------------------------------- folder scanning
def test_a_symlinked_actor_folder_is_scanned(small_corpus, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for actor in ("Actor_01", "Actor_02"):
        shutil.copytree(small_corpus / actor, corpus / actor)
    os.symlink(small_corpus / "Actor_03", corpus / "Actor_03")
    bunch = load_ravdess(corpus)
    assert sorted(set(bunch.groups)) == ["01", "02", "03"]
    assert len(bunch.target) == 3 * 8


def test_a_symlink_loop_is_refused_with_its_path(small_corpus, tmp_path):
    corpus = _copy(small_corpus, tmp_path / "corpus")
    os.symlink(corpus, corpus / "Actor_01" / "again")
    with pytest.raises(CorpusError, match=r"Actor_01/again.*loop"):
        load_ravdess(corpus)


def test_an_unreadable_folder_is_an_error_not_a_missing_speaker(
    small_corpus, tmp_path, monkeypatch
):
    from skser.datasets import _base

    corpus = _copy(small_corpus, tmp_path / "corpus")
    real_walk = os.walk

    def walk(top, **kwargs):
        for dirpath, dirnames, filenames in real_walk(top, **kwargs):
            if dirpath.endswith("Actor_02"):  # as os.walk reports a scandir failure
                kwargs["onerror"](PermissionError(13, "Permission denied", dirpath))
                dirnames[:] = []
                continue
            yield dirpath, dirnames, filenames

    monkeypatch.setattr(_base.os, "walk", walk)
    with pytest.raises(CorpusError, match=r"cannot read 1 folder.*Actor_02: Permission denied"):
        load_ravdess(corpus)


# ----------------------------------------------------------------------- audit
def test_audit_reports_nan_samples(small_corpus, tmp_path):
    corpus = _copy(small_corpus, tmp_path / "corpus")
    bad = sorted((corpus / "Actor_01").iterdir())[0]
    data, sr = sf.read(bad, dtype="float32")
    data[100:110] = np.nan
    sf.write(bad, data, sr, subtype="FLOAT")
    audit = audit_corpus(load_ravdess(corpus))
    rows = audit.issues[audit.issues["path"] == str(bad)]
    assert rows["problem"].tolist() == ["unreadable"]
    assert "10 of" in rows["detail"].iloc[0] and "NaN" in rows["detail"].iloc[0]


def _truncate(path, keep_seconds, sr=16000, header=44):
    data = path.read_bytes()
    path.write_bytes(data[: header + int(keep_seconds * sr) * 2])


def test_a_truncated_file_is_warned_about_by_name_in_loading_audit_and_predict(
    small_corpus, bundle, tmp_path, capsys
):
    from skser.exceptions import TruncatedAudioWarning
    from skser.io import load_audio

    cut = tmp_path / "cut.wav"
    rng = np.random.default_rng(0)
    sf.write(cut, 0.1 * rng.normal(size=32000).astype(np.float32), 16000, subtype="PCM_16")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(load_audio(cut)[0]) == 32000  # the whole file: no warning
    _truncate(cut, 0.5)
    with pytest.warns(TruncatedAudioWarning, match=r"cut\.wav: truncated: .* 2\.00 s .* 0\.50 s"):
        y, _ = load_audio(cut)
    assert len(y) == 8000  # the part that decodes is kept
    corpus = _copy(small_corpus, tmp_path / "corpus")
    victim = sorted((corpus / "Actor_02").iterdir())[0]
    sf.write(victim, 0.1 * rng.normal(size=16000).astype(np.float32), 16000, subtype="PCM_16")
    _truncate(victim, 0.25)
    audit = audit_corpus(load_ravdess(corpus))
    rows = audit.issues[audit.issues["problem"] == "truncated"]
    assert rows["path"].tolist() == [str(victim)]
    assert "declares 1.00 s, only 0.25 s decodes" in rows["detail"].iloc[0]
    res = in_process(capsys, "predict", bundle, cut)
    assert res.returncode == 0, res.stderr
    lines = [ln for ln in res.stderr.splitlines() if "truncated" in ln]
    assert len(lines) == 1 and str(cut) in lines[0] and "Traceback" not in res.stderr


# ------------------------------------------------------------------ CSV corpora
def _csv(tmp_path, text):
    path = tmp_path / "corpus.csv"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    "text, match",
    [
        ("", "empty"),
        ("path,label\na.wav,angry\n", r"missing column\(s\) \['speaker'\]"),
        ("path,label,speaker\n", "no rows"),
        ("path,label,speaker\na.wav,,s1\nb.wav,sad,s2\n", "empty label on line 2"),
        ("path,label,speaker\na.wav,angry,s1\nb.wav,sad,\nc.wav,sad, \n", "empty speaker on lines 3, 4"),
        ("path,label,speaker\n,angry,s1\n", "empty path on line 2"),
    ],
)  # fmt: skip
def test_csv_corpus_errors_name_the_file_and_line(tmp_path, text, match):
    with pytest.raises(CorpusError, match=match) as info:
        load_csv_corpus(_csv(tmp_path, text))
    assert "corpus.csv" in str(info.value)


def test_csv_labels_outside_the_vocabulary_warn_and_can_be_mapped(tmp_path):
    path = _csv(tmp_path, "path,label,speaker\na.wav,excited,s1\nb.wav, sad ,s2\nc.wav,Happy,s3\n")
    with pytest.warns(CorpusWarning, match=r"\['Happy', 'excited'\].*data.emotions"):
        bunch = load_csv_corpus(path)
    assert sorted(bunch.target) == ["Happy", "excited", "sad"]  # spaces stripped
    with pytest.warns(CorpusWarning, match=r"\['Happy'\]"):  # only the unmapped one
        bunch = load_csv_corpus(path, emotions={"excited": "happy"})
    assert sorted(bunch.target) == ["Happy", "happy", "sad"]
    bunch = load_csv_corpus(path, emotions={"excited": "happy", "Happy": "happy"})
    assert sorted(bunch.target) == ["happy", "happy", "sad"]
    with pytest.raises(ValueError, match="hapy"), pytest.warns(CorpusWarning):
        load_csv_corpus(path, emotions={"hapy": "happy"})  # in neither corpus nor vocabulary


# ---------------------------------------------------------------------- bundles
@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    from skser.deploy import save_model
    from skser.pipeline import make_ser_pipeline

    corpus = make_synthetic_speech(n_actors=2, emotions=["angry", "sad"], n_clips_per_emotion=3,
                                   duration=0.5, random_state=0)  # fmt: skip
    pipe = make_ser_pipeline("pooled", "logreg").fit(corpus.data, corpus.target)
    path = tmp_path_factory.mktemp("bundle") / "model.skser"
    save_model(pipe, path)
    return path


def _with_metadata(src, dst, meta):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "metadata.json":
                data = json.dumps(meta).encode()
            zout.writestr(item, data)
    return dst


@pytest.mark.parametrize(
    "change, match",
    [
        (lambda m: [m], "JSON list, not an object"),
        (lambda m: {k: v for k, v in m.items() if k != "payload"}, "lacks the key 'payload'"),
        (lambda m: {**m, "versions": ["skser"]}, "'versions' is"),
        (lambda m: {**m, "payload": {"sha256": 5}}, "'payload' needs 'sha256'"),
        (lambda m: {**m, "format": "1"}, "'format' is '1'"),
    ],
)
def test_bundle_metadata_of_the_wrong_shape_is_refused(bundle, tmp_path, change, match):
    from skser.deploy import ModelFileError, load_model, read_metadata

    with zipfile.ZipFile(bundle) as zf:
        meta = json.loads(zf.read("metadata.json"))
    bad = _with_metadata(bundle, tmp_path / "bad.skser", change(meta))
    for reader in (read_metadata, load_model):
        with pytest.raises(ModelFileError, match=match) as info:
            reader(bad)
        assert "bad.skser" in str(info.value)


@pytest.mark.slow
def test_cli_info_and_predict_on_a_damaged_bundle_exit_2_with_one_line(bundle, tmp_path, capsys):
    with zipfile.ZipFile(bundle) as zf:
        meta = json.loads(zf.read("metadata.json"))
    bad = _with_metadata(bundle, tmp_path / "bad.skser", {k: v for k, v in meta.items()
                                                           if k != "versions"})  # fmt: skip
    wav = tmp_path / "a.wav"
    sf.write(wav, np.zeros(8000, np.float32) + 0.01, 16000)
    for args in (("info", bad), ("predict", bad, wav)):
        res = in_process(capsys, *args)
        assert res.returncode == 2, res.stderr
        assert "Traceback" not in res.stderr
        assert "lacks the key 'versions'" in res.stderr and "bad.skser" in res.stderr


def test_predict_on_a_folder_without_audio_is_an_error(tmp_path):
    from skser.cli._predict import expand_paths

    (tmp_path / "notes.txt").write_text("no audio here")
    with pytest.raises(ValueError, match="no audio files.*in the folder"):
        expand_paths([tmp_path])


# ------------------------------------------------------------------- resume
@pytest.mark.parametrize(
    "damage, problem",
    [
        (lambda p: p.write_text("[1, 2]"), "a JSON list"),
        (lambda p: p.write_text(p.read_text()[:40]), "unreadable"),
        (lambda p: p.write_text(json.dumps({"key": "x"})), "it lacks"),
    ],
)
def test_resume_recomputes_a_damaged_fold_file_and_names_it(tmp_path, damage, problem):
    from skser.model_selection import cross_validate_ser
    from skser.pipeline import make_ser_pipeline

    corpus = make_synthetic_speech(n_actors=3, emotions=["angry", "sad"], n_clips_per_emotion=4,
                                   duration=0.5, random_state=0)  # fmt: skip
    pipe = make_ser_pipeline("pooled", "logreg")
    args = (pipe, corpus.data, corpus.target, corpus.groups)
    first = cross_validate_ser(*args, cv=3, out_dir=tmp_path, random_state=0)
    damage(tmp_path / "fold_02.json")
    with pytest.warns(RuntimeWarning, match=rf"fold_02.json is damaged \({problem}"):
        again = cross_validate_ser(*args, cv=3, out_dir=tmp_path, resume=True, random_state=0)
    assert [f["uar"] for f in again.folds] == [f["uar"] for f in first.folds]
    assert json.loads((tmp_path / "fold_02.json").read_text())["uar"] == first.folds[1]["uar"]


def test_predict_warns_about_clips_the_model_cannot_judge(bundle, tmp_path, caplog):
    from skser.cli._predict import predict_files
    from skser.deploy import load_model

    model = load_model(bundle)
    rng = np.random.default_rng(0)
    files = {
        "silent.wav": np.zeros(8000, np.float32),
        "short.wav": 0.1 * rng.normal(size=800).astype(np.float32),
        "long.wav": 0.1 * rng.normal(size=16000 * 3).astype(np.float32),  # clips are 0.5 s
        "fine.wav": 0.1 * rng.normal(size=8000).astype(np.float32),
    }
    for name, data in files.items():
        sf.write(tmp_path / name, data, 16000)
    with caplog.at_level("WARNING", logger="skser.cli._predict"):
        rows, failures = predict_files(model, [str(tmp_path / n) for n in files])
    assert len(rows) == 4 and not failures  # a warning, not a refusal
    text = {n: [r.message for r in caplog.records if n in r.message] for n in files}
    assert any("silent" in m for m in text["silent.wav"])
    assert any("shorter than one analysis frame" in m for m in text["short.wav"])
    assert any("--timeline" in m for m in text["long.wav"])
    assert text["fine.wav"] == []


@pytest.mark.parametrize(
    "window, hop, match",
    [
        (0, None, "--window must be between"),
        (-1.0, None, "--window must be between"),
        (float("nan"), None, "--window must be a finite"),
        (float("inf"), None, "--window must be a finite"),
        (1e9, None, "--window must be between"),
        (0.01, None, "--window must be between 0.128"),
        (1.0, 0, "--hop must be > 0"),
        (1.0, float("nan"), "--hop must be a finite"),
        (1.0, 2.0, "longer than --window"),
        (None, 5.0, "longer than --window"),  # the default window is the clip length
    ],
)
def test_timeline_window_and_hop_are_checked(bundle, tmp_path, window, hop, match):
    from skser.deploy import load_model, predict_timeline

    wav = tmp_path / "call.wav"
    sf.write(wav, 0.1 * np.random.default_rng(0).normal(size=32000).astype(np.float32), 16000)
    with pytest.raises(ValueError, match=match):
        predict_timeline(load_model(bundle), wav, window=window, hop=hop)


# ------------------------------------------------------------------- run folders
def _run_cfg(tmp_path, **model):
    import copy

    from skser.cli._config import DEFAULTS, check_config

    cfg = copy.deepcopy(DEFAULTS)
    cfg["data"].update(n_actors=4, n_clips_per_emotion=1, clip_seconds=0.5,
                       emotions=["angry", "sad"])  # fmt: skip
    cfg["pipeline"].update(features="pooled", model="logreg", oversample=False)
    cfg["model"].update(model)
    cfg["cv"]["n_splits"] = 2
    cfg["run"].update(out_dir=str(tmp_path / "runs"), name="r")
    check_config(cfg)
    return cfg


def test_a_second_writer_on_a_run_folder_is_refused_with_the_holder(tmp_path):
    from skser._lock import run_lock
    from skser.cli._run import run_experiment

    cfg = _run_cfg(tmp_path)
    work = tmp_path / "runs" / "r.partial"
    work.mkdir(parents=True)
    with run_lock(work / ".lock", "test"):  # another process writing this run
        for resume in (False, True):
            cfg["run"]["resume"] = resume
            with pytest.raises(BlockingIOError, match=rf"pid {os.getpid()}\) is writing"):
                run_experiment(cfg, command="evaluate", echo=lambda *a: None)
    cfg["run"]["resume"] = True  # released: the interrupted run continues
    metrics, folder = run_experiment(cfg, command="evaluate", echo=lambda *a: None)
    assert folder == tmp_path / "runs" / "r" and not (folder / ".lock").exists()
    assert not work.exists()


def test_a_run_failing_in_its_first_fit_leaves_no_partial_folder(tmp_path):
    from skser.cli._run import run_experiment

    cfg = _run_cfg(tmp_path, C=-1.0)  # LogisticRegression checks C only in fit
    with pytest.raises(ValueError, match="C"):
        run_experiment(cfg, command="evaluate", echo=lambda *a: None)
    assert not (tmp_path / "runs" / "r.partial").exists()
    cfg["model"]["C"] = 1.0  # the next run is not blocked
    metrics, folder = run_experiment(cfg, command="evaluate", echo=lambda *a: None)
    assert folder.is_dir() and 0 <= metrics["cv"]["uar_mean"] <= 1


# ------------------------------------------------------------- the command line
def test_cli_train_without_a_corpus_is_a_usage_error(tmp_path):
    res = _cli("train", "--out", tmp_path, cwd=tmp_path)
    assert res.returncode == 2 and "needs a corpus" in res.stderr and "skser demo" in res.stderr
    assert not any(tmp_path.iterdir())


def test_cli_flags_after_the_subcommand_and_fast_errors(tmp_path):
    res = _cli("train", "--corpus", "ravdess", "--data", tmp_path / "nope", "-q", cwd=tmp_path)
    assert res.returncode == 2
    assert (
        res.stderr.strip() == f"skser train: error: data directory not found: {tmp_path / 'nope'}"
    )
    res = _cli("predict", tmp_path / "none.skser", tmp_path / "a.wav", "-q", cwd=tmp_path)
    assert res.returncode == 2 and "model file not found" in res.stderr
    assert "tensorflow" not in res.stderr.lower()


def test_cli_single_speaker_corpus_says_why(tmp_path, capsys):
    corpus = make_synthetic_speech(n_actors=1, emotions=["angry", "sad"], n_clips_per_emotion=3,
                                   duration=0.5, random_state=0, out_dir=tmp_path / "c")  # fmt: skip
    csv = tmp_path / "one.csv"
    csv.write_text("path,label,speaker\n" + "".join(
        f"{p},{t},solo\n" for p, t in zip(corpus.filenames, corpus.target, strict=True)))  # fmt: skip
    res = in_process(capsys, "evaluate", "--corpus", "csv", "--csv", csv, "--features",
                     "pooled", "--model", "logreg", "--out", tmp_path / "runs")  # fmt: skip
    assert res.returncode == 2, res.stderr
    assert "1 speaker(s)" in res.stderr and "Traceback" not in res.stderr
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


@pytest.mark.slow
def test_cli_run_logs_folds_records_warnings_and_reports_the_model(tmp_path, capsys):
    corpus = make_synthetic_speech(n_actors=4, emotions=["angry", "sad"], n_clips_per_emotion=3,
                                   duration=0.5, random_state=0, out_dir=tmp_path / "c")  # fmt: skip
    labels = ["Angry" if t == "angry" else t for t in corpus.target]
    csv = tmp_path / "c.csv"
    csv.write_text(
        "path,label,speaker\n"
        + "".join(
            f"{p},{t},{g}\n"
            for p, t, g in zip(corpus.filenames, labels, corpus.groups, strict=True)
        )
    )
    res = in_process(capsys, "train", "--corpus", "csv", "--csv", csv, "--features", "pooled",
                     "--model", "logreg", "--n-splits", "2", "--out", tmp_path / "runs",
                     "--name", "r")  # fmt: skip
    assert res.returncode == 0, res.stderr
    warning = [ln for ln in res.stderr.splitlines() if "vocabulary" in ln]
    assert len(warning) == 1 and warning[0].startswith("skser train: warning: ")
    assert "warnings.warn" not in res.stderr  # no source line
    assert "fold 1/2: UAR" in res.stdout and "fold 2/2: UAR" in res.stdout
    assert "min left" in res.stdout and "final fit on all 24 clips" in res.stdout
    metrics = json.loads((tmp_path / "runs" / "r" / "metrics.json").read_text())
    assert any("Angry" in w for w in metrics["data"]["warnings"])
    report = (tmp_path / "runs" / "r" / "report.md").read_text()
    assert "- model: load=AudioLoader" in report and "LogisticRegression" in report
    assert "- wall time: " in report


def test_csv_label_hint_suggests_the_likely_label(tmp_path):
    path = _csv(tmp_path, "path,label,speaker\na.wav,Angry,s1\nb.wav,sad,s2\n")
    with pytest.warns(CorpusWarning, match=r"\{'Angry': 'angry'\}"):
        load_csv_corpus(path)


def test_predict_refuses_a_bundle_holding_a_bare_classifier(tmp_path):
    from sklearn.linear_model import LogisticRegression

    from skser.cli._predict import predict_files
    from skser.deploy import load_model, save_model

    rng = np.random.default_rng(0)
    clf = LogisticRegression().fit(rng.normal(size=(20, 3)), np.repeat(["angry", "sad"], 10))
    save_model(clf, tmp_path / "bare.skser")
    with pytest.raises(ValueError, match="LogisticRegression, not a pipeline that starts with"):
        predict_files(load_model(tmp_path / "bare.skser"), [str(tmp_path / "a.wav")])


# ------------------------------------------------- loaders, transformers, classifiers
@pytest.fixture(scope="module")
def bad_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("bad-files")
    (d / "empty.wav").write_bytes(b"")
    (d / "text.wav").write_text("hello, not audio")
    sf.write(d / "ok.wav", 0.1 * np.ones(4000, np.float32), 16000)
    return d


@pytest.mark.parametrize(
    "files, match",
    [
        ([], "no clips given"),
        (["nope.wav"], r"1 of 1 file\(s\) could not be loaded:\n  .*nope.wav: file not found"),
        (["empty.wav"], r"empty.wav: empty file \(0 bytes\)"),
        (["text.wav"], r"text.wav: not a readable audio file"),
        (["ok.wav", "text.wav", "nope.wav"], r"2 of 3 file\(s\)"),
    ],
)
def test_audioloader_names_every_bad_file(bad_files, files, match):
    from skser.io import AudioLoader

    with pytest.raises(ValueError, match=match):
        AudioLoader().fit_transform(np.array([str(bad_files / f) for f in files], dtype=object))


def _waves(n=4, samples=4000):
    return 0.1 * np.random.default_rng(0).normal(size=(n, samples)).astype(np.float32)


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: __import__("skser.features", fromlist=["MFCC"]).MFCC(n_mfcc=0), "n_mfcc must be"),
        (lambda: __import__("skser.features", fromlist=["MFCC"]).MFCC(top_db_reference="peak"),
         "top_db_reference must be 'clip' or 'train', got 'peak'"),
        (lambda: __import__("skser.features", fromlist=["X"]).LogMelSpectrogram(n_mels=0),
         "n_mels must be a positive integer"),
        (lambda: __import__("skser.features", fromlist=["X"]).LogMelSpectrogram(hop_length=0),
         "hop_length must be a positive integer"),
        (lambda: __import__("skser.features", fromlist=["X"]).ParalinguisticFunctionals(
            fmin=500, fmax=100), "fmin < fmax"),
        (lambda: __import__("skser.features", fromlist=["X"]).ParalinguisticFunctionals(
            mel_bands="yes"), "mel_bands must be True or False, got 'yes'"),
        (lambda: __import__("skser.features", fromlist=["X"]).LevelNormaliser(target_db="loud"),
         "target_db must be a finite number"),
    ],
)  # fmt: skip
def test_feature_parameters_are_named(make, match):
    with pytest.raises(ValueError, match=match):
        make().fit(_waves())


def test_features_refuse_nan_waveforms():
    from skser.features import MFCC

    X = _waves()
    X[1, 10] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        MFCC().fit(X)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"p_noise": 1.5}, r"p_noise must be a probability in \[0, 1\], got 1.5"),
        ({"n_augment": -1}, "n_augment must be an integer >= 0, got -1"),
        ({"noise_snr": (30, 10)}, "noise_snr must be a .low, high. pair"),
    ],
)
def test_augmenter_parameters_are_named(params, match):
    from skser.augment import AudioAugmenter

    with pytest.raises(ValueError, match=match):
        AudioAugmenter(**params).fit_resample(_waves(), np.array(["a", "b", "a", "b"]))


@pytest.mark.parametrize(
    "groups, match",
    [
        (["a", "b"], "groups has 2 speaker ids but X has 4 clips"),
        ([None, "a", "b", "c"], r"1 are missing \(None, NaN or empty\) at rows \[0\]"),
        (["", "a", "b", "c"], r"at rows \[0\]"),
    ],
)
def test_speaker_ids_are_checked(groups, match):
    from skser.features import SpeakerStandardScaler

    with pytest.raises(ValueError, match=match):
        SpeakerStandardScaler().fit(np.ones((4, 3)), groups=groups)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"epochs": 0}, "epochs must be a positive integer, got 0"),
        ({"batch_size": 0}, "batch_size must be a positive integer, got 0"),
        ({"learning_rate": -1}, "learning_rate must be > 0, got -1"),
        ({"lr_schedule": "wavy"}, "lr_schedule must be 'constant' or 'cosine', got 'wavy'"),
    ],
)
def test_network_parameters_are_named(params, match):
    from skser.models import CNN1DClassifier

    X = np.random.default_rng(0).random((8, 4, 10)).astype("float32")
    with pytest.raises(ValueError, match=match):
        CNN1DClassifier(filters=(2,), dense_units=(), **params).fit(X, np.array(list("abababab")))


@pytest.mark.parametrize(
    "section, key, value, match",
    [
        ("pipeline", "oversample", "no", "pipeline.oversample"),
        ("cv", "n_splits", 2.7, "cv.n_splits"),
        ("run", "random_state", "seven", "run.random_state"),
        ("cv", "scheme", "kfold", "cv.scheme"),
        ("pipeline", "speaker_normalise", 1, "pipeline.speaker_normalise"),
    ],
)
def test_config_values_are_type_checked(section, key, value, match):
    from skser.cli._config import ConfigError, check_config

    with pytest.raises(ConfigError, match=match):
        check_config({section: {key: value}})


@pytest.mark.parametrize(
    "features, model, match",
    [
        (
            "fusion",
            "cnn1d_views_x6",
            r"go together .*got features='fusion', model='cnn1d_views_x6'",
        ),
        ("pooled", "fusion", r"go together .*got features='pooled', model='fusion'"),
        ("logmel", "cnn1d_views_x6", r"takes features='mfcc40_deltas' only, not features='logmel'"),
        ("mfcc", "svm", r"model='svm' needs one feature vector per clip; features='mfcc'"),
        ("pooled", "cnnn", r"unknown model 'cnnn'"),
        ("mfcc41", "cnn", r"unknown features 'mfcc41'"),
    ],
)
def test_a_preset_and_model_mismatch_names_both(features, model, match):
    from skser.pipeline import make_ser_pipeline

    with pytest.raises(ValueError, match=match):
        make_ser_pipeline(features, model)


def test_permission_and_system_errors_say_what_and_where(tmp_path, monkeypatch):
    import errno

    from skser.cli._main import describe_error
    from skser.io import AudioFileError, load_audio

    wav = tmp_path / "locked.wav"
    sf.write(wav, np.zeros(1600, np.float32), 16000)
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode: False if str(p) == str(wav) else real_access(p, mode)
    )  # fmt: skip (root reads every file)
    with pytest.raises(AudioFileError, match=r"locked\.wav: permission denied"):
        load_audio(wav)
    line = describe_error(PermissionError(errno.EACCES, "Permission denied", str(tmp_path)))
    assert (
        line
        == f"permission denied: {tmp_path} (check its permissions (ls -l) or choose another path)"
    )
    full = describe_error(OSError(errno.ENOSPC, "No space left on device", "runs/x.partial"))
    assert full.startswith("no space left on device: runs/x.partial (free some space")
    loop = describe_error(OSError(errno.ELOOP, "Too many levels of symbolic links", "a", None, "b"))
    assert loop.startswith("too many levels of symbolic links: a -> b (a symbolic link")


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: __import__("skser.features", fromlist=["MFCC"]).MFCC(n_mfcc=True),
         r"MFCC: n_mfcc must be an integer in \[1, 128\], got True"),
        (lambda: __import__("skser.augment", fromlist=["AudioAugmenter"]).AudioAugmenter(
            n_augment=True), r"AudioAugmenter: n_augment must be an integer >= 0, got True"),
        (lambda: __import__("skser.augment", fromlist=["AudioAugmenter"]).AudioAugmenter(
            p_noise=True), r"p_noise must be a probability in \[0, 1\], got True"),
    ],
)  # fmt: skip
def test_a_boolean_is_not_accepted_as_a_number(make, match):
    X = _waves()
    y = np.array(["a", "b"] * (len(X) // 2))
    est = make()
    with pytest.raises(ValueError, match=match):
        est.fit_resample(X, y) if hasattr(est, "fit_resample") else est.fit(X)
