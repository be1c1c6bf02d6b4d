import numpy as np
import pandas as pd
import pytest
import soundfile as sf

from skser.exceptions import AudioLoadError
from skser.io import AudioLoader, load_audio


@pytest.mark.parametrize(
    "sr,subtype,channels",
    [
        (8000, "PCM_16", 1),
        (22050, "PCM_U8", 1),
        (24000, "PCM_24", 2),
        (44100, "PCM_32", 2),
        (48000, "FLOAT", 1),
        (96000, "PCM_16", 2),
    ],
)
def test_any_rate_depth_and_channels_match_librosa(tmp_path, tone_writer, sr, subtype, channels):
    import librosa

    path = tone_writer(tmp_path / "x.wav", sr=sr, seconds=0.5, channels=channels, subtype=subtype)
    y, out_sr = load_audio(path, sr=16000)
    ref, _ = librosa.load(path, sr=16000, mono=True)
    assert out_sr == 16000 and y.dtype == np.float32 and y.shape == (8000,)
    np.testing.assert_allclose(y, ref, atol=1e-6)  # same decoder and soxr HQ resampler


def test_loader_accepts_every_path_container(synthetic_files):
    out, corpus = synthetic_files
    paths = list(corpus.filenames[:4])
    ref = AudioLoader().fit_transform(paths)
    assert ref.shape == (4, 16000) and ref.dtype == np.float32
    frame = pd.DataFrame({"path": paths})
    for X in (
        np.asarray(paths),
        np.asarray(paths).reshape(-1, 1),
        frame["path"],
        frame[["path"]],
        [__import__("pathlib").Path(p) for p in paths],
    ):
        np.testing.assert_array_equal(AudioLoader().fit_transform(X), ref)
    # Audio written as 16-bit PCM: equal to the generator's float signal within 1 LSB.
    np.testing.assert_allclose(ref, corpus.data[:4], atol=1 / 2**15 + 1e-7)


def test_learned_duration_and_pad_crop(tmp_path, tone_writer):
    short = tone_writer(tmp_path / "a.wav", seconds=0.5)
    long = tone_writer(tmp_path / "b.wav", seconds=1.0)
    loader = AudioLoader().fit([str(short), str(long)])
    assert loader.n_samples_ == 16000
    out = loader.transform([str(short)])
    y, _ = load_audio(short)
    np.testing.assert_array_equal(out[0, 4000:12000], y)  # centred
    assert not out[0, :4000].any() and not out[0, 12000:].any()
    start = AudioLoader(duration=0.25, crop="start").fit_transform([str(long)])
    np.testing.assert_array_equal(start[0], load_audio(long)[0][:4000])


def test_loudest_crop_keeps_the_speech_of_a_padded_recording():
    rng = np.random.default_rng(0)
    speech = (0.3 * rng.normal(size=8000)).astype(np.float32)
    padded = np.concatenate([np.zeros(1000, np.float32), speech, np.zeros(23000, np.float32)])
    loader = AudioLoader(duration=0.5, crop="loudest").fit(np.zeros((1, 8000), np.float32))
    np.testing.assert_array_equal(loader.transform(padded[None])[0], speech)
    centre = AudioLoader(duration=0.5).fit(np.zeros((1, 8000), np.float32))
    assert not centre.transform(padded[None]).any()  # the centre of it is silence
    # shorter clips are padded as "center" does
    short = loader.transform(speech[None, :4000])[0]
    np.testing.assert_array_equal(short[2000:6000], speech[:4000])
    from skser.pipeline import make_ser_pipeline

    assert make_ser_pipeline().named_steps["load"].crop == "loudest"
    with pytest.raises(ValueError, match="crop must be 'center', 'start' or 'loudest'"):
        AudioLoader(crop="middle").fit(speech[None])


def test_trim_removes_silence(tmp_path):
    sr = 16000
    y = np.zeros(3 * sr, dtype=np.float32)
    y[sr : 2 * sr] = 0.5 * np.sin(2 * np.pi * 200 * np.arange(sr) / sr)
    sf.write(tmp_path / "s.wav", y, sr, subtype="FLOAT")
    loader = AudioLoader(trim=True).fit([str(tmp_path / "s.wav")])
    assert abs(loader.n_samples_ - sr) <= 2048 + 512  # librosa trims at frame resolution


def test_waveform_input_resampled_and_parallel_is_deterministic(synthetic_files):
    _, corpus = synthetic_files
    a = AudioLoader(input_sr=16000, sr=8000).fit_transform(corpus.data[:3])
    assert a.shape == (3, 8000)
    paths = list(corpus.filenames[:8])
    serial = AudioLoader().fit_transform(paths)
    parallel = AudioLoader(n_jobs=2).fit_transform(paths)
    np.testing.assert_array_equal(serial, parallel)
    ragged = np.empty(2, dtype=object)
    ragged[0], ragged[1] = np.ones(100), np.ones(300)
    assert AudioLoader().fit_transform(ragged).shape == (2, 300)


