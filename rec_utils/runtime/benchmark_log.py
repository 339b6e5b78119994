"""Benchmark rows appended to reports/benchmarks.csv (one row per measured quantity).

Appending holds a file lock and replaces the file atomically (old bytes + new rows), so two benchmarks
finishing together never interleave lines and an interrupted write never leaves half a row.
"""

from __future__ import annotations

import json
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from rec_utils.runtime.io import file_lock, write_text_atomic
from rec_utils.runtime.paths import REPORTS_DIR

BENCHMARKS_PATH: Path = REPORTS_DIR / "benchmarks.csv"
COLUMNS = ["timestamp", "benchmark", "device", "backend", "parameters", "metric", "value", "unit"]


def best_time(fn: Callable[[], object], repeats: int = 3) -> float:
    """Smallest wall time of `repeats` calls of fn, in seconds (the least disturbed run)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def append_rows(benchmark: str, device: str, backend: str, parameters: dict, measurements: dict[str, tuple[float, str]],
                path: Path = BENCHMARKS_PATH) -> pd.DataFrame:
    """Append one row per measurement {metric: (value, unit)}; return the rows written."""
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S")
    params = json.dumps(parameters, sort_keys=True)
    rows = pd.DataFrame([[stamp, benchmark, device, backend, params, metric, value, unit]
                         for metric, (value, unit) in measurements.items()], columns=COLUMNS)
    return append_frame(rows, path)


def append_frame(rows: pd.DataFrame, path: Path = BENCHMARKS_PATH) -> pd.DataFrame:
    """Append rows already in the log's columns (e.g. read back from another run's CSV); return them."""
    rows = rows[COLUMNS]
    path = Path(path)
    with file_lock(path):
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        write_text_atomic(path, old + rows.to_csv(header=not old, index=False))
    return rows


def cpu_description() -> str:
    """E.g. 'CPU x86_64 (2 cores)'."""
    return f"CPU {platform.machine()} ({os.cpu_count()} cores)"
