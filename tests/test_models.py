"""Keras architectures as scikit-learn classifiers (skser.models)."""

import json
import random
import subprocess
import sys

import joblib
import numpy as np
import pytest
from sklearn.base import clone, is_classifier
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_validate

keras = pytest.importorskip("keras")

from skser.models import (  # noqa: E402
    CNN1DClassifier,
    CNNClassifier,
    CRNNClassifier,
    KerasBuildFnClassifier,
    KerasMLPClassifier,
    build_cnn1d,
    build_cnn2d,
    build_crnn,
    build_mlp,
)

LABELS = np.array(["angry", "calm", "sad"])


def make_features(n_per_class=20, shape=(8, 16), seed=0, shift=1.5):
    """3 classes of (bands, frames) 'features'; each class lifts its own band pair."""
    rng = np.random.default_rng(seed)
    y = np.repeat(LABELS, n_per_class)
    X = rng.normal(size=(len(y), *shape)).astype(np.float32)
    for k, label in enumerate(LABELS):
        X[y == label, 2 * k : 2 * k + 2] += shift
    order = rng.permutation(len(y))
    return X[order], y[order]


def tiny(cls, **kw):
    """Each classifier with a few units so a fit takes about a second."""
    sizes = {
        CNNClassifier: dict(filters=(4,), dense_units=(8,)),
        CRNNClassifier: dict(conv_filters=(4,), lstm_units=(8,), learning_rate=1e-2),
        CNN1DClassifier: dict(filters=(8,), dense_units=()),
        KerasMLPClassifier: dict(hidden_layer_sizes=(16,)),
        KerasBuildFnClassifier: dict(build_fn=dense_net, units=8),
    }[cls]
    return cls(**{**sizes, "epochs": 1, "random_state": 0, **kw})


def dense_net(input_shape, n_classes, units=8):
    """A user's build function (module level, so a fitted model can be pickled)."""
    inputs = keras.Input(input_shape)
    x = keras.layers.Flatten()(inputs)
    x = keras.layers.Dense(units, activation="relu")(x)
    return keras.Model(inputs, keras.layers.Dense(n_classes, activation="softmax")(x))


def meta_net(meta, units=4):
    inputs = keras.Input(meta["input_shape"])
    x = keras.layers.Flatten()(inputs)
    x = keras.layers.Dense(units)(x)
    return keras.Model(inputs, keras.layers.Dense(meta["n_classes"], activation="softmax")(x))


ALL = [CNNClassifier, CRNNClassifier, CNN1DClassifier, KerasMLPClassifier, KerasBuildFnClassifier]


@pytest.fixture(scope="module")
def data():
    return make_features()


# --------------------------------------------------------------------- classifier API
@pytest.mark.parametrize("cls", ALL)
def test_is_classifier_and_one_clip_proba_shape(cls, data):
    X, y = data
    clf = tiny(cls)
    assert is_classifier(clf)
    clf.fit(X, y)
    assert list(clf.classes_) == list(LABELS)
    proba = clf.predict_proba(X[:1])
    assert proba.shape == (1, 3)
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-5)
    pred = clf.predict(X)
    assert set(pred) <= set(LABELS)
    np.testing.assert_array_equal(pred, LABELS[proba.argmax(axis=1)])  # columns = classes_
    assert clf.n_features_in_ == X.shape[1] and clf.X_shape_[1:] == X.shape[1:]


def test_cross_val_score_with_int_cv_is_stratified():
    """Rows sorted by class: unstratified KFold(3) would test on one class per fold
    (chance is 1/3; the tasks below are learnt to >= 0.85 on held-out data)."""
    X, y = make_features(n_per_class=6)
    order = np.argsort(y, kind="stable")
    X, y = X[order], y[order]
    res = cross_validate(tiny(KerasMLPClassifier), X, y, cv=3, return_indices=True)
    for test in res["indices"]["test"]:
        assert sorted(set(y[test])) == list(LABELS)
        assert np.unique(y[test], return_counts=True)[1].tolist() == [2, 2, 2]


