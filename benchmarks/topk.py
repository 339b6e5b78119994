"""Top-10 for every user from factor models, against the floor of computing the scores alone.

    python benchmarks/topk.py                                    # 10k/50k/100k users (see --sizes)
    python benchmarks/topk.py --sizes 2000x1000 --factors 16     # quick
    python benchmarks/topk.py --inputs normal zeros              # some score shapes only

For each size and each shape of scores, times rec_utils.recommend.topk.top_k (batched scores + group-maxima
selection) and, in the same run on the same batches, the score function alone (the floor). The shapes:

    normal   U·Vᵀ of random normal factors (continuous scores, no ties)
    zeros    U·Vᵀ multiplied by 0: every score tied (item-kNN gives cold users all-zero rows)
    levels   U·Vᵀ cut into 5 levels: a few distinct values, thousands of ties at the top level
    sparse   U·Vᵀ above 3.5 standard deviations, else 0: a handful of positive scores, the rest tied at 0

Prints a table and appends rows to reports/benchmarks.csv, including the ratio to the floor; tie-heavy
shapes should stay within the ratio of continuous scores.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

import numpy as np
import pandas as pd

from rec_utils.recommend.scorers import factor_scores
from rec_utils.recommend.topk import top_k
from rec_utils.runtime.benchmark_log import BENCHMARKS_PATH, append_rows, best_time, cpu_description

INPUTS = ("normal", "zeros", "levels", "sparse")


def shaped(score: Callable[[np.ndarray], np.ndarray], kind: str, sd: float) -> Callable[[np.ndarray], np.ndarray]:
    """The score function `score` turned into one of INPUTS (in place, on the fresh batch it returns)."""
    def zeros(batch):
        s = score(batch)
        s *= 0
        return s

    def levels(batch):
        s = score(batch)
        s /= 2 * sd
        np.floor(s, out=s)
        return np.clip(s, -2, 2, out=s)

    def sparse(batch):
        s = score(batch)
        s -= 3.5 * sd
        return np.maximum(s, 0, out=s)

    return {"normal": score, "zeros": zeros, "levels": levels, "sparse": sparse}[kind]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", default=["10000x5000", "50000x20000", "100000x50000"],
                        help="USERSxITEMS pairs")
    parser.add_argument("--inputs", nargs="+", default=list(INPUTS), choices=INPUTS, help="shapes of scores")
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
        for kind in args.inputs:
            score = shaped(factor_scores(U, V), kind, sd=float(np.sqrt(args.factors)))

            def floor() -> None:
                for start in range(0, n_users, args.batch_size):
                    score(np.arange(start, min(start + args.batch_size, n_users)))

            floor_s = best_time(floor, args.repeats)
            topk_s = best_time(lambda: top_k(score, n_users, args.k, batch_size=args.batch_size, show_progress=False),
                               args.repeats)
            params = {"users": n_users, "items": n_items, "factors": args.factors, "k": args.k,
                      "batch_size": args.batch_size, "scores": kind}
            append_rows("topk", cpu_description(), "numpy", params, {
                "topk_seconds": (topk_s, "s"), "floor_seconds": (floor_s, "s"),
                "ratio_to_floor": (topk_s / floor_s, "x"),
            }, path=args.output or BENCHMARKS_PATH)
            table.append({"users": n_users, "items": n_items, "scores": kind, "top-k s": topk_s,
                          "scores alone s": floor_s, "ratio": topk_s / floor_s})
    print(pd.DataFrame(table).round(3).to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
