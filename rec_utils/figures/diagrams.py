"""Pictures of methods (what a method does), beside `plots` (pictures of results).

    factorisation_diagram(X, U, V)                 # X ≈ U Vᵀ on a toy log, and ALS's alternating half-steps (02)
    time_cut_diagram(protocol, first, last)        # the protocol's history, validation and test windows (02)
    bandit_loop_diagram()                          # the explore/exploit feedback loop (10)
    dp_sgd_diagram(g, clip_norm=1.0, noise=n, expected_batch=5.0)   # one DP-SGD step on 2-d gradients (12)
    simulator_diagram(config)                      # the click simulator's generative story (05)
    spark_pipeline_diagram()                       # the Online Retail pipeline on Spark: stages, shuffles (14)
    flow_diagram(boxes, arrows, title)             # boxes and arrows, the drawing the pictures above share

Each function draws from the numbers it is given (a notebook passes its toy case or its protocol), checks them
with a ValueError that names what is wrong, and returns a matplotlib Figure; `plots.save_figure` writes it.
"""

from __future__ import annotations

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Rectangle

from rec_utils.evaluation.protocol import Protocol
from rec_utils.simulation.clicks import SimulatorConfig

WINDOW_COLOURS = {"history": "#9ecae1", "validation": "#fdae6b", "test": "#e6550d"}


def factorisation_diagram(X: np.ndarray, U: np.ndarray, V: np.ndarray) -> plt.Figure:
    """X (customers, items) ≈ U (customers, f) · Vᵀ (f, items), each matrix drawn as a heat map with its shape,
    and U Vᵀ (the scores that rank the unbought items); the caption states ALS's two half-steps."""
    X, U, V = (np.asarray(a, dtype=float) for a in (X, U, V))
    if X.ndim != 2 or U.ndim != 2 or V.ndim != 2 or U.shape[1] != V.shape[1] or X.shape != (len(U), len(V)):
        raise ValueError(f"need X (n_users, n_items), U (n_users, f), V (n_items, f); got X {X.shape}, U {U.shape}, "
                         f"V {V.shape}")
    panels = [("X: purchases", X, "Greys"), ("U: customer factors", U, "RdBu_r"),
              ("Vᵀ: product factors", V.T, "RdBu_r"), ("U Vᵀ: scores", U @ V.T, "viridis")]
    fig, axes = plt.subplots(1, 4, figsize=(12, 4), width_ratios=[X.shape[1], U.shape[1], X.shape[1], X.shape[1]])
    for ax, (title, matrix, cmap) in zip(axes, panels):
        limit = np.abs(matrix).max() or 1.0
        ax.imshow(matrix, cmap=cmap, aspect="equal", vmin=-limit if cmap == "RdBu_r" else None,
                  vmax=limit if cmap == "RdBu_r" else None, interpolation="nearest")
        ax.set_title(f"{title}\n{matrix.shape[0]} × {matrix.shape[1]}", fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
    for ax, sign in zip(axes[:3], ["≈", "×", "="]):
        ax.annotate(sign, xy=(1.0, 0.5), xycoords="axes fraction", xytext=(14, 0), textcoords="offset points",
                    fontsize=20, va="center", ha="center")
    fig.text(0.5, 0.01, "ALS alternates two ridge regressions: fix V and solve every customer's row of U, then fix U "
             "and solve every product's row of V", ha="center", fontsize=9)
    fig.tight_layout(rect=(0, 0.06, 1, 1), w_pad=3)
    return fig


def time_cut_diagram(protocol: Protocol, first_day: str | pd.Timestamp, last_day: str | pd.Timestamp
                     ) -> plt.Figure:
    """The protocol on a time line: in the validation stage models fit on the history before the validation
    window and are tuned on it; in the test stage they refit on everything before the cut and are scored once on
    the test window. Windows from `protocol.window`; `first_day`, `last_day`: the data's first and last day."""
    first, last = pd.Timestamp(first_day), pd.Timestamp(last_day)
    (validation_start, validation_days), (cut, test_days) = protocol.window("validation"), protocol.window("test")
    test_end = cut + pd.Timedelta(days=test_days)
    if not first < validation_start < cut < test_end <= last + pd.Timedelta(days=1):
        raise ValueError(f"need first day < validation start < cut < test end <= last day; got {first:%Y-%m-%d}, "
                         f"{validation_start:%Y-%m-%d}, {cut:%Y-%m-%d}, {test_end:%Y-%m-%d}, {last:%Y-%m-%d}")
    stages = [("validation stage", [(first, validation_start, "history", "fit"),
                                    (validation_start, cut, "validation", "tune")]),
              ("test stage", [(first, cut, "history", "refit on all before the cut"),
                              (cut, test_end, "test", "score once")])]
    fig, ax = plt.subplots(figsize=(11, 2.8))
    day = mdates.date2num
    for row, (stage, spans) in enumerate(stages):
        y = 1 - row
        for start, end, kind, label in spans:
            ax.add_patch(Rectangle((day(start), y - 0.3), day(end) - day(start), 0.6, color=WINDOW_COLOURS[kind]))
            ax.text(day(start) + (day(end) - day(start)) / 2, y, label, ha="center", va="center", fontsize=9)
        ax.text(day(first) - 4, y, stage, ha="right", va="center", fontsize=10)
    ax.axvline(day(cut), color="black", linestyle="--", linewidth=1)
    ax.text(day(cut), -0.55, f"global time cut\n{cut:%Y-%m-%d}", ha="center", va="top", fontsize=9)
    ax.set_xlim(day(first), day(last) + 1)
    ax.set_ylim(-0.5, 1.4)
    ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=[1, 4, 7, 10]))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.set_title(f"Evaluation protocol: validation {validation_days} days before the cut, test {test_days} days "
                 "after it", fontsize=10)
    fig.tight_layout()
    return fig


