"""Tuning on validation only: a seeded search within a stated budget for one recommender's hyper-parameters,
the validation procedure that chooses among recommenders, and a validation curve for a classifier's parameter.

    result = tune(validation, "implicit_als", budget=8, seed=42)      # refuses a test split
    result.table        # one row per tried setting: hyper-parameters, mean, low, high of ndcg@10
    result.best         # RecommenderSpec with the highest validation mean, to be scored once on test

When the grid (the product of the value lists in SEARCH_SPACES) has at most `budget` settings, all are
tried; otherwise a seeded random subset of `budget` distinct settings.
"""

from __future__ import annotations

import hashlib
import itertools
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from rec_utils.data.online_retail import frame_sha256
from rec_utils.evaluation.comparison import PER_USER_METRICS, rank_users
from rec_utils.evaluation.protocol import EvaluationSplit
from rec_utils.evaluation.resampling import mean_interval
from rec_utils.recommend import recommenders
from rec_utils.recommend.recommenders import BASELINES, DEFAULTS, MODELS, SEARCH_SPACES, RecommenderSpec
from rec_utils.runtime.progress import progress_bar
from rec_utils.runtime.store_notes import say_if_computed
from rec_utils.runtime.trained import train_once

DEFAULT_BUDGET = 8  # settings tried per recommender
STORE_FOLDER = "tuning"  # data/trained/tuning/: the validation searches of the notebooks, one file each


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
    Raises ValueError on a test split: the test window is scored once, never searched. A model's search (MODELS;
    the baselines' take a second) is read from data/trained/tuning/ when this code ran it on the same split
    (setting_values).
    """
    _check(split, metric)
    space = SEARCH_SPACES.get(name, {}) if space is None else space
    settings, specs = _candidates(name, space, budget, seed, fixed)
    label = f"tune-{name}"
    values = (setting_values(split, specs, metric=metric, k=k, label=label) if name in MODELS
              else _ranked_values(split, specs, metric, k, label))
    return _result(name, space, settings, specs, values, budget=budget, seed=seed, metric=metric, k=k, n_boot=n_boot)


def setting_values(split: EvaluationSplit, specs: Sequence[RecommenderSpec], *, metric: str, k: int,
                   label: str) -> np.ndarray:
    """Per-customer `metric`@`k` of each spec fitted on the split and ranked for its customers, (len(specs),
    len(split.users)) float64. Kept in data/trained/tuning/<label>-<key>.npz by rec_utils.runtime.trained, keyed by
    the split's contents (split_fingerprint), the specs, metric and k, and computed anew when these or the code of
    the recommenders change."""
    key = {"split": split_fingerprint(split), "specs": [repr(spec) for spec in specs], "metric": metric, "k": k}
    stored = train_once(STORE_FOLDER, label, key, (sys.modules[__name__], recommenders),
                        lambda: ({"values": _ranked_values(split, specs, metric, k, label)}, None))
    return say_if_computed(stored, label).arrays["values"]


def _ranked_values(split: EvaluationSplit, specs: Sequence[RecommenderSpec], metric: str, k: int,
                   label: str) -> np.ndarray:
    """setting_values computed: (len(specs), len(split.users)) float64."""
    relevant = split.data.test[split.users]
    rows = [PER_USER_METRICS[metric](rank_users(split, spec(split.data), k), relevant, k)
            for spec in progress_bar(specs, desc=label, unit="setting", enabled=None)]
    return np.asarray(rows, dtype=float).reshape(len(specs), len(split.users))


def split_fingerprint(split: EvaluationSplit) -> str:
    """SHA-256 of everything a recommender and the ranking read from a split: the task (its exclusions), the stage,
    the train and test matrices, the customers' and products' ids, the history behind them, the window start and
    the customers' countries."""
    data = split.data
    digest = hashlib.sha256(f"{split.protocol.task}|{split.stage}|{data.start}".encode())
    for matrix in (data.train, data.test):
        for part in (matrix.indptr, matrix.indices, matrix.data, np.asarray(matrix.shape)):
            digest.update(np.ascontiguousarray(part).tobytes())
    for labels in (data.users, data.items, data.countries):
        if labels is not None:
            digest.update(pd.util.hash_pandas_object(pd.Index(labels), index=False).to_numpy().tobytes())
    digest.update(b"" if data.history is None else frame_sha256(data.history).encode())
    return digest.hexdigest()


def _check(split: EvaluationSplit, metric: str) -> None:
    if split.stage != "validation":
        raise ValueError(f"tuning uses the validation stage only, got the {split.stage!r} stage")
    if metric not in PER_USER_METRICS:
        raise ValueError(f"unknown metric {metric!r}; choose from {tuple(PER_USER_METRICS)}")


def _candidates(name: str, space: Mapping[str, Sequence], budget: int, seed: int,
                fixed: Mapping[str, object] | None) -> tuple[list[dict[str, object]], list[RecommenderSpec]]:
    """The settings tune tries for `name` and their specs (`fixed` applied where `name` takes it)."""
    fixed = {key: v for key, v in (fixed or {}).items() if key in DEFAULTS.get(name, {})}
    settings = candidate_settings(space, budget, seed)
    return settings, [RecommenderSpec.of(name, **{**setting, **fixed}) for setting in settings]


def _result(name: str, space: Mapping[str, Sequence], settings: list[dict[str, object]],
            specs: list[RecommenderSpec], values: np.ndarray, *, budget: int, seed: int, metric: str, k: int,
            n_boot: int) -> TuningResult:
    """The TuningResult of per-customer `values` (len(settings), n_users): each setting's mean and interval."""
    rows = [{**setting, **dict(zip(("mean", "low", "high"), mean_interval(row, n_boot=n_boot, seed=seed)))}
            for setting, row in zip(settings, values)]
    table = pd.DataFrame(rows, dtype=object).astype({"mean": float, "low": float, "high": float})  # None stays None
    best = int(np.argmax(table["mean"].to_numpy()))
    table["chosen"] = np.arange(len(table)) == best
    n_grid = int(np.prod([len(v) for v in space.values()])) if space else 1
    return TuningResult(name, table, specs[best], n_grid, budget, seed, metric, k)


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
    setting with the highest validation mean overall (baselines included: if one wins, it is the choice). The
    searches of all `names` are one stored search, read back like a model's in `tune` (setting_values)."""
    names = candidates_for(split.protocol.task) if names is None else names
    _check(split, metric)
    spaces = {name: SEARCH_SPACES.get(name, {}) for name in names}
    candidates = {name: _candidates(name, spaces[name], budget, seed, {"seed": seed}) for name in names}
    values = setting_values(split, [spec for _, specs in candidates.values() for spec in specs], metric=metric, k=k,
                            label=f"choose-{split.protocol.task}")
    results, start = {}, 0
    for name, (settings, specs) in candidates.items():
        results[name] = _result(name, spaces[name], settings, specs, values[start:start + len(specs)], budget=budget,
                                seed=seed, metric=metric, k=k, n_boot=n_boot)
        start += len(specs)
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
