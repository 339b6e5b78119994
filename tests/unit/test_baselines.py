"""Baseline score functions and RecommenderSpec, on shops small enough to score by hand."""

import numpy as np
import pandas as pd
import pytest

from rec_utils.data.interactions import window_interactions
from rec_utils.recommend.baselines import (
    all_time_popularity_scores,
    buy_again_scores,
    country_popularity_scores,
    item_buyers,
    recent_popularity_scores,
)
from rec_utils.recommend.recommenders import DEFAULTS, SEARCH_SPACES, RecommenderSpec


def lines(rows):
    """Transactions with the columns the baselines read: (customer, product, invoice, day, country)."""
    frame = pd.DataFrame(rows, columns=["CustomerID", "StockCode", "InvoiceNo", "InvoiceDate", "Country"])
    frame["InvoiceDate"] = pd.to_datetime(frame["InvoiceDate"])
    return frame


@pytest.fixture
def history():
    return lines([
        (1, "A", "1", "2011-01-01", "UK"), (1, "A", "2", "2011-01-20", "UK"), (1, "B", "2", "2011-01-20", "UK"),
        (2, "B", "3", "2011-01-02", "UK"), (2, "C", "3", "2011-01-02", "UK"),
        (3, "C", "4", "2011-01-25", "France"), (3, "C", "4", "2011-01-25", "France"),  # one invoice, two lines
        (4, "D", "5", "2011-01-28", "France"),
    ])


ITEMS = pd.Index(["A", "B", "C", "D"])
USERS = pd.Index([1, 2, 3, 4])


def test_item_buyers_counts_distinct_customers(history):
    np.testing.assert_array_equal(item_buyers(history, ITEMS), [1, 2, 2, 1])
    np.testing.assert_array_equal(all_time_popularity_scores(history, ITEMS)(np.array([0, 3])), [[1, 2, 2, 1]] * 2)


def test_recent_popularity_counts_the_window_and_breaks_ties_by_all_time(history):
    scores = recent_popularity_scores(history, ITEMS, pd.Timestamp("2011-02-01"), window_days=10)(np.array([0]))[0]
    # since 2011-01-22 customer 3 bought C and customer 4 bought D; ties broken by all-time buyers / (max + 1)
    np.testing.assert_allclose(scores, [1 / 3, 2 / 3, 1 + 2 / 3, 1 + 1 / 3])
    with pytest.raises(ValueError, match="window_days"):
        recent_popularity_scores(history, ITEMS, pd.Timestamp("2011-02-01"), window_days=0)


def test_country_popularity_uses_the_customers_country(history):
    scores = country_popularity_scores(history, ITEMS, np.array(["UK", "UK", "France", "Mars"]))(np.array([0, 2, 3]))
    np.testing.assert_allclose(scores[0], [1 + 1 / 3, 2 + 2 / 3, 1 + 2 / 3, 1 / 3])  # UK: A 1, B 2, C 1, D 0 buyers
    np.testing.assert_allclose(scores[1], [1 / 3, 2 / 3, 1 + 2 / 3, 1 + 1 / 3])  # France: C 1, D 1
    np.testing.assert_allclose(scores[2], [1 / 3, 2 / 3, 2 / 3, 1 / 3])  # unknown country: all-time tie-break only


def test_buy_again_ranks_own_products_by_recency_and_frequency(history):
    now = pd.Timestamp("2011-02-01")
    frequency = buy_again_scores(history, USERS, ITEMS, now, half_life_days=None)(np.array([0, 2]))
    np.testing.assert_allclose(frequency[0], [2, 1, 2 / 3 - 1, 1 / 3 - 1])  # A on two invoices, B on one
    assert frequency[1, 2] == 1  # two lines of one invoice count once
    recency = buy_again_scores(history, USERS, ITEMS, now, half_life_days=1.0)(np.array([0]))[0]
    np.testing.assert_allclose(recency[:2], [0.5 ** 31 + 0.5 ** 12, 0.5 ** 12])  # invoices 31 and 12 days old
    assert np.all(recency[2:] < 0)  # never bought: after every bought product
    with pytest.raises(ValueError):
        buy_again_scores(history, USERS, ITEMS, now, half_life_days=0)


def test_specs_fill_defaults_validate_and_describe():
    spec = RecommenderSpec.of("implicit_als", n_factors=8)
    assert spec.settings["n_factors"] == 8 and spec.settings["alpha"] == DEFAULTS["implicit_als"]["alpha"]
    assert spec == RecommenderSpec.of("implicit_als", n_factors=8)  # hashable, comparable
    assert "n_factors=8" in spec.describe() and "seed" not in spec.describe()
    assert spec.kind == "model" and RecommenderSpec.of("buy_again").kind == "baseline"
    with pytest.raises(ValueError, match="no hyper-parameter"):
        RecommenderSpec.of("truncated_svd", alpha=1.0)
    with pytest.raises(ValueError, match="unknown recommender"):
        RecommenderSpec.of("magic")
    for name, space in SEARCH_SPACES.items():  # every searched value is a hyper-parameter of its model
        RecommenderSpec.of(name, **{key: values[0] for key, values in space.items()})


@pytest.mark.parametrize("name", list(DEFAULTS))
def test_every_spec_scores_every_item_for_every_user(name, transactions_factory):
    rng = np.random.default_rng(0)
    rows = [{"InvoiceNo": str(i // 3), "CustomerID": float(rng.integers(1, 12)), "StockCode": f"P{rng.integers(0, 15)}",
             "Description": ["RED HEART", "BLUE BAG", "RED BAG", "TEA CUP"][rng.integers(0, 4)],
             "Country": ["France", "United Kingdom"][rng.integers(0, 2)],
             "InvoiceDate": str(pd.Timestamp("2011-01-01") + pd.Timedelta(days=int(i // 3)))} for i in range(300)]
    frame = transactions_factory(rows)
    frame["Revenue"] = frame["Quantity"] * frame["UnitPrice"]
    data = window_interactions(frame[frame["InvoiceDate"] < "2011-03-20"], frame[frame["InvoiceDate"] >= "2011-03-20"],
                               start=pd.Timestamp("2011-03-20"))
    params = {"n_factors": 4} if "n_factors" in DEFAULTS[name] else {}
    scores = np.asarray(RecommenderSpec.of(name, **params)(data)(np.arange(len(data.users))))
    assert scores.shape == (len(data.users), len(data.items)) and np.isfinite(scores).all()
