"""The customer bootstrap: the one engine behind every interval of a statistic of per-customer values.

Every input row is one customer (a per-user NDCG, a customer's hits and trials, ...); a resample draws
customers with replacement, so the interval reflects which customers happened to be observed. Rows are
resampled whole, so columns of one customer stay together, and `draws` is the only place customers are
drawn: every call with the same number of customers and the same seed draws the same customers, so
intervals of different methods from separate calls are paired.

    draws(n, n_boot, seed)                  the resamples, one (n,) index array at a time
    bootstrap_means(values)                 (n, m) -> (n_boot, m) column means of every resample (vectorised)
    resampled(columns, statistic)           any statistic of the rows, on every resample
    percentile_interval(boot)               (low, high) percentile interval of resampled values
    mean_interval / ratio_interval / bootstrap_statistic / paired_difference      point, low, high (...)
    mean_table / paired_differences         {method: per-customer values} -> tables with intervals
    paired_verdict(paired, "a - b")         one sentence saying only what a paired interval supports
    Comparison                              those tables, the per-customer values, what validation chose, the protocol

rec_utils.evaluation.comparison (recommenders on one split) and probability (metrics such as ROC-AUC over
resampled rows or customers) draw their resamples here too.

ROC-AUC and log-loss of rows grouped by customer have their own exact, fast path drawing the same customers:
rec_utils.evaluation.grouped_auc.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd


def draws(n: int, n_boot: int = 200, seed: int = 0) -> Iterator[np.ndarray]:
    """`n_boot` resamples of `n` customers with replacement, one (n,) int index array at a time (seeded)."""
    if n == 0:
        raise ValueError("no customers to resample")
    rng = np.random.default_rng(seed)
    for _ in range(n_boot):
        yield rng.integers(n, size=n)


def bootstrap_means(values: np.ndarray, n_boot: int = 1000, seed: int = 0) -> np.ndarray:
    """Column means of every resample: values (n_customers, m) -> (n_boot, m). Resample b counts how often each
    customer was drawn, so the means are one matrix product (the same numbers as averaging the drawn rows)."""
    values = np.asarray(values, dtype=float)
    n = values.shape[0]
    counts = np.stack([np.bincount(idx, minlength=n) for idx in draws(n, n_boot, seed)])
    return counts @ values / n


def resampled(columns: np.ndarray, statistic: Callable[[np.ndarray], float], *, n_boot: int = 200,
              seed: int = 0) -> np.ndarray:
    """`statistic` on `n_boot` resamples of the rows (customers) of `columns`: (n_boot,)."""
    columns = np.asarray(columns, dtype=float)
    return np.array([statistic(columns[idx]) for idx in draws(len(columns), n_boot, seed)])


def percentile_interval(boot: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """(low, high): the (1 - level)/2 and (1 + level)/2 quantiles of resampled values along axis 0 (NaN
    resamples, e.g. a ratio with an empty denominator, left out). Scalars for a (n_boot,) input."""
    alpha = (1 - level) / 2
    quantile = np.nanquantile if np.isnan(boot).any() else np.quantile
    return quantile(boot, alpha, axis=0), quantile(boot, 1 - alpha, axis=0)


def bootstrap_statistic(columns: np.ndarray, statistic: Callable[[np.ndarray], float], *, n_boot: int = 200,
                        level: float = 0.95, seed: int = 0) -> tuple[float, float, float]:
    """(statistic on all rows, percentile interval over `n_boot` row resamples) of `statistic(columns)`.

    columns: (n_customers,) or (n_customers, m); statistic maps such an array to a float.
    """
    columns = np.asarray(columns, dtype=float)
    low, high = percentile_interval(resampled(columns, statistic, n_boot=n_boot, seed=seed), level)
    return float(statistic(columns)), float(low), float(high)


def mean_interval(values: np.ndarray, *, n_boot: int = 200, level: float = 0.95,
                  seed: int = 0) -> tuple[float, float, float]:
    """Mean of per-customer values (NaN = undefined for that customer, left out) with its interval."""
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    low, high = percentile_interval(bootstrap_means(values[:, None], n_boot, seed)[:, 0], level)
    return float(values.mean()), float(low), float(high)


def ratio_interval(numerator: np.ndarray, denominator: np.ndarray, **options) -> tuple[float, float, float]:
    """Σ numerator / Σ denominator over customers (e.g. hits / trials pooled) with its interval."""
    columns = np.column_stack([numerator, denominator])
    return bootstrap_statistic(columns, lambda c: c[:, 0].sum() / c[:, 1].sum(), **options)


def paired_difference(a: np.ndarray, b: np.ndarray, *, denominator: np.ndarray | None = None, n_boot: int = 200,
                      level: float = 0.95, seed: int = 0) -> dict[str, float]:
    """A - B on the same customers and the same resamples: means of per-customer values a and b (rows
    where either is NaN left out), or, with `denominator`, pooled ratios Σa/Σd - Σb/Σd.
    Returns {"difference", "low", "high", "p_not_better"} (share of resamples where A - B <= 0)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have one value per customer each, got shapes {a.shape} and {b.shape}")
    if denominator is None:
        keep = ~(np.isnan(a) | np.isnan(b))
        differences = a[keep] - b[keep]
        point, values = differences.mean(), bootstrap_means(differences[:, None], n_boot, seed)[:, 0]
    else:
        columns = np.column_stack([a, b, denominator])

        def statistic(c):
            return (c[:, 0].sum() - c[:, 1].sum()) / c[:, 2].sum()
        point, values = statistic(columns), resampled(columns, statistic, n_boot=n_boot, seed=seed)
    low, high = percentile_interval(values, level)
    return {"difference": float(point), "low": float(low), "high": float(high),
            "p_not_better": float(np.mean(values <= 0))}


