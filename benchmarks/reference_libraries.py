"""Worker for benchmarks/als.py and benchmarks/off_policy.py: times the reference libraries (`implicit`, Open Bandit
Pipeline) in their own environment, on inputs the benchmark wrote, and writes back results and CPU seconds.

    .venv-bench/bin/python benchmarks/reference_libraries.py als IN.npz OUT.npz --solver cg --factors 32 ...
    .venv-bench/bin/python benchmarks/reference_libraries.py ope IN.npz OUT.json --repeats 3

It imports numpy, scipy, threadpoolctl and the library measured, never rec_utils, so the reference libraries
(requirements-bench.txt) need not share the project's environment. Every fit or estimate runs on one thread
(BLAS limited to 1, `implicit` with num_threads=1); times are process CPU seconds of the call alone.
The benchmarks call it through call_reference, with the interpreter reference_python finds.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

BENCH_PYTHON = Path(__file__).resolve().parents[1] / ".venv-bench" / "bin" / "python"
SETUP = "python3.11 -m venv .venv-bench && .venv-bench/bin/pip install -r requirements-bench.txt"
ONE_THREAD = {name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}


def reference_python(given: str | None, module: str) -> str | None:
    """The interpreter that can import `module`: `given` ("none": skip the reference), else .venv-bench's, else
    this one; None (and a line saying how to set it up) when none can."""
    if given == "none":
        return None
    for candidate in ([given] if given else [str(BENCH_PYTHON), sys.executable]):
        if Path(candidate).exists() and subprocess.run([candidate, "-c", f"import {module}"],
                                                       capture_output=True).returncode == 0:
            return candidate
    print(f"{module} is not importable from {given or BENCH_PYTHON}: the reference rows are skipped ({SETUP})")
    return None


def call_reference(python: str, *args: str) -> None:
    """Run this worker under `python` with `args`, one BLAS/OpenMP thread; RuntimeError with its stderr if it fails."""
    done = subprocess.run([python, __file__, *args], capture_output=True, text=True, env={**os.environ, **ONE_THREAD})
    if done.returncode:
        raise RuntimeError(f"{python} {Path(__file__).name} {args[0]} failed:\n{done.stderr[-3000:]}")


def run_als(args: argparse.Namespace) -> None:
    """Fit implicit's AlternatingLeastSquares on the confidence matrix in IN.npz (CSR parts, values c_ui, the
    unobserved confidence being 1, so alpha=1); save user_factors, item_factors, cpu_s and version."""
    from implicit.cpu.als import AlternatingLeastSquares

    parts = np.load(args.input)
    confidence = sp.csr_matrix((parts["data"], parts["indices"], parts["indptr"]), shape=tuple(parts["shape"]))
    model = AlternatingLeastSquares(factors=args.factors, regularization=args.regularization, alpha=1.0,
                                    iterations=args.iterations, use_cg=args.solver == "cg", num_threads=1,
                                    random_state=args.seed, calculate_training_loss=False)
    with threadpool_limits(limits=1):
        start = time.process_time()
        model.fit(confidence, show_progress=False)
        seconds = time.process_time() - start
    np.savez(args.output, user_factors=model.user_factors, item_factors=model.item_factors, cpu_s=seconds,
             version=metadata.version("implicit"))


def run_ope(args: argparse.Namespace) -> None:
    """Open Bandit Pipeline's IPS, SNIPS, DM and DR on the log in IN.npz (reward, action, pscore, position,
    action_dist (n, M, 1), estimated_rewards (n, M, 1)); write {estimator: {value, cpu_s (best of repeats)}}."""
    from obp.ope import DirectMethod, DoublyRobust, InverseProbabilityWeighting
    from obp.ope import SelfNormalizedInverseProbabilityWeighting as SelfNormalized

    log = dict(np.load(args.input))
    logged = {name: log[name] for name in ("reward", "action", "pscore", "position", "action_dist")}
    calls = {
        "ips": lambda: InverseProbabilityWeighting().estimate_policy_value(**logged),
        "snips": lambda: SelfNormalized().estimate_policy_value(**logged),
        "dm": lambda: DirectMethod().estimate_policy_value(
            position=log["position"], action_dist=log["action_dist"],
            estimated_rewards_by_reg_model=log["estimated_rewards"]),
        "dr": lambda: DoublyRobust().estimate_policy_value(
            **logged, estimated_rewards_by_reg_model=log["estimated_rewards"]),
    }
    results = {}
    with threadpool_limits(limits=1):
        for name, call in calls.items():
            call()  # warm-up, untimed: the first call of a fresh process pays for lazy imports and page faults
            times = []
            for _ in range(args.repeats):
                start = time.process_time()
                value = call()
                times.append(time.process_time() - start)
            results[name] = {"value": float(value), "cpu_s": min(times)}
    results["version"] = metadata.version("obp")
    with open(args.output, "w") as out:
        json.dump(results, out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    als = commands.add_parser("als", help="fit implicit's ALS")
    als.add_argument("input")
    als.add_argument("output")
    als.add_argument("--solver", choices=("cg", "cholesky"), required=True)
    als.add_argument("--factors", type=int, required=True)
    als.add_argument("--regularization", type=float, required=True)
    als.add_argument("--iterations", type=int, required=True)
    als.add_argument("--seed", type=int, default=0)
    ope = commands.add_parser("ope", help="Open Bandit Pipeline's estimators")
    ope.add_argument("input")
    ope.add_argument("output")
    ope.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    (run_als if args.command == "als" else run_ope)(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
