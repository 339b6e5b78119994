"""Reading a scaling sweep back from reports/benchmarks.csv (rows of benchmark "scale"): one row per engine and size
with wall and CPU seconds, peak memory and NDCG; where the engines' times cross, and each stage's share of a run.

    table = read_benchmark(BENCHMARKS_PATH, catalogues=1)   # None when no sweep was logged
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from rec_utils.chapters.scale_out.scaling import PipelineSettings

BENCHMARK = "scale"
_UNITS = {"wall_s": "s", "cpu_s": "s", "peak_gib": "GiB", "ndcg": "NDCG@k"}


def engine_label(engine: str, settings: PipelineSettings) -> str:
    """How reports/benchmarks.csv names an engine: 'pandas/numpy' or 'spark local[2]'."""
    return "pandas/numpy" if engine == "pandas" else f"spark {settings.master}"


def benchmark_measurements(row: pd.Series) -> dict[str, tuple[float, str]]:
    """One sweep row as benchmark_log.append_rows measurements: wall, CPU, peak memory, NDCG and the stage
    seconds of a finished run; a failed run gives its time to failure and the memory it reached."""
    if row["status"] != "ok":
        return {"failed_after_s": (float(row["wall_s"]), "s"), "peak_gib": (float(row["peak_gib"]), "GiB")}
    stages = {name: (float(row[name]), "s") for name in row.index if name.endswith("_s") and name not in _UNITS
              and pd.notna(row[name])}
    return {**{name: (float(row[name]), unit) for name, unit in _UNITS.items()}, **stages}


def read_benchmark(path: Path, catalogues: int | None = None) -> pd.DataFrame | None:
    """The latest `benchmarks/scale.py` measurement of each (engine, factor) on replicas made with `catalogues`
    (rows that do not record it were made with None) in a benchmarks CSV, shaped like sweep()'s table (status
    'ok' or 'failed') plus the time cut it used (`cut_date`), the machine it ran on as the log describes it
    (`device`) and Spark's driver heap (`driver_memory`, 'not recorded' where absent); None when the file holds
    none."""
    if not Path(path).exists():
        return None
    rows = pd.read_csv(path)
    rows = rows[rows["benchmark"] == BENCHMARK]
    rows = rows[rows["parameters"].map(lambda p: json.loads(p).get("catalogues") == catalogues)]
    if rows.empty:
        return None
    parameters = rows["parameters"].map(json.loads)
    rows = rows.assign(factor=parameters.map(lambda p: p["factor"]), rows_in=parameters.map(lambda p: p["rows_in"]),
                       cut_date=parameters.map(lambda p: p.get("cut_date", p.get("cut", "not recorded"))),
                       driver_memory=parameters.map(lambda p: p.get("driver_memory", "not recorded")))
    latest = rows[rows["timestamp"] == rows.groupby(["backend", "factor"])["timestamp"].transform("max")]
    table = latest.pivot_table(index=["backend", "factor", "rows_in", "timestamp", "cut_date", "device",
                                      "driver_memory"], columns="metric", values="value")
    table = table.reset_index().rename(columns={"backend": "engine"})
    for metric in ("wall_s", "failed_after_s"):
        if metric not in table:
            table[metric] = np.nan
    table["status"] = np.where(table["failed_after_s"].notna(), "failed", "ok")
    table["wall_s"] = table["wall_s"].fillna(table["failed_after_s"])
    table["engine"] = table["engine"].map(lambda e: "pandas" if e.startswith("pandas") else "spark")
    table.columns.name = None
    return table.sort_values(["factor", "engine"]).reset_index(drop=True)


def crossover_factor(table: pd.DataFrame) -> int | None:
    """The smallest factor at which Spark finished faster than pandas/numpy (or pandas/numpy failed and
    Spark did not); None when Spark is slower at every size measured."""
    for factor, group in table.groupby("factor"):
        by_engine = group.set_index("engine")
        if not {"pandas", "spark"} <= set(by_engine.index):
            continue
        pandas_ok, spark_ok = by_engine.loc["pandas", "status"] == "ok", by_engine.loc["spark", "status"] == "ok"
        if spark_ok and (not pandas_ok or by_engine.loc["spark", "wall_s"] < by_engine.loc["pandas", "wall_s"]):
            return int(factor)
    return None


def stage_shares(table: pd.DataFrame, engine: str) -> pd.Series:
    """Share of each stage ('<stage>_s' columns: start, read_clean, matrix, als, topk_metrics) in the stage time of
    `engine`'s successful run at the largest size of `table` (empty when it has none)."""
    done = table[(table["engine"] == engine) & (table["status"] == "ok")]
    if done.empty:
        return pd.Series(dtype=float)
    largest = done.sort_values("rows_in").iloc[-1]
    stages = [c for c in done.columns if c.endswith("_s") and c not in {"wall_s", "cpu_s", "failed_after_s"}
              and pd.notna(largest[c])]
    seconds = largest[stages].astype(float)
    return (seconds / seconds.sum()).rename(lambda c: c[:-2])
