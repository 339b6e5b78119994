"""rec_utils ranking metrics on many users, timed like for like against scikit-learn's ndcg_score.

    python benchmarks/metrics.py                       # 100,000 users x 200 items, top 10
    python benchmarks/metrics.py --users 1000 --items 50

scikit-learn's ndcg_score takes the full score matrix and ranks it itself (ties included), so the fair
comparison times rec_utils on the same input: top-k selection from the scores, then NDCG@k
("same input"). The time of NDCG@k on precomputed top-k lists (what the notebooks do) is reported too,
with its own ratio ("lists only"); it leaves out the ranking and is not comparable on its own.

Checks that NDCG@k agrees with scikit-learn to 1e-9, prints a table and appends rows to
reports/benchmarks.csv. Definitions that differ between libraries are named in the table:
MAP@k divides each user's AP by min(n_relevant, k) (others divide by n_relevant), and novelty is the
mean -log2 of the share of *users* who bought an item (others use the share of interactions).
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
import scipy.sparse as sp
from sklearn.metrics import ndcg_score

from rec_utils.evaluation.ranking import ndcg_at_k, novelty, ranking_report
from rec_utils.recommend.topk import top_k_from_scores
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
    y_score = rng.random((args.users, args.items))  # continuous: no ties, so tie handling cannot differ
    relevant = sp.csr_matrix(relevance)
    recommended = top_k_from_scores(y_score, args.k)

    ours = float(np.mean(ndcg_at_k(recommended, relevant, args.k)))
    reference = float(ndcg_score(y_true, y_score, k=args.k))
    if abs(ours - reference) > 1e-9:
        raise AssertionError(f"NDCG@{args.k} disagrees: rec_utils {ours!r} vs scikit-learn {reference!r}")

    same_input_s = best_time(lambda: ndcg_at_k(top_k_from_scores(y_score, args.k), relevant, args.k), args.repeats)
    lists_s = best_time(lambda: ndcg_at_k(recommended, relevant, args.k), args.repeats)
    report_s = best_time(lambda: ranking_report(recommended, relevant, args.k), args.repeats)
    sklearn_s = best_time(lambda: ndcg_score(y_true, y_score, k=args.k), args.repeats)
    map_k = ranking_report(recommended, relevant, args.k, metrics=("map",))[f"map@{args.k}"]
    novelty_bits = novelty(recommended, relevance.sum(axis=0), args.users)
    params = {"users": args.users, "items": args.items, "k": args.k, "density": args.density}
    append_rows("metrics", cpu_description(), "numpy", params, {
        "ndcg_from_scores_seconds": (same_input_s, "s"), "ndcg_seconds": (lists_s, "s"),
        "ranking_report_seconds": (report_s, "s"), "sklearn_ndcg_seconds": (sklearn_s, "s"),
        "sklearn_over_ours_same_input": (sklearn_s / same_input_s, "x"),
        "sklearn_over_ours_lists_only": (sklearn_s / lists_s, "x"),
        "ndcg_abs_difference": (abs(ours - reference), "abs"),
    }, path=args.output or BENCHMARKS_PATH)
    table = {
        "users": args.users, f"NDCG@{args.k} rec_utils": ours, f"NDCG@{args.k} scikit-learn": reference,
        "rec_utils from scores (top-k + NDCG) s": same_input_s, "scikit-learn ndcg_score s (same input)": sklearn_s,
        "scikit-learn / rec_utils, same input": sklearn_s / same_input_s,
        "rec_utils NDCG on top-k lists s": lists_s, "scikit-learn / rec_utils, lists only": sklearn_s / lists_s,
        "rec_utils all 4 metrics on lists s": report_s,
        f"MAP@{args.k} (AP / min(n_relevant, k))": map_k,
        "novelty (mean -log2 share of users who bought, bits)": novelty_bits,
    }
    print("\n".join(f"{label:<55} {value:,.6g}" for label, value in table.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
