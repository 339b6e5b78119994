"""Summaries of bandit runs across seeds: intervals, horizon tables, paired comparisons, exposure and taste recovery.

Seeds are independent runs of one world (same catalogue and users; different arrivals, candidates,
clicks and policy randomness), so a per-seed statistic is one independent draw: intervals are Student-t
intervals over seeds, and comparisons are paired by seed (every policy met the same episode).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from rec_utils.evaluation.concentration import gini, lorenz_share
from rec_utils.simulation.bandit_run import BanditRun


def seed_interval(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """(mean, low, high) of per-seed values (S,): a Student-t interval; (mean, mean, mean) for one seed."""
    values = np.asarray(values, dtype=float)
    mean = float(values.mean())
    if len(values) < 2:
        return mean, mean, mean
    half = stats.t.ppf(0.5 + level / 2, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values))
    return mean, float(mean - half), float(mean + half)


def _at_horizon(run: BanditRun, horizon: int) -> dict[str, np.ndarray]:
    """Per-seed cumulative regret and mean expected CTR over rounds 1..horizon: {name: (S,)}."""
    if not 1 <= horizon <= run.reward.shape[1]:
        raise ValueError(f"horizon {horizon} outside 1..{run.reward.shape[1]}")
    return {"regret": run.regret[:, horizon - 1], "CTR": run.ctr[:, :horizon].mean(axis=1)}


def horizon_table(runs: dict[str, BanditRun], horizons: list[int]) -> pd.DataFrame:
    """Rows (policy, horizon): cumulative regret (expected clicks lost to the best slates) and the mean
    expected CTR up to that round, each with its 95% interval over seeds."""
    rows = []
    for name, run in runs.items():
        for horizon in horizons:
            row = {"policy": name, "round": horizon}
            for metric, values in _at_horizon(run, horizon).items():
                row[metric], row[f"{metric} low"], row[f"{metric} high"] = seed_interval(values)
            rows.append(row)
    return pd.DataFrame(rows).set_index(["policy", "round"])


def paired_difference(a: BanditRun, b: BanditRun, horizon: int, metric: str = "regret") -> tuple[float, float, float]:
    """metric(a) − metric(b) at `horizon`, paired by seed: (mean, low, high)."""
    return seed_interval(_at_horizon(a, horizon)[metric] - _at_horizon(b, horizon)[metric])


def share_of_gain(a: BanditRun, b: BanditRun, c: BanditRun, horizon: int,
                  metric: str = "CTR") -> tuple[float, float, float]:
    """How much of a's gain over c its gain over b makes up, run by run: (metric(a) − metric(b)) /
    (metric(a) − metric(c)) for each seed, as (mean, low, high) over seeds. With b between c and a (e.g. a minus
    its own model run greedily, over a minus a weaker baseline), the share of the whole gain due to what b lacks."""
    first, second, third = (_at_horizon(run, horizon)[metric] for run in (a, b, c))
    return seed_interval((first - second) / (first - third))


def leaders(runs: dict[str, BanditRun], horizons: list[int]) -> pd.DataFrame:
    """At each horizon: the policy with the lowest mean regret, the runner-up, their paired regret difference
    (leader − runner-up, 95% interval) and whether that interval excludes zero ('separated')."""
    rows = []
    for horizon in horizons:
        ranked = sorted(runs, key=lambda name: _at_horizon(runs[name], horizon)["regret"].mean())
        leader, runner_up = ranked[0], ranked[1]
        diff, low, high = paired_difference(runs[leader], runs[runner_up], horizon)
        rows.append({"round": horizon, "leader": leader, "runner-up": runner_up, "difference": diff,
                     "low": low, "high": high, "separated": bool(high < 0)})
    return pd.DataFrame(rows).set_index("round")


def exposure_table(runs: dict[str, BanditRun], top_fraction: float = 0.01) -> pd.DataFrame:
    """Per policy: Gini of item impressions, the share of impressions on the top `top_fraction` of items,
    and distinct categories shown per user in the first and last window, each with a 95% interval over seeds."""
    rows = {}
    for name, run in runs.items():
        per_seed = {"Gini": gini(run.impressions),
                    f"top {top_fraction:.0%} share": np.array([lorenz_share(c, top_fraction) for c in run.impressions]),
                    "categories per user (first window)": run.distinct_categories[:, 0],
                    "categories per user (last window)": run.distinct_categories[:, -1]}
        row = {}
        for metric, values in per_seed.items():
            row[metric], row[f"{metric} low"], row[f"{metric} high"] = seed_interval(values)
        rows[name] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def taste_agreement(estimates: np.ndarray, taste: np.ndarray) -> np.ndarray:
    """Mean over users of the Spearman correlation between a model's per-category scores and the user's true
    class taste θ_u: estimates (S, n_users, C), taste (n_users, C) -> (S,). A user whose scores are all equal
    (nothing learnt) counts as 0; users whose taste has a missing (NaN) entry are left out."""
    known = np.isfinite(taste).all(axis=-1)
    ranks = stats.rankdata(np.asarray(estimates)[:, known], axis=-1)
    truth = stats.rankdata(np.asarray(taste)[known], axis=-1)[None]
    ranks = ranks - ranks.mean(axis=-1, keepdims=True)
    truth = truth - truth.mean(axis=-1, keepdims=True)
    norm = np.sqrt((ranks ** 2).sum(axis=-1) * (truth ** 2).sum(axis=-1))
    correlation = np.where(norm > 0, (ranks * truth).sum(axis=-1) / np.where(norm > 0, norm, 1.0), 0.0)
    return correlation.mean(axis=-1)


def profile_error(estimates: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Root-mean-square error of estimated per-(user, category) click rates against the true ones:
    estimates (S, n_users, C), truth (n_users, C) with NaN for cells without a truth -> (S,)."""
    squared = (np.asarray(estimates, dtype=float) - np.asarray(truth, dtype=float)[None]) ** 2
    return np.sqrt(np.nanmean(squared.reshape(len(squared), -1), axis=1))


def with_intervals(table: pd.DataFrame, metrics: list[str], digits: int = 3) -> pd.DataFrame:
    """Columns '<metric>', '<metric> low', '<metric> high' as one text column '<metric> [95% CI]' each."""
    return pd.DataFrame({f"{m} [95% CI]": [f"{v:,.{digits}f} [{lo:,.{digits}f}, {hi:,.{digits}f}]"
                                           for v, lo, hi in zip(table[m], table[f"{m} low"], table[f"{m} high"])]
                         for m in metrics}, index=table.index)


def interval_frame(rows: dict[str, dict[str, tuple[float, float, float]]]) -> pd.DataFrame:
    """{row: {metric: (mean, low, high)}} as a table with columns '<metric>', '<metric> low', '<metric> high'."""
    return pd.DataFrame({name: {f"{metric}{suffix}": interval[i] for metric, interval in row.items()
                                for i, suffix in enumerate(["", " low", " high"])}
                         for name, row in rows.items()}).T
