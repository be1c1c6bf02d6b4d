import shutil

import pytest

from skser.datasets import audit_corpus, load_ravdess


@pytest.fixture
def messy_corpus(tmp_path, tone_writer, synthetic_files):
    src, _ = synthetic_files
    shutil.copytree(src / "Actor_01", tmp_path / "Actor_01")
    d = tmp_path / "Actor_01"
    files = sorted(d.iterdir())
    shutil.copy(files[0], d / "03-01-08-02-02-09-01.wav")  # identical audio, new name
    tone_writer(d / "03-01-08-02-02-10-01.wav", amplitude=1e-4)  # -80 dBFS: silent
    tone_writer(d / "03-01-08-02-02-11-01.wav", amplitude=0.005)  # -46 dBFS: quiet
    tone_writer(d / "03-01-08-02-02-12-01.wav", amplitude=1.5, subtype="FLOAT")  # clipping
    tone_writer(d / "03-01-08-02-02-13-01.wav", sr=44100, channels=2)  # mixed rate+channels
    (d / "03-01-08-02-02-14-01.wav").write_bytes(b"RIFF not really a wave file")
    return tmp_path, files[0]


def test_audit_finds_each_problem(messy_corpus):
    root, original = messy_corpus
    report = audit_corpus(load_ravdess(root))
    issues = report.issues
    by = {p: set(issues.loc[issues.problem == p, "path"]) for p in set(issues.problem)}
    assert by["duplicate_audio"] == {str(original), str(root / "Actor_01/03-01-08-02-02-09-01.wav")}
    assert {p.rsplit("-", 2)[-2] for p in by["silent"]} == {"10"}
    assert {p.rsplit("-", 2)[-2] for p in by["quiet"]} == {"11"}
    assert {p.rsplit("-", 2)[-2] for p in by["clipping"]} == {"12"}
    assert {p.rsplit("-", 2)[-2] for p in by["mixed_sample_rates"]} == {"13"}
    assert {p.rsplit("-", 2)[-2] for p in by["mixed_channels"]} == {"13"}
    assert {p.rsplit("-", 2)[-2] for p in by["unreadable"]} == {"14"}
    assert "unreadable: 1" in report.summary()
    assert report.balance["actor"].loc["01"].sum() == 22
    assert report.balance["gender"].loc["male"].sum() == 22


def test_audit_reports_missing_classes_per_actor(synthetic_files, tmp_path):
    src, _ = synthetic_files
    for actor in ("Actor_01", "Actor_02"):
        shutil.copytree(src / actor, tmp_path / actor)
    for f in (tmp_path / "Actor_02").glob("03-01-05-*"):
        f.unlink()
    report = audit_corpus(load_ravdess(tmp_path))
    missing = report.issues[report.issues.problem == "missing_class"]
    assert missing[["path", "detail"]].values.tolist() == [["actor 02", "no clips of angry"]]


def test_audit_rejects_bad_arguments(synthetic_files):
    with pytest.raises(ValueError, match="needs a corpus Bunch"):
        audit_corpus(object())
    with pytest.raises(ValueError, match="quiet_dbfs .* must be above silent_dbfs"):
        audit_corpus(load_ravdess(synthetic_files[0]), quiet_dbfs=-70)
