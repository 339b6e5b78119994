"""Which device runs the Keras models, and making that true.

    require_device("cpu")   hides every GPU from the Keras backend, so a result labelled "cpu" ran on the CPU
                            even on a GPU machine (call it before the first model is built)
    require_device("gpu")   fails at once with GPUUnavailableError when the backend sees no GPU
    require_device("auto")  the GPU when the backend sees one, otherwise the CPU

The backend is the one Keras actually loaded (`keras.backend.backend()`, which honours both
KERAS_BACKEND and ~/.keras/keras.json), not only the environment variable. Keras and the backends are
imported inside the functions on purpose: `hide_gpus` must be able to act before any of them starts.
"""

from __future__ import annotations

import os
import sys

DEVICES = ("auto", "cpu", "gpu")
# Read by TensorFlow, JAX, PyTorch and Keras' torch backend when they first look for accelerators.
CPU_ONLY_ENV = {"CUDA_VISIBLE_DEVICES": "-1", "JAX_PLATFORMS": "cpu", "KERAS_TORCH_DEVICE": "cpu"}


class GPUUnavailableError(RuntimeError):
    """A GPU was requested but the active Keras backend sees none."""


class DeviceSelectionError(RuntimeError):
    """device="cpu" was requested after the backend had already started on a GPU."""


def keras_backend() -> str:
    """Name of the Keras 3 backend that is loaded ("tensorflow", "jax", "torch" or "numpy")."""
    import keras
    return keras.backend.backend()


def visible_gpus() -> list[str]:
    """GPU device names that the active Keras backend can use (empty on a CPU machine)."""
    backend = keras_backend()
    if backend == "tensorflow":
        import tensorflow as tf
        return [d.name for d in tf.config.get_visible_devices("GPU")]
    if backend == "jax":
        import jax
        return [d.device_kind for d in jax.devices() if d.platform == "gpu"]
    if backend == "torch":
        import keras.src.backend.torch.core as core
        import torch
        if not str(core.DEFAULT_DEVICE).startswith("cuda"):
            return []
        return [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    return []


def hide_gpus() -> None:
    """Make the Keras backend run on the CPU only.

    Before Keras is imported this only sets CPU_ONLY_ENV; afterwards it also uses the backend's own
    switch (TensorFlow's visible devices, JAX's platform list, Keras' torch device). Raises
    DeviceSelectionError when the backend has already placed work on a GPU and cannot move.
    """
    os.environ.update(CPU_ONLY_ENV)
    if "keras" not in sys.modules:
        return
    backend = keras_backend()
    try:
        if backend == "tensorflow":
            import tensorflow as tf
            tf.config.set_visible_devices([], "GPU")
        elif backend == "jax":
            import jax
            jax.config.update("jax_platforms", "cpu")
        elif backend == "torch":
            import keras.src.backend.torch.core as torch_core

            torch_core.DEFAULT_DEVICE = "cpu"
    except RuntimeError as exc:  # TensorFlow: "Visible devices cannot be modified after being initialized"
        raise DeviceSelectionError(_too_late(backend)) from exc
    if visible_gpus():
        raise DeviceSelectionError(_too_late(backend))


def _too_late(backend: str) -> str:
    return (f"device='cpu' was requested after the Keras backend {backend} had started on a GPU; "
            "call require_device('cpu') before building any model, or start Python with CUDA_VISIBLE_DEVICES=-1")


def require_device(device: str) -> str:
    """Check a notebook's `device` parameter ("auto", "cpu" or "gpu") and make it so; return "cpu" or "gpu".

    "cpu" hides the GPUs (see hide_gpus); "gpu" raises GPUUnavailableError when no GPU is visible,
    never a silent CPU fallback; "auto" takes the GPU when there is one.
    """
    if device not in DEVICES:
        raise ValueError(f"device must be one of {DEVICES}, got {device!r}")
    if device == "cpu":
        hide_gpus()
        return "cpu"
    has_gpu = bool(visible_gpus())
    if device == "gpu" and not has_gpu:
        raise GPUUnavailableError(
            f"device='gpu' was requested but the Keras backend {keras_backend()} sees no GPU; "
            "run with device='auto' or 'cpu', or on a machine with a GPU"
        )
    return "gpu" if has_gpu else "cpu"


def describe_device() -> str:
    """One line for notebooks: backend and the device that will run the models."""
    gpus = visible_gpus()
    where = f"GPU ({', '.join(gpus)})" if gpus else "CPU"
    return f"Keras backend {keras_backend()} on {where}"


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