BANDIT_STEPS = [
    "a user arrives:\nquery q, candidates x",
    "the policy scores them:\nexploit θ̂ᵀx, explore +α√(xᵀA⁻¹x)",
    "the top k are shown",
    "the user clicks r\n(simulator: hidden taste)",
    "the policy learns:\nA ← A + xxᵀ, b ← b + r x",
]


def bandit_loop_diagram(steps: list[str] | None = None) -> plt.Figure:
    """The explore/exploit feedback loop: `steps` (default BANDIT_STEPS, LinUCB's) drawn as boxes around a
    circle, each arrow leading to the next, the last back to the first."""
    steps = BANDIT_STEPS if steps is None else list(steps)
    if len(steps) < 2:
        raise ValueError(f"a loop needs at least 2 steps, got {len(steps)}")
    angles = np.pi / 2 - 2 * np.pi * np.arange(len(steps)) / len(steps)
    centres = np.c_[np.cos(angles) * 1.7, np.sin(angles) * 1.15]
    fig, ax = plt.subplots(figsize=(8, 5))
    for (x, y), text in zip(centres, steps):
        ax.add_patch(FancyBboxPatch((x - 0.62, y - 0.2), 1.24, 0.4, boxstyle="round,pad=0.05", facecolor="#deebf7",
                                    edgecolor="#3182bd"))
        ax.text(x, y, text, ha="center", va="center", fontsize=9)
    for i, start in enumerate(centres):
        end = centres[(i + 1) % len(steps)]
        ax.add_patch(FancyArrowPatch(start + 0.3 * (end - start), start + 0.7 * (end - start), arrowstyle="-|>",
                                     mutation_scale=14, connectionstyle="arc3,rad=-0.2", color="#555555"))
    ax.text(0, 0, "every round,\nfor every user", ha="center", va="center", fontsize=10, style="italic")
    ax.set_xlim(-2.5, 2.5)
    ax.set_ylim(-1.5, 1.5)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("The feedback loop: what is shown decides what is learned", fontsize=11)
    fig.tight_layout()
    return fig


