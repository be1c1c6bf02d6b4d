"""Feature transformers against direct librosa calls, shapes, names and bad input."""

import librosa
import numpy as np
import pytest

from skser.features import (
    MFCC,
    BandStandardScaler,
    FeatureStack,
    Flatten,
    FramePooling,
    LogMelSpectrogram,
    PerSampleStandardScaler,
    RMSEnergy,
    Spectrogram,
    ZeroCrossingRate,
    make_feature_stack,
)

SR = 16000


@pytest.fixture(scope="module")
def clips():
    """Real-looking speech: synthetic clips with very different levels plus a silent clip."""
    from skser.datasets import make_synthetic_speech

    c = make_synthetic_speech(
        n_actors=2,
        n_clips_per_emotion=1,
        duration=1.0,
        random_state=3,
        emotions=["sad", "angry", "neutral"],
    )
    X = c.data.copy()
    X[1] *= 1e-3  # ~60 dB quieter: per-clip dB reference and top_db must be per clip
    X[-1] = 0.0  # silence
    return X


# Tolerances: float32 input, float64 reference -> 1e-3 dB for log features, 1e-4 relative else.
def test_logmel_equals_librosa_per_clip(clips):
    t = LogMelSpectrogram(n_mels=64, ref="max", chunk_size=2).fit(clips)
    out = t.transform(clips)
    for x, got in zip(clips, out, strict=True):
        S = librosa.feature.melspectrogram(y=x, sr=SR, n_fft=2048, hop_length=512, n_mels=64)
        ref = librosa.power_to_db(S, ref=np.max, top_db=80.0)
        np.testing.assert_allclose(got, ref, atol=1e-3)
    assert np.isfinite(out).all()


def test_s1_front_end_exactly(clips):
    """S1: n_mels 128, n_fft 2048, hop 512, power_to_db, 100 frames, per-sample z-score."""
    from sklearn.pipeline import make_pipeline

    pipe = make_pipeline(LogMelSpectrogram(n_frames=100), PerSampleStandardScaler())
    out = pipe.fit_transform(clips)
    assert out.shape == (len(clips), 128, 100)
    for x, got in zip(clips, out, strict=True):
        db = librosa.power_to_db(
            librosa.feature.melspectrogram(y=x, sr=SR, n_fft=2048, hop_length=512, n_mels=128)
        )
        padded = np.pad(db, ((0, 0), (0, 100 - db.shape[1])), constant_values=db.min())
        ref = (padded - padded.mean()) / (padded.std() + 1e-8)
        np.testing.assert_allclose(got, ref, atol=1e-4)
    assert np.isfinite(out).all()  # the silent clip stays finite


def test_mfcc_with_deltas_equals_librosa(clips):
    out = MFCC(n_mfcc=13, deltas=2).fit_transform(clips)
    for x, got in zip(clips, out, strict=True):
        m = librosa.feature.mfcc(y=x, sr=SR, n_mfcc=13, n_fft=2048, hop_length=512)
        ref = np.concatenate(
            [m, librosa.feature.delta(m, order=1), librosa.feature.delta(m, order=2)]
        )
        np.testing.assert_allclose(got, ref, atol=2e-3)


def test_zcr_rms_and_stack_equal_librosa(clips):
    stack = FeatureStack([("zcr", ZeroCrossingRate()), ("rms", RMSEnergy()), ("mfcc", MFCC())])
    out = stack.fit_transform(clips)
    assert out.shape == (len(clips), 22, 32)
    for x, got in zip(clips, out, strict=True):
        np.testing.assert_allclose(got[0], librosa.feature.zero_crossing_rate(x)[0], atol=1e-7)
        np.testing.assert_allclose(got[1], librosa.feature.rms(y=x)[0], rtol=1e-4, atol=1e-9)
    assert stack.get_feature_names_out()[:3].tolist() == ["zcr", "rms", "mfcc0"]
    assert stack.get_params()["mfcc__n_mfcc"] == 20
    stack.set_params(mfcc__n_mfcc=13)
    assert stack.fit_transform(clips).shape[1] == 15


def test_spectrogram_image_equals_librosa_then_resize(clips):
    from scipy.ndimage import zoom

    out = Spectrogram(size=(64, 64)).fit_transform(clips)
    assert out.shape == (len(clips), 64, 64)
    for x, got in zip(clips, out, strict=True):
        db = librosa.amplitude_to_db(np.abs(librosa.stft(x, n_fft=512, hop_length=256)), ref=np.max)
        ref = zoom(
            db, (64 / db.shape[0], 64 / db.shape[1]), order=1, mode="nearest", grid_mode=True
        )
        np.testing.assert_allclose(got, ref, atol=1e-3)
    raw = Spectrogram(size=None).fit_transform(clips[:1])
    assert raw.shape == (1, 257, 63)


