"""Comparing recommenders under one protocol split: per-customer metric vectors, customer-bootstrap 95%
intervals, and paired intervals of each recommender's difference from the strongest baseline.

    frame = compare_recommenders(test, {"recent popularity": spec_a, "truncated SVD": spec_b},
                                 metrics=("ndcg", "recall"), ks=(10,))

returns one tidy row per (model, metric, k): mean, low, high, baseline (the strongest baseline for that
metric and k), baseline_chosen_on, diff_vs_best_baseline, diff_low, diff_high and n_users. Which baseline is
the strongest is decided on the validation split when one is passed (`validation=`: every baseline is scored
there, the highest validation mean wins), so the test window is not used to pick the yardstick; without one it
is the highest mean on the compared split itself, and `baseline_chosen_on` says so. Every model is
evaluated on the same customers and the bootstrap draws the same customers for every model, so a
difference's interval is paired (customer-level noise common to both models cancels). The resamples are
rec_utils.evaluation.resampling's (bootstrap_means), the one customer-bootstrap engine.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from rec_utils.evaluation.protocol import EvaluationSplit
from rec_utils.evaluation.ranking import (
    average_precision_at_k,
    hit_rate_at_k,
    ndcg_at_k,
    precision_at_k,
    recall_at_k,
)
from rec_utils.evaluation.resampling import bootstrap_means, percentile_interval
from rec_utils.recommend.recommenders import Recommender
from rec_utils.recommend.topk import ScoreFn, top_k

PER_USER_METRICS: dict[str, Callable[[np.ndarray, sp.spmatrix, int], np.ndarray]] = {
    "precision": precision_at_k, "recall": recall_at_k, "ndcg": ndcg_at_k, "map": average_precision_at_k,
    "hit_rate": hit_rate_at_k,
}
DEFAULT_METRICS = tuple(PER_USER_METRICS)


@dataclass(frozen=True)
class RankingRun:
    """One recommender on one split: per_user (ranked customers x 'metric@k') and recommended (customers, max k)."""

    per_user: pd.DataFrame
    recommended: np.ndarray


def rank_users(split: EvaluationSplit, score_fn: ScoreFn, k: int) -> np.ndarray:
    """Top-k item indices (len(split.users), k) for the split's ranked customers, its exclusions applied."""
    return top_k(score_fn, split.data.train.shape[0], k, exclude=split.exclude, users=split.users)


def per_user_metrics(recommended: np.ndarray, relevant: sp.spmatrix, metrics: Sequence[str],
                     ks: Sequence[int]) -> pd.DataFrame:
    """(users, len(metrics) * len(ks)) frame of per-customer values, columns 'metric@k' (k-major order)."""
    unknown = [m for m in metrics if m not in PER_USER_METRICS]
    if unknown:
        raise ValueError(f"unknown metrics {unknown}; choose from {DEFAULT_METRICS}")
    return pd.DataFrame({f"{m}@{k}": PER_USER_METRICS[m](recommended, relevant, k) for k in ks for m in metrics})


def run_recommender(split: EvaluationSplit, recommender: Recommender, metrics: Sequence[str] = DEFAULT_METRICS,
                    ks: Sequence[int] = (10,)) -> RankingRun:
    """Fit `recommender` on the split's training data, rank for its customers, score every metric at every k."""
    recommended = rank_users(split, recommender(split.data), max(ks))
    return RankingRun(per_user_metrics(recommended, split.data.test[split.users], metrics, ks), recommended)


def compare_runs(runs: Mapping[str, RankingRun], baselines: Sequence[str], *, n_boot: int = 1000, seed: int = 0,
                 level: float = 0.95, strongest: Mapping[str, str] | None = None,
                 chosen_on: str = "this split") -> pd.DataFrame:
    """The tidy comparison (see the module docstring) of runs on the same customers.

    strongest: {"metric@k": baseline name} chosen elsewhere (on validation), recorded with `chosen_on`;
    default: for each metric@k the baseline with the highest mean among these runs."""
    missing = [b for b in baselines if b not in runs]
    if not baselines or missing:
        raise ValueError(f"baselines must name at least one of the runs; unknown: {missing}")
    if strongest is not None and not set(strongest.values()) <= set(baselines):
        raise ValueError(f"strongest must name baselines; got {sorted(set(strongest.values()) - set(baselines))}")
    names = list(runs)
    columns = list(runs[names[0]].per_user.columns)
    n_users = len(runs[names[0]].per_user)
    if any(list(r.per_user.columns) != columns or len(r.per_user) != n_users for r in runs.values()):
        raise ValueError("every run must score the same customers on the same metrics")
    stacked = np.stack([runs[n].per_user[columns].to_numpy(float) for n in names], axis=1)  # (users, models, cols)
    boot = bootstrap_means(stacked.reshape(n_users, -1), n_boot, seed).reshape(n_boot, len(names), len(columns))
    means = stacked.mean(axis=0)
    low, high = percentile_interval(boot, level)
    base_idx = [names.index(b) for b in baselines]
    rows = []
    for c, column in enumerate(columns):
        metric, k = column.rsplit("@", 1)
        best = (names.index(strongest[column]) if strongest is not None
                else base_idx[int(np.argmax(means[base_idx, c]))])
        diff_low, diff_high = percentile_interval(boot[:, :, c] - boot[:, [best], c], level)
        for m, name in enumerate(names):
            rows.append({"model": name, "kind": "baseline" if m in base_idx else "model", "metric": metric,
                         "k": int(k), "mean": means[m, c], "low": low[m, c], "high": high[m, c],
                         "baseline": names[best], "baseline_chosen_on": chosen_on,
                         "diff_vs_best_baseline": means[m, c] - means[best, c],
                         "diff_low": diff_low[m], "diff_high": diff_high[m], "n_users": n_users})
    return pd.DataFrame(rows)


