"""NoiseGate / frame_loudness_db / active_frames: pauses silenced, speech kept, any gain."""

import numpy as np
import pytest

from skser.augment import apply_gain
from skser.features import MFCC, NoiseGate
from skser.features._gate import active_frames, frame_loudness_db

SR = 16000


def _syllables(seed=0, seconds=1.5, noise_db=None):
    """Three harmonic 'syllables' with pauses; optional white noise ``noise_db`` below
    the syllables' RMS in the whole clip (the pauses included)."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(SR * seconds)) / SR
    on = ((t % 0.5) > 0.1) & ((t % 0.5) < 0.35)
    tone = sum(np.sin(2 * np.pi * 150 * k * t) / k for k in range(1, 6))
    x = 0.1 * on * tone
    if noise_db is not None:
        rms = np.sqrt(np.mean(x[on] ** 2))
        x = x + rms * 10 ** (-noise_db / 20) * rng.normal(size=t.size)
    return x.astype(np.float32), on


def test_frame_loudness_equals_hand_computation():
    x, _ = _syllables()
    loud = frame_loudness_db(x, frame_length=512, hop_length=160)
    padded = np.pad(x.astype(np.float64), 256)  # centred frames, zero padding
    n = 1 + len(x) // 160
    rms = np.array([np.sqrt(np.mean(padded[i * 160 : i * 160 + 512] ** 2)) for i in range(n)])
    np.testing.assert_allclose(loud, 20 * np.log10(np.maximum(rms, 1e-5)), atol=1e-6)


def test_active_frames_rule():
    loud = np.r_[np.full(20, -20.0), np.full(10, -39.0), np.full(10, -41.0)]
    np.testing.assert_array_equal(active_frames(loud, 20.0), np.r_[np.ones(30), np.zeros(10)])
    assert active_frames(loud, None).all()
    assert active_frames(np.array([]), 20.0).shape == (0,)


def test_gate_gain_equals_hand_computation():
    x, _ = _syllables(noise_db=35.0)
    gate = NoiseGate(range_db=20.0).fit(x[None])
    loud = frame_loudness_db(x)
    keep = (loud >= np.percentile(loud, 95) - 20.0).astype(float)
    expected = np.interp(np.arange(len(x)), np.arange(keep.size) * 160, keep)
    np.testing.assert_allclose(gate.gain(x), expected)
    np.testing.assert_allclose(gate.transform(x[None])[0], x * expected.astype(np.float32))
    assert 0.3 < keep.mean() < 0.7  # both kinds of frames are there


def test_gate_silences_the_pauses_and_keeps_the_syllables():
    x, on = _syllables(noise_db=35.0)
    out = NoiseGate().fit_transform(x[None])[0]
    t = np.arange(len(x)) / SR
    pause_core = ((t % 0.5) < 0.05) | (((t % 0.5) > 0.4) & ((t % 0.5) < 0.45))
    inside = on & ((t % 0.5) > 0.13) & ((t % 0.5) < 0.32)  # 30 ms in from each edge
    assert np.all(out[pause_core] == 0)
    np.testing.assert_array_equal(out[inside], x[inside])
    # noise in the pauses drops from the noise level to nothing; a 30 dB range keeps it
    loose = NoiseGate(range_db=40.0).fit_transform(x[None])[0]
    np.testing.assert_array_equal(loose, x)


def test_gate_is_the_same_at_any_gain_and_ignores_padding():
    x, _ = _syllables(1, noise_db=30.0)
    quiet = apply_gain(x, -17.0)
    X = np.stack([x, quiet])
    out = NoiseGate().fit_transform(X)
    np.testing.assert_allclose(out[1], apply_gain(out[0], -17.0), rtol=1e-4, atol=1e-9)
    padded = np.concatenate([np.zeros(4000, np.float32), x, np.zeros(8000, np.float32)])
    gated = NoiseGate().fit_transform(padded[None])[0]
    assert np.all(gated[:4000] == 0) and np.all(gated[-8000:] == 0)
    np.testing.assert_array_equal(gated[4000:-8000], out[0])
    assert np.all(NoiseGate().fit_transform(np.zeros((1, 500), np.float32)) == 0)


def test_gate_makes_noisy_pauses_look_like_clean_ones_to_the_features():
    clean, _ = _syllables(2)
    noisy, _ = _syllables(2, noise_db=25.0)
    X = np.stack([clean, noisy])
    mfcc = MFCC(n_mfcc=13, n_fft=1024, hop_length=256, top_db_reference="train")
    ungated = mfcc.fit(X).transform(X)
    G = NoiseGate().fit_transform(X)
    gated = mfcc.fit(G).transform(G)
    centre = np.arange(ungated.shape[-1]) * 256 / SR
    phase = centre % 0.5  # pauses 0.35-0.6 s (mod 0.5): frames of 64 ms wholly inside
    pause = ((phase > 0.39) | (phase < 0.06)) & (centre > 0.06) & (centre < len(clean) / SR - 0.04)
    assert pause.sum() >= 10
    before = np.abs(ungated[0][:, pause] - ungated[1][:, pause]).mean()
    after = np.abs(gated[0][:, pause] - gated[1][:, pause]).mean()
    assert before > 5.0 and after < 0.01 * before, (before, after)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"range_db": -1.0}, "range_db"),
        ({"range_db": "20"}, "range_db"),
        ({"frame_length": 0}, "frame_length"),
        ({"hop_length": 1.5}, "hop_length"),
    ],
)
def test_gate_bad_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        NoiseGate(**params).fit(np.ones((2, 100), np.float32))


def test_gate_refuses_a_single_clip():
    with pytest.raises(ValueError, match=r"X.reshape\(1, -1\)"):
        NoiseGate().fit(np.ones(100, np.float32))
