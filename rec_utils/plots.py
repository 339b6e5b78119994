"""Plots shared by the notebooks; each returns its Figure and can save it to reports/figures/."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from rec_utils.paths import FIGURES_DIR


def save_figure(fig: plt.Figure, name: str, figures_dir: Path = FIGURES_DIR) -> Path:
    """Save `fig` as `<figures_dir>/<name>.png` (150 dpi) and return the path."""
    path = Path(figures_dir) / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=150, bbox_inches="tight")
    return path


def lorenz_share(counts: np.ndarray, top_fraction: float) -> float:
    """Share of the total held by the `top_fraction` largest entries of `counts`."""
    counts = np.sort(np.asarray(counts, dtype=float))[::-1]
    top = max(1, int(round(top_fraction * len(counts))))
    return float(counts[:top].sum() / counts.sum())


def long_tail_plot(popularity: pd.Series, *, label: str = "customers who bought it") -> plt.Figure:
    """Rank-popularity curve (log-log) and the cumulative share of purchases by item rank."""
    counts = np.sort(popularity.to_numpy(dtype=float))[::-1]
    ranks = np.arange(1, len(counts) + 1)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.8))
    ax1.loglog(ranks, counts)
    ax1.set(xlabel="product rank", ylabel=label, title="Long tail of product popularity")
    ax2.plot(ranks / len(ranks), np.cumsum(counts) / counts.sum())
    ax2.axvline(0.2, color="grey", ls=":")
    ax2.set(xlabel="fraction of products (most popular first)", ylabel="cumulative share",
            title=f"Top 20% of products: {lorenz_share(counts, 0.2):.0%} of purchases")
    fig.tight_layout()
    return fig


def distribution_plot(values: pd.Series, *, xlabel: str, title: str) -> plt.Figure:
    """Histogram on logarithmic bins with the median marked."""
    values = values.to_numpy(dtype=float)
    bins = np.logspace(0, np.log10(values.max() + 1), 40)
    fig, ax = plt.subplots(figsize=(6, 3.8))
    ax.hist(values, bins=bins)
    ax.set_xscale("log")
    ax.axvline(np.median(values), color="black", ls="--", label=f"median {np.median(values):g}")
    ax.set(xlabel=xlabel, ylabel="customers", title=title)
    ax.legend()
    fig.tight_layout()
    return fig