def test_pooling_flatten_and_names():
    from sklearn.pipeline import make_pipeline

    X = np.random.default_rng(0).normal(size=(4, 8000)).astype(np.float32)
    pipe = make_pipeline(
        make_feature_stack(ZeroCrossingRate(), MFCC(n_mfcc=3)),
        FramePooling(stats=("mean", "std", "max")),
    )
    out = pipe.fit_transform(X)
    assert out.shape == (4, 12)
    names = pipe.get_feature_names_out().tolist()
    assert names[:4] == ["zcr_mean", "mfcc0_mean", "mfcc1_mean", "mfcc2_mean"]
    assert names[-1] == "mfcc2_max"
    F = pipe[0].transform(X)
    np.testing.assert_allclose(out[:, 4:8], F.std(axis=-1), rtol=1e-6)
    flat = make_pipeline(make_feature_stack(ZeroCrossingRate()), Flatten())
    assert flat.fit_transform(X).shape == (4, 16)
    assert flat.get_feature_names_out()[:2].tolist() == ["zcr_t0", "zcr_t1"]


def test_normalisers():
    rng = np.random.default_rng(0)
    F = rng.normal(size=(10, 3, 20)) * np.array([1, 10, 100])[None, :, None] + 5
    scaled = BandStandardScaler().fit(F).transform(F)
    np.testing.assert_allclose(scaled.mean(axis=(0, 2)), 0, atol=1e-5)
    np.testing.assert_allclose(scaled.std(axis=(0, 2)), 1, atol=1e-4)
    # Statistics come from the training data only.
    test = BandStandardScaler().fit(F).transform(F + 100)
    assert test.mean() > 1
    ps = PerSampleStandardScaler().fit_transform(np.concatenate([F, np.zeros((1, 3, 20))]))
    np.testing.assert_allclose(ps[:10].reshape(10, -1).std(axis=1), 1, atol=1e-4)
    assert np.array_equal(ps[10], np.zeros((3, 20)))  # a constant clip is finite (zeros)


def test_chunking_and_threads_do_not_change_results(clips):
    a = LogMelSpectrogram(chunk_size=1).fit_transform(clips)
    b = LogMelSpectrogram(chunk_size=64).fit_transform(clips)
    c = LogMelSpectrogram(chunk_size=2, n_jobs=2).fit_transform(clips)
    np.testing.assert_allclose(a, b, atol=1e-4)  # float32 BLAS blocking only (measured 8e-6 dB)
    np.testing.assert_array_equal(c, LogMelSpectrogram(chunk_size=2).fit_transform(clips))


def test_bad_input_messages():
    with pytest.raises(
        ValueError,
        match=r"expects 2-D waveforms of shape \(n_clips, n_samples\).*got shape \(2, 3, 4\)",
    ):
        LogMelSpectrogram().fit(np.zeros((2, 3, 4)))
    t = MFCC().fit(np.zeros((2, 16000)))
    with pytest.raises(ValueError, match="X has 8000 features, but MFCC is expecting 16000"):
        t.transform(np.zeros((2, 8000)))
    with pytest.raises(
        ValueError,
        match=r"FramePooling expects features of shape \(n_clips, n_bands, n_frames\); got .* \(4-D\)",
    ):
        FramePooling().fit(np.zeros((1, 2, 3, 4)))
    with pytest.raises(ValueError, match="unknown stats \\['avg'\\]"):
        FramePooling(stats=["avg"]).fit(np.zeros((2, 3, 4)))
    fp = FramePooling().fit(np.zeros((2, 3, 4)))
    with pytest.raises(
        ValueError,
        match=r"X has 5 features, but FramePooling is expecting 3 features as input \(for 3-D input the features are the bands of \(n_clips, 3, n_frames\)\)",
    ):
        fp.transform(np.zeros((2, 5, 4)))
    with pytest.raises(ValueError, match="deltas must be 0, 1 or 2"):
        MFCC(deltas=3).fit(np.zeros((2, 16000)))
    with pytest.raises(ValueError, match="deltas need at least delta_width=9 frames"):
        MFCC(deltas=1).fit(np.zeros((2, 1000)))
    with pytest.raises(ValueError, match="different numbers of frames"):
        make_feature_stack(ZeroCrossingRate(hop_length=256), RMSEnergy()).fit(np.zeros((2, 16000)))
    with pytest.raises(ValueError, match="Input X contains NaN.\nLogMelSpectrogram"):
        LogMelSpectrogram().fit(np.array([[np.nan] * 100]))
    with pytest.raises(ValueError, match="Input X contains infinity"):
        BandStandardScaler().fit(np.array([[[0.0, np.inf]]]))


