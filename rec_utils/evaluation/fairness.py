"""Fairness of recommendations: exposure of item groups under position-based attention, its gap to exposure
proportional to merit (Singh & Joachims 2018), metrics by customer group with customer-bootstrap intervals,
and an exposure-aware re-ranker whose accuracy cost can be measured.

Shapes: recommended (n_users, k) item indices, best first; item groups (n_items,) labels; merit (n_items,)
non-negative (e.g. each item's held-out purchases among the evaluated users).

Exposure of the item at rank r (1-based) is the attention 1 / log2(r + 1), the DCG discount, summed over
users. For a group G of items (Singh & Joachims 2018, sec. 4):
    Exposure(G) = (1/|G|) Σ_{i in G} exposure_i,   Merit(G) = (1/|G|) Σ_{i in G} merit_i,
and exposure is proportional to merit ("disparate treatment" absent) when Exposure(G)/Merit(G) is equal for
all groups; the disparate treatment ratio of G0 to G1 is [Exposure(G0)/Merit(G0)] / [Exposure(G1)/Merit(G1)]
(1 = proportional, < 1 = G0 under-exposed for its merit).

Mitigation: rerank_for_exposure moves items of groups below their target exposure share up each user's
candidate list; the target (exposure_target) and the strength (tune_rerank_strength, on the validation
window) are set before the test window is seen.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from fairlearn.metrics import MetricFrame
from sklearn.metrics import roc_auc_score

from rec_utils.evaluation.grouped_auc import auc_draws
from rec_utils.evaluation.probability import bootstrap_values
from rec_utils.evaluation.ranking import ndcg_at_k
from rec_utils.recommend.baselines import item_buyers


def position_weights(k: int) -> np.ndarray:
    """Attention at ranks 1..k: 1 / log2(rank + 1), shape (k,)."""
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    return 1.0 / np.log2(np.arange(2, k + 2))


def item_exposure(recommended: np.ndarray, n_items: int) -> np.ndarray:
    """Total attention each item receives over all users' lists, (n_items,)."""
    recommended = np.asarray(recommended)
    weights = np.broadcast_to(position_weights(recommended.shape[1]), recommended.shape)
    return np.bincount(recommended.ravel(), weights=weights.ravel(), minlength=n_items)


def popularity_buckets(popularity: np.ndarray, head_share: float = 0.2, tail_share: float = 0.2) -> np.ndarray:
    """"head" / "mid" / "tail" per item (Abdollahpouri et al. 2019): items sorted by popularity, the most
    popular ones that together hold `head_share` of all purchases form the head, the least popular ones
    holding the last `tail_share` the tail, the rest the middle. popularity: (n_items,) counts."""
    popularity = np.asarray(popularity, dtype=float)
    order = np.argsort(-popularity, kind="stable")
    before = np.concatenate([[0.0], np.cumsum(popularity[order])[:-1]]) / popularity.sum()  # share above each item
    labels = np.where(before < head_share, "head", np.where(before >= 1 - tail_share, "tail", "mid"))
    out = np.empty(len(popularity), dtype=object)
    out[order] = labels
    return out


def exposure_table(exposure: np.ndarray, merit: np.ndarray, groups: np.ndarray) -> pd.DataFrame:
    """Per item group: n_items, exposure and merit (totals and shares), mean exposure and mean merit per
    item (Singh & Joachims' Exposure(G) and Merit(G)), and exposure_to_merit = exposure share / merit share
    (1 = exposure proportional to merit). The attribute `gap` (in .attrs) is the total variation distance
    ½ Σ_G |exposure share - merit share| between the two distributions over groups."""
    frame = pd.DataFrame({"group": np.asarray(groups), "exposure": np.asarray(exposure, dtype=float),
                          "merit": np.asarray(merit, dtype=float)})
    table = frame.groupby("group", sort=True).agg(n_items=("exposure", "size"), exposure=("exposure", "sum"),
                                                  merit=("merit", "sum"))
    table["exposure_share"] = table["exposure"] / table["exposure"].sum()
    table["merit_share"] = table["merit"] / table["merit"].sum()
    table["mean_exposure"] = table["exposure"] / table["n_items"]
    table["mean_merit"] = table["merit"] / table["n_items"]
    with np.errstate(divide="ignore", invalid="ignore"):
        table["exposure_to_merit"] = table["exposure_share"] / table["merit_share"]
    table.attrs["gap"] = float(0.5 * np.abs(table["exposure_share"] - table["merit_share"]).sum())
    return table


