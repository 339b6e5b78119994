"""rec_utils.metrics on many users, with scikit-learn's ndcg_score on the same data as a reference.

    python benchmarks/metrics.py                       # 100,000 users x 10 recommendations
    python benchmarks/metrics.py --users 1000 --items 50

Checks that NDCG@k agrees with scikit-learn to 1e-9, prints a table and appends rows to
reports/benchmarks.csv (our time, scikit-learn's time, their ratio).
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.metrics import ndcg_score

from rec_utils.evaluation.ranking import ndcg_at_k, ranking_report
from rec_utils.runtime.benchmark_log import BENCHMARKS_PATH, append_rows, best_time, cpu_description


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--density", type=float, default=0.05, help="share of items relevant to a user")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--output", default=None, help="CSV to append to (default reports/benchmarks.csv)")
    args = parser.parse_args(argv)



    rng = np.random.default_rng(0)
    relevance = rng.random((args.users, args.items)) < args.density
    relevance[~relevance.any(axis=1), 0] = True  # every user has something relevant (sklearn scores 0 otherwise)
    y_true = relevance.astype(np.float64)
    y_score = rng.random((args.users, args.items))
    recommended = np.argsort(-y_score, axis=1)[:, : args.k]
    relevant = sp.csr_matrix(relevance)

    ours = float(np.mean(ndcg_at_k(recommended, relevant, args.k)))
    reference = float(ndcg_score(y_true, y_score, k=args.k))
    if abs(ours - reference) > 1e-9:
        raise AssertionError(f"NDCG@{args.k} disagrees: rec_utils {ours!r} vs scikit-learn {reference!r}")

    ours_s = best_time(lambda: ndcg_at_k(recommended, relevant, args.k), args.repeats)
    report_s = best_time(lambda: ranking_report(recommended, relevant, args.k), args.repeats)
    sklearn_s = best_time(lambda: ndcg_score(y_true, y_score, k=args.k), args.repeats)
    params = {"users": args.users, "items": args.items, "k": args.k, "density": args.density}
    append_rows("metrics", cpu_description(), "numpy", params, {
        "ndcg_seconds": (ours_s, "s"), "ranking_report_seconds": (report_s, "s"),
        "sklearn_ndcg_seconds": (sklearn_s, "s"), "sklearn_over_ours": (sklearn_s / ours_s, "x"),
        "ndcg_abs_difference": (abs(ours - reference), "abs"),
    }, path=args.output or BENCHMARKS_PATH)
    print(pd.DataFrame([{"users": args.users, f"NDCG@{args.k}": ours, "sklearn": reference,
                         "rec_utils s": ours_s, "all 4 metrics s": report_s, "sklearn s": sklearn_s,
                         "sklearn / ours": sklearn_s / ours_s}]).to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
