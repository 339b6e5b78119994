"""The baselines' design matrix for simulated impressions: one row per impression, the same information the
Keras click models get, spelled out for a linear model.

Blocks (each optional except the query, the title and the item's category):
    query          one-hot of the search words (the query itself, not a prefixed copy that matches nothing)
    title          binary bag of words of the product title
    query x class  one-hot of (query, item category) pairs: lets a linear model learn which classes a query means
    attributes     standardised log price and the category one-hot
    image          the item's image features (e.g. principal components), as given
    history        a summary of the user's history given by the caller (`rec_utils.features.history.history_summary`
                   of the earlier clicks, or `rec_utils.features.behaviour.full_history_summary` of every earlier
                   impression), the same block for every model that compares with it

`ClickFeatures(...).fit(train_rows)` learns the vocabularies on training rows only; `.transform(rows, history)`
returns a sparse CSR matrix (n, p) and `.names` the p column names. `.tree_features(rows)` gives the same information to
gradient-boosted trees in the form they split on: the query and the item class as two categorical codes (a tree
forms their crosses itself) instead of one-hot and cross blocks, then the other blocks as they are. Models that
differ only in their history block share the rest: `base = .transform(rows)` once, then
`.with_history(base, history)` (and `.tree_features(rows)` then `.tree_with_history(...)`) for each summary.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.preprocessing import OneHotEncoder

from rec_utils.features.text import TOKEN_PATTERN

Summary = tuple[np.ndarray, list[str]]  # (features (n, s), their s names)


@dataclass
class ClickFeatures:
    """Design matrix builder (see the module docstring).

    item_attributes (n_items, 1 + C): standardised log price then category one-hot (encode_attributes);
    item_image (n_items, k) or None; use_text: query, title and query x class blocks.
    """

    item_attributes: np.ndarray
    item_image: np.ndarray | None = None
    use_text: bool = True
    use_attributes: bool = True
    names: list[str] = field(default_factory=list, init=False)

    def fit(self, rows: pd.DataFrame) -> "ClickFeatures":
        """Learn the query, title and cross vocabularies from training impressions."""
        self._query = OneHotEncoder(handle_unknown="ignore").fit(rows[["search_keywords"]])
        self._cross = OneHotEncoder(handle_unknown="ignore").fit(self._pairs(rows))
        self._title = CountVectorizer(binary=True, token_pattern=TOKEN_PATTERN).fit(rows["product_description"])
        self.transform(rows.iloc[:1])  # sets self.names
        return self

    def tree_features(self, rows: pd.DataFrame, history: Summary | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(X (n, q) float, categorical (q,) bool): query code (NaN if unseen in training) and item class code
        (categorical), then title words, attributes, image and history blocks as in `transform`. Leaves `.names`
        as `transform(rows)` sets it (the one-hot design's names, without the history block)."""
        items = rows["item_id"].to_numpy()
        words = {w: i for i, w in enumerate(self._query.categories_[0])}
        query = rows["search_keywords"].map(words).to_numpy(dtype=float)
        category = self.item_attributes[items, 1:].argmax(axis=1).astype(float)
        blocks = [np.column_stack([query, category])]
        if self.use_text:
            blocks.append(self._title.transform(rows["product_description"]).toarray())
        blocks.append(self.transform(rows)[:, self._n_text_columns():].toarray())
        features = np.column_stack(blocks)
        return self.tree_with_history((features, np.r_[True, True, np.zeros(features.shape[1] - 2, dtype=bool)]),
                                      history)

    def tree_with_history(self, base: tuple[np.ndarray, np.ndarray], history: Summary | None
                          ) -> tuple[np.ndarray, np.ndarray]:
        """`tree_features(rows)` (no history) with the history block appended: (X, categorical) as there."""
        if history is None:
            return base
        summary = self._checked(history, len(base[0]))[0]
        return np.column_stack([base[0], summary]), np.r_[base[1], np.zeros(summary.shape[1], dtype=bool)]

    def _n_text_columns(self) -> int:
        if not self.use_text:
            return 0
        return (len(self._query.categories_[0]) + len(self._title.get_feature_names_out())
                + len(self._cross.categories_[0]))

    def _pairs(self, rows: pd.DataFrame) -> pd.DataFrame:
        category = self.item_attributes[rows["item_id"].to_numpy(), 1:].argmax(axis=1)
        return pd.DataFrame({"pair": rows["search_keywords"].to_numpy() + " x " + category.astype(str)})

    def transform(self, rows: pd.DataFrame, history: Summary | None = None) -> sp.csr_matrix:
        """(n, p) sparse features of impressions `rows` (columns search_keywords, product_description, item_id),
        with the history block `history` (a summary with one row per impression) when given."""
        items = rows["item_id"].to_numpy()
        blocks, names = [], []
        if self.use_text:
            blocks += [self._query.transform(rows[["search_keywords"]]),
                       self._title.transform(rows["product_description"]), self._cross.transform(self._pairs(rows))]
            names += [f"query={w}" for w in self._query.categories_[0]]
            names += [f"title has {w}" for w in self._title.get_feature_names_out()]
            names += [f"query x class: {p}" for p in self._cross.categories_[0]]
        if self.use_attributes:
            blocks.append(sp.csr_matrix(self.item_attributes[items]))
            names += ["log price (standardised)"] + [f"class {c}" for c in range(self.item_attributes.shape[1] - 1)]
        if self.item_image is not None:
            blocks.append(sp.csr_matrix(self.item_image[items]))
            names += [f"image {j}" for j in range(self.item_image.shape[1])]
        if not blocks:
            raise ValueError("no feature block is switched on")
        self._base_names = names
        return self.with_history(sp.hstack(blocks).tocsr().astype(np.float64), history)

    def with_history(self, base: sp.csr_matrix, history: Summary | None) -> sp.csr_matrix:
        """`transform(rows)` (no history) with the history block appended; sets `.names` to match."""
        if history is None:
            self.names = list(self._base_names)
            return base
        summary, summary_names = self._checked(history, base.shape[0])
        self.names = [*self._base_names, *summary_names]
        return sp.hstack([base, sp.csr_matrix(summary)]).tocsr().astype(np.float64)

    @staticmethod
    def _checked(history: Summary, n_rows: int) -> Summary:
        summary, summary_names = history
        if len(summary) != n_rows or summary.shape[1] != len(summary_names):
            raise ValueError(f"the history summary must have one row per impression ({n_rows}) and one name "
                             f"per column, got {summary.shape} with {len(summary_names)} names")
        return summary, list(summary_names)
