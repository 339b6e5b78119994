"""Attribute features (price, category) and the assembled inputs of the click models: per impression
(`click_model_inputs`, `interest_model_inputs`) and per item (`ItemTables`, looked up inside a model)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from rec_utils.features.behaviour import BehaviourHistory
from rec_utils.features.text import Tokenizer


def encode_attributes(price: np.ndarray, category: np.ndarray, n_categories: int,
                      price_stats: tuple[float, float] | None = None) -> tuple[np.ndarray, tuple[float, float]]:
    """[standardised log price, one-hot category] (n, 1 + n_categories), and the (mean, std) used.

    Pass the training rows' `price_stats` when encoding validation or test rows.
    """
    price = np.asarray(price, dtype=float)
    if np.any(~(price > 0)):
        raise ValueError("prices must be positive")
    log_price = np.log(price)
    mean, std = price_stats if price_stats is not None else (log_price.mean(), log_price.std())
    one_hot = np.eye(n_categories, dtype=np.float32)[np.asarray(category, dtype=int)]
    return np.column_stack([(log_price - mean) / std, one_hot]).astype(np.float32), (float(mean), float(std))


def click_model_inputs(impressions: pd.DataFrame, tokenizer: Tokenizer, item_image_features: np.ndarray,
                       item_attributes: np.ndarray) -> dict[str, np.ndarray]:
    """Every input the click model can take, one row per impression (look-ups by item_id).

    Returns query_tokens, title_tokens (n, max_len) int32; image_features (n, d) and
    attributes (n, a) float32; item_id (n,) int32 (for a model that looks images up itself).
    """
    items = impressions["item_id"].to_numpy()
    return {
        "query_tokens": tokenizer.transform(impressions["search_keywords"]),
        "title_tokens": tokenizer.transform(impressions["product_description"]),
        "image_features": item_image_features[items].astype(np.float32),
        "attributes": item_attributes[items].astype(np.float32),
        "item_id": items.astype(np.int32),
    }


@dataclass(frozen=True)
class ItemTables:
    """Per-item features looked up inside a history-aware model (rows = item_id).

    title_tokens (n_items, max_len) int32 (0 = padding); image_features (n_items, d) float32;
    attributes (n_items, a) float32.
    """

    title_tokens: np.ndarray
    image_features: np.ndarray
    attributes: np.ndarray

    @property
    def n_items(self) -> int:
        return len(self.title_tokens)


def item_tables(catalog: pd.DataFrame, tokenizer: Tokenizer, image_features: np.ndarray,
                attributes: np.ndarray) -> ItemTables:
    """ItemTables of a catalogue (rows in item_id order 0..n-1): its titles tokenised, its image features and
    encoded attributes."""
    if not np.array_equal(catalog["item_id"].to_numpy(), np.arange(len(catalog))):
        raise ValueError("catalog rows must be item_id 0..n-1 in order")
    return ItemTables(tokenizer.transform(catalog["title"]), np.asarray(image_features, dtype=np.float32),
                      np.asarray(attributes, dtype=np.float32))


def query_ids(impressions: pd.DataFrame, tokenizer: Tokenizer) -> np.ndarray:
    """One id per impression's search: the id of its first word (the simulated searches are one word)."""
    return tokenizer.transform(impressions["search_keywords"])[:, 0]


def interest_model_inputs(impressions: pd.DataFrame, tokenizer: Tokenizer, history: BehaviourHistory,
                          item_class: np.ndarray, n_classes: int) -> dict[str, np.ndarray]:
    """The inputs of rec_utils.models.interest's model, one row per impression (all int32): query_tokens (n, L),
    item_id (n,), cross_id (n,) = query id × n_classes + the item's class, and the history's items, clicked, query
    and cross (n, N) from `history` (a BehaviourHistory whose query ids are `query_ids`; padding: item -1, others 0).
    item_class: (n_items,) class of every item."""
    items = impressions["item_id"].to_numpy()
    query = query_ids(impressions, tokenizer)
    past_class = np.asarray(item_class)[np.maximum(history.items, 0)]
    return {"query_tokens": tokenizer.transform(impressions["search_keywords"]),
            "item_id": items.astype(np.int32),
            "cross_id": (query * n_classes + np.asarray(item_class)[items]).astype(np.int32),
            "history_items": history.items, "history_clicked": history.clicked, "history_query": history.query,
            "history_cross": np.where(history.mask, history.query * n_classes + past_class, 0).astype(np.int32)}
