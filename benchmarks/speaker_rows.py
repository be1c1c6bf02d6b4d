"""Rows (a)-(d) of issue 14: speaker normalisation against the classical baseline.

Run through ``bench_ravdess.py --rows a,b,c,d`` (one process, one JSON object). Every
row is scored on the same six folds of three actors, {01,02,13} {03,04,14} {05,06,15}
{07,08,16} {09,10,17} {11,12,18}, and every model is built from skser's own estimators:

- (a) openSMILE ComParE_2016 functionals (``OpenSmileFeatures``) + per-speaker z-score
  (``SpeakerStandardScaler``) + ``LogisticRegression``, C in {0.01, 0.1, 1, 10} chosen by
  5 inner speaker folds of the training actors (nested: ``cross_validate_ser`` over
  ``make_grid_search``);
- (b) the same with global scaling only;
- (c) skser's pooled features (the ``"pooled"`` preset) + ``SpeakerStandardScaler`` +
  ``LogisticRegression`` (same nested C), and (c0) the same without speaker normalisation;
- (f) skser's ``ParalinguisticFunctionals`` (librosa, no openSMILE) + per-speaker z-score
  + ``LogisticRegression`` (same nested C), and (f0) with global scaling;
- (g) the fusion pipeline (``make_ser_pipeline("fusion")``, issue 15) without (g0)
  and with speaker normalisation, trained on files inside each fold; each branch's
  UAR alone is recorded from the same fitted models;
- (n) the default as it ships (``make_ser_pipeline()``: the fusion trained on the
  recording chain), without (n0) and with speaker normalisation;
- (d) the default pipeline (``make_ser_pipeline()``) without and with
  ``speaker_normalise=True``, trained on files inside each fold.

Rows (a)-(c) extract their features once for all clips (each feature step is stateless:
a clip's features depend on that clip alone, so computing them inside each fold gives
the same numbers) from waveforms that ``AudioLoader`` pads to the longest clip, and
cross-validate the rest of the pipeline (speaker step, scaler, classifier) fold by fold.
"""

import time

import numpy as np

ISSUE_FOLDS = [
    ["01", "02", "13"],
    ["03", "04", "14"],
    ["05", "06", "15"],
    ["07", "08", "16"],
    ["09", "10", "17"],
    ["11", "12", "18"],
]
C_GRID = [0.01, 0.1, 1.0, 10.0]


def uar_per_fold(y, pred, groups):
    """UAR of ``pred`` on each fold's test actors, in ``ISSUE_FOLDS`` order (floats)."""
    from skser.metrics import unweighted_average_recall

    y, pred, groups = np.asarray(y), np.asarray(pred), np.asarray(groups)
    out = []
    for actors in ISSUE_FOLDS:
        test = np.isin(groups, actors)
        out.append(float(unweighted_average_recall(y[test], pred[test])))
    return out


def issue_cv(groups):
    from sklearn.model_selection import PredefinedSplit

    fold_of = {a: k for k, actors in enumerate(ISSUE_FOLDS) for a in actors}
    return PredefinedSplit(np.array([fold_of.get(str(g), -1) for g in groups]))


def _linear(speaker, random_state):
    from sklearn.linear_model import LogisticRegression

    from skser.features import BandStandardScaler, SpeakerStandardScaler
    from skser.model_selection import SpeakerKFold, make_grid_search
    from skser.pipeline import SERPipeline

    pipe = SERPipeline(
        [
            ("speaker", SpeakerStandardScaler() if speaker else "passthrough"),
            ("normalise", BandStandardScaler()),
            ("clf", LogisticRegression(max_iter=3000)),
        ]
    )
    inner = SpeakerKFold(5, shuffle=True, random_state=random_state)
    return make_grid_search(pipe, {"clf__C": C_GRID}, cv=inner)


def _row(name, description, result, seconds, extra=None):
    s = result.summary
    row = {
        "row": name,
        "description": description,
        "protocol": s["protocol"],
        "uar_mean": round(s["uar_mean"], 4),
        "uar_std": round(s["uar_std"], 4),
        "uar_per_fold": [round(v, 4) for v in s["uar_per_fold"]],
        "wa_mean": round(s["wa_mean"], 4),
        "by_gender": {k: round(v["uar"], 4) for k, v in s["by_attribute"]["gender"].items()},
        "seconds": round(seconds, 1),
    }
    if s.get("selection"):
        row["inner_best_score_mean"] = round(s["selection"]["inner_best_score_mean"], 4)
        row["chosen_C_per_fold"] = [p.get("clf__C") for p in s["selection"]["best_params_per_fold"]]
    row.update(extra or {})
    return row


