"""Audit of a corpus: duplicates, silence, clipping, formats, balance."""

import hashlib
import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from joblib import Parallel, delayed

from ..io._audio import read_soundfile

__all__ = ["audit_corpus", "CorpusAudit"]

logger = logging.getLogger(__name__)

_ISSUE_COLUMNS = ["problem", "path", "detail"]


def _dbfs(x):
    return float(20 * np.log10(max(x, 1e-10)))


def _inspect(path, clip_level):
    row = {"path": path}
    try:
        data, sr, declared = read_soundfile(path)
    except Exception as exc:  # soundfile raises several types for bad files
        row["error"] = f"{type(exc).__name__}: {exc}".strip()
        return row
    row.update(sr=int(sr), channels=int(data.shape[1]), duration=data.shape[0] / sr)
    if declared is not None and declared > data.shape[0]:
        row["truncated"] = (
            f"header declares {declared / sr:.2f} s, only {data.shape[0] / sr:.2f} s decodes"
        )
    if data.size == 0:
        row["error"] = "no samples"
        return row
    bad = ~np.isfinite(data)
    if bad.any():  # NaN/inf samples: every level comparison would be False
        row["error"] = (
            f"{int(bad.sum())} of {data.size} samples are NaN or infinite (first at sample "
            f"{int(np.flatnonzero(bad.any(axis=1))[0])}); the file cannot be trained on"
        )
        return row
    row["peak_dbfs"] = _dbfs(float(np.abs(data).max()))
    row["rms_dbfs"] = _dbfs(float(np.sqrt(np.mean(data.astype(np.float64) ** 2))))
    row["clipped_fraction"] = float(np.mean(np.abs(data) >= clip_level))
    row["audio_sha256"] = hashlib.sha256(np.ascontiguousarray(data).tobytes()).hexdigest()
    return row


@dataclass
class CorpusAudit:
    """Result of :func:`audit_corpus`.

    Parameters
    ----------
    issues : pandas.DataFrame
        One row per problem: ``problem`` (``unreadable``, including NaN or infinite
        samples, ``truncated`` (the header declares more audio than decodes),
        ``duplicate_audio``,
        ``silent``, ``quiet``, ``clipping``, ``mixed_sample_rates``,
        ``mixed_channels``, ``missing_class``), ``path`` and ``detail``.
    files : pandas.DataFrame
        Per-file measurements: sample rate, channels, duration, peak and RMS level in
        dBFS, fraction of clipped samples, hash of the decoded audio.
    balance : dict of pandas.DataFrame
        Clip counts per emotion and ``actor`` / ``gender`` (and ``corpus`` when
        several corpora are combined).

    Examples
    --------
    >>> import tempfile
    >>> from skser.datasets import audit_corpus, load_ravdess, make_synthetic_speech
    >>> out = tempfile.mkdtemp()
    >>> _ = make_synthetic_speech(n_actors=2, n_clips_per_emotion=1, duration=0.5,
    ...                           random_state=0, out_dir=out)
    >>> report = audit_corpus(load_ravdess(out))
    >>> print(report.summary())
    16 files audited
    no problems found
    >>> report.balance["actor"].shape  # 2 actors x 8 emotions
    (2, 8)
    """

    issues: pd.DataFrame
    files: pd.DataFrame
    balance: dict = field(default_factory=dict)

    def count(self, problem):
        """Number of reported rows for one problem kind."""
        return int((self.issues["problem"] == problem).sum())

    def summary(self):
        """A short multi-line text summary."""
        lines = [f"{len(self.files)} files audited"]
        if self.issues.empty:
            lines.append("no problems found")
        for problem, n in self.issues["problem"].value_counts().sort_index().items():
            lines.append(f"{problem}: {n}")
        return "\n".join(lines)

    def __str__(self):
        return self.summary()


