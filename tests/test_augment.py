"""AudioAugmenter and its waveform effects."""

import numpy as np
import pytest

from skser.augment import AudioAugmenter, add_noise, shift_in_time, stretch_and_shift_pitch
from skser.augment._effects import phase_vocoder

SR = 16000


def tone(freq=440.0, seconds=1.0, sr=SR):
    t = np.arange(int(seconds * sr)) / sr
    return (0.3 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def peak_hz(y, sr=SR):
    spectrum = np.abs(np.fft.rfft(y * np.hanning(len(y))))
    return np.fft.rfftfreq(len(y), 1 / sr)[np.argmax(spectrum)]


def speech_like(n=4, seconds=1.0, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * SR)) / SR
    X = np.stack(
        [np.sin(2 * np.pi * (150 + 30 * k) * t) * (0.5 + 0.5 * np.sin(6 * t)) for k in range(n)]
    )
    return (0.2 * X + 0.01 * rng.normal(size=X.shape)).astype(np.float32)


# ------------------------------------------------------------------------- effects
def test_pitch_shift_moves_a_tone_by_the_semitones_asked():
    for steps in (-2.0, 3.0):
        out = stretch_and_shift_pitch(tone(440.0), SR, n_steps=steps)
        assert len(out) == SR
        assert peak_hz(out) == pytest.approx(440.0 * 2 ** (steps / 12), rel=0.02)


def test_time_stretch_changes_length_not_pitch():
    for rate in (0.8, 1.25):
        out = stretch_and_shift_pitch(tone(440.0), SR, rate=rate)
        assert len(out) == round(SR / rate)
        assert peak_hz(out) == pytest.approx(440.0, rel=0.02)
    both = stretch_and_shift_pitch(tone(440.0), SR, rate=1.2, n_steps=2.0)  # one vocoder pass
    assert len(both) == round(SR / 1.2)
    assert peak_hz(both) == pytest.approx(440.0 * 2 ** (2 / 12), rel=0.02)


def test_effects_match_librosa_with_its_frame_length():
    librosa = pytest.importorskip("librosa")
    y = speech_like(1)[0]
    ref = librosa.effects.time_stretch(y, rate=1.1)
    ours = stretch_and_shift_pitch(y, SR, rate=1.1, n_fft=2048)
    assert ours.shape == ref.shape
    assert np.abs(ours - ref).max() < 0.02 * np.abs(ref).max()
    ref = librosa.effects.pitch_shift(y, sr=SR, n_steps=2)
    ours = stretch_and_shift_pitch(y, SR, n_steps=2, n_fft=2048)
    assert np.abs(ours - ref).max() < 0.02 * np.abs(ref).max()


def test_vectorised_phase_vocoder_equals_librosa_in_float64():
    librosa = pytest.importorskip("librosa")
    D = librosa.stft(speech_like(1)[0], n_fft=512, hop_length=128)
    for rate in (0.85, 1.0, 1.2):
        ref = librosa.phase_vocoder(D.astype(np.complex128), rate=rate, hop_length=128, n_fft=512)
        ours = phase_vocoder(D, rate=rate, hop_length=128, n_fft=512)
        assert ours.shape == ref.shape and ours.dtype == D.dtype
        assert np.abs(ours - ref).max() < 1e-4 * np.abs(ref).max()


def test_noise_is_added_at_the_requested_snr():
    y = tone()
    for snr in (5.0, 20.0):
        noisy = add_noise(y, snr, np.random.default_rng(0))
        measured = 10 * np.log10(np.mean(y**2) / np.mean((noisy - y) ** 2))
        assert measured == pytest.approx(snr, abs=0.3)
    silent = np.zeros(100, np.float32)
    assert np.array_equal(add_noise(silent, 10.0, np.random.default_rng(0)), silent)


def test_time_shift_delays_and_advances_with_zeros():
    y = np.arange(1, 11, dtype=np.float32)
    np.testing.assert_array_equal(shift_in_time(y, 3), [0, 0, 0, 1, 2, 3, 4, 5, 6, 7])
    np.testing.assert_array_equal(shift_in_time(y, -2), [3, 4, 5, 6, 7, 8, 9, 10, 0, 0])
    assert not shift_in_time(y, 20).any()