def test_clone_pickle_and_joblib_hash(clips):
    import pickle

    import joblib
    from sklearn.base import clone

    for t in (
        LogMelSpectrogram(n_mels=32),
        MFCC(deltas=1),
        Spectrogram(),
        make_feature_stack(ZeroCrossingRate(), RMSEnergy()),
    ):
        fitted = clone(t).fit(clips)
        again = pickle.loads(pickle.dumps(fitted))
        np.testing.assert_array_equal(fitted.transform(clips), again.transform(clips))
        assert joblib.hash(clone(t)) == joblib.hash(clone(t))  # Pipeline(memory=...) cache key


def test_pipeline_memory_caches_loading_and_features(synthetic_files, tmp_path):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    from skser.io import AudioLoader

    _, corpus = synthetic_files
    X, y = corpus.filenames[:24], corpus.target[:24]

    def make():
        return Pipeline(
            [
                ("load", AudioLoader()),
                ("mfcc", MFCC(n_mfcc=8)),
                ("pool", FramePooling()),
                ("clf", LogisticRegression(max_iter=500)),
            ],
            memory=str(tmp_path / "cache"),
        )

    first = make().fit(X, y)
    cached = sorted(p.name for p in (tmp_path / "cache" / "joblib").rglob("output.pkl"))
    assert len(cached) == 3  # one cache entry per transformer step
    second = make().fit(X, y)  # served from the cache: no new entries
    assert sorted(p.name for p in (tmp_path / "cache" / "joblib").rglob("output.pkl")) == cached
    np.testing.assert_array_equal(first.predict_proba(X), second.predict_proba(X))


def test_integer_parameters_are_checked_with_their_name():
    X = np.zeros((2, 4000))
    with pytest.raises(
        ValueError, match="LogMelSpectrogram: n_fft must be a positive integer, got 0"
    ):
        LogMelSpectrogram(n_fft=0).fit(X)
    with pytest.raises(
        ValueError, match="MFCC: n_frames must be a positive integer or None, got 2.5"
    ):
        MFCC(n_frames=2.5).fit(X)
    with pytest.raises(
        ValueError, match="RMSEnergy: hop_length must be a positive integer, got -1"
    ):
        RMSEnergy(hop_length=-1).fit(X)
    with pytest.raises(
        ValueError, match="ZeroCrossingRate: chunk_size must be a positive integer, got 0"
    ):
        ZeroCrossingRate(chunk_size=0).fit(X)


def test_band_scaler_on_2d_input_equals_standard_scaler():
    """Regression: 2-D input used to come back as a single column."""
    from sklearn.preprocessing import StandardScaler

    from skser.features import BandStandardScaler

    X = np.random.default_rng(0).normal(3.0, 2.0, size=(30, 7))
    out = BandStandardScaler().fit(X).transform(X)
    assert out.shape == (30, 7)
    np.testing.assert_allclose(out, StandardScaler().fit_transform(X), atol=1e-5)


def test_band_scaler_center_clips_removes_per_clip_offsets():
    """CMN: a clip shifted by a constant per band gives the same output."""
    from skser.features import BandStandardScaler

    rng = np.random.default_rng(0)
    F = rng.normal(size=(6, 4, 50)).astype(np.float32)
    shifted = F + rng.normal(0, 5, size=(6, 4, 1)).astype(np.float32)  # channel/speaker offsets
    cmn = BandStandardScaler(center_clips=True).fit(F)
    np.testing.assert_allclose(cmn.transform(shifted), cmn.transform(F), atol=1e-4)
    np.testing.assert_allclose(cmn.transform(F).mean(axis=2), 0.0, atol=1e-5)
    plain = BandStandardScaler().fit(F)
    assert np.abs(plain.transform(shifted) - plain.transform(F)).max() > 0.5
    with pytest.raises(ValueError, match="center_clips=True needs .n, bands, frames. features"):
        BandStandardScaler(center_clips=True).fit(F[:, :, 0])


def test_mfcc_top_db_reference_train_uses_one_floor_learnt_in_fit():
    import librosa

    from skser.features import MFCC

    rng = np.random.default_rng(0)
    X = rng.normal(size=(3, 8000)).astype(np.float32)
    X[1] *= 1e-3  # a quiet clip: 60 dB below the others
    X[2, 4000:] = 0.0  # silent padding
    per_clip = MFCC(top_db=40.0).fit(X)
    corpus = MFCC(top_db=40.0, top_db_reference="train").fit(X)
    mel = librosa.feature.melspectrogram(y=X, sr=16000, n_fft=2048, hop_length=512)
    assert corpus.db_peak_ == pytest.approx(10 * np.log10(mel.max()), abs=1e-3)
    # the whole quiet clip lies below the corpus floor: every frame is the same constant
    quiet = corpus.transform(X[1:2])[0]
    assert np.ptp(quiet, axis=1).max() < 1e-4
    assert np.ptp(per_clip.transform(X[1:2])[0], axis=1).max() > 1.0  # floored at its own peak
    # transform uses the fitted floor, whatever the batch
    np.testing.assert_allclose(corpus.transform(X[1:2]), corpus.transform(X)[1:2], atol=1e-4)
    with pytest.raises(ValueError, match="top_db_reference must be 'clip' or 'train'"):
        MFCC(top_db_reference="corpus").fit(X)


