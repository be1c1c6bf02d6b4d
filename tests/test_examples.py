"""Every script in examples/ is listed in the docs, with the files it must write.

The scripts run in smoke mode (tiny settings, synthetic corpus) once per suite, in the
sphinx-gallery build of tests/test_docs.py, which checks each wrote ``EXPECTED_OUTPUTS``
within 2 minutes; running them again here would only double the suite's time."""

from conftest import REPO_ROOT

EXPECTED_OUTPUTS = {
    "quickstart.py": ["model.skser", "confusion_matrix.png"],
    "grid_search.py": ["grid_results.csv", "grid_scores.png"],
    "custom_network.py": ["fold_scores.png", "training_curves.png"],
    "classic_classifier.py": ["classic_uar.png"],
    "multi_corpus.py": ["class_balance.png", "cross_corpus.csv"],
    "speaker_normalisation.py": ["speaker_normalisation.csv", "speaker_normalisation.png"],
    "deploy_predict.py": ["model.skser", "call.wav", "timeline.csv", "timeline.png"],
    "eda_figures.py": [
        "class_balance.png",
        "durations.png",
        "mfcc_means.png",
        "waveform_angry.png",
    ],
}


def test_every_example_is_listed():
    scripts = sorted(p.name for p in (REPO_ROOT / "examples").glob("*.py"))
    assert scripts == sorted(EXPECTED_OUTPUTS)
    listing = (REPO_ROOT / "docs" / "examples.md").read_text()
    for name in scripts:
        assert f"examples/{name}" in listing, name
