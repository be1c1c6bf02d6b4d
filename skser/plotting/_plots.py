"""Figures for SER work: confusion matrix, class balance, fold scores, training curves,
waveform with spectrogram, emotion timeline.

Every function returns a ``matplotlib.figure.Figure`` built without pyplot (no global
figure state, no backend change) and saves it when given ``path`` (written to a
temporary name, then renamed).
"""

import os
from pathlib import Path

import numpy as np

from .._atomic import atomic_path

__all__ = [
    "plot_confusion_matrix",
    "plot_class_balance",
    "plot_fold_scores",
    "plot_history",
    "plot_timeline",
    "plot_waveform_spectrogram",
    "save_figure",
]


def _figure(figsize):
    from matplotlib.figure import Figure

    return Figure(figsize=figsize, layout="constrained")


def save_figure(fig, path, *, dpi=150):
    """Save ``fig`` to ``path`` atomically (format from the suffix: .png, .pdf, .svg).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        Figure.
    path : str or Path
        Output file.
    dpi : int, default=150
        Resolution of raster formats.

    Returns
    -------
    Path

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from matplotlib.figure import Figure
    >>> from skser.plotting import save_figure
    >>> fig = Figure()
    >>> _ = fig.add_subplot().plot([0, 1], [1, 0])
    >>> path = save_figure(fig, Path(tempfile.mkdtemp()) / "line.png")
    >>> path.suffix, path.stat().st_size > 0
    ('.png', True)
    """
    path = Path(path)
    with atomic_path(path, suffix=path.suffix) as tmp:
        fig.savefig(tmp, dpi=dpi)
    return path


def _done(fig, path):
    if path is not None:
        save_figure(fig, path)
    return fig


