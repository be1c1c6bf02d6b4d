"""Sphinx configuration of the skser documentation.

Build: ``python -m sphinx -W --keep-going -b html docs docs/_build/html``
(tests/test_docs.py runs exactly this, with warnings as errors).
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault(
    "TF_CPP_MIN_LOG_LEVEL", "3"
)  # TensorFlow start-up noise while autodoc imports

from skser import __version__  # noqa: E402

project = "skser"
author = "skser developers"
copyright = "2026, skser developers"
version = release = __version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "README.md", "auto_examples/*.ipynb", "auto_examples/*.py"]
templates_path = ["_templates"]

# API reference: one page per public object, generated from numpydoc docstrings.
autosummary_generate = True
autosummary_imported_members = True
autodoc_default_options = {"members": False, "inherited-members": False}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
# Every documented public object must have an Examples section and document its
# parameters; with -W, a missing one fails the build.
numpydoc_validation_checks = {"EX01", "PR01", "PR02"}
numpydoc_validation_exclude = {
    r"^skser\.\w+\.\w+\.\w+$",  # methods and attributes: the class page documents them
    r"\.__init__$",
    r"\.fit$",
    r"\.transform$",
    r"\.fit_transform$",
    r"\.fit_resample$",
    r"\.predict$",
    r"\.predict_proba$",
    r"\.score$",
    r"\.get_params$",
    r"\.set_params$",
    r"\.split$",
    r"\.get_n_splits$",
}

myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence"]

# furo: a maintained theme of the ecosystem, readable on narrow screens, code blocks
# wrap their own scrollbar only when wider than the page
html_theme = "furo"
html_title = f"skser {version}"

# Example gallery: every script of examples/ runs in smoke mode while the docs build
# (docs/_gallery.py gives the arguments and embeds the PNG files the script writes).
sys.path.insert(0, str(ROOT / "docs"))
sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r".*\.py$",  # run them all: their figures are the point
    "reset_argv": "_gallery.reset_argv",
    "image_scrapers": ("_gallery.png_scraper",),
    "within_subsection_order": "FileNameSortKey",
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    "download_all_examples": False,
    "remove_config_comments": True,
    "show_memory": False,
    "plot_gallery": True,
    # tests/test_docs.py sets SKSER_GALLERY_OUT and checks each script's files: every
    # example must then run, even where an earlier build's output is up to date.
    "run_stale_examples": bool(os.environ.get("SKSER_GALLERY_OUT")),
}
