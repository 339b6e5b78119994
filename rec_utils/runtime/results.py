"""Headline results of a notebook run, saved to reports/metrics/<notebook>.json for the tests."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from rec_utils.runtime.paths import METRICS_DIR, relative


def _plain(value):
    """JSON-ready Python value: numpy scalars/arrays to Python, NaN/inf refused."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"metric value {value} is not finite")
    return value


def save_metrics(notebook: str, metrics: dict, metrics_dir: Path = METRICS_DIR) -> None:
    """Write `metrics` (a JSON-serialisable dict) to `<metrics_dir>/<notebook>.json`."""
    path = Path(metrics_dir) / f"{notebook}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(_plain(metrics), indent=2, sort_keys=True) + "\n")
    print(f"saved {len(metrics)} metrics to {relative(path)}")


def load_metrics(notebook: str, metrics_dir: Path = METRICS_DIR) -> dict:
    """Read the metrics a notebook saved; FileNotFoundError names the notebook to run."""
    path = Path(metrics_dir) / f"{notebook}.json"
    if not path.exists():
        raise FileNotFoundError(f"{relative(path)} not found: run notebook {notebook} first")
    return json.loads(path.read_text())