# ------------------------------------------------------------- openSMILE functionals
def test_opensmile_functionals_equal_opensmile_and_ignore_padding(tmp_path):
    """Equal to the opensmile package's own output (computed in a clean process), and
    the zero padding AudioLoader adds does not change them."""
    pytest.importorskip("opensmile")
    import subprocess
    import sys

    from skser.features import OpenSmileFeatures

    rng = np.random.default_rng(0)
    t = np.arange(8000) / 16000
    clips = [
        (0.3 * np.sin(2 * np.pi * 180 * t) + 0.01 * rng.normal(size=t.size)).astype("float32"),
        (0.2 * np.sin(2 * np.pi * 260 * t[:6000] + 0.3)).astype("float32"),
    ]  # (no exact zero at either end: that would be padding)
    np.save(tmp_path / "clip0.npy", clips[0])
    np.save(tmp_path / "clip1.npy", clips[1])
    script = (
        "import numpy as np, opensmile, sys; d = sys.argv[1]\n"
        "s = opensmile.Smile(feature_set=opensmile.FeatureSet.eGeMAPSv02,"
        " feature_level=opensmile.FeatureLevel.Functionals)\n"
        "out = [s.process_signal(np.load(f'{d}/clip{i}.npy'), 16000).to_numpy()[0] for i in (0, 1)]\n"
        "np.save(f'{d}/ref.npy', np.stack(out))\n"
    )
    subprocess.run([sys.executable, "-c", script, str(tmp_path)], check=True)
    ref = np.load(tmp_path / "ref.npy")
    padded = np.zeros((2, 12000), dtype="float32")  # as AudioLoader pads to the longest clip
    padded[0, :8000], padded[1, :6000] = clips
    ours = OpenSmileFeatures(feature_set="eGeMAPSv02").fit(padded)
    F = ours.transform(padded)
    assert F.shape == (2, 88) and len(ours.get_feature_names_out()) == 88
    np.testing.assert_allclose(F, ref, rtol=1e-4, atol=1e-4)
    centred = np.zeros((2, 12000), dtype="float32")  # crop="center"/"loudest" padding
    centred[0, 2000:10000], centred[1, 3000:9000] = clips
    np.testing.assert_allclose(ours.transform(centred), ref, rtol=1e-4, atol=1e-4)
    kept = OpenSmileFeatures(feature_set="eGeMAPSv02", strip_padding=False).fit_transform(padded)
    assert not np.allclose(kept[1], ref[1], rtol=1e-3)  # padding left in changes them
    with pytest.raises(ValueError, match="feature_set must be one of"):
        OpenSmileFeatures(feature_set="IS09").fit(padded)
    with pytest.raises(ValueError, match="level must be one of"):
        OpenSmileFeatures(level="frames").fit(padded)
    # low-level descriptors: (clips, descriptors, 10 ms frames), equal to openSMILE's
    lld = OpenSmileFeatures(feature_set="eGeMAPSv02", level="lld").fit(padded).transform(padded)
    assert lld.shape[:2] == (2, 25) and 70 <= lld.shape[2] <= 75  # 0.75 s of audio
    assert np.isfinite(lld).all()


# ------------------------------------------------------------- paralinguistic functionals
def _named(pf, F, name):
    return F[:, list(pf.get_feature_names_out()).index(name)]


def test_paralinguistic_functionals_measure_pitch_voicing_and_level():
    from skser.features import ParalinguisticFunctionals

    sr = 16000
    t = np.arange(sr) / sr
    amp = 0.5
    sines = np.stack([amp * np.sin(2 * np.pi * f * t) for f in (110.0, 220.0, 330.0)])
    noise = np.random.default_rng(0).normal(scale=0.1, size=(1, sr))
    X = np.vstack([sines, noise]).astype("float32")
    pf = ParalinguisticFunctionals().fit(X)
    F = pf.transform(X)
    assert F.shape == (4, len(pf.get_feature_names_out())) and F.dtype == np.float32
    hz = 27.5 * 2 ** (_named(pf, F, "f0_voiced_mean")[:3] / 12)
    np.testing.assert_allclose(hz, [110, 220, 330], rtol=0.01)
    voiced = _named(pf, F, "voiced_share")
    assert (voiced[:3] > 0.95).all() and voiced[3] < 0.1  # white noise is not voiced
    # loudness: RMS of a sine of amplitude A is A / sqrt(2), in dB
    np.testing.assert_allclose(
        _named(pf, F, "loudness_p50")[:3], 20 * np.log10(amp / np.sqrt(2)), atol=0.2
    )
    assert (np.abs(_named(pf, F, "jitter")[:3]) < 0.01).all()  # a steady tone has no jitter
    # the spectral centroid of a pure tone is near its frequency (hand computation)
    np.testing.assert_allclose(_named(pf, F, "centroid_p50")[:3], [110, 220, 330], rtol=0.15)


