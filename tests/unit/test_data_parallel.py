"""Data-parallel training of the click model: one step on two (simulated) devices gives the weights one device
gets from the same global batch. Keras distributes only on JAX, so the check runs in a JAX subprocess with two
XLA host devices; it skips where jax is not installed."""

import importlib.util
import json
import subprocess
import sys

import keras
import pandas as pd
import pytest

from rec_utils.models.distributed import DistributionUnavailableError, _check_batch, data_parallel
from rec_utils.models.jax_process import jax_environment, run_in_jax
from rec_utils.runtime.paths import REPO_ROOT

NO_JAX = "jax is not installed: keras.distribution needs the JAX backend (pip install jax jaxlib)"
TOLERANCE = 1e-6  # float32 rounding of a gradient averaged over devices; one Adam step moves weights by ~1e-3


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("jax") is None, reason=NO_JAX)
def test_one_step_on_two_devices_equals_one_device_on_the_whole_batch(tmp_path):
    report = run_in_jax(tmp_path, n_devices=2, n_users=60, batch_size=256, check_only=True, timeout_s=600)
    agreement = report["agreement"]
    assert report["backend"] == "jax" and report["devices"] == ["cpu:0", "cpu:1"]
    assert agreement["n_devices"] == 2
    assert agreement["max_abs_step"] > 100 * TOLERANCE, "the step must move the weights for the check to mean anything"
    assert agreement["max_abs_difference"] <= TOLERANCE


def test_jax_environment_asks_xla_for_host_devices():
    env = jax_environment(4)
    assert env["KERAS_BACKEND"] == "jax" and env["XLA_FLAGS"] == "--xla_force_host_platform_device_count=4"
    assert "XLA_FLAGS" not in jax_environment(None)
    with pytest.raises(ValueError):
        jax_environment(0)


def test_global_batch_must_split_evenly():
    _check_batch(256, 2)
    with pytest.raises(ValueError, match="multiple of the 3 devices"):
        _check_batch(256, 3)


@pytest.mark.skipif(keras.backend.backend() == "jax", reason="checks the error on the other backends")
def test_other_backends_get_a_named_error():
    with pytest.raises(DistributionUnavailableError, match="KERAS_BACKEND=jax"):
        data_parallel()


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("jax") is None, reason=NO_JAX)
def test_benchmark_script_times_each_device_count(tmp_path):
    output = tmp_path / "bench.csv"
    subprocess.run([sys.executable, str(REPO_ROOT / "benchmarks" / "data_parallel.py"), "--simulate-devices", "2",
                    "--n-examples", "512", "--batch-size", "128", "--epochs", "3", "--output", str(output)],
                   check=True, capture_output=True, text=True, timeout=600)
    rows = pd.read_csv(output)
    counts = rows["parameters"].map(lambda p: json.loads(p)["devices"])
    assert sorted(counts) == [1, 2]
    assert (rows["backend"] == "jax").all() and (rows["value"] > 0).all()
