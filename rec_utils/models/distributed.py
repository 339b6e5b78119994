"""Data-parallel training of the click model with Keras 3's distribution API, on every visible device.

    with data_parallel().scope():          # keras.distribution.DataParallel over all devices (JAX backend)
        model = build_click_model(...)     # weights replicated on every device
    model.fit(inputs, labels, batch_size=256)   # each global batch split evenly; gradients averaged

One step on d devices computes the gradient of the mean loss over the global batch, exactly what one
device computes on the same batch: the weights after a step agree up to float rounding
(`one_step_agreement` measures it). The same code runs on several GPUs; on a CPU, XLA can pretend to
have d devices (XLA_FLAGS=--xla_force_host_platform_device_count=d), which tests the mechanics but
brings no speed. Keras distributes only on JAX, so a notebook on another backend runs this module in a
JAX subprocess (rec_utils.models.jax_process.run_in_jax, `python -m rec_utils.models.distributed`).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import keras
import numpy as np

from rec_utils.data.fashion import load_fashion_mnist
from rec_utils.data.split import split_groups
from rec_utils.features.attributes import click_model_inputs, encode_attributes
from rec_utils.features.text import Tokenizer
from rec_utils.models.click_model import build_click_model, select_inputs
from rec_utils.runtime.io import atomic_path, write_text_atomic
from rec_utils.simulation.clicks import SimulatorConfig, pixel_components, simulate_clicks


class DistributionUnavailableError(RuntimeError):
    """Keras' distribution API needs the JAX backend."""


def data_parallel(devices: list[str] | None = None) -> keras.distribution.DataParallel:
    """keras.distribution.DataParallel over `devices` (default: every device the backend sees).

    Raises DistributionUnavailableError on a backend other than JAX.
    """
    if keras.backend.backend() != "jax":
        raise DistributionUnavailableError(
            f"keras.distribution runs on the JAX backend, this process uses {keras.backend.backend()}; "
            "start it with KERAS_BACKEND=jax (or use run_in_jax)")
    devices = keras.distribution.list_devices() if devices is None else list(devices)
    return keras.distribution.DataParallel(devices=devices)


def _check_batch(batch_size: int, n_devices: int) -> None:
    if batch_size % n_devices:
        raise ValueError(f"the global batch size {batch_size} must be a multiple of the {n_devices} devices")


def one_step_weights(build_model: Callable[[], keras.Model], initial_weights: list[np.ndarray], inputs: dict,
                     labels: np.ndarray, devices: list[str] | None) -> list[np.ndarray]:
    """Weights after one optimiser step on the whole batch (inputs, labels), from `initial_weights`.

    devices: None = plain Keras on one device; a list = DataParallel over those devices, the batch
    split evenly between them.
    """
    if devices is None:
        model = build_model()
    else:
        _check_batch(len(labels), len(devices))
        with data_parallel(devices).scope():
            model = build_model()
    model.set_weights(initial_weights)
    model.train_on_batch(select_inputs(model, inputs), labels)
    return [np.asarray(w) for w in model.get_weights()]


def one_step_agreement(build_model: Callable[[], keras.Model], inputs: dict, labels: np.ndarray,
                       devices: list[str], seed: int = 0) -> dict[str, float]:
    """One step from the same weights on one device and on `devices` (the same global batch).

    Returns max_abs_difference (largest |w_parallel - w_single| over all weights), max_abs_step (largest
    change a step made, for scale) and n_devices.
    """
    keras.utils.set_random_seed(seed)
    initial = build_model().get_weights()
    single = one_step_weights(build_model, initial, inputs, labels, None)
    parallel = one_step_weights(build_model, initial, inputs, labels, devices)
    return {"max_abs_difference": float(max(np.abs(a - b).max() for a, b in zip(single, parallel))),
            "max_abs_step": float(max(np.abs(a - b).max() for a, b in zip(single, initial))),
            "n_devices": len(devices)}


class _EpochTimer(keras.callbacks.Callback):
    """Wall seconds of each epoch."""

    def __init__(self):
        super().__init__()
        self.seconds: list[float] = []

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self.start)