def test_paralinguistic_functionals_ignore_padding_and_have_names():
    from skser.features import ParalinguisticFunctionals

    rng = np.random.default_rng(1)
    t = np.arange(12000) / 16000
    clip = 0.3 * np.sin(2 * np.pi * 150 * t * (1 + 0.2 * t)) + 0.01 * rng.normal(size=t.size)
    X = np.zeros((2, 24000), dtype="float32")
    X[0, :12000] = clip
    X[1, :] = np.concatenate([clip, clip])
    short = ParalinguisticFunctionals().fit_transform(clip[None, :].astype("float32"))
    padded = ParalinguisticFunctionals().fit_transform(X)
    np.testing.assert_allclose(padded[0], short[0], rtol=1e-5, atol=1e-5)  # padding ignored
    assert not np.allclose(padded[1], short[0], rtol=1e-3)
    # AudioLoader pads centred (crop="center"/"loudest"): leading zeros are padding too
    centred = np.zeros((2, 24000), dtype="float32")
    centred[0, 6000:18000] = clip
    centred[1, 11000:23000] = clip
    both = ParalinguisticFunctionals().fit_transform(centred)
    np.testing.assert_allclose(both, np.repeat(short, 2, axis=0), rtol=1e-5, atol=1e-5)
    pf = ParalinguisticFunctionals(deltas=False, n_mfcc=5).fit(X)
    names = pf.get_feature_names_out()
    assert len(names) == pf.transform(X).shape[1] == 16 * 13 + 9
    assert {"f0_p50", "hnr_mean", "mfcc4_kurtosis", "jitter", "shimmer"} <= set(names)
    with pytest.raises(ValueError, match="fmin < fmax"):
        ParalinguisticFunctionals(fmin=500, fmax=100).fit(X)
    # worker processes give the same values, in clip order
    many = np.concatenate([X, centred, X[::-1]])
    np.testing.assert_array_equal(
        ParalinguisticFunctionals(n_jobs=2).fit_transform(many),
        ParalinguisticFunctionals().fit_transform(many),
    )