def test_all_bad_files_reported_at_once(tmp_path, tone_writer):
    good = tone_writer(tmp_path / "good.wav")
    (tmp_path / "empty.wav").write_bytes(b"")
    (tmp_path / "text.wav").write_text("this is not audio at all")
    valid = (tmp_path / "good.wav").read_bytes()
    (tmp_path / "truncated.wav").write_bytes(valid[:30])  # header cut short
    sf.write(tmp_path / "zero.wav", np.zeros(0), 16000)
    nan = np.full(1000, np.nan, dtype=np.float32)
    sf.write(tmp_path / "nan.wav", nan, 16000, subtype="FLOAT")
    paths = [
        str(good),
        str(tmp_path / "missing.wav"),
        str(tmp_path / "empty.wav"),
        str(tmp_path / "text.wav"),
        str(tmp_path / "truncated.wav"),
        str(tmp_path / "zero.wav"),
        str(tmp_path / "nan.wav"),
    ]
    with pytest.raises(AudioLoadError) as info:
        AudioLoader().fit(paths)
    msg = str(info.value)
    assert "6 of 7 file(s) could not be loaded" in msg
    reasons = dict(info.value.failures)
    assert reasons[paths[1]] == "file not found"
    assert reasons[paths[2]] == "empty file (0 bytes)"
    assert reasons[paths[3]].startswith("not a readable audio file")
    assert reasons[paths[4]].startswith("not a readable audio file")
    assert reasons[paths[5]] == "zero-length audio (no samples)"
    assert reasons[paths[6]] == "contains NaN or infinite samples"
    assert str(good) not in reasons


def test_bad_parameters_and_inputs():
    with pytest.raises(ValueError, match="crop must be 'center', 'start' or 'loudest'"):
        AudioLoader(crop="middle").fit(np.zeros((2, 10)))
    with pytest.raises(ValueError, match="duration must be > 0"):
        AudioLoader(duration=-1).fit(np.zeros((2, 10)))
    with pytest.raises(TypeError, match="got a single path 'a.wav'; wrap it in a list"):
        AudioLoader().fit("a.wav")
    with pytest.raises(ValueError, match="one column of file paths; the DataFrame has 2 columns"):
        AudioLoader().fit(pd.DataFrame({"path": ["a"], "emotion": ["sad"]}))
    with pytest.raises(ValueError, match="NaN"):
        AudioLoader().fit(np.array([[0.0, np.nan]]))


def test_loader_memory_caches_transform_and_sees_file_changes(tmp_path, tone_writer):
    import soundfile as sf

    import skser.io._loader as loader_mod

    paths = [str(tone_writer(tmp_path / f"t{i}.wav", freq=200 + 100 * i)) for i in range(3)]
    calls = {"n": 0}
    real = loader_mod.load_audio

    def counting(*args, **kwargs):
        calls["n"] += 1
        return real(*args, **kwargs)

    loader_mod.load_audio = counting
    try:
        cached = AudioLoader(memory=str(tmp_path / "cache")).fit(paths)
        first = cached.transform(paths)
        n_after_first = calls["n"]
        np.testing.assert_array_equal(cached.transform(paths), first)
        assert calls["n"] == n_after_first  # served from the cache
        np.testing.assert_array_equal(first, AudioLoader().fit(paths).transform(paths))
        y, sr = sf.read(paths[1])
        sf.write(paths[1], 0.5 * y, sr)  # same name, new content
        changed = cached.transform(paths)
        assert calls["n"] > n_after_first
        np.testing.assert_allclose(changed[1], 0.5 * first[1], atol=1e-4)
    finally:
        loader_mod.load_audio = real


def test_few_files_are_decoded_in_the_calling_thread(tmp_path, tone_writer, monkeypatch):
    """joblib's workers cost ~10 ms per call: a single-clip prediction must not pay it."""
    import skser.io._loader as loader_module

    paths = [str(tone_writer(tmp_path / f"t{i}.wav")) for i in range(10)]
    loader = AudioLoader(n_jobs=2, duration=0.25).fit(paths[:1])

    calls = []

    class CountingParallel(loader_module.Parallel):
        def __call__(self, iterable):
            calls.append(1)
            return super().__call__(iterable)

    monkeypatch.setattr(loader_module, "Parallel", CountingParallel)
    loader.transform(paths[:1])
    loader.transform(paths[:3])
    assert calls == []
    out = loader.transform(paths)  # a real batch still runs in parallel
    assert calls == [1] and out.shape == (10, 4000)