def audit_corpus(
    bunch, *, quiet_dbfs=-35.0, silent_dbfs=-60.0, clip_level=0.999, n_jobs=None, verbose=False
):
    """Find problems in a corpus: identical audio, silence, clipping, mixed formats.

    Parameters
    ----------
    bunch : Bunch or pandas.DataFrame
        A loader's result (uses its ``frame``) or a frame with ``path`` and ``emotion``
        (and optionally ``actor``, ``gender``, ``corpus``) columns.
    quiet_dbfs : float, default=-35.0
        Clips whose peak is below this level are reported as ``quiet``.
    silent_dbfs : float, default=-60.0
        Clips whose peak is below this level are reported as ``silent`` (not ``quiet``).
    clip_level : float, default=0.999
        Absolute sample value counted as clipped; a clip with more than 0.1% of such
        samples is reported as ``clipping``.
    n_jobs : int, default=None
        Parallel jobs for decoding (joblib semantics).
    verbose : bool, default=False
        Log progress.

    Returns
    -------
    CorpusAudit

    Examples
    --------
    >>> import tempfile
    >>> from skser.datasets import make_synthetic_speech, load_ravdess, audit_corpus
    >>> out = tempfile.mkdtemp()
    >>> _ = make_synthetic_speech(n_actors=2, n_clips_per_emotion=1, duration=0.5,
    ...                           random_state=0, out_dir=out)
    >>> report = audit_corpus(load_ravdess(out))
    >>> report.count("duplicate_audio")
    0
    """
    frame = bunch if isinstance(bunch, pd.DataFrame) else getattr(bunch, "frame", None)
    if frame is None or "path" not in frame:
        raise ValueError("audit_corpus needs a corpus Bunch with a frame, or a frame with 'path'")
    if not quiet_dbfs > silent_dbfs:
        raise ValueError(f"quiet_dbfs ({quiet_dbfs}) must be above silent_dbfs ({silent_dbfs})")
    paths = frame["path"].astype(str).tolist()
    logger.info("audit_corpus: reading %d files", len(paths))
    rows = Parallel(n_jobs=n_jobs, verbose=10 if verbose else 0)(
        delayed(_inspect)(p, clip_level) for p in paths
    )
    files = pd.DataFrame(rows)
    columns = ("error", "truncated", "sr", "channels", "peak_dbfs", "clipped_fraction")
    for col in (*columns, "audio_sha256"):
        if col not in files:
            files[col] = np.nan
    issues = []

    for row in files.itertuples():
        if isinstance(row.error, str):
            issues.append(("unreadable", row.path, row.error))
            continue
        if isinstance(row.truncated, str):
            issues.append(("truncated", row.path, row.truncated))
        if row.peak_dbfs < silent_dbfs:
            issues.append(("silent", row.path, f"peak {row.peak_dbfs:.1f} dBFS"))
        elif row.peak_dbfs < quiet_dbfs:
            issues.append(("quiet", row.path, f"peak {row.peak_dbfs:.1f} dBFS"))
        if isinstance(row.audio_sha256, str) and row.clipped_fraction > 0.001:
            issues.append(
                ("clipping", row.path, f"{100 * row.clipped_fraction:.2f}% samples clipped")
            )

    hashed = files.dropna(subset=["audio_sha256"])
    for _, dup in hashed[hashed["audio_sha256"].duplicated(keep=False)].groupby("audio_sha256"):
        group = dup["path"].tolist()
        for path in group:
            others = ", ".join(p for p in group if p != path)
            issues.append(("duplicate_audio", path, f"same audio as {others}"))

    for col, problem in (("sr", "mixed_sample_rates"), ("channels", "mixed_channels")):
        values = files[col].dropna()
        if values.nunique() > 1:
            majority = values.mode().iloc[0]
            counts = ", ".join(f"{int(k)}: {v} files" for k, v in values.value_counts().items())
            for path in files.loc[files[col].notna() & (files[col] != majority), "path"]:
                issues.append((problem, path, f"differs from the majority ({counts})"))

    balance = {}
    if "emotion" in frame:
        for by in ("corpus", "actor", "gender"):
            if by in frame and frame[by].nunique() > 0:
                balance[by] = pd.crosstab(frame[by], frame["emotion"])
        if "actor" in balance:
            table = balance["actor"]
            for actor, counts in table.iterrows():
                missing = [e for e in table.columns if counts[e] == 0]
                if missing:
                    issues.append(
                        ("missing_class", f"actor {actor}", f"no clips of {', '.join(missing)}")
                    )

    issues = pd.DataFrame(issues, columns=_ISSUE_COLUMNS)
    return CorpusAudit(issues=issues, files=files, balance=balance)
