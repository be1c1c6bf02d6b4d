"""The installed packages are inside the ranges pyproject.toml declares, and every
package whose private hooks skser overrides has an upper bound."""

import tomllib
from importlib import metadata

import pytest
from conftest import REPO_ROOT
from packaging.requirements import Requirement

PYPROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
REQUIREMENTS = [Requirement(r) for r in PYPROJECT["project"]["dependencies"]]

#: Packages whose private API skser uses or overrides (see the comment in pyproject.toml).
PRIVATE_API = {"scikit-learn", "scikeras", "keras", "imbalanced-learn"}


@pytest.mark.parametrize("req", REQUIREMENTS, ids=lambda r: r.name)
def test_installed_version_is_in_the_tested_range(req):
    version = metadata.version(req.name)
    assert req.specifier.contains(version, prereleases=True), (
        f"{req.name} {version} is installed, but skser is tested with {req.name}"
        f"{req.specifier}; install a version in that range (pip install "
        f"'{req.name}{req.specifier}') or, to move the bound, run the whole test suite on "
        f"{version} first"
    )


def test_packages_with_private_hooks_have_an_upper_bound():
    bounded = {
        r.name
        for r in REQUIREMENTS
        if any(s.operator in ("<", "<=", "~=", "==") for s in r.specifier)
    }
    assert PRIVATE_API <= bounded, f"no upper bound on {sorted(PRIVATE_API - bounded)}"
