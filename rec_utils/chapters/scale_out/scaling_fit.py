"""What a scaling sweep supports: each engine's time as a fixed cost plus a cost per copy of the data, with
bootstrap intervals, and where (if anywhere) two engines' lines cross.

    costs = engine_costs(table)                        # table: sweep() / read_benchmark() rows (factor, wall_s)
    fit = fit_linear_cost(sizes, seconds)              # seconds = fixed + per_copy * size, least squares
    break_even(fit_pandas, fit_spark)                  # the size where the two lines meet, with its interval
    per_copy_difference(fit_pandas, fit_spark)         # Spark's cost per copy minus pandas', with its interval
    share_ever_faster(fit_pandas, fit_spark)           # how often a draw lets Spark be faster at some size
    size_reaching(fit_memory, 24.0)                    # the size where one line reaches a level (a memory limit)
    cost_plot(table, {"wall time (s)": ("wall_s", fits)})   # the points and each fitted line with its band

Why a line and not power laws: over a sweep such as 1 x, 10 x, 50 x the time of a pipeline is a start-up cost
(Spark's JVM and scheduling, Python imports) plus work that grows with the data; a power law fitted to three
such points reads the flattening due to the fixed cost as a smaller exponent and extrapolates a crossover the
measurements do not contain. The intervals come from a residual bootstrap (the measured sizes kept, the
residuals about the fitted line, rescaled by sqrt(n / (n - 2)), resampled): they show how far the points
scatter about the line, so three sizes measured once give wide intervals, as they should.
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd


@dataclass(frozen=True)
class LinearCost:
    """seconds = fixed_s + per_copy_s * size, fitted on n_points measurements; draws (n_boot, 2) holds the
    bootstrap's (fixed, per copy) pairs."""

    fixed_s: float
    per_copy_s: float
    n_points: int
    draws: np.ndarray

    def interval(self, level: float = 0.95) -> dict[str, float]:
        """Percentile intervals: {'fixed_low', 'fixed_high', 'per_copy_low', 'per_copy_high'}."""
        low, high = np.quantile(self.draws, [(1 - level) / 2, (1 + level) / 2], axis=0)
        return {"fixed_low": float(low[0]), "fixed_high": float(high[0]),
                "per_copy_low": float(low[1]), "per_copy_high": float(high[1])}

    def seconds_at(self, size: float) -> float:
        """The fitted time at `size` copies."""
        return self.fixed_s + self.per_copy_s * size


