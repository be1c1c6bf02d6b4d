"""Documentation: docstring examples run, every public object has one, the Sphinx
build passes with warnings as errors, the quickstart is tested verbatim, and the CLI
page documents every command and config key."""

import doctest
import importlib
import inspect
import os
import pkgutil
import re
import subprocess
import sys
import tomllib
import warnings

import pytest
from conftest import REPO_ROOT
from test_examples import EXPECTED_OUTPUTS

import skser

PUBLIC_MODULES = [
    "skser.datasets",
    "skser.io",
    "skser.features",
    "skser.augment",
    "skser.models",
    "skser.pipeline",
    "skser.model_selection",
    "skser.metrics",
    "skser.plotting",
    "skser.deploy",
    "skser.serve",
    "skser.exceptions",
    "skser.cli",
]
ALL_MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(skser.__path__, "skser.")
    if not m.name.endswith("__main__")
)
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


@pytest.mark.parametrize("module", ALL_MODULES)
def test_docstring_examples_run(module, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples that write files write them here
    mod = importlib.import_module(module)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    tests = [t for t in finder.find(mod, module) if t.examples]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # e.g. "groups is ignored by KFold"
        for test in tests:
            runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed"


def _public_objects():
    for name in PUBLIC_MODULES:
        mod = importlib.import_module(name)
        for attr in mod.__all__:
            obj = getattr(mod, attr)
            if inspect.isclass(obj) or inspect.isfunction(obj):
                yield f"{name}.{attr}", obj


def test_every_public_function_and_class_has_a_runnable_example():
    objects = dict(_public_objects())
    assert len(objects) >= 79  # grows with the API; a drop means a module lost its __all__
    missing = [n for n, obj in objects.items() if "Examples\n--------" not in inspect.getdoc(obj)]
    assert missing == []
    no_code = [n for n, obj in objects.items() if ">>> " not in inspect.getdoc(obj)]
    assert no_code == []


def _api_index():
    """``{module: names listed}`` from docs/api/index.rst (autosummary entries and the
    names quoted on its ``Constants:`` lines)."""
    listed, module = {}, None
    for line in (REPO_ROOT / "docs" / "api" / "index.rst").read_text().splitlines():
        if line.startswith(".. currentmodule:: "):
            module = line.split()[-1]
            listed[module] = set()
        elif module and re.fullmatch(r"   [A-Za-z_]\w*", line):
            listed[module].add(line.strip())
        elif module and line.startswith("Constants:"):
            listed[module] |= set(re.findall(r"``(\w+)``", line))
    return listed


def test_api_index_lists_exactly_every_public_name():
    listed = _api_index()
    assert sorted(listed) == sorted(PUBLIC_MODULES)
    for name in PUBLIC_MODULES:
        exported = set(importlib.import_module(name).__all__)
        assert listed[name] == exported, (
            f"{name}: in __all__ but not in docs/api/index.rst: "
            f"{sorted(exported - listed[name])}; listed but not exported: "
            f"{sorted(listed[name] - exported)}"
        )


@pytest.mark.slow
def test_sphinx_build_passes_with_warnings_as_errors(tmp_path):
    """The docs build with warnings as errors; the gallery runs every example in smoke
    mode (the only place the suite runs them), each within 2 minutes, writing its files."""
    pytest.importorskip("sphinx")
    pytest.importorskip("numpydoc")
    pytest.importorskip("myst_parser")
    pytest.importorskip("sphinx_gallery")
    gallery_out = tmp_path / "gallery"
    cmd = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html"]
    cmd += ["-d", str(tmp_path / "doctrees"), str(REPO_ROOT / "docs"), str(tmp_path / "html")]
    env = {**os.environ, "SKSER_GALLERY_OUT": str(gallery_out)}
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900, env=env)
    assert proc.returncode == 0, proc.stderr[-5000:]
    html = tmp_path / "html"
    for page in ["index", "quickstart", "guide/pitfalls", "cli", "benchmarks", "api/index"]:
        assert (html / f"{page}.html").stat().st_size > 2000, page
    api = (html / "api" / "generated").glob("skser.*.html")
    assert len(list(api)) >= 79  # one page per public object
    for script, files in EXPECTED_OUTPUTS.items():
        stem = script.removesuffix(".py")
        for name in files:
            path = gallery_out / stem / name
            assert path.is_file() and path.stat().st_size > 0, (script, name)
        rst = (REPO_ROOT / "docs" / "auto_examples" / f"{stem}.rst").read_text()
        took = re.search(
            r"running time of the script:\*\*\s*\((\d+) minutes ([\d.]+) seconds\)", rst
        )
        assert took, (script, "no running time in the gallery page")
        assert int(took[1]) * 60 + float(took[2]) < 120, (script, took[0])
        page = (html / "auto_examples" / f"{stem}.html").read_text()
        if script != "eda_figures.py":  # the script's printed result is on its page
            assert "UAR" in page or "ms:" in page, script
        if any(name.endswith(".png") for name in files):
            assert "sphx-glr-single-img" in page or "sphx-glr-multi-img" in page, script


