"""Negatives drawn by popularity: same positives as the uniform draw, frequencies follow popularity."""

import numpy as np
import pandas as pd

from rec_utils.features.propensity import propensity_dataset
from rec_utils.features.propensity_sampling import popularity_negatives, propensity_dataset_by_popularity
from rec_utils.models.propensity_words import logistic_words_pipeline


def test_popularity_negatives_follow_popularity_and_skip_purchases():
    popularity = pd.Series([1, 1, 8], index=["A", "B", "C"])
    positives = pd.DataFrame({"CustomerID": np.arange(400.0), "StockCode": ["A"] * 400})
    negatives = popularity_negatives(positives, popularity, 1, np.random.default_rng(0))
    assert not (negatives["StockCode"] == "A").any()  # each customer bought A in the window
    shares = negatives["StockCode"].value_counts(normalize=True)
    assert shares["C"] > 0.8  # C holds 8/9 of the popularity among the products left


def test_same_positives_and_columns_as_the_uniform_draw(transactions_factory):
    rows = []
    for c in range(1, 31):
        rows += [{"CustomerID": float(c), "StockCode": "P1", "InvoiceNo": f"a{c}", "InvoiceDate": "2011-01-01"},
                 {"CustomerID": float(c), "StockCode": f"P{2 + c % 5}", "InvoiceNo": f"b{c}",
                  "InvoiceDate": "2011-01-02"},
                 {"CustomerID": float(c), "StockCode": f"P{c % 3 + 1}", "InvoiceNo": f"c{c}",
                  "InvoiceDate": "2011-03-01"}]
    tx = transactions_factory(rows)
    tx["Revenue"] = tx["Quantity"] * tx["UnitPrice"]
    uniform = propensity_dataset(tx, label_days=28, negatives_per_positive=2, seed=0)
    popular = propensity_dataset_by_popularity(tx, label_days=28, negatives_per_positive=2, seed=0)
    assert list(popular.columns) == list(uniform.columns)
    key = ["CustomerID", "StockCode"]
    pd.testing.assert_frame_equal(uniform.loc[uniform["label"] == 1, key].reset_index(drop=True),
                                  popular.loc[popular["label"] == 1, key].reset_index(drop=True))
    negatives = popular[popular["label"] == 0]
    assert negatives.merge(popular[popular["label"] == 1], on=key).empty


def test_logistic_words_pipeline_uses_the_description():
    frame = pd.DataFrame({"log_price": [0.1, 0.2, 0.3, 0.4] * 5, "log_popularity": 1.0, "recency_days": 3.0,
                          "log_frequency": 1.0, "log_monetary": 2.0, "token_affinity": 0.0, "bought_before": 0.0,
                          "country": "UK", "Description": ["red heart", "blue mug", "red heart box", "mug"] * 5})
    labels = np.array([1, 0, 1, 0] * 5)
    model = logistic_words_pipeline(min_df=1).fit(frame, labels)
    names = model[0].get_feature_names_out()
    assert "words__heart" in names and "words__red" in names
    assert (model.predict_proba(frame)[:, 1][labels == 1] > 0.5).all()
