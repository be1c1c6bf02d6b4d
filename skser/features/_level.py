"""Per-clip level normalisation: the gain of the recording chain removed before features."""

import numbers

import numpy as np

from .._validation import check_scalar_param
from ._base import WaveformPassBase, strip_padding

__all__ = ["LevelNormaliser", "active_level_db"]


def active_level_db(x, *, frame_length=512, active_range_db=30.0):
    """Active level of one clip in dB full scale (power of a full-scale sine is -3 dB).

    The clip is cut into non-overlapping frames of ``frame_length`` samples; the zero
    padding of fixed-length loading and frames of exact zeros are ignored. The active frames
    are those within ``active_range_db`` of the 95th percentile of the frame levels, and
    the active level is the mean power of those frames in dB. It is an approximation of
    the active speech level of ITU-T P.56: pauses and padding do not lower it, and a
    click louder than the speech hardly moves it. Scaling the clip by ``g`` moves it by
    exactly ``20 log10(g)`` dB.

    Parameters
    ----------
    x : ndarray of shape (n_samples,)
        One clip.
    frame_length : int, default=512
        Frame length in samples.
    active_range_db : float, default=30.0
        Frames this far below the loud frames count as pauses.

    Returns
    -------
    float or None
        The level in dB, or None for a clip of zeros.

    Examples
    --------
    >>> import numpy as np
    >>> from skser.features import active_level_db
    >>> t = np.arange(16000) / 16000
    >>> tone = 0.1 * np.sin(2 * np.pi * 220 * t)
    >>> round(active_level_db(tone), 1)  # 0.1 amplitude: 20 log10(0.1) - 3 dB
    -23.0
    >>> quiet = np.concatenate([tone, np.zeros(48000)])  # padding does not count
    >>> round(active_level_db(quiet) - active_level_db(tone), 6)
    0.0
    """
    x = strip_padding(np.asarray(x, dtype=np.float64))
    n = x.size // frame_length
    power = np.square(x[: n * frame_length]).reshape(n, frame_length).mean(axis=1)
    if x.size > n * frame_length:  # the last partial frame counts too
        power = np.append(power, np.square(x[n * frame_length :]).mean())
    power = power[power > 0]
    if power.size == 0:
        return None
    level = 10.0 * np.log10(power)
    active = power[level >= np.percentile(level, 95) - active_range_db]
    return float(10.0 * np.log10(active.mean()))


class LevelNormaliser(WaveformPassBase):
    """Scale each clip to the same active level: gain and peak normalisation removed.

    A recording's absolute level says more about its microphone, preamplifier and
    whatever normalisation a corpus or tool applied than about its speaker's emotion
    (skser measured the cost: docs/benchmarks.md, issue 15). This transformer multiplies
    each clip by the one factor that brings its active level
    (:func:`active_level_db`) to ``target_db``; the loudness contour within the clip,
    an emotional cue, is kept, and padding zeros stay zeros. It is stateless: ``fit``
    learns nothing, and a clip's output depends on that clip alone. Put it before the
    features (the fusion default does, in each branch); a clip and the same clip at any
    gain then give identical features.

    Parameters
    ----------
    target_db : float, default=-26.0
        Active level after scaling, dB full scale (-26 dBov is the level of ITU-T P.56
        speech material).
    frame_length : int, default=512
        Frame length in samples for the level measurement.
    active_range_db : float, default=30.0
        Frames this far below the loud frames are pauses (see :func:`active_level_db`).

    Attributes
    ----------
    n_features_in_ : int
        Samples per clip seen in ``fit``.

    Examples
    --------
    >>> import numpy as np
    >>> from skser.features import LevelNormaliser, active_level_db
    >>> rng = np.random.default_rng(0)
    >>> clip = rng.normal(scale=0.05, size=16000)
    >>> X = np.stack([clip, 10 * clip]).astype(np.float32)  # the same clip, +20 dB
    >>> Xt = LevelNormaliser().fit_transform(X)
    >>> [round(active_level_db(x), 2) for x in Xt]
    [-26.0, -26.0]
    >>> bool(np.allclose(Xt[0], Xt[1], rtol=1e-5))
    True
    """

    def __init__(self, *, target_db=-26.0, frame_length=512, active_range_db=30.0):
        self.target_db = target_db
        self.frame_length = frame_length
        self.active_range_db = active_range_db

    def _check_params(self):
        name = type(self).__name__
        for key in ("target_db", "active_range_db"):
            value = getattr(self, key)
            if (
                isinstance(value, bool)
                or not isinstance(value, numbers.Real)
                or not np.isfinite(value)
            ):
                raise ValueError(f"{name}: {key} must be a finite number, got {value!r}")
        if self.active_range_db <= 0:
            raise ValueError(f"{name}: active_range_db must be > 0, got {self.active_range_db!r}")
        check_scalar_param(name, "frame_length", self.frame_length, "int", low=1)

    def _transform_clip(self, x):
        """Scale one clip to ``target_db`` active level (a clip of zeros is unchanged)."""
        level = active_level_db(
            x, frame_length=self.frame_length, active_range_db=self.active_range_db
        )
        if level is not None:
            x *= x.dtype.type(10.0 ** ((self.target_db - level) / 20.0))