@pytest.mark.parametrize(
    "cls,kw,min_acc",
    [
        (KerasMLPClassifier, dict(epochs=30), 0.85),
        (CNN1DClassifier, dict(epochs=15), 0.85),
        (CNNClassifier, dict(epochs=15), 0.85),
        (CRNNClassifier, dict(epochs=15), 0.85),
    ],
)
def test_learns_a_separable_task_on_held_out_data(cls, kw, min_acc):
    X, y = make_features(n_per_class=30, seed=1)
    Xt, yt = make_features(n_per_class=20, seed=2)
    clf = tiny(cls, **kw).fit(X, y)
    assert clf.score(Xt, yt) >= min_acc
    assert len(clf.history_["loss"]) == kw["epochs"] == clf.n_iter_
    assert clf.history_["loss"][-1] < clf.history_["loss"][0]


def test_two_d_input_and_integer_labels():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 6))
    y = (X[:, 0] > 0).astype(int) + 2 * (X[:, 1] > 0)
    for cls in (KerasMLPClassifier, CNN1DClassifier, CNNClassifier, CRNNClassifier):
        clf = tiny(cls).fit(X, y)
        assert clf.predict(X[:3]).dtype.kind == "i"
        assert clf.predict_proba(X[:1]).shape == (1, 4)


def test_binary_problem_has_two_probability_columns():
    X, y = make_features(n_per_class=10)
    keep = y != "sad"
    clf = tiny(KerasMLPClassifier).fit(X[keep], y[keep])
    assert clf.predict_proba(X[:2]).shape == (2, 2)
    assert list(clf.classes_) == ["angry", "calm"]


def test_fast_predict_path_equals_keras_predict(data):
    X, y = data
    clf = tiny(CNN1DClassifier, batch_size=7).fit(X, y)
    for n in (1, 7, 23):  # one clip, one batch, several batches with a remainder
        np.testing.assert_allclose(
            clf.predict_proba(X[:n]), clf.model_.predict(X[:n], verbose=0), rtol=1e-5, atol=1e-6
        )


# ------------------------------------------------------------------------ randomness
def test_random_state_makes_training_reproducible(data):
    X, y = data
    a = tiny(CRNNClassifier, epochs=2).fit(X, y).predict_proba(X)
    b = tiny(CRNNClassifier, epochs=2).fit(X, y).predict_proba(X)
    c = tiny(CRNNClassifier, epochs=2, random_state=1).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(a, b)
    assert np.abs(a - c).max() > 1e-4
    d = tiny(CRNNClassifier, epochs=2, random_state=np.random.RandomState(5)).fit(X, y)
    e = tiny(CRNNClassifier, epochs=2, random_state=np.random.RandomState(5)).fit(X, y)
    np.testing.assert_array_equal(d.predict_proba(X), e.predict_proba(X))


def test_seeding_is_scoped_and_unseeded_fits_still_work(data):
    X, y = data
    random.seed(123)
    np.random.seed(123)  # noqa: NPY002
    expected_py, expected_np = random.random(), np.random.random()  # noqa: NPY002
    random.seed(123)
    np.random.seed(123)  # noqa: NPY002
    tiny(KerasMLPClassifier).fit(X, y)
    assert random.random() == expected_py and np.random.random() == expected_np  # noqa: NPY002
    # scikeras's own seeding leaves TF op determinism on, which breaks unseeded fits
    clf = tiny(KerasMLPClassifier, random_state=None, hidden_layer_sizes=(8,))
    clf.set_params(dropout=0.5).fit(X, y)
    assert clf.predict_proba(X[:1]).shape == (1, 3)


