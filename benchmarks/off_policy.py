"""Off-policy estimators (IPS, SNIPS, DM, DR) of rec_utils.evaluation.off_policy against Open Bandit Pipeline's on
the same log: values and CPU time, single-threaded.

    python benchmarks/off_policy.py                             # 10^6 logged visits, 10 candidates, one shown
    python benchmarks/off_policy.py --rounds 10000 --reference-python none      # quick, rec_utils only

The log is a contextual bandit (one of M candidates shown per visit): a random logging distribution per visit
(Dirichlet), the shown candidate drawn from it, a click drawn from a per-candidate probability, a random target
distribution and a noisy reward model. Each library gets the log in its own format: rec_utils the (n, M) arrays
its estimators take (rewards, shown, logging and target propensities, predictions), Open Bandit Pipeline its
logged vectors (reward, action, pscore, position) and (n, M, 1) action_dist and estimated rewards (through
benchmarks/reference_libraries.py, in the environment of requirements-bench.txt). The time is the best process
CPU time of --repeats calls after one untimed call, BLAS on one thread, the two libraries taking turns. Prints
a table and appends rows to reports/benchmarks.csv: CPU seconds per estimator and, for rec_utils, the ratio to
Open Bandit Pipeline's time and the largest difference of the values (they must agree to 1e-12).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from reference_libraries import call_reference, reference_python
from threadpoolctl import threadpool_limits

from rec_utils.evaluation.off_policy import direct_method, doubly_robust, ips, snips
from rec_utils.runtime.benchmark_log import BENCHMARKS_PATH, append_rows, cpu_description

TOLERANCE = 1e-12


def bandit_log(n: int, m: int, seed: int) -> dict[str, np.ndarray]:
    """A logged contextual bandit: (n, M) rewards (NaN where not shown), shown, logging, target, predicted."""
    rng = np.random.default_rng(seed)
    logging = rng.dirichlet(np.ones(m), size=n)
    action = np.minimum((rng.random((n, 1)) > np.cumsum(logging, axis=1)).sum(axis=1), m - 1)
    click_probability = rng.uniform(0.02, 0.3, size=(n, m))
    shown = np.zeros((n, m), dtype=bool)
    shown[np.arange(n), action] = True
    rewards = np.where(shown, rng.random((n, m)) < click_probability, np.nan)
    target = rng.dirichlet(np.ones(m), size=n)
    predicted = np.clip(click_probability + rng.normal(0, 0.05, size=(n, m)), 0, 1)
    return {"rewards": rewards, "shown": shown, "logging": logging, "target": target, "predicted": predicted,
            "action": action}


def obp_inputs(log: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The same log in Open Bandit Pipeline's format (position 0: one slot)."""
    rows, action = np.arange(len(log["action"])), log["action"]
    return {"reward": log["rewards"][rows, action], "action": action, "pscore": log["logging"][rows, action],
            "position": np.zeros(len(action), dtype=int), "action_dist": log["target"][:, :, None],
            "estimated_rewards": log["predicted"][:, :, None]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=1_000_000, help="logged visits n")
    parser.add_argument("--candidates", type=int, default=10, help="candidates per visit M")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--reference-python", default=None,
                        help="interpreter with `obp` (default .venv-bench's, else this one; 'none' skips it)")
    parser.add_argument("--output", default=None, help="CSV to append to (default reports/benchmarks.csv)")
    args = parser.parse_args(argv)

    log = bandit_log(args.rounds, args.candidates, args.seed)
    logged = (log["rewards"], log["shown"], log["logging"], log["target"])
    calls = {"ips": lambda: ips(*logged), "snips": lambda: snips(*logged),
             "dm": lambda: direct_method(log["predicted"], log["target"]),
             "dr": lambda: doubly_robust(*logged, log["predicted"])}
    python = reference_python(args.reference_python, "obp")
    ours, reference = {name: [] for name in calls}, None
    with tempfile.TemporaryDirectory(prefix="interest-lab-ope-") as folder:
        log_path, out_path = Path(folder) / "log.npz", Path(folder) / "out.json"
        if python:
            np.savez(log_path, **obp_inputs(log))
        for call in calls.values():
            call()  # warm-up, untimed, as the reference worker does
        for _ in range(args.repeats):  # the libraries take turns, so a busy spell of the machine hits both
            with threadpool_limits(limits=1):
                for name, call in calls.items():
                    start = time.process_time()
                    ours[name].append((call(), time.process_time() - start))
            if python:
                call_reference(python, "ope", str(log_path), str(out_path), "--repeats", "1")
                turn = json.loads(out_path.read_text())
                reference = reference or {name: [] for name in calls} | {"version": turn["version"]}
                for name in calls:
                    reference[name].append((turn[name]["value"], turn[name]["cpu_s"]))
    table = pd.DataFrame({"rec_utils value": {k: v[0][0] for k, v in ours.items()},
                          "rec_utils cpu_s": {k: min(t for _, t in v) for k, v in ours.items()}})
    if reference is not None:
        table["obp value"] = {k: reference[k][0][0] for k in calls}
        table["obp cpu_s"] = {k: min(t for _, t in reference[k]) for k in calls}
        table["time ratio"] = table["rec_utils cpu_s"] / table["obp cpu_s"]
        table["|difference|"] = (table["rec_utils value"] - table["obp value"]).abs()
    parameters = {"rounds": args.rounds, "candidates": args.candidates, "shown_per_visit": 1, "seed": args.seed,
                  "repeats": args.repeats, "threads": 1}
    output = args.output or BENCHMARKS_PATH
    measurements = {f"{k}_cpu_s": (row["rec_utils cpu_s"], "s") for k, row in table.iterrows()}
    if reference is not None:
        measurements |= {f"{k}_time_ratio_to_obp": (row["time ratio"], "ratio") for k, row in table.iterrows()}
        measurements |= {f"{k}_abs_difference_to_obp": (row["|difference|"], "value") for k, row in table.iterrows()}
        append_rows("off_policy", cpu_description(), f"obp {reference['version']}", parameters,
                    {f"{k}_cpu_s": (row["obp cpu_s"], "s") for k, row in table.iterrows()}, path=output)
    append_rows("off_policy", cpu_description(), "rec_utils", parameters, measurements, path=output)
    print(f"{args.rounds:,} logged visits, {args.candidates} candidates, one shown; best of {args.repeats} calls")
    with pd.option_context("display.width", 160, "display.float_format", "{:.6g}".format):
        print(table.to_string())
    if reference is not None and not (table["|difference|"] <= TOLERANCE).all():
        print(f"values differ from Open Bandit Pipeline's by more than {TOLERANCE:g}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
