"""Attribute features (price, category) and the assembled inputs of the click model, one row per impression."""

from __future__ import annotations

import numpy as np
import pandas as pd

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
