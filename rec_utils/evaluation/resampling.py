"""Bootstrap intervals over customers for statistics built from per-customer values.

Every input row is one customer (a per-user NDCG, a customer's hits and trials, ...); a resample draws
customers with replacement, so the interval reflects which customers happened to be observed. Rows are
resampled whole, so columns of one customer stay together (paired comparisons use the same draws).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def resampled(columns: np.ndarray, statistic: Callable[[np.ndarray], float], *, n_boot: int = 200,
              seed: int = 0) -> np.ndarray:
    """`statistic` on `n_boot` resamples of the rows (customers) of `columns`: (n_boot,)."""
    columns = np.asarray(columns, dtype=float)
    if len(columns) == 0:
        raise ValueError("no customers to resample")
    rng = np.random.default_rng(seed)
    return np.array([statistic(columns[rng.integers(len(columns), size=len(columns))]) for _ in range(n_boot)])


def bootstrap_statistic(columns: np.ndarray, statistic: Callable[[np.ndarray], float], *, n_boot: int = 200,
                        level: float = 0.95, seed: int = 0) -> tuple[float, float, float]:
    """(statistic on all rows, percentile interval over `n_boot` row resamples) of `statistic(columns)`.

    columns: (n_customers,) or (n_customers, m); statistic maps such an array to a float.
    """
    columns = np.asarray(columns, dtype=float)
    values = resampled(columns, statistic, n_boot=n_boot, seed=seed)
    alpha = (1 - level) / 2
    return float(statistic(columns)), float(np.nanquantile(values, alpha)), float(np.nanquantile(values, 1 - alpha))


def mean_interval(values: np.ndarray, **options) -> tuple[float, float, float]:
    """Mean of per-customer values (NaN = undefined for that customer, left out) with its interval."""
    values = np.asarray(values, dtype=float)
    return bootstrap_statistic(values[~np.isnan(values)], np.mean, **options)


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
    if denominator is None:
        keep = ~(np.isnan(a) | np.isnan(b))
        columns = np.column_stack([a[keep] - b[keep]])

        def statistic(c):
            return c[:, 0].mean()
    else:
        columns = np.column_stack([a, b, denominator])

        def statistic(c):
            return (c[:, 0].sum() - c[:, 1].sum()) / c[:, 2].sum()
    values = resampled(columns, statistic, n_boot=n_boot, seed=seed)
    alpha = (1 - level) / 2
    return {"difference": float(statistic(columns)), "low": float(np.quantile(values, alpha)),
            "high": float(np.quantile(values, 1 - alpha)), "p_not_better": float(np.mean(values <= 0))}