def _python_blocks(path):
    return re.findall(r"```python\n(.*?)```", path.read_text(), flags=re.S)


def test_quickstart_is_the_same_in_the_readme_and_the_docs():
    (readme,) = _python_blocks(REPO_ROOT / "README.md")
    (docs,) = _python_blocks(REPO_ROOT / "docs" / "quickstart.md")
    assert readme == docs
    code = [line for line in docs.splitlines() if line.strip()]
    assert len(code) < 10, "the quickstart promises fewer than ten lines"


def test_cli_page_documents_every_command_and_config_key():
    from skser.cli._config import DEFAULTS
    from skser.cli._main import _build_parser

    text = (REPO_ROOT / "docs" / "cli.md").read_text()
    parser = _build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    for command in commands:
        assert f"## {command}" in text or f", {command}" in text, command
    for section, keys in DEFAULTS.items():
        assert f"[{section}]" in text, section
        for key in keys:
            assert re.search(rf"\b{key}\b", text), f"{section}.{key}"
    # the TOML reference is the defaults: parsed, it equals DEFAULTS (keys whose default
    # is None are shown commented out), and it fits on the page without scrolling
    block = re.search(r"```toml\n(.*?)```", text, re.DOTALL).group(1)
    assert max(len(line) for line in block.splitlines()) <= 88
    parsed = tomllib.loads(block)
    expected = {s: {k: v for k, v in keys.items() if v is not None} for s, keys in DEFAULTS.items()}
    assert parsed == expected


@pytest.mark.parametrize(
    "page", sorted(str(p.relative_to(REPO_ROOT)) for p in (REPO_ROOT / "docs").rglob("*.md"))
)
def test_python_blocks_in_docs_are_valid_python(page):
    import ast

    errors = []
    for block in _python_blocks(REPO_ROOT / page):
        try:
            ast.parse(block)
        except SyntaxError as exc:
            errors.append(f"{exc.msg} in: {exc.text!r}")
    assert errors == []


def test_every_exception_and_warning_is_defined_once_under_the_bases():
    """skser.exceptions is the one place errors and warnings are defined; each derives
    from SkserError (plus a builtin base) or SkserWarning (a UserWarning)."""
    from skser import exceptions

    for name in exceptions.__all__:
        cls = getattr(exceptions, name)
        assert issubclass(cls, exceptions.SkserError | exceptions.SkserWarning), name
        if issubclass(cls, exceptions.SkserError) and cls is not exceptions.SkserError:
            assert set(cls.__mro__) & {ValueError, OSError}, f"{name} lacks a builtin base"
    elsewhere = []
    for module in ALL_MODULES:
        mod = importlib.import_module(module)
        for attr, obj in vars(mod).items():
            if (
                inspect.isclass(obj)
                and issubclass(obj, BaseException)
                and obj.__module__ == module
                and not attr.startswith("_")
                and module != "skser.exceptions"
            ):
                elsewhere.append(f"{module}.{attr}")
    # control flow inside the corpus loaders: caught there, never seen by a user
    internal = {"skser.datasets._base.ParseError", "skser.datasets._base.Ignored"}
    elsewhere = sorted(set(elsewhere) - internal)
    assert elsewhere == [], "define these in skser.exceptions: " + ", ".join(elsewhere)


def test_every_preset_is_documented_where_users_look():
    """The registry is the one list of presets: the models guide, make_ser_pipeline's
    docstring and the CLI's help name every one of them."""
    from skser._presets import FEATURES, MODELS
    from skser.cli._main import _build_parser
    from skser.pipeline import FEATURE_PRESETS, MODEL_PRESETS, make_ser_pipeline

    assert list(FEATURE_PRESETS) == list(FEATURES)
    assert list(MODEL_PRESETS) == ["auto", *MODELS]
    guide = (REPO_ROOT / "docs" / "guide" / "models.md").read_text()
    doc = inspect.getdoc(make_ser_pipeline)
    train = _build_parser()._subparsers._group_actions[0].choices["train"].format_help()
    train = " ".join(train.split())
    for name in [*FEATURES, *MODELS]:
        assert f'`"{name}"`' in guide, f"docs/guide/models.md does not list {name!r}"
        assert f'``"{name}"``' in doc, f"make_ser_pipeline's docstring does not list {name!r}"
        assert name in train, f"skser train --help does not list {name!r}"
    # numbers the descriptions quote are the built estimators' defaults
    for name, preset in MODELS.items():
        quoted = re.search(r"(\d+) epochs", preset.description)
        if quoted:
            assert preset.build().epochs == int(quoted.group(1)), name
    assert "Adam 1e-3, cosine decay, 40 epochs" in guide
    assert MODELS["cnn1d_pool"].build().epochs == 40


def test_generated_api_pages_are_not_tracked():
    """autosummary writes docs/api/generated at every build; tracked copies go stale."""
    import shutil

    if shutil.which("git") is None or not (REPO_ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    tracked = subprocess.run(
        ["git", "ls-files", "docs/api/generated"], cwd=REPO_ROOT, capture_output=True, text=True
    ).stdout.split()
    assert tracked == []
