"""ROC-AUC and log-loss of rows grouped by customer (several rows per customer, e.g. customer-product pairs), with
customer-bootstrap intervals computed exactly and fast: the same customers as resampling.draws and
probability.bootstrap_ci(groups=...) draw, the same numbers as the generic bootstrap.

    auc_interval(y, score, customers)           point, low, high from customer-by-customer win counts (auc_draws)
    auc_difference(y, a, b, customers)          the paired difference of two models' ROC-AUC
    auc_difference_over_runs(y, runs, b, customers)   the mean over S runs of a randomised model minus b, with
                                                an interval over customers and runs
    auc_log_loss_table(y, {model: p}, groups)   many models at once, with log-loss, from row weights
                                                (group_draw_counts, weighted_auc, weighted_log_loss)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from rec_utils.evaluation.resampling import draws, over_runs, percentile_interval


def customer_draw_counts(customers: np.ndarray, n_boot: int = 200, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(codes (n,), counts (n_boot, n_customers)): each row's customer number (order of first appearance) and how
    many times each customer is drawn in each resample, the draws of group_draw_counts without spreading them
    over rows."""
    codes, uniques = pd.factorize(np.asarray(customers))
    counts = np.stack([np.bincount(idx, minlength=len(uniques)) for idx in draws(len(uniques), n_boot, seed)])
    return codes, counts.astype(float)


def group_draw_counts(groups: np.ndarray, n_boot: int = 200, seed: int = 0) -> np.ndarray:
    """(n_boot, n_rows) row weights: how many times each row's group (customer) is drawn in each of `n_boot`
    resamples of the groups with replacement. The groups are numbered in order of first appearance and drawn by
    `draws`, exactly as probability.bootstrap_values(groups=...) draws them, so a statistic computed under
    these weights equals the statistic of the concatenated drawn groups' rows."""
    codes, counts = customer_draw_counts(groups, n_boot, seed)
    return counts[:, codes]


