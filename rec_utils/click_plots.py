"""Figures of notebooks 05-06 (top level: may import any layer); each returns its Figure (save with
rec_utils.plots.save_figure)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from rec_utils.click_experiment import CEILINGS


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


def ablation_plot(table: pd.DataFrame, *, reference: str, title: str) -> plt.Figure:
    """Test ROC-AUC with 95% intervals for every model row (best first), the ceilings as labelled vertical
    lines and the strongest baseline `reference` as a dotted line. table: rows as from
    rec_utils.click_experiment.ablation_table."""
    models = table.drop(index=[c for c in CEILINGS if c in table.index]).sort_values("ROC-AUC", ascending=False)
    fig, ax = plt.subplots(figsize=(9, 0.3 * len(models) + 2.6))
    y = np.arange(len(models))
    errors = [(models["ROC-AUC"] - models["ROC-AUC low"]).to_numpy(),
              (models["ROC-AUC high"] - models["ROC-AUC"]).to_numpy()]
    history = np.array(["history" in name for name in models.index])
    for rows, colour, label in ((~history, "tab:blue", "no history"), (history, "tab:orange", "with history")):
        ax.errorbar(models["ROC-AUC"][rows], y[rows], xerr=[e[rows] for e in errors], fmt="o", ms=4, color=colour,
                    capsize=2, label=label)
    for ceiling, style in zip(CEILINGS, ["-", "--", ":"]):
        if ceiling in table.index:
            ax.axvline(table.loc[ceiling, "ROC-AUC"], color="black", ls=style, lw=1,
                       label=f"{ceiling} ({table.loc[ceiling, 'ROC-AUC']:.3f})")
    ax.axvline(table.loc[reference, "ROC-AUC"], color="tab:green", ls="-.", lw=1,
               label=f"strongest baseline: {reference}")
    ax.set_yticks(y, labels=models.index, fontsize=8)
    ax.invert_yaxis()
    ax.set(xlabel="test ROC-AUC (95% customer-bootstrap interval)", title=title)
    fig.legend(fontsize=8, loc="lower center", ncol=2, frameon=False)
    fig.tight_layout(rect=(0, 0.75 / fig.get_figheight(), 1, 1))
    return fig


def history_length_plot(table: pd.DataFrame, models: list[str], *, title: str) -> plt.Figure:
    """Test ROC-AUC by the number of earlier clicks: one line per model and per ceiling (dashed)."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    x = np.arange(len(table))
    for name in models:
        ax.plot(x, table[name], marker="o", label=name)
    for name, style in zip(CEILINGS, ["-", "--", ":"]):
        ax.plot(x, table[name], color="black", ls=style, lw=1, label=name)
    ax.set_xticks(x, labels=[f"{i}\nn = {n:,}" for i, n in zip(table.index, table["impressions"])])
    ax.set(xlabel="earlier clicks of the user (n: test impressions)", ylabel="test ROC-AUC", title=title)
    fig.legend(fontsize=8, loc="lower center", ncol=2, frameon=False)
    fig.tight_layout(rect=(0, 0.75 / fig.get_figheight(), 1, 1))
    return fig
