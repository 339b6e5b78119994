"""Bootstrap intervals over customers for statistics built from per-customer values.

Every input row is one customer (a per-user NDCG, a customer's hits and trials, ...); a resample draws
customers with replacement, so the interval reflects which customers happened to be observed. Rows are
resampled whole, so columns of one customer stay together (paired comparisons use the same draws).

ROC-AUC of rows grouped by customer (several rows per customer, e.g. customer-product pairs) has its own
exact, fast path: auc_interval and auc_difference (paired) resample customers as bootstrap_ci(groups=...)
does, from customer-by-customer win counts computed once (auc_draws).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.sparse as sp


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


def customer_draw_counts(n_customers: int, n_boot: int, seed: int = 0) -> np.ndarray:
    """(n_boot, n_customers): how many times each customer is drawn in each of `n_boot` resamples of
    n_customers customers with replacement (seeded)."""
    if n_customers < 1:
        raise ValueError("no customers to resample")
    draws = np.random.default_rng(seed).integers(n_customers, size=(n_boot, n_customers))
    draws += n_customers * np.arange(n_boot)[:, None]
    return np.bincount(draws.ravel(), minlength=n_boot * n_customers).reshape(n_boot, n_customers).astype(float)


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
    ((m,), (n_boot, m)). The columns share the draws (paired).

    A resample counts every row of a customer drawn r times r times, so its AUC is
        Σ_cd r_c r_d W_cd / (Σ_c r_c P_c · Σ_d r_d N_d)
    with W the customers' pairwise win counts (see _pair_wins), P_c and N_c customer c's positives and
    negatives: one sweep over the rows per column, then a matrix product per resample, instead of sorting
    every resample (the same number as roc_auc_score on the drawn customers' rows, ties included).
    Memory grows as n_customers² (a few thousand customers are fine).
    """
    y = np.asarray(y)
    scores = np.asarray(scores, dtype=float)
    scores = scores[:, None] if scores.ndim == 1 else scores
    if not (len(y) == len(scores) == len(customers)):
        raise ValueError(f"y, scores and customers need one entry per row, got {len(y)}, {len(scores)}, "
                         f"{len(customers)}")
    if set(np.unique(y)) != {0, 1}:
        raise ValueError("ROC-AUC needs labels 0 and 1, both present")
    codes = np.unique(np.asarray(customers), return_inverse=True)[1].ravel()
    n_customers = int(codes.max()) + 1
    positives = np.bincount(codes, weights=(y == 1), minlength=n_customers)
    negatives = np.bincount(codes, weights=(y == 0), minlength=n_customers)
    counts = customer_draw_counts(n_customers, n_boot, seed)
    pairs = (counts @ positives) * (counts @ negatives)
    points, draws = [], []
    for j in range(scores.shape[1]):
        wins = _pair_wins(y, scores[:, j], codes, n_customers)
        points.append(wins.sum() / (positives.sum() * negatives.sum()))
        with np.errstate(invalid="ignore", divide="ignore"):
            draws.append(np.einsum("bc,bc->b", counts @ wins, counts) / pairs)
    return np.array(points), np.column_stack(draws)


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