def run_rows(rows, bunch, *, random_state=0, cache=None, log=print):
    """Return the JSON rows for ``rows`` (a subset of "a", "b", "c", "d")."""
    from skser.io import AudioLoader
    from skser.model_selection import cross_validate_ser

    X = np.asarray(bunch.filenames)
    y = np.asarray(bunch.target)
    groups = np.asarray(bunch.groups)
    attrs = bunch.frame[["gender"]]
    cv = issue_cv(groups)
    out = []
    waves = None
    if {"a", "b", "c", "f"} & set(rows):
        t = time.perf_counter()
        waves = AudioLoader(sr=16000, n_jobs=2).fit_transform(X)
        log(f"decoded {len(X)} clips to {waves.shape} in {time.perf_counter() - t:.0f} s")

    def linear_rows(feats, label, desc, names):
        for speaker, name in zip((True, False), names, strict=True):
            if name[0] not in rows:
                continue
            t = time.perf_counter()
            result = cross_validate_ser(
                _linear(speaker, random_state), feats, y, groups, cv=cv, attributes=attrs
            )
            norm = "per-speaker z-score" if speaker else "global scaling"
            out.append(
                _row(
                    name,
                    f"{desc} + {norm} + LogisticRegression",
                    result,
                    time.perf_counter() - t,
                    {"features": label},
                )
            )
            log(f"row {name}: UAR {out[-1]['uar_mean']:.3f} ± {out[-1]['uar_std']:.3f}")

    if {"a", "b"} & set(rows):
        import opensmile

        from skser.features import OpenSmileFeatures

        t = time.perf_counter()
        F = OpenSmileFeatures().fit_transform(waves)
        log(f"openSMILE ComParE_2016: {F.shape} in {time.perf_counter() - t:.0f} s")
        linear_rows(
            F,
            f"ComParE_2016 ({F.shape[1]}), opensmile {opensmile.__version__}",
            "openSMILE ComParE_2016 functionals",
            ("a", "b"),
        )
    if "c" in rows:
        from skser.pipeline import make_ser_pipeline

        feats = make_ser_pipeline("pooled").named_steps["features"]
        t = time.perf_counter()
        F = feats.fit_transform(waves)
        log(f"pooled features: {F.shape} in {time.perf_counter() - t:.0f} s")
        linear_rows(F, f"skser 'pooled' ({F.shape[1]})", "skser pooled features", ("c", "c0"))
    if "f" in rows:
        from skser.features import ParalinguisticFunctionals

        t = time.perf_counter()
        F = ParalinguisticFunctionals(n_jobs=2).fit_transform(waves)
        log(f"ParalinguisticFunctionals: {F.shape} in {time.perf_counter() - t:.0f} s")
        linear_rows(
            F,
            f"skser ParalinguisticFunctionals ({F.shape[1]})",
            "skser paralinguistic functionals",
            ("f", "f0"),
        )
    if "d" in rows:
        from skser.pipeline import make_ser_pipeline

        for speaker, name in ((False, "d0"), (True, "d")):
            pipe = make_ser_pipeline(
                speaker_normalise=speaker, random_state=random_state, memory=cache, n_jobs=2
            )
            t = time.perf_counter()
            result = cross_validate_ser(pipe, X, y, groups, cv=cv, attributes=attrs)
            norm = "with" if speaker else "without"
            out.append(
                _row(
                    name,
                    f"default pipeline {norm} speaker normalisation",
                    result,
                    time.perf_counter() - t,
                    {"pipeline_repr": repr(pipe)},
                )
            )
            log(f"row {name}: UAR {out[-1]['uar_mean']:.3f} ± {out[-1]['uar_std']:.3f}")
    fusion_rows = [(r, r) for r in ("g",) if r in rows]
    if "n" in rows:
        fusion_rows.append(("n", "n"))
    for row, prefix in fusion_rows:
        from skser.pipeline import make_ser_pipeline

        # g: the fusion as first measured (augment=None); n: the default as it ships
        augment = None if row == "g" else "auto"
        for speaker, name in ((False, f"{prefix}0"), (True, prefix)):
            # augment=None: these rows were measured before the default trained on the
            # recording chain (bench_robustness.py --augment-chain measures that)
            pipe = make_ser_pipeline(
                "fusion", augment=augment, speaker_normalise=speaker, random_state=random_state,
                n_jobs=2,
            )  # fmt: skip
            t = time.perf_counter()
            result = cross_validate_ser(pipe, X, y, groups, cv=cv, attributes=attrs)
            norm = "with" if speaker else "without"
            members = {
                k: {
                    "uar_mean": round(v["uar_mean"], 4),
                    "uar_per_fold": [round(u, 4) for u in v["uar_per_fold"]],
                }
                for k, v in result.summary["members"].items()
            }
            out.append(
                _row(
                    name,
                    f"fusion pipeline (make_ser_pipeline('fusion', augment={augment!r})) {norm} "
                    "speaker normalisation",
                    result,
                    time.perf_counter() - t,
                    {"members": members, "pipeline_repr": repr(pipe)},
                )
            )
            log(f"row {name}: UAR {out[-1]['uar_mean']:.3f} ± {out[-1]['uar_std']:.3f}; {members}")
    return out
