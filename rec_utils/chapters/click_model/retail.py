"""Notebook 06's real-data part: notebook 04's purchase-propensity task on Online Retail, like for like, with the
Keras click model beside the logistic regressions (negatives drawn uniformly or by popularity)."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from rec_utils.data.online_retail import frame_sha256
from rec_utils.data.split import split_by_customer
from rec_utils.data.tables import load_processed
from rec_utils.evaluation.grouped_auc import auc_log_loss_table
from rec_utils.features.propensity import CATEGORICAL_FEATURES, NUMERIC_FEATURES, propensity_dataset
from rec_utils.features.propensity_sampling import propensity_dataset_by_popularity
from rec_utils.features.text import Tokenizer
from rec_utils.models.click_model import build_click_model, predict, train_click_model
from rec_utils.models.logistic import logistic_pipeline
from rec_utils.models.propensity_words import logistic_words_pipeline
from rec_utils.runtime.device import seed_everything
from rec_utils.runtime.threads import single_threaded
from rec_utils.runtime.trained import train_once

STORE_FOLDER = "06_click_model"  # data/trained/06_click_model/, beside the simulated log's networks
MODELS = {"popularity": "popularity only", "logistic": "logistic regression (notebook 04)",
          "words": "logistic regression + description words", "keras": "Keras: description words + the same features"}


def retail_comparison(transactions: pd.DataFrame, catalog: pd.DataFrame, *, sampling: str = "uniform",
                      seed: int = 42, epochs: int = 15, batch_size: int = 256, patience: int = 3, n_boot: int = 200,
                      logistic_c: tuple[float, ...] = (0.1, 1.0)) -> tuple[pd.DataFrame, dict]:
    """Notebook 04's purchase-propensity task, like for like: popularity alone, notebook 04's logistic regression,
    the same with the product descriptions' words, and the Keras click model (description words + the same
    features). Negatives drawn "uniform" (rec_utils.features.propensity) or by "popularity". Customers split
    75/25 (test), the training customers again 80/20 for validation (C, early stopping). The four models' test
    scores are read from data/trained/ when this code fitted them on the same settings and data
    (rec_utils.runtime.trained). Returns (the test interval table with paired AUC differences against the logistic
    regression with words, facts)."""
    if sampling not in {"uniform", "popularity"}:
        raise ValueError(f"sampling must be 'uniform' or 'popularity', got {sampling!r}")
    build = propensity_dataset if sampling == "uniform" else propensity_dataset_by_popularity
    pairs = build(transactions, label_days=28, negatives_per_positive=4, seed=seed)
    descriptions = catalog.set_index("StockCode")["Description"]
    pairs["Description"] = descriptions.reindex(pairs["StockCode"]).fillna("").to_numpy()
    fit_part, test_part = split_by_customer(pairs, test_fraction=0.25, seed=seed)
    settings = {"sampling": sampling, "seed": seed, "epochs": epochs, "batch_size": batch_size, "patience": patience,
                "logistic_c": list(logistic_c), "transactions": frame_sha256(transactions),
                "catalog": frame_sha256(catalog)}
    stored = train_once(STORE_FOLDER, f"retail-{sampling}", settings, (sys.modules[__name__],), lambda: (
        _fitted_scores(fit_part, test_part, seed=seed, epochs=epochs, batch_size=batch_size, patience=patience,
                       logistic_c=logistic_c, name=f"retail_{sampling}"), None)).arrays
    scores = {model: stored[key] for key, model in MODELS.items()}
    best_c = float(stored["logistic_words_C"])
    table = auc_log_loss_table(test_part["label"].to_numpy(), scores, groups=test_part["CustomerID"].to_numpy(),
                           reference="logistic regression + description words", n_boot=n_boot, seed=seed)
    facts = {"pairs": len(pairs), "test_pairs": len(test_part),
             "test_customers": int(test_part["CustomerID"].nunique()), "positive_rate": float(pairs["label"].mean()),
             "logistic_words_C": best_c}
    return table, facts


def _fitted_scores(fit_part: pd.DataFrame, test_part: pd.DataFrame, *, seed: int, epochs: int, batch_size: int,
                   patience: int, logistic_c: tuple[float, ...], name: str) -> dict[str, np.ndarray]:
    """The four models fitted on `fit_part` (its customers split 80/20 again for validation: C of the logistic
    regression with words, early stopping of the Keras model): {MODELS key: test scores, "logistic_words_C": the
    chosen C}."""
    features = NUMERIC_FEATURES + CATEGORICAL_FEATURES
    train_part, val_part = split_by_customer(fit_part, test_fraction=0.2, seed=seed)
    with single_threaded():
        logistic = logistic_pipeline().fit(fit_part[features], fit_part["label"])
        scored = {c: logistic_words_pipeline(C=c).fit(train_part[features + ["Description"]], train_part["label"])
                  for c in logistic_c}
        best_c = max(scored, key=lambda c: roc_auc_score(val_part["label"], scored[c].predict_proba(
            val_part[features + ["Description"]])[:, 1]))
        words = logistic_words_pipeline(C=best_c).fit(fit_part[features + ["Description"]], fit_part["label"])
        popularity = LogisticRegression().fit(fit_part[["log_popularity"]], fit_part["label"])  # same order
    preprocess = logistic[:-1]
    tokenizer = Tokenizer.fit(train_part["Description"], max_len=8)

    def inputs(frame: pd.DataFrame) -> dict[str, np.ndarray]:
        return {"title_tokens": tokenizer.transform(frame["Description"]),
                "attributes": np.asarray(preprocess.transform(frame[features]), dtype="float32")}

    seed_everything(seed)
    model = build_click_model(vocab_size=tokenizer.size, max_len=8, use_query=False,
                              n_attributes=inputs(train_part.iloc[:1])["attributes"].shape[1], name=name)
    train_click_model(model, inputs(train_part), train_part["label"].to_numpy(), inputs(val_part),
                      val_part["label"].to_numpy(), epochs=epochs, batch_size=batch_size, patience=patience)
    return {"popularity": popularity.predict_proba(test_part[["log_popularity"]])[:, 1],
            "logistic": logistic.predict_proba(test_part[features])[:, 1],
            "words": words.predict_proba(test_part[features + ["Description"]])[:, 1],
            "keras": predict(model, inputs(test_part)), "logistic_words_C": np.asarray(best_c)}


def retail_comparisons(*, seed: int = 42, epochs: int = 15, batch_size: int = 256, patience: int = 3,
                       n_boot: int = 200) -> tuple[pd.DataFrame, dict[str, dict]]:
    """`retail_comparison` on notebook 01's processed tables with negatives drawn uniformly and by popularity:
    (one table indexed by (negatives, model), {sampling: facts})."""
    transactions, catalog = load_processed("transactions"), load_processed("catalog")
    tables, facts = {}, {}
    for sampling in ("uniform", "popularity"):
        tables[sampling], facts[sampling] = retail_comparison(transactions, catalog, sampling=sampling, seed=seed,
                                                              epochs=epochs, batch_size=batch_size, patience=patience,
                                                              n_boot=n_boot)
    return pd.concat(tables, names=["negatives", "model"]), facts
