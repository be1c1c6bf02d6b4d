"""Model bundles: save, load, checksum, versions, corrupt files."""

import json
import zipfile

import numpy as np
import pytest

from skser.deploy import (
    ModelFileError,
    VersionMismatchWarning,
    load_model,
    read_metadata,
    save_model,
)
from skser.pipeline import make_ser_pipeline


@pytest.fixture(scope="module")
def fitted(synthetic_files):
    _, corpus = synthetic_files
    X = np.asarray(corpus.filenames)
    return make_ser_pipeline("pooled", "logreg", random_state=0).fit(X, corpus.target), X


def test_round_trip_keeps_predictions_and_metadata(fitted, tmp_path):
    model, X = fitted
    meta = save_model(model, tmp_path / "m.skser", training={"clips": len(X)}, metrics={"uar": 0.5})
    assert [p.name for p in tmp_path.iterdir()] == ["m.skser"]  # no temporary file left
    assert meta["classes"] == list(model.classes_) and meta["sample_rate"] == 16000
    assert meta["payload"]["sha256"] and meta["versions"]["skser"]
    on_disk = read_metadata(tmp_path / "m.skser")
    assert on_disk["training"] == {"clips": len(X)} and on_disk["metrics"] == {"uar": 0.5}
    loaded = load_model(tmp_path / "m.skser")
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    assert loaded.skser_metadata_["payload"] == meta["payload"]


def test_bad_bundles_raise_one_clear_error(fitted, tmp_path):
    model, _ = fitted
    good = tmp_path / "good.skser"
    save_model(model, good)
    with pytest.raises(ModelFileError, match="model file not found"):
        load_model(tmp_path / "missing.skser")
    truncated = tmp_path / "truncated.skser"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(ModelFileError, match="truncated or corrupt"):
        load_model(truncated)
    text = tmp_path / "notes.skser"
    text.write_text("hello")
    with pytest.raises(ModelFileError, match="not a skser model bundle"):
        read_metadata(text)
    flipped = tmp_path / "flipped.skser"  # same size, one payload byte changed
    with zipfile.ZipFile(good) as zf:
        meta, payload = zf.read("metadata.json"), bytearray(zf.read("model.joblib"))
    payload[len(payload) // 2] ^= 0xFF
    with zipfile.ZipFile(flipped, "w") as zf:
        zf.writestr("metadata.json", meta)
        zf.writestr("model.joblib", bytes(payload))
    with pytest.raises(ModelFileError, match="sha256"):
        load_model(flipped)


def test_version_mismatch_warns(fitted, tmp_path):
    model, _ = fitted
    path = tmp_path / "old.skser"
    save_model(model, path)
    with zipfile.ZipFile(path) as zf:
        meta, payload = json.loads(zf.read("metadata.json")), zf.read("model.joblib")
    meta["versions"]["scikit-learn"] = "0.0.1"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("metadata.json", json.dumps(meta))
        zf.writestr("model.joblib", payload)
    with pytest.warns(VersionMismatchWarning, match="scikit-learn 0.0.1"):
        load_model(path)


def test_unfitted_model_is_refused(tmp_path):
    with pytest.raises(ValueError, match="not fitted"):
        save_model(make_ser_pipeline("pooled", "logreg"), tmp_path / "m.skser")
    assert not list(tmp_path.iterdir())