def fit_data_parallel(build_model: Callable[[], keras.Model], train_inputs: dict, y_train: np.ndarray,
                      val_inputs: dict, y_val: np.ndarray, *, devices: list[str] | None = None, epochs: int = 3,
                      batch_size: int = 256, seed: int = 0
                      ) -> tuple[keras.Model, dict[str, list[float]], list[float]]:
    """Build and train under DataParallel over `devices` (default all): every global batch of `batch_size`
    is split evenly over them. Returns (model, history, wall seconds of each epoch; the first includes
    compilation)."""
    distribution = data_parallel(devices)
    _check_batch(batch_size, distribution.device_mesh.devices.size)
    keras.utils.set_random_seed(seed)
    timer = _EpochTimer()
    with distribution.scope():
        model = build_model()
        history = model.fit(select_inputs(model, train_inputs), y_train, batch_size=batch_size, epochs=epochs,
                            validation_data=(select_inputs(model, val_inputs), y_val), verbose=0, shuffle=True,
                            callbacks=[timer])
    return model, {k: [float(v) for v in vs] for k, vs in history.history.items()}, timer.seconds


def demo_data(n_users: int = 1000, image_dims: int = 64, seed: int = 0) -> tuple[dict, np.ndarray, np.ndarray,
                                                                                 np.ndarray, np.ndarray, int]:
    """Simulated impressions on Fashion-MNIST photos as click-model inputs (rec_utils.simulation.clicks).

    Image features are the photos' first `image_dims` pixel principal components (a cheap stand-in for
    VGG16's 512 features; the model code is the same). Returns (inputs, clicked, p_click, user_id,
    is_train, vocabulary size), rows in impression order; is_train splits whole users 80/20.
    """
    images, labels, _ = load_fashion_mnist("test")
    impressions, catalog = simulate_clicks(images, labels, SimulatorConfig(n_users=n_users, seed=seed))
    tokenizer = Tokenizer.fit(impressions["search_keywords"] + " " + impressions["product_description"])
    image_features = pixel_components(images[catalog["image_index"].to_numpy()], image_dims).astype(np.float32)
    attributes, _ = encode_attributes(catalog["price"].to_numpy(), catalog["category"].to_numpy(), 10)
    inputs = click_model_inputs(impressions, tokenizer, image_features, attributes)
    users = impressions["user_id"].to_numpy()
    is_train = split_groups(users, (0.8, 0.2), seed=seed)[0]
    return (inputs, impressions["clicked"].to_numpy(np.float32), impressions["p_click"].to_numpy(), users,
            is_train, tokenizer.size)


def _demo(out_dir: Path, epochs: int, batch_size: int, n_users: int, check_only: bool) -> dict:
    inputs, clicked, p_click, users, is_train, vocab_size = demo_data(n_users)
    n_attributes = inputs["attributes"].shape[1]
    image_dims = inputs["image_features"].shape[1]

    def build(dropout: float = 0.1) -> keras.Model:
        return build_click_model(vocab_size=vocab_size, image_dim=image_dims, n_attributes=n_attributes,
                                 dropout=dropout)

    devices = keras.distribution.list_devices()
    check_rows = np.arange(batch_size - batch_size % len(devices))
    batch = {name: values[check_rows] for name, values in inputs.items()}
    report = {"backend": keras.backend.backend(), "devices": devices,
              "agreement": one_step_agreement(lambda: build(dropout=0.0), batch, clicked[check_rows], devices)}
    if not check_only:
        train = {name: values[is_train] for name, values in inputs.items()}
        val = {name: values[~is_train] for name, values in inputs.items()}
        model, history, epoch_s = fit_data_parallel(build, train, clicked[is_train], val, clicked[~is_train],
                                                    devices=devices, epochs=epochs, batch_size=batch_size)
        prediction = model.predict(select_inputs(model, val), batch_size=2048, verbose=0).ravel()
        with atomic_path(out_dir / "predictions.npz") as tmp:
            np.savez(tmp, clicked=clicked[~is_train], predicted=prediction, p_click=p_click[~is_train],
                     user_id=users[~is_train])
        report.update({"history": history, "epoch_seconds": epoch_s, "n_train": int(is_train.sum()),
                       "n_val": int((~is_train).sum()), "epochs": epochs, "batch_size": batch_size})
    write_text_atomic(out_dir / "report.json", json.dumps(report))
    return report


def main(argv: list[str] | None = None) -> int:
    """Command line of rec_utils.models.jax_process.run_in_jax (start it with KERAS_BACKEND=jax)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--n-users", type=int, default=1000)
    parser.add_argument("--check-only", action="store_true", help="only the one-step agreement check")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    _demo(args.out, args.epochs, args.batch_size, args.n_users, args.check_only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
