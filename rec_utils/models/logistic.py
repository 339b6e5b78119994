"""Logistic regression (article 4.3): the formula (and the article's sign error), the purchase-propensity
model as a scikit-learn pipeline, and its exact explanation term by term."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from rec_utils.features.propensity import CATEGORICAL_FEATURES, NUMERIC_FEATURES


def sigmoid(z: np.ndarray | float) -> np.ndarray | float:
    """1 / (1 + e^(-z)), numerically stable for large |z|."""
    z = np.asarray(z, dtype=float)
    return np.where(z >= 0, 1 / (1 + np.exp(-np.abs(z))), np.exp(-np.abs(z)) / (1 + np.exp(-np.abs(z))))


def logistic_probability(intercept: float, coefficients: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Correct model: P(Y=1|X) = 1 / (1 + e^{-(β0 + β1 X1 + ... + βn Xn)}). x: (..., n)."""
    return sigmoid(intercept + np.asarray(x, dtype=float) @ np.asarray(coefficients, dtype=float))


def printed_logistic_probability(intercept: float, coefficients: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The article's formula as printed: 1 / (1 + e^{-β0 + β1 X1 + ... + βn Xn}).

    The minus sign applies only to β0, so every feature's effect is reversed.
    """
    exponent = -intercept + np.asarray(x, dtype=float) @ np.asarray(coefficients, dtype=float)
    return 1 / (1 + np.exp(exponent))


def contributions(model: Pipeline, row: pd.DataFrame) -> pd.DataFrame:
    """How a fitted `Pipeline(preprocess, LogisticRegression)` scores one row, term by term.

    Returns a frame indexed by feature (plus 'intercept') with the transformed value, the
    coefficient and their product; `.contribution.sum()` is the logit z, and sigmoid(z)
    equals `model.predict_proba(row)[0, 1]`.
    """
    if len(row) != 1:
        raise ValueError(f"explain one row at a time, got {len(row)}")
    preprocess, classifier = model[:-1], model[-1]
    values = np.asarray(preprocess.transform(row), dtype=float).ravel()
    names = [n.split("__", 1)[-1].replace("infrequent_sklearn", "other") for n in preprocess.get_feature_names_out()]
    table = pd.DataFrame({"value": values, "coefficient": classifier.coef_.ravel()}, index=names)
    table.loc["intercept"] = [1.0, float(classifier.intercept_[0])]
    table["contribution"] = table["value"] * table["coefficient"]
    return table


def logistic_pipeline(C: float = 1.0, max_countries: int = 6) -> Pipeline:
    """Standardised numeric features + one-hot country (rare ones pooled) -> logistic regression."""
    preprocess = ColumnTransformer([
        ("num", StandardScaler(), NUMERIC_FEATURES),
        ("cat", OneHotEncoder(max_categories=max_countries, handle_unknown="infrequent_if_exist",
                              sparse_output=False), CATEGORICAL_FEATURES),
    ])
    return Pipeline([("preprocess", preprocess), ("logistic", LogisticRegression(C=C, max_iter=2000))])
