"""Padding that carries no information: a clip's silence padding replaced by its own audio."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .._validation import check_scalar_param
from ._base import WaveformPassBase

__all__ = ["RepeatPadding", "repeat_padding"]


def _speech_bounds(x, active_range_db, frame_length):
    """First and last sample of the part of ``x`` between its first and last active frame."""
    n = len(x) // frame_length
    if n < 2:
        return 0, len(x)
    power = np.square(x[: n * frame_length], dtype=np.float64).reshape(n, frame_length)
    power = power.mean(axis=1)
    level = 10.0 * np.log10(np.maximum(power, 1e-20))
    active = np.flatnonzero(level >= np.percentile(level, 95) - active_range_db)
    stop = len(x) if active[-1] == n - 1 else (active[-1] + 1) * frame_length
    return active[0] * frame_length, stop


def repeat_padding(x, *, active_range_db=None, frame_length=512):
    """One clip with its padding replaced by repeats of its own audio.

    The leading and trailing runs of exact zeros (the padding of fixed-length loading)
    are removed, with ``active_range_db`` also the silence before the first and after
    the last active frame, and what remains is repeated, from its start, to the clip's
    length. A clip of zeros is returned unchanged (as a copy).

    Parameters
    ----------
    x : ndarray of shape (n_samples,)
        One clip.
    active_range_db : float or None, default=None
        None: remove exact zeros only. A number: frames of ``frame_length`` samples more
        than this many dB below the clip's loud frames (its 95th percentile, the rule of
        :func:`~skser.features.active_level_db`) at either end are silence and removed.
    frame_length : int, default=512
        Frame length in samples for the silence test.

    Returns
    -------
    ndarray of shape (n_samples,)

    Examples
    --------
    >>> import numpy as np
    >>> from skser.features import repeat_padding
    >>> repeat_padding(np.array([0.0, 0.0, 1.0, 2.0, 3.0, 0.0, 0.0, 0.0])).tolist()
    [1.0, 2.0, 3.0, 1.0, 2.0, 3.0, 1.0, 2.0]
    >>> hum = np.full(4, 1e-3)  # 60 dB below the "speech" around it: silence
    >>> x = np.concatenate([hum, [1.0, -1.0, 1.0, -1.0], hum])
    >>> repeat_padding(x, active_range_db=30.0, frame_length=4)[:6].tolist()
    [1.0, -1.0, 1.0, -1.0, 1.0, -1.0]
    """
    x = np.asarray(x)
    nonzero = np.flatnonzero(x)
    if nonzero.size == 0:
        return x.copy()
    start, stop = int(nonzero[0]), int(nonzero[-1]) + 1
    if active_range_db is not None:
        a, b = _speech_bounds(x[start:stop], active_range_db, frame_length)
        start, stop = start + a, start + b
    if start == 0 and stop == len(x):
        return x.copy()
    return np.resize(x[start:stop], len(x))


class RepeatPadding(WaveformPassBase):
    """Replace each clip's padding and surrounding silence with repeats of its speech.

    :class:`~skser.io.AudioLoader` pads every clip shorter than its fixed length with
    exact zeros, so a 2-second clip in a 5-second window is 60 % digital silence and a
    4-second one 20 %. Frame features computed on that window carry the padding into
    every per-clip statistic downstream: the per-clip mean of cepstral mean
    normalisation, the average over frames of a network's global pooling. The model then
    judges a clip partly by its length. The silence a corpus leaves before and after
    the words does the same (about 1 s per RAVDESS clip, none in a clip cut tightly).
    This step removes the zero runs at both ends and, with ``active_range_db``, the
    silence before the first and after the last active frame, and repeats the rest to
    the full length: the frames a model sees are the clip's speech, and their
    statistics hardly depend on how long the clip was or how it was cut. Stateless. Put
    it after the loader (and any level normaliser) and before frame features.

    Parameters
    ----------
    active_range_db : float or None, default=30.0
        Leading and trailing frames this many dB below the clip's loud frames are
        silence (see :func:`repeat_padding`); None removes exact zeros only.
    frame_length : int, default=512
        Frame length in samples for the silence test.

    Examples
    --------
    >>> import numpy as np
    >>> from skser.features import RepeatPadding
    >>> X = np.array([[0.0, 0.5, -0.5, 0.0, 0.0, 0.0], [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]])
    >>> RepeatPadding().fit_transform(X).tolist()
    [[0.5, -0.5, 0.5, -0.5, 0.5, -0.5], [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]]
    """

    def __init__(self, *, active_range_db=30.0, frame_length=512):
        self.active_range_db = active_range_db
        self.frame_length = frame_length

    def _check_params(self):
        name = type(self).__name__
        check_scalar_param(name, "active_range_db", self.active_range_db, "real", low=0,
                           allow_none=True)  # fmt: skip
        check_scalar_param(name, "frame_length", self.frame_length, "int", low=1)

    def _transform_clip(self, x):
        """Replace one clip's padding by repeats of its own audio."""
        x[:] = repeat_padding(
            x, active_range_db=self.active_range_db, frame_length=self.frame_length
        )

    def get_feature_names_out(self, input_features=None):
        """Sample names, as received (waveform in, waveform out)."""
        check_is_fitted(self, "n_features_in_")
        if input_features is not None and len(input_features) != self.n_features_in_:
            raise ValueError(
                f"RepeatPadding.get_feature_names_out: input_features has "
                f"{len(input_features)} names, but X had {self.n_features_in_} columns in fit"
            )
        return super().get_feature_names_out(input_features)
