"""SERPipeline(chunk_size=...): fit and predict without all waveforms in memory (issue 18)."""

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression

from skser.io import AudioLoader
from skser.model_selection import cross_validate_ser
from skser.pipeline import make_ser_pipeline


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    from skser.datasets import make_synthetic_speech

    c = make_synthetic_speech(
        n_actors=4,
        n_clips_per_emotion=3,
        emotions=["angry", "calm", "sad", "happy"],
        duration=1.0,
        random_state=0,
        out_dir=tmp_path_factory.mktemp("chunked"),
    )
    return np.asarray(c.filenames), c.target, c.groups


def pooled(**kw):
    return make_ser_pipeline("pooled", "logreg", duration=1.0, random_state=0, **kw)


class SpyLogReg(LogisticRegression):
    """A logistic regression that records the labels it was trained on."""

    def fit(self, X, y, sample_weight=None):
        self.seen_y_ = np.asarray(y).copy()
        self.seen_shape_ = X.shape
        return super().fit(X, y, sample_weight=sample_weight)


@pytest.fixture
def loader_batches(monkeypatch):
    """The number of clips of every AudioLoader.transform / fit_transform call."""
    sizes = []
    for name in ("transform", "fit_transform"):
        original = getattr(AudioLoader, name)

        def spy(self, X, *args, _original=original, **kwargs):
            sizes.append(len(X))
            return _original(self, X, *args, **kwargs)

        monkeypatch.setattr(AudioLoader, name, spy)
    return sizes


def test_a_chunk_as_large_as_the_corpus_is_the_in_memory_fit(corpus):
    X, y, g = corpus
    ref = pooled().fit(X, y, groups=g)
    same = pooled(chunk_size=len(y)).fit(X, y, groups=g)
    np.testing.assert_array_equal(same.predict_proba(X), ref.predict_proba(X))


def test_the_loader_never_holds_more_than_a_chunk(corpus, loader_batches):
    X, y, g = corpus
    pipe = pooled(chunk_size=10, augment={"p_noise": 1.0})
    pipe.fit(X, y, groups=g)
    assert len(y) == 48 and max(loader_batches) == 10
    # oversampled rows are loaded too: 48 clips balanced -> 48 rows in 5 chunks, 1 sample
    assert sum(loader_batches) == 10 + 48
    loader_batches.clear()
    proba = pipe.predict_proba(X)
    assert proba.shape == (48, 4) and max(loader_batches) == 10 and sum(loader_batches) == 48
    # chunked prediction equals one call on all clips with the same fitted steps
    whole = clone(pipe).set_params(chunk_size=None)
    whole.steps = pipe.steps
    np.testing.assert_allclose(whole.predict_proba(X), proba, atol=1e-6)
    # and the model learnt the task about as well as the in-memory fit
    ref = pooled(augment={"p_noise": 1.0}).fit(X, y, groups=g)
    assert np.mean(pipe.predict(X) == ref.predict(X)) >= 0.9


def test_oversampling_chooses_the_in_memory_rows(corpus):
    X, y, g = corpus
    keep = np.r_[np.flatnonzero(y != "sad"), np.flatnonzero(y == "sad")[:3]]  # imbalanced
    X, y, g = X[keep], y[keep], g[keep]
    ref = pooled(oversample=True).set_params(clf=SpyLogReg()).fit(X, y)
    ch = pooled(oversample=True, chunk_size=7).set_params(clf=SpyLogReg()).fit(X, y)
    counts = dict(zip(*np.unique(ch[-1].seen_y_, return_counts=True), strict=True))
    assert counts == {"angry": 12, "calm": 12, "happy": 12, "sad": 12}
    assert sorted(ch[-1].seen_y_) == sorted(ref[-1].seen_y_)
    np.testing.assert_array_equal(
        ch.named_steps["oversample"].sample_indices_, ref.named_steps["oversample"].sample_indices_
    )


def test_augmentation_copies_per_chunk_are_seeded(corpus):
    X, y, g = corpus
    aug = {"n_augment": 2, "keep_original": True, "p_noise": 1.0, "noise_snr": (5.0, 10.0)}

    def fit(seed):
        pipe = make_ser_pipeline(
            "pooled", "logreg", duration=1.0, augment=aug, random_state=seed, chunk_size=16
        ).set_params(clf=SpyLogReg(random_state=seed))
        return pipe.fit(X, y, groups=g)

    a, b, c = fit(0), fit(0), fit(1)
    assert a[-1].seen_shape_[0] == 3 * 48  # each clip and two copies, in every chunk
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    assert not np.allclose(a.predict_proba(X), c.predict_proba(X))


