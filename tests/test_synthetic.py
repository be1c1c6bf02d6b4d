import numpy as np
import pytest

from skser.datasets import load_ravdess, make_synthetic_speech


def test_shapes_labels_and_groups():
    c = make_synthetic_speech(n_actors=3, n_clips_per_emotion=2, duration=0.5, random_state=1)
    assert c.data.shape == (3 * 8 * 2, 8000) and c.data.dtype == np.float32
    assert np.isfinite(c.data).all() and np.abs(c.data).max() <= 1.0
    assert sorted(set(c.groups)) == ["01", "02", "03"]
    assert (c.target == "angry").sum() == 6
    assert c.frame.groupby("actor")["gender"].first().tolist() == ["male", "female", "male"]


def test_deterministic_and_seed_sensitive():
    a = make_synthetic_speech(n_actors=2, n_clips_per_emotion=1, duration=0.5, random_state=7)
    b = make_synthetic_speech(n_actors=2, n_clips_per_emotion=1, duration=0.5, random_state=7)
    c = make_synthetic_speech(n_actors=2, n_clips_per_emotion=1, duration=0.5, random_state=8)
    np.testing.assert_array_equal(a.data, b.data)
    assert np.abs(a.data - c.data).max() > 0.01


def test_emotions_differ_as_acted_emotions_do():
    c = make_synthetic_speech(
        n_actors=6, n_clips_per_emotion=4, duration=1.0, random_state=0, emotions=["sad", "angry"]
    )
    rms = np.sqrt((c.data.astype(float) ** 2).mean(axis=1))
    # Angry speech is louder than sad speech, by several dB on average.
    assert 20 * np.log10(rms[c.target == "angry"].mean() / rms[c.target == "sad"].mean()) > 6


def test_files_in_ravdess_naming_roundtrip(synthetic_files):
    out, corpus = synthetic_files
    b = load_ravdess(out)
    assert len(b.target) == len(corpus.target) == 64
    assert sorted(b.frame["path"]) == sorted(corpus.filenames)
    assert b.frame["intensity"].value_counts().to_dict() == {"normal": 36, "strong": 28}


def test_bad_arguments():
    with pytest.raises(ValueError, match="n_actors must be a positive integer"):
        make_synthetic_speech(n_actors=0)
    with pytest.raises(ValueError, match="duration must be between"):
        make_synthetic_speech(duration=0.01)
    with pytest.raises(ValueError, match="'joy' is not an emotion"):
        make_synthetic_speech(emotions=["joy"])
    with pytest.raises(ValueError, match="out_dir writes RAVDESS file names"):
        make_synthetic_speech(emotions=["boredom"], out_dir="x")


def test_learnable_but_not_trivial_under_actor_grouped_cv():
    """Pooled MFCC + logistic regression, actor-grouped 4-fold CV on 8 actors, 8 emotions."""
    import librosa
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    c = make_synthetic_speech(n_actors=8, n_clips_per_emotion=6, duration=1.5, random_state=0)
    m = librosa.feature.mfcc(y=c.data, sr=c.sr, n_mfcc=20)
    X = np.concatenate([m.mean(-1), m.std(-1)], axis=1)
    clf = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    uar = cross_val_score(
        clf, X, c.target, groups=c.groups, cv=StratifiedGroupKFold(4), scoring="balanced_accuracy"
    )
    chance = 1 / 8
    assert uar.mean() > chance + 0.2, uar  # learnable (measured: 0.48)
    assert uar.mean() < 0.9, uar  # not trivial
    # Actor identity is a real confound: the same features identify the actor well.
    actor_acc = cross_val_score(
        clf, X, c.groups, cv=StratifiedKFold(4, shuffle=True, random_state=0)
    )
    assert actor_acc.mean() > 0.5  # chance is 1/8
