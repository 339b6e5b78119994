"""Headline results of notebook 00_environment, saved by the run before these tests
(`make test` runs the notebooks first)."""

from rec_utils.runtime.backends import KERAS_BACKENDS
from rec_utils.runtime.paths import FIGURES_DIR, REPO_ROOT
from rec_utils.runtime.results import load_metrics

BACKEND_REQUIREMENTS = {"tensorflow": "requirements.txt", "jax": "requirements-jax.txt",
                        "torch": "requirements-torch.txt"}


def test_00_environment():
    m = load_metrics("00_environment")
    assert m["rows"] == 541_909 and m["sha256_matches"] is True
    assert m["device"] in {"cpu", "gpu"}
    assert m["headline"][0]["value"] == m["rows"]
    assert (FIGURES_DIR / f"{m['figure']}.png").is_file()


def test_00_backend_packages_are_the_pinned_ones():
    m = load_metrics("00_environment")
    assert m["backend"] in KERAS_BACKENDS and m["backend_packages"], m["backend"]
    lines = (REPO_ROOT / BACKEND_REQUIREMENTS[m["backend"]]).read_text().splitlines()
    pins = dict(line.split("#")[0].strip().split("==") for line in lines if "==" in line.split("#")[0])
    for name, installed in m["backend_packages"].items():
        if name in pins:  # GPU plug-ins (jax-cuda12-plugin) are not pinned here
            assert installed.split("+")[0] == pins[name], name
    assert m["keras"] == dict(line.split("==") for line in (REPO_ROOT / "requirements.txt").read_text().splitlines()
                              if line.startswith("keras=="))["keras"]