def over_runs(per_run_draws: np.ndarray, point_per_run: np.ndarray, *, level: float = 0.95,
              seed: int = 0) -> dict[str, float]:
    """Mean over runs of a statistic computed on S runs of a randomised method (noise, batches, initialisation),
    with an interval over customers *and* runs: per_run_draws (n_boot, S) the statistic of each run on the same
    customer resamples, point_per_run (S,) on all customers. Each resample also draws the S runs with replacement
    (a two-level bootstrap), so the interval covers the run-to-run randomness that a customer bootstrap alone
    leaves out. Returns {"difference" (the mean over runs), "low", "high", "p_not_better", "runs", "run_sd",
    "run_min", "run_max"} (the last three over the runs' own values)."""
    per_run_draws, point_per_run = np.asarray(per_run_draws, float), np.asarray(point_per_run, float)
    n_boot, n_runs = per_run_draws.shape
    picks = np.random.default_rng([seed, n_runs]).integers(0, n_runs, (n_boot, n_runs))
    values = np.nanmean(np.take_along_axis(per_run_draws, picks, axis=1), axis=1)
    low, high = percentile_interval(values, level)
    return {"difference": float(point_per_run.mean()), "low": float(low), "high": float(high),
            "p_not_better": float(np.mean(values <= 0)), "runs": int(n_runs),
            "run_sd": float(point_per_run.std(ddof=1)) if n_runs > 1 else 0.0,
            "run_min": float(point_per_run.min()), "run_max": float(point_per_run.max())}


def paired_difference_over_runs(a: np.ndarray, b: np.ndarray, *, n_boot: int = 200, level: float = 0.95,
                                seed: int = 0) -> dict[str, float]:
    """Mean over S runs of A - B per customer: a (S, n) the per-customer values of S runs of a randomised method,
    b (n,) the reference on the same customers (customers with a NaN anywhere left out); the interval resamples
    customers and runs (over_runs)."""
    a, b = np.atleast_2d(np.asarray(a, dtype=float)), np.asarray(b, dtype=float)
    if a.shape[1] != b.shape[0]:
        raise ValueError(f"a must be (runs, customers) with b's {b.shape[0]} customers, got {a.shape}")
    keep = ~(np.isnan(b) | np.isnan(a).any(axis=0))
    differences = (a[:, keep] - b[keep]).T  # (customers, runs)
    return over_runs(bootstrap_means(differences, n_boot, seed), differences.mean(axis=0), level=level, seed=seed)


def mean_table(values: dict[str, np.ndarray], *, n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """One row per method: mean, low, high (mean_interval) and n (customers with a value).
    values: {method: (n_customers,) per-customer values, NaN where undefined}."""
    rows = {}
    for name, v in values.items():
        mean, low, high = mean_interval(v, n_boot=n_boot, seed=seed)
        rows[name] = {"mean": mean, "low": low, "high": high, "n": int((~np.isnan(np.asarray(v, float))).sum())}
    return pd.DataFrame.from_dict(rows, orient="index")


def paired_differences(values: dict[str, np.ndarray], pairs: list[tuple[str, str]], *, n_boot: int = 1000,
                       seed: int = 0) -> pd.DataFrame:
    """One row per (a, b), named 'a - b': paired_difference of values[a] and values[b] (customers with both)."""
    return pd.DataFrame.from_dict({f"{a} - {b}": paired_difference(values[a], values[b], n_boot=n_boot, seed=seed)
                                   for a, b in pairs}, orient="index")


def paired_verdict(paired: pd.DataFrame, row: str, *, metric: str, digits: int = 4) -> str:
    """One sentence from the row 'a - b' of a paired_differences table: the difference of `metric` with its
    paired 95% interval, and a direction only when the interval excludes 0."""
    a, b = row.split(" - ", 1)
    r = paired.loc[row]
    gap = (f"{metric}, {a} minus {b}: {r['difference']:+.{digits}f} "
           f"[{r['low']:+.{digits}f}, {r['high']:+.{digits}f}]")
    if r["low"] > 0:
        return f"{gap}; the paired 95% interval excludes 0: {a} is higher"
    if r["high"] < 0:
        return f"{gap}; the paired 95% interval excludes 0: {a} is lower"
    return f"{gap}; the paired 95% interval includes 0: no difference shown"


@dataclass
class Comparison:
    """A comparison of methods on one protocol: table (method -> mean and 95% interval), paired (differences
    with intervals), per_customer (the values behind both), chosen (what validation chose), protocol (in words)."""

    table: pd.DataFrame
    paired: pd.DataFrame
    per_customer: pd.DataFrame
    chosen: dict = field(default_factory=dict)
    protocol: str = ""

    def record(self) -> dict:
        """The tables, the choices and the protocol as plain dicts for a metrics file (per-customer values left out)."""
        return {"table": self.table.to_dict(orient="index"), "paired": self.paired.to_dict(orient="index"),
                "chosen": self.chosen, "protocol": self.protocol}


