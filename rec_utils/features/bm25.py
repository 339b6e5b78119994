"""BM25 (Okapi BM25 with Lucene's idf), the strongest plain lexical ranker, as sparse matrix products.

    score = bm25_scorer(catalog["Description"])      # fitted on the documents it ranks
    score(["sofa pillow cover", "cake tin"])         # dense (n_queries, n_documents)

    score(q, d) = Σ_{t ∈ q} idf(t) · tf(t, d) · (k1 + 1) / (tf(t, d) + k1 · (1 - b + b · |d| / avgdl))
    idf(t)      = ln(1 + (N - n(t) + 0.5) / (n(t) + 0.5))

tf(t, d): how often word t occurs in document d; |d|: the document's number of words; avgdl: the mean over the N
documents; n(t): the documents that hold t. Lucene's idf (never negative, unlike Robertson's original that turns
negative for words in more than half of the documents) with Lucene's defaults k1 = 1.2, b = 0.75. A word repeated in
the query counts once (the query side is binary, as in Lucene's default query parser). Words are lower-cased words of
two or more letters, English stop words removed, like rec_utils.features.text_vectors' TF-IDF.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

from rec_utils.features.text import TOKEN_PATTERN

Scorer = Callable[[Iterable[str]], np.ndarray]  # queries -> scores (n_queries, n_documents)


def bm25_weights(counts: sp.spmatrix, *, k1: float = 1.2, b: float = 0.75) -> sp.csr_matrix:
    """The (n_documents, n_words) matrix of per-document word weights idf(t) · tf (k1 + 1) / (tf + k1 (1 - b + b
    |d| / avgdl)) from a document-word count matrix; a query's score is the sum of its words' columns."""
    if k1 < 0 or not 0 <= b <= 1:
        raise ValueError(f"BM25 needs k1 >= 0 and 0 <= b <= 1, got k1={k1}, b={b}")
    counts = sp.csr_matrix(counts, dtype=np.float64)
    n_documents = counts.shape[0]
    lengths = np.asarray(counts.sum(axis=1)).ravel()
    mean_length = lengths.mean() if lengths.size and lengths.mean() > 0 else 1.0
    holding = np.bincount(counts.indices, minlength=counts.shape[1])  # n(t): documents holding each word
    idf = np.log1p((n_documents - holding + 0.5) / (holding + 0.5))
    rows = np.repeat(np.arange(n_documents), np.diff(counts.indptr))
    tf = counts.data
    norm = k1 * (1 - b + b * lengths[rows] / mean_length)
    weights = idf[counts.indices] * tf * (k1 + 1) / (tf + norm)
    return sp.csr_matrix((weights, counts.indices, counts.indptr), shape=counts.shape)


def bm25_scorer(documents: Iterable[str], *, k1: float = 1.2, b: float = 0.75) -> Scorer:
    """BM25 fitted on `documents` (the collection it ranks): queries -> dense scores (n_queries, n_documents).
    Query words the documents never use score nothing."""
    documents = pd.Series(list(documents), dtype=object).fillna("")
    counter = CountVectorizer(token_pattern=TOKEN_PATTERN, stop_words=list(ENGLISH_STOP_WORDS))
    weights = bm25_weights(counter.fit_transform(documents), k1=k1, b=b)

    def score(queries: Iterable[str]) -> np.ndarray:
        present = counter.transform(pd.Series(list(queries), dtype=object).fillna(""))
        present.data[:] = 1.0
        return np.asarray((present @ weights.T).toarray())
    return score
