"""make_ser_pipeline, speaker-independent model selection, metrics and plots."""

import json
import subprocess
import sys

import joblib
import numpy as np
import pytest
import soundfile as sf
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold

from skser._presets import FEATURES as PRESET_FEATURES
from skser.augment import AudioAugmenter
from skser.datasets import make_synthetic_speech
from skser.exceptions import LeakageError
from skser.features import MFCC, LogMelSpectrogram
from skser.metrics import SCORERS, get_ser_scorer, scores_by_attribute, ser_report
from skser.model_selection import (
    LeaveOneSpeakerOut,
    SpeakerKFold,
    cross_validate_ser,
    make_grid_search,
)
from skser.pipeline import RECIPES, SERPipeline, make_recipe_pipeline, make_ser_pipeline


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("pipeline_corpus")
    return make_synthetic_speech(
        n_actors=6,
        n_clips_per_emotion=2,
        emotions=["angry", "calm", "sad"],
        duration=1.0,
        random_state=0,
        out_dir=out,
    )


# ------------------------------------------------------------------ the pipeline
def test_pipeline_steps_presets_and_random_state(corpus):
    pipe = make_ser_pipeline("logmel", "crnn", augment=True, random_state=7)
    assert [n for n, _ in pipe.steps] == [
        "load",
        "oversample",
        "augment",
        "features",
        "speaker",
        "normalise",
        "clf",
    ]
    assert pipe.named_steps["oversample"].random_state == 7
    assert pipe.named_steps["augment"].random_state == 7
    assert pipe.named_steps["clf"].random_state == 7
    off = make_ser_pipeline("mfcc", "cnn", oversample=False, normalise=None)
    assert (
        off.named_steps["oversample"] == "passthrough"
        and off.named_steps["normalise"] == "passthrough"
    )
    X = np.asarray(corpus.filenames[:3])
    shapes = {}
    for name in ("logmel", "mfcc", "zcr_rms_mfcc", "stft64", "pooled"):
        p = make_ser_pipeline(name, "logreg" if name == "pooled" else "cnn")
        shapes[name] = p[:4].fit_transform(X, corpus.target[:3]).shape[1:]
    assert shapes == {
        "logmel": (128, 32),
        "mfcc": (40, 32),
        "zcr_rms_mfcc": (22, 32),
        "stft64": (64, 64),
        "pooled": (164,),
    }


def test_pipeline_bad_arguments():
    with pytest.raises(ValueError, match="unknown features 'mel'"):
        make_ser_pipeline("mel", "crnn")
    with pytest.raises(ValueError, match="unknown model 'rnn'"):
        make_ser_pipeline("logmel", "rnn")
    with pytest.raises(ValueError, match="needs one feature vector per clip.*features='pooled'"):
        make_ser_pipeline("logmel", "logreg")
    with pytest.raises(ValueError, match="unknown normalise 'global'"):
        make_ser_pipeline("pooled", "logreg", normalise="global")
    with pytest.raises(ValueError, match="unknown recipe 'S9'"):
        make_recipe_pipeline("S9")


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_recipes_build_and_train(name, corpus):
    pipe = make_recipe_pipeline(name, random_state=0)
    pipe.set_params(clf__epochs=1)
    X, y = np.asarray(corpus.filenames[:12]), corpus.target[:12]
    pipe.fit(X, y)
    assert pipe.predict_proba(X[:1]).shape == (1, len(np.unique(y)))


