"""Every recommender by name with its hyper-parameters: a frozen, printable `RecommenderSpec` that is fitted on
`Interactions` (the training history of one evaluation stage) and returns a score function for top_k.

    spec = RecommenderSpec.of("implicit_als", n_factors=32, alpha=10.0)
    score_fn = spec(data)                 # fit on data.train / data.history; score_fn(users (b,)) -> (b, n_items)

Baselines (BASELINES) and models (MODELS) share this interface, so the evaluation protocol treats them alike;
SEARCH_SPACES lists the values the validation search may try for each hyper-parameter.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
from threadpoolctl import threadpool_limits

from rec_utils.data.interactions import Interactions
from rec_utils.features.propensity import CATEGORICAL_FEATURES, NUMERIC_FEATURES, propensity_dataset
from rec_utils.models.logistic import logistic_pipeline
from rec_utils.recommend.baselines import (
    all_time_popularity_scores,
    buy_again_scores,
    country_popularity_scores,
    recent_popularity_scores,
)
from rec_utils.recommend.scorers import fit_recommender, propensity_ranker
from rec_utils.recommend.topk import ScoreFn

Recommender = Callable[[Interactions], ScoreFn]  # fitted on one stage's training data

BASELINES = ("popularity", "recent_popularity", "country_popularity", "buy_again")
MODELS = ("item_knn", "truncated_svd", "implicit_als", "logistic_propensity")
DEFAULTS: dict[str, dict[str, object]] = {
    "popularity": {},
    "recent_popularity": {"window_days": 30},
    "country_popularity": {},
    "buy_again": {"half_life_days": 90.0},
    "item_knn": {"top_n": None},
    "truncated_svd": {"n_factors": 32, "seed": 0},
    "implicit_als": {"n_factors": 32, "alpha": 10.0, "regularization": 0.1, "n_iterations": 10, "seed": 0},
    "logistic_propensity": {"C": 1.0, "label_days": 28, "negatives_per_positive": 4, "seed": 0},
}
# What the validation search may try (a seeded random subset when the grid exceeds the stated budget).
SEARCH_SPACES: dict[str, dict[str, list]] = {
    "recent_popularity": {"window_days": [3, 7, 14, 30, 60]},
    "buy_again": {"half_life_days": [7.0, 30.0, 90.0, 365.0, None]},
    "item_knn": {"top_n": [None, 400, 100, 25]},
    "truncated_svd": {"n_factors": [8, 16, 32, 64]},
    "implicit_als": {"n_factors": [16, 32, 64], "alpha": [0.5, 1.0, 5.0, 20.0], "regularization": [0.1, 1.0, 10.0]},
    "logistic_propensity": {"C": [0.001, 0.01, 0.1, 1.0]},
}
LABELS = {"popularity": "popularity (all time)", "recent_popularity": "recent popularity",
          "country_popularity": "popularity in country", "buy_again": "buy again", "item_knn": "item-kNN",
          "truncated_svd": "truncated SVD", "implicit_als": "implicit ALS",
          "logistic_propensity": "logistic propensity"}


@dataclass(frozen=True)
class RecommenderSpec:
    """A recommender name and all its hyper-parameters (defaults filled in), hashable and printable."""

    name: str
    params: tuple[tuple[str, object], ...] = ()

    def __post_init__(self):
        if self.name not in DEFAULTS:
            raise ValueError(f"unknown recommender {self.name!r}; choose one of {', '.join(DEFAULTS)}")
        unknown = sorted(set(dict(self.params)) - set(DEFAULTS[self.name]))
        if unknown:
            raise ValueError(f"{self.name} has no hyper-parameter {', '.join(unknown)}; "
                             f"it takes {', '.join(DEFAULTS[self.name]) or 'none'}")

    @classmethod
    def of(cls, name: str, **params: object) -> RecommenderSpec:
        """The spec of `name` with `params` over its DEFAULTS (unknown names or parameters: ValueError)."""
        if name not in DEFAULTS:
            raise ValueError(f"unknown recommender {name!r}; choose one of {', '.join(DEFAULTS)}")
        return cls(name, tuple(sorted({**DEFAULTS[name], **params}.items())))

    @property
    def kind(self) -> str:
        """'baseline' or 'model'."""
        return "baseline" if self.name in BASELINES else "model"

    @property
    def settings(self) -> dict[str, object]:
        """The hyper-parameters as a dict."""
        return dict(self.params)

    def describe(self) -> str:
        """E.g. 'implicit ALS (alpha=10, n_factors=32, n_iterations=10, regularization=0.1)'; seeds left out."""
        shown = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in self.params if k != "seed")
        return LABELS[self.name] + (f" ({shown})" if shown else "")

    def __call__(self, data: Interactions) -> ScoreFn:
        """Fit on `data` (train matrix, history, countries, window start) and return the score function."""
        p = self.settings
        if self.name == "popularity":
            return all_time_popularity_scores(_history(data), data.items)
        if self.name == "recent_popularity":
            return recent_popularity_scores(_history(data), data.items, data.reference_date, p["window_days"])
        if self.name == "country_popularity":
            return country_popularity_scores(_history(data), data.items, data.countries)
        if self.name == "buy_again":
            return buy_again_scores(_history(data), data.users, data.items, data.reference_date, p["half_life_days"])
        if self.name == "logistic_propensity":
            pairs = _propensity_pairs(_history(data), p["label_days"], p["negatives_per_positive"], p["seed"])
            model = logistic_pipeline(C=p["C"]).fit(pairs[NUMERIC_FEATURES + CATEGORICAL_FEATURES], pairs["label"])
            return propensity_ranker(_history(data), model, data.users, data.items)
        if self.name == "implicit_als":
            # ALS multiplies small (rows x f) blocks: run on one BLAS thread, as benchmarks/als.py times it.
            with threadpool_limits(limits=1, user_api="blas"):
                return fit_recommender("implicit_als", data.train, **p)
        return fit_recommender(self.name, data.train, **p)


def _history(data: Interactions) -> pd.DataFrame:
    if data.history is None:
        raise ValueError("this recommender needs the training transactions (Interactions.history)")
    return data.history


_PAIRS: dict[tuple, tuple[weakref.ref, pd.DataFrame]] = {}


def _propensity_pairs(history: pd.DataFrame, label_days: int, negatives: int, seed: int) -> pd.DataFrame:
    """propensity_dataset(history, ...), reused while the same history object is alive (a validation search
    fits several C values on one history; building the pairs costs more than fitting)."""
    key = (id(history), label_days, negatives, seed)
    hit = _PAIRS.get(key)
    if hit is not None and hit[0]() is history:
        return hit[1]
    pairs = propensity_dataset(history, label_days=label_days, negatives_per_positive=negatives, seed=seed)
    for stale in [k for k, (ref, _) in _PAIRS.items() if ref() is None]:
        del _PAIRS[stale]
    _PAIRS[key] = (weakref.ref(history), pairs)
    return pairs