def _line(sizes: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    """Least-squares (intercept, slope) of seconds on sizes; seconds may be (n,) or (n, draws)."""
    design = np.column_stack([np.ones_like(sizes), sizes])
    return np.linalg.lstsq(design, seconds, rcond=None)[0]


def fit_linear_cost(sizes, seconds, *, n_boot: int = 2000, seed: int = 0) -> LinearCost:
    """Fit seconds = fixed + per_copy * size to measured (size, seconds) pairs, with `n_boot` residual-bootstrap
    draws. Needs at least 3 finite measurements at 2 or more different sizes."""
    sizes, seconds = np.asarray(sizes, dtype=float), np.asarray(seconds, dtype=float)
    if sizes.shape != seconds.shape or sizes.ndim != 1:
        raise ValueError(f"sizes and seconds must be two equally long lists, got shapes {sizes.shape}, "
                         f"{seconds.shape}")
    if not (np.isfinite(sizes).all() and np.isfinite(seconds).all()):
        raise ValueError("sizes and seconds must be finite numbers")
    if len(sizes) < 3 or np.unique(sizes).size < 2:
        raise ValueError(f"a fixed + per-copy fit needs at least 3 measurements at 2 or more sizes, got "
                         f"{len(sizes)} at sizes {sorted(set(sizes.tolist()))}")
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 100:
        raise ValueError(f"n_boot must be an integer of at least 100, got {n_boot!r}")
    fixed, per_copy = _line(sizes, seconds)
    fitted = fixed + per_copy * sizes
    residuals = (seconds - fitted) * np.sqrt(len(sizes) / (len(sizes) - 2))
    rng = np.random.default_rng(seed)
    resampled = fitted[:, None] + rng.choice(residuals, size=(len(sizes), n_boot), replace=True)
    return LinearCost(float(fixed), float(per_copy), len(sizes), _line(sizes, resampled).T)


def can_fit_costs(table: pd.DataFrame, engines: tuple[str, ...] = ("pandas", "spark"), *, size: str = "factor",
                  engine: str = "engine") -> bool:
    """Whether every engine of `engines` has the 3 successful measurements at 2 or more sizes a fit needs."""
    done = table[table["status"] == "ok"] if "status" in table else table
    counts = done.groupby(engine)[size].agg(["size", "nunique"]).reindex(list(engines), fill_value=0)
    return bool(((counts["size"] >= 3) & (counts["nunique"] >= 2)).all())


def engine_costs(table: pd.DataFrame, *, size: str = "factor", seconds: str = "wall_s", engine: str = "engine",
                 n_boot: int = 2000, seed: int = 0, level: float = 0.95) -> tuple[pd.DataFrame, dict[str, LinearCost]]:
    """fit_linear_cost per engine on the successful rows (status 'ok' where a status column exists) of a sweep
    table. Returns (one row per engine: fixed_s, per_copy_s, their intervals and n_points; the fits by engine)."""
    missing = [c for c in (size, seconds, engine) if c not in table]
    if missing:
        raise ValueError(f"table lacks the columns {missing}; it has {list(table.columns)}")
    done = table[table["status"] == "ok"] if "status" in table else table
    fits = {name: fit_linear_cost(group[size], group[seconds], n_boot=n_boot, seed=seed)
            for name, group in done.groupby(engine)}
    rows = {name: {"fixed_s": fit.fixed_s, "per_copy_s": fit.per_copy_s, **fit.interval(level),
                   "n_points": fit.n_points} for name, fit in fits.items()}
    return pd.DataFrame.from_dict(rows, orient="index"), fits


def _meeting(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Sizes where lines a and b ([..., (fixed, per_copy)]) meet: (b0 - a0) / (a1 - b1); NaN where they do not
    meet at a positive size."""
    with np.errstate(divide="ignore", invalid="ignore"):
        size = (b[..., 0] - a[..., 0]) / (a[..., 1] - b[..., 1])
    return np.where(np.isfinite(size) & (size > 0), size, np.nan)


def _summary(fit: np.ndarray, draws: np.ndarray, level: float) -> dict[str, float]:
    meets = draws[np.isfinite(draws)]
    low, high = np.quantile(meets, [(1 - level) / 2, (1 + level) / 2]) if meets.size else (np.nan, np.nan)
    return {"size": float(fit), "low": float(low), "high": float(high), "share_meeting": meets.size / len(draws)}


def break_even(first: LinearCost, second: LinearCost, level: float = 0.95) -> dict[str, float]:
    """Where the two lines meet: size = (fixed difference) / (per-copy difference), for the fit and for each pair
    of bootstrap draws. Returns {'size': the fit's (NaN when the lines do not meet at a positive size), 'low',
    'high' (percentile interval over the draws that meet at a positive size), 'share_meeting' (the share of draws
    that do)}."""
    fit = _meeting(np.array([first.fixed_s, first.per_copy_s]), np.array([second.fixed_s, second.per_copy_s]))
    n = min(len(first.draws), len(second.draws))
    return _summary(fit, _meeting(first.draws[:n], second.draws[:n]), level)


def per_copy_difference(first: LinearCost, second: LinearCost, level: float = 0.95) -> dict[str, float]:
    """second's cost per copy minus first's, with a percentile interval over the pairs of bootstrap draws (the
    two sweeps are resampled independently). Returns {'difference', 'low', 'high'}."""
    n = min(len(first.draws), len(second.draws))
    low, high = np.quantile(second.draws[:n, 1] - first.draws[:n, 1], [(1 - level) / 2, (1 + level) / 2])
    return {"difference": second.per_copy_s - first.per_copy_s, "low": float(low), "high": float(high)}


def share_ever_faster(reference: LinearCost, other: LinearCost) -> float:
    """The share of bootstrap draw pairs in which `other`'s line lies below `reference`'s at some positive size
    (a smaller fixed cost or a smaller cost per copy): how often the sweep leaves room for `other` to win."""
    n = min(len(reference.draws), len(other.draws))
    first, second = reference.draws[:n], other.draws[:n]
    return float(np.mean((second[:, 0] < first[:, 0]) | (second[:, 1] < first[:, 1])))


def size_reaching(fit: LinearCost, value: float, level: float = 0.95) -> dict[str, float]:
    """Where the line reaches `value` (e.g. a machine's memory in GiB): size = (value - fixed) / per_copy, for
    the fit and each bootstrap draw; the same keys as break_even (NaN when it never does at a positive size)."""
    level_line = np.array([value, 0.0])
    return _summary(_meeting(np.array([fit.fixed_s, fit.per_copy_s]), level_line),
                    _meeting(fit.draws, level_line), level)


def cost_plot(table: pd.DataFrame, panels: dict[str, tuple[str, dict[str, LinearCost]]], *, size: str = "factor",
              engine: str = "engine", limits: dict[str, float] | None = None, level: float = 0.95,
              extend: float = 1.2) -> plt.Figure:
    """One panel per entry {axis label: (measured column, {engine: fit})}: the sweep's successful points by
    engine and each fitted line with its bootstrap band (`level`), drawn on linear axes up to `extend` x the
    largest size. `limits` {axis label: value} draws a horizontal line (e.g. the machine's memory)."""
    fig, axes = plt.subplots(1, len(panels), figsize=(5.5 * len(panels), 4), squeeze=False)
    done = table[table["status"] == "ok"] if "status" in table else table
    grid = np.linspace(0, extend * float(done[size].max()), 200)
    for ax, (label, (column, fits)) in zip(axes[0], panels.items()):
        for (name, fit), color in zip(sorted(fits.items()), plt.rcParams["axes.prop_cycle"].by_key()["color"]):
            points = done[done[engine] == name]
            ax.plot(points[size], points[column], "o", color=color, label=f"{name}, measured")
            band = fit.draws[:, :1] + fit.draws[:, 1:] * grid
            low, high = np.quantile(band, [(1 - level) / 2, (1 + level) / 2], axis=0)
            ax.plot(grid, fit.fixed_s + fit.per_copy_s * grid, "-", color=color,
                    label=f"{name}: {fit.fixed_s:.3g} + {fit.per_copy_s:.3g} per copy")
            ax.fill_between(grid, low, high, color=color, alpha=0.2)
        if limits and label in limits:
            ax.axhline(limits[label], color="grey", ls="--", label="this machine's memory")
        ax.set(xlabel=f"copies of the data ({size})", ylabel=label, title=f"{label}: fixed + per-copy cost")
        ax.set_xlim(0, grid[-1])
        ax.legend(fontsize=7)
        ax.grid(True, alpha=0.3)
    fig.tight_layout()
    return fig