def disparate_treatment_ratio(table: pd.DataFrame, group: str, reference: str) -> float:
    """[Exposure(G0)/Merit(G0)] / [Exposure(G1)/Merit(G1)] from an exposure_table (G0 = `group`,
    G1 = `reference`); Singh & Joachims (2018), section 5."""
    rate = table["mean_exposure"] / table["mean_merit"]
    return float(rate[group] / rate[reference])


def _by_group(y_true: np.ndarray, y_score: np.ndarray, groups: np.ndarray, metric: Callable, draws: Callable,
              level: float) -> pd.DataFrame:
    """Rows overall and per group: fairlearn's MetricFrame values, intervals from draws(mask) -> (n_boot,)
    resampled values of the rows in mask, and each group's difference from the rest of the rows with an
    interval from independent resamples of the group and the rest (the groups share no customer)."""
    frame = MetricFrame(metrics=metric, y_true=y_true, y_pred=y_score, sensitive_features=groups)
    alpha = (1 - level) / 2
    rows = {}
    for name in ["overall", *frame.by_group.index]:
        mask = np.ones(len(y_true), bool) if name == "overall" else groups == name
        value = float(frame.overall if name == "overall" else frame.by_group[name])
        inside = draws(mask, 0)
        row = {"n_rows": int(mask.sum()), "value": value, "low": float(np.nanquantile(inside, alpha)),
               "high": float(np.nanquantile(inside, 1 - alpha)), "difference": value - float(frame.overall),
               "vs_rest": np.nan, "vs_rest_low": np.nan, "vs_rest_high": np.nan}
        if name != "overall" and (~mask).any():
            rest = float(metric(y_true[~mask], y_score[~mask]))
            gap = inside - draws(~mask, 1)
            row.update(vs_rest=value - rest, vs_rest_low=float(np.nanquantile(gap, alpha)),
                       vs_rest_high=float(np.nanquantile(gap, 1 - alpha)))
        rows[name] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def metric_by_group(y_true: np.ndarray, y_score: np.ndarray, groups: np.ndarray,
                    metric: Callable[[np.ndarray, np.ndarray], float], *, customers: np.ndarray | None = None,
                    n_boot: int = 200, level: float = 0.95, seed: int = 0) -> pd.DataFrame:
    """`metric(y_true, y_score)` overall and per group, with customer-bootstrap intervals.

    The point estimates are fairlearn's MetricFrame (overall and by_group); the intervals resample whole
    customers (`customers`: one id per row; default each row its own customer) within each group, with
    rec_utils.evaluation.probability.bootstrap_values. Columns: n_rows, value, low, high, difference
    (value - overall), vs_rest (value - the metric on all other rows) with vs_rest_low, vs_rest_high (the
    group and the rest resampled independently). Rows: "overall" then the groups.
    """
    y_true, y_score, groups = np.asarray(y_true), np.asarray(y_score), np.asarray(groups)
    customers = np.arange(len(y_true)) if customers is None else np.asarray(customers)

    def draws(mask: np.ndarray, offset: int) -> np.ndarray:
        return bootstrap_values(y_true[mask], y_score[mask], metric, n_boot=n_boot, seed=seed + offset,
                                groups=customers[mask])

    return _by_group(y_true, y_score, groups, metric, draws, level)


def auc_by_group(y_true: np.ndarray, y_score: np.ndarray, groups: np.ndarray, customers: np.ndarray, *,
                 n_boot: int = 200, level: float = 0.95, seed: int = 0) -> pd.DataFrame:
    """metric_by_group for ROC-AUC of rows grouped by customer (e.g. customer-product pairs), with the fast
    exact customer bootstrap of rec_utils.evaluation.resampling.auc_draws. Same columns and rows."""
    y_true, y_score, groups = np.asarray(y_true), np.asarray(y_score, dtype=float), np.asarray(groups)
    customers = np.asarray(customers)

    def draws(mask: np.ndarray, offset: int) -> np.ndarray:
        return auc_draws(y_true[mask], y_score[mask], customers[mask], n_boot=n_boot, seed=seed + offset)[1][:, 0]

    return _by_group(y_true, y_score, groups, roc_auc_score, draws, level)