# ------------------------------------------------------------ training parameters
def test_class_weight_balanced_raises_minority_recall():
    rng = np.random.default_rng(3)
    n_major, n_minor = 180, 20
    X = np.r_[rng.normal(0.0, 1, (n_major, 4)), rng.normal(1.0, 1, (n_minor, 4))]
    y = np.array(["neutral"] * n_major + ["angry"] * n_minor)
    Xt = np.r_[rng.normal(0.0, 1, (200, 4)), rng.normal(1.0, 1, (200, 4))]
    yt = np.array(["neutral"] * 200 + ["angry"] * 200)
    recall = {}
    for cw in (None, "balanced"):
        clf = tiny(KerasMLPClassifier, epochs=40, class_weight=cw).fit(X, y)
        recall[cw] = np.mean(clf.predict(Xt[yt == "angry"]) == "angry")
    assert recall[None] < 0.4
    assert recall["balanced"] > recall[None] + 0.3


def test_sample_weight_is_not_modified_in_place(data):
    X, y = data
    w = np.ones(len(y))
    tiny(KerasMLPClassifier, class_weight="balanced").fit(X[:-6], y[:-6], sample_weight=w[:-6])
    assert np.all(w == 1.0)


def test_early_stopping_restores_best_weights():
    from sklearn.model_selection import train_test_split

    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 10)).astype(np.float32)
    y = rng.choice(LABELS, size=120)  # noise: validation loss soon stops improving
    clf = tiny(
        KerasMLPClassifier,
        hidden_layer_sizes=(64,),
        epochs=300,
        learning_rate=1e-2,
        early_stopping=True,
        validation_fraction=0.2,
        n_iter_no_change=4,
    ).fit(X, y)
    h = clf.history_
    assert clf.n_iter_ < 300
    assert clf.n_iter_ == clf.best_epoch_ + 4
    assert clf.best_epoch_ == int(np.argmin(h["val_loss"])) + 1
    assert set(h) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(type(v) is float for values in h.values() for v in values)
    # the held-out part is a stratified, seeded split; the model holds the best epoch
    _, val = train_test_split(np.arange(120), test_size=24, stratify=y, random_state=0)
    share = np.unique(y, return_counts=True)[1] / len(y)
    assert np.all(np.abs(np.unique(y[val], return_counts=True)[1] - 24 * share) <= 1)
    y_val = np.searchsorted(clf.classes_, y[val])
    loss = keras.losses.sparse_categorical_crossentropy(y_val, clf.predict_proba(X[val]))
    assert float(np.mean(loss)) == pytest.approx(min(h["val_loss"]), rel=1e-4)


def test_partial_fit_adds_one_epoch_at_a_time(data):
    X, y = data
    clf = tiny(KerasMLPClassifier)
    clf.partial_fit(X, y)
    clf.partial_fit(X, y)
    assert clf.n_iter_ == 2 and len(clf.history_["loss"]) == 2


def test_verbose_levels(data, capsys):
    X, y = data
    tiny(KerasMLPClassifier, epochs=2, verbose=0).fit(X, y)
    assert capsys.readouterr().out == ""
    tiny(KerasMLPClassifier, epochs=2, verbose=1).fit(X, y)
    out = capsys.readouterr().out
    assert out.count("Epoch ") == 2 and "loss" in out


# ----------------------------------------------- clone, grid search, persistence
def test_clone_set_params_and_grid_search(data):
    X, y = data
    clf = tiny(CNN1DClassifier)
    assert clone(clf).get_params() == clf.get_params()
    assert "filters" in clf.get_params() and "loss" not in clf.get_params()
    with pytest.raises(ValueError, match="Invalid parameter 'filter'"):
        clf.set_params(filter=(3,))
    grid = GridSearchCV(
        clf,
        {"filters": [(4,), (8,)], "dropout": [0.0, 0.3]},
        cv=StratifiedKFold(2, shuffle=True, random_state=0),
    ).fit(X, y)
    assert len(grid.cv_results_["params"]) == 4
    assert grid.best_params_["filters"] in [(4,), (8,)]
    assert grid.best_estimator_.get_params()["filters"] == grid.best_params_["filters"]
    assert grid.predict_proba(X[:1]).shape == (1, 3)


