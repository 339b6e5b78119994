import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from rec_utils.data.cleaning import clean_transactions
from rec_utils.data.online_retail import to_typed_transactions
from rec_utils.data.tables import product_catalog, purchase_counts
from rec_utils.recommend.cold_start import customers_for_new_product, popular_in_country
from rec_utils.recommend.interest import interest_tags, recommendation_reasons
from rec_utils.recommend.scorers import RECOMMENDERS, fit_recommender


@pytest.fixture
def shop(transactions_factory):
    rows = [
        {
            "InvoiceNo": "1",
            "CustomerID": 1.0,
            "StockCode": "10001",
            "Description": "CHRISTMAS CANDLE",
            "InvoiceDate": "2011-11-01",
        },
        {
            "InvoiceNo": "1",
            "CustomerID": 1.0,
            "StockCode": "10002",
            "Description": "CHRISTMAS BAUBLE",
            "InvoiceDate": "2011-11-01",
        },
        {
            "InvoiceNo": "2",
            "CustomerID": 1.0,
            "StockCode": "10003",
            "Description": "GARDEN HOSE",
            "InvoiceDate": "2010-01-01",
        },
        {
            "InvoiceNo": "3",
            "CustomerID": 2.0,
            "StockCode": "10003",
            "Description": "GARDEN HOSE",
            "InvoiceDate": "2011-11-02",
            "Country": "France",
        },
        {
            "InvoiceNo": "3",
            "CustomerID": 2.0,
            "StockCode": "10004",
            "Description": "GARDEN GLOVES",
            "InvoiceDate": "2011-11-02",
            "Country": "France",
        },
    ]
    return clean_transactions(to_typed_transactions(transactions_factory(rows)))[0]


def test_tags_follow_recent_purchases(shop):
    tags = interest_tags(shop, product_catalog(shop), n_tags=1, half_life_days=30)
    assert tags.loc[1, "tags"] == ["christmas"]  # the old garden purchase has decayed
    assert tags.loc[2, "tags"] == ["garden"]


def test_tag_scores_are_shares_of_the_profile_whatever_the_customer_bought(shop):
    catalog = product_catalog(shop)
    once = interest_tags(shop, catalog, n_tags=3, half_life_days=30)
    twice = interest_tags(pd.concat([shop, shop], ignore_index=True), catalog, n_tags=3, half_life_days=30)
    for scores in once["scores"]:
        assert all(0 < s <= 1 for s in scores) and sum(scores) <= 1 + 1e-9 and scores == sorted(scores, reverse=True)
    pd.testing.assert_series_equal(once["scores"], twice["scores"])  # buying everything twice says the same


def test_reasons_prefer_tags_then_the_most_similar_purchase():
    recommended = np.array([[2, 3]])
    bought = sp.csr_matrix(np.array([[1, 1, 0, 0]]))
    similarity = np.array([[0, 0, 0.2, 0.0], [0, 0, 0.9, 0.0], [0.2, 0.9, 0, 0], [0, 0, 0, 0]])
    names = pd.Series(["CANDLE", "BAUBLE", "CHRISTMAS STAR", "HOSE"])
    reasons = recommendation_reasons(recommended, bought, similarity, names, [["garden"]], names)
    assert reasons == [["because you bought BAUBLE", "popular with customers like you"]]
    reasons = recommendation_reasons(recommended, bought, similarity, names, [["christmas"]], names)
    assert reasons[0][0] == "matches your interest: christmas"


def test_cold_start_paths(shop):
    assert popular_in_country(shop, "France", k=5)["StockCode"].tolist() == ["10003", "10004"]
    assert len(popular_in_country(shop, "Atlantis", k=5)) == 4  # unknown country: all customers
    similar, customers = customers_for_new_product(
        "CHRISTMAS TREE", product_catalog(shop), purchase_counts(shop), n_similar=2
    )
    assert set(similar["StockCode"]) == {"10001", "10002"} and customers["CustomerID"].tolist() == [1]
    with pytest.raises(ValueError, match="shares a word"):
        customers_for_new_product("ZEBRA", product_catalog(shop), purchase_counts(shop))


@pytest.mark.parametrize("name", RECOMMENDERS)
def test_every_recommender_scores_every_item(name):
    train = sp.random(30, 20, density=0.2, random_state=0, format="csr")
    train.data[:] = 1.0
    scores = fit_recommender(name, train, n_factors=4, seed=0)(np.arange(5))
    assert np.asarray(scores).shape == (5, 20)
    with pytest.raises(ValueError, match="unknown recommender"):
        fit_recommender("magic", train)
