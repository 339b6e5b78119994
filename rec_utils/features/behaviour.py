"""The full behaviour history of a click log as model input: every earlier impression of the same user, with what
was searched, what was shown, and whether it was clicked.

    history = behaviour_history(impressions, query_ids, max_len=40)     # BehaviourHistory, (n, max_len) arrays
    profile = query_class_profile(query_ids, item_class, clicked)       # P(class clicked | query), from training rows
    summary, names = full_history_summary(history, item_id, ...)        # the hand-made summary for the baselines

A real click log holds every impression, not only the clicks: the non-clicks say as much about a user's taste as the
clicks do, and earlier searches say which classes the user looks for. For each impression the history holds the
user's impressions of *earlier sessions* (items shown on the same result page are simultaneous, not history), oldest
first, left-aligned, the most recent `max_len` kept; padding has item PADDING (-1), clicked 0 and query 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from rec_utils.features.history import PADDING


@dataclass(frozen=True)
class BehaviourHistory:
    """Per impression (rows), its user's earlier impressions (columns, oldest first, left-aligned):
    items (n, L) int32 item ids (PADDING where empty), clicked (n, L) int32 0/1, query (n, L) int32 the id of the
    search that showed each earlier item (0 where empty)."""

    items: np.ndarray
    clicked: np.ndarray
    query: np.ndarray

    @property
    def mask(self) -> np.ndarray:
        """(n, L) bool: True at real earlier impressions."""
        return self.items != PADDING

    def rows(self, selection: np.ndarray) -> "BehaviourHistory":
        """The histories of some impressions (a boolean mask or indices over the rows)."""
        return BehaviourHistory(self.items[selection], self.clicked[selection], self.query[selection])

    def clicked_only(self) -> "BehaviourHistory":
        """The same history reduced to what a log of clicks alone keeps: the clicked items, left-aligned, without
        the non-clicks and without the searches (query 0) that showed them."""
        keep = self.mask & (self.clicked == 1)
        order = np.argsort(~keep, axis=1, kind="stable")  # kept positions first, in their time order
        kept = np.take_along_axis(keep, order, axis=1)

        def take(values: np.ndarray, fill: int) -> np.ndarray:
            return np.where(kept, np.take_along_axis(values, order, axis=1), fill).astype(np.int32)

        return BehaviourHistory(take(self.items, PADDING), take(self.clicked, 0), np.zeros_like(self.query))


def behaviour_history(impressions: pd.DataFrame, query_ids: np.ndarray, max_len: int) -> BehaviourHistory:
    """The earlier impressions of every impression's user (see the module docstring).

    impressions: user_id, session_id (numbered in time order), item_id, clicked, one row per shown item;
    query_ids (n,) int: an id of each impression's search (e.g. its first token). Returns arrays aligned with
    the rows of `impressions`.
    """
    if max_len < 1:
        raise ValueError(f"max_len must be >= 1, got {max_len}")
    query_ids = np.asarray(query_ids)
    if query_ids.shape != (len(impressions),):
        raise ValueError(f"query_ids must have one id per impression ({len(impressions)}), got {query_ids.shape}")
    users, sessions = impressions["user_id"].to_numpy(), impressions["session_id"].to_numpy()
    order = np.lexsort((np.arange(len(impressions)), sessions, users))  # by user, then session, then row
    users_s, sessions_s = users[order], sessions[order]
    position = np.arange(len(order))
    new_user = np.r_[True, users_s[1:] != users_s[:-1]]
    new_session = new_user | np.r_[True, sessions_s[1:] != sessions_s[:-1]]
    user_start = np.maximum.accumulate(np.where(new_user, position, 0))
    session_start = np.maximum.accumulate(np.where(new_session, position, 0))
    start = np.maximum(user_start, session_start - max_len)  # the most recent max_len earlier impressions
    index = start[:, None] + np.arange(max_len)[None, :]
    valid = index < session_start[:, None]
    index = np.where(valid, index, 0)
    sorted_history = [np.where(valid, np.asarray(column)[order][index], fill).astype(np.int32)
                      for column, fill in ((impressions["item_id"].to_numpy(), PADDING),
                                           (impressions["clicked"].to_numpy(), 0), (query_ids, 0))]
    result = [np.empty_like(a) for a in sorted_history]
    for out, values in zip(result, sorted_history):
        out[order] = values
    return BehaviourHistory(*result)


def query_class_profile(query_ids: np.ndarray, item_class: np.ndarray, clicked: np.ndarray, n_queries: int,
                        n_classes: int, prior: float = 1.0) -> np.ndarray:
    """(n_queries, n_classes): P(class of a clicked item | query), estimated from (training) impressions with
    `prior` pseudo-clicks per class (queries never seen get the uniform distribution)."""
    counts = np.full((n_queries, n_classes), prior, dtype=float)
    hit = np.asarray(clicked) == 1
    np.add.at(counts, (np.asarray(query_ids)[hit], np.asarray(item_class)[hit]), 1.0)
    return counts / counts.sum(axis=1, keepdims=True)


def full_history_summary(history: BehaviourHistory, item_id: np.ndarray, item_class: np.ndarray, n_classes: int,
                         image_features: np.ndarray, price_z: np.ndarray, profile: np.ndarray
                         ) -> tuple[np.ndarray, list[str]]:
    """A fixed summary of the full behaviour history and its crosses with the candidate, for linear models and trees.

    history: BehaviourHistory (n, L); item_id (n,) candidates; per item: item_class (n_items,), image_features
    (n_items, k), price_z (n_items,); profile: query_class_profile (n_queries, n_classes). Returns (features (n,
    3C + k + 10), names): per class, log(1 + shown) and log(1 + clicked) earlier items and the classes the earlier
    searches asked for (mean profile); for the candidate's class its shown, clicked, smoothed click rate and
    searched share; the taste direction (mean image features of clicked minus not clicked earlier items), its product
    with the candidate's image features, the same for price, log(1 + history length) and the history's click rate.
    """
    mask = history.mask
    ids = np.where(mask, history.items, 0)
    clicked = (history.clicked == 1) & mask
    skipped = mask & ~clicked
    classes = item_class[ids]
    shown_by_class = np.stack([((classes == c) & mask).sum(axis=1) for c in range(n_classes)], axis=1)
    clicked_by_class = np.stack([((classes == c) & clicked).sum(axis=1) for c in range(n_classes)], axis=1)
    length = mask.sum(axis=1)
    searched = (profile[history.query] * mask[..., None]).sum(axis=1) / np.maximum(length, 1)[:, None]
    rows, candidate_class = np.arange(len(item_id)), item_class[item_id]
    shown_c, clicked_c = shown_by_class[rows, candidate_class], clicked_by_class[rows, candidate_class]
    n_clicked = clicked.sum(axis=1)
    images, prices = image_features[ids], price_z[ids]
    taste = _masked_mean(images, clicked) - _masked_mean(images, skipped)
    price_taste = _masked_mean(prices, clicked) - _masked_mean(prices, skipped)
    features = np.column_stack([
        np.log1p(shown_by_class), np.log1p(clicked_by_class), searched, shown_c, clicked_c,
        (clicked_c + 0.3) / (shown_c + 1.0), searched[rows, candidate_class], taste,
        (taste * image_features[item_id]).sum(axis=1), price_taste, price_taste * price_z[item_id],
        np.log1p(length), n_clicked / np.maximum(length, 1)]).astype(np.float32)
    k = image_features.shape[1]
    names = ([f"log(1 + earlier shown of class {c})" for c in range(n_classes)]
             + [f"log(1 + earlier clicked of class {c})" for c in range(n_classes)]
             + [f"earlier searches for class {c}" for c in range(n_classes)]
             + ["earlier shown of the candidate's class", "earlier clicked of the candidate's class",
                "click rate on the candidate's class (smoothed)", "earlier searches for the candidate's class"]
             + [f"taste direction {j} (clicked - skipped image)" for j in range(k)]
             + ["candidate image · taste direction", "price taste (clicked - skipped price)",
                "candidate price × price taste", "log(1 + history length)", "history click rate"])
    return features, names


def _masked_mean(values: np.ndarray, selected: np.ndarray) -> np.ndarray:
    """Mean over axis 1 of values (n, L) or (n, L, k) at the selected (n, L) positions; 0 where none is."""
    weights = selected[..., None] if values.ndim == 3 else selected
    count = np.maximum(selected.sum(axis=1), 1)
    return (values * weights).sum(axis=1) / (count[:, None] if values.ndim == 3 else count)
