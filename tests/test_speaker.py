"""Speaker ids through fit and predict: SpeakerStandardScaler, SERPipeline routing,
speaker-aware grid search, nested selection, early stopping on held-out speakers."""

import pickle
import warnings

import numpy as np
import pytest
import sklearn
from imblearn.over_sampling import RandomOverSampler
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression

from skser.augment import AudioAugmenter
from skser.exceptions import SpeakerNormalisationWarning
from skser.features import SPEAKER_NORMALISED_PROTOCOL, BandStandardScaler, SpeakerStandardScaler
from skser.model_selection import cross_validate_ser, make_grid_search
from skser.pipeline import SERPipeline, make_ser_pipeline


def speaker_data(n_speakers=6, per=12, n_features=3, seed=0, offset=5.0):
    """Two classes a speaker-specific offset hides: speaker normalisation reveals them."""
    rng = np.random.default_rng(seed)
    groups = np.repeat([f"s{i}" for i in range(n_speakers)], per)
    y = np.tile(["angry", "sad"], n_speakers * per // 2)
    offsets = np.repeat(rng.normal(size=(n_speakers, n_features)) * offset, per, axis=0)
    X = offsets + rng.normal(size=(len(y), n_features)) + (y == "angry")[:, None] * 1.0
    return X, y, groups


class GroupsSpy(TransformerMixin, BaseEstimator):
    """Records the speaker ids it receives at fit and transform (identity transform)."""

    __metadata_request__fit = {"groups": True}
    __metadata_request__transform = {"groups": True}

    def fit(self, X, y=None, groups=None):
        self.fit_groups_ = None if groups is None else np.asarray(groups).copy()
        self.fit_X_ = np.asarray(X).copy()
        self.transform_groups_ = []
        return self

    def transform(self, X, groups=None):
        self.transform_groups_.append(None if groups is None else np.asarray(groups).copy())
        return np.asarray(X)

    def fit_transform(self, X, y=None, groups=None):
        return self.fit(X, y, groups=groups).transform(X, groups=groups)


# ---------------------------------------------------------------- the scaler
def test_scaler_equals_hand_computation_2d_and_3d():
    rng = np.random.default_rng(1)
    X2 = rng.normal(size=(12, 4)) * 3 + 7
    g = np.repeat(["a", "b", "c"], 4)
    out = SpeakerStandardScaler(min_clips=2).fit_transform(X2, groups=g)
    for s in "abc":
        rows = X2[g == s]
        expected = (rows - rows.mean(axis=0)) / (rows.std(axis=0) + 1e-8)
        np.testing.assert_allclose(out[g == s], expected, rtol=1e-5, atol=1e-5)
    X3 = rng.normal(size=(12, 5, 7)) * 2 + 1  # (clips, bands, frames)
    out3 = SpeakerStandardScaler(min_clips=2).fit_transform(X3, groups=g)
    assert out3.shape == X3.shape and out3.dtype == np.float32
    for s in "abc":
        clips = X3[g == s]
        mean = clips.mean(axis=(0, 2))[None, :, None]
        std = clips.std(axis=(0, 2))[None, :, None]
        np.testing.assert_allclose(out3[g == s], (clips - mean) / (std + 1e-8), atol=1e-5)
    mean_only = SpeakerStandardScaler(with_std=False, min_clips=2).fit_transform(X2, groups=g)
    np.testing.assert_allclose(
        mean_only[g == "a"], X2[g == "a"] - X2[g == "a"].mean(axis=0), atol=1e-5
    )


def test_test_speaker_statistics_come_only_from_that_speakers_clips():
    X, y, g = speaker_data()
    scaler = SpeakerStandardScaler().fit(X[g != "s0"], groups=g[g != "s0"])
    alone = scaler.transform(X[g == "s0"], groups=g[g == "s0"])
    # the same clips predicted together with other speakers' (changed) clips
    others = X[g == "s1"] * 100 + 50
    mixed = scaler.transform(np.vstack([X[g == "s0"], others]), groups=["s0"] * 12 + ["s1"] * 12)
    np.testing.assert_allclose(mixed[:12], alone, atol=1e-6)
    # labels are never an input: refitting with shuffled labels changes nothing
    again = SpeakerStandardScaler().fit(X[g != "s0"], y[::-1][g != "s0"], groups=g[g != "s0"])
    np.testing.assert_array_equal(again.transform(X[g == "s0"], groups=g[g == "s0"]), alone)
    # and the statistics are the speaker's own: mean 0, std 1 per column
    np.testing.assert_allclose(alone.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(alone.std(axis=0), 1, atol=1e-4)


def test_fallbacks_warn_and_name_the_speaker():
    X, _, g = speaker_data()
    scaler = SpeakerStandardScaler(min_clips=5).fit(X, groups=g)
    glob = (X - X.mean(axis=0)) / (X.std(axis=0) + 1e-8)
    with pytest.warns(SpeakerNormalisationWarning, match=r"s3 \(2\)"):
        out = scaler.transform(X[:14], groups=["s0"] * 12 + ["s3"] * 2)
    np.testing.assert_allclose(out[12:], glob[12:14], atol=1e-5)
    with pytest.warns(SpeakerNormalisationWarning, match="no speaker ids"):
        out = scaler.transform(X)
    np.testing.assert_allclose(out, glob, atol=1e-5)


@pytest.mark.parametrize(
    "groups, match",
    [
        (["a"] * 5, "groups has 5 speaker ids but X has 6 clips"),
        (["a", "a", None, "b", "b", "b"], r"missing .* at rows \[2\]"),
        (["a", "a", float("nan"), "b", "b", "b"], r"at rows \[2\]"),
        (["a", "", "a", "b", "b", "b"], r"at rows \[1\]"),
    ],
)
def test_bad_groups_are_refused_with_a_clear_message(groups, match):
    X = np.arange(12.0).reshape(6, 2)
    with pytest.raises(ValueError, match=match):
        SpeakerStandardScaler().fit(X, groups=groups)
    scaler = SpeakerStandardScaler().fit(X, groups=["a"] * 3 + ["b"] * 3)
    with pytest.raises(ValueError, match=match):
        scaler.transform(X, groups=groups)


@pytest.mark.parametrize("bad", [{"min_clips": 0}, {"min_clips": True}, {"with_std": "yes"}])
def test_bad_parameters(bad):
    with pytest.raises(ValueError, match=next(iter(bad))):
        SpeakerStandardScaler(**bad).fit(np.ones((4, 2)))


def test_scaler_pickles():
    X, _, g = speaker_data()
    scaler = SpeakerStandardScaler().fit(X, groups=g)
    copy = pickle.loads(pickle.dumps(scaler))
    np.testing.assert_array_equal(copy.transform(X, groups=g), scaler.transform(X, groups=g))


# ---------------------------------------------------------------- routing
def test_pipeline_routes_groups_and_they_follow_the_samplers():
    X, y, g = speaker_data()
    y = y.copy()
    y[:20] = "angry"  # imbalanced, so the oversampler duplicates clips
    spy = GroupsSpy()
    pipe = SERPipeline(
        [
            ("oversample", RandomOverSampler(random_state=0)),
            ("spy", spy),
            ("clf", LogisticRegression()),
        ]
    )
    before = sklearn.get_config()["enable_metadata_routing"]
    pipe.fit(X, y, groups=g)
    fitted = pipe.named_steps["spy"]
    assert len(fitted.fit_X_) > len(X)  # rows were added
    # each row's speaker is the speaker of the clip it copies
    source = pipe.named_steps["oversample"].sample_indices_
    np.testing.assert_array_equal(fitted.fit_groups_, g[source])
    np.testing.assert_array_equal(fitted.fit_X_, X[source])
    pipe.predict(X[:7], groups=g[:7])
    np.testing.assert_array_equal(fitted.transform_groups_[-1], g[:7])
    pipe.predict_proba(X[:3], groups=g[:3])
    np.testing.assert_array_equal(fitted.transform_groups_[-1], g[:3])
    assert sklearn.get_config()["enable_metadata_routing"] == before  # scoped, restored


def test_groups_follow_the_augmenter():
    rng = np.random.default_rng(0)
    waves = rng.normal(size=(6, 1600)).astype("float32") * 0.1
    y = np.array(["angry", "sad"] * 3)
    g = np.array(["a", "a", "b", "b", "c", "c"])
    spy = GroupsSpy()
    aug = AudioAugmenter(sr=16000, n_augment=2, p_stretch=0, p_pitch=0, random_state=0)
    pipe = SERPipeline([("augment", aug), ("spy", spy), ("clf", DummyClassifier())])
    pipe.fit(waves, y, groups=g)
    fitted = pipe.named_steps["spy"]
    src = pipe.named_steps["augment"].sample_indices_
    assert len(src) == 18
    np.testing.assert_array_equal(fitted.fit_groups_, g[src])
    np.testing.assert_array_equal(fitted.fit_X_[:6], waves)  # originals first


def test_pipeline_without_speaker_steps_ignores_groups():
    X, y, g = speaker_data()
    pipe = make_ser_pipeline("pooled", "logreg", random_state=0)
    pipe = SERPipeline(pipe.steps[-3:])  # speaker (passthrough), normalise, clf on features
    assert not pipe.uses_speakers("fit") and not pipe.uses_speakers("predict")
    a = pipe.fit(X, y).predict_proba(X)
    b = pipe.fit(X, y, groups=g).predict_proba(X, groups=g)
    np.testing.assert_array_equal(a, b)


def test_speaker_normalised_pipeline_needs_groups_at_fit_and_warns_without_at_predict():
    X, y, g = speaker_data()
    pipe = SERPipeline([("speaker", SpeakerStandardScaler()), ("clf", LogisticRegression())])
    with pytest.raises(ValueError, match="groups=speakers"):
        pipe.fit(X, y)
    pipe.fit(X, y, groups=g)
    with pytest.warns(SpeakerNormalisationWarning):
        pipe.predict(X)
    with pytest.raises(ValueError, match="groups has 3 speaker ids but X has 72 clips"):
        pipe.predict(X, groups=g[:3])


def test_make_ser_pipeline_places_the_speaker_step():
    pipe = make_ser_pipeline("pooled", "logreg", speaker_normalise=True)
    names = [n for n, _ in pipe.steps]
    assert names.index("speaker") == names.index("features") + 1
    assert names.index("speaker") == names.index("normalise") - 1
    assert pipe.uses_speakers("predict")
    assert (
        make_ser_pipeline("pooled", "logreg", speaker_normalise={"min_clips": 2})
        .named_steps["speaker"]
        .min_clips
        == 2
    )
    with pytest.raises(ValueError, match="speaker_normalise must be"):
        make_ser_pipeline("pooled", "logreg", speaker_normalise="yes")


def test_speaker_normalisation_helps_where_speakers_differ(tmp_path):
    """On files: the pooled preset with and without speaker normalisation, same folds."""
    X, y, g = speaker_data(n_speakers=6, per=12, offset=6.0, seed=3)
    results = {}
    for speaker in (False, True):
        pipe = SERPipeline(
            [
                ("speaker", SpeakerStandardScaler() if speaker else "passthrough"),
                ("normalise", BandStandardScaler()),
                ("clf", LogisticRegression()),
            ]
        )
        results[speaker] = cross_validate_ser(pipe, X, y, g, cv=3, random_state=0)
    assert results[True].summary["uar_mean"] > results[False].summary["uar_mean"] + 0.15
    assert SPEAKER_NORMALISED_PROTOCOL in results[True].protocol
    assert SPEAKER_NORMALISED_PROTOCOL not in results[False].protocol
    assert all(f["speaker_normalised"] for f in results[True].folds)


def test_cross_validation_gives_each_fold_its_own_speakers():
    X, y, g = speaker_data()
    seen = []

    class Spy(GroupsSpy):
        def transform(self, X, groups=None):
            seen.append(None if groups is None else sorted(set(groups)))
            return np.asarray(X)

    pipe = SERPipeline([("spy", Spy()), ("clf", LogisticRegression())])
    result = cross_validate_ser(pipe, X, y, g, cv=3, random_state=0)
    # calls alternate: fit_transform on the training speakers, transform on the test ones
    test_calls = seen[1::2]
    assert test_calls == [f["test_groups"] for f in result.folds]
    for train_call, fold in zip(seen[0::2], result.folds, strict=True):
        assert not set(train_call) & set(fold["test_groups"])


# ---------------------------------------------------------------- grid search, nested
def test_grid_search_scores_each_candidate_on_its_validation_speakers():
    X, y, g = speaker_data(offset=6.0)
    pipe = SERPipeline([("speaker", SpeakerStandardScaler()), ("clf", LogisticRegression())])
    grid = {"speaker": ["passthrough", SpeakerStandardScaler()], "clf__C": [1.0]}
    with warnings.catch_warnings():
        warnings.simplefilter("error", SpeakerNormalisationWarning)  # ids always arrive
        search = make_grid_search(pipe, grid, cv=3, random_state=0).fit(X, y, groups=g)
    scores = search.cv_results_["mean_test_score"]
    assert scores[1] > scores[0] + 0.15  # normalised per validation speaker, it wins
    assert isinstance(search.best_params_["speaker"], SpeakerStandardScaler)
    assert len(search.cv.splits_) == 3
    assert search.predict(X[:12], groups=g[:12]).shape == (12,)


def test_nested_selection_is_honest_on_random_labels():
    """Many random candidates: the best inner score is well above chance, the nested
    (outer) score, which did not choose, stays near chance."""
    rng = np.random.default_rng(0)
    g = np.repeat([f"s{i}" for i in range(8)], 12)
    y = rng.choice(["angry", "sad"], size=len(g))
    X = rng.normal(size=(len(g), 2))
    pipe = SERPipeline([("clf", DummyClassifier(strategy="uniform"))])
    search = make_grid_search(pipe, {"clf__random_state": list(range(60))}, cv=3, random_state=0)
    result = cross_validate_ser(search, X, y, g, cv=4, random_state=0)
    sel = result.summary["selection"]
    assert sel["inner_best_score_mean"] > 0.6
    assert abs(result.summary["uar_mean"] - 0.5) < 0.08
    assert sel["gap"] > 0.08
    assert "nested" in result.protocol
    for fold in result.folds:
        inner = fold["selection"]["inner_splits"]
        assert len(inner) == 3
        for split in inner:
            held = set(split["train_groups"]) | set(split["test_groups"])
            assert not held & set(fold["test_groups"])  # no outer test speaker inside
    assert "selection score" in str(result)


# ---------------------------------------------------------------- early stopping
def test_early_stopping_holds_out_whole_speakers():
    pytest.importorskip("keras")
    from skser.models import KerasMLPClassifier

    X, y, g = speaker_data(n_speakers=10, per=8, n_features=6)
    clf = KerasMLPClassifier(
        hidden_layer_sizes=(8,),
        epochs=3,
        early_stopping=True,
        validation_fraction=0.2,
        random_state=0,
    )
    clf.fit(X.astype("float32"), y, groups=g)
    held = clf.validation_speakers_
    assert 1 <= len(held) < 10
    # the split itself: validation rows are all clips of the held-out speakers, and
    # no held-out speaker has a clip in the training part
    clf._seed = 0
    train, val = clf._split_speakers(g, y)
    assert set(g[val]).isdisjoint(g[train])
    assert len(val) == sum(np.isin(g, list(set(g[val]))))
    # without groups it validates on clips, as before
    clf.fit(X.astype("float32"), y)
    assert clf.validation_speakers_ is None


def test_speaker_normalised_preset_on_files(tmp_path):
    """The whole preset on audio files: oversampling, a passthrough step, the speaker step."""
    from skser.datasets import make_synthetic_speech

    corpus = make_synthetic_speech(
        n_actors=4,
        emotions=["angry", "sad", "calm"],
        n_clips_per_emotion=3,
        duration=0.5,
        random_state=0,
        out_dir=tmp_path,
    )
    X, y, g = corpus.filenames, corpus.target.copy(), corpus.groups
    y[:2] = "angry"  # imbalanced: the oversampler adds rows
    pipe = make_ser_pipeline("pooled", "logreg", speaker_normalise=True, random_state=0)
    pipe.fit(X, y, groups=g)
    proba = pipe.predict_proba(X, groups=g)
    assert proba.shape == (len(X), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    result = cross_validate_ser(pipe, X, y, g, cv=2, random_state=0)
    assert SPEAKER_NORMALISED_PROTOCOL in result.protocol


def test_a_grid_can_swap_the_speaker_step_into_a_pipeline_without_one():
    """The template has no speaker-aware step; the candidate that adds one still gets
    the training and validation speakers' ids."""
    X, y, g = speaker_data(offset=6.0)
    pipe = SERPipeline([("speaker", "passthrough"), ("clf", LogisticRegression())])
    assert not pipe.uses_speakers("fit")
    grid = {"speaker": ["passthrough", SpeakerStandardScaler()]}
    with warnings.catch_warnings():
        warnings.simplefilter("error", SpeakerNormalisationWarning)
        search = make_grid_search(pipe, grid, cv=3, random_state=0).fit(X, y, groups=g)
    scores = search.cv_results_["mean_test_score"]
    assert scores[1] > scores[0] + 0.15
    nested = cross_validate_ser(
        make_grid_search(pipe, grid, cv=2, random_state=0), X, y, g, cv=3, random_state=0
    )
    assert SPEAKER_NORMALISED_PROTOCOL in nested.protocol
