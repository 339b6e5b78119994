"""Notebook 04's purchase-propensity logistic regression with the product description's words added, so that it
gets the same inputs as the Keras model it is compared with (rec_utils.models.logistic stays as it is).

    logistic_words_pipeline().fit(pairs_with_descriptions, labels)

Input frame: NUMERIC_FEATURES, CATEGORICAL_FEATURES and a "Description" column (text).
"""

from __future__ import annotations

from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from rec_utils.features.propensity import CATEGORICAL_FEATURES, NUMERIC_FEATURES

WORD_PATTERN = r"(?u)\b[a-zA-Z]{3,}\b"


def logistic_words_pipeline(C: float = 1.0, max_countries: int = 6, min_df: int = 5) -> Pipeline:
    """Standardised numeric features + one-hot country (rare ones pooled) + binary description words seen in at
    least `min_df` training rows -> logistic regression."""
    preprocess = ColumnTransformer([
        ("num", StandardScaler(), NUMERIC_FEATURES),
        ("cat", OneHotEncoder(max_categories=max_countries, handle_unknown="infrequent_if_exist",
                              sparse_output=False), CATEGORICAL_FEATURES),
        ("words", CountVectorizer(binary=True, token_pattern=WORD_PATTERN, min_df=min_df), "Description"),
    ])
    return Pipeline([("preprocess", preprocess), ("logistic", LogisticRegression(C=C, max_iter=3000))])
