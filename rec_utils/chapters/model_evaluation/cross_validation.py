"""Notebook 07's cross-validated predictions, kept: scikit-learn's `cross_val_predict` takes about 20 s for the two
models and two kinds of folds on notebook 04's pairs, so its held-out probabilities are stored in
data/trained/07_model_evaluation/ by rec_utils.runtime.trained, keyed by a hash of the estimator, the folds and the
data, and computed anew whenever one of them, this code or the pipelines' code changes."""

from __future__ import annotations

import sys

import joblib
import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.model_selection import BaseCrossValidator, cross_val_predict

from rec_utils.models import logistic, trees
from rec_utils.runtime.store_notes import say_if_computed
from rec_utils.runtime.trained import train_once

STORE_FOLDER = "07_model_evaluation"


def held_out_probabilities(estimator: BaseEstimator, features: pd.DataFrame, labels: np.ndarray, *,
                           cv: BaseCrossValidator, groups: np.ndarray | None = None) -> np.ndarray:
    """`cross_val_predict(estimator, features, labels, cv=cv, groups=groups, method="predict_proba")[:, 1]`: for
    each of the n rows, the probability of class 1 from the model fitted on the folds that did not hold the row
    (shape (n,)). Read from data/trained/ when the same estimator (a pipeline of rec_utils.models.logistic or
    .trees), folds and data produced it before."""
    settings = {"estimator": joblib.hash(estimator), "cv": repr(cv),
                "data": joblib.hash((features, np.asarray(labels), None if groups is None else np.asarray(groups)))}

    def fit() -> tuple[dict[str, np.ndarray], None]:
        probabilities = cross_val_predict(estimator, features, labels, cv=cv, groups=groups, method="predict_proba")
        return {"held_out": probabilities[:, 1]}, None

    final_step = estimator.steps[-1][1] if hasattr(estimator, "steps") else estimator
    name = f"held_out-{type(final_step).__name__}-{type(cv).__name__}"
    stored = train_once(STORE_FOLDER, name, settings, (sys.modules[__name__], logistic, trees), fit)
    return say_if_computed(stored, name).arrays["held_out"]