# ----------------------------------------------------------------------- augmenter
def test_augmenter_output_rows_labels_and_length():
    X = speech_like(4)
    y = np.array(["sad", "sad", "angry", "calm"])
    Xa, ya = AudioAugmenter(n_augment=2, random_state=0).fit_resample(X, y)
    assert Xa.shape == (12, X.shape[1]) and Xa.dtype == X.dtype
    np.testing.assert_array_equal(Xa[:4], X)
    np.testing.assert_array_equal(ya, np.tile(y, 3))
    copies = Xa[4:].reshape(2, 4, -1)
    for k in range(2):
        assert all(not np.allclose(copies[k, i], X[i]) for i in range(4))  # no exact duplicates
    Xo, yo = AudioAugmenter(n_augment=1, keep_original=False, random_state=0).fit_resample(X, y)
    assert Xo.shape == X.shape and list(yo) == list(y)
    X0, y0 = AudioAugmenter(n_augment=0).fit_resample(X, y)
    np.testing.assert_array_equal(X0, X)


def test_augmenter_is_reproducible_and_independent_of_n_jobs():
    X = speech_like(6)
    y = np.array(["a", "b"] * 3)
    a, _ = AudioAugmenter(n_augment=2, random_state=3).fit_resample(X, y)
    b, _ = AudioAugmenter(n_augment=2, random_state=3, n_jobs=2).fit_resample(X, y)
    c, _ = AudioAugmenter(n_augment=2, random_state=4).fit_resample(X, y)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a[6:], c[6:])


def test_augmentation_log_records_each_copy():
    X = speech_like(4)
    aug = AudioAugmenter(
        n_augment=3, p_noise=1.0, p_stretch=0.0, p_pitch=0.0, p_shift=0.0, random_state=0
    )
    Xa, _ = aug.fit_resample(X, np.array(["a", "b", "a", "b"]))
    log = aug.augmentations_
    assert len(log) == 12 and log["source"].tolist() == [0, 1, 2, 3] * 3
    assert log["noise_snr"].between(10, 30).all()
    assert (log["stretch_rate"] == 1.0).all() and (log["shift_samples"] == 0).all()
    for row, src, snr in zip(Xa[4:], log["source"], log["noise_snr"], strict=True):
        measured = 10 * np.log10(np.mean(X[src] ** 2) / np.mean((row - X[src]) ** 2))
        assert measured == pytest.approx(snr, abs=0.5)


@pytest.mark.parametrize(
    "params,match",
    [
        (dict(n_augment=-1), "n_augment must be an integer >= 0"),
        (dict(p_noise=1.5), "p_noise must be a probability"),
        (dict(stretch_rate=(1.2, 0.8)), "stretch_rate must be a \\(low, high\\) pair"),
        (dict(stretch_rate=(0.0, 1.1)), "low > 0"),
        (dict(pitch_steps=3), "pitch_steps must be a \\(low, high\\) pair"),
        (dict(max_shift=-1), "max_shift must be"),
    ],
)
def test_augmenter_bad_parameters_are_named(params, match):
    with pytest.raises(ValueError, match=match):
        AudioAugmenter(**params).fit_resample(speech_like(2), ["a", "b"])


def test_augmenter_rejects_non_waveform_input():
    with pytest.raises(ValueError, match="expects 2-D waveforms"):
        AudioAugmenter().fit_resample(np.zeros((2, 3, 4)), ["a", "b"])
    bad = speech_like(2)
    bad[1, 5] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        AudioAugmenter().fit_resample(bad, ["a", "b"])


