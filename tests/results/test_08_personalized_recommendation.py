"""Headline results of notebook 08_personalized_recommendation, saved by the run before these tests
(`make test` runs the notebooks first). Tolerances are the committed run's 95% intervals; directions are
checked only where the committed paired interval excluded zero."""

import pandas as pd
import pytest
from front_page_checks import DEFAULT_PROTOCOL, assert_front_page
from ranking_checks import assert_directions, assert_headline

from rec_utils.runtime.errata import load_errata
from rec_utils.runtime.paths import REPORTS_DIR
from rec_utils.runtime.results import load_metrics

# value, 95% paired interval of the committed run (test window of the protocol: cut 2011-11-10, 30 days)
HEADLINE = {
    "cold start NDCG@10: popularity in country minus recent popularity (paired)": (-0.0320, -0.0482, -0.0166),
}
# paired intervals against the strongest popularity baseline that excluded zero in the committed run
DIRECTIONS = {(model, metric, 10): -1 for model in ("popularity (all time)", "popularity in country")
              for metric in ("ndcg", "recall", "hit_rate")}


@pytest.fixture(scope="module")
def m():
    return load_metrics("08_personalized_recommendation")


def test_front_page_keys_and_protocol(m):
    assert_front_page(m, keras=False, protocol=DEFAULT_PROTOCOL)


def test_every_customer_gets_a_personal_list(m):
    assert m["n_customers"] == 4_334 and m["k"] == 10
    assert m["already_bought_recommended"] == 0
    assert m["n_distinct_lists"] > 0.9 * m["n_customers"]  # personal, not one global list
    assert all(len(tags) >= 1 for tags in m["example_tags"].values())
    assert "notebook 07" in m["choice_note"]  # the choice names its producer


def test_the_article_filter_returns_observed_outcomes_for_everyone(m):
    article = m["article_filter"]
    assert article["kept_bought_share"] == 1.0  # the filter keeps only rows whose outcome was 1
    assert 0 < article["kept"] < article["rows"] == article["customers"] * 10
    # restricted to one customer it returns what that customer bought: nothing for those without a hit
    assert 0 < article["customers_with_nothing"] < 1
    assert load_errata().set_index("claim_id").loc["5.4-clicks-filter", "status"] == "wrong"


def test_cold_start_against_the_strongest_popularity(m):
    assert_headline(m, HEADLINE)
    assert_directions(m["cold_start"], DIRECTIONS)


def test_recommendations_file_covers_every_customer(m):
    recs = pd.read_parquet(REPORTS_DIR / "recommendations.parquet")
    assert recs["CustomerID"].nunique() == m["n_customers"]
    assert recs.groupby("CustomerID")["rank"].max().eq(m["k"]).all()
    assert recs["reason"].str.len().gt(0).all()
    assert not recs.duplicated(["CustomerID", "StockCode"]).any()  # no product twice in one list
