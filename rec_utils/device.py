"""Which device runs the Keras/TensorFlow code, and failing fast when a GPU is asked for."""

from __future__ import annotations

import os


class GPUUnavailableError(RuntimeError):
    """A GPU was requested but the active Keras backend sees none."""


def keras_backend() -> str:
    """Name of the Keras 3 backend in use (KERAS_BACKEND, default tensorflow)."""
    return os.environ.get("KERAS_BACKEND", "tensorflow")


def visible_gpus() -> list[str]:
    """GPU device names that the active Keras backend can use (empty on a CPU machine)."""
    backend = keras_backend()
    if backend == "tensorflow":
        import tensorflow as tf

        return [d.name for d in tf.config.list_physical_devices("GPU")]
    if backend == "jax":
        import jax

        return [d.device_kind for d in jax.devices() if d.platform == "gpu"]
    if backend == "torch":
        import torch

        return [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    return []


def describe_device() -> str:
    """One line for notebooks: backend and the device that will run the models."""
    gpus = visible_gpus()
    where = f"GPU ({', '.join(gpus)})" if gpus else "CPU"
    return f"Keras backend {keras_backend()} on {where}"


def require_device(device: str) -> str:
    """Check a notebook's `device` parameter ("auto", "cpu" or "gpu"); return "cpu"/"gpu".

    "gpu" raises GPUUnavailableError when no GPU is visible: never a silent CPU fallback.
    """
    if device not in {"auto", "cpu", "gpu"}:
        raise ValueError(f"device must be 'auto', 'cpu' or 'gpu', got {device!r}")
    if device == "cpu":
        return "cpu"
    has_gpu = bool(visible_gpus())
    if device == "gpu" and not has_gpu:
        raise GPUUnavailableError(
            f"device='gpu' was requested but the Keras backend {keras_backend()} sees no GPU; "
            "run with device='auto' or 'cpu', or on a machine with a GPU"
        )
    return "gpu" if has_gpu else "cpu"


def seed_everything(seed: int) -> None:
    """Seed Python, numpy and the Keras backend. On TensorFlow also make its ops deterministic and
    silence its Python-side warnings (retracing notices hold memory addresses, which would make
    notebook outputs differ between runs)."""
    import keras

    keras.utils.set_random_seed(seed)
    if keras_backend() == "tensorflow":
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()
        tf.get_logger().setLevel("ERROR")