# ------------------------------------------------------------- recording-chain effects
def test_random_gain_and_band_limit_copies():
    sr = 16000
    t = np.arange(sr) / sr
    X = np.stack([0.1 * np.sin(2 * np.pi * 50 * t) + 0.1 * np.sin(2 * np.pi * 1000 * t)] * 4)
    X = X.astype("float32")
    y = np.array(["a", "b", "a", "b"])
    only = dict(p_noise=0, p_stretch=0, p_pitch=0, p_shift=0, n_augment=2, random_state=0)
    aug = AudioAugmenter(p_gain=1.0, **only)
    out, _ = aug.fit_resample(X, y)
    gains = aug.augmentations_["gain_db"].to_numpy()
    assert np.all((gains >= -12) & (gains <= 12)) and np.ptp(gains) > 1
    ratio_db = 20 * np.log10(np.std(out[4:], axis=1) / np.std(X[aug.sample_indices_[4:]], axis=1))
    np.testing.assert_allclose(ratio_db, gains, atol=1e-3)
    aug = AudioAugmenter(p_band=1.0, band_low=(200.0, 300.0), band_high=(3000.0, 3400.0), **only)
    out, _ = aug.fit_resample(X, y)
    spec = np.abs(np.fft.rfft(out[4:], axis=1))
    orig = np.abs(np.fft.rfft(X[:1], axis=1))
    assert (spec[:, 50] < 0.05 * orig[0, 50]).all()  # 50 Hz removed
    assert (spec[:, 1000] > 0.9 * orig[0, 1000]).all()  # 1 kHz kept
    with pytest.raises(ValueError, match="band_low"):
        AudioAugmenter(band_low=(100.0, 4000.0)).fit_resample(X, y)


def test_channel_effects():
    from skser.augment import add_babble, apply_gain, band_limit, peak_normalise

    rng = np.random.default_rng(0)
    y = (0.1 * rng.normal(size=8000)).astype("float32")
    assert np.abs(peak_normalise(y)).max() == pytest.approx(0.99, abs=1e-6)
    np.testing.assert_allclose(apply_gain(y, -6.0), y * 10 ** (-6 / 20), rtol=1e-6)
    assert np.array_equal(peak_normalise(np.zeros(10)), np.zeros(10))
    others = [rng.normal(size=5000) for _ in range(6)]
    noisy = add_babble(y, others, 20.0, np.random.default_rng(1))
    snr = 10 * np.log10(np.mean(y**2) / np.mean((noisy - y) ** 2))
    assert snr == pytest.approx(20.0, abs=0.01)
    with pytest.raises(ValueError, match="low < high"):
        band_limit(y, 16000, low=3000, high=300)


# ------------------------------------------------------------- padding and babble
def test_effects_apply_to_the_recorded_part_and_padding_stays_zero():
    X = np.zeros((4, 16000), dtype=np.float32)
    X[:, 4000:12000] = speech_like(4, seconds=0.5)  # centred zero padding, as AudioLoader
    y = np.array(["a", "b", "a", "b"])
    chain = dict(p_noise=1.0, p_band=1.0, p_gain=1.0, p_babble=1.0, p_stretch=0.0,
                 p_pitch=0.0, p_shift=0.0, n_augment=2, keep_original=False, random_state=0)  # fmt: skip
    aug = AudioAugmenter(**chain)
    out, _ = aug.fit_resample(X, y)
    assert np.count_nonzero(out[:, :4000]) == 0 and np.count_nonzero(out[:, 12000:]) == 0
    assert np.count_nonzero(out[:, 4000:12000]) == out[:, 4000:12000].size
    # the SNR is relative to the recorded part, not to the half-empty clip
    only_noise = AudioAugmenter(p_noise=1.0, p_stretch=0.0, p_pitch=0.0, p_shift=0.0,
                                n_augment=1, keep_original=False, random_state=1)  # fmt: skip
    noisy, _ = only_noise.fit_resample(X, y)
    for row, src, snr in zip(noisy, only_noise.augmentations_["source"],
                             only_noise.augmentations_["noise_snr"], strict=True):  # fmt: skip
        part, clean = row[4000:12000], X[src, 4000:12000]
        measured = 10 * np.log10(np.mean(clean**2) / np.mean((part - clean) ** 2))
        assert measured == pytest.approx(snr, abs=0.5)
    # a stretch lengthens or shortens the recorded part, not the padding
    slow = AudioAugmenter(p_stretch=1.0, stretch_rate=(0.8, 0.8), p_noise=0.0, p_pitch=0.0,
                          p_shift=0.0, keep_original=False, random_state=0)  # fmt: skip
    stretched, _ = slow.fit_resample(X, y)
    nonzero = np.flatnonzero(stretched[0])
    assert nonzero[0] == 4000 and nonzero[-1] + 1 == pytest.approx(4000 + 8000 / 0.8, abs=600)