def dp_sgd_diagram(gradients: np.ndarray, clip_norm: float, noise: np.ndarray, expected_batch: float
                   ) -> plt.Figure:
    """One DP-SGD step in two dimensions, in three panels: the per-unit gradients g_u (rows of `gradients`,
    shape (n, 2)) and the clipping circle of radius C; each scaled by min(1, C/|g_u|); their sum, the Gaussian
    `noise` (shape (2,), drawn by the caller with standard deviation z·C) added to it, and the step's gradient
    (sum + noise) / `expected_batch` (q N)."""
    gradients, noise = np.asarray(gradients, dtype=float), np.asarray(noise, dtype=float)
    if gradients.ndim != 2 or gradients.shape[1] != 2 or noise.shape != (2,):
        raise ValueError(f"need gradients (n, 2) and noise (2,); got {gradients.shape} and {noise.shape}")
    if clip_norm <= 0 or expected_batch <= 0:
        raise ValueError(f"clip_norm and expected_batch must be positive; got {clip_norm} and {expected_batch}")
    from keras import ops  # here, not at the top: the other diagrams' notebooks need not load Keras (seconds)

    from rec_utils.models.private_training import clip_rows

    norms = np.linalg.norm(gradients, axis=1, keepdims=True)
    clipped = ops.convert_to_numpy(clip_rows(gradients, clip_norm)).astype(float)  # the training code's clipping
    total = clipped.sum(axis=0)
    fig, axes = plt.subplots(1, 3, figsize=(12, 4))
    for ax, vectors, title in zip(axes[:2], [gradients, clipped], ["per-customer gradients g_u",
                                                                    "clipped: g_u · min(1, C/|g_u|)"]):
        ax.add_patch(Circle((0, 0), clip_norm, fill=False, linestyle="--", color="grey",
                            label=f"|g| = C = {clip_norm:g}"))
        for g, was_clipped in zip(vectors, norms[:, 0] > clip_norm):
            ax.annotate("", xy=g, xytext=(0, 0), arrowprops={"arrowstyle": "-|>",
                                                             "color": "#d62728" if was_clipped else "#1f77b4"})
        ax.set_title(title, fontsize=10)
    reach = max(np.abs(gradients).max(), clip_norm) * 1.15
    for ax in axes[:2]:
        ax.set_xlim(-reach, reach)
        ax.set_ylim(-reach, reach)
        ax.set_aspect("equal")
        ax.legend(loc="lower left", fontsize=8)
    noisy = total + noise
    ax = axes[2]
    for vector, colour, label in [(total, "#1f77b4", "sum of clipped"), (noisy, "#2ca02c", "sum + noise N(0, z²C²I)"),
                                  (noisy / expected_batch, "black", "step gradient: ÷ qN")]:
        ax.annotate("", xy=vector, xytext=(0, 0), arrowprops={"arrowstyle": "-|>", "color": colour})
        ax.plot([], [], color=colour, label=label)
    ax.annotate("", xy=noisy, xytext=total, arrowprops={"arrowstyle": "-|>", "color": "#2ca02c", "linestyle": ":"})
    reach = max(np.abs(np.r_[total, noisy]).max(), 1e-9) * 1.2
    ax.set_xlim(-reach, reach)
    ax.set_ylim(-reach, reach)
    ax.set_aspect("equal")
    ax.legend(loc="lower left", fontsize=8)
    ax.set_title("noise on the sum, then the average", fontsize=10)
    fig.suptitle("One DP-SGD step: red gradients are longer than C and get shortened", fontsize=11)
    fig.tight_layout()
    return fig



def flow_diagram(boxes: dict[str, tuple[float, float, str]], arrows: list[tuple[str, str]], title: str,
                 highlighted: set[str] = frozenset(), figsize: tuple[float, float] = (11, 5.2),
                 limits: tuple[float, float, float, float] = (-0.08, 1.0, 0.08, 0.98)) -> plt.Figure:
    """Boxes and arrows: `boxes` maps a key to (x, y, label) in axes units (`limits` = x0, x1, y0, y1), `arrows`
    lists (from, to) keys; boxes in `highlighted` are orange, the others blue. An arrow leaves a box's side when
    it runs mostly sideways, else its top or bottom."""
    unknown = sorted({key for arrow in arrows for key in arrow} - set(boxes)) + sorted(set(highlighted) - set(boxes))
    if unknown:
        raise ValueError(f"arrows or highlighted name boxes that do not exist: {unknown}")
    fig, ax = plt.subplots(figsize=figsize)
    ax.set(xlim=limits[:2], ylim=limits[2:])
    ax.axis("off")
    artists = {key: ax.text(x, y, label, ha="center", va="center", fontsize=8.5,
                            bbox={"boxstyle": "round,pad=0.5", "edgecolor": "grey",
                                  "facecolor": "#fde0c5" if key in highlighted else "#dbe9f6"})
               for key, (x, y, label) in boxes.items()}
    for start, end in arrows:
        (x0, y0, _), (x1, y1, _) = boxes[start], boxes[end]
        sideways = abs(x1 - x0) > 1.5 * abs(y1 - y0)
        leave = (1.0 if x1 > x0 else 0.0, 0.5) if sideways else (0.5, 1.0 if y1 > y0 else 0.0)
        arrive = (0.0 if x1 > x0 else 1.0, 0.5) if sideways else (0.5, 0.0 if y1 > y0 else 1.0)
        ax.annotate("", xy=arrive, xycoords=artists[end], xytext=leave, textcoords=artists[start],
                    arrowprops={"arrowstyle": "->", "color": "grey", "lw": 1, "shrinkA": 6, "shrinkB": 6})
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


