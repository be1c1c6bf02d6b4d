"""Matplotlib figures (built without pyplot) for SER corpora, evaluations and models."""

from ._plots import (
    plot_class_balance,
    plot_confusion_matrix,
    plot_fold_scores,
    plot_history,
    plot_timeline,
    plot_waveform_spectrogram,
    save_figure,
)

__all__ = [
    "plot_class_balance",
    "plot_confusion_matrix",
    "plot_fold_scores",
    "plot_history",
    "plot_timeline",
    "plot_waveform_spectrogram",
    "save_figure",
]
