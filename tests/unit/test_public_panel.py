"""Product tables from a public panel (notebook 12's variant with nothing of a private customer assumed public):
the negatives' products and the product features come from the panel's purchases only, a panel of everyone gives
the usual pairs, and the evaluation pairs keep their rows when their features are computed again."""

import numpy as np
import pandas as pd
import pytest

from rec_utils.chapters.privacy.panel import dp_sgd_runs, panel_pairs, public_panel
from rec_utils.evaluation.protocol import Protocol
from rec_utils.evaluation.purchase_pairs import protocol_pairs, refeature
from rec_utils.features.propensity import NUMERIC_FEATURES
from rec_utils.models.privacy import dp_sgd_epsilon

CUT = "2011-03-01"


@pytest.fixture
def transactions(transactions_factory):
    """40 customers over three windows (before validation, validation, test); products P0-P7, P7 bought only by
    customers 1-4, with prices that differ between customers so that a panel's median price is its own."""
    rng, rows = np.random.default_rng(0), []
    for c in range(1, 41):
        for month, day in ((1, 5), (1, 20), (2, 10), (3, 10)):
            product = f"P{7 if c <= 4 and month == 1 else rng.integers(7)}"
            rows.append({"CustomerID": float(c), "StockCode": product, "Description": f"ITEM {product[-1]} MUG",
                         "InvoiceNo": f"{c}-{month}-{day}", "InvoiceDate": f"2011-{month:02d}-{day:02d}",
                         "UnitPrice": 1.0 + c / 10, "Country": "France" if c % 3 else "United Kingdom"})
    tx = transactions_factory(rows)
    tx["Revenue"] = tx["Quantity"] * tx["UnitPrice"]
    return tx


@pytest.fixture
def protocol():
    return Protocol(CUT, validation_days=28, test_days=28, task="new_items")


def test_public_panel_draws_a_share_of_distinct_customers_reproducibly():
    customers = np.repeat(np.arange(100.0), 3)
    panel = public_panel(customers, 0.2, seed=1)
    assert len(panel) == 20 and panel.is_unique and panel.is_monotonic_increasing
    assert panel.equals(public_panel(customers, 0.2, seed=1)) and not panel.equals(public_panel(customers, 0.2, seed=2))
    for share in (0.0, 1.0, 0.001):
        with pytest.raises(ValueError, match="share"):
            public_panel(customers, share, seed=1)


def test_a_panel_of_everyone_gives_the_usual_pairs(transactions, protocol):
    everyone = pd.Index(transactions["CustomerID"].unique())
    for usual, with_panel in zip(protocol_pairs(protocol, transactions, "test", seed=3),
                                 protocol_pairs(protocol, transactions, "test", seed=3, product_customers=everyone)):
        pd.testing.assert_frame_equal(usual, with_panel)
    _, evaluation = protocol_pairs(protocol, transactions, "test", seed=3)
    again = refeature(evaluation, transactions, protocol.cut_date, everyone)
    pd.testing.assert_frame_equal(again[evaluation.columns], evaluation)


def test_negatives_and_product_features_come_from_the_panel_only(transactions, protocol):
    panel = pd.Index([float(c) for c in range(5, 41)])  # customers 1-4, the only buyers of P7, are outside
    fit, _ = protocol_pairs(protocol, transactions, "test", seed=3, product_customers=panel)
    assert "P7" not in set(fit["StockCode"])  # the panel never bought it: neither a negative nor a positive
    start = protocol.cut_date - pd.Timedelta(days=protocol.validation_days)
    panel_history = transactions[(transactions["InvoiceDate"] < start) & transactions["CustomerID"].isin(panel)]
    popularity = np.log1p(panel_history.groupby("StockCode")["CustomerID"].nunique())
    price = np.log(panel_history.groupby("StockCode")["UnitPrice"].median())
    np.testing.assert_allclose(fit["log_popularity"], popularity.reindex(fit["StockCode"]).to_numpy())
    np.testing.assert_allclose(fit["log_price"], price.reindex(fit["StockCode"]).to_numpy())


def test_panel_pairs_split_the_customers_and_keep_the_evaluation_rows(transactions, protocol):
    panel = pd.Index([float(c) for c in range(5, 41, 2)])
    _, evaluation = protocol_pairs(protocol, transactions, "test", seed=3)
    fit_panel, fit_private, eval_private = panel_pairs(protocol, transactions, evaluation, panel, seed=3)
    assert fit_panel["CustomerID"].isin(panel).all() and not fit_private["CustomerID"].isin(panel).any()
    outside = evaluation[~evaluation["CustomerID"].isin(panel)]
    pd.testing.assert_frame_equal(eval_private[["CustomerID", "StockCode", "label"]],
                                  outside[["CustomerID", "StockCode", "label"]])
    unknown = ~eval_private["StockCode"].isin(transactions.loc[
        (transactions["InvoiceDate"] < protocol.cut_date) & transactions["CustomerID"].isin(panel), "StockCode"])
    assert unknown.any() and (eval_private.loc[unknown, "log_popularity"] == 0).all()  # P7: popularity 0
    assert np.isfinite(eval_private[NUMERIC_FEATURES].to_numpy()).all()  # and the panel's median log price


def test_dp_sgd_runs_differ_by_seed_and_report_the_accountants_epsilon():
    rng = np.random.default_rng(0)
    X, groups = rng.normal(size=(200, 3)), np.repeat(np.arange(50), 4)
    y = (X[:, 0] + rng.normal(size=200) > 0).astype(float)
    scores, info = dp_sgd_runs(X, y, groups, X[:20], runs=3, seed=5, delta=1e-5, epochs=2, batch_size=10,
                               learning_rate=0.5, l2_norm_clip=1.0, noise_multiplier=2.0)
    assert scores.shape == (20, 3) and not np.allclose(scores[:, 0], scores[:, 1])
    assert info["n_units"] == 50
    assert info["epsilon"] == pytest.approx(dp_sgd_epsilon(info["sampling_probability"], 2.0, info["steps"], 1e-5))
    with pytest.raises(ValueError, match="runs"):
        dp_sgd_runs(X, y, groups, X, runs=0, seed=5, delta=1e-5, l2_norm_clip=1.0, noise_multiplier=2.0)
