"""The click model's text tower, two ways on the same impressions and split: word embeddings learned from the
clicks (rec_utils.models.click_model, text only) against frozen pretrained MiniLM embeddings of the same
queries and titles (rec_utils.models.text_tower). Both are trained identically (early stopping on validation
users) and scored on test users: ROC-AUC and log-loss with user-bootstrap intervals, a paired ROC-AUC
difference, and the oracle ceiling (the simulator's true p_click, which sees each user's hidden taste: not
reachable) when the impressions carry it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from rec_utils.evaluation.probability import metrics_table, paired_bootstrap
from rec_utils.evaluation.resampling import Comparison
from rec_utils.features.text import Tokenizer
from rec_utils.features.text_encoder import EMBEDDING_DIM
from rec_utils.features.text_vectors import text_embedding_inputs
from rec_utils.models.click_model import build_click_model, predict, train_click_model
from rec_utils.models.text_tower import build_text_embedding_click_model
from rec_utils.runtime.device import seed_everything

LEARNED, FROZEN = "learned word embeddings", "frozen MiniLM embeddings"
CEILING = "oracle (true p: sees the hidden taste)"


def text_tower_comparison(impressions: pd.DataFrame, masks: tuple[np.ndarray, np.ndarray, np.ndarray], *,
                          encode: Callable[[list[str]], np.ndarray] | None = None,
                          embedding_dim: int = EMBEDDING_DIM,
                          max_len: int = 8, epochs: int = 15, batch_size: int = 256, patience: int = 3,
                          seed: int = 42, n_boot: int = 200) -> Comparison:
    """Train both text-only click models on impressions[train], stop early on [validation], score [test].

    impressions: search_keywords, product_description, user_id, clicked (and p_click for the ceiling);
    masks: boolean (n,) train, validation, test (split by user). table: ROC-AUC and log-loss with 95%
    intervals over test users; paired: frozen - learned ROC-AUC; per_customer: the test predictions.
    encode: texts -> (n, embedding_dim) (default MiniLM).
    """
    train, val, test = masks
    y = impressions["clicked"].to_numpy()
    tokenizer = Tokenizer.fit(pd.concat([impressions.loc[train, "search_keywords"],
                                         impressions.loc[train, "product_description"]]), max_len=max_len)
    inputs = {"query_tokens": tokenizer.transform(impressions["search_keywords"]),
              "title_tokens": tokenizer.transform(impressions["product_description"]),
              **text_embedding_inputs(impressions, encode)}

    def part(mask: np.ndarray) -> dict:
        return {name: values[mask] for name, values in inputs.items()}

    predictions = {}
    for label, build in ((LEARNED, lambda: build_click_model(vocab_size=tokenizer.size, max_len=max_len,
                                                              name="text_only_learned")),
                         (FROZEN, lambda: build_text_embedding_click_model(embedding_dim, name="text_only_frozen"))):
        seed_everything(seed)
        model = build()
        train_click_model(model, part(train), y[train], part(val), y[val], epochs=epochs, batch_size=batch_size,
                          patience=patience)
        predictions[label] = predict(model, part(test))
    if "p_click" in impressions:
        predictions[CEILING] = impressions.loc[test, "p_click"].to_numpy()
    users = impressions.loc[test, "user_id"].to_numpy()
    table = metrics_table(y[test], predictions, metrics=("ROC-AUC", "log-loss"), n_boot=n_boot, seed=seed,
                          groups=users)
    paired = paired_bootstrap(y[test], predictions[FROZEN], predictions[LEARNED], roc_auc_score, groups=users,
                              n_boot=n_boot, seed=seed)
    per_impression = pd.DataFrame({"user_id": users, "clicked": y[test], **predictions})
    protocol = (f"text-only click models on {int(train.sum()):,} training, {int(val.sum()):,} validation and "
                f"{int(test.sum()):,} test impressions (split by user); intervals over {len(np.unique(users)):,} "
                "test users")
    return Comparison(table, pd.DataFrame({f"{FROZEN} - {LEARNED} (ROC-AUC)": paired}).T, per_impression,
                      {"vocabulary": tokenizer.size}, protocol)
