"""benchmarks/gpu_check.sh: stops at once without a GPU, and its steps work (CPU dry run at tiny sizes)."""

import shutil
import subprocess

import pandas as pd
import pytest

from rec_utils.runtime.backends import installed_backends
from rec_utils.runtime.paths import REPO_ROOT

SCRIPT = str(REPO_ROOT / "benchmarks" / "gpu_check.sh")


@pytest.mark.skipif(shutil.which("nvidia-smi") is not None, reason="this machine may have a GPU")
def test_without_a_gpu_it_stops_at_once_with_one_line():
    result = subprocess.run(["bash", SCRIPT], capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("gpu_check: no NVIDIA GPU here") and len(result.stderr.splitlines()) == 1


@pytest.mark.slow
@pytest.mark.skipif("jax" not in installed_backends(), reason="the GPU check runs on JAX, which is not installed "
                    "(make install EXTRA_BACKENDS=jax)")
def test_dry_run_measures_both_precisions_and_appends_rows(tmp_path):
    output = tmp_path / "benchmarks.csv"
    result = subprocess.run(["bash", SCRIPT, "--dry-run", "--output", str(output)], capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    rows = pd.read_csv(output)
    assert set(rows["backend"]) == {"jax"} and set(rows["metric"]) == {"train_examples_per_s", "vgg16_images_per_s"}
    assert len(rows) == 4 and (rows["value"] > 0).all()
    assert rows["parameters"].str.contains('"mixed_precision": true').sum() == 2
    assert "cpu mixed_float16 / cpu float32" in result.stdout and "DRY RUN" in result.stdout