def weighted_auc(y_true: np.ndarray, scores: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """ROC-AUC under row weights: y_true (n,) 0/1, scores (n,), weights (B, n) -> (B,); ties count one half
    (what roc_auc_score gives on the rows repeated by their weights); NaN where a class has no weight.

    One sort of the scores, then per resample the positive and negative weight of each score level:
    AUC = Σ_levels pos · (negatives below + ½ negatives at the level) / (Σ pos · Σ neg)."""
    y_true = np.asarray(y_true).astype(bool)
    order = np.argsort(scores, kind="stable")
    sorted_scores, positive = np.asarray(scores)[order], y_true[order]
    starts = np.flatnonzero(np.r_[True, sorted_scores[1:] != sorted_scores[:-1]])  # first row of each tie level
    w = np.atleast_2d(weights)[:, order]
    pos = np.add.reduceat(w * positive, starts, axis=1)  # (B, levels) positive weight per score level
    neg = np.add.reduceat(w * ~positive, starts, axis=1)
    below = np.cumsum(neg, axis=1) - neg  # negative weight strictly below each level
    with np.errstate(invalid="ignore", divide="ignore"):
        return (pos * (below + 0.5 * neg)).sum(axis=1) / (pos.sum(axis=1) * neg.sum(axis=1))


def weighted_log_loss(y_true: np.ndarray, probability: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Mean log-loss under row weights (probabilities clipped to [1e-15, 1 - 1e-15]): (B,)."""
    p = np.clip(np.asarray(probability, dtype=float), 1e-15, 1 - 1e-15)
    losses = -np.where(np.asarray(y_true) == 1, np.log(p), np.log1p(-p))
    w = np.atleast_2d(weights)
    return (w * losses).sum(axis=1) / w.sum(axis=1)


def _pair_wins(y: np.ndarray, score: np.ndarray, codes: np.ndarray, n_customers: int,
               chunk: int = 512) -> np.ndarray:
    """(n_customers, n_customers) W with W[c, d] = number of (positive row of c, negative row of d) pairs in
    which the positive scores higher, ties counted one half.

    Rows sorted by score (negatives first among ties) are cut into chunks of `chunk` rows: pairs in different
    chunks are counted by one matrix product of per-chunk customer counts (positives of a chunk beat every
    negative of the chunks before it), pairs inside a chunk by comparing positions."""
    order = np.lexsort((y, score))
    y_sorted, codes_sorted, score_sorted = y[order], codes[order], score[order]
    n_chunks = -(-len(order) // chunk)
    cell = (np.arange(len(order)) // chunk) * n_customers + codes_sorted
    per_chunk = [np.bincount(cell[y_sorted == label], minlength=n_chunks * n_customers).reshape(n_chunks, -1)
                 .astype(float) for label in (1, 0)]
    earlier = np.cumsum(per_chunk[1], axis=0) - per_chunk[1]  # negatives per customer in the chunks before
    wins = per_chunk[0].T @ earlier
    for start in range(0, len(order), chunk):
        labels, owners = y_sorted[start:start + chunk], codes_sorted[start:start + chunk]
        positive, negative = np.flatnonzero(labels == 1), np.flatnonzero(labels == 0)
        if not positive.size or not negative.size:
            continue
        below = (negative[None, :] < positive[:, None]).astype(float)  # (p, q): negative j before positive i
        winners, row = np.unique(owners[positive], return_inverse=True)  # customers with positives here
        by_winner = sp.csr_matrix((np.ones(positive.size), (row.ravel(), np.arange(positive.size))),
                                  shape=(winners.size, positive.size))
        by_loser = sp.csr_matrix((np.ones(negative.size), (np.arange(negative.size), owners[negative])),
                                 shape=(negative.size, n_customers))
        wins[winners] += np.asarray((by_winner @ below) @ by_loser)
    # a tie between a positive and a negative was counted as a whole win (negatives sort first): take half back
    block = np.cumsum(np.r_[True, score_sorted[1:] != score_sorted[:-1]]) - 1
    shape = (int(block[-1]) + 1, n_customers)
    per_block = [sp.csr_matrix((np.ones(int((y_sorted == label).sum())),
                                (block[y_sorted == label], codes_sorted[y_sorted == label])), shape=shape)
                 for label in (1, 0)]
    return wins - 0.5 * (per_block[0].T @ per_block[1]).toarray()


def auc_draws(y: np.ndarray, scores: np.ndarray, customers: np.ndarray, *, n_boot: int = 200,
              seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """ROC-AUC of every column of `scores` (n,) or (n, m) on all rows and on `n_boot` customer resamples:
    ((m,), (n_boot, m)). The columns share the draws (paired), which are those of
    probability.bootstrap_ci(..., groups=customers) with the same seed, so the numbers are the same.

    A resample counts every row of a customer drawn r times r times, so its AUC is
        Σ_cd r_c r_d W_cd / (Σ_c r_c P_c · Σ_d r_d N_d)
    with W the customers' pairwise win counts (see _pair_wins), P_c and N_c customer c's positives and
    negatives: one sweep over the rows per column, then a matrix product per resample, instead of sorting
    every resample. Memory grows as n_customers² (a few thousand customers are fine); for few customers and
    many rows per resample, weighted_auc under group_draw_counts gives the same numbers.
    """
    y = np.asarray(y)
    scores = np.asarray(scores, dtype=float)
    scores = scores[:, None] if scores.ndim == 1 else scores
    if not (len(y) == len(scores) == len(customers)):
        raise ValueError(f"y, scores and customers need one entry per row, got {len(y)}, {len(scores)}, "
                         f"{len(customers)}")
    if set(np.unique(y)) != {0, 1}:
        raise ValueError("ROC-AUC needs labels 0 and 1, both present")
    codes, counts = customer_draw_counts(customers, n_boot, seed)
    n_customers = counts.shape[1]
    positives = np.bincount(codes, weights=(y == 1), minlength=n_customers)
    negatives = np.bincount(codes, weights=(y == 0), minlength=n_customers)
    pairs = (counts @ positives) * (counts @ negatives)
    points, resampled = [], []
    for j in range(scores.shape[1]):
        wins = _pair_wins(y, scores[:, j], codes, n_customers)
        points.append(wins.sum() / (positives.sum() * negatives.sum()))
        with np.errstate(invalid="ignore", divide="ignore"):
            resampled.append(np.einsum("bc,bc->b", counts @ wins, counts) / pairs)
    return np.array(points), np.column_stack(resampled)


def auc_log_loss_table(y_true: np.ndarray, predictions: dict[str, np.ndarray], *, groups: np.ndarray,
                       reference: str | None = None, n_boot: int = 200, seed: int = 0,
                       level: float = 0.95) -> pd.DataFrame:
    """One row per model: ROC-AUC and log-loss with percentile intervals over group (customer) resamples, and
    with `reference`, the paired AUC difference model − reference: estimate, interval and the share of
    resamples where the model is not better (columns 'ROC-AUC', 'ROC-AUC low', 'ROC-AUC high', 'log-loss',
    ..., 'Δ AUC vs reference', 'Δ low', 'Δ high', 'P(not better)'). The intervals equal
    probability.metrics_table's with the same seed and groups; every model shares the draws."""
    y_true = np.asarray(y_true)
    weights = group_draw_counts(groups, n_boot, seed)
    ones = np.ones((1, len(y_true)))
    aucs = {name: weighted_auc(y_true, p, weights) for name, p in predictions.items()}
    point = {name: float(weighted_auc(y_true, p, ones)[0]) for name, p in predictions.items()}
    rows = {}
    for name, p in predictions.items():
        losses = weighted_log_loss(y_true, p, weights)
        (auc_low, loss_low), (auc_high, loss_high) = percentile_interval(np.column_stack([aucs[name], losses]),
                                                                         level)
        row = {"ROC-AUC": point[name], "ROC-AUC low": float(auc_low), "ROC-AUC high": float(auc_high),
               "log-loss": float(weighted_log_loss(y_true, p, ones)[0]), "log-loss low": float(loss_low),
               "log-loss high": float(loss_high)}
        if reference is not None:
            difference = aucs[name] - aucs[reference]
            low, high = percentile_interval(difference, level)
            row.update({"Δ AUC vs reference": point[name] - point[reference], "Δ low": float(low),
                        "Δ high": float(high), "P(not better)": float(np.mean(difference <= 0))})
        rows[name] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def auc_interval(y: np.ndarray, score: np.ndarray, customers: np.ndarray, *, n_boot: int = 200,
                 level: float = 0.95, seed: int = 0) -> tuple[float, float, float]:
    """(ROC-AUC of all rows, percentile interval over `n_boot` customer resamples) of one score (n,).
    Resamples with a single class (undefined AUC) are left out of the quantiles."""
    points, draws = auc_draws(y, score, customers, n_boot=n_boot, seed=seed)
    alpha = (1 - level) / 2
    return float(points[0]), float(np.nanquantile(draws, alpha)), float(np.nanquantile(draws, 1 - alpha))


def auc_difference(y: np.ndarray, a: np.ndarray, b: np.ndarray, customers: np.ndarray, *, n_boot: int = 200,
                   level: float = 0.95, seed: int = 0) -> dict[str, float]:
    """AUC(a) - AUC(b) on the same rows and the same customer resamples: {"difference", "low", "high",
    "p_not_better"} (share of resamples where A - B <= 0), like paired_difference."""
    points, draws = auc_draws(y, np.column_stack([a, b]), customers, n_boot=n_boot, seed=seed)
    values = draws[:, 0] - draws[:, 1]
    alpha = (1 - level) / 2
    return {"difference": float(points[0] - points[1]), "low": float(np.nanquantile(values, alpha)),
            "high": float(np.nanquantile(values, 1 - alpha)), "p_not_better": float(np.nanmean(values <= 0))}


def auc_difference_over_runs(y: np.ndarray, runs: np.ndarray, b: np.ndarray, customers: np.ndarray, *,
                             n_boot: int = 200, level: float = 0.95, seed: int = 0) -> dict[str, float]:
    """Mean over S runs of AUC(run) - AUC(b): runs (n, S) the scores of S runs of a randomised model (e.g. DP-SGD
    with S noise seeds), b (n,) the reference's scores, on the same rows and customer resamples; each resample also
    draws the runs (resampling.over_runs). Returns over_runs' dict."""
    runs = np.asarray(runs, dtype=float)
    runs = runs[:, None] if runs.ndim == 1 else runs
    points, resampled = auc_draws(y, np.column_stack([runs, b]), customers, n_boot=n_boot, seed=seed)
    return over_runs(resampled[:, :-1] - resampled[:, -1:], points[:-1] - points[-1], level=level, seed=seed)
