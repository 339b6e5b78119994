"""Text features: one document per row, and a numpy tokenizer feeding the click model's embeddings.

Shapes: texts (n,) -> token ids (n, max_len) int32 with 0 = padding, 1 = out of vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import CountVectorizer

TOKEN_PATTERN = r"(?u)\b[a-zA-Z]{2,}\b"


def join_text_columns(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """One document per row: the text columns joined by spaces (missing values as empty).

    This is what the article's `CountVectorizer().fit_transform(data[[a, b]])` meant: given a
    DataFrame, scikit-learn iterates over its column *names*, so it would learn from two
    "documents" (the names) instead of one document per row.
    """
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise KeyError(f"text columns not found: {missing}")
    return frame[columns].fillna("").astype(str).agg(" ".join, axis=1)


@dataclass
class Tokenizer:
    """Word -> integer id vocabulary (ids from 2; 0 pads, 1 marks out-of-vocabulary words).

    Backend-agnostic replacement for keras.layers.TextVectorization, whose string ops run
    only on TensorFlow: the ids are made in numpy, and the model embeds them.
    """

    vocabulary: dict[str, int]
    max_len: int

    @classmethod
    def fit(cls, texts: pd.Series, max_len: int = 8, min_count: int = 1) -> "Tokenizer":
        """Vocabulary of words seen at least `min_count` times, most frequent first (ties alphabetical)."""
        counts = CountVectorizer(token_pattern=TOKEN_PATTERN).fit(texts.fillna(""))
        totals = np.asarray(counts.transform(texts.fillna("")).sum(axis=0)).ravel()
        words = counts.get_feature_names_out()
        order = sorted((w for w, c in zip(words, totals) if c >= min_count),
                       key=lambda w: (-totals[counts.vocabulary_[w]], w))
        return cls({w: i + 2 for i, w in enumerate(order)}, max_len)

    @property
    def words(self) -> list[str]:
        """The word of every id (index = id): "" for padding (0), "<unknown>" for out-of-vocabulary (1)."""
        words = ["", "<unknown>"] + [""] * len(self.vocabulary)
        for word, index in self.vocabulary.items():
            words[index] = word
        return words

    @property
    def size(self) -> int:
        """Number of ids including padding and out-of-vocabulary (input_dim of an Embedding)."""
        return len(self.vocabulary) + 2

    def transform(self, texts: pd.Series) -> np.ndarray:
        """Token ids (n, max_len), truncated or zero-padded on the right."""
        analyzer = CountVectorizer(token_pattern=TOKEN_PATTERN).build_analyzer()
        ids = np.zeros((len(texts), self.max_len), dtype=np.int32)
        for row, text in enumerate(texts.fillna("")):
            tokens = [self.vocabulary.get(w, 1) for w in analyzer(text)][: self.max_len]
            ids[row, : len(tokens)] = tokens
        return ids
