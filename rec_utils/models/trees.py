"""Gradient-boosted trees on the purchase-propensity features: the flexible counterpart of `logistic_pipeline`.

    boosted_trees_pipeline(seed=0).fit(pairs[NUMERIC_FEATURES + CATEGORICAL_FEATURES], pairs["label"])

Trees split on raw values, so numeric features pass through unscaled and the country is an ordinal code (unknown
countries get -1). Their capacity is the point: customer-level features (recency, frequency, monetary value)
nearly identify a customer, so trees can learn one customer's pattern from that customer's other rows.
"""

from __future__ import annotations

from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OrdinalEncoder

from rec_utils.features.propensity import CATEGORICAL_FEATURES, NUMERIC_FEATURES


def boosted_trees_pipeline(max_iter: int = 200, learning_rate: float = 0.1, seed: int = 0) -> Pipeline:
    """Numeric features as they are + ordinal country -> HistGradientBoostingClassifier (no early stopping, so
    every fit runs `max_iter` trees and depends on nothing but the data and `seed`)."""
    preprocess = ColumnTransformer([
        ("num", "passthrough", NUMERIC_FEATURES),
        ("cat", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1), CATEGORICAL_FEATURES),
    ])
    trees = HistGradientBoostingClassifier(max_iter=max_iter, learning_rate=learning_rate, early_stopping=False,
                                           categorical_features=[len(NUMERIC_FEATURES)], random_state=seed)
    return Pipeline([("preprocess", preprocess), ("trees", trees)])
