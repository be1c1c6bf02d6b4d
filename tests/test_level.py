"""LevelNormaliser / active_level_db: per-clip gain removed, padding ignored."""

import numpy as np
import pytest

from skser.augment import apply_gain, peak_normalise
from skser.features import MFCC, LevelNormaliser, ParalinguisticFunctionals, active_level_db


def _speechlike(seed=0, sr=16000, seconds=1.0):
    """Bursts of a harmonic tone with pauses between them (a voiced/unvoiced pattern)."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(sr * seconds)) / sr
    envelope = (np.sin(2 * np.pi * 3 * t) > 0).astype(float) * np.hanning(t.size)
    tone = sum(np.sin(2 * np.pi * 140 * k * t) / k for k in range(1, 6))
    return (0.05 * envelope * tone + 1e-4 * rng.normal(size=t.size)).astype(np.float32)


def test_active_level_equals_hand_computation():
    x = _speechlike()
    frames = x[: len(x) // 512 * 512].astype(np.float64).reshape(-1, 512)
    power = np.append(np.mean(frames**2, axis=1), np.mean(x[len(frames) * 512 :] ** 2.0))
    level = 10 * np.log10(power)
    active = power[level >= np.percentile(level, 95) - 30.0]
    expected = 10 * np.log10(active.mean())
    assert active_level_db(x) == pytest.approx(expected, abs=1e-9)
    # pauses are not counted: the active level is above the plain mean power
    assert active_level_db(x) > 10 * np.log10(np.mean(x.astype(np.float64) ** 2)) + 1.0


def test_active_level_moves_by_the_gain_and_ignores_padding():
    x = _speechlike()
    assert active_level_db(0.3 * x) - active_level_db(x) == pytest.approx(20 * np.log10(0.3))
    padded = np.concatenate([x, np.zeros(40000, np.float32)])
    assert active_level_db(padded) == pytest.approx(active_level_db(x), abs=1e-9)
    assert active_level_db(np.zeros(1000)) is None


def test_level_normaliser_removes_gain_and_peak_normalisation():
    x = _speechlike(1)
    X = np.stack([x, apply_gain(x, -12.0), apply_gain(x, 9.5), peak_normalise(x)])
    Xt = LevelNormaliser(target_db=-20.0).fit_transform(X)
    levels = [active_level_db(v) for v in Xt]
    np.testing.assert_allclose(levels, -20.0, atol=1e-4)
    for other in Xt[1:]:
        np.testing.assert_allclose(other, Xt[0], rtol=1e-4, atol=1e-7)
    # features downstream: identical whatever the input gain
    mfcc = MFCC(n_mfcc=13, top_db_reference="train").fit(Xt)
    F = mfcc.transform(Xt)
    np.testing.assert_allclose(F[1:], np.broadcast_to(F[0], F[1:].shape), atol=1e-3)
    func = ParalinguisticFunctionals().fit_transform(Xt)
    close = np.isclose(func[1:], func[0], rtol=1e-3, atol=1e-3)
    # counts of rising frames can flip on a float tie: a few functionals out of 633
    assert close.mean() > 0.99, np.asarray(
        ParalinguisticFunctionals().fit(Xt).get_feature_names_out()
    )[~close.all(axis=0)]


def test_level_normaliser_keeps_zeros_and_contour():
    x = _speechlike(2)
    X = np.stack([np.concatenate([x, np.zeros(8000, np.float32)]), np.zeros(24000, np.float32)])
    Xt = LevelNormaliser().fit_transform(X)
    assert np.all(Xt[0, len(x) :] == 0) and np.all(Xt[1] == 0)
    gain = Xt[0, : len(x)][np.abs(x) > 1e-3] / x[np.abs(x) > 1e-3]
    np.testing.assert_allclose(gain, gain[0], rtol=1e-5)  # one factor per clip
    assert Xt.dtype == np.float32


@pytest.mark.parametrize(
    "params, match",
    [
        ({"target_db": float("nan")}, "target_db"),
        ({"active_range_db": 0}, "active_range_db"),
        ({"frame_length": 0}, "frame_length"),
        ({"frame_length": True}, "frame_length"),
    ],
)
def test_level_normaliser_bad_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        LevelNormaliser(**params).fit(np.ones((2, 100), np.float32))


def test_level_normaliser_refuses_a_single_clip():
    with pytest.raises(ValueError, match=r"X.reshape\(1, -1\)"):
        LevelNormaliser().fit(np.ones(100, np.float32))