def test_chunked_cross_validation_pickling_and_params(corpus, tmp_path):
    X, y, g = corpus
    pipe = pooled(chunk_size=12)
    assert pipe.get_params()["chunk_size"] == 12 and clone(pipe).chunk_size == 12
    res = cross_validate_ser(pipe, X, y, g, cv=2, random_state=0)
    ref = cross_validate_ser(pooled(), X, y, g, cv=2, random_state=0)
    assert len(res.folds) == 2 and [f["n_test"] for f in res.folds] == [24, 24]
    # statistics from 12 of 24 training clips: within 0.15 of the in-memory UAR, and
    # far above chance (0.25)
    assert abs(res.summary["uar_mean"] - ref.summary["uar_mean"]) <= 0.15
    assert res.summary["uar_mean"] >= 0.45
    # a chunk as large as a training fold is the in-memory protocol, fold by fold
    whole = cross_validate_ser(pooled(chunk_size=24), X, y, g, cv=2, random_state=0)
    assert [f["uar"] for f in whole.folds] == [f["uar"] for f in ref.folds]
    fitted = pipe.fit(X, y, groups=g)
    joblib.dump(fitted, tmp_path / "m.joblib")
    loaded = joblib.load(tmp_path / "m.joblib")
    np.testing.assert_array_equal(loaded.predict_proba(X), fitted.predict_proba(X))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"speaker_normalise": True}, "speaker normalisation needs all clips"),
        ({"duration": None}, "needs a fixed clip length"),
        ({"features": "fusion", "model": "fusion"}, "classifier's input would be waveforms"),
        ({"chunk_size": 0}, "chunk_size must be a positive integer, got 0"),
        ({"chunk_size": True}, "chunk_size must be a positive integer, got True"),
    ],
)
def test_what_cannot_be_chunked_is_refused_by_name(corpus, kwargs, match):
    X, y, g = corpus
    kw = {"features": "pooled", "model": "logreg", "duration": 1.0, "chunk_size": 8, **kwargs}
    pipe = make_ser_pipeline(kw.pop("features"), kw.pop("model"), **kw)
    with pytest.raises(ValueError, match=match):
        pipe.fit(X, y, groups=g)


def test_a_chunked_fit_takes_no_fit_parameters(corpus):
    X, y, g = corpus
    with pytest.raises(ValueError, match=r"takes no fit parameters; got \['clf__sample_weight'\]"):
        pooled(chunk_size=8).fit(X, y, clf__sample_weight=np.ones(len(y)))


def test_the_cli_config_sets_chunk_size():
    from skser.cli._config import ConfigError, apply_overrides, load_config
    from skser.cli._run import build_pipeline

    cfg = apply_overrides(
        load_config(),
        ["pipeline.features='pooled'", "pipeline.model='logreg'", "pipeline.chunk_size=500"],
    )
    assert build_pipeline(cfg).chunk_size == 500
    assert build_pipeline(load_config()).chunk_size is None
    with pytest.raises(ConfigError, match="pipeline.chunk_size must be an integer or none"):
        apply_overrides(load_config(), ["pipeline.chunk_size=2.5"])


def test_a_pipeline_pickled_before_chunk_size_existed_loads(corpus):
    import pickle

    X, y, g = corpus
    pipe = pooled().fit(X, y)
    state = pipe.__getstate__()
    del state["chunk_size"]  # as pickled by earlier versions
    old = pickle.loads(pickle.dumps(pipe))
    old.__dict__.pop("chunk_size")
    old.__setstate__(state)
    assert old.chunk_size is None and clone(old).get_params()["chunk_size"] is None
    np.testing.assert_array_equal(old.predict_proba(X), pipe.predict_proba(X))


