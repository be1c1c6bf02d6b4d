import pytest

from skser.datasets import load_corpora, load_crema_d, load_emodb, load_savee, load_tess
from skser.exceptions import CorpusWarning


def touch_all(root, names, tone_writer):
    for name in names:
        tone_writer(root / name, seconds=0.05)


def test_crema_d_with_demographics(tmp_path, tone_writer):
    wav = tmp_path / "AudioWAV"
    names = [
        f"{a}_{s}_{e}_{lv}.wav"
        for a in (1001, 1002)
        for s in ("DFA", "IEO")
        for e, lv in (("ANG", "HI"), ("FEA", "XX"), ("NEU", "XX"), ("DIS", "LO"))
    ]
    touch_all(wav, names, tone_writer)
    (tmp_path / "VideoDemographics.csv").write_text(
        "ActorID,Age,Sex,Race,Ethnicity\n1001,51,Male,Caucasian,Not Hispanic\n"
        "1002,21,Female,Caucasian,Not Hispanic\n"
    )
    b = load_crema_d(wav)
    assert len(b.target) == 16
    assert set(b.target) == {"angry", "fearful", "neutral", "disgust"}
    assert b.frame.set_index("actor")["gender"].to_dict() == {"1001": "male", "1002": "female"}
    assert set(b.frame["level"]) == {"high", "unspecified", "low"}
    assert b.frame.loc[b.frame.actor == "1001", "age"].iloc[0] == 51
    no_demo = load_crema_d(wav, demographics=None)
    assert set(no_demo.frame["gender"]) == {"unknown"}


def test_crema_d_bad_codes_are_reported(tmp_path, tone_writer):
    touch_all(
        tmp_path, ["1001_DFA_ANG_XX.wav", "1001_DFA_XYZ_XX.wav", "1001_DFA_ANG_QQ.wav"], tone_writer
    )
    with pytest.warns(CorpusWarning, match=r"skipped 2 ") as record:
        b = load_crema_d(tmp_path)
    msg = str(record[0].message)
    assert "unknown emotion code 'XYZ'" in msg and "unknown level code 'QQ'" in msg
    assert record[0].filename == __file__  # the warning points at the caller
    assert b.target.tolist() == ["angry"]


def test_tess_speaker_folders(tmp_path, tone_writer):
    names = [
        "OAF_angry/OAF_back_angry.wav",
        "OAF_Pleasant_surprise/OAF_back_ps.wav",
        "YAF_fear/YAF_chalk_fear.wav",
        "YAF_pleasant_surprised/YAF_chalk_pleasant_surprised.wav",
        "YAF_neutral/YAF_dog_neutral.wav",
    ]
    touch_all(tmp_path, names, tone_writer)
    b = load_tess(tmp_path)
    got = dict(zip(b.frame["path"].str.rsplit("/", n=1).str[-1], b.target, strict=True))
    assert got == {
        "OAF_back_angry.wav": "angry",
        "OAF_back_ps.wav": "surprised",
        "YAF_chalk_fear.wav": "fearful",
        "YAF_chalk_pleasant_surprised.wav": "surprised",
        "YAF_dog_neutral.wav": "neutral",
    }
    assert set(b.groups) == {"OAF", "YAF"} and set(b.frame["gender"]) == {"female"}
    assert set(b.frame["age_group"]) == {"older", "younger"}


@pytest.mark.parametrize("flat", [True, False])
def test_savee_both_layouts(tmp_path, tone_writer, flat):
    codes = ["a01", "d02", "f03", "h04", "n05", "sa06", "su07"]
    names = [
        f"ALL/{s}_{c}.wav" if flat else f"AudioData/{s}/{c}.wav"
        for s in ("DC", "KL")
        for c in codes
    ]
    touch_all(tmp_path, names, tone_writer)
    b = load_savee(tmp_path)
    assert len(b.target) == 14
    assert set(b.groups) == {"DC", "KL"} and set(b.frame["gender"]) == {"male"}
    assert b.frame.set_index("sentence_number")["emotion"].to_dict() == {
        1: "angry",
        2: "disgust",
        3: "fearful",
        4: "happy",
        5: "neutral",
        6: "sad",
        7: "surprised",
    }


def test_emodb(tmp_path, tone_writer):
    touch_all(
        tmp_path / "wav",
        [
            "03a01Fa.wav",
            "03a01Wb.wav",
            "08b10La.wav",
            "16a05Tc.wav",
            "09a02Ea.wav",
            "11b01Aa.wav",
            "13a07Na.wav",
            "99a01Fa.wav",
        ],
        tone_writer,
    )
    b = load_emodb(tmp_path)
    assert b.target.tolist() == [
        "happy",
        "angry",
        "boredom",
        "disgust",
        "fearful",
        "neutral",
        "sad",
        "happy",
    ]
    g = b.frame.set_index("actor")["gender"].to_dict()
    assert (
        g["03"] == "male" and g["08"] == "female" and g["16"] == "female" and g["99"] == "unknown"
    )
    assert b.frame.loc[b.frame.actor == "03", "age"].iloc[0] == 31
    assert load_emodb(tmp_path, emotions=["boredom"]).target.tolist() == ["boredom"]


def test_combined_corpora_prefix_groups_and_map_labels(tmp_path, tone_writer):
    touch_all(
        tmp_path / "rav" / "Actor_01",
        ["03-01-02-01-01-01-01.wav", "03-01-05-01-01-01-01.wav"],
        tone_writer,
    )
    touch_all(tmp_path / "savee", ["DC_a01.wav", "DC_n01.wav"], tone_writer)
    touch_all(tmp_path / "tess", ["OAF_back_angry.wav"], tone_writer)
    touch_all(tmp_path / "crema", ["1001_DFA_ANG_XX.wav"], tone_writer)
    b = load_corpora(
        {
            "ravdess": tmp_path / "rav",
            "savee": tmp_path / "savee",
            "tess": tmp_path / "tess",
            "crema_d": tmp_path / "crema",
        },
        emotions={"calm": None},
    )
    assert sorted(b.groups) == ["crema_d:1001", "ravdess:01", "savee:DC", "savee:DC", "tess:OAF"]
    assert "calm" not in set(b.target) and (b.target == "angry").sum() == 4
    assert b.corpus == "crema_d+ravdess+savee+tess"
    with pytest.raises(ValueError, match="unknown corpus 'iemocap'"):
        load_corpora({"iemocap": tmp_path})
