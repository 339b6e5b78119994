"""Headline results of a notebook run, saved to reports/metrics/<notebook>.json for the tests.

A run with non-default parameters saves under its own folder instead (rec_utils.runtime.runs), and every
metrics file records the parameters that its notebook's check_parameters cell validated, under "parameters".

    save_metrics("10_explore_exploit", {"headline": [headline_entry("CTR gain (paired)", (0.05, 0.04, 0.06))],
                                        "table": json_records(frame), "fit": none_for_nan(fit)})
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from rec_utils.runtime.io import write_text_atomic
from rec_utils.runtime.paths import METRICS_DIR, relative
from rec_utils.runtime.runs import artefact_dir, find_artefact, run_parameters


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


def none_for_nan(value):
    """`value` with every NaN number, at any depth of dicts, lists and tuples, written as None: for results in which
    NaN means "no value" (no meeting point, no draw, an empty group), which save_metrics refuses as NaN."""
    if isinstance(value, dict):
        return {k: none_for_nan(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [none_for_nan(v) for v in value]
    if isinstance(value, (float, np.floating)) and math.isnan(value):
        return None
    return value


def json_records(frame: pd.DataFrame) -> list[dict]:
    """The rows of `frame` as dicts (column -> value), missing values written as None."""
    return frame.astype(object).where(frame.notna(), None).to_dict(orient="records")


def headline_entry(name: str, values: Sequence[float] | pd.Series) -> dict:
    """One entry of a metrics file's "headline" list: {"name", "value", "low", "high"} from (value, low, high), a
    sequence or a Series in that order (e.g. a paired row's difference, low, high)."""
    value, low, high = (values.iloc[:3] if isinstance(values, pd.Series) else values[:3])
    return {"name": name, "value": value, "low": low, "high": high}


def metrics_folder(run_dir: Path) -> Path:
    """The folder holding the metrics of the notebooks run into `run_dir` (reports/ or a run folder)."""
    return Path(run_dir) / METRICS_DIR.name


def save_metrics(notebook: str, metrics: dict, metrics_dir: Path | None = None) -> None:
    """Write `metrics` (a JSON-serialisable dict) atomically to `<metrics_dir>/<notebook>.json` and say where.

    metrics_dir defaults to reports/metrics/, or `<run folder>/metrics/` for a run with non-default
    parameters. The checked parameters of the notebook are added under "parameters" (a reserved key).
    """
    if "parameters" in metrics:
        raise ValueError("'parameters' is reserved: save_metrics records the notebook's checked parameters there")
    payload = dict(metrics)
    parameters = run_parameters(notebook)
    if parameters:
        payload["parameters"] = parameters
    folder = Path(metrics_dir) if metrics_dir is not None else metrics_folder(artefact_dir(notebook))
    path = write_text_atomic(folder / f"{notebook}.json", json.dumps(_plain(payload), indent=2, sort_keys=True) + "\n")
    print(f"saved {len(metrics)} metrics to {relative(path)}")


def load_metrics(notebook: str, metrics_dir: Path | None = None) -> dict:
    """Read the metrics a notebook saved; FileNotFoundError names the notebook to run.

    Without `metrics_dir`: a run started with overrides reads its own copy first, then the full run's
    reports/metrics/ (rec_utils.runtime.runs.find_artefact).
    """
    if metrics_dir is not None:
        path = Path(metrics_dir) / f"{notebook}.json"
    else:
        path = find_artefact(f"{METRICS_DIR.name}/{notebook}.json")
    if not path.exists():
        raise FileNotFoundError(f"{relative(path)} not found: run notebook {notebook} first")
    return json.loads(path.read_text())
