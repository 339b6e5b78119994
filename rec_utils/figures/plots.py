"""Figures shared by the notebooks (top layer: may import any other layer); each returns its Figure
and `save_figure` writes it to reports/figures/."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.calibration import calibration_curve

from rec_utils.evaluation.concentration import lorenz_share
from rec_utils.runtime.io import atomic_path
from rec_utils.runtime.paths import FIGURES_DIR
from rec_utils.runtime.runs import artefact_dir


def save_figure(fig: plt.Figure, name: str, figures_dir: Path | None = None) -> Path:
    """Save `fig` atomically as `<figures_dir>/<name>.png` (150 dpi) and return the path.

    figures_dir defaults to reports/figures/, or `<run folder>/figures/` when the notebook the name starts
    with ("01_long_tail" -> 01) runs with non-default parameters (rec_utils.runtime.runs).
    """
    folder = Path(figures_dir) if figures_dir is not None else artefact_dir(name) / FIGURES_DIR.name
    path = folder / f"{name}.png"
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=150, bbox_inches="tight")
    return path


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


def calibration_plot(y_true: np.ndarray, probabilities: dict[str, np.ndarray], n_bins: int = 10) -> plt.Figure:
    """Reliability diagram: mean predicted probability vs observed frequency, per model (quantile bins)."""
    fig, ax = plt.subplots(figsize=(5, 4.5))
    ax.plot([0, 1], [0, 1], color="grey", ls=":", label="perfectly calibrated")
    for name, prob in probabilities.items():
        observed, predicted = calibration_curve(y_true, prob, n_bins=n_bins, strategy="quantile")
        ax.plot(predicted, observed, marker="o", label=name)
    ax.set(xlabel="mean predicted probability", ylabel="observed frequency", title="Calibration")
    ax.legend()
    fig.tight_layout()
    return fig


def metric_by_parameter_plot(results: pd.DataFrame, *, x: str, metrics: list[str], hue: str,
                             baselines: dict[str, dict[str, float]] | None = None) -> plt.Figure:
    """One panel per metric: metric against parameter `x`, a line per `hue`, dashed baselines."""
    fig, axes = plt.subplots(1, len(metrics), figsize=(4 * len(metrics), 3.6), squeeze=False)
    for ax, metric in zip(axes[0], metrics):
        for name, group in results.groupby(hue, sort=False):
            ax.plot(group[x], group[metric], marker="o", label=name)
        for name, values in (baselines or {}).items():
            ax.axhline(values[metric], ls="--", color="grey", label=name)
        ax.set(xlabel=x, title=metric)
        ax.set_xscale("log", base=2)
        ax.set_xticks(sorted(results[x].unique()), labels=[f"{v:g}" for v in sorted(results[x].unique())])
    axes[0][0].legend()
    fig.tight_layout()
    return fig


def interval_plot(table: pd.DataFrame, metric: str, *, title: str) -> plt.Figure:
    """Point estimates with their intervals (columns metric, 'metric low', 'metric high'), one row per model."""
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(table) + 1.2))
    y = np.arange(len(table))
    errors = [table[metric] - table[f"{metric} low"], table[f"{metric} high"] - table[metric]]
    ax.errorbar(table[metric], y, xerr=errors,
                fmt="o", capsize=3)
    ax.set_yticks(y, labels=table.index)
    ax.invert_yaxis()
    ax.set(xlabel=f"{metric} (95% bootstrap interval)", title=title)
    fig.tight_layout()
    return fig


def tuning_plot(results: dict, *, title: str = "Validation search") -> plt.Figure:
    """One panel per recommender (values: rec_utils.evaluation.tuning.TuningResult; four panels a row): each tried
    setting's validation mean with its 95% customer-bootstrap interval, the chosen one in orange."""
    n_cols = min(4, len(results))
    n_rows = -(-len(results) // n_cols)
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(3.4 * n_cols, 3.8 * n_rows), squeeze=False, sharey=True)
    for ax in axes.ravel()[len(results):]:
        ax.set_visible(False)
    for ax, (name, result) in zip(axes.ravel(), results.items()):
        table = result.table
        settings = [c for c in table.columns if c not in {"mean", "low", "high", "chosen"}]
        labels = [", ".join(f"{row[c]:g}" if isinstance(row[c], float) and row[c] == row[c] else f"{row[c]}"
                            for c in settings) or "default" for _, row in table.iterrows()]
        x = np.arange(len(table))
        colors = np.where(table["chosen"], "tab:orange", "tab:blue")
        ax.errorbar(x, table["mean"], yerr=[table["mean"] - table["low"], table["high"] - table["mean"]], fmt="none",
                    ecolor="grey", capsize=2)
        ax.scatter(x, table["mean"], c=colors, zorder=3)
        ax.set_xticks(x, labels=labels, rotation=90, fontsize=7)
        ax.set(title=name, xlabel=", ".join(settings) or "(no hyper-parameter)")
    for row in axes:
        row[0].set_ylabel(f"{result.metric}@{result.k} on validation")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def comparison_plot(frame: pd.DataFrame, metric: str, k: int, *, title: str) -> plt.Figure:
    """From a compare_recommenders frame: each recommender's mean `metric`@`k` with its 95% interval (left) and its
    paired difference from the strongest baseline with the paired 95% interval (right; 0 = no difference)."""
    rows = frame[(frame["metric"] == metric) & (frame["k"] == k)].reset_index(drop=True)
    y = np.arange(len(rows))
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 0.45 * len(rows) + 1.6), sharey=True)
    colors = np.where(rows["kind"] == "baseline", "tab:grey", "tab:blue")
    for ax, (mid, low, high) in ((left, ("mean", "low", "high")),
                                 (right, ("diff_vs_best_baseline", "diff_low", "diff_high"))):
        ax.errorbar(rows[mid], y, xerr=[rows[mid] - rows[low], rows[high] - rows[mid]], fmt="none", ecolor="black",
                    capsize=3)
        ax.scatter(rows[mid], y, c=colors, zorder=3)
    right.axvline(0, color="tab:red", ls=":")
    left.set_yticks(y, labels=rows["model"])
    left.invert_yaxis()
    left.set(xlabel=f"{metric}@{k} (95% customer-bootstrap interval)")
    right.set(xlabel=f"difference from {rows['baseline'].iloc[0]} (paired 95% interval)")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def tag_profile_plot(tags: pd.DataFrame, customers: list, *, title: str = "Interest-tag profiles") -> plt.Figure:
    """One panel per customer: their interest tags (rows of rec_utils.recommend.interest.interest_tags, columns
    tags and scores, each a share of the customer's whole profile) as bars."""
    fig, axes = plt.subplots(1, len(customers), figsize=(3.6 * len(customers), 2.8), squeeze=False)
    for ax, customer in zip(axes[0], customers):
        names, scores = tags.loc[customer, "tags"], np.asarray(tags.loc[customer, "scores"], dtype=float)
        ax.barh(np.arange(len(names)), scores)
        ax.set_yticks(np.arange(len(names)), labels=names)
        ax.invert_yaxis()
        ax.set(title=f"customer {customer}", xlabel="share of the customer's profile")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def segment_plot(segments: pd.DataFrame, *, title: str = "RFM segments") -> plt.Figure:
    """From rec_utils.features.segments.rfm_segments: each customer's recency against frequency (log scale),
    coloured by segment (left), and the customers and median revenue per segment (right)."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.2), gridspec_kw={"width_ratios": [3, 2]})
    names = segments["segment"].value_counts().index
    colors = dict(zip(names, plt.get_cmap("tab10").colors))
    for name in names:
        part = segments[segments["segment"] == name]
        left.scatter(part["recency_days"], part["frequency"], s=6, alpha=0.5, color=colors[name], label=name)
    left.set(yscale="log", xlabel="days since the last purchase (recency)", ylabel="invoices (frequency)")
    left.legend(markerscale=3, fontsize=8)
    counts = segments["segment"].value_counts()
    bars = right.barh(counts.index, counts.to_numpy(), color=[colors[n] for n in counts.index])
    revenue = segments.groupby("segment")["monetary"].median()
    right.bar_label(bars, labels=[f"median £{revenue[n]:,.0f}" for n in counts.index], padding=3, fontsize=8)
    right.invert_yaxis()
    right.set(xlabel="customers", xlim=(0, counts.max() * 1.45))
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def difference_plot(rows: pd.DataFrame, *, title: str, xlabel: str = "paired difference (95% interval)"
                    ) -> plt.Figure:
    """Forest plot of paired differences: one row per comparison (index = label; columns difference, low,
    high), blue above zero, red below, grey when the interval includes zero."""
    y = np.arange(len(rows))
    colors = np.where(rows["low"] > 0, "tab:blue", np.where(rows["high"] < 0, "tab:red", "tab:grey"))
    fig, ax = plt.subplots(figsize=(11, 0.6 * len(rows) + 1.4))
    ax.errorbar(rows["difference"], y, xerr=[rows["difference"] - rows["low"], rows["high"] - rows["difference"]],
                fmt="none", ecolor="black", capsize=3)
    ax.scatter(rows["difference"], y, c=colors, zorder=3)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(y, labels=rows.index)
    ax.invert_yaxis()
    ax.set(xlabel=xlabel, title=title)
    fig.tight_layout()
    return fig


def interval_lines_plot(panels: dict[str, dict[str, pd.DataFrame]], *, x: str, xlabel: str, logx: bool = False,
                        references: dict[str, dict[str, tuple[float, float, float]]] | None = None,
                        title: str = "") -> plt.Figure:
    """One panel per entry of `panels` ({panel title: {line label: frame with columns x, value, low, high}}):
    each line with its 95% interval band, and optional horizontal references per panel ({label: (value, low,
    high)}, drawn dashed with their band), e.g. utility against ε with the non-private result."""
    fig, axes = plt.subplots(1, len(panels), figsize=(5.2 * len(panels), 3.8), squeeze=False)
    for ax, (name, lines) in zip(axes[0], panels.items()):
        for label, frame in lines.items():
            line, = ax.plot(frame[x], frame["value"], marker="o", label=label)
            ax.fill_between(frame[x], frame["low"], frame["high"], color=line.get_color(), alpha=0.2)
        for label, (value, low, high) in ((references or {}).get(name) or {}).items():
            ax.axhline(value, ls="--", color="black", label=label)
            ax.axhspan(low, high, color="grey", alpha=0.15)
        if logx:
            ax.set_xscale("log")
        ax.set(xlabel=xlabel, title=name)
        ax.legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def exposure_plot(tables: dict[str, pd.DataFrame], *, title: str) -> plt.Figure:
    """Exposure share of each item group under each recommender (bars; rec_utils.evaluation.fairness
    .exposure_table frames) against the groups' share of merit (black ticks: exposure proportional to merit)."""
    groups = list(next(iter(tables.values())).index)
    width = 0.8 / len(tables)
    fig, ax = plt.subplots(figsize=(1.6 * len(groups) * len(tables) ** 0.5 + 3, 3.8))
    x = np.arange(len(groups))
    for i, (name, table) in enumerate(tables.items()):
        ax.bar(x + (i - (len(tables) - 1) / 2) * width, table["exposure_share"].reindex(groups).to_numpy(), width,
               label=f"{name} (gap {table.attrs['gap']:.2f})")
    merit = next(iter(tables.values()))["merit_share"].reindex(groups).to_numpy()
    ax.scatter(x, merit, marker="_", s=2000, color="black", zorder=3, label="share of merit (purchases)")
    ax.set_xticks(x, labels=groups)
    ax.set(ylabel="share of exposure in the top 10", title=title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def learning_curves(history: dict[str, list[float]], *, title: str) -> plt.Figure:
    """Training and validation loss (and AUC when recorded) per epoch from a Keras History.history."""
    panels = [m for m in ("loss", "auc") if m in history]
    fig, axes = plt.subplots(1, len(panels), figsize=(5 * len(panels), 3.4), squeeze=False)
    for ax, metric in zip(axes[0], panels):
        epochs = np.arange(1, len(history[metric]) + 1)
        ax.plot(epochs, history[metric], marker="o", label="train")
        ax.plot(epochs, history[f"val_{metric}"], marker="o", label="validation")
        ax.set(xlabel="epoch", ylabel=metric)
        ax.legend()
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def catalogue_grid(photos: np.ndarray, catalog: pd.DataFrame, *, columns: int = 8, rows: int = 2) -> plt.Figure:
    """The first rows × columns products: photo, and above it the title and price, with room between rows so
    no title sits under the photo above it. photos: (n_items, 28, 28) in catalog order."""
    fig, axes = plt.subplots(rows, columns, figsize=(1.55 * columns, 2.15 * rows), squeeze=False)
    for ax, (_, item) in zip(axes.ravel(), catalog.head(rows * columns).iterrows()):
        ax.imshow(photos[item["item_id"]], cmap="gray_r")
        ax.set_title(f"{item['title']}\n£{item['price']:.0f}", fontsize=7)
        ax.axis("off")
    fig.suptitle("Catalogue: real photos, simulated titles (the class word is sometimes missing or wrong)")
    fig.subplots_adjust(hspace=0.55, wspace=0.15, top=0.82)
    return fig


def embedding_scatter(points: np.ndarray, labels: np.ndarray, names: list[str], *, title: str) -> plt.Figure:
    """2-D points coloured by class, the legend outside the axes so it covers no point."""
    fig, ax = plt.subplots(figsize=(7.5, 5))
    for c, name in enumerate(names):
        mask = labels == c
        ax.scatter(points[mask, 0], points[mask, 1], s=6, label=name)
    ax.set(title=title, xlabel="PC 1", ylabel="PC 2")
    ax.legend(markerscale=3, fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    fig.tight_layout()
    return fig
