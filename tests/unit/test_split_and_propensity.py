import numpy as np
import pandas as pd
import pytest

from rec_utils.data.cleaning import clean_transactions
from rec_utils.data.interactions import build_interactions
from rec_utils.data.online_retail import to_typed_transactions
from rec_utils.data.split import last_invoices_split, split_by_customer
from rec_utils.features.propensity import CATEGORICAL_FEATURES, NUMERIC_FEATURES, pair_features, propensity_dataset
from rec_utils.models.logistic import logistic_pipeline
from rec_utils.recommend.scorers import propensity_ranker


@pytest.fixture
def history(transactions_factory):
    """Customer 1: 5 invoices over time; customer 2: 1 invoice; customer 3: 2 invoices."""
    rows = []
    for i, day in enumerate(["2011-01-01", "2011-02-01", "2011-03-01", "2011-04-01", "2011-05-01"]):
        rows.append({"InvoiceNo": f"1{i}", "CustomerID": 1.0, "StockCode": f"1000{i}", "InvoiceDate": day})
    rows.append({"InvoiceNo": "20", "CustomerID": 2.0, "StockCode": "10000", "InvoiceDate": "2011-01-05"})
    rows.append({"InvoiceNo": "30", "CustomerID": 3.0, "StockCode": "10001", "InvoiceDate": "2011-01-05"})
    rows.append({"InvoiceNo": "31", "CustomerID": 3.0, "StockCode": "10001", "InvoiceDate": "2011-05-05"})
    return clean_transactions(to_typed_transactions(transactions_factory(rows)))[0]


def test_last_invoices_are_held_out_per_customer(history):
    train, test = last_invoices_split(history, holdout_fraction=0.2)
    assert sorted(test["InvoiceNo"]) == ["14", "31"]  # 1 of 5 invoices, 1 of 2, none for a single invoice
    assert len(train) + len(test) == len(history)
    train, test = last_invoices_split(history, holdout_fraction=0.5)
    assert sorted(test["InvoiceNo"]) == ["12", "13", "14", "31"]  # ceil(0.5 * 5) = 3
    with pytest.raises(ValueError):
        last_invoices_split(history, holdout_fraction=1.0)


def test_interactions_keep_only_new_products_as_relevant(history):
    data = build_interactions(*last_invoices_split(history, holdout_fraction=0.2))
    assert data.train.shape == (3, 4)  # products 10000-10003 seen in train; 10004 only in test
    # customer 3 re-bought 10001 (not new) -> nothing relevant; customer 1's test product is unseen in train
    assert data.test.nnz == 0 and len(data.test_users) == 0


def test_propensity_features_use_only_the_past(history):
    pairs = propensity_dataset(history, label_days=10, negatives_per_positive=2, seed=0)
    positive = pairs[pairs["label"] == 1]
    assert set(zip(positive["CustomerID"], positive["StockCode"])) == {(3, "10001")}
    assert positive["bought_before"].iloc[0] == 1.0
    # changing prices inside the label window must not change any feature
    changed = history.copy()
    changed.loc[changed["InvoiceDate"] >= "2011-04-28", "UnitPrice"] = 99.0
    pairs_changed = propensity_dataset(changed, label_days=10, negatives_per_positive=2, seed=0)
    pd.testing.assert_frame_equal(pairs[NUMERIC_FEATURES], pairs_changed[NUMERIC_FEATURES])


def test_split_by_customer_keeps_customers_apart():
    pairs = pd.DataFrame({"CustomerID": np.repeat(np.arange(20), 3), "label": 1})
    train, test = split_by_customer(pairs, test_fraction=0.25, seed=0)
    assert not set(train["CustomerID"]) & set(test["CustomerID"])
    assert test["CustomerID"].nunique() == 5


def test_propensity_ranker_equals_the_model_on_every_pair(transactions_factory):
    rng = np.random.default_rng(0)
    rows = [
        {
            "InvoiceNo": f"{i}",
            "CustomerID": float(rng.integers(1, 30)),
            "StockCode": f"1000{rng.integers(0, 9)}",
            "Description": ["RED HEART", "BLUE BAG", "RED BAG", "TEA CUP"][rng.integers(0, 4)],
            "UnitPrice": float(rng.integers(1, 9)),
            "Country": ["France", "Spain", "United Kingdom"][rng.integers(0, 3)],
            "InvoiceDate": str(pd.Timestamp("2011-01-01") + pd.Timedelta(days=int(rng.integers(0, 200)))),
        }
        for i in range(600)
    ]
    history = clean_transactions(to_typed_transactions(transactions_factory(rows)))[0]
    pairs = propensity_dataset(history, label_days=40, negatives_per_positive=2, seed=0)
    model = logistic_pipeline().fit(pairs[NUMERIC_FEATURES + CATEGORICAL_FEATURES], pairs["label"])
    users = pd.Index(np.sort(history["CustomerID"].unique()))
    items = pd.Index(np.sort(history["StockCode"].unique()))
    logits = propensity_ranker(history, model, users, items)(np.arange(len(users)))
    grid = pd.DataFrame({"CustomerID": np.repeat(users, len(items)), "StockCode": np.tile(items, len(users))})
    cutoff = history["InvoiceDate"].max().normalize() + pd.Timedelta(days=1)
    expected = model.decision_function(pair_features(history, grid, cutoff)).reshape(len(users), len(items))
    np.testing.assert_allclose(logits, expected, rtol=1e-9, atol=1e-9)
