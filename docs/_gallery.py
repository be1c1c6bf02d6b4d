"""sphinx-gallery hooks of the skser docs: run each example in smoke mode and embed
the figures it writes.

The examples are command-line scripts that save their figures with
:func:`skser.plotting.save_figure` (and close them), so matplotlib's own scraper sees
nothing. Instead each script runs as ``example.py --smoke --out <dir>`` and
:func:`png_scraper` embeds the PNG files that appear in ``<dir>``. ``<dir>`` is
``$SKSER_GALLERY_OUT/<script>`` (tests/test_docs.py sets it to check every script's
files), else ``docs/_build/gallery_output/<script>``.
"""

import os
import shutil
from pathlib import Path

from sphinx_gallery.scrapers import figure_rst

DOCS = Path(__file__).resolve().parent


def output_dir(src_file):
    """The folder an example writes to: one per script."""
    root = os.environ.get("SKSER_GALLERY_OUT") or DOCS / "_build" / "gallery_output"
    return Path(root) / Path(src_file).stem


def reset_argv(gallery_conf, script_vars):
    """Command-line arguments of every example: tiny settings, a known output folder."""
    out = output_dir(script_vars["src_file"])
    if out.exists():
        shutil.rmtree(out)  # a figure of a previous build must not be shown as new
    return ["--smoke", "--out", str(out)]


def png_scraper(block, block_vars, gallery_conf):
    """Embed the PNG files an example wrote since the previous code block."""
    out = output_dir(block_vars["src_file"])
    seen = block_vars.setdefault("skser_seen_png", set())
    new = sorted(p for p in out.rglob("*.png") if p not in seen) if out.is_dir() else []
    seen.update(new)
    paths = []
    for png, dest in zip(new, block_vars["image_path_iterator"], strict=False):
        shutil.copyfile(png, dest)
        paths.append(dest)
    return figure_rst(paths, gallery_conf["src_dir"])
