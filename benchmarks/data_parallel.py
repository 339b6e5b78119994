"""Training throughput of the click model under keras.distribution.DataParallel, by number of devices.

    python benchmarks/data_parallel.py                         # every real device (e.g. the GPUs), then fewer
    python benchmarks/data_parallel.py --simulate-devices 2    # a CPU pretending to have 2 devices (mechanics only)

Runs on Keras' JAX backend (the script starts itself again in a JAX process). For d = 1, 2, 4, ... up to the devices
visible, trains notebook 06's click model (rec_utils.models.click_model) for --epochs epochs on synthetic
inputs with the global batch split over the first d devices, and appends training examples/s (median of the
epochs after the first two, which also compile the train and validation steps) per device count to
reports/benchmarks.csv. Simulated CPU devices share the same cores, so they show the
mechanics, not a speed-up: only rows from real accelerators measure scaling.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

CHILD = "INTEREST_LAB_DATA_PARALLEL_CHILD"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--simulate-devices", type=int, default=None, help="ask XLA for this many CPU devices")
    parser.add_argument("--n-examples", type=int, default=65_536, help="training examples per timed epoch")
    parser.add_argument("--batch-size", type=int, default=1024, help="global batch (a multiple of the devices)")
    parser.add_argument("--epochs", type=int, default=4, help="epochs per device count (at least 3)")
    parser.add_argument("--output", default=None, help="CSV to append to (default reports/benchmarks.csv)")
    args = parser.parse_args(argv)
    if args.epochs < 3:
        parser.error("--epochs must be at least 3: the first two epochs also compile")
    if os.environ.get(CHILD) != "1":
        # Keras picks its backend, and XLA its device count, at first import: run again in a JAX process.
        from rec_utils.models.jax_process import jax_environment
        env = {**os.environ, **jax_environment(args.simulate_devices), CHILD: "1"}
        command = [sys.executable, __file__, *(sys.argv[1:] if argv is None else argv)]
        return subprocess.run(command, env=env).returncode
    import keras
    import numpy as np

    from rec_utils.models.click_model import build_click_model
    from rec_utils.models.distributed import fit_data_parallel
    from rec_utils.runtime.benchmark_log import BENCHMARKS_PATH, append_rows, cpu_description

    devices = keras.distribution.list_devices()
    rng = np.random.default_rng(0)
    n = args.n_examples
    inputs = {"query_tokens": rng.integers(0, 40, (n, 8)).astype("int32"),
              "title_tokens": rng.integers(0, 40, (n, 8)).astype("int32"),
              "image_features": rng.standard_normal((n, 512)).astype("float32"),
              "attributes": rng.standard_normal((n, 11)).astype("float32")}
    labels = rng.integers(0, 2, n).astype("float32")
    few = {name: values[: args.batch_size] for name, values in inputs.items()}

    def build() -> keras.Model:
        return build_click_model(vocab_size=40, max_len=8, image_dim=512, n_attributes=11)

    counts = sorted({d for d in (1, 2, 4, 8, 16, 32, 64) if d <= len(devices)} | {len(devices)})
    where = (f"{cpu_description()}, {len(devices)} simulated XLA devices" if args.simulate_devices
             else ", ".join(devices))
    for count in counts:
        _, _, seconds = fit_data_parallel(build, inputs, labels, few, labels[: args.batch_size],
                                          devices=devices[:count], epochs=args.epochs, batch_size=args.batch_size)
        rows = append_rows("data_parallel", where, "jax", {"devices": count, "n_examples": n,
                                                           "batch_size": args.batch_size},
                           {"train_examples_per_s": (n / np.median(seconds[2:]), "examples/s")},
                           path=args.output or BENCHMARKS_PATH)
        print(rows[["device", "parameters", "metric", "value"]].to_string(index=False, header=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
