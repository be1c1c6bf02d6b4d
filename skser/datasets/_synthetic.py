"""An offline acted-emotion corpus of speech-like signals.

Each clip is made by a source-filter model: a band-limited harmonic glottal source whose
f0 follows a contour (declination, syllable accents, emotion-specific shape) with jitter
and shimmer, breath noise, fricative bursts at syllable onsets, and vowel formants
(three resonators per vowel) scaled by the actor's vocal-tract length. Emotions change
the parameters the way acted emotions do in the literature (Banse & Scherer 1996;
Juslin & Laukka 2003): f0 level and range, speech rate, loudness, spectral tilt,
jitter/shimmer and breathiness. Actors differ in base pitch, formants, rate, loudness,
voice quality and in how strongly they act, and every utterance varies randomly, so the
task is learnable but not trivial and actor identity is a real confound.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import soundfile as sf
from scipy.signal import lfilter
from sklearn.utils import Bunch, check_random_state

from .._atomic import atomic_path
from .._validation import check_scalar_param
from ._labels import EMOTIONS, check_emotion_labels
from ._ravdess import RAVDESS_EMOTIONS

__all__ = ["make_synthetic_speech", "EMOTION_PROFILES"]

# Effects relative to neutral: f0 shift (semitones), f0 range factor, speech-rate factor,
# loudness (dB), spectral-tilt change (harmonic roll-off exponent; + is darker), jitter,
# shimmer and breathiness factors, and the f0 contour shape.
EMOTION_PROFILES = {
    "neutral": dict(
        f0=0.0, rng=1.0, rate=1.0, db=0.0, tilt=0.0, jit=1.0, shim=1.0, breath=1.0, shape="fall"
    ),
    "calm": dict(
        f0=-1.0,
        rng=0.75,
        rate=0.88,
        db=-3.0,
        tilt=0.25,
        jit=0.8,
        shim=0.8,
        breath=1.3,
        shape="fall",
    ),
    "happy": dict(
        f0=3.0, rng=1.5, rate=1.10, db=3.0, tilt=-0.25, jit=1.0, shim=1.0, breath=1.0, shape="wave"
    ),
    "sad": dict(
        f0=-1.5,
        rng=0.55,
        rate=0.78,
        db=-5.0,
        tilt=0.45,
        jit=1.5,
        shim=1.3,
        breath=1.7,
        shape="fall",
    ),
    "angry": dict(
        f0=2.5,
        rng=1.3,
        rate=1.12,
        db=7.0,
        tilt=-0.55,
        jit=1.3,
        shim=1.5,
        breath=0.8,
        shape="accent",
    ),
    "fearful": dict(
        f0=5.0,
        rng=0.9,
        rate=1.18,
        db=1.0,
        tilt=-0.15,
        jit=2.3,
        shim=1.6,
        breath=1.5,
        shape="tremble",
    ),
    "disgust": dict(
        f0=-1.0, rng=1.1, rate=0.84, db=1.0, tilt=0.05, jit=1.3, shim=1.2, breath=1.1, shape="fall"
    ),
    "surprised": dict(
        f0=4.0, rng=1.9, rate=1.02, db=2.0, tilt=-0.2, jit=1.0, shim=1.0, breath=1.0, shape="rise"
    ),
    "boredom": dict(
        f0=-1.2, rng=0.5, rate=0.85, db=-2.0, tilt=0.3, jit=1.0, shim=1.0, breath=1.2, shape="fall"
    ),
}

# Formants F1-F3 (Hz) of five vowels for an adult male (Peterson & Barney style values).
_VOWELS = np.array(
    [[730, 1090, 2440], [270, 2290, 3010], [300, 870, 2240], [530, 1840, 2480], [570, 840, 2410]],
    dtype=float,
)
_BANDWIDTHS = np.array([80.0, 100.0, 130.0])
# Vowel sequences of the two statements ("Kids are talking by the door", "Dogs are ...").
_STATEMENT_VOWELS = {1: [1, 0, 4, 1, 0, 3, 4], 2: [4, 0, 1, 1, 0, 3, 4]}

DESCR = """\
Synthetic acted-emotion speech made by skser.datasets.make_synthetic_speech: a
source-filter model whose emotions differ in f0 level and range, speech rate, loudness,
spectral tilt, jitter/shimmer and breathiness, with actor-specific pitch, formants, rate
and expressiveness and per-utterance variability. For demos and tests only: results on
it say nothing about real speech.
"""


def _actor_params(rng, actor_index):
    male = actor_index % 2 == 0  # actor 01 (index 0) is male, as in RAVDESS
    return dict(
        gender="male" if male else "female",
        f0=rng.uniform(100, 140) if male else rng.uniform(180, 245),
        vtl=rng.uniform(0.92, 1.03) if male else rng.uniform(1.08, 1.2),
        rate=rng.uniform(3.6, 5.2),
        db=rng.normal(0.0, 2.5),
        tilt=rng.uniform(1.2, 1.9),
        jit=rng.uniform(0.003, 0.008),
        shim=rng.uniform(0.03, 0.07),
        breath=rng.uniform(0.02, 0.08),
        expressiveness=rng.uniform(0.55, 1.25),
    )


def _smooth_noise(rng, n, width):
    """Low-pass Gaussian noise with unit standard deviation (moving average of width)."""
    width = max(int(width), 1)
    raw = rng.standard_normal(n + width)
    kernel = np.ones(width) / width
    out = np.convolve(raw, kernel, mode="valid")[:n]
    return out / (out.std() + 1e-12)


def _contour(shape, u, syllable_bumps, rng):
    if shape == "fall":
        base = 0.6 - 1.2 * u
    elif shape == "rise":
        base = -0.4 + 2.2 * np.clip((u - 0.65) / 0.35, 0, 1) ** 2
    elif shape == "wave":
        base = 0.6 * np.sin(2 * np.pi * (1.5 * u + rng.uniform()))
    elif shape == "accent":
        base = 0.3 - 0.6 * u
    elif shape == "tremble":
        base = 0.4 * np.sin(2 * np.pi * (5.0 * u + rng.uniform())) + 0.2 - 0.4 * u
    else:  # pragma: no cover - profiles are internal
        raise ValueError(shape)
    accent = 1.4 if shape == "accent" else 0.8
    return base + accent * syllable_bumps


def _resonator(freq, bw, sr):
    r = np.exp(-np.pi * bw / sr)
    theta = 2 * np.pi * freq / sr
    a = [1.0, -2 * r * np.cos(theta), r * r]
    return [sum(a)], a  # unit gain at DC


def _synthesise(rng, actor, emotion, strength, statement, sr, n):
    prof = EMOTION_PROFILES[emotion]
    k = strength * actor["expressiveness"]

    def scaled(name, spread):  # emotion factor, scaled by acting strength, with noise
        return prof[name] ** k * np.exp(rng.normal(0, spread))

    f0_shift = k * prof["f0"] + rng.normal(0, 1.2)
    f0_range = 3.0 * scaled("rng", 0.2)
    rate = actor["rate"] * scaled("rate", 0.08)
    level_db = -24.0 + actor["db"] + k * prof["db"] + rng.normal(0, 2.0)
    tilt = max(actor["tilt"] + k * prof["tilt"] + rng.normal(0, 0.12), 0.6)
    jitter = actor["jit"] * scaled("jit", 0.2)
    shimmer = actor["shim"] * scaled("shim", 0.2)
    breath = actor["breath"] * scaled("breath", 0.25)

    # Syllable rhythm inside the clip.
    start = int(sr * rng.uniform(0.08, 0.25))
    stop = n - int(sr * rng.uniform(0.08, 0.25))
    speech = max(stop - start, int(0.2 * sr))
    n_syl = max(2, int(round(speech / sr * rate)))
    period = speech / n_syl
    centres = start + (np.arange(n_syl) + 0.5) * period + rng.normal(0, 0.08 * period, n_syl)
    lengths = period * rng.uniform(0.65, 0.95, n_syl)
    vowels = [_STATEMENT_VOWELS[statement][i % 7] for i in range(n_syl)]
    t = np.arange(n)
    envs = np.zeros((len(_VOWELS), n))
    bumps = np.zeros(n)
    onsets = np.zeros(n)
    for c, length, v in zip(centres, lengths, vowels, strict=True):
        lo, hi = int(max(c - length / 2, 0)), int(min(c + length / 2, n))
        if hi - lo < 8:
            continue
        seg = np.sin(np.pi * (t[lo:hi] - lo) / (hi - lo)) ** 0.7
        envs[v, lo:hi] += seg * rng.uniform(0.75, 1.0)
        bumps[lo:hi] += np.sin(np.pi * (t[lo:hi] - lo) / (hi - lo)) * rng.normal(0, 0.6)
        burst = int(rng.uniform(0.015, 0.05) * sr)
        b_lo = max(lo - burst, 0)
        onsets[b_lo:lo] += np.hanning(lo - b_lo) if lo > b_lo else 0.0
    voiced_env = envs.sum(axis=0)

    # f0 contour with jitter, then a band-limited harmonic source with tilt and shimmer.
    u = np.clip((t - start) / speech, 0, 1)
    semitones = f0_shift + f0_range * _contour(prof["shape"], u, bumps, rng)
    f0 = actor["f0"] * 2.0 ** (semitones / 12.0)
    f0 *= 1.0 + jitter * _smooth_noise(rng, n, sr / actor["f0"])
    f0 = np.clip(f0, 50.0, 0.2 * sr)
    phase = 2 * np.pi * np.cumsum(f0) / sr
    z = np.exp(1j * phase)
    zh = z.copy()
    source = np.zeros(n)
    for h in range(1, int(0.45 * sr / f0.max()) + 1):
        source += zh.imag * h ** (-tilt)
        zh *= z
    source *= 1.0 + shimmer * _smooth_noise(rng, n, sr / actor["f0"])
    source /= np.abs(source).max() + 1e-12
    aspiration = breath * rng.standard_normal(n)

    # Vowel formants (scaled by the actor's vocal-tract length), mixed by syllable.
    excitation = source + aspiration
    voiced = np.zeros(n)
    for v, formants in enumerate(_VOWELS):
        if not envs[v].any():
            continue
        y = excitation
        for freq, bw in zip(formants * actor["vtl"], _BANDWIDTHS, strict=True):
            b, a = _resonator(min(freq, 0.45 * sr), bw, sr)
            y = lfilter(b, a, y)
        voiced += envs[v] * y
    voiced /= np.sqrt(np.mean(voiced[voiced_env > 0.1] ** 2)) + 1e-12
    fricative = np.diff(rng.standard_normal(n + 1)) * onsets * 0.25
    signal = voiced + fricative
    signal *= 10.0 ** (level_db / 20.0)
    signal += 10.0 ** (-70 / 20.0) * rng.standard_normal(n)  # recording noise floor
    peak = np.abs(signal).max()
    if peak > 0.99:
        signal *= 0.99 / peak
    return signal.astype(np.float32)


def _clip_fields(emotion, j):
    if emotion == "neutral":  # RAVDESS has no strong neutral
        return "normal", j % 2 + 1, j // 2 + 1
    return ("normal", "strong")[j % 2], (j // 2) % 2 + 1, j // 4 + 1


def _write_wav_atomic(path, data, sr):
    with atomic_path(path, suffix=".wav") as tmp:
        sf.write(tmp, data, sr, subtype="PCM_16")


def make_synthetic_speech(
    n_actors=8,
    n_clips_per_emotion=4,
    *,
    emotions=None,
    sr=16000,
    duration=2.0,
    random_state=None,
    out_dir=None,
):
    """Generate an offline acted-emotion speech corpus.

    Parameters
    ----------
    n_actors : int, default=8
        Number of actors; odd actor ids are male, even ids female (as in RAVDESS).
    n_clips_per_emotion : int, default=4
        Clips per actor and emotion. Clips alternate normal/strong intensity (neutral is
        always normal) and the two statements.
    emotions : list of str, default=None
        Emotions to generate (canonical labels); default the eight RAVDESS emotions.
    sr : int, default=16000
        Sample rate in Hz.
    duration : float, default=2.0
        Clip length in seconds (speech fills it, with short leading/trailing silence).
    random_state : int, RandomState instance or None, default=None
        Seed; the same seed gives bit-identical audio.
    out_dir : str or path-like, default=None
        If given, also write 16-bit WAV files in RAVDESS naming
        (``Actor_XX/03-01-EE-II-SS-RR-AA.wav``) so file-based pipelines and
        :func:`load_ravdess` run offline.

    Returns
    -------
    sklearn.utils.Bunch
        ``data`` (float32, ``(n_clips, n_samples)``), ``target`` (labels), ``groups``
        (actor ids ``"01"``...), ``frame`` (emotion, actor, gender, intensity, statement,
        repetition and, with ``out_dir``, path), ``filenames`` (paths, or ``None``),
        ``target_names``, ``sr``, ``DESCR``.

    Examples
    --------
    >>> from skser.datasets import make_synthetic_speech
    >>> corpus = make_synthetic_speech(n_actors=2, n_clips_per_emotion=1, duration=0.5,
    ...                                random_state=0)
    >>> corpus.data.shape, corpus.data.dtype
    ((16, 8000), dtype('float32'))
    >>> sorted(set(corpus.groups))
    ['01', '02']
    """
    for name, value, low in (
        ("n_actors", n_actors, 1),
        ("n_clips_per_emotion", n_clips_per_emotion, 1),
    ):
        check_scalar_param("make_synthetic_speech", name, value, "int", low=low)
    if n_actors > 99:
        raise ValueError(f"n_actors must be <= 99 (two-digit actor ids), got {n_actors}")
    if not (isinstance(sr, (int, np.integer)) and 4000 <= sr <= 192000):
        raise ValueError(f"sr must be an integer sample rate in [4000, 192000], got {sr!r}")
    if not (np.isscalar(duration) and 0.3 <= float(duration) <= 60):
        raise ValueError(f"duration must be between 0.3 and 60 seconds, got {duration!r}")
    emotions = list(EMOTIONS) if emotions is None else check_emotion_labels(emotions)
    if len(set(emotions)) != len(emotions) or not emotions:
        raise ValueError(f"emotions must be distinct and non-empty, got {emotions!r}")
    codes = {label: code for code, label in RAVDESS_EMOTIONS.items()}
    if out_dir is not None and any(e not in codes for e in emotions):
        raise ValueError(
            "out_dir writes RAVDESS file names, which exist only for "
            f"{', '.join(codes)}; got {emotions!r}"
        )

    rng = check_random_state(random_state)
    actors = [_actor_params(rng, i) for i in range(n_actors)]
    n = int(round(sr * float(duration)))
    rows, clips = [], []
    seeds = rng.randint(0, 2**31 - 1, size=n_actors * len(emotions) * n_clips_per_emotion)
    i = 0
    for a, actor in enumerate(actors):
        for emotion in emotions:
            for j in range(n_clips_per_emotion):
                intensity, statement, repetition = _clip_fields(emotion, j)
                strength = 1.6 if intensity == "strong" else 1.0
                clip_rng = np.random.default_rng(seeds[i])
                i += 1
                clips.append(_synthesise(clip_rng, actor, emotion, strength, statement, sr, n))
                rows.append(
                    dict(
                        corpus="synthetic",
                        emotion=emotion,
                        actor=f"{a + 1:02d}",
                        gender=actor["gender"],
                        intensity=intensity,
                        statement=statement,
                        repetition=repetition,
                    )
                )
    frame = pd.DataFrame(rows)
    data = np.stack(clips)
    filenames = None
    if out_dir is not None:
        root = Path(out_dir)
        paths = []
        for row, clip in zip(rows, data, strict=True):
            name = "03-01-{}-{:02d}-{:02d}-{:02d}-{}.wav".format(
                codes[row["emotion"]],
                1 if row["intensity"] == "normal" else 2,
                row["statement"],
                row["repetition"],
                row["actor"],
            )
            path = root / f"Actor_{row['actor']}" / name
            _write_wav_atomic(path, clip, sr)
            paths.append(str(path))
        frame.insert(0, "path", paths)
        filenames = np.asarray(paths, dtype=object)
    return Bunch(
        data=data,
        target=np.asarray(frame["emotion"].tolist(), dtype=object),
        groups=np.asarray(frame["actor"].tolist(), dtype=object),
        frame=frame,
        filenames=filenames,
        target_names=[e for e in emotions],
        sr=sr,
        DESCR=DESCR,
    )
