"""Implicit ALS: rec_utils' conjugate-gradient solver, its normal-equation teaching reference, and the `implicit`
library's CPU solvers (conjugate gradient and Cholesky), on the same split and settings, single-threaded.

    python benchmarks/als.py                          # the protocol's test stage, 32 factors, 10 iterations, 5 seeds
    python benchmarks/als.py --seeds 0 --iterations 2 --reference-python none     # quick, rec_utils only

The split is rec_utils.evaluation.protocol.Protocol's test stage (default cut 2011-11-10, task new_items) of
Online Retail; the settings are those of RecommenderSpec "implicit_als" (32 factors, alpha 10, regularization
0.1, 10 iterations). `implicit` gets the same objective: its confidence matrix holds c_ui = 1 + alpha log1p(x_ui)
with its alpha = 1 (it treats unobserved entries as confidence 1, as rec_utils does) and the same plain λI
regularization. Each solver is fitted once per seed, the solvers taking turns, with BLAS on one thread; the time
is the process CPU time of the fit alone (`implicit` runs in the environment of requirements-bench.txt through
benchmarks/reference_libraries.py). NDCG@k of each fit on the test window shows the solvers agree within seed
noise. Prints a table and appends rows to reports/benchmarks.csv: CPU seconds (best and median over seeds),
NDCG (mean and standard deviation over seeds) and the ratios of rec_utils' CG time to each `implicit` solver.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from reference_libraries import call_reference, reference_python
from threadpoolctl import threadpool_limits

from rec_utils.data.tables import load_processed
from rec_utils.evaluation.protocol import EvaluationSplit, Protocol
from rec_utils.evaluation.ranking import ranking_report
from rec_utils.models.factorization import als_confidence, implicit_als, implicit_als_normal_equations
from rec_utils.recommend.recommenders import DEFAULTS
from rec_utils.recommend.scorers import factor_scores
from rec_utils.recommend.topk import top_k
from rec_utils.runtime.benchmark_log import BENCHMARKS_PATH, append_rows, cpu_description

OURS = {"rec_utils CG": implicit_als, "rec_utils normal equations": implicit_als_normal_equations}
IMPLICIT = {"implicit CG": "cg", "implicit Cholesky": "cholesky"}


def ndcg(split: EvaluationSplit, U: np.ndarray, V: np.ndarray, k: int) -> float:
    """NDCG@k of the factors' top-k new items for the split's ranked customers."""
    data, users = split.data, split.users
    recommended = top_k(factor_scores(U, V), data.train.shape[0], k, exclude=split.exclude, users=users,
                        show_progress=False)
    return ranking_report(recommended, data.test[users], k, ("ndcg",))[f"ndcg@{k}"]


def main(argv: list[str] | None = None) -> int:
    settings = DEFAULTS["implicit_als"]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cut-date", default="2011-11-10", help="the protocol's global time cut")
    parser.add_argument("--factors", type=int, default=settings["n_factors"])
    parser.add_argument("--alpha", type=float, default=settings["alpha"])
    parser.add_argument("--regularization", type=float, default=settings["regularization"])
    parser.add_argument("--iterations", type=int, default=settings["n_iterations"])
    parser.add_argument("--cg-steps", type=int, default=3)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--reference-python", default=None,
                        help="interpreter with `implicit` (default .venv-bench's, else this one; 'none' skips it)")
    parser.add_argument("--output", default=None, help="CSV to append to (default reports/benchmarks.csv)")
    args = parser.parse_args(argv)

    protocol = Protocol(args.cut_date, task="new_items")
    split = protocol.split(load_processed("transactions"), "test")
    train = split.data.train
    python = reference_python(args.reference_python, "implicit")
    options = {"alpha": args.alpha, "regularization": args.regularization, "n_iterations": args.iterations}
    runs = []
    with tempfile.TemporaryDirectory(prefix="interest-lab-als-") as folder, threadpool_limits(limits=1):
        confidence = als_confidence(train, args.alpha)
        confidence.data += 1  # implicit reads c_ui itself
        matrix = Path(folder) / "confidence.npz"
        np.savez(matrix, data=confidence.data.astype(np.float32), indices=confidence.indices,
                 indptr=confidence.indptr, shape=np.array(confidence.shape))
        for seed in args.seeds:
            for name, fit in OURS.items():
                extra = {"cg_steps": args.cg_steps} if fit is implicit_als else {}
                start = time.process_time()
                U, V = fit(train, args.factors, seed=seed, show_progress=False, **options, **extra)
                runs.append({"solver": name, "seed": seed, "cpu_s": time.process_time() - start,
                             "ndcg": ndcg(split, U, V, args.k)})
            for name, solver in IMPLICIT.items() if python else ():
                out = Path(folder) / f"{solver}.npz"
                call_reference(python, "als", str(matrix), str(out), "--solver", solver, "--factors",
                               str(args.factors), "--regularization", str(args.regularization), "--iterations",
                               str(args.iterations), "--seed", str(seed))
                result = np.load(out)
                runs.append({"solver": f"{name}", "seed": seed, "cpu_s": float(result["cpu_s"]),
                             "ndcg": ndcg(split, result["user_factors"], result["item_factors"], args.k),
                             "version": str(result["version"])})
    table = pd.DataFrame(runs)
    summary = table.groupby("solver", sort=False).agg(cpu_s_best=("cpu_s", "min"), cpu_s_median=("cpu_s", "median"),
                                                     ndcg_mean=("ndcg", "mean"), ndcg_sd=("ndcg", "std"))
    ours = summary.loc["rec_utils CG", "cpu_s_best"]
    summary["cg_time_ratio"] = ours / summary["cpu_s_best"]  # rec_utils CG over each solver: < 1 is faster
    parameters = {"cut_date": args.cut_date, "stage": "test", "task": "new_items", "k": args.k,
                  "n_users": train.shape[0], "n_items": train.shape[1], "nnz": int(train.nnz),
                  "factors": args.factors, "alpha": args.alpha, "regularization": args.regularization,
                  "iterations": args.iterations, "cg_steps": args.cg_steps, "seeds": args.seeds, "threads": 1}
    versions = table.dropna(subset=["version"]) if "version" in table else table.iloc[:0]
    for solver, row in summary.iterrows():
        label = solver
        if solver in IMPLICIT:
            label = f"{solver} {versions.loc[versions['solver'] == solver, 'version'].iloc[0]}"
        measurements = {"cpu_s_best": (row["cpu_s_best"], "s"), "cpu_s_median": (row["cpu_s_median"], "s"),
                        f"ndcg@{args.k}_mean": (row["ndcg_mean"], "ndcg"),
                        f"ndcg@{args.k}_sd_over_seeds": (row["ndcg_sd"], "ndcg")}
        if solver != "rec_utils CG":
            measurements["rec_utils_cg_time_ratio"] = (row["cg_time_ratio"], "ratio")
        append_rows("als", cpu_description(), label, parameters, measurements, path=args.output or BENCHMARKS_PATH)
    print(f"{protocol.describe_stage('test')}: {train.shape[0]:,} users x {train.shape[1]:,} items, "
          f"{train.nnz:,} nonzeros; {args.factors} factors, {args.iterations} iterations, seeds {args.seeds}")
    with pd.option_context("display.width", 160):
        print(summary.round(4).to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
