"""Device choice: "cpu" really hides GPUs, "gpu" fails fast without one, the backend is the one Keras loaded."""

import json
import os
import subprocess
import sys
from types import SimpleNamespace

import pytest

from rec_utils.runtime import device
from rec_utils.runtime.device import (
    DeviceSelectionError,
    GPUUnavailableError,
    keras_backend,
    require_device,
    visible_gpus,
)


def _python(code: str, **env) -> str:
    environment = {k: v for k, v in os.environ.items() if k not in {"KERAS_BACKEND", "CUDA_VISIBLE_DEVICES"}}
    result = subprocess.run([sys.executable, "-c", code], env={**environment, **env}, capture_output=True,
                            text=True, timeout=120, check=True)
    return result.stdout.strip()


def test_unknown_device_is_refused():
    with pytest.raises(ValueError, match="device must be one of"):
        require_device("tpu")


def test_gpu_without_a_gpu_fails_fast():
    if visible_gpus():
        pytest.skip("this machine has a GPU")
    with pytest.raises(GPUUnavailableError, match="sees no GPU"):
        require_device("gpu")
    assert require_device("auto") == "cpu"


class FakeTensorFlowGPUs:
    """tf.config's device list with one GPU until set_visible_devices([], "GPU") hides it."""

    def __init__(self, initialised: bool = False):
        self.gpus = [SimpleNamespace(name="/physical_device:GPU:0")]
        self.initialised = initialised

    def get_visible_devices(self, kind):
        return list(self.gpus) if kind == "GPU" else []

    def set_visible_devices(self, devices, kind):
        if self.initialised:
            raise RuntimeError("Visible devices cannot be modified after being initialized")
        if kind == "GPU":
            self.gpus = list(devices)


def _tensorflow_config():
    """tf.config when this process runs Keras on TensorFlow (the fake-GPU tests patch it), else skip."""
    if keras_backend() != "tensorflow":
        pytest.skip(f"the fake-GPU tests patch TensorFlow; this process runs Keras on {keras_backend()}")
    import tensorflow as tf
    return tf.config


def test_cpu_hides_a_visible_gpu_from_tensorflow(monkeypatch):
    config = _tensorflow_config()
    fake = FakeTensorFlowGPUs()
    monkeypatch.setattr(config, "get_visible_devices", fake.get_visible_devices)
    monkeypatch.setattr(config, "set_visible_devices", fake.set_visible_devices)
    monkeypatch.setattr(device, "CPU_ONLY_ENV", {})  # keep this test process's environment as it is
    assert visible_gpus() == ["/physical_device:GPU:0"]
    assert require_device("auto") == "gpu"
    assert require_device("cpu") == "cpu"
    assert visible_gpus() == []


def test_cpu_after_the_gpu_started_is_a_named_error(monkeypatch):
    config = _tensorflow_config()
    fake = FakeTensorFlowGPUs(initialised=True)
    monkeypatch.setattr(config, "get_visible_devices", fake.get_visible_devices)
    monkeypatch.setattr(config, "set_visible_devices", fake.set_visible_devices)
    monkeypatch.setattr(device, "CPU_ONLY_ENV", {})
    with pytest.raises(DeviceSelectionError, match="before building any model"):
        require_device("cpu")


def test_cpu_before_keras_is_imported_sets_the_environment_every_backend_reads():
    out = _python("import os, sys; from rec_utils.runtime.device import require_device, visible_gpus; "
                  "print(require_device('cpu'), 'keras' in sys.modules, os.environ['CUDA_VISIBLE_DEVICES'], "
                  "os.environ['JAX_PLATFORMS']); print(visible_gpus())",
                  CUDA_VISIBLE_DEVICES="0")
    assert out.splitlines() == ["cpu False -1 cpu", "[]"]


def test_backend_is_the_one_keras_loaded_even_when_chosen_in_keras_json(tmp_path):
    pytest.importorskip("jax", reason="the JAX backend is not installed (make install BACKEND=jax)")
    (tmp_path / "keras.json").write_text(json.dumps({"backend": "jax", "floatx": "float32", "epsilon": 1e-7,
                                                     "image_data_format": "channels_last"}))
    # KERAS_BACKEND empty: Keras then reads keras.json (the project's .venv otherwise sets its installed backend)
    out = _python("from rec_utils.runtime.device import keras_backend, require_device; "
                  "print(keras_backend(), require_device('auto'))", KERAS_HOME=str(tmp_path), KERAS_BACKEND="")
    assert out == "jax cpu"
