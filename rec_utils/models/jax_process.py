"""The data-parallel demo of rec_utils.models.distributed run in a fresh Keras-on-JAX process, from any backend: a
notebook on TensorFlow, or one that has not loaded Keras at all (this module does not import it).

    report = run_in_jax(folder, n_devices=2, check_only=True)   # two simulated XLA host devices
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def jax_environment(n_devices: int | None = None) -> dict[str, str]:
    """Environment for a Keras-on-JAX process; with `n_devices`, XLA shows that many CPU devices."""
    env = {"KERAS_BACKEND": "jax", "TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0",
           "INTEREST_LAB_PROGRESS": "0"}
    if n_devices is not None:
        if n_devices < 1:
            raise ValueError(f"n_devices must be at least 1, got {n_devices}")
        env["XLA_FLAGS"] = f"--xla_force_host_platform_device_count={n_devices}"
    return env


def run_in_jax(out_dir: Path, *, n_devices: int | None = 2, epochs: int = 3, batch_size: int = 256,
               n_users: int = 1000, check_only: bool = False, timeout_s: float = 600) -> dict:
    """Run the demo (`python -m rec_utils.models.distributed`) with Keras on JAX in a fresh process.

    n_devices: simulated CPU devices (None = the machine's real devices, e.g. its GPUs). Writes
    report.json (and, unless check_only, predictions.npz with the validation rows) to `out_dir` and
    returns the report. Raises RuntimeError with the process's last output when it fails.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "rec_utils.models.distributed", "--out", str(out_dir), "--epochs", str(epochs),
               "--batch-size", str(batch_size), "--n-users", str(n_users), *(["--check-only"] if check_only else [])]
    done = subprocess.run(command, env={**os.environ, **jax_environment(n_devices)}, capture_output=True, text=True,
                          timeout=timeout_s)
    if done.returncode != 0:
        raise RuntimeError(f"the JAX data-parallel run failed:\n{(done.stdout + done.stderr)[-3000:]}")
    return json.loads((out_dir / "report.json").read_text())
