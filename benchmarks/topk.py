"""Top-10 for every user from factor models, against the floor of the bare dense product U·Vᵀ.

    python benchmarks/topk.py                                    # 10k/50k/100k users (see --sizes)
    python benchmarks/topk.py --sizes 2000x1000 --factors 16     # quick

For each size, times rec_utils.topk.top_k (batched product + argpartition + sort of the top k)
and, in the same run on the same batches, the product alone. Prints a table and appends rows
to reports/benchmarks.csv, including the ratio to the floor (goal: within 2x).
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
import pandas as pd

from rec_utils.recommend.scorers import factor_scores
from rec_utils.recommend.topk import top_k
from rec_utils.runtime.benchmark_log import BENCHMARKS_PATH, append_rows, best_time, cpu_description


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", default=["10000x5000", "50000x20000", "100000x50000"],
                        help="USERSxITEMS pairs")
    parser.add_argument("--factors", type=int, default=64)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=1024)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--output", default=None, help="CSV to append to (default reports/benchmarks.csv)")
    args = parser.parse_args(argv)


    rng = np.random.default_rng(0)
    table = []
    for size in args.sizes:
        n_users, n_items = map(int, size.lower().split("x"))
        U = rng.standard_normal((n_users, args.factors), dtype=np.float32)
        V = rng.standard_normal((n_items, args.factors), dtype=np.float32)
        score = factor_scores(U, V)

        def floor() -> None:
            for start in range(0, n_users, args.batch_size):
                score(np.arange(start, min(start + args.batch_size, n_users)))

        floor_s = best_time(floor, args.repeats)
        topk_s = best_time(lambda: top_k(score, n_users, args.k, batch_size=args.batch_size, show_progress=False),
                           args.repeats)
        params = {"users": n_users, "items": n_items, "factors": args.factors, "k": args.k,
                  "batch_size": args.batch_size}
        append_rows("topk", cpu_description(), "numpy", params, {
            "topk_seconds": (topk_s, "s"), "floor_seconds": (floor_s, "s"), "ratio_to_floor": (topk_s / floor_s, "x"),
        }, path=args.output or BENCHMARKS_PATH)
        table.append({"users": n_users, "items": n_items, "top-k s": topk_s, "U·Vᵀ s": floor_s,
                      "ratio": topk_s / floor_s})
    print(pd.DataFrame(table).round(3).to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
