import pandas as pd
import pytest

from skser.datasets import VOCABULARY, check_emotion_labels, select_emotions


@pytest.fixture
def frame():
    return pd.DataFrame({"emotion": ["neutral", "calm", "angry", "angry", "sad"], "x": range(5)})


def test_vocabulary_is_canonical():
    assert VOCABULARY[:8] == (
        "neutral",
        "calm",
        "happy",
        "sad",
        "angry",
        "fearful",
        "disgust",
        "surprised",
    )
    assert "boredom" in VOCABULARY


def test_unknown_label_suggests_closest():
    with pytest.raises(ValueError, match=r"'angy' is not an emotion.*did you mean 'angry'"):
        check_emotion_labels(["angy"])


def test_select_list(frame):
    out = select_emotions(frame, ["angry", "sad"])
    assert out["emotion"].tolist() == ["angry", "angry", "sad"]
    assert out.index.tolist() == [0, 1, 2]


def test_select_mapping_merges_and_drops(frame):
    out = select_emotions(frame, {"calm": "neutral", "sad": None})
    assert out["emotion"].tolist() == ["neutral", "neutral", "angry", "angry"]
    assert out["emotion_original"].tolist() == ["neutral", "calm", "angry", "angry"]


def test_select_nothing_raises(frame):
    with pytest.raises(
        ValueError, match="selects no clip: the corpus has only neutral, calm, sad, angry"
    ):
        select_emotions(frame, ["happy"])
    with pytest.raises(ValueError, match="leaves no clip"):
        select_emotions(frame, {e: None for e in ["neutral", "calm", "angry", "sad"]})


def test_select_rejects_bare_string(frame):
    with pytest.raises(TypeError, match=r"write emotions=\['angry'\]"):
        select_emotions(frame, "angry")


def test_mapping_target_must_be_in_vocabulary(frame):
    with pytest.raises(ValueError, match="'joy' is not an emotion"):
        select_emotions(frame, {"angry": "joy"})
