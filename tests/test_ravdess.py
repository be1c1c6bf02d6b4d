import warnings

import pytest

from skser.datasets import load_ravdess, parse_ravdess_name
from skser.exceptions import CorpusError, CorpusWarning


def _touch(path, tone_writer):
    return tone_writer(path, seconds=0.05)


def make_tree(root, tone_writer, layout="zenodo", ext="wav", actors=(1, 2)):
    prefix = {"zenodo": "", "kaggle": "audio_speech_actors_01-24/", "flat": ""}[layout]
    for actor in actors:
        folder = "" if layout == "flat" else f"{prefix}Actor_{actor:02d}/"
        for emo in range(1, 9):
            for intensity in (1, 2):
                if emo == 1 and intensity == 2:
                    continue
                for stmt in (1, 2):
                    for rep in (1, 2):
                        name = f"03-01-{emo:02d}-{intensity:02d}-{stmt:02d}-{rep:02d}-{actor:02d}.{ext}"
                        _touch(root / f"{folder}{name}", tone_writer)
    return root


def test_parse_all_seven_fields():
    f = parse_ravdess_name("03-02-06-02-01-02-23.flac")
    assert f == {
        "emotion": "fearful",
        "actor": "23",
        "gender": "male",
        "modality": "audio-only",
        "vocal_channel": "song",
        "emotion_code": "06",
        "intensity": "strong",
        "statement": "Kids are talking by the door",
        "repetition": 2,
    }


@pytest.mark.parametrize("layout,ext", [("zenodo", "wav"), ("kaggle", "wav"), ("flat", "flac")])
def test_layouts_and_counts(tmp_path, tone_writer, layout, ext):
    make_tree(tmp_path, tone_writer, layout=layout, ext=ext)
    b = load_ravdess(tmp_path)
    assert len(b.filenames) == 120 and len(b.target) == 120
    counts = b.frame["emotion"].value_counts()
    assert counts["neutral"] == 8 and counts["angry"] == 16
    assert sorted(set(b.groups)) == ["01", "02"]
    assert set(b.frame.loc[b.frame.actor == "01", "gender"]) == {"male"}
    assert set(b.frame.loc[b.frame.actor == "02", "gender"]) == {"female"}
    assert list(b.frame.columns[:5]) == ["path", "corpus", "emotion", "actor", "gender"]
    for col in ("modality", "vocal_channel", "intensity", "statement", "repetition"):
        assert col in b.frame
    assert b.target_names[:2] == ["neutral", "calm"]
    assert "Livingstone" in b.DESCR


def test_kaggle_double_tree_is_deduplicated(tmp_path, tone_writer):
    make_tree(tmp_path / "Actor_tree", tone_writer, layout="zenodo", actors=(1,))
    make_tree(tmp_path, tone_writer, layout="kaggle", actors=(1,))
    with pytest.warns(CorpusWarning, match=r"skipped 60 file\(s\).*duplicate copy of"):
        b = load_ravdess(tmp_path)
    assert len(b.target) == 60


def test_video_modality_and_song_filtering(tmp_path, tone_writer):
    _touch(tmp_path / "02-01-01-01-01-01-01.wav", tone_writer)  # video-only: ignored
    _touch(tmp_path / "03-01-05-01-01-01-01.wav", tone_writer)  # speech
    _touch(tmp_path / "03-02-05-01-01-01-01.wav", tone_writer)  # song
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(load_ravdess(tmp_path).target) == 1
        assert load_ravdess(tmp_path, vocal_channel="song").frame["vocal_channel"].tolist() == [
            "song"
        ]
        assert len(load_ravdess(tmp_path, vocal_channel="both").target) == 2
    with pytest.raises(ValueError, match="vocal_channel must be one of"):
        load_ravdess(tmp_path, vocal_channel="sung")


def test_actor_and_emotion_selection(tmp_path, tone_writer):
    make_tree(tmp_path, tone_writer, actors=(1, 2, 3))
    b = load_ravdess(tmp_path, actors=[1, 3], emotions={"calm": "neutral", "surprised": None})
    assert sorted(set(b.groups)) == ["01", "03"]
    assert "calm" not in b.target_names and "surprised" not in b.target_names
    assert (b.target == "neutral").sum() == 2 * (4 + 8)  # per actor: 4 neutral + 8 calm
    with pytest.raises(ValueError, match="actors must be integers"):
        load_ravdess(tmp_path, actors=["x"])


def test_bad_names_warn_once_with_examples_or_raise_when_strict(tmp_path, tone_writer):
    make_tree(tmp_path, tone_writer, actors=(1,))
    _touch(tmp_path / "Actor_01" / "notes.wav", tone_writer)
    _touch(tmp_path / "Actor_01" / "03-01-09-01-01-01-01.wav", tone_writer)  # emotion 09
    (tmp_path / "Actor_01" / "03-01-05-01-01-01-09.wav").write_bytes(b"")  # empty
    with pytest.warns(CorpusWarning) as record:
        b = load_ravdess(tmp_path)
    assert len(record) == 1
    msg = str(record[0].message)
    assert "skipped 3 file(s)" in msg
    assert (
        "unknown emotion code '09'" in msg and "empty file (0 bytes)" in msg and "notes.wav" in msg
    )
    assert len(b.target) == 60
    with pytest.raises(CorpusError, match=r"skipped 3 file\(s\).*strict=True"):
        load_ravdess(tmp_path, strict=True)


def test_missing_and_empty_directories(tmp_path, tone_writer):
    with pytest.raises(FileNotFoundError, match="data_dir .*nope.* does not exist"):
        load_ravdess(tmp_path / "nope")
    with pytest.raises(CorpusError, match=r"no ravdess clips under .*found 0 audio file"):
        load_ravdess(tmp_path)
    _touch(tmp_path / "hello.wav", tone_writer)
    with pytest.raises(CorpusError, match="found 1 audio file.*none parseable.*hello.wav"):
        load_ravdess(tmp_path)
    f = tmp_path / "file.txt"
    f.write_text("x")
    with pytest.raises(NotADirectoryError, match="is not a directory"):
        load_ravdess(f)
