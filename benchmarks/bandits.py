"""Throughput of the bandit policies in the interactive environment: user visits (rounds × users × seeds) per second.

    python benchmarks/bandits.py                                  # 10 seeds x 500 rounds x 16 users
    python benchmarks/bandits.py --seeds 2 --rounds 20 --repeats 1  # quick

Draws one episode of the click simulator's world (notebook 10's environment), then times each
policy's run through it (select, clicks, update, bookkeeping) and the episode draw itself. The
policies are numpy code, so the device is the CPU whatever accelerator is present. Prints a table
and appends one row per policy to reports/benchmarks.csv.
"""

from __future__ import annotations

import argparse
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # the Fashion-MNIST loader imports Keras

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from rec_utils.data.fashion import load_fashion_mnist  # noqa: E402
from rec_utils.models.bandits import UCB1, BetaThompson, EpsilonGreedy, GreedyScores, RandomPolicy  # noqa: E402
from rec_utils.models.linear_bandits import LinearThompson, LinUCB  # noqa: E402
from rec_utils.runtime.benchmark_log import BENCHMARKS_PATH, append_rows, best_time, cpu_description  # noqa: E402
from rec_utils.simulation.bandit_run import run_policy  # noqa: E402
from rec_utils.simulation.clicks import SimulatorConfig  # noqa: E402
from rec_utils.simulation.environment import QUERY_WORDS, BanditEnvironment  # noqa: E402


def policies(env: BanditEnvironment, n_seeds: int) -> dict:
    """A fresh instance of every policy (rebuilt for each timed run, so no run starts warm)."""
    table = np.random.default_rng(0).random((len(QUERY_WORDS), env.n_items))  # a stand-in click-model table
    arms, dim = env.arm_key("query_category"), env.n_features
    return {
        "random": lambda: RandomPolicy(0),
        "greedy_table": lambda: GreedyScores.from_table(table),
        "epsilon_greedy": lambda: EpsilonGreedy(arms, n_seeds, 0.05),
        "ucb1": lambda: UCB1(arms, n_seeds),
        "thompson": lambda: BetaThompson(arms, n_seeds),
        "linucb_shared": lambda: LinUCB(dim, n_seeds, alpha=0.3),
        "linucb_per_user": lambda: LinUCB(dim, n_seeds, alpha=0.3, groups="user", n_users=env.n_users),
        "linear_thompson_per_user": lambda: LinearThompson(dim, n_seeds, v=0.1, groups="user", n_users=env.n_users),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=500)
    parser.add_argument("--users-per-round", type=int, default=16)
    parser.add_argument("--candidates", type=int, default=30)
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--output", default=None, help="CSV to append to (default reports/benchmarks.csv)")
    args = parser.parse_args(argv)

    images, labels, _ = load_fashion_mnist("test")
    env = BanditEnvironment.from_photos(images, labels, SimulatorConfig())
    shape = (args.seeds, args.rounds, args.users_per_round, args.candidates)
    visits = args.seeds * args.rounds * args.users_per_round
    draw_seconds = best_time(lambda: env.draw_episode(*shape, seed=0), args.repeats)
    episode = env.draw_episode(*shape, seed=0)
    measurements = {"episode_draw_visits_per_s": (visits / draw_seconds, "user visits/s")}
    for name, make in policies(env, args.seeds).items():
        seconds = best_time(lambda: run_policy(episode, make(), args.k), args.repeats)
        measurements[f"{name}_visits_per_s"] = (visits / seconds, "user visits/s")
    parameters = {"seeds": args.seeds, "rounds": args.rounds, "users_per_round": args.users_per_round,
                  "candidates": args.candidates, "k": args.k, "items": env.n_items, "users": env.n_users,
                  "features": env.n_features}
    rows = append_rows("bandits", cpu_description(), "numpy", parameters, measurements,
                       path=args.output or BENCHMARKS_PATH)
    table = pd.DataFrame({"metric": rows["metric"], "user visits/s": rows["value"].round(0)})
    print(table.to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
