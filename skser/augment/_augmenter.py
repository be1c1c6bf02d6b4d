"""AudioAugmenter: an imbalanced-learn sampler that adds augmented copies of waveforms."""

import logging
import numbers

import numpy as np
from imblearn.base import BaseSampler
from joblib import Parallel, delayed
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_consistent_length, validate_data

from .._validation import check_scalar_param, check_waveform_shape
from ..features._base import strip_padding
from ._channel import add_babble, apply_gain, band_limit
from ._effects import add_noise, change_speed, shift_in_time, stretch_and_shift_pitch

logger = logging.getLogger(__name__)

__all__ = ["AudioAugmenter"]

_EFFECTS = ("noise", "stretch", "pitch", "shift")


class AudioAugmenter(BaseSampler):
    """Add ``n_augment`` randomly augmented copies of every training waveform.

    An imbalanced-learn sampler: inside an ``imblearn.pipeline.Pipeline`` it runs only
    in ``fit`` (on the training part of each fold), never in ``predict``, so augmented
    copies of a clip can never be scored as test data. Put it after the
    :class:`~skser.io.AudioLoader` step (it works on fixed-length 2-D waveforms) and
    after any oversampler, so that duplicated clips become distinct copies.

    Each copy applies each effect independently with its probability; a copy that
    draws no effect gets one enabled effect chosen at random, so no copy is an exact
    duplicate. Effects run in the order time stretch and pitch shift (one phase-vocoder
    pass when both are drawn), speed change, time shift, babble, band limit, noise, then
    gain; the copy keeps the clip's length. The speed change and the recording-chain
    effects (babble, random gain, band limit) are off by default (``p_speed=0``,
    ``p_babble=0``, ``p_gain=0``, ``p_band=0``) and do not count for the "at least one
    effect" rule.

    The zero padding of fixed-length loading is not audio and stays zero padding: the
    effects apply to the recorded part of each clip (between its first and last non-zero
    sample), which the time stretch lengthens or shortens and the time shift moves;
    noise, babble, band limit and gain never reach the padding, and each SNR is relative
    to the recorded part. A test clip is padded after its recording chain, so a training
    copy then looks like one (``RepeatPadding`` and the functionals' padding removal see
    the same padding in both).

    Parameters
    ----------
    n_augment : int, default=1
        Augmented copies per clip (0 returns the input unchanged).
    sr : int, default=16000
        Sample rate of the waveforms.
    noise_snr : (float, float), default=(10.0, 30.0)
        Range of the signal-to-noise ratio (dB) of added white noise.
    p_noise : float, default=0.5
        Probability of adding noise to a copy.
    stretch_rate : (float, float), default=(0.85, 1.15)
        Range of the time-stretch speed factor (> 1 is faster).
    p_stretch : float, default=0.5
        Probability of stretching a copy.
    pitch_steps : (float, float), default=(-2.0, 2.0)
        Range of the pitch shift in semitones.
    p_pitch : float, default=0.5
        Probability of shifting the pitch of a copy.
    max_shift : float, default=0.2
        Largest time shift in seconds (either direction; the gap is zero-filled).
    p_shift : float, default=0.5
        Probability of shifting a copy in time.
    gain_db : (float, float), default=(-12.0, 12.0)
        Range of a random gain in dB (a recording level the model should ignore).
    p_gain : float, default=0.0
        Probability of a random gain on a copy.
    band_low : (float, float), default=(100.0, 400.0)
        Range of the lower cut-off (Hz) of a random band limit (microphone/telephone).
    band_high : (float, float), default=(3000.0, 7000.0)
        Range of its upper cut-off (Hz), below half the sample rate.
    p_band : float, default=0.0
        Probability of band-limiting a copy.
    babble_snr : (float, float), default=(10.0, 30.0)
        Range of the signal-to-babble ratio (dB) of babble noise.
    p_babble : float, default=0.0
        Probability of adding babble to a copy: the sum of ``babble_talkers`` other
        clips of the training set (at random offsets, repeated to the clip's length), a
        stand-in for other people talking in the room.
    babble_talkers : int, default=4
        Other clips mixed into one babble.
    speed_rate : (float, float), default=(0.9, 1.1)
        Range of the speed factor of a speed change (> 1 is faster and higher).
    p_speed : float, default=0.0
        Probability of a speed change: the recorded part resampled as if played
        ``rate`` times faster, so pitch, formants and tempo all scale by ``rate`` (the
        "speed perturbation" of speech recognition, Ko et al., 2015): a stand-in for
        other voices, without a phase vocoder (about 20 times cheaper than a pitch
        shift).
    keep_original : bool, default=True
        Return the original clips before their copies.
    n_fft : int, default=512
        Phase-vocoder frame length for stretch and pitch shift.
    random_state : int, RandomState or None, default=None
        Seed of every random draw: the same seed gives the same copies regardless of
        ``n_jobs``.
    n_jobs : int or None, default=None
        Parallel threads.
    verbose : bool, default=False
        Show a progress bar.

    Attributes
    ----------
    n_features_in_ : int
        Samples per waveform.
    augmentations_ : pandas.DataFrame
        One row per copy made in the last ``fit_resample``: ``source`` (row of the
        input), ``noise_snr``, ``stretch_rate``, ``pitch_steps``, ``shift_samples``,
        ``gain_db``, ``band_low``, ``band_high``, ``babble_snr``, ``speed_rate``
        (NaN/0/1 where an effect was not applied).
    sample_indices_ : ndarray of int
        For each row returned by the last ``fit_resample``, the input row it copies
        (as imbalanced-learn's ``RandomOverSampler.sample_indices_``).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(0).normal(size=(4, 16000)).astype("float32")
    >>> y = np.array(["sad", "sad", "angry", "angry"])
    >>> Xa, ya = AudioAugmenter(n_augment=2, random_state=0).fit_resample(X, y)
    >>> Xa.shape, ya[:6].tolist()
    ((12, 16000), ['sad', 'sad', 'angry', 'angry', 'sad', 'sad'])
    """

    _sampling_type = "bypass"  # adds copies of every clip; no class targets
    sampling_strategy = "auto"  # BaseSampler's attribute; "bypass" samplers ignore it
    # Parameters are checked in _check_params (messages name the value and the range);
    # scikit-learn's constraint machinery is private, so none are declared to it.
    _parameter_constraints: dict = {}

    def __init__(
        self,
        *,
        n_augment=1,
        sr=16000,
        noise_snr=(10.0, 30.0),
        p_noise=0.5,
        stretch_rate=(0.85, 1.15),
        p_stretch=0.5,
        pitch_steps=(-2.0, 2.0),
        p_pitch=0.5,
        max_shift=0.2,
        p_shift=0.5,
        gain_db=(-12.0, 12.0),
        p_gain=0.0,
        band_low=(100.0, 400.0),
        band_high=(3000.0, 7000.0),
        p_band=0.0,
        babble_snr=(10.0, 30.0),
        p_babble=0.0,
        babble_talkers=4,
        speed_rate=(0.9, 1.1),
        p_speed=0.0,
        keep_original=True,
        n_fft=512,
        random_state=None,
        n_jobs=None,
        verbose=False,
    ):
        self.n_augment = n_augment
        self.sr = sr
        self.noise_snr = noise_snr
        self.p_noise = p_noise
        self.stretch_rate = stretch_rate
        self.p_stretch = p_stretch
        self.pitch_steps = pitch_steps
        self.p_pitch = p_pitch
        self.max_shift = max_shift
        self.p_shift = p_shift
        self.gain_db = gain_db
        self.p_gain = p_gain
        self.band_low = band_low
        self.band_high = band_high
        self.p_band = p_band
        self.babble_snr = babble_snr
        self.p_babble = p_babble
        self.babble_talkers = babble_talkers
        self.speed_rate = speed_rate
        self.p_speed = p_speed
        self.keep_original = keep_original
        self.n_fft = n_fft
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    # ------------------------------------------------------------------ checks
    def _check_params(self):
        def fail(name, what):
            raise ValueError(f"AudioAugmenter: {name} must be {what}, got {getattr(self, name)!r}")

        for name, minimum in (("n_augment", 0), ("sr", 1), ("n_fft", 16), ("babble_talkers", 1)):
            check_scalar_param("AudioAugmenter", name, getattr(self, name), "int", low=minimum)
        probabilities = ("p_noise", "p_stretch", "p_pitch", "p_shift", "p_gain", "p_band")
        for name in (*probabilities, "p_babble", "p_speed"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, numbers.Real) or not 0.0 <= v <= 1.0:
                fail(name, "a probability in [0, 1]")
        for name, positive in (
            ("noise_snr", False),
            ("babble_snr", False),
            ("stretch_rate", True),
            ("speed_rate", True),
            ("pitch_steps", False),
            ("gain_db", False),
            ("band_low", False),
            ("band_high", True),
        ):
            v = getattr(self, name)
            try:
                lo, hi = (float(x) for x in v)
            except (TypeError, ValueError):
                fail(name, "a (low, high) pair of numbers")
            if lo > hi or (positive and lo <= 0):
                fail(
                    name,
                    "a (low, high) pair with low <= high" + (" and low > 0" if positive else ""),
                )
        if not isinstance(self.max_shift, numbers.Real) or self.max_shift < 0:
            fail("max_shift", "a number of seconds >= 0")
        if float(self.band_low[0]) < 0 or float(self.band_low[1]) >= float(self.band_high[0]):
            fail("band_low", "a (low, high) pair of Hz >= 0, below band_high")

    def _enabled(self):
        return np.array([self.p_noise > 0, self.p_stretch > 0, self.p_pitch > 0, self.p_shift > 0])

    # ------------------------------------------------------------------ plan
    def _plan(self, n_clips, n_samples, rng):
        """Draw every random choice up front (reproducible whatever n_jobs is)."""
        m = n_clips * self.n_augment
        source = np.tile(np.arange(n_clips), self.n_augment)
        probs = np.array([self.p_noise, self.p_stretch, self.p_pitch, self.p_shift])
        apply = rng.random_sample((m, 4)) < probs
        enabled = np.flatnonzero(self._enabled())
        if enabled.size:
            none = ~apply.any(axis=1)
            apply[np.flatnonzero(none), rng.choice(enabled, size=int(none.sum()))] = True
        snr = rng.uniform(*self.noise_snr, size=m)
        rate = rng.uniform(*self.stretch_rate, size=m)
        steps = rng.uniform(*self.pitch_steps, size=m)
        max_shift = int(round(self.max_shift * self.sr))
        shift = rng.randint(-max_shift, max_shift + 1, size=m)
        seeds = rng.randint(0, np.iinfo(np.int32).max, size=m)
        # Drawn after everything above, so the copies of earlier versions (no gain, no
        # band limit) are unchanged for the same seed.
        gain = np.where(rng.random_sample(m) < self.p_gain, rng.uniform(*self.gain_db, size=m), 0.0)
        band = rng.random_sample(m) < self.p_band
        low = np.where(band, rng.uniform(*self.band_low, size=m), np.nan)
        high = np.where(band, rng.uniform(*self.band_high, size=m), np.nan)
        # babble: drawn last (earlier seeds keep their copies); talkers are other rows
        babble = (rng.random_sample(m) < self.p_babble) & (n_clips > 1)
        babble_snr = np.where(babble, rng.uniform(*self.babble_snr, size=m), np.nan)
        talkers = rng.randint(0, max(n_clips - 1, 1), size=(m, self.babble_talkers))
        talkers += talkers >= source[:, None]  # never the clip itself
        # speed: drawn after babble (earlier seeds keep their copies)
        speed = np.where(
            rng.random_sample(m) < self.p_speed, rng.uniform(*self.speed_rate, size=m), 1.0
        )
        return {
            "source": source,
            "noise_snr": np.where(apply[:, 0], snr, np.nan),
            "stretch_rate": np.where(apply[:, 1], rate, 1.0),
            "pitch_steps": np.where(apply[:, 2], steps, 0.0),
            "shift_samples": np.where(apply[:, 3], shift, 0),
            "gain_db": gain,
            "band_low": low,
            "band_high": high,
            "babble_snr": babble_snr,
            "speed_rate": speed,
            "talkers": talkers,
            "seed": seeds,
        }

    def _augment_one(self, X, i, plan):
        """Copy ``i`` of the plan: the effects on the recorded part of its source clip."""
        y = X[plan["source"][i]]
        n = len(y)
        nonzero = np.flatnonzero(y)
        if nonzero.size == 0:  # a clip of zeros: nothing was recorded
            return y.copy()
        start, stop = int(nonzero[0]), int(nonzero[-1]) + 1
        rate, steps = plan["stretch_rate"][i], plan["pitch_steps"][i]
        part = stretch_and_shift_pitch(y[start:stop], self.sr, rate=rate, n_steps=steps,
                                       n_fft=self.n_fft)  # fmt: skip
        if plan["speed_rate"][i] != 1.0:
            part = change_speed(part, self.sr, plan["speed_rate"][i])
        part = part[: n - start]  # a lengthened part is cut at the end of the clip
        out = np.zeros(n, dtype=y.dtype)
        out[start : start + len(part)] = part
        stop = start + len(part)
        shift = int(plan["shift_samples"][i])
        if shift:
            out = shift_in_time(out, shift)
            start, stop = min(max(start + shift, 0), n), min(max(stop + shift, 0), n)
        if stop <= start:  # shifted out of the clip
            return out
        seg = out[start:stop]
        seed = plan["seed"][i]
        if not np.isnan(plan["babble_snr"][i]):
            others = [strip_padding(X[j]) for j in plan["talkers"][i]]
            rng = np.random.default_rng([seed, 1])
            seg = add_babble(seg, others, plan["babble_snr"][i], rng, n_talkers=len(others))
        low, high = plan["band_low"][i], plan["band_high"][i]
        if not np.isnan(low):
            seg = band_limit(seg, self.sr, low=low, high=min(high, 0.49 * self.sr))
        if not np.isnan(plan["noise_snr"][i]):
            seg = add_noise(seg, plan["noise_snr"][i], np.random.default_rng(seed))
        if plan["gain_db"][i]:
            seg = apply_gain(seg, plan["gain_db"][i])
        out[start:stop] = seg
        return out

    # ------------------------------------------------------------------ API
    def fit(self, X, y):
        """Check the parameters and the input (``fit_resample`` does the work).

        Parameters
        ----------
        X : array-like of shape (n_clips, n_samples)
            Waveforms.
        y : array-like of shape (n_clips,)
            Labels.

        Returns
        -------
        self
        """
        return super().fit(X, y)

    def fit_resample(self, X, y, **params):
        """Return the clips (if ``keep_original``) followed by their augmented copies.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_samples)
            Equal-length waveforms, e.g. the output of :class:`~skser.io.AudioLoader`.
        y : array-like of shape (n_clips,)
            Labels; each copy keeps its clip's label.
        **params : dict
            Ignored (accepted for imbalanced-learn's pipeline).

        Returns
        -------
        X_resampled : ndarray of shape (n_clips * (keep_original + n_augment), n_samples)
        y_resampled : ndarray of shape (n_clips * (keep_original + n_augment),)
        """
        return super().fit_resample(X, y, **params)

    def _check_X_y(self, X, y, accept_sparse=None):
        """imbalanced-learn's input hook: 2-D finite float waveforms, 1-D labels."""
        from imblearn.utils import check_target_type

        self._check_params()
        check_waveform_shape(X, name="AudioAugmenter")
        if isinstance(X, list | tuple):
            X = np.asarray(X)  # a list of float64 lists stays float64
        X = validate_data(self, X, dtype=[np.float32, np.float64], ensure_all_finite=True)
        # labels may be one-hot (one-vs-all); imbalanced-learn binarises the copies' back
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        check_consistent_length(X, y)
        return X, y, binarize_y

    def _fit_resample(self, X, y):
        import pandas as pd

        rng = check_random_state(self.random_state)
        plan = self._plan(len(X), X.shape[1], rng)
        log = {k: v for k, v in plan.items() if k not in ("seed", "talkers")}
        self.augmentations_ = pd.DataFrame(log)
        m = len(plan["source"])
        start = len(X) if self.keep_original else 0
        out = np.empty((start + m, X.shape[1]), dtype=X.dtype)
        if self.keep_original:
            out[:start] = X

        def work(i):
            out[start + i] = self._augment_one(X, i, plan)

        indices = range(m)
        if self.verbose:
            from tqdm.auto import tqdm

            indices = tqdm(indices, desc="augmenting", unit="copy")
        if self.n_jobs in (None, 1):
            for i in indices:
                work(i)
        else:
            Parallel(n_jobs=self.n_jobs, prefer="threads")(delayed(work)(i) for i in indices)
        logger.debug("AudioAugmenter: %d clips -> %d rows", len(X), len(out))
        originals = [np.arange(len(X))] if self.keep_original else []
        # Row i of the output is a copy of input row sample_indices_[i]: per-clip metadata
        # (speaker ids, sample weights) follows the copies (SERPipeline reads it).
        self.sample_indices_ = np.concatenate([*originals, plan["source"]])
        y_out = y[self.sample_indices_]
        return out, y_out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()  # imbalanced-learn's sampler tags
        tags.requires_fit = False
        tags.non_deterministic = self.random_state is None
        tags.input_tags.sparse = False  # waveforms are dense
        tags.sampler_tags.sample_indices = True  # SERPipeline reads it for speaker ids
        tags.input_tags.allow_nan = False
        return tags
