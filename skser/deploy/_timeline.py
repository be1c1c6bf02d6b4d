"""Per-window prediction of long recordings."""

__all__ = ["predict_timeline", "timeline_window", "class_names", "require_proba"]


def require_proba(model, caller):
    """Raise a clear ValueError when ``model`` cannot predict from audio files with
    class probabilities: it must be a pipeline that starts by loading audio."""
    from ..io import AudioLoader

    steps = getattr(model, "steps", None)
    if not steps or not isinstance(steps[0][1], AudioLoader):
        raise ValueError(
            f"{caller}: the model is a {type(model).__name__}, not a pipeline that starts with "
            "an AudioLoader step, so it cannot read audio files; save the whole pipeline "
            "(make_ser_pipeline(...).fit(...)), not only its classifier"
        )
    if not hasattr(model, "predict_proba"):
        raise ValueError(
            f"{caller}: the model has no predict_proba (e.g. an SVC without "
            "probability=True), so class probabilities cannot be reported"
        )


def class_names(model):
    """The model's classes as plain Python values (for tables and JSON)."""
    return [c.item() if hasattr(c, "item") else c for c in model.classes_]


#: Window lengths (s) a timeline accepts: one analysis frame up to an hour.
WINDOW_RANGE = (0.128, 3600.0)


def check_window(window, hop, *, names=("--window", "--hop")):
    """Refuse a timeline window or hop that is not a usable number of seconds.

    None means "the default" (the model's clip length, half a window). A window must
    be finite and within :data:`WINDOW_RANGE` (shorter holds less than one analysis
    frame); a hop must be finite, positive and at most the window (a longer hop would
    skip audio between windows). ``names`` are how the caller calls the two values
    in its messages.

    Examples
    --------
    >>> check_window(2.0, 1.0)
    >>> check_window(0, None)
    Traceback (most recent call last):
    ...
    ValueError: --window must be between 0.128 and 3600 seconds, got 0
    """
    import math

    lo, hi = WINDOW_RANGE
    wname, hname = names
    for name, value in ((wname, window), (hname, hop)):
        if value is None:
            continue
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
        ):
            raise ValueError(f"{name} must be a finite number of seconds, got {value!r}")
    if window is not None and not lo <= window <= hi:
        raise ValueError(f"{wname} must be between {lo:g} and {hi:g} seconds, got {window!r}")
    if hop is not None and hop <= 0:
        raise ValueError(f"{hname} must be > 0 seconds, got {hop!r}")
    if hop is not None and window is not None and hop > window:
        raise ValueError(
            f"{hname} ({hop:g} s) is longer than {wname} ({window:g} s): the audio between "
            "windows would not be judged"
        )


def timeline_window(model, window=None, hop=None):
    """The ``(window, hop)`` in seconds that :func:`predict_timeline` uses for ``model``:
    None is the model's clip length and half a window; both are checked
    (:func:`check_window`)."""
    loader = model.steps[0][1]
    check_window(window, hop)
    window = float(loader.n_samples_ / loader.sr if window is None else window)
    hop = float(window / 2 if hop is None else hop)
    check_window(window, hop)
    return window, hop


def predict_timeline(model, path, *, window=None, hop=None, batch_size=64):
    """Per-window emotions of one (long) recording, e.g. a call.

    The recording is cut into windows of ``window`` seconds every ``hop`` seconds
    (the last partial window is zero-padded) and each window is predicted as one clip.

    Parameters
    ----------
    model : imblearn.pipeline.Pipeline
        A fitted skser pipeline whose first step is an :class:`~skser.io.AudioLoader`
        (any pipeline from :func:`~skser.pipeline.make_ser_pipeline`, or a loaded
        bundle).
    path : str or Path
        Audio file of any length, sample rate and channel count.
    window : float or None, default=None
        Window length in seconds; None uses the model's clip length.
    hop : float or None, default=None
        Seconds between window starts; None uses half a window.
    batch_size : int, default=64
        Windows predicted per call. A speaker-normalised model (see
        :func:`~skser.pipeline.make_ser_pipeline`) takes the recording as one speaker and
        predicts all its windows in one call, so that they set the speaker's statistics.

    Returns
    -------
    list of dict
        One per window: ``path``, ``start_s``, ``end_s``, ``label`` and the
        probability of every class (``pandas.DataFrame(rows)`` makes a table).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np, soundfile as sf
    >>> from skser.datasets import make_synthetic_speech
    >>> from skser.deploy import predict_timeline
    >>> from skser.pipeline import make_ser_pipeline
    >>> corpus = make_synthetic_speech(n_actors=2, emotions=["angry", "sad"],
    ...                                n_clips_per_emotion=4, duration=1.0, random_state=0,
    ...                                out_dir=tempfile.mkdtemp())
    >>> model = make_ser_pipeline("pooled", "logreg").fit(corpus.filenames, corpus.target)
    >>> call = Path(tempfile.mkdtemp()) / "call.wav"  # 3 clips back to back: 3 s
    >>> sf.write(call, np.concatenate([sf.read(f)[0] for f in corpus.filenames[:3]]), 16000)
    >>> rows = predict_timeline(model, call, window=1.0, hop=0.5)
    >>> [(r["start_s"], r["end_s"]) for r in rows][:3], len(rows)
    ([(0.0, 1.0), (0.5, 1.5), (1.0, 2.0)], 5)
    """
    import numpy as np

    from .._routing import routing_scope, uses_speakers
    from ..io import load_audio

    require_proba(model, "predict_timeline")
    classes = class_names(model)
    sr = model.steps[0][1].sr
    window, hop = timeline_window(model, window, hop)
    y, _ = load_audio(path, sr=sr)
    n_win, n_hop = int(round(window * sr)), int(round(hop * sr))
    starts = list(range(0, max(len(y) - n_win, 0) + 1, n_hop))
    if starts[-1] + n_win < len(y):
        starts.append(starts[-1] + n_hop)
    rows = []
    speaker_normalised = uses_speakers(model, "predict")
    if speaker_normalised:
        # A speaker-normalised model: the recording is one speaker, and all its windows
        # together set that speaker's statistics, so they go in one call.
        batch_size = len(starts)
    for k in range(0, len(starts), batch_size):
        chunk = starts[k : k + batch_size]
        X = np.zeros((len(chunk), n_win), dtype=np.float32)
        for i, s in enumerate(chunk):
            piece = y[s : s + n_win]
            X[i, : len(piece)] = piece
        if speaker_normalised:
            with routing_scope():
                proba = model.predict_proba(X, groups=[str(path)] * len(X))
        else:
            proba = model.predict_proba(X)
        for s, p in zip(chunk, proba, strict=True):
            rows.append(
                {
                    "path": str(path),
                    "start_s": round(s / sr, 3),
                    "end_s": round(min(s + n_win, len(y)) / sr, 3),
                    "label": classes[int(np.argmax(p))],
                    **dict(zip(classes, map(float, p), strict=True)),
                }
            )
    return rows
