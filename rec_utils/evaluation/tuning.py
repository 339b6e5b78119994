"""Tuning on validation only: a seeded search within a stated budget for one recommender's hyper-parameters,
the validation procedure that chooses among recommenders, and a validation curve for a classifier's parameter.

    result = tune(validation, "implicit_als", budget=8, seed=42)      # refuses a test split
    result.table        # one row per tried setting: hyper-parameters, mean, low, high of ndcg@10
    result.best         # RecommenderSpec with the highest validation mean, to be scored once on test

When the grid (the product of the value lists in SEARCH_SPACES) has at most `budget` settings, all are
tried; otherwise a seeded random subset of `budget` distinct settings.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from rec_utils.evaluation.comparison import PER_USER_METRICS, rank_users
from rec_utils.evaluation.protocol import EvaluationSplit
from rec_utils.evaluation.resampling import mean_interval
from rec_utils.recommend.recommenders import BASELINES, DEFAULTS, MODELS, SEARCH_SPACES, RecommenderSpec
from rec_utils.runtime.progress import progress_bar

DEFAULT_BUDGET = 8  # settings tried per recommender


def candidates_for(task: str) -> tuple[str, ...]:
    """Recommenders that make sense for a task: buy-again only when repeat purchases count ('next_basket')."""
    baselines = BASELINES if task == "next_basket" else tuple(b for b in BASELINES if b != "buy_again")
    return baselines + MODELS


def candidate_settings(space: Mapping[str, Sequence], budget: int, seed: int = 0) -> list[dict[str, object]]:
    """Settings to try: the whole grid when it has <= budget points, else `budget` distinct points drawn
    with `seed` (in grid order). An empty space gives one empty setting (the defaults)."""
    if budget < 1:
        raise ValueError(f"budget must be at least 1, got {budget}")
    names = list(space)
    grid = [dict(zip(names, values)) for values in itertools.product(*(space[n] for n in names))]
    if len(grid) <= budget:
        return grid
    chosen = np.sort(np.random.default_rng(seed).choice(len(grid), size=budget, replace=False))
    return [grid[i] for i in chosen]


@dataclass(frozen=True)
class TuningResult:
    """What a validation search tried and chose. table: one row per setting (hyper-parameters, then
    mean/low/high of the selection metric and `chosen`); n_grid: settings in the full grid."""

    name: str
    table: pd.DataFrame
    best: RecommenderSpec
    n_grid: int
    budget: int
    seed: int
    metric: str
    k: int

    def describe(self) -> str:
        """One line: what was searched and what won, with its validation interval."""
        row = self.table[self.table["chosen"]].iloc[0]
        how = "every setting" if len(self.table) == self.n_grid else f"a seeded random subset (seed {self.seed})"
        return (f"{self.best.describe()}: {self.metric}@{self.k} on validation {row['mean']:.4f} "
                f"[{row['low']:.4f}, {row['high']:.4f}]; tried {len(self.table)} of {self.n_grid} settings "
                f"({how}, budget {self.budget})")


def tune(split: EvaluationSplit, name: str, space: Mapping[str, Sequence] | None = None, *,
         budget: int = DEFAULT_BUDGET, seed: int = 0, metric: str = "ndcg", k: int = 10,
         fixed: Mapping[str, object] | None = None, n_boot: int = 1000) -> TuningResult:
    """Search `name`'s hyper-parameters (default space: SEARCH_SPACES[name]) on a validation split.

    fixed: settings applied to every candidate where `name` takes them (e.g. {"seed": 42}). The best
    setting has the highest mean `metric`@`k` over the split's customers (ties: the first tried).
    Raises ValueError on a test split: the test window is scored once, never searched.
    """
    if split.stage != "validation":
        raise ValueError(f"tuning uses the validation stage only, got the {split.stage!r} stage")
    if metric not in PER_USER_METRICS:
        raise ValueError(f"unknown metric {metric!r}; choose from {tuple(PER_USER_METRICS)}")
    space = SEARCH_SPACES.get(name, {}) if space is None else space
    fixed = {key: v for key, v in (fixed or {}).items() if key in DEFAULTS.get(name, {})}
    settings = candidate_settings(space, budget, seed)
    relevant = split.data.test[split.users]
    rows = []
    for setting in progress_bar(settings, desc=f"tuning {name}", unit="setting", enabled=None):
        spec = RecommenderSpec.of(name, **{**setting, **fixed})
        recommended = rank_users(split, spec(split.data), k)
        mean, low, high = mean_interval(PER_USER_METRICS[metric](recommended, relevant, k), n_boot=n_boot, seed=seed)
        rows.append({**setting, "mean": mean, "low": low, "high": high, "spec": spec})
    table = pd.DataFrame(rows, dtype=object).astype({"mean": float, "low": float, "high": float})  # None stays None
    best = int(np.argmax(table["mean"].to_numpy()))
    table["chosen"] = np.arange(len(table)) == best
    n_grid = int(np.prod([len(v) for v in space.values()])) if space else 1
    return TuningResult(name, table.drop(columns="spec"), table["spec"].iloc[best], n_grid, budget, seed, metric, k)


@dataclass(frozen=True)
class Choice:
    """The validation procedure's outcome: every recommender's search and the overall best spec."""

    results: dict[str, TuningResult]
    best: RecommenderSpec

    def summary(self) -> pd.DataFrame:
        """One row per recommender: its chosen setting and validation mean/low/high, best first."""
        rows = []
        for name, result in self.results.items():
            row = result.table[result.table["chosen"]].iloc[0]
            rows.append({"recommender": name, "chosen setting": result.best.describe(), "kind": result.best.kind,
                         "mean": row["mean"], "low": row["low"], "high": row["high"],
                         "settings tried": len(result.table)})
        return pd.DataFrame(rows).sort_values("mean", ascending=False, kind="stable").set_index("recommender")


def choose_recommender(split: EvaluationSplit, names: Sequence[str] | None = None, *,
                       budget: int = DEFAULT_BUDGET, seed: int = 0, metric: str = "ndcg", k: int = 10,
                       n_boot: int = 1000) -> Choice:
    """Tune each of `names` (default: candidates_for(the split's task)) on the validation split and pick the
    setting with the highest validation mean overall (baselines included: if one wins, it is the choice)."""
    names = candidates_for(split.protocol.task) if names is None else names
    results = {name: tune(split, name, budget=budget, seed=seed, metric=metric, k=k, fixed={"seed": seed},
                          n_boot=n_boot) for name in names}
    means = {name: r.table.loc[r.table["chosen"], "mean"].iloc[0] for name, r in results.items()}
    return Choice(results, results[max(means, key=means.get)].best)


def tune_classifier(build: Callable[[object], object], values: Sequence, fit: pd.DataFrame, validation: pd.DataFrame,
                    features: Sequence[str], label: str = "label",
                    metric: Callable[[np.ndarray, np.ndarray], float] = roc_auc_score) -> tuple[object, pd.DataFrame]:
    """Validation curve of one classifier parameter: for each of `values`, fit `build(value)` (a scikit-learn
    classifier with predict_proba) on the `fit` rows and score its probabilities on the `validation` rows.

    Returns (the value with the highest validation `metric`, ties to the first; a table value, validation score).
    Nothing outside `fit` and `validation` is touched: the test rows stay unseen until the chosen value is refitted.
    """
    scores = []
    for value in values:
        model = build(value).fit(fit[list(features)], fit[label])
        scores.append(float(metric(validation[label], model.predict_proba(validation[list(features)])[:, 1])))
    table = pd.DataFrame({"value": list(values), "validation": scores})
    return values[int(np.argmax(scores))], table
