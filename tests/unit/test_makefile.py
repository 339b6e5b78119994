"""The Makefile's backend choice and `make lab`, read from what make would run (make -n runs nothing)."""

import os
import subprocess

from rec_utils.runtime.paths import REPO_ROOT


def _make(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "-n", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)


def test_a_backend_variant_installs_without_tensorflow_and_sets_the_kernel_backend(tmp_path):
    plan = _make("install", "BACKEND=jax", f"VENV={tmp_path / 'venv'}")
    assert plan.returncode == 0, plan.stderr
    assert "grep -v -E '^tensorflow' requirements.txt" in plan.stdout and "-r requirements-jax.txt" in plan.stdout
    assert "--env KERAS_BACKEND jax" in plan.stdout and "--env PYTHONHASHSEED 0" in plan.stdout
    assert 'os.environ.setdefault("KERAS_BACKEND", "jax")' in plan.stdout
    default = _make("install", f"VENV={tmp_path / 'other'}")
    assert "-r requirements.txt" in default.stdout and "--env KERAS_BACKEND tensorflow" in default.stdout


def test_an_unknown_backend_is_refused():
    for argument, message in [("BACKEND=theano", "BACKEND must be one of: tensorflow jax torch"),
                              ("EXTRA_BACKENDS=tensorflow", "EXTRA_BACKENDS may name jax and torch")]:
        plan = _make("install", argument)
        assert plan.returncode != 0 and message in plan.stderr, plan.stderr


def test_lab_opens_on_the_project_kernel_and_allows_root_only_for_root(tmp_path):
    venv = tmp_path / "venv"
    venv.mkdir()
    for stamp in (".installed-tensorflow", ".kernel-tensorflow"):  # installed, in this order: lab alone is planned
        (venv / stamp).touch()
    plan = _make("lab", f"VENV={venv}")
    assert plan.returncode == 0, plan.stderr
    assert "jupyter lab notebooks --MultiKernelManager.default_kernel_name=interest-lab" in plan.stdout
    assert ("--allow-root" in plan.stdout) == (os.geteuid() == 0)