def plot_confusion_matrix(cm, labels, *, normalize=True, title=None, path=None):
    """Confusion matrix, by default normalised per true class (rows sum to 1).

    Parameters
    ----------
    cm : array-like of shape (n_classes, n_classes)
        Counts; rows are true classes, columns predicted (e.g. ``CVResult.confusion_matrix``).
    labels : sequence of str
        Class names in the matrix order.
    normalize : bool, default=True
        Show recalls (row-normalised) instead of counts.
    title : str, optional
        Title.
    path : str or Path, optional
        Save the figure there.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from skser.plotting import plot_confusion_matrix
    >>> fig = plot_confusion_matrix([[8, 2], [3, 7]], ["angry", "sad"])
    >>> [t.get_text() for t in fig.axes[0].get_xticklabels()]
    ['angry', 'sad']
    """
    cm = np.asarray(cm, dtype=float)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1] or cm.shape[0] != len(labels):
        raise ValueError(
            f"cm must be square with one row per label ({len(labels)}), got shape {cm.shape}"
        )
    values = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1) if normalize else cm
    n = len(labels)
    fig = _figure((1.2 + 0.6 * n, 1.0 + 0.55 * n))
    ax = fig.add_subplot()
    im = ax.imshow(values, cmap="Blues", vmin=0, vmax=1 if normalize else None)
    ax.set_xticks(range(n), labels, rotation=45, ha="right")
    ax.set_yticks(range(n), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    peak = values.max() if values.size else 1
    for i in range(n):
        for j in range(n):
            text = f"{values[i, j]:.2f}" if normalize else f"{int(values[i, j])}"
            color = "white" if values[i, j] > 0.6 * peak else "black"
            ax.text(j, i, text, ha="center", va="center", fontsize=8, color=color)
    fig.colorbar(im, ax=ax, shrink=0.8)
    ax.set_title(title or ("recall per true class" if normalize else "confusion matrix"))
    return _done(fig, path)


def plot_class_balance(frame, *, by=None, label="emotion", title=None, path=None):
    """Clips per emotion, optionally stacked by a column (corpus, actor, gender...).

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per clip, e.g. ``bunch.frame`` from a corpus loader.
    by : str, optional
        Column to split each bar by.
    label : str, default="emotion"
        Column of the labels.
    title : str, optional
        Title.
    path : str or Path, optional
        Save the figure there.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> from skser.plotting import plot_class_balance
    >>> frame = pd.DataFrame({"emotion": ["angry", "sad", "sad"], "gender": ["male", "male", "female"]})
    >>> fig = plot_class_balance(frame, by="gender", title="Clips per emotion")
    >>> fig.axes[0].get_title()
    'Clips per emotion'
    """
    for col in [label] + ([by] if by else []):
        if col not in frame.columns:
            raise ValueError(f"frame has no column {col!r}; columns: {list(frame.columns)}")
    fig = _figure((7, 4))
    ax = fig.add_subplot()
    if by is None:
        counts = frame[label].value_counts().sort_index()
        ax.bar(counts.index.astype(str), counts.to_numpy(), color="tab:blue")
    else:
        table = frame.groupby([label, by]).size().unstack(fill_value=0).sort_index()
        bottom = np.zeros(len(table))
        for col in table.columns:
            ax.bar(table.index.astype(str), table[col].to_numpy(), bottom=bottom, label=str(col))
            bottom += table[col].to_numpy()
        ax.legend(title=by, fontsize=7, ncols=2 if table.shape[1] > 8 else 1)
    ax.set_ylabel("clips")
    ax.tick_params(axis="x", rotation=45)
    ax.set_title(title or (f"clips per {label}" + (f" and {by}" if by else "")))
    return _done(fig, path)


def plot_fold_scores(result, *, metrics=("uar", "wa"), title=None, path=None):
    """Per-fold scores of a cross-validation, with the chance UAR as a line.

    Parameters
    ----------
    result : CVResult or sequence of dict
        :func:`~skser.model_selection.cross_validate_ser` output (or its ``folds``).
    metrics : sequence of str, default=("uar", "wa")
        Metrics to draw.
    title : str, optional
        Title.
    path : str or Path, optional
        Save the figure there.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from skser.plotting import plot_fold_scores
    >>> folds = [{"fold": 1, "uar": 0.52, "wa": 0.55, "per_class_recall": {"a": 0.5, "b": 0.54}},
    ...          {"fold": 2, "uar": 0.47, "wa": 0.49, "per_class_recall": {"a": 0.4, "b": 0.54}}]
    >>> fig = plot_fold_scores(folds)
    >>> len(fig.axes)
    1
    """
    folds = getattr(result, "folds", result)
    chance = getattr(result, "summary", {}).get("chance_uar")
    fig = _figure((6, 3.5))
    ax = fig.add_subplot()
    x = np.arange(1, len(folds) + 1)
    width = 0.8 / len(metrics)
    for k, m in enumerate(metrics):
        values = [f[m] for f in folds]
        ax.bar(x + (k - (len(metrics) - 1) / 2) * width, values, width, label=m.upper())
    if chance is not None:
        ax.axhline(chance, color="grey", linestyle="--", label="chance UAR")
    ax.set_xticks(x)
    ax.set_xlabel("fold")
    ax.set_ylim(0, 1)
    ax.legend(fontsize=8)
    ax.set_title(title or "scores per fold")
    return _done(fig, path)


def plot_history(history, *, title=None, path=None):
    """Training curves (loss and accuracy per epoch) of one network or of many.

    Parameters
    ----------
    history : dict, fitted classifier, or dict of dicts
        One network: ``{"loss": [...], "accuracy": [...], "val_loss": [...], ...}`` or an
        object with ``history_``. Many networks (every member of every fold, as
        ``CVResult.folds[i]["histories"]`` gives them): a mapping from a name to such a
        dict, or a list of them; each is drawn thin and their mean over networks bold.
    title : str, optional
        Title.
    path : str or Path, optional
        Save the figure there.

    Returns
    -------
    matplotlib.figure.Figure
        Without any ``val_*`` curve, the figure says so (the networks trained on every
        training clip, with nothing held out to validate on).

    Examples
    --------
    >>> from skser.plotting import plot_history
    >>> history = {"loss": [1.2, 0.9, 0.7], "accuracy": [0.4, 0.6, 0.7],
    ...            "val_loss": [1.3, 1.1, 1.0], "val_accuracy": [0.3, 0.5, 0.55]}
    >>> fig = plot_history(history)
    >>> len(fig.axes)  # loss and accuracy
    2
    >>> many = {"fold1/deep/0": {"loss": [1.0, 0.6]}, "fold1/deep/1": {"loss": [1.1, 0.5]}}
    >>> fig = plot_history(many)
    >>> len(fig.axes[0].lines)  # two networks and their mean
    3
    """
    history = getattr(history, "history_", history)
    if isinstance(history, dict) and "loss" in history:
        runs = [history]
    elif isinstance(history, dict):
        runs = list(history.values())
    else:
        runs = list(history or [])
    runs = [getattr(r, "history_", r) for r in runs]
    if not runs or not all(isinstance(r, dict) and r.get("loss") for r in runs):
        raise ValueError(
            "history must have a 'loss' list (a fitted Keras classifier's history_), or be "
            "a mapping or list of such histories"
        )
    fig = _figure((9, 3.5))
    has_validation = any(k.startswith("val_") for r in runs for k in r)
    for k, metric in enumerate(("loss", "accuracy")):
        ax = fig.add_subplot(1, 2, k + 1)
        for key, style, colour in ((metric, "-", "C0"), (f"val_{metric}", "--", "C1")):
            curves = [np.asarray(r[key], dtype=float) for r in runs if r.get(key)]
            if not curves:
                continue
            if len(curves) == 1:
                ax.plot(np.arange(1, len(curves[0]) + 1), curves[0], style, color=colour,
                        label=key)  # fmt: skip
                continue
            for curve in curves:
                ax.plot(np.arange(1, len(curve) + 1), curve, style, color=colour, lw=0.6,
                        alpha=0.35)  # fmt: skip
            n = min(len(c) for c in curves)
            mean = np.mean([c[:n] for c in curves], axis=0)
            ax.plot(np.arange(1, n + 1), mean, style, color=colour, lw=2,
                    label=f"{key} (mean of {len(curves)})")  # fmt: skip
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        if ax.lines:
            ax.legend(fontsize=8)
    if not has_validation:
        fig.text(0.5, 0.005, "no validation curve: the networks trained on every training "
                 "clip (early_stopping=True holds out whole speakers to validate on)",
                 ha="center", va="bottom", fontsize=8)  # fmt: skip
    fig.suptitle(title or "training curves")
    return _done(fig, path)


def plot_waveform_spectrogram(y, sr, *, n_fft=1024, hop_length=256, title=None, path=None):
    """A clip's waveform above its spectrogram in dB (the EDA figure of recipe S3).

    Parameters
    ----------
    y : array-like of shape (n_samples,) or str
        Waveform, or an audio file path (loaded at ``sr``).
    sr : int
        Sample rate.
    n_fft, hop_length : int
        STFT settings of the spectrogram.
    title : str, optional
        Title.
    path : str or Path, optional
        Save the figure there.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> from skser.plotting import plot_waveform_spectrogram
    >>> sr = 16000
    >>> y = np.sin(2 * np.pi * 220 * np.arange(sr) / sr).astype("float32")
    >>> fig = plot_waveform_spectrogram(y, sr, title="220 Hz tone")
    >>> len(fig.axes) >= 2  # waveform, spectrogram (and its colour bar)
    True
    """
    import librosa

    if isinstance(y, (str, os.PathLike)):
        from ..io import load_audio

        y, sr = load_audio(y, sr=sr)
    y = np.asarray(y, dtype=np.float32).reshape(-1)
    fig = _figure((8, 5))
    ax1, ax2 = fig.add_subplot(2, 1, 1), fig.add_subplot(2, 1, 2)
    t = np.arange(len(y)) / sr
    ax1.plot(t, y, linewidth=0.5)
    ax1.set_xlim(0, t[-1] if len(t) else 1)
    ax1.set_ylabel("amplitude")
    S = librosa.amplitude_to_db(
        np.abs(librosa.stft(y, n_fft=n_fft, hop_length=hop_length)), ref=np.max
    )
    extent = (0, len(y) / sr, 0, sr / 2)
    im = ax2.imshow(S, origin="lower", aspect="auto", extent=extent, cmap="magma")
    ax2.set_xlabel("time (s)")
    ax2.set_ylabel("frequency (Hz)")
    fig.colorbar(im, ax=ax2, label="dB")
    fig.suptitle(title or "waveform and spectrogram")
    return _done(fig, path)


#: Fixed probability columns of a timeline row; every other column is a class.
_TIMELINE_COLUMNS = ("path", "start_s", "end_s", "label", "speaker")


def plot_timeline(rows, *, classes=None, title=None, path=None):
    """Stacked class probabilities over time, with the top label of each window.

    Parameters
    ----------
    rows : list of dict or pandas.DataFrame
        Windows of ONE recording, as :func:`~skser.deploy.predict_timeline` returns
        them (``start_s``, ``end_s``, ``label`` and one probability column per class).
    classes : sequence, optional
        Classes to stack, in this order; default every column that is not
        ``path``/``start_s``/``end_s``/``label``/``speaker``, in the rows' order.
    title : str, optional
        Title.
    path : str or Path, optional
        Save the figure there.

    Returns
    -------
    matplotlib.figure.Figure
        Two axes: the top-label strip (one coloured segment per window, spanning the
        window's share of the time between the neighbouring windows' centres) and the
        stacked probabilities at the window centres.

    Examples
    --------
    >>> from skser.plotting import plot_timeline
    >>> rows = [{"start_s": 0.0, "end_s": 2.0, "label": "sad", "angry": 0.2, "sad": 0.8},
    ...         {"start_s": 1.0, "end_s": 3.0, "label": "angry", "angry": 0.7, "sad": 0.3}]
    >>> fig = plot_timeline(rows)
    >>> [ax.get_ylabel() for ax in fig.axes]
    ['top', 'probability']
    """
    records = rows.to_dict("records") if hasattr(rows, "to_dict") else list(rows)
    if not records:
        raise ValueError("plot_timeline: no windows to plot (rows is empty)")
    missing = {"start_s", "end_s", "label"} - set(records[0])
    if missing:
        raise ValueError(
            f"plot_timeline: the rows lack the column(s) {sorted(missing)}; pass the rows of "
            "skser.deploy.predict_timeline"
        )
    if len({r.get("path") for r in records}) > 1:
        raise ValueError(
            "plot_timeline: the rows come from more than one recording; plot one at a time "
            "(e.g. the rows of one 'path')"
        )
    if classes is None:
        classes = [k for k in records[0] if k not in _TIMELINE_COLUMNS]
    classes = list(classes)
    absent = [c for c in classes if c not in records[0]]
    if absent or not classes:
        raise ValueError(f"plot_timeline: no probability column for the class(es) {absent}")
    records = sorted(records, key=lambda r: r["start_s"])
    centres = np.array([(r["start_s"] + r["end_s"]) / 2 for r in records])
    end = max(r["end_s"] for r in records)
    proba = np.array([[float(r[c]) for r in records] for c in classes])
    from matplotlib import colormaps

    cmap = colormaps["tab10"]
    colour = {c: cmap(i % 10) for i, c in enumerate(classes)}
    fig = _figure((9, 3.6))
    strip, ax = fig.subplots(2, 1, sharex=True, height_ratios=[1, 6])
    edges = np.concatenate([[0.0], (centres[1:] + centres[:-1]) / 2, [end]])
    for r, a, b in zip(records, edges[:-1], edges[1:], strict=True):
        strip.broken_barh([(a, b - a)], (0, 1), color=colour.get(r["label"], "grey"))
    strip.set(yticks=[], ylabel="top", ylim=(0, 1))
    strip.set_title(title or "emotion over time")
    # Held flat from the recording's start to the first centre and from the last to its end.
    x = np.concatenate([[0.0], centres, [end]])
    proba = np.concatenate([proba[:, :1], proba, proba[:, -1:]], axis=1)
    labels = [str(c) for c in classes]
    ax.stackplot(x, proba, labels=labels, colors=[colour[c] for c in classes])
    ax.set(xlim=(0, end), ylim=(0, 1), xlabel="time (s)", ylabel="probability")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small", frameon=False)
    return _done(fig, path)
