"""FusionClassifier and the 'fusion' pipeline: soft voting of whole branches."""

import joblib
import numpy as np
import pytest
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB

from skser.features import SpeakerStandardScaler
from skser.models import FusionClassifier, fuse_probabilities
from skser.pipeline import SERPipeline, make_ser_pipeline


def _data(n_speakers=6, per=30, seed=0, offset=0.3):
    rng = np.random.default_rng(seed)
    n = n_speakers * per
    y = np.tile(["angry", "calm", "sad"], n // 3)
    signal = (y == "angry") * 1.5 - (y == "sad") * 1.5
    X = np.column_stack([signal + rng.normal(size=n), rng.normal(size=(n, 3))])
    speakers = np.repeat([f"s{i}" for i in range(n_speakers)], per)
    X[:, 0] += np.repeat(rng.normal(scale=offset, size=n_speakers), per)  # speaker offsets
    return X, y, speakers


def test_equal_and_fixed_weights_are_the_weighted_mean_of_members():
    X, y, _ = _data()
    lr, nb = LogisticRegression().fit(X, y), GaussianNB().fit(X, y)
    fusion = FusionClassifier([("lr", LogisticRegression()), ("nb", GaussianNB())]).fit(X, y)
    expected = (lr.predict_proba(X) + nb.predict_proba(X)) / 2
    np.testing.assert_allclose(fusion.predict_proba(X), expected, atol=1e-12)
    fusion = FusionClassifier(
        [("lr", LogisticRegression()), ("nb", GaussianNB())], weights=[3, 1]
    ).fit(X, y)
    np.testing.assert_allclose(fusion.weights_, [0.75, 0.25])
    expected = 0.75 * lr.predict_proba(X) + 0.25 * nb.predict_proba(X)
    np.testing.assert_allclose(fusion.predict_proba(X), expected, atol=1e-12)
    np.testing.assert_array_equal(fusion.predict(X), fusion.classes_[expected.argmax(axis=1)])
    members = fusion.member_proba(X[:5])
    np.testing.assert_allclose(members["nb"], nb.predict_proba(X[:5]))
    np.testing.assert_allclose(fusion.fuse(members), expected[:5], atol=1e-12)


def test_geometric_rule_is_the_renormalised_weighted_product_of_members():
    X, y, _ = _data()
    lr, nb = LogisticRegression().fit(X, y), GaussianNB().fit(X, y)
    fusion = FusionClassifier(
        [("lr", LogisticRegression()), ("nb", GaussianNB())], weights=[3, 1], rule="geometric"
    ).fit(X, y)
    p_lr = np.maximum(lr.predict_proba(X), 1e-7)
    p_nb = np.maximum(nb.predict_proba(X), 1e-7)
    expected = p_lr**0.75 * p_nb**0.25
    expected /= expected.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(fusion.predict_proba(X), expected, rtol=1e-9)
    np.testing.assert_array_equal(fusion.predict(X), fusion.classes_[expected.argmax(axis=1)])
    # the two rules differ where the members disagree, and on this data they do
    mean = FusionClassifier([("lr", LogisticRegression()), ("nb", GaussianNB())], weights=[3, 1])
    assert np.abs(mean.fit(X, y).predict_proba(X) - expected).max() > 1e-3


def test_a_fusion_pickled_before_the_rule_existed_keeps_the_mean(tmp_path):
    X, y, _ = _data()
    fusion = FusionClassifier([("lr", LogisticRegression()), ("nb", GaussianNB())]).fit(X, y)
    expected = fusion.predict_proba(X)
    del fusion.rule  # as an older skser pickled it
    joblib.dump(fusion, tmp_path / "old.joblib")
    again = joblib.load(tmp_path / "old.joblib")
    assert again.rule == "mean"
    np.testing.assert_array_equal(again.predict_proba(X), expected)


def test_fuse_probabilities_rules_weights_and_errors():
    a = np.array([[0.7, 0.2, 0.1], [0.2, 0.2, 0.6]])
    b = np.array([[0.1, 0.8, 0.1], [0.3, 0.3, 0.4]])
    np.testing.assert_allclose(fuse_probabilities([a, b]), (a + b) / 2)
    np.testing.assert_allclose(fuse_probabilities([a, b], [1, 3]), 0.25 * a + 0.75 * b)
    geo = np.sqrt(a * b)
    np.testing.assert_allclose(
        fuse_probabilities([a, b], rule="geometric"), geo / geo.sum(1, keepdims=True)
    )
    np.testing.assert_allclose(fuse_probabilities([a, b], rule="geometric").sum(1), 1.0)
    # a zero from one member is floored, not a veto: the other member still counts
    z = np.array([[0.0, 0.5, 0.5]])
    s = np.array([[0.98, 0.01, 0.01]])
    assert fuse_probabilities([z, s], rule="geometric")[0, 0] > 0.0
    with pytest.raises(ValueError, match="rule must be one of"):
        fuse_probabilities([a, b], rule="median")
    with pytest.raises(ValueError, match="2 non-negative numbers"):
        fuse_probabilities([a, b], [1.0, -1.0])


def test_cv_weights_favour_the_informative_member_on_held_out_speakers():
    X, y, speakers = _data()
    fusion = FusionClassifier(
        [("lr", LogisticRegression()), ("noise", DummyClassifier(strategy="stratified"))],
        weights="cv",
        cv=3,
        random_state=0,
    ).fit(X, y, groups=speakers)
    res = fusion.cv_results_
    assert len(res["weights"]) == 11 and len(res["splits"]) == 3
    held_out = sorted(s for split in res["splits"] for s in split)
    assert held_out == sorted(set(speakers))  # each speaker held out exactly once
    assert res["member_uar"]["lr"] > res["member_uar"]["noise"] + 0.2
    assert fusion.weights_[0] >= 0.6
    assert max(res["uar"]) == res["uar"][res["weights"].index(fusion.weights_.tolist())]
    # the members are refitted on all the data afterwards
    assert fusion.named_estimators_["lr"].coef_.shape == (3, 4)


def test_cv_weights_need_speakers():
    X, y, _ = _data()
    fusion = FusionClassifier([("lr", LogisticRegression()), ("nb", GaussianNB())], weights="cv")
    with pytest.raises(ValueError, match="groups=speakers"):
        fusion.fit(X, y)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"estimators": []}, "non-empty list"),
        ({"estimators": [("a", LogisticRegression()), ("a", GaussianNB())]}, "unique"),
        ({"estimators": [("a__b", LogisticRegression())]}, "clash"),
        ({"estimators": [("svm", __import__("sklearn.svm").svm.LinearSVC())]}, "predict_proba"),
        ({"weights": [1.0]}, "one per member"),
        ({"weights": [1.0, -1.0]}, "non-negative"),
        ({"weights": "best"}, "'cv'"),
        ({"weights": "cv", "cv": 1}, "cv must be"),
        ({"weights": "cv", "weight_step": 0.3}, "weight_step"),
        ({"rule": "product"}, "rule must be one of"),
        ({"rule": None}, "rule must be one of"),
    ],
)
def test_bad_parameters_name_the_parameter(kwargs, match):
    X, y, speakers = _data()
    params = {"estimators": [("lr", LogisticRegression()), ("nb", GaussianNB())], **kwargs}
    with pytest.raises(ValueError, match=match):
        FusionClassifier(**params).fit(X, y, groups=speakers)