def test_babble_mixes_other_training_clips_at_the_requested_snr():
    X = speech_like(6)
    y = np.array(["a", "b"] * 3)
    aug = AudioAugmenter(p_babble=1.0, babble_snr=(15.0, 15.0), babble_talkers=3, p_noise=0.0,
                         p_stretch=0.0, p_pitch=0.0, p_shift=1.0, max_shift=0.0,
                         keep_original=False, random_state=0)  # fmt: skip
    out, _ = aug.fit_resample(X, y)
    log = aug.augmentations_
    assert (log["babble_snr"] == 15.0).all()
    for row, src in zip(out, log["source"], strict=True):
        babble = row - X[src]
        snr = 10 * np.log10(np.mean(X[src] ** 2) / np.mean(babble**2))
        assert snr == pytest.approx(15.0, abs=0.01)
        # the babble is made of the other clips (tones of other pitches), not of this one
        spectrum = np.abs(np.fft.rfft(babble))
        own = 150 + 30 * src  # the source's tone in Hz (1 s clips: bins are Hz)
        assert spectrum[own] < 0.2 * spectrum.max()
    off = AudioAugmenter(p_babble=0.0, random_state=0)
    off.fit_resample(X, y)
    assert off.augmentations_["babble_snr"].isna().all()
    with pytest.raises(ValueError, match="p_babble must be a probability"):
        AudioAugmenter(p_babble=2.0).fit_resample(X, y)
    with pytest.raises(ValueError, match="babble_talkers"):
        AudioAugmenter(babble_talkers=0).fit_resample(X, y)


# ------------------------------------------------------------------------- speed
def test_speed_change_scales_pitch_and_length_together():
    from skser.augment import change_speed

    for rate in (0.9, 1.1):
        out = change_speed(tone(300.0), SR, rate)
        assert len(out) == round(SR / rate) and out.dtype == np.float32
        assert peak_hz(out) == pytest.approx(300.0 * rate, rel=0.01)
    np.testing.assert_array_equal(change_speed(tone(), SR, 1.0), tone())
    with pytest.raises(ValueError, match="rate must be > 0"):
        change_speed(tone(), SR, 0.0)


def test_augmenter_speed_change_on_the_recorded_part_and_old_copies_unchanged():
    X = np.zeros((4, 16000), dtype=np.float32)
    X[:, 4000:12000] = speech_like(4, seconds=0.5)
    y = np.array(["a", "b", "a", "b"])
    only = dict(p_noise=0.0, p_stretch=0.0, p_pitch=0.0, p_shift=1.0, max_shift=0.0,
                keep_original=False, random_state=0)  # fmt: skip
    aug = AudioAugmenter(p_speed=1.0, speed_rate=(0.8, 1.2), n_augment=3, **only)
    out, _ = aug.fit_resample(X, y)
    rates = aug.augmentations_["speed_rate"].to_numpy()
    assert rates.min() >= 0.8 and rates.max() <= 1.2 and np.ptp(rates) > 0.05
    for row, rate in zip(out, rates, strict=True):
        nonzero = np.flatnonzero(row)  # the recorded part starts where it did, rescaled
        assert nonzero[0] == 4000
        assert nonzero[-1] + 1 - 4000 == pytest.approx(8000 / rate, abs=2)
    # the speed is drawn after every other effect: the other draws of a seed are unchanged
    base = dict(p_noise=0.5, p_band=0.5, p_babble=0.5, n_augment=2, random_state=3)
    off, on = AudioAugmenter(**base), AudioAugmenter(p_speed=0.7, **base)
    off.fit_resample(X, y)
    on.fit_resample(X, y)
    others = [c for c in off.augmentations_.columns if c != "speed_rate"]
    assert off.augmentations_[others].equals(on.augmentations_[others])
    assert (off.augmentations_["speed_rate"] == 1.0).all()
    assert (on.augmentations_["speed_rate"] != 1.0).sum() > 0
    with pytest.raises(ValueError, match="p_speed must be a probability"):
        AudioAugmenter(p_speed=-0.1).fit_resample(X, y)
    with pytest.raises(ValueError, match="speed_rate must be a \\(low, high\\) pair"):
        AudioAugmenter(speed_rate=(1.1, 0.9)).fit_resample(X, y)
