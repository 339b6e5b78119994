"""Headline results of notebook 08_personalized_recommendation, saved by the run before these tests
(`make test` runs the notebooks first)."""

import pandas as pd
import pytest

from rec_utils.runtime.paths import REPORTS_DIR
from rec_utils.runtime.results import load_metrics


def test_08_personalized_recommendation():
    m = load_metrics("08_personalized_recommendation")
    assert m["n_customers"] == 4_334 and m["k"] == 10
    assert m["already_bought_recommended"] == 0
    assert m["n_distinct_lists"] > 0.9 * m["n_customers"]  # personal, not one global list
    assert sum(m["reason_shares"].values()) == pytest.approx(1.0)
    assert all(len(tags) >= 1 for tags in m["example_tags"].values())


def test_recommendations_file_covers_every_customer():
    recs = pd.read_parquet(REPORTS_DIR / "recommendations.parquet")
    assert recs["CustomerID"].nunique() == 4_334
    assert recs.groupby("CustomerID")["rank"].max().eq(10).all()
    assert recs["reason"].str.len().gt(0).all()