def test_nested_params_and_joblib_round_trip(tmp_path):
    X, y, _ = _data()
    fusion = FusionClassifier([("lr", LogisticRegression()), ("nb", GaussianNB())])
    assert fusion.get_params()["lr__C"] == 1.0
    fusion.set_params(lr__C=0.05, weights=[1, 2])
    assert fusion.estimators[0][1].C == 0.05 and fusion.weights == [1, 2]
    with pytest.raises(ValueError, match="members are"):
        fusion.set_params(svm__C=1.0)
    fusion.fit(X, y)
    path = tmp_path / "fusion.joblib"
    joblib.dump(fusion, path)
    again = joblib.load(path)
    np.testing.assert_array_equal(again.predict_proba(X), fusion.predict_proba(X))


def test_speaker_ids_reach_speaker_normalised_branches():
    X, y, speakers = _data(offset=3.0)
    branch = SERPipeline([("speaker", SpeakerStandardScaler()), ("clf", LogisticRegression())])
    fusion = FusionClassifier([("spk", branch), ("nb", GaussianNB())])
    assert fusion.uses_speakers("predict") and fusion.uses_speakers("fit")
    plain = FusionClassifier([("lr", LogisticRegression()), ("nb", GaussianNB())])
    assert not plain.uses_speakers("predict")
    pipe = SERPipeline([("clf", fusion)]).fit(X, y, groups=speakers)
    assert pipe.uses_speakers("predict") and not SERPipeline([("clf", plain)]).uses_speakers()
    alone = SERPipeline([("speaker", SpeakerStandardScaler()), ("clf", LogisticRegression())])
    alone.fit(X, y, groups=speakers)
    nb = GaussianNB().fit(X, y)
    expected = (alone.predict_proba(X, groups=speakers) + nb.predict_proba(X)) / 2
    np.testing.assert_allclose(pipe.predict_proba(X, groups=speakers), expected, atol=1e-12)
    # the per-speaker normalisation removes the speaker offsets: it beats the plain fusion
    plain_pipe = SERPipeline([("clf", plain)]).fit(X, y)
    assert (pipe.predict(X, groups=speakers) == y).mean() > (plain_pipe.predict(X) == y).mean()


