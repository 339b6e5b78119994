"""The user's behaviour sequence as model input: earlier clicks per impression, padded, and their summaries.

    history_matrix(impressions["previous_clicks"], max_len)   -> (n, max_len) int32 item ids, PADDING = -1
    history_mean(history, item_features)                      -> (n, f) mean over the real (non-padded) items
    history_summary(history, item_id, category_one_hot, ...)  -> (n, s) the hand-made summary for the baselines

Ids are left-aligned, oldest first; when a user has more earlier clicks than max_len, the most recent are kept.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

PADDING = -1


def history_matrix(previous_clicks: Sequence[Sequence[int]], max_len: int) -> np.ndarray:
    """Padded id matrix (n, max_len) int32 from per-row sequences of clicked item ids (oldest first)."""
    if max_len < 1:
        raise ValueError(f"max_len must be >= 1, got {max_len}")
    matrix = np.full((len(previous_clicks), max_len), PADDING, dtype=np.int32)
    for row, items in enumerate(previous_clicks):
        recent = list(items)[-max_len:]
        matrix[row, :len(recent)] = recent
    return matrix


def history_mean(history: np.ndarray, item_features: np.ndarray) -> np.ndarray:
    """Mean of `item_features` (n_items, f) over each row's real history items: (n, f); zeros for no history."""
    mask = history != PADDING
    values = item_features[np.where(mask, history, 0)] * mask[..., None]
    return values.sum(axis=1) / np.maximum(mask.sum(axis=1), 1)[:, None]


def history_summary(history: np.ndarray, item_id: np.ndarray, category_one_hot: np.ndarray,
                    image_features: np.ndarray, price_z: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """A fixed summary of the earlier clicks and its crosses with the candidate item, for linear models and trees.

    history (n, N) padded ids; item_id (n,) candidates; per item: category_one_hot (n_items, C),
    image_features (n_items, k) and price_z (n_items,). Returns (features (n, C + k + 5), names): the mean
    category shares, the mean image features, log(1 + length), the mean price, and the crosses
    share-of-history-in-the-candidate's-category, candidate·mean image features, candidate price × mean price.
    """
    length = (history != PADDING).sum(axis=1)
    shares = history_mean(history, category_one_hot)
    image = history_mean(history, image_features)
    price = history_mean(history, price_z[:, None])[:, 0]
    crosses = np.column_stack([(shares * category_one_hot[item_id]).sum(axis=1),
                               (image * image_features[item_id]).sum(axis=1),
                               price * price_z[item_id]])
    features = np.column_stack([shares, image, np.log1p(length), price, crosses]).astype(np.float32)
    names = ([f"history share class {c}" for c in range(category_one_hot.shape[1])]
             + [f"history image {j}" for j in range(image_features.shape[1])]
             + ["log(1 + history length)", "history mean price", "history share of candidate class",
                "candidate image · history image", "candidate price × history price"])
    return features, names