def strongest_on(split: EvaluationSplit, baselines: Mapping[str, Recommender], metrics: Sequence[str],
                 ks: Sequence[int]) -> dict[str, str]:
    """{"metric@k": name of the baseline with the highest mean on `split`} (the validation split: the
    yardstick is chosen before the test window is scored)."""
    means = {name: run_recommender(split, rec, metrics, ks).per_user.mean() for name, rec in baselines.items()}
    table = pd.DataFrame(means)  # rows metric@k, columns baselines
    return {column: str(table.loc[column].idxmax()) for column in table.index}


def compare_recommenders(split: EvaluationSplit, recommenders: Mapping[str, Recommender],
                         metrics: Sequence[str] = DEFAULT_METRICS, ks: Sequence[int] = (10,), *,
                         baselines: Sequence[str] | None = None, validation: EvaluationSplit | None = None,
                         n_boot: int = 1000, seed: int = 0, level: float = 0.95, return_runs: bool = False
                         ) -> pd.DataFrame | tuple[pd.DataFrame, dict[str, RankingRun]]:
    """Fit every recommender on the split's training data, rank for the split's customers and compare.

    recommenders: {display name: Recommender (e.g. a RecommenderSpec)}. baselines: the names that are
    baselines (default: those whose `kind` is 'baseline'). validation: the protocol's validation split, on
    which the strongest baseline is chosen (see the module docstring). Returns the tidy frame (and the runs,
    with `return_runs`, e.g. for coverage of the recommended lists).
    """
    if baselines is None:
        baselines = [n for n, r in recommenders.items() if getattr(r, "kind", None) == "baseline"]
    if validation is not None and validation.stage != "validation":
        raise ValueError(f"validation= takes the validation split, got the {validation.stage!r} stage")
    strongest = (None if validation is None
                 else strongest_on(validation, {b: recommenders[b] for b in baselines}, metrics, ks))
    runs = {name: run_recommender(split, rec, metrics, ks) for name, rec in recommenders.items()}
    frame = compare_runs(runs, list(baselines), n_boot=n_boot, seed=seed, level=level, strongest=strongest,
                         chosen_on="this split" if validation is None else "validation")
    return (frame, runs) if return_runs else frame


def rows_at(frame: pd.DataFrame, metrics: Sequence[str], k: int) -> pd.DataFrame:
    """The rows of a compare_recommenders frame for `metrics` at list length `k`."""
    return frame[frame["metric"].isin(list(metrics)) & (frame["k"] == k)]


def comparison_table(frame: pd.DataFrame, digits: int = 3) -> pd.DataFrame:
    """Readable wide view of a compare_recommenders frame: per model, 'mean [low, high]' for every metric@k and
    the paired difference from the strongest baseline, 'diff [low, high]'."""
    def fmt(mean: float, low: float, high: float) -> str:
        return f"{mean:.{digits}f} [{low:.{digits}f}, {high:.{digits}f}]"

    out = {}
    for (metric, k), group in frame.groupby(["metric", "k"], sort=False):
        group = group.set_index("model")
        out[f"{metric}@{k}"] = [fmt(*group.loc[m, ["mean", "low", "high"]]) for m in group.index]
        out[f"Δ{metric}@{k} vs {group['baseline'].iloc[0]}"] = [
            fmt(*group.loc[m, ["diff_vs_best_baseline", "diff_low", "diff_high"]]) for m in group.index]
    return pd.DataFrame(out, index=pd.Index(frame["model"].unique(), name="model"))


def verdict(frame: pd.DataFrame, model: str, metric: str = "ndcg", k: int = 10) -> str:
    """One sentence from a compare_recommenders frame saying only what the paired interval supports."""
    rows = frame[(frame["model"] == model) & (frame["metric"] == metric) & (frame["k"] == k)]
    if rows.empty:
        raise ValueError(f"no row for {model!r} at {metric}@{k}")
    r = rows.iloc[0]
    name = f"{metric}@{k}"
    if r["model"] == r["baseline"]:
        on = " (chosen on validation)" if r.get("baseline_chosen_on") == "validation" else ""
        return (f"{model} is the strongest baseline{on} on {name}: {r['mean']:.4f} "
                f"[{r['low']:.4f}, {r['high']:.4f}]")
    base = r["mean"] - r["diff_vs_best_baseline"]
    gap = (f"{name} {r['mean']:.4f} vs {base:.4f}, difference {r['diff_vs_best_baseline']:+.4f} "
           f"[{r['diff_low']:+.4f}, {r['diff_high']:+.4f}]")
    on = " on validation" if r.get("baseline_chosen_on") == "validation" else ""
    against = f"{r['baseline']} (the strongest baseline{on})"
    if r["diff_low"] > 0:
        return f"{model} beats {against}: {gap}; the paired 95% interval excludes 0"
    if r["diff_high"] < 0:
        return f"{model} falls below {against}: {gap}; the paired 95% interval excludes 0"
    return f"{model} is not distinguishable from {against}: {gap}; the paired 95% interval includes 0"