def simulator_diagram(config: SimulatorConfig) -> plt.Figure:
    """The click simulator's generative story (rec_utils.simulation.clicks) with `config`'s rates and weights:
    the user's hidden variables and the session's hidden target (orange), the query and shown items, the click
    probability, the click, and the history that later sessions carry."""
    shown, searched = config.items_per_session, config.items_per_session // 2
    boxes = {
        "catalogue": (0.12, 0.86, f"catalogue: {config.n_items:,} real photos x_i\n"
                                  f"title: class word dropped {config.title_drop_rate:.0%},\n"
                                  f"wrong {config.title_noise_rate:.0%}; price"),
        "user": (0.12, 0.30, f"user u (hidden)\nclass taste θ_u ~ Dirichlet({config.taste_concentration:g})\n"
                             f"visual taste t_u ~ N(0, I_{config.visual_dims})\nprice sensitivity s_u ~ U(0, 1)"),
        "target": (0.40, 0.30, "session's target class\nc ~ θ_u (hidden)"),
        "query": (0.40, 0.58, f"search word q: a precise word of c\n({config.precise_query_rate:.0%}) "
                              "or an ambiguous one"),
        "shown": (0.40, 0.86, f"{shown} shown items i: {searched} from the\nclasses q names, "
                              f"{shown - searched} uniform"),
        "features": (0.68, 0.86, f"z_i: first d = {config.visual_dims} pixel\ncomponents; "
                                 "z̃_i: standardised\nlog price"),
        "logit": (0.68, 0.30, "p = σ(b + r(c, i, q)\n+ w_v t_u·z_i/√d − w_p s_u z̃_i)"),
        "click": (0.90, 0.30, "clicked ~\nBernoulli(p)"),
        "history": (0.88, 0.06, f"history for later sessions:\nsearches, items, clicks\n"
                                f"(previous_clicks: last {config.history_length})"),
    }
    arrows = [("catalogue", "shown"), ("shown", "features"), ("features", "logit"), ("user", "target"),
              ("target", "query"), ("query", "shown"), ("target", "logit"), ("logit", "click"),
              ("click", "history")]
    return flow_diagram(boxes, arrows, "The click simulator, one session: orange is hidden from every model",
                        highlighted={"user", "target"}, figsize=(11, 4.8), limits=(-0.04, 1.0, -0.04, 0.98))


def spark_pipeline_diagram() -> plt.Figure:
    """The Online Retail pipeline on Spark (rec_utils.chapters.scale_out.spark), from the Parquet file to the
    metrics; orange stages move data between executors (a shuffle or a broadcast), blue ones work partition by
    partition."""
    boxes = {
        "parquet": (0.08, 0.75, "Parquet file: each\nexecutor reads its\nown row groups"),
        "clean": (0.30, 0.75, "spark_clean: the cleaning\nrules; duplicate lines\nfound by a group-by"),
        "split": (0.54, 0.75, "spark_split: time cut,\ninvoices counted per\n(customer, product)"),
        "als": (0.80, 0.75, "fit_spark_als: blocks of\ncustomers and products,\nfactors exchanged each sweep"),
        "broadcast": (0.80, 0.30, "product factors V\nbroadcast to every\nexecutor"),
        "topk": (0.54, 0.30, "spark_top_k: each partition\nscores its customers,\nmasks purchases, keeps K"),
        "metrics": (0.30, 0.30, "RankingEvaluator:\nNDCG@K, precision,\nrecall, hit rate"),
        "driver": (0.08, 0.30, "driver collects\none row of metrics"),
    }
    arrows = [("parquet", "clean"), ("clean", "split"), ("split", "als"), ("als", "broadcast"),
              ("broadcast", "topk"), ("topk", "metrics"), ("metrics", "driver")]
    return flow_diagram(boxes, arrows, "The pipeline on Spark: orange stages move data between executors",
                        highlighted={"clean", "split", "als", "broadcast"}, figsize=(11, 4.2),
                        limits=(-0.06, 0.98, 0.1, 0.95))