def test_build_fn_classifier_grid_searches_the_users_parameters(data):
    X, y = data
    clf = KerasBuildFnClassifier(dense_net, units=4, epochs=1, random_state=0)
    assert clf.get_params()["units"] == 4
    assert clone(clf).units == 4
    grid = GridSearchCV(clf, {"units": [2, 6]}, cv=2).fit(X, y)
    assert grid.best_estimator_.model_.layers[2].units == grid.best_params_["units"]
    meta = KerasBuildFnClassifier(meta_net, units=3, epochs=1).fit(X, y)
    assert meta.model_.input_shape == (None, *X.shape[1:])


def test_joblib_round_trip_in_a_fresh_process(tmp_path, data):
    X, y = data
    np.save(tmp_path / "X.npy", X)
    fitted = {}
    for cls in (CRNNClassifier, KerasBuildFnClassifier):
        fitted[cls.__name__] = tiny(cls, epochs=2).fit(X, y)
        joblib.dump(fitted[cls.__name__], tmp_path / f"{cls.__name__}.joblib")
    # one fresh process loads both (one TensorFlow start-up)
    code = (
        "import json, sys, joblib, numpy as np;"
        f"sys.path.insert(0, {str(__import__('pathlib').Path(__file__).parent)!r});"
        f"X = np.load({str(tmp_path / 'X.npy')!r}); out = {{}}\n"
        f"for name in {sorted(fitted)!r}:\n"
        f"    m = joblib.load({str(tmp_path)!r} + '/' + name + '.joblib')\n"
        "    out[name] = {'proba': m.predict_proba(X).tolist(),"
        " 'classes': [str(c) for c in m.classes_], 'history': m.history_}\n"
        "print(json.dumps(out))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    loaded = json.loads(out.strip().splitlines()[-1])
    assert sorted(loaded) == sorted(fitted)
    for name, clf in fitted.items():
        np.testing.assert_array_equal(
            np.asarray(loaded[name]["proba"], dtype=np.float32), clf.predict_proba(X)
        )
        assert loaded[name]["classes"] == list(LABELS)
        assert loaded[name]["history"] == clf.history_


# -------------------------------------------------------------------- bad input
def test_bad_input_errors_name_shapes_and_values(data):
    X, y = data
    clf = tiny(CNN1DClassifier)
    with pytest.raises(ValueError, match="Expected 2D array, got 1D"):
        clf.fit(X[:, 0, 0], y)
    with pytest.raises(ValueError, match=r"shape \(2, 2, 2, 2, 2\)"):
        clf.fit(np.zeros((2, 2, 2, 2, 2)), ["a", "b"])
    bad = X.copy()
    bad[3, 1, 1] = np.nan
    with pytest.raises(
        ValueError,
        match=r"CNN1DClassifier: input contains NaN or infinity in 1 clip\(s\), first at row 3",
    ):
        clf.fit(bad, y)
    with pytest.raises(ValueError, match="Unknown label type: 'continuous'"):
        clf.fit(X, np.linspace(0, 1, len(X)))
    with pytest.raises(ValueError, match="mixes label types"):
        clf.fit(X[:4], np.array(["a", 1, "b", 2], dtype=object))
    with pytest.raises(ValueError, match="y must be 1-D"):
        clf.fit(X[:4], np.eye(4)[:, :3])
    with pytest.raises(ValueError, match="at least 2 classes"):
        clf.fit(X[:4], ["sad"] * 4)
    clf.fit(X, y)
    with pytest.raises(ValueError, match=r"shape \(8, 10\).*shape \(8, 16\) as in fit"):
        clf.predict(X[:, :, :10])
    with pytest.raises(ValueError, match="X has 3 features, but KerasMLPClassifier is expecting 5"):
        tiny(KerasMLPClassifier).fit(X[:, 0, :5], y).predict(X[:, 0, :3])
    with pytest.raises(ValueError, match="could not convert string"):
        clf.predict(np.array([["clip.wav"]]))


@pytest.mark.parametrize(
    "params,match",
    [
        (dict(epochs=0), "epochs must be a positive integer, got 0"),
        (dict(batch_size=2.5), "batch_size must be a positive integer"),
        (dict(learning_rate=-1), "learning_rate must be > 0"),
        (dict(validation_fraction=1.0), "validation_fraction must be in"),
        (dict(optimizer="adamm"), "optimizer must be one of"),
        (dict(lr_schedule="linear"), "lr_schedule must be 'constant' or 'cosine'"),
        (
            dict(head="gap"),
            "build_cnn1d: head must be 'flatten', 'global' or 'attention', got 'gap'",
        ),
        (dict(class_weight="balance"), "class_weight must be None, 'balanced'"),
        (dict(random_state="0"), "random_state must be None, an int"),
        (dict(filters=(8, 0)), "build_cnn1d: filters must be a tuple of positive ints"),
        (dict(dropout=1.5), r"build_cnn1d: dropout must be a float in \[0, 1\)"),
    ],
)
def test_bad_hyperparameters_name_the_parameter(data, params, match):
    X, y = data
    with pytest.raises(ValueError, match=match):
        tiny(CNN1DClassifier, **params).fit(X, y)


def test_bad_build_fn():
    X, y = make_features(n_per_class=3)
    with pytest.raises(TypeError, match="build_fn must be a function"):
        KerasBuildFnClassifier("net", epochs=1).fit(X, y)

    def two_units(input_shape, n_classes):
        inputs = keras.Input(input_shape)
        return keras.Model(inputs, keras.layers.Dense(2)(keras.layers.Flatten()(inputs)))

    with pytest.raises(ValueError, match="one output of 3 units"):
        KerasBuildFnClassifier(two_units, epochs=1).fit(X, y)
    with pytest.raises(TypeError, match="must return a keras.Model"):
        KerasBuildFnClassifier(lambda input_shape, n_classes: None, epochs=1).fit(X, y)


def test_predict_before_fit_raises_not_fitted(data):
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        CRNNClassifier().predict(data[0])


# ------------------------------------------------------------------- builders
S1_LAYERS = [
    ("Conv2D", {"filters": 32}),
    ("BatchNormalization", {}),
    ("MaxPooling2D", {"pool_size": (2, 2)}),
    ("Conv2D", {"filters": 64}),
    ("BatchNormalization", {}),
    ("MaxPooling2D", {"pool_size": (2, 2)}),
    ("Permute", {"dims": (2, 1, 3)}),
    ("Reshape", {}),
    ("LSTM", {"units": 128, "return_sequences": True}),
    ("Dropout", {"rate": 0.3}),
    ("LSTM", {"units": 64, "return_sequences": False}),
    ("Dropout", {"rate": 0.3}),
    ("Dense", {"activation": "softmax", "units": 8}),
]


def _stack(model):
    """Layer classes after the input (and skser's channel-adding Reshape)."""
    return [ly for ly in model.layers[1:] if ly.name != "to_image"]


def test_crnn_defaults_are_seed_s1():
    model = build_crnn((128, 100), 8)  # S1: 128 mels x 100 frames, 8 emotions
    layers = _stack(model)
    assert [type(ly).__name__ for ly in layers] == [name for name, _ in S1_LAYERS]
    for layer, (_, expected) in zip(layers, S1_LAYERS, strict=True):
        config = layer.get_config()
        for key, value in expected.items():
            got = config[key]
            got = tuple(got) if isinstance(got, list) else got
            assert got == value, (layer.name, key)
    # time steps are the (pooled) frames: 100 / 4 = 25 steps of 32 bands x 64 channels
    assert layers[7].output.shape[1:] == (25, 32 * 64)
    clf = CRNNClassifier()
    assert (clf.learning_rate, clf.batch_size, clf.epochs, clf.optimizer) == (1e-4, 32, 100, "adam")


def test_other_builders_default_stacks():
    names = lambda m: [type(ly).__name__ for ly in m.layers[1:]]  # noqa: E731
    cnn = names(build_cnn2d((64, 64), 8))  # S0: STFT 64x64 image
    assert cnn == ["Reshape"] + ["Conv2D", "MaxPooling2D"] * 3 + [
        "Flatten",
        "Dense",
        "Dropout",
        "Dense",
    ]
    c1 = names(build_cnn1d((40, 100), 7))  # S2/S3: frame features
    block = ["Conv1D", "BatchNormalization", "LeakyReLU", "MaxPooling1D", "Dropout"]
    assert c1 == ["Permute"] + block * 3 + ["Flatten", "Dense", "LeakyReLU", "Dropout", "Dense"]
    assert names(build_mlp((180,), 8)) == ["Dense", "Dense"]  # S4: pooled features
    assert build_mlp((180,), 8).layers[1].units == 300


@pytest.mark.parametrize("builder", [build_cnn2d, build_crnn, build_cnn1d, build_mlp])
@pytest.mark.parametrize("shape", [(7,), (5, 9), (5, 9, 2)])
def test_builders_accept_each_input_rank(builder, shape):
    if builder is build_cnn1d and len(shape) == 3:
        with pytest.raises(ValueError, match="input_shape must have 1 or 2"):
            builder(shape, 3)
        return
    model = builder(shape, 3)
    assert model.input_shape == (None, *shape)
    assert model.output_shape == (None, 3)
    assert model.predict_on_batch(np.zeros((2, *shape), np.float32)).shape == (2, 3)


def test_cosine_schedule_decays_the_learning_rate_each_epoch(data):
    X, y = data
    clf = tiny(CNN1DClassifier, epochs=4, learning_rate=1e-2, lr_schedule="cosine").fit(X, y)
    lrs = clf.history_["learning_rate"]
    expected = [1e-2 * 0.5 * (1 + np.cos(np.pi * e / 4)) for e in range(4)]
    np.testing.assert_allclose(lrs, expected, rtol=1e-5)
    constant = tiny(CNN1DClassifier, epochs=2, learning_rate=1e-2).fit(X, y)
    assert (
        "learning_rate" not in constant.history_
        or len(set(constant.history_["learning_rate"])) == 1
    )


def test_cnn1d_global_head_pools_over_time_with_fewer_weights():
    from skser.models import build_cnn1d

    flat = build_cnn1d((40, 157), 8, filters=(16, 32), dense_units=())
    pooled = build_cnn1d((40, 157), 8, filters=(16, 32), dense_units=(), head="global")
    assert pooled.get_layer("global_pool").output.shape[-1] == 64  # avg + max of 32 filters
    assert pooled.output_shape == (None, 8)
    # same conv blocks; the softmax sees 64 pooled values instead of 32 filters x 39 frames
    assert flat.count_params() - pooled.count_params() == (32 * 39 - 64) * 8


def test_seed_ensemble_averages_members_and_is_reproducible(data, tmp_path):
    from skser.models import SeedEnsembleClassifier

    X, y = data
    ens = SeedEnsembleClassifier(tiny(CNN1DClassifier, epochs=3), n_estimators=3, random_state=0)
    ens.fit(X, y)
    seeds = [m.random_state for m in ens.estimators_]
    assert len(set(seeds)) == 3
    members = np.stack([m.predict_proba(X) for m in ens.estimators_])
    np.testing.assert_allclose(ens.predict_proba(X), members.mean(axis=0), rtol=1e-6)
    assert not np.allclose(members[0], members[1])  # different seeds, different networks
    assert list(ens.classes_) == sorted(set(y)) and ens.history_ == ens.estimators_[0].history_
    again = clone(ens).fit(X, y)
    np.testing.assert_array_equal(again.predict_proba(X), ens.predict_proba(X))
    joblib.dump(ens, tmp_path / "ens.joblib")
    np.testing.assert_array_equal(
        joblib.load(tmp_path / "ens.joblib").predict_proba(X), ens.predict_proba(X)
    )
    assert ens.get_params()["estimator__epochs"] == 3  # grid-searchable through the ensemble


def test_seed_ensemble_bad_arguments(data):
    from sklearn.neighbors import KNeighborsClassifier

    from skser.models import SeedEnsembleClassifier

    X, y = data
    with pytest.raises(ValueError, match="n_estimators must be a positive integer, got 0"):
        SeedEnsembleClassifier(tiny(CNN1DClassifier), n_estimators=0).fit(X, y)
    with pytest.raises(ValueError, match="KNeighborsClassifier has no random_state parameter"):
        SeedEnsembleClassifier(KNeighborsClassifier()).fit(X.reshape(len(X), -1), y)


def test_seed_ensemble_trains_members_in_worker_processes_with_the_same_numbers(
    data, monkeypatch, caplog
):
    from skser.models import SeedEnsembleClassifier

    X, y = data
    ens = SeedEnsembleClassifier(tiny(CNN1DClassifier, epochs=2), n_estimators=3, random_state=0)
    one = clone(ens).set_params(n_jobs=1).fit(X, y)
    two = clone(ens).set_params(n_jobs=2).fit(X, y)
    # each worker runs TensorFlow on one thread: the numbers do not depend on n_jobs
    np.testing.assert_array_equal(one.predict_proba(X), two.predict_proba(X))
    assert [m.random_state for m in one.estimators_] == [m.random_state for m in two.estimators_]
    here = clone(ens).fit(X, y)  # n_jobs=None: in this process, the same seeds
    assert [m.random_state for m in here.estimators_] == [m.random_state for m in two.estimators_]
    np.testing.assert_allclose(here.predict_proba(X), two.predict_proba(X), atol=0.05)
    for bad in (0, -2, 1.5, True, "2"):
        with pytest.raises(
            ValueError, match=f"n_jobs must be None, -1 or a positive int, got {bad!r}"
        ):
            clone(ens).set_params(n_jobs=bad).fit(X, y)
    # a daemonic process (a Dask worker) cannot start processes: trained here, as None
    import multiprocessing

    with monkeypatch.context() as m, caplog.at_level("WARNING", logger="skser.models"):
        m.setitem(multiprocessing.current_process()._config, "daemon", True)
        daemon = clone(ens).set_params(n_jobs=2).fit(X, y)
    np.testing.assert_array_equal(daemon.predict_proba(X), here.predict_proba(X))
    assert "n_jobs=2 ignored: this is a daemonic worker process" in caplog.text
    # a member's error in a worker reaches the caller, with its message
    with pytest.raises(ValueError, match="label_smoothing must be in"):
        SeedEnsembleClassifier(
            tiny(CNN1DClassifier, label_smoothing=1.0), n_estimators=2, n_jobs=2
        ).fit(X, y)


def test_cnn1d_attention_head_adds_a_weighted_mean_over_time():
    from skser.models import build_cnn1d

    model = build_cnn1d((40, 157), 8, filters=(16, 32), dense_units=(), head="attention")
    assert model.get_layer("global_pool").output.shape[-1] == 96  # avg + max + attention
    # attention weights are a distribution over the 39 pooled time steps of each clip
    probe = keras.Model(model.inputs, model.get_layer("attention_weights").output)
    w = np.asarray(probe(np.random.default_rng(0).normal(size=(2, 40, 157)).astype("float32")))
    assert w.shape == (2, 39, 1)
    np.testing.assert_allclose(w.sum(axis=1), 1.0, rtol=1e-5)
    # any clip length, as with the global head
    assert build_cnn1d((40, 60), 8, head="attention").output_shape == (None, 8)


def test_label_smoothing_trains_on_smoothed_targets_and_round_trips(data, tmp_path):
    X, y = data
    sharp = tiny(CNN1DClassifier, epochs=8, learning_rate=1e-2, random_state=0).fit(X, y)
    smooth = tiny(
        CNN1DClassifier, epochs=8, learning_rate=1e-2, label_smoothing=0.3, random_state=0
    ).fit(X, y)
    assert isinstance(smooth.model_.loss, keras.losses.CategoricalCrossentropy)
    assert smooth.score(X, y) > 0.8
    # smoothed targets keep the network from saturating: lower peak confidence
    assert smooth.predict_proba(X).max(axis=1).mean() < sharp.predict_proba(X).max(axis=1).mean()
    joblib.dump(smooth, tmp_path / "smooth.joblib")
    np.testing.assert_allclose(
        joblib.load(tmp_path / "smooth.joblib").predict_proba(X), smooth.predict_proba(X), rtol=1e-6
    )
    with pytest.raises(ValueError, match="label_smoothing must be in \\[0, 1\\), got 1.0"):
        tiny(CNN1DClassifier, label_smoothing=1.0).fit(X, y)


def test_seed_ensemble_variants_cycle_over_members(data):
    from skser.models import SeedEnsembleClassifier

    X, y = data
    ens = SeedEnsembleClassifier(
        tiny(CNN1DClassifier, epochs=2, head="global"),
        n_estimators=3,
        variants=[{}, {"head": "attention"}],
        random_state=0,
    ).fit(X, y)
    assert [m.head for m in ens.estimators_] == ["global", "attention", "global"]
    assert len({m.random_state for m in ens.estimators_}) == 3
    assert ens.estimator.head == "global"  # the template is not modified
    for bad, match in [
        ({"variants": {"head": "global"}}, "variants must be None or a non-empty list"),
        ({"variants": []}, "variants must be None or a non-empty list"),
        ({"variants": [{"hed": "global"}]}, "variants set \\['hed'\\], which are not parameters"),
        ({"variants": [{"random_state": 1}]}, "variants must not set random_state"),
    ]:
        with pytest.raises(ValueError, match=match):
            SeedEnsembleClassifier(tiny(CNN1DClassifier), **bad).fit(X, y)


def test_cnn1d_band_ranges_and_clip_norm_views():
    from skser.models import build_cnn1d

    rng = np.random.default_rng(0)
    X = rng.normal(size=(3, 80, 50)).astype("float32")
    model = build_cnn1d(
        (80, 50), 4, filters=(8,), head="global", bands=((0, 20), (40, 60)), input_norm="clip"
    )
    probe = keras.Model(model.inputs, model.get_layer("clip_norm").output)
    seen = np.asarray(probe(X))  # (clips, frames, bands) after selection and normalisation
    picked = np.concatenate([X[:, 0:20], X[:, 40:60]], axis=1).transpose(0, 2, 1)
    expected = (picked - picked.mean(1, keepdims=True)) / np.sqrt(
        picked.var(1, keepdims=True) + 1e-3
    )
    np.testing.assert_allclose(seen, expected, atol=1e-4)
    # a clip's level and range in each band no longer matter
    np.testing.assert_allclose(np.asarray(model(X * 3.0 + 5.0)), np.asarray(model(X)), atol=1e-3)
    for bad in [((0, 90),), ((5, 5),), "0:20"]:
        with pytest.raises(ValueError, match="build_cnn1d: bands must be"):
            build_cnn1d((80, 50), 4, bands=bad)
    with pytest.raises(ValueError, match="input_norm must be None or 'clip', got 'cmvn'"):
        build_cnn1d((80, 50), 4, input_norm="cmvn")