# ----------------------------------------------------------- features on disk (Keras)
def test_the_feature_store_reads_back_what_was_written(tmp_path):
    from skser._store import FeatureStore

    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(5, 3, 4)), rng.normal(size=(2, 3, 4))
    store = FeatureStore(tmp_path)
    store.append(a)
    store.append(b)
    rows = store.rows()
    assert rows.shape == (7, 3, 4) and len(rows[rows.rows % 2 == 0]) == 4
    whole = np.concatenate([a, b]).astype(np.float32)
    np.testing.assert_array_equal(rows.read(), whole)
    np.testing.assert_array_equal(rows[[6, 0, 3]].read(), whole[[6, 0, 3]])
    np.testing.assert_array_equal(rows[2:5][[True, False, True], ...].read(), whole[[2, 4]])
    with pytest.raises(ValueError, match=r"rows of shape \(2,\) after rows of shape \(3, 4\)"):
        store.append(np.zeros((1, 2)))
    store.close()
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_names_the_store_and_leaves_no_file(tmp_path, monkeypatch):
    import errno

    from skser._store import FeatureStore

    store = FeatureStore(tmp_path)
    store.append(np.zeros((4, 10)))

    class Full:
        def __init__(self, handle):
            self.handle = handle

        def seek(self, pos):
            return self.handle.seek(pos)

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

        def close(self):
            self.handle.close()

        def fileno(self):
            return self.handle.fileno()

    store._file = Full(store._file)
    with pytest.raises(OSError, match=r"skser-features-.*the disk is full after 4 rows") as info:
        store.append(np.zeros((4, 10)))
    assert info.value.errno == errno.ENOSPC and list(tmp_path.iterdir()) == []


def test_keras_classifiers_train_from_the_store_in_batches(corpus, tmp_path, monkeypatch):
    import tempfile

    from skser._store import StoreRows
    from skser.models._adapter import SERKerasClassifierBase, StoreBatches

    X, y, g = corpus
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where the store is written
    seen, batches = [], []
    fit, getitem = SERKerasClassifierBase.fit, StoreBatches.__getitem__

    def spy_fit(self, X, y, sample_weight=None, groups=None):
        seen.append((type(X), X.shape, list(tmp_path.iterdir())))
        return fit(self, X, y, sample_weight=sample_weight, groups=groups)

    def spy_getitem(self, i):
        out = getitem(self, i)
        batches.append(len(out[0]))
        return out

    monkeypatch.setattr(SERKerasClassifierBase, "fit", spy_fit)
    monkeypatch.setattr(StoreBatches, "__getitem__", spy_getitem)

    def fitted():
        pipe = make_ser_pipeline("mfcc", "cnn1d_pool_x3", duration=1.0, random_state=0)
        pipe.set_params(
            chunk_size=20, clf__n_estimators=2, clf__estimator__epochs=2,
            clf__estimator__filters=(4, 4, 4), clf__estimator__batch_size=16,
            clf__estimator__early_stopping=True, clf__estimator__n_iter_no_change=5,
        )  # fmt: skip
        return pipe.fit(X, y, groups=g)

    a = fitted()
    assert len(seen) == 2  # two networks, each from the store
    assert all(t is StoreRows and s == (48, 40, 32) and len(f) == 1 for t, s, f in seen)
    assert batches and max(batches) == 16
    assert list(tmp_path.iterdir()) == []  # the store is removed after the fit
    assert a[-1].estimators_[0].validation_speakers_  # early stopping held out speakers
    b = fitted()
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))  # seeded batches


def test_a_chunk_that_fails_to_load_removes_the_store_and_names_the_file(
    corpus, tmp_path, monkeypatch
):
    import tempfile

    X, y, g = corpus
    store_dir = tmp_path / "tmp"
    store_dir.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(store_dir))
    X = X.copy()
    X[41] = str(tmp_path / "gone.wav")  # in the third chunk of 20, not in the fit sample
    from skser._store import FeatureStore

    closed = []
    close = FeatureStore.close
    monkeypatch.setattr(
        FeatureStore, "close", lambda self: closed.append(self.n_rows) or close(self)
    )
    pipe = make_ser_pipeline("mfcc", "cnn1d", duration=1.0, random_state=0, chunk_size=20)
    with pytest.raises(ValueError, match="gone.wav"):
        pipe.fit(X, y, groups=g)
    assert closed == [40]  # closed by the fit, with the two chunks it had written
    assert list(store_dir.iterdir()) == []
