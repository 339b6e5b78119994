"""GPU check: the click model's training examples/s and VGG16 images/s on the GPU, with and without mixed
precision, next to the CPU of the same machine, in one table (run it through benchmarks/gpu_check.sh).

    python benchmarks/gpu_check.py              # GPU machine: CPU float32, GPU float32, GPU mixed_float16 at 224 px
    python benchmarks/gpu_check.py --dry-run    # anywhere: the same steps on the CPU at tiny sizes

Each configuration runs benchmarks/click_model.py in its own process (a process cannot leave the GPU once JAX
has started on it); the GPU runs come first, so a machine without a usable GPU stops within seconds with one
line. The rows are appended to reports/benchmarks.csv (or --output) with their device, backend and sizes.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from rec_utils.runtime.benchmark_log import BENCHMARKS_PATH, append_frame

SCRIPT = Path(__file__).with_name("click_model.py")
METRICS = ["train_examples_per_s", "vgg16_images_per_s"]


@dataclass(frozen=True)
class Config:
    """One measured configuration: where it runs, its precision and its sizes."""

    device: str
    mixed_precision: bool
    image_size: int
    n_images: int
    vgg_batch_size: int
    n_examples: int
    batch_size: int

    @property
    def label(self) -> str:
        return f"{self.device} {'mixed_float16' if self.mixed_precision else 'float32'}"

    def arguments(self) -> list[str]:
        args = ["--device", self.device, "--image-size", str(self.image_size), "--n-images", str(self.n_images),
                "--vgg-batch-size", str(self.vgg_batch_size), "--n-examples", str(self.n_examples),
                "--batch-size", str(self.batch_size)]
        return args + (["--mixed-precision"] if self.mixed_precision else [])


def configurations(dry_run: bool) -> list[Config]:
    """GPU runs first (fail fast), then the CPU; the dry run measures the same steps on the CPU at tiny sizes."""
    if dry_run:
        return [Config("cpu", mp, 32, 8, 8, 256, 64) for mp in (False, True)]
    gpu = [Config("gpu", mp, 224, 2048, 256, 200_000, 1024) for mp in (False, True)]
    return gpu + [Config("cpu", False, 224, 64, 32, 20_000, 1024)]


def run_config(config: Config, output: Path) -> None:
    """Run click_model.py for one configuration, appending its rows to `output`; SystemExit with its last error."""
    env = dict(os.environ)
    if config.device == "cpu":  # hide the GPU before JAX starts in that process
        env.update(CUDA_VISIBLE_DEVICES="-1", JAX_PLATFORMS="cpu")
    print(f"measuring {config.label} ...", flush=True)
    result = subprocess.run([sys.executable, str(SCRIPT), *config.arguments(), "--output", str(output)],
                            env=env, capture_output=True, text=True)
    if result.returncode != 0:
        lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
        raise SystemExit(f"gpu_check: {config.label} failed: {lines[-1] if lines else 'no error message'}")


def comparison(rows: pd.DataFrame, labels: list[str]) -> pd.DataFrame:
    """metric x configuration table of throughputs (rows carry a "config" label), with each configuration's
    speed-up over the CPU one."""
    table = rows.pivot_table(index="metric", columns="config", values="value", aggfunc="last")
    table = table[[c for c in labels if c in table.columns]].loc[[m for m in METRICS if m in table.index]]
    base = next(c for c in table.columns if c.startswith("cpu"))
    for column in [c for c in table.columns if c != base]:
        table[f"{column} / {base}"] = table[column] / table[base]
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dry-run", action="store_true", help="CPU only, tiny sizes: checks the steps, not the GPU")
    parser.add_argument("--output", default=str(BENCHMARKS_PATH), help="CSV the rows are appended to")
    args = parser.parse_args(argv)
    configs = configurations(args.dry_run)
    parts = []
    with tempfile.TemporaryDirectory() as folder:
        for i, config in enumerate(configs):
            run_config(config, Path(folder) / f"{i}.csv")
            parts.append(pd.read_csv(Path(folder) / f"{i}.csv").assign(config=config.label))
    rows = pd.concat(parts, ignore_index=True)
    append_frame(rows, Path(args.output))
    table = comparison(rows, [c.label for c in configs])
    backend = ", ".join(sorted(set(rows["backend"])))
    devices = "; ".join(sorted(set(rows["device"])))
    print(f"\nKeras backend {backend}; devices: {devices}; image size {configs[0].image_size} px"
          f"{' (DRY RUN on the CPU: sizes too small for timing)' if args.dry_run else ''}")
    print(table.to_string(float_format=lambda v: f"{v:,.1f}"))
    print(f"{len(rows)} rows appended to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