def mean_by_group(values: np.ndarray, groups: np.ndarray, **options) -> pd.DataFrame:
    """metric_by_group for per-customer values (e.g. NDCG@10 per user; NaN rows are left out): the mean
    by group with customer-bootstrap intervals."""
    values, groups = np.asarray(values, dtype=float), np.asarray(groups)
    keep = ~np.isnan(values)
    return metric_by_group(values[keep], values[keep], groups[keep], lambda y, _: float(np.mean(y)), **options)


def rerank_for_exposure(candidates: np.ndarray, item_groups: np.ndarray, k: int, strength: float,
                        target_share: dict[str, float]) -> np.ndarray:
    """Re-rank each user's candidate list (n_users, M), best first, to give under-exposed groups more attention.

    Each candidate gets the rank score 1 - position / M (so the rule does not depend on a model's score
    scale) plus `strength` x the relative exposure deficit of its group,
        deficit_G = max(0, target_G - share_G) / target_G,
    where share_G is the group's share of exposure in the original top-k lists and target_G its target
    (e.g. its share of merit, or of items). strength = 0 returns the original top k; larger values move
    deficit groups up. Returns (n_users, k) item indices.
    """
    candidates = np.asarray(candidates)
    n_users, m = candidates.shape
    if not 1 <= k <= m:
        raise ValueError(f"k must be between 1 and the number of candidates {m}, got {k}")
    if strength < 0:
        raise ValueError(f"strength must be non-negative, got {strength}")
    item_groups = np.asarray(item_groups)
    weights = np.broadcast_to(position_weights(k), (n_users, k))
    shown = pd.Series(weights.ravel()).groupby(item_groups[candidates[:, :k]].ravel()).sum()
    share = shown / shown.sum()
    deficit = {g: max(0.0, t - share.get(g, 0.0)) / t for g, t in target_share.items() if t > 0}
    item_boost = np.array([deficit.get(g, 0.0) for g in item_groups])
    score = 1.0 - np.arange(m) / m + strength * item_boost[candidates]
    order = np.argsort(-score, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(candidates, order, axis=1)


def exposure_target(history: pd.DataFrame, items: pd.Index, item_groups: np.ndarray, end: pd.Timestamp,
                    days: int = 30) -> dict[str, float]:
    """Target exposure shares for rerank_for_exposure known before `end`: each group's share of the distinct
    buyers of its items over the `days` days before `end` (recent merit), from the history alone."""
    recent = history[(history["InvoiceDate"] >= end - pd.Timedelta(days=days)) & (history["InvoiceDate"] < end)]
    buyers = pd.Series(item_buyers(recent, items)).groupby(np.asarray(item_groups)).sum()
    if buyers.sum() <= 0:
        raise ValueError(f"no purchases in the {days} days before {end:%Y-%m-%d}")
    return (buyers / buyers.sum()).to_dict()


def tune_rerank_strength(candidates: np.ndarray, relevant: sp.spmatrix, item_groups: np.ndarray, k: int,
                         strengths: Sequence[float], target_share: dict[str, float], *,
                         gap_fraction: float = 0.5) -> tuple[float, pd.DataFrame]:
    """Validation search of rerank_for_exposure's strength: for each strength, mean NDCG@k of the re-ranked
    lists on `relevant` (users x items, the validation window) and the exposure gap to merit (exposure_table's
    total variation distance; merit = the window's purchases per item). Chosen: the smallest strength whose
    gap is at most `gap_fraction` x the gap without re-ranking (strength 0, always tried), else the one with
    the smallest gap. Returns (strength, one row per strength: strength, ndcg, gap, chosen)."""
    n_items = relevant.shape[1]
    merit = np.asarray(relevant.sum(axis=0)).ravel()
    rows = []
    for strength in sorted({0.0, *map(float, strengths)}):
        lists = rerank_for_exposure(candidates, item_groups, k, strength, target_share)
        rows.append({"strength": strength, "ndcg": float(np.nanmean(ndcg_at_k(lists, relevant, k))),
                     "gap": exposure_table(item_exposure(lists, n_items), merit, item_groups).attrs["gap"]})
    table = pd.DataFrame(rows)
    good = table[table["gap"] <= gap_fraction * table.loc[0, "gap"]]
    chosen = good.index[0] if len(good) else table["gap"].idxmin()
    table["chosen"] = table.index == chosen
    return float(table.loc[chosen, "strength"]), table