def _hand_frames(x, n_fft, hop):
    """Centred frames as librosa.stft cuts them (constant zero padding of n_fft // 2)."""
    padded = np.pad(x, n_fft // 2)
    n = 1 + (len(padded) - n_fft) // hop
    return np.stack([padded[i * hop : i * hop + n_fft] for i in range(n)])


def _real_looking_clips(ravdess_dir=None):
    from skser.datasets import make_synthetic_speech
    from skser.io import load_audio

    clips = list(make_synthetic_speech(n_actors=2, n_clips_per_emotion=1, random_state=3).data[:4])
    if ravdess_dir is not None:
        for name in ("Actor_01/03-01-05-02-01-01-01.flac", "Actor_02/03-01-04-01-02-02-02.flac"):
            clips.append(load_audio(ravdess_dir / name, sr=16000)[0])
    return clips


@pytest.mark.parametrize("source", ["synthetic", pytest.param("ravdess", marks=pytest.mark.data)])
def test_paralinguistic_functionals_equal_hand_computations_on_speech(source, request):
    """Loudness, centroid and ZCR by hand in numpy, f0 by librosa.pyin (another algorithm)."""
    import librosa

    from skser.features import ParalinguisticFunctionals

    ravdess = request.getfixturevalue("ravdess_dir") if source == "ravdess" else None
    pf = ParalinguisticFunctionals()
    for clip in _real_looking_clips(ravdess)[-4:] if ravdess else _real_looking_clips():
        x = np.trim_zeros(np.asarray(clip, dtype=np.float32), "fb")  # padding at both ends
        F = pf.fit_transform(x[None, :])
        n = int(np.ceil(len(x) / 160))
        frames = _hand_frames(x.astype(np.float64), 512, 160)[:n]
        rms = np.sqrt((frames**2).mean(axis=1))
        loud = 20 * np.log10(np.maximum(rms, 1e-5))
        active = loud >= np.percentile(loud, 95) - pf.active_range_db  # the frames of speech
        assert 0.2 < active.mean() < 1.0  # the clips have pauses and silence
        assert _named(pf, F, "loudness_mean")[0] == pytest.approx(loud[active].mean(), abs=0.05)
        p99 = np.percentile(loud[active], 99)
        assert _named(pf, F, "loudness_p99")[0] == pytest.approx(p99, abs=0.05)
        spec = np.abs(np.fft.rfft(frames * np.hanning(513)[:-1], axis=1))
        freqs = np.fft.rfftfreq(512, 1 / 16000)
        centroid = (spec * freqs).sum(axis=1) / np.maximum(spec.sum(axis=1), 1e-10)
        got = _named(pf, F, "centroid_p50")[0]
        assert got == pytest.approx(np.median(centroid[active]), rel=0.05)
        signs = np.signbit(frames)
        zcr = (signs[:, 1:] != signs[:, :-1]).mean(axis=1)
        assert _named(pf, F, "zcr_mean")[0] == pytest.approx(zcr[active].mean(), abs=0.01)
        every = ParalinguisticFunctionals(active_range_db=None).fit_transform(x[None, :])
        assert _named(pf, every, "loudness_mean")[0] == pytest.approx(loud.mean(), abs=0.05)
        f0, voiced, _ = librosa.pyin(x, fmin=65, fmax=600, sr=16000, frame_length=1024,
                                     hop_length=160)  # fmt: skip
        f0, voiced = f0[:n], voiced[:n]
        speech = active[: len(voiced)]
        semitones = (12 * np.log2(f0[voiced & speech] / 27.5)).mean()
        # two pitch trackers agree within 2 semitones (angry speech near 350 Hz: 1.5)
        assert _named(pf, F, "f0_voiced_mean")[0] == pytest.approx(semitones, abs=2.0)
        share = voiced[speech].mean()  # voiced share of the active frames
        assert _named(pf, F, "voiced_share")[0] == pytest.approx(share, abs=0.15)


@pytest.mark.parametrize("source", ["synthetic", pytest.param("ravdess", marks=pytest.mark.data)])
def test_paralinguistic_functionals_log_mel_bands_equal_a_hand_computation(source, request):
    """mel_bands=True: 26 log-mel bands by hand (numpy frames and FFT, librosa's mel
    filters), summarised over the active frames; the other columns are unchanged."""
    import librosa

    from skser.features import ParalinguisticFunctionals

    ravdess = request.getfixturevalue("ravdess_dir") if source == "ravdess" else None
    plain = ParalinguisticFunctionals()
    pf = ParalinguisticFunctionals(mel_bands=True)
    mel_basis = librosa.filters.mel(sr=16000, n_fft=512, n_mels=26)
    for clip in _real_looking_clips(ravdess)[-2:] if ravdess else _real_looking_clips()[:2]:
        x = np.trim_zeros(np.asarray(clip, dtype=np.float32), "fb")
        F = pf.fit_transform(x[None, :])
        names = list(pf.get_feature_names_out())
        assert (
            len(names)
            == F.shape[1]
            == len(plain.fit(x[None, :]).get_feature_names_out()) + 2 * 26 * 13
        )
        P = plain.transform(x[None, :])
        np.testing.assert_array_equal(F[:, [names.index(n) for n in plain.feature_names_]], P)
        n = int(np.ceil(len(x) / 160))
        frames = _hand_frames(x.astype(np.float64), 512, 160)[:n]
        rms = np.sqrt((frames**2).mean(axis=1))
        loud = 20 * np.log10(np.maximum(rms, 1e-5))
        active = loud >= np.percentile(loud, 95) - pf.active_range_db
        power = np.abs(np.fft.rfft(frames * np.hanning(513)[:-1], axis=1)) ** 2
        mel_db = 10 * np.log10(np.maximum(power @ mel_basis.T, 1e-10))
        mel_db = np.maximum(mel_db, mel_db.max() - 80.0)  # power_to_db's 80 dB floor
        for band in (0, 5, 12, 25):
            got = _named(pf, F, f"mel{band}_mean")[0]
            assert got == pytest.approx(mel_db[active, band].mean(), abs=0.05)
            got = _named(pf, F, f"mel{band}_p75")[0]
            assert got == pytest.approx(np.percentile(mel_db[active, band], 75), abs=0.1)


def test_functionals_of_each_track_equal_numpy_and_scipy_one_track_at_a_time():
    """The functionals are computed for all tracks at once; each equals its textbook
    definition on that track alone (np.polyfit slope, scipy skew and excess kurtosis)."""
    from scipy import stats

    from skser.features._functionals import FUNCTIONALS, _functionals

    rng = np.random.default_rng(0)
    D = np.vstack([rng.normal(size=50).cumsum(), np.full(50, 3.0), rng.gamma(2.0, size=50)])
    got = _functionals(D).reshape(3, len(FUNCTIONALS))
    for v, row in zip(D, got, strict=True):
        f = dict(zip(FUNCTIONALS, row, strict=True))
        p1, p25, p50, p75, p99 = np.percentile(v, [1, 25, 50, 75, 99])
        assert [f["p1"], f["p25"], f["p50"], f["p75"], f["p99"]] == pytest.approx(
            [p1, p25, p50, p75, p99]
        )
        assert f["mean"] == pytest.approx(v.mean()) and f["std"] == pytest.approx(v.std())
        assert f["range"] == pytest.approx(p99 - p1) and f["iqr"] == pytest.approx(p75 - p25)
        assert f["slope"] == pytest.approx(np.polyfit(np.arange(50), v, 1)[0], abs=1e-9)
        if v.std() > 0:
            assert f["skew"] == pytest.approx(stats.skew(v))
            assert f["kurtosis"] == pytest.approx(stats.kurtosis(v))
            assert f["rise"] == pytest.approx((np.diff(v) > 1e-4 * (p99 - p1)).mean())
        else:  # a flat track: no skew, the kurtosis of a constant, never a rising frame
            assert (f["skew"], f["kurtosis"], f["rise"]) == (0.0, -3.0, 0.0)
    assert _functionals(D[:, :1]).reshape(3, -1)[:, FUNCTIONALS.index("slope")].tolist() == [0] * 3
    assert _functionals(D[:, :0]).tolist() == [0.0] * (3 * len(FUNCTIONALS))


def test_feature_names_follow_sklearns_rules_and_3d_steps_refuse_dataframes():
    from sklearn.pipeline import make_pipeline

    from skser.features import MFCC, FramePooling, LogMelSpectrogram
    from skser.io import AudioLoader

    X = 0.1 * np.random.default_rng(0).normal(size=(3, 4000)).astype(np.float32)
    for step in (MFCC(n_mfcc=4), LogMelSpectrogram(n_mels=8)):
        with pytest.raises(ValueError, match=r"outputs 3-D arrays .* cannot hold: call set_output"):
            step.set_output(transform="pandas")
        assert step.set_output(transform="default") is step
    # 2-D steps after them give a DataFrame with named columns through a pipeline
    pipe = make_pipeline(AudioLoader(), MFCC(n_mfcc=4), FramePooling(stats=("mean",))).fit(X)
    assert pipe.get_feature_names_out().tolist() == [f"mfcc{i}_mean" for i in range(4)]
    frame = FramePooling(stats=("mean",)).set_output(transform="pandas")
    out = frame.fit_transform(MFCC(n_mfcc=4).fit_transform(X))
    assert out.shape == (3, 4) and list(out.columns) == [f"band{i}_mean" for i in range(4)]
    # input_features of the wrong length is an error, not silently replaced
    with pytest.raises(ValueError, match="input_features has 2 names, but the input had 4"):
        frame.get_feature_names_out(["a", "b"])
    loader = AudioLoader().fit(X)
    with pytest.raises(ValueError, match="input_features has 3 names, but X had 4000"):
        loader.get_feature_names_out(["a", "b", "c"])
    assert len(loader.get_feature_names_out([f"x{i}" for i in range(4000)])) == 4000


def test_repeat_padding_fills_the_padding_with_the_clip_and_makes_cmn_length_invariant():
    from skser.features import MFCC, RepeatPadding, repeat_padding

    x = np.array([0.0, 0.0, 1.0, -2.0, 3.0, 0.0], dtype="float32")
    assert repeat_padding(x).tolist() == [1.0, -2.0, 3.0, 1.0, -2.0, 3.0]
    full = np.arange(1.0, 7.0, dtype="float32")
    assert repeat_padding(full).tolist() == full.tolist()  # nothing to fill
    assert repeat_padding(np.zeros(4)).tolist() == [0.0] * 4  # silence stays silence
    # a 1 s speech-like clip loaded into a 2 s and a 4 s window (centred zero padding):
    # without RepeatPadding its CMN'd MFCCs depend on the window, with it hardly at all
    rng = np.random.default_rng(0)
    t = np.arange(16000) / 16000
    clip = 0.3 * np.sin(2 * np.pi * 180 * t * (1 + 0.3 * t)) + 0.02 * rng.normal(size=t.size)
    windows = []
    for n in (32000, 64000):
        w = np.zeros(n, dtype="float32")
        w[(n - 16000) // 2 : (n + 16000) // 2] = clip
        windows.append(w[None, :])

    def mean_cmn_frame(w, repeat):
        steps = [RepeatPadding()] if repeat else []
        for step in steps:
            w = step.fit_transform(w)
        F = MFCC(n_mfcc=13).fit_transform(w)
        F = F - F.mean(axis=2, keepdims=True)  # per-clip CMN
        return np.abs(F[0]).mean(axis=1)  # mean magnitude per band

    assert RepeatPadding().fit(windows[0]).transform(windows[0]).dtype == np.float32
    zero_padded = [mean_cmn_frame(w, False) for w in windows]
    repeated = [mean_cmn_frame(w, True) for w in windows]
    gap_zero = np.abs(zero_padded[0] - zero_padded[1]).max()
    gap_repeat = np.abs(repeated[0] - repeated[1]).max()
    assert gap_repeat < 0.15 * gap_zero, (gap_repeat, gap_zero)
    with pytest.raises(ValueError, match="2-D waveforms"):
        RepeatPadding().fit(clip)


def test_paralinguistic_functionals_leave_out_silence_around_the_speech():
    """The same speech with 0.25 s or 1.5 s of room noise around it (as two corpora cut
    it): the active-frame functionals hardly move, the all-frame ones do."""
    from skser.features import ParalinguisticFunctionals

    rng = np.random.default_rng(2)
    t = np.arange(16000) / 16000
    speech = 0.3 * np.sin(2 * np.pi * 160 * t * (1 + 0.3 * t)) * (0.6 + 0.4 * np.sin(9 * t))
    room = 0.0003 * rng.normal(size=48000)  # about 60 dB below the speech
    tight = np.concatenate([room[:4000], speech, room[4000:8000]])
    loose = np.concatenate([room[:24000], speech, room[24000:]])
    X = np.zeros((2, len(loose)), dtype=np.float32)
    X[0, : len(tight)], X[1] = tight, loose

    def spread(active_range_db):
        F = ParalinguisticFunctionals(active_range_db=active_range_db).fit_transform(X)
        return np.median(np.abs(F[0] - F[1]) / (np.abs(F[0]) + np.abs(F[1]) + 1e-6))

    assert spread(20.0) < 0.005  # the default
    assert spread(30.0) < 0.005
    assert spread(None) > 0.1
    with pytest.raises(ValueError, match="active_range_db"):
        ParalinguisticFunctionals(active_range_db=-1.0).fit(X)


def test_paralinguistic_functionals_leave_out_noise_in_the_pauses():
    """Noise that fills the pauses 26 dB below the speech (a room, a street: within
    30 dB of it) stays out of the default functionals: their percentiles for the clip
    with noisy pauses equal those for the clip with silent ones; with
    active_range_db=30 the noise frames enter."""
    from skser.features import ParalinguisticFunctionals

    rng = np.random.default_rng(4)
    t = np.arange(4800) / 16000  # 0.3 s syllables of a rising 150-190 Hz tone
    syllable = 0.3 * np.sin(2 * np.pi * (150 * t + 67 * t * t)) * np.hanning(len(t)) ** 0.2
    pause = np.zeros(6400)  # 0.4 s
    silent = np.concatenate([pause, syllable, pause, syllable, pause, syllable, pause])
    in_pause = np.ones(len(silent), dtype=bool)
    for k in range(3):
        in_pause[6400 + k * 11200 : 6400 + k * 11200 + 4800] = False
    loud = 20 * np.log10(np.sqrt(np.mean(syllable[1000:-1000] ** 2)))
    noise = rng.normal(scale=10 ** ((loud - 26) / 20), size=len(silent))
    noisy = silent + np.where(in_pause, noise, 0.0)
    X = np.stack([silent, noisy]).astype(np.float32)
    names = ["loudness_mean", "loudness_p25", "loudness_p50", "zcr_p50", "centroid_p50"]

    def pair(**params):
        pf = ParalinguisticFunctionals(deltas=False, **params).fit(X)
        F = pf.transform(X)
        return {n: _named(pf, F, n) for n in names}

    # the frames where a syllable starts or ends hold some noise: the means move a
    # little, the percentiles not
    default = pair()
    assert default["loudness_mean"][1] == pytest.approx(default["loudness_mean"][0], abs=1.0)
    for name in ("loudness_p25", "loudness_p50"):
        assert default[name][1] == pytest.approx(default[name][0], abs=0.2)
    for name in ("zcr_p50", "centroid_p50"):
        assert default[name][1] == pytest.approx(default[name][0], rel=0.05)
    wide = pair(active_range_db=30.0)  # the noise frames are active: the statistics move
    assert wide["loudness_p50"][1] < wide["loudness_p50"][0] - 20.0
    assert wide["centroid_p50"][1] > 10 * wide["centroid_p50"][0]
