"""Texts -> vectors for retrieval and for models, two ways behind one interface: a TF-IDF bag of words
fitted on a corpus, and pretrained MiniLM sentence embeddings. Rows are L2-normalised, so a dot product
is a cosine similarity.

    vectorize = text_vectorizer("tfidf", corpus=catalog["Description"])   # or text_vectorizer("minilm")
    vectorize(["red bag", "tea set"])      # tfidf: csr (2, vocabulary); minilm: ndarray (2, 384) float32
    cosine_similarity(queries, items)      # dense (n_queries, n_items) for either kind
    combined_vectorizer(tfidf, minilm)     # both at once: dot products average the two cosines

text_embedding_inputs gives the click model's per-impression text inputs as frozen MiniLM embeddings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from rec_utils.features.text import TOKEN_PATTERN

Vectors = np.ndarray | sp.csr_matrix
Vectorizer = Callable[[Iterable[str]], Vectors]
REPRESENTATIONS = ("tfidf", "minilm")


def tfidf_vectorizer(corpus: Iterable[str], *, stop_words: bool = True) -> Vectorizer:
    """TF-IDF fitted on `corpus` (lower-cased words of 2+ letters, English stop words removed unless
    `stop_words=False`, rows L2-normalised): texts -> csr (n, vocabulary). Words not in the corpus are ignored.
    The one TF-IDF of descriptions in rec_utils (interest tags' own vocabulary, recommend.interest, aside)."""
    model = TfidfVectorizer(token_pattern=TOKEN_PATTERN, stop_words=list(ENGLISH_STOP_WORDS) if stop_words else None)
    model.fit(pd.Series(list(corpus), dtype=object).fillna(""))
    return lambda texts: model.transform(pd.Series(list(texts), dtype=object).fillna("")).tocsr()


def minilm_vectorizer(known: Iterable[str] | None = None, **encode_kwargs) -> Vectorizer:
    """MiniLM sentence embeddings (rec_utils.features.text_encoder.encode_texts with `encode_kwargs`):
    texts -> ndarray (n, 384) float32, unit rows. The `known` texts (e.g. the whole catalogue) are encoded
    once, as one cached array, and looked up; other texts are encoded when asked for."""
    # Imported here so that TF-IDF users (search, cold start, tags) do not start TensorFlow.
    from rec_utils.features.text_encoder import encode_texts

    if known is None:
        return lambda texts: encode_texts(list(texts), **encode_kwargs)
    known = pd.Index(pd.unique(pd.Series(list(known), dtype=object).fillna("")))
    known_vectors = encode_texts(known.tolist(), **encode_kwargs)

    def vectorize(texts: Iterable[str]) -> np.ndarray:
        texts = pd.Series(list(texts), dtype=object).fillna("")
        rows = known.get_indexer(texts)
        out = np.empty((len(texts), known_vectors.shape[1]), dtype=np.float32)
        out[rows >= 0] = known_vectors[rows[rows >= 0]]
        if (rows < 0).any():
            out[rows < 0] = encode_texts(texts[rows < 0].tolist(), **encode_kwargs)
        return out
    return vectorize


def text_vectorizer(kind: str, corpus: Iterable[str] | None = None, **encode_kwargs) -> Vectorizer:
    """A vectorizer by name: "tfidf" (fitted on `corpus`) or "minilm" (pretrained; `corpus`, when given, is
    encoded once and looked up)."""
    if kind == "tfidf":
        if corpus is None:
            raise ValueError("the tfidf vectorizer is fitted on a corpus: pass corpus=...")
        return tfidf_vectorizer(corpus)
    if kind == "minilm":
        return minilm_vectorizer(corpus, **encode_kwargs)
    raise ValueError(f"kind must be one of {REPRESENTATIONS}, got {kind!r}")


def combined_vectorizer(first: Vectorizer, second: Vectorizer, weight: float = 0.5) -> Vectorizer:
    """[√(1-w) · first(t), √w · second(t)] as one csr row per text: for unit rows its dot products are
    (1 - w) · cos_first + w · cos_second (a hybrid of two representations, rows still of unit length)."""
    if not 0 <= weight <= 1:
        raise ValueError(f"weight must be in [0, 1], got {weight}")

    def vectorize(texts: Iterable[str]) -> sp.csr_matrix:
        texts = list(texts)
        return sp.hstack([np.sqrt(1 - weight) * sp.csr_matrix(first(texts)),
                          np.sqrt(weight) * sp.csr_matrix(second(texts))]).tocsr()
    return vectorize


def _dense_if_filled(m: Vectors, max_density: float = 0.05) -> Vectors:
    """Sparse matrices with many nonzeros (e.g. a combined_vectorizer's dense block) as arrays: a sparse x sparse
    product of them is far slower than a dense one."""
    if sp.issparse(m) and m.nnz > max_density * m.shape[0] * m.shape[1]:
        return m.toarray()
    return m


def cosine_similarity(a: Vectors, b: Vectors) -> np.ndarray:
    """a · bᵀ as a dense float array (n_a, n_b); a cosine when both have unit (or zero) rows."""
    product = _dense_if_filled(a) @ _dense_if_filled(b).T
    return product.toarray() if sp.issparse(product) else np.asarray(product)


def text_embedding_inputs(impressions: pd.DataFrame, encode: Callable[[list[str]], np.ndarray] | None = None, *,
                          query_column: str = "search_keywords",
                          title_column: str = "product_description") -> dict[str, np.ndarray]:
    """Frozen sentence embeddings of each impression's query and title: {"query_embedding",
    "title_embedding"}, each (n_impressions, d) float32. Each distinct string is encoded once, by `encode`
    (default: MiniLM, text_encoder.encode_texts)."""
    encode = minilm_vectorizer() if encode is None else encode
    out = {}
    for name, column in (("query_embedding", query_column), ("title_embedding", title_column)):
        codes, uniques = pd.factorize(impressions[column].fillna("").astype(str))
        out[name] = np.asarray(encode(list(uniques)), dtype=np.float32)[codes]
    return out
