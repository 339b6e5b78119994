"""The click model of notebook 06, trained once on the simulator's logged impressions, as a score table for bandits.

Inputs are those of `build_click_model`: query and title tokens, an item feature matrix in the
image tower (any (n_items, d) matrix: the simulator's pixel principal components by default, a
pretrained encoder's embeddings when there are some) and the attributes (price, category). The model
sees no user, so its prediction depends on (query word, item) only, and one table
(n_queries, n_items) holds every prediction a policy can need.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np
import pandas as pd

from rec_utils.data.split import split_groups
from rec_utils.features.attributes import click_model_inputs, encode_attributes
from rec_utils.features.text import Tokenizer
from rec_utils.models.click_model import build_click_model, predict, train_click_model
from rec_utils.simulation.environment import QUERY_WORDS
from rec_utils.simulation.episode import N_CATEGORIES


@dataclass
class LoggedClickModel:
    """A trained click model and what it needs to score (query word, item) pairs."""

    model: keras.Model
    tokenizer: Tokenizer
    item_features: np.ndarray
    item_attributes: np.ndarray
    epochs_run: int
    validation_loss: float

    def score_table(self, catalog: pd.DataFrame) -> np.ndarray:
        """Predicted P(click) for every word of QUERY_WORDS × every catalogue item: (n_queries, n_items) float32."""
        pairs = pd.DataFrame({
            "search_keywords": np.repeat(QUERY_WORDS, len(catalog)),
            "product_description": np.tile(catalog["title"].to_numpy(), len(QUERY_WORDS)),
            "item_id": np.tile(catalog["item_id"].to_numpy(), len(QUERY_WORDS)),
        })
        inputs = click_model_inputs(pairs, self.tokenizer, self.item_features, self.item_attributes)
        return predict(self.model, inputs).reshape(len(QUERY_WORDS), len(catalog)).astype(np.float32)


def train_logged_click_model(impressions: pd.DataFrame, catalog: pd.DataFrame, item_features: np.ndarray, *,
                             seed: int = 0, validation_fraction: float = 0.2, epochs: int = 10,
                             batch_size: int = 256, patience: int = 2) -> LoggedClickModel:
    """Fit the fused click model (text + item features + attributes) on logged impressions.

    impressions: `simulate_clicks` output (one row per shown item); catalog: its catalogue;
    item_features: (n_items, d). Early stopping on a validation split of users. Seed the backend
    first (rec_utils.runtime.device.seed_everything) for a repeatable fit.
    """
    if len(item_features) != len(catalog):
        raise ValueError(f"item_features has {len(item_features)} rows for {len(catalog)} items")
    train, validation = split_groups(impressions["user_id"].to_numpy(), (1 - validation_fraction, validation_fraction),
                                     seed=seed)
    tokenizer = Tokenizer.fit(pd.concat([impressions.loc[train, "search_keywords"],
                                         impressions.loc[train, "product_description"]]), max_len=8)
    attributes, _ = encode_attributes(catalog["price"], catalog["category"], N_CATEGORIES)
    features = np.asarray(item_features, dtype=np.float32)
    inputs = click_model_inputs(impressions, tokenizer, features, attributes)
    clicked = impressions["clicked"].to_numpy()
    model = build_click_model(vocab_size=tokenizer.size, max_len=tokenizer.max_len, image_dim=features.shape[1],
                              n_attributes=attributes.shape[1], name="logged_click_model")
    history = train_click_model(model, {n: v[train] for n, v in inputs.items()}, clicked[train],
                                {n: v[validation] for n, v in inputs.items()}, clicked[validation],
                                epochs=epochs, batch_size=batch_size, patience=patience)
    return LoggedClickModel(model, tokenizer, features, attributes, len(history.history["loss"]),
                            float(min(history.history["val_loss"])))