# ------------------------------------------------------------- leakage canary
def test_canary_actor_confound_scores_chance_grouped_but_high_random(tmp_path):
    """Labels follow the speaker, not the voice's emotion: only a leaky split 'works'."""
    corpus = make_synthetic_speech(
        n_actors=16,
        emotions=["neutral"],
        n_clips_per_emotion=12,
        duration=1.0,
        random_state=1,
        out_dir=tmp_path,
    )
    X = np.asarray(corpus.filenames)
    actor = corpus.groups.astype(int) - 1
    labels = np.array(["angry", "calm", "happy", "sad"])
    y = labels[(actor // 2) % 4]  # each label: two male and two female actors
    pipe = make_ser_pipeline("pooled", "logreg", random_state=0)
    grouped = cross_validate_ser(pipe, X, y, corpus.groups, cv=4, random_state=0)
    leaky = cross_validate_ser(pipe, X, y, cv=4, speaker_independent=False, random_state=0)
    # measured: grouped 0.229, leaky 0.615 (chance 0.25); the synthetic voices are only
    # moderately distinct, so the leaky score is high but not perfect
    assert grouped.summary["uar_mean"] <= 0.35
    assert leaky.summary["uar_mean"] >= 0.55
    assert leaky.summary["uar_mean"] - grouped.summary["uar_mean"] >= 0.25
    assert "NOT speaker-independent" in leaky.protocol and "warning" in leaky.summary
    assert "NOT speaker-independent" in str(leaky)


class RowRecorder(TransformerMixin, BaseEstimator):
    """Features step that records the row ids (sample 0) it transforms."""

    seen = []

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        RowRecorder.seen.append(np.asarray(X)[:, 0].copy())
        return np.asarray(X)[:, :8]


class RecordingAugmenter(AudioAugmenter):
    calls = []

    def fit_resample(self, X, y, **params):
        RecordingAugmenter.calls.append(np.asarray(X)[:, 0].copy())
        return super().fit_resample(X, y, **params)


def test_augmented_and_oversampled_rows_reach_only_the_training_fold():
    rng = np.random.default_rng(0)
    n = 36
    X = rng.normal(0, 0.1, size=(n, 1600)).astype(np.float32)
    X[:, 0] = np.arange(n) + 1000  # row id, kept by the oversampler, changed by augmentation
    y = np.array(["angry"] * 24 + ["sad"] * 12)  # imbalanced: the oversampler duplicates
    groups = np.repeat(np.arange(6), 6)
    aug = RecordingAugmenter(n_augment=1, p_noise=1.0, p_stretch=0, p_pitch=0, p_shift=0)
    pipe = make_ser_pipeline(
        RowRecorder(), LogisticRegression(), augment=aug, normalise=None, random_state=0
    )
    RecordingAugmenter.calls.clear()
    RowRecorder.seen.clear()
    splits = list(SpeakerKFold(3, random_state=0).split(X, y, groups))
    cross_validate_ser(pipe, X, y, groups, cv=SpeakerKFold(3, random_state=0))
    assert len(RecordingAugmenter.calls) == 3  # once per fit, never at predict time
    for (train, test), aug_rows, fit_rows, predict_rows in zip(
        splits,
        RecordingAugmenter.calls,
        RowRecorder.seen[0::2],
        RowRecorder.seen[1::2],
        strict=True,
    ):
        ids = aug_rows - 1000
        assert set(ids) <= set(train) and not set(ids) & set(test)
        counts = np.unique(y[ids.astype(int)], return_counts=True)[1]
        assert counts[0] == counts[1]  # oversampled before augmenting
        assert len(fit_rows) == 2 * len(ids)  # originals + one copy each
        np.testing.assert_array_equal(np.sort(predict_rows - 1000), np.sort(test))  # no copies


def test_branch_augmenters_of_the_fusion_see_only_the_training_fold():
    """The default's augmenters sit inside its branches: they too run once per fit, on
    the training fold's rows only, and never at predict time."""
    rng = np.random.default_rng(0)
    n = 36
    X = rng.normal(0, 0.1, size=(n, 1600)).astype(np.float32)
    X[:, 0] = np.arange(n) + 1000  # row id
    y = np.array(["angry"] * 24 + ["sad"] * 12)
    groups = np.repeat(np.arange(6), 6)

    def branch(keep_original):
        aug = RecordingAugmenter(n_augment=1, keep_original=keep_original, p_noise=1.0,
                                 p_stretch=0, p_pitch=0, p_shift=0)  # fmt: skip
        return SERPipeline([("augment", aug), ("features", RowRecorder()),
                            ("clf", LogisticRegression())])  # fmt: skip

    pipe = make_ser_pipeline(random_state=0)  # the default, with tiny branches
    pipe.set_params(clf__estimators=[("deep", branch(False)), ("functionals", branch(True))])
    RecordingAugmenter.calls.clear()
    cv = SpeakerKFold(3, random_state=0)
    splits = list(cv.split(X, y, groups))
    result = cross_validate_ser(pipe, X, y, groups, cv=cv)
    assert len(RecordingAugmenter.calls) == 2 * len(splits)  # each branch once per fit
    for k, (train, test) in enumerate(splits):
        for rows in RecordingAugmenter.calls[2 * k : 2 * k + 2]:
            ids = rows - 1000
            assert set(ids) <= set(train) and not set(ids) & set(test)
            assert len(ids) == 2 * (y[train] == "angry").sum()  # oversampled first
    assert set(result.folds[0]["members"]["uar"]) == {"deep", "functionals"}


# ------------------------------------------------------------ cross-validation
def test_cross_validate_needs_groups_and_detects_leaky_splitters(corpus):
    X, y, g = np.asarray(corpus.filenames), corpus.target, corpus.groups
    pipe = make_ser_pipeline("pooled", "logreg")
    with pytest.raises(ValueError, match="needs groups.*speaker_independent=False"):
        cross_validate_ser(pipe, X, y)
    with pytest.raises(LeakageError, match="in both the training and the test data in fold 1"):
        cross_validate_ser(pipe, X, y, g, cv=KFold(3, shuffle=True, random_state=0))
    with pytest.raises(ValueError, match="SpeakerKFold is speaker-independent and needs groups"):
        list(SpeakerKFold().split(X, y))
    with pytest.raises(ValueError, match="n_splits=8 is more than the 6 speakers"):
        list(SpeakerKFold(8).split(X, y, g))
    with pytest.raises(ValueError, match="LeaveOneSpeakerOut is speaker-independent"):
        list(LeaveOneSpeakerOut().split(X, y))


def test_cross_validate_reports_and_files(corpus, tmp_path):
    X, y, g = np.asarray(corpus.filenames), corpus.target, corpus.groups
    res = cross_validate_ser(
        make_ser_pipeline("pooled", "logreg", random_state=0),
        X,
        y,
        g,
        cv=3,
        attributes=corpus.frame[["gender"]],
        out_dir=tmp_path,
        random_state=0,
    )
    s = res.summary
    assert len(res.folds) == 3 and s["n_clips"] == len(y)
    assert s["uar_mean"] == pytest.approx(np.mean([f["uar"] for f in res.folds]))
    assert res.confusion_matrix.sum() == len(y)
    assert res.confusion_matrix.shape == (3, 3) and res.labels == ["angry", "calm", "sad"]
    assert set(s["by_attribute"]["gender"]) == {"female", "male"}
    assert sum(v["n_clips"] for v in s["by_attribute"]["gender"].values()) == len(y)
    assert s["uar_mean"] > 1 / 3 + 0.1  # the synthetic emotions are learnable across actors
    for f in res.folds:  # speaker-independent: test speakers differ per fold
        assert not set(f["test_groups"]) & set(
            g[np.setdiff1d(np.arange(len(y)), f["test_indices"])]
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "fold_01.json",
        "fold_02.json",
        "fold_03.json",
        "predictions.csv",
        "summary.json",
    ]
    assert json.loads((tmp_path / "summary.json").read_text())["uar_mean"] == pytest.approx(
        s["uar_mean"]
    )
    assert "speaker-independent" in str(res) and "UAR" in str(res)
    assert list(res.to_frame().columns[:3]) == ["uar", "wa", "macro_f1"]


class FlakyClassifier(ClassifierMixin, BaseEstimator):
    """Fails on its ``fail_on``-th fit while ``armed`` (a class flag)."""

    fits = 0
    armed = True

    def __init__(self, fail_on=3):
        self.fail_on = fail_on

    def fit(self, X, y):
        FlakyClassifier.fits += 1
        if FlakyClassifier.armed and FlakyClassifier.fits == self.fail_on:
            raise KeyboardInterrupt("simulated interruption")
        self.clf_ = LogisticRegression().fit(X, y)
        self.classes_ = self.clf_.classes_
        return self

    def predict(self, X):
        return self.clf_.predict(X)


def test_interrupted_cross_validation_keeps_finished_folds_and_resumes(corpus, tmp_path):
    X, y, g = np.asarray(corpus.filenames), corpus.target, corpus.groups
    pipe = make_ser_pipeline("pooled", FlakyClassifier(fail_on=3))
    FlakyClassifier.fits, FlakyClassifier.armed = 0, True
    with pytest.raises(KeyboardInterrupt):
        cross_validate_ser(pipe, X, y, g, cv=3, out_dir=tmp_path, random_state=0)
    kept = sorted(p.name for p in tmp_path.iterdir())
    assert kept == ["fold_01.json", "fold_02.json"]  # no summary, no temporary files
    first = [json.loads((tmp_path / k).read_text()) for k in kept]
    FlakyClassifier.fits, FlakyClassifier.armed = 0, False
    res = cross_validate_ser(pipe, X, y, g, cv=3, out_dir=tmp_path, resume=True, random_state=0)
    assert FlakyClassifier.fits == 1  # only fold 3 was fitted again
    assert [f["uar"] for f in res.folds[:2]] == [f["uar"] for f in first]
    assert (tmp_path / "summary.json").exists()


# ------------------------------------------------------------------ grid search
def _tiny_cnn():
    from skser.models import CNNClassifier

    return CNNClassifier(filters=(2,), dense_units=(), epochs=1, batch_size=8)


def _tiny_crnn():
    from skser.models import CRNNClassifier

    return CRNNClassifier(conv_filters=(2,), lstm_units=(4,), epochs=1, batch_size=8)


def _count_work(monkeypatch):
    """Count decoded files and featurised clips (per feature class)."""
    import skser.io._loader as loader_mod

    counts = {"decoded": 0, "LogMelSpectrogram": 0, "MFCC": 0}
    real_load = loader_mod.load_audio

    def counting_load(*args, **kwargs):
        counts["decoded"] += 1
        return real_load(*args, **kwargs)

    monkeypatch.setattr(loader_mod, "load_audio", counting_load)
    for cls in (LogMelSpectrogram, MFCC):
        real = cls._compute

        def compute(self, X, _real=real, _name=cls.__name__):
            counts[_name] += len(X)
            return _real(self, X)

        monkeypatch.setattr(cls, "_compute", compute)
    return counts


@pytest.mark.parametrize("cached", [True, False])
def test_grid_search_features_by_architectures_and_caching(corpus, tmp_path, monkeypatch, cached):
    X, y, g = np.asarray(corpus.filenames), corpus.target, corpus.groups
    n = len(y)
    pipe = make_ser_pipeline(
        "logmel",
        "cnn",
        oversample=False,
        random_state=0,
        memory=str(tmp_path / "cache") if cached else None,
    )
    feats = [
        LogMelSpectrogram(n_mels=16, n_fft=512, hop_length=256),
        MFCC(n_mfcc=8, n_mels=16, n_fft=512, hop_length=256),
    ]
    if cached:
        feats = [f.set_params(memory=str(tmp_path / "cache")) for f in feats]
    grid = {"features": feats, "clf": [_tiny_cnn(), _tiny_crnn()]}
    counts = _count_work(monkeypatch)
    search = make_grid_search(pipe, grid, cv=2, random_state=0).fit(X, y, groups=g)
    assert len(search.cv_results_["params"]) == 4
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    best = type(search.best_params_["features"]).__name__
    if cached:  # each fold decoded once (train + test = n files) and once more for the refit
        assert counts["decoded"] == 2 * n + n
        for name in ("LogMelSpectrogram", "MFCC"):
            # at most once per fold (1 clip in fit, then its n clips) and once for the
            # refit; with 2 folds, one fold's test clips are the other's training
            # clips, so the cache serves even some of that
            assert 1 + n <= counts[name] <= 2 * (1 + n) + (1 + n if name == best else 0)
    else:  # once per candidate and fold
        assert counts["decoded"] == 4 * 2 * n + n
        for name in ("LogMelSpectrogram", "MFCC"):
            assert counts[name] == 2 * 2 * (1 + n) + (1 + n if name == best else 0)


def test_grid_search_with_several_metrics(corpus):
    X, y, g = np.asarray(corpus.filenames), corpus.target, corpus.groups
    search = make_grid_search(
        make_ser_pipeline("pooled", "logreg", random_state=0),
        {"clf__C": [0.1, 1.0]},
        cv=3,
        scoring=["uar", "wa"],
        random_state=0,
    ).fit(X, y, groups=g)
    assert search.refit == "uar" and "mean_test_wa" in search.cv_results_
    leaky = make_grid_search(
        make_ser_pipeline("pooled", "logreg"),
        {"clf__C": [1.0]},
        cv=KFold(3, shuffle=True, random_state=0),
    )
    with pytest.raises(LeakageError):
        leaky.fit(X, y, groups=g)


# ------------------------------------------- deployment: joblib, any sr/channels
def test_keras_pipeline_joblib_round_trip_predicts_files_of_any_format(corpus, tmp_path):
    import librosa

    X, y = np.asarray(corpus.filenames), corpus.target
    pipe = make_ser_pipeline(
        LogMelSpectrogram(n_mels=32, n_fft=512, hop_length=256),
        _tiny_crnn(),
        duration=1.0,
        random_state=0,
    ).fit(X, y)
    clip, sr = sf.read(X[0], dtype="float32")
    stereo44 = tmp_path / "stereo44.flac"
    resampled = librosa.resample(clip, orig_sr=sr, target_sr=44100)
    sf.write(stereo44, np.stack([resampled, resampled], axis=1), 44100)
    p16 = pipe.predict_proba(X[:1])
    p44 = pipe.predict_proba([str(stereo44)])
    assert p44.shape == (1, 3)
    np.testing.assert_allclose(p44, p16, atol=0.02)  # same clip, other format
    path = tmp_path / "model.joblib"
    joblib.dump(pipe, path)
    code = (
        "import json, joblib;"
        f"m = joblib.load({str(path)!r});"
        f"print(json.dumps(m.predict_proba([{str(stereo44)!r}]).tolist()))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    np.testing.assert_array_equal(
        np.asarray(json.loads(out.stdout.strip().splitlines()[-1]), np.float32), p44
    )


# ----------------------------------------------------------------------- metrics
def test_metrics_numbers():
    y_true = ["sad"] * 8 + ["angry"] * 2
    y_pred = ["sad"] * 8 + ["sad", "angry"]
    r = ser_report(y_true, y_pred)
    assert r["uar"] == pytest.approx((1.0 + 0.5) / 2) and r["wa"] == pytest.approx(0.9)
    assert r["per_class_recall"] == {"angry": 0.5, "sad": 1.0}
    assert r["confusion_matrix"] == [[1, 1], [0, 8]] and r["support"] == {"angry": 2, "sad": 8}
    by = scores_by_attribute(y_true, y_pred, ["f"] * 5 + ["m"] * 5)
    assert by["f"]["n_clips"] == 5 and by["m"]["uar"] == pytest.approx(0.75)
    assert get_ser_scorer("uar") is SCORERS["uar"]
    assert get_ser_scorer("balanced_accuracy") is not None
    with pytest.raises(ValueError, match="unknown scoring 'uarr'"):
        get_ser_scorer("uarr")


# ------------------------------------------------------------------------ plots
def test_plots_return_figures_and_save_png(corpus, tmp_path):
    from matplotlib.figure import Figure

    from skser.plotting import (
        plot_class_balance,
        plot_confusion_matrix,
        plot_fold_scores,
        plot_history,
        plot_waveform_spectrogram,
    )

    res = cross_validate_ser(
        make_ser_pipeline("pooled", "logreg"),
        np.asarray(corpus.filenames),
        corpus.target,
        corpus.groups,
        cv=3,
        random_state=0,
    )
    figs = {
        "cm": plot_confusion_matrix(res.confusion_matrix, res.labels),
        "balance": plot_class_balance(corpus.frame, by="gender"),
        "folds": plot_fold_scores(res),
        "history": plot_history(
            {"loss": [1.0, 0.5], "val_loss": [1.1, 0.9], "accuracy": [0.3, 0.6]}
        ),
        "wave": plot_waveform_spectrogram(corpus.filenames[0], 16000),
    }
    assert all(isinstance(fig, Figure) for fig in figs.values())
    plot_confusion_matrix(res.confusion_matrix, res.labels, path=tmp_path / "cm.png")
    assert (tmp_path / "cm.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in tmp_path.iterdir()] == ["cm.png"]
    assert len(figs["history"].axes) == 2 and len(figs["wave"].axes) == 3  # 2 plots + colorbar
    with pytest.raises(ValueError, match="one row per label"):
        plot_confusion_matrix(np.eye(3), ["a", "b"])
    with pytest.raises(ValueError, match="no column 'speaker'"):
        plot_class_balance(corpus.frame, by="speaker")
    with pytest.raises(ValueError, match="'loss' list"):
        plot_history({})


def test_default_pipeline_is_the_fusion_of_a_cnn_ensemble_and_functionals():
    from sklearn.linear_model import LogisticRegression

    from skser.features import LevelNormaliser, NoiseGate, ParalinguisticFunctionals
    from skser.models import FusionClassifier, SeedEnsembleClassifier

    pipe = make_ser_pipeline(random_state=0)
    assert [pipe.named_steps[k] for k in ("features", "speaker", "normalise")] == [
        "passthrough"
    ] * 3  # each branch has its own
    fusion = pipe.named_steps["clf"]
    assert isinstance(fusion, FusionClassifier) and fusion.weights is None  # equal weights
    deep, func = (dict(fusion.estimators)[k] for k in ("deep", "functionals"))
    for branch in (deep, func):
        assert isinstance(branch.named_steps["level"], LevelNormaliser)
        assert branch.named_steps["speaker"] == "passthrough"
    assert list(deep.named_steps)[:4] == ["augment", "level", "gate", "features"]
    assert (
        isinstance(deep.named_steps["gate"], NoiseGate) and deep.named_steps["gate"].range_db == 20
    )
    assert "gate" not in func.named_steps  # the functionals leave inactive frames out themselves
    assert isinstance(deep.named_steps["clf"], SeedEnsembleClassifier)
    assert deep.named_steps["clf"].n_estimators == 4 and deep.named_steps["clf"].random_state == 0
    assert deep.named_steps["normalise"].center_clips  # CMN, as the previous default
    assert isinstance(func.named_steps["features"], ParalinguisticFunctionals)
    lr = func.named_steps["clf"]
    assert isinstance(lr, LogisticRegression) and lr.C == 0.01
    # each branch trains on its own copies through a random recording chain (in-fold):
    # the CNNs on the copies only, the linear model on the clips and the copies
    assert pipe.named_steps["augment"] == "passthrough"
    deep_aug, func_aug = deep.named_steps["augment"], func.named_steps["augment"]
    for aug in (deep_aug, func_aug):
        assert (aug.n_augment, aug.p_babble, aug.p_band, aug.p_noise) == (1, 0.3, 0.3, 0.3)
        assert (aug.p_stretch, aug.p_pitch, aug.random_state) == (0.0, 0.0, 0)
    assert (deep_aug.keep_original, func_aug.keep_original) == (False, True)
    assert make_ser_pipeline("pooled", "logreg").named_steps["augment"] == "passthrough"
    # an explicit augment is the pipeline's step, shared by the branches; None: none
    off, shared = make_ser_pipeline(augment=None), make_ser_pipeline(augment={"n_augment": 2})
    assert off.named_steps["augment"] == "passthrough"
    assert shared.named_steps["augment"].n_augment == 2
    for other in (off, shared):
        assert all(b.named_steps["augment"] == "passthrough"
                   for _, b in other.named_steps["clf"].estimators)  # fmt: skip
    # the second default: speaker-normalised branches
    sn = make_ser_pipeline(speaker_normalise=True).named_steps["clf"]
    assert all(type(b.named_steps["speaker"]).__name__ == "SpeakerStandardScaler"
               for _, b in sn.estimators)  # fmt: skip
    # features="auto" follows a named model
    assert type(make_ser_pipeline(model="logreg").named_steps["features"]).__name__ == (
        "ParalinguisticFunctionals"
    )
    assert make_ser_pipeline(model="cnn1d_pool").named_steps["features"].n_mfcc == 40


def test_previous_default_and_auto_normalise():
    from skser.features import MFCC, BandStandardScaler
    from skser.models import CNN1DClassifier, SeedEnsembleClassifier

    pipe = make_ser_pipeline("mfcc40_deltas", random_state=0)
    feats, norm, clf = (pipe.named_steps[k] for k in ("features", "normalise", "clf"))
    assert isinstance(feats, MFCC) and (feats.n_mfcc, feats.deltas, feats.hop_length) == (
        40,
        1,
        512,
    )
    assert isinstance(norm, BandStandardScaler) and norm.center_clips  # "auto" -> CMN
    assert isinstance(clf, SeedEnsembleClassifier) and clf.n_estimators == 6
    assert clf.random_state == 0  # draws the members' seeds
    net = clf.estimator
    assert isinstance(net, CNN1DClassifier)
    assert (net.head, net.lr_schedule, net.dense_units) == ("global", "cosine", ())
    # three views of the 80 bands (40 MFCCs, 40 deltas), two networks each
    first20 = ((0, 20), (40, 60))
    assert clf.variants == [{"bands": first20}, {"bands": first20, "input_norm": "clip"}, {}]
    # model="auto": the views ensemble needs the 80 bands of mfcc40_deltas
    assert make_ser_pipeline("mfcc_deltas").named_steps["clf"].n_estimators == 3
    assert make_ser_pipeline(MFCC(n_mfcc=40, deltas=1)).named_steps["clf"].variants is None
    with pytest.raises(
        ValueError, match="model='cnn1d_views_x6' takes features='mfcc40_deltas' only.*band ranges"
    ):
        make_ser_pipeline("logmel", "cnn1d_views_x6")
    # "auto" is a plain band z-score where per-clip centring makes no sense
    assert not make_ser_pipeline("pooled", "logreg").named_steps["normalise"].center_clips
    assert not make_ser_pipeline(MFCC(), "cnn").named_steps["normalise"].center_clips
    assert make_ser_pipeline("logmel", "cnn").named_steps["normalise"].center_clips
    assert not make_ser_pipeline("zcr_rms_mfcc", "cnn1d").named_steps["normalise"].center_clips
    assert (
        not make_ser_pipeline("mfcc40_deltas", normalise="band")
        .named_steps["normalise"]
        .center_clips
    )
    with pytest.raises(ValueError, match="unknown normalise 'cnm': use 'auto', 'band', 'cmn'"):
        make_ser_pipeline("mfcc40_deltas", normalise="cnm")


def test_cv_records_every_network_history_and_plots_them_all(corpus):
    from skser.model_selection import keras_histories
    from skser.plotting import plot_history

    pipe = make_ser_pipeline("mfcc", "cnn1d_pool_x3", random_state=0)
    pipe.set_params(clf__estimator__epochs=2, clf__estimator__filters=(4, 4, 4))
    res = cross_validate_ser(
        pipe, np.asarray(corpus.filenames), corpus.target, corpus.groups, cv=2, random_state=0
    )
    for fold in res.folds:
        assert sorted(fold["histories"]) == ["clf/0", "clf/1", "clf/2"]  # three seeds
        assert all(len(h["loss"]) == 2 for h in fold["histories"].values())
        assert fold["history"] == fold["histories"]["clf/0"]
    runs = {f"{f['fold']}/{k}": h for f in res.folds for k, h in f["histories"].items()}
    fig = plot_history(runs)
    loss_ax = fig.axes[0]
    assert len(loss_ax.lines) == 6 + 1  # six networks, thin, and their mean, bold
    assert "mean of 6" in loss_ax.get_legend().get_texts()[0].get_text()
    assert any("no validation curve" in t.get_text() for t in fig.texts)
    assert keras_histories(make_ser_pipeline("pooled", "logreg")) == {}


@pytest.mark.parametrize("name", [n for n in PRESET_FEATURES if n != "fusion"])
def test_feature_presets_output_the_rank_the_registry_says(name):
    """The registry's ``rank`` is what the compatibility checks trust: check it on audio."""
    from skser._presets import FEATURES

    rng = np.random.default_rng(0)
    X = 0.1 * rng.normal(size=(2, 8000)).astype(np.float32)
    preset = FEATURES[name]
    out = preset.build(16000).fit_transform(X)
    assert out.ndim == preset.rank and out.shape[0] == 2
    if preset.blocks:  # named band blocks tile the output's bands
        assert preset.blocks[-1][2] == out.shape[1]
        assert all(a[2] == b[1] for a, b in zip(preset.blocks[:-1], preset.blocks[1:], strict=True))


def test_every_compatible_preset_pair_builds_and_every_other_is_refused():
    from skser._presets import FEATURES, MODELS

    built = refused = 0
    for f in FEATURES:
        for m in MODELS:
            try:
                pipe = make_ser_pipeline(f, m)
            except ValueError as err:
                assert repr(f) in str(err) and repr(m) in str(err)  # names both
                refused += 1
                continue
            built += 1
            assert pipe.steps[-1][0] == "clf"
    # 11 feature x 10 model presets; refused: the 'fusion' features with the 9 other
    # models, the fusion model with the 10 other features, cnn1d_views_x6 with the 9
    # features left but 'mfcc40_deltas', logreg/svm with the 7 (bands, frames) ones
    assert (len(FEATURES), len(MODELS)) == (11, 10)
    assert (built, refused) == (110 - 42, 9 + 10 + 9 + 14)
