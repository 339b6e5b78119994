"""Where Spark starts to pay off: the Online Retail pipeline on pandas/numpy and on Spark at 1x, 10x, 50x.

    python benchmarks/scale.py                                  # 1x, 10x, 50x; pandas/numpy and Spark local[2]
    python benchmarks/scale.py --factors 1 2 --engines pandas   # quick
    python benchmarks/scale.py --master spark://host:7077 --engines spark --factors 50 200   # on a cluster

Each size is Online Retail replicated by rec_utils.data.replicate (written once under data/cache/scale/): by
default n x as many customers of the same shop, which keeps the density and each customer's behaviour
(--catalogues 1), or n disjoint shops (--catalogues own, whose customers x products grow as n^2);
each (engine, size) runs rec_utils.chapters.scale_out.scaling's pipeline (read, clean with accounting, the
protocol's test stage, purchase matrix, implicit ALS, top-k new items, NDCG) in a fresh process, timed from process
start (so Spark's session start-up is included), with peak resident memory summed over the process tree. Prints a table
and appends rows to reports/benchmarks.csv (wall and CPU seconds, peak GiB, NDCG, seconds per stage; a
run that fails or passes --timeout gives its time to failure and the memory it reached).
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import pandas as pd

from rec_utils.chapters.scale_out.scaling import ENGINES, GIB, SCALE_DIR, PipelineSettings, memory_limit_bytes, sweep
from rec_utils.chapters.scale_out.scaling_fit import break_even, can_fit_costs, engine_costs, size_reaching
from rec_utils.chapters.scale_out.sweep_results import BENCHMARK, benchmark_measurements, crossover_factor, engine_label
from rec_utils.data.online_retail import ONLINE_RETAIL_PATH
from rec_utils.runtime.benchmark_log import BENCHMARKS_PATH, append_rows, cpu_description


def _catalogues(value: str) -> int | None:
    """--catalogues: 'own' (None) or a positive integer."""
    if value == "own":
        return None
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"expected 'own' or a positive integer, got {value!r}")
    return int(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--factors", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--engines", nargs="+", choices=ENGINES, default=list(ENGINES))
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--driver-memory", default="4g")
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--rank", type=int, default=PipelineSettings.rank)
    parser.add_argument("--iterations", type=int, default=PipelineSettings.n_iterations)
    parser.add_argument("--cut-date", default=PipelineSettings.cut_date, help="the protocol's global time cut")
    parser.add_argument("--test-days", type=int, default=PipelineSettings.test_days, help="the test window")
    parser.add_argument("--source", type=Path, default=ONLINE_RETAIL_PATH, help="Parquet file to replicate")
    parser.add_argument("--scale-dir", type=Path, default=SCALE_DIR, help="where the replicated files go")
    parser.add_argument("--timeout", type=float, default=None, help="seconds before a run is stopped")
    parser.add_argument("--catalogues", default=1, type=_catalogues,
                        help="replicas' catalogues (rec_utils.data.replicate): 1 = new customers of the same shop, "
                             "the density kept (default); 'own' = a catalogue per replica (disjoint shops)")
    parser.add_argument("--output", default=None, help="CSV to append to (default reports/benchmarks.csv)")
    args = parser.parse_args(argv)

    settings = PipelineSettings(cut_date=args.cut_date, test_days=args.test_days, rank=args.rank,
                                n_iterations=args.iterations, master=args.master, driver_memory=args.driver_memory,
                                partitions=args.partitions)
    catalogues = args.catalogues
    table = sweep(args.factors, args.engines, settings, timeout_s=args.timeout, scale_dir=args.scale_dir,
                  source=args.source, catalogues=catalogues)
    for _, row in table.iterrows():
        parameters = {"factor": int(row["factor"]), "rows_in": int(row["rows_in"]), "catalogues": catalogues,
                      "cut_date": settings.cut_date,
                      "test_days": settings.test_days, "task": settings.task,
                      "k": settings.k, "rank": settings.rank, "n_iterations": settings.n_iterations,
                      "driver_memory": settings.driver_memory, "partitions": settings.partitions}
        append_rows(BENCHMARK, cpu_description(), engine_label(row["engine"], settings), parameters,
                    benchmark_measurements(row), path=args.output or BENCHMARKS_PATH)
    shown = ["factor", "rows_in", "engine", "status", "wall_s", "cpu_s", "peak_gib", "ndcg"]
    columns = [c for c in shown if c in table]
    with pd.option_context("display.width", 160):
        print(table[columns].round(3).to_string(index=False))
    crossover = crossover_factor(table)
    print("Spark is faster from", f"{crossover}x" if crossover else "no size tried")
    done = table[table["status"] == "ok"]
    if can_fit_costs(done):
        costs, fits = engine_costs(done)
        print("wall seconds = fixed + per copy x size (95% residual-bootstrap intervals):")
        print(costs.round(2).to_string())
        meet = break_even(fits["pandas"], fits["spark"])
        print("the two lines meet at", "no positive size" if math.isnan(meet["size"]) else f"{meet['size']:.0f}x",
              f"({meet['share_meeting']:.0%} of the bootstrap draws meet)")
        _, memory = engine_costs(done, seconds="peak_gib")
        at_limit = size_reaching(memory["pandas"], memory_limit_bytes() / GIB)
        if not math.isnan(at_limit["size"]):
            print(f"pandas/numpy's peak memory, on its fitted line, reaches this machine's at about "
                  f"{at_limit['size']:.0f}x (extrapolated beyond {done['factor'].max()}x)")
    else:
        print("three successful sizes per engine are needed to separate the fixed from the per-copy cost")
    return 0


if __name__ == "__main__":
    sys.exit(main())