# ------------------------------------------------------------- the 'fusion' pipeline
def _tiny_fusion(**kwargs):
    pipe = make_ser_pipeline(random_state=0, **kwargs)  # the default, with tiny networks
    return pipe.set_params(
        clf__deep__clf__estimator__epochs=2,
        clf__deep__clf__estimator__filters=(8,),
        clf__deep__clf__n_estimators=2,
    )


def test_fusion_pipeline_structure_and_errors():
    pipe = make_ser_pipeline("fusion")
    assert [n for n, _ in pipe.steps] == [
        "load", "oversample", "augment", "features", "speaker", "normalise", "clf",
    ]  # fmt: skip
    fusion = pipe.named_steps["clf"]
    assert [n for n, _ in fusion.estimators] == ["deep", "functionals"]
    assert not pipe.uses_speakers("predict")
    assert make_ser_pipeline("fusion", speaker_normalise=True).uses_speakers("predict")
    with pytest.raises(ValueError, match="go together"):
        make_ser_pipeline("fusion", "logreg")
    with pytest.raises(ValueError, match="go together"):
        make_ser_pipeline("mfcc40_deltas", "fusion")
    with pytest.raises(ValueError, match="normalise='auto'"):
        make_ser_pipeline("fusion", normalise="band")


def test_default_prediction_ignores_the_recording_gain(tiny_corpus):
    """A clip and the same clip at another gain (or peak-normalised) get the same output
    from the default pipeline (trained with tiny networks)."""
    from skser.augment import apply_gain, peak_normalise

    X, y, groups = tiny_corpus
    pipe = _tiny_fusion().fit(X, y)
    test = X[:12]
    louder = np.stack([apply_gain(x, 9.0) for x in test])
    quieter = np.stack([apply_gain(x, -11.0) for x in test])
    peaked = np.stack([peak_normalise(x) for x in test])
    reference = pipe.predict_proba(test)
    for other in (louder, quieter, peaked):
        np.testing.assert_allclose(pipe.predict_proba(other), reference, atol=1e-4)
        np.testing.assert_array_equal(pipe.predict(other), pipe.predict(test))


def test_default_branches_train_on_their_own_copies(tiny_corpus):
    """augment="auto": the CNN branch trains on one recording-chain copy per clip, the
    functionals branch on the clips and the same copies; speaker ids follow both."""
    X, y, groups = tiny_corpus
    pipe = _tiny_fusion(speaker_normalise=True).fit(X, y, groups=groups)
    n = len(pipe.named_steps["oversample"].sample_indices_)  # after oversampling
    deep, func = pipe.named_steps["clf"].estimators_
    deep_aug, func_aug = deep.named_steps["augment"], func.named_steps["augment"]
    assert len(deep_aug.sample_indices_) == n and len(func_aug.sample_indices_) == 2 * n
    np.testing.assert_array_equal(func_aug.sample_indices_[:n], np.arange(n))  # the clips
    np.testing.assert_array_equal(func_aug.sample_indices_[n:], deep_aug.sample_indices_)
    # the same seed: the same recording chain drawn for each copy in both branches
    assert deep_aug.augmentations_.equals(func_aug.augmentations_)
    assert deep_aug.augmentations_["babble_snr"].notna().any()
    scaler = func.named_steps["speaker"]  # fitted on 2n rows of the training speakers
    assert sorted(map(str, scaler.speakers_)) == sorted(map(str, np.unique(groups)))
    assert pipe.predict(X[:6], groups=groups[:6]).shape == (6,)


def test_fusion_pipeline_cv_records_each_branch(tiny_corpus):
    from skser.model_selection import cross_validate_ser

    X, y, groups = tiny_corpus
    pipe = _tiny_fusion(speaker_normalise=True)
    n_networks = pipe.named_steps["clf"].estimators[0][1].steps[-1][1].n_estimators
    result = cross_validate_ser(pipe, X, y, groups, cv=2)
    for fold in result.folds:
        assert fold["members"]["weights"] == {"deep": 0.5, "functionals": 0.5}
        assert fold["members"]["rule"] == "geometric"  # the default's rule
        assert set(fold["members"]["uar"]) == {"deep", "functionals"}
        assert fold["speaker_normalised"]
        # every network of the deep branch has its training curve; the linear branch none
        assert sorted(fold["histories"]) == [f"deep/{k}" for k in range(n_networks)]
    members = result.summary["members"]
    assert members["functionals"]["uar_mean"] == pytest.approx(
        np.mean([f["members"]["uar"]["functionals"] for f in result.folds])
    )
    assert "fusion members alone: deep UAR" in str(result)


@pytest.fixture(scope="module")
def tiny_corpus():
    from skser.datasets import make_synthetic_speech

    c = make_synthetic_speech(n_actors=4, n_clips_per_emotion=3, duration=1.0, random_state=0)
    return c.data, c.target, c.groups
