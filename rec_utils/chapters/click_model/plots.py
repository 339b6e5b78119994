"""Notebook 06's figures; each returns its Figure (save with rec_utils.figures.plots.save_figure)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from rec_utils.chapters.click_model.ceilings import CEILINGS, ORACLE
from rec_utils.figures.diagrams import flow_diagram

CEILING_STYLES = dict(zip(CEILINGS, ["-", "--", ":"]))


def ablation_plot(table: pd.DataFrame, *, reference: str, title: str) -> plt.Figure:
    """Test ROC-AUC with 95% intervals for every model row (best first), coloured by what it reads of the past,
    the ceilings as labelled vertical lines and the strongest baseline `reference` as a dotted line. table: as from
    rec_utils.chapters.click_model.tables.ablation_table."""
    models = table.drop(index=[c for c in CEILINGS if c in table.index]).sort_values(
        "ROC-AUC", ascending=False, kind="stable")
    fig, ax = plt.subplots(figsize=(9.5, 0.3 * len(models) + 2.8))
    y = np.arange(len(models))
    errors = np.array([(models["ROC-AUC"] - models["ROC-AUC low"]).to_numpy(),
                       (models["ROC-AUC high"] - models["ROC-AUC"]).to_numpy()])
    reads = models["reads of the past"].to_numpy()
    for kind, colour, label in (("none", "tab:blue", "no history"), ("clicked", "tab:purple", "clicked ids only"),
                                ("full", "tab:orange", "full history")):
        rows = reads == kind
        ax.errorbar(models["ROC-AUC"][rows], y[rows], xerr=errors[:, rows], fmt="o", ms=4, color=colour,
                    capsize=2, label=label)
    for ceiling in CEILINGS:
        if ceiling in table.index and ceiling != ORACLE:
            ax.axvline(table.loc[ceiling, "ROC-AUC"], color="black", ls=CEILING_STYLES[ceiling], lw=1,
                       label=f"{ceiling} ({table.loc[ceiling, 'ROC-AUC']:.3f})")
    ax.axvline(table.loc[reference, "ROC-AUC"], color="tab:green", ls="-.", lw=1,
               label=f"strongest baseline: {reference}")
    ax.set_yticks(y, labels=models.index, fontsize=8)
    ax.invert_yaxis()
    ax.set(xlabel=f"test ROC-AUC (95% user-bootstrap interval); the oracle, {table.loc[ORACLE, 'ROC-AUC']:.3f}, "
                  "is off the axis", title=title)
    fig.legend(fontsize=8, loc="lower center", ncol=2, frameon=False)
    fig.tight_layout(rect=(0, 1.0 / fig.get_figheight(), 1, 1))
    return fig


def learning_curve_plot(curve: pd.DataFrame, *, ceilings: dict[str, float], title: str) -> plt.Figure:
    """Validation AUC (95% interval band) against the number of training users (log scale), one line per model,
    and the ceilings as horizontal lines. curve: as from learning_curve.learning_curve."""
    fig, ax = plt.subplots(figsize=(8, 4.6))
    for name, part in curve.groupby("model", sort=False):
        line, = ax.plot(part["training users"], part["ROC-AUC"], marker="o", label=name)
        ax.fill_between(part["training users"], part["ROC-AUC low"], part["ROC-AUC high"], color=line.get_color(),
                        alpha=0.15)
    for name, value in ceilings.items():
        ax.axhline(value, color="black", lw=1, ls=CEILING_STYLES.get(name, "--"), label=f"{name} (test)")
    ax.set_xscale("log")
    users = sorted(curve["training users"].unique())
    ax.set_xticks(users, labels=[f"{u:,}" for u in users])
    ax.set(xlabel="training users (log scale)", ylabel="validation ROC-AUC", title=title)
    fig.legend(fontsize=8, loc="lower center", ncol=2, frameon=False)
    fig.tight_layout(rect=(0, 0.9 / fig.get_figheight(), 1, 1))
    return fig


def epoch_plot(epochs: pd.DataFrame, *, title: str) -> plt.Figure:
    """Training and validation AUC (left) and loss (right) by epoch; the kept epoch (best validation AUC) marked."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    best = int(epochs.loc[epochs["validation AUC"].idxmax(), "epoch"])
    for ax, metric in zip(axes, ("AUC", "loss")):
        for split, style in (("train", "-"), ("validation", "--")):
            ax.plot(epochs["epoch"], epochs[f"{split} {metric}"], ls=style, marker="o", ms=3, label=split)
        ax.axvline(best, color="grey", lw=1, ls=":", label=f"kept: epoch {best}")
        ax.set(xlabel="epoch", ylabel=metric, title=f"{metric} by epoch")
        ax.legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def history_length_plot(table: pd.DataFrame, models: list[str], *, title: str) -> plt.Figure:
    """Test ROC-AUC by the number of earlier sessions: one line per model and per ceiling (black)."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    x = np.arange(len(table))
    for name in models:
        ax.plot(x, table[name], marker="o", label=name)
    for name in CEILINGS:
        if name != ORACLE:
            ax.plot(x, table[name], color="black", ls=CEILING_STYLES[name], lw=1, label=name)
    ax.set_xticks(x, labels=[f"{i}\nn = {n:,}" for i, n in zip(table.index, table["impressions"])])
    ax.set(xlabel="earlier sessions of the user (n: test impressions)", ylabel="test ROC-AUC", title=title)
    fig.legend(fontsize=8, loc="lower center", ncol=2, frameon=False)
    fig.tight_layout(rect=(0, 1.0 / fig.get_figheight(), 1, 1))
    return fig


def interest_model_diagram() -> plt.Figure:
    """The user-interest model as boxes and arrows (rec_utils.models.interest): the candidate and the earlier
    impressions through one item encoder and one history-free scorer, the surprise of each earlier impression, the
    pooling against the candidate, and the sum of the logits."""
    boxes = {
        "query": (0.08, 0.86, "search word q"),
        "item": (0.08, 0.62, "candidate item i\n(title, image, attributes)"),
        "earlier": (0.08, 0.22, "earlier impressions n = 1..N\nsearch q_n, item i_n, clicked y_n"),
        "encoder": (0.34, 0.44, "item encoder\n(shared): v, v_n"),
        "scorer": (0.58, 0.78, "history-free score s(q, v)\ndeep [v, q, q⊙v] + wide q × class"),
        "past": (0.58, 0.22, "same scorer on each earlier\nimpression: p̂_n = σ(s(q_n, v_n))"),
        "surprise": (0.58, 0.50, "surprise r_n = y_n − p̂_n\npool u = Σ r_n v_n / (1 + Σ p̂(1−p̂))\n"
                                 "DIN attention a_n against v"),
        "head": (0.84, 0.50, "interest head\nh([u ⊙ v, u_att ⊙ v, ...])"),
        "output": (0.84, 0.82, "P(click) = σ(s + h)"),
    }
    arrows = [("query", "scorer"), ("item", "encoder"), ("earlier", "encoder"), ("encoder", "scorer"),
              ("encoder", "past"), ("earlier", "past"), ("past", "surprise"), ("encoder", "surprise"),
              ("surprise", "head"), ("scorer", "output"), ("head", "output"), ("scorer", "head")]
    return flow_diagram(boxes, arrows, "The user-interest model: blue reads the candidate, orange reads the history",
                        highlighted={"earlier", "past", "surprise", "head"})
