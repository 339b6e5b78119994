"""Cosine similarity: the article's worked example, item-item similarity from purchases, and text similarity."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """cos(a, b) = a·b / (|a| |b|) for two 1-D vectors."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    norms = np.linalg.norm(a) * np.linalg.norm(b)
    if norms == 0:
        raise ValueError("cosine similarity is undefined for a zero vector")
    return float(a @ b / norms)


def item_cosine_similarity(interactions: sp.spmatrix, *, top_n: int | None = None) -> sp.csr_matrix:
    """Item x item cosine similarity of the columns of a (users, items) matrix, sparse.

    Computed as one sparse product Xnᵀ Xn of the column-normalised binary matrix; the
    diagonal (an item with itself) is zeroed. With `top_n`, each row keeps only its
    `top_n` largest similarities (the item's neighbourhood).
    """
    binary = (sp.csc_matrix(interactions) > 0).astype(float)
    similarity = (normalize(binary, axis=0).T @ normalize(binary, axis=0)).tocsr()
    similarity.setdiag(0.0)
    similarity.eliminate_zeros()
    return keep_top_n_per_row(similarity, top_n) if top_n else similarity


def keep_top_n_per_row(matrix: sp.csr_matrix, n: int) -> sp.csr_matrix:
    """Keep the n largest entries of each row of a sparse matrix (among equal values, those stored first). Only the
    rows with more than n entries are sorted, each on its own: a few milliseconds per row of a 3,500-item
    neighbourhood, where one sort of all entries by (row, value) takes seconds."""
    matrix = sp.csr_matrix(matrix)
    lengths = np.diff(matrix.indptr)
    keep = np.repeat(lengths <= n, lengths)
    for row in np.flatnonzero(lengths > n):
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        keep[start + np.argsort(-matrix.data[start:end], kind="stable")[:n]] = True
    indptr = np.r_[0, np.cumsum(np.minimum(lengths, n))]
    return sp.csr_matrix((matrix.data[keep], matrix.indices[keep], indptr), shape=matrix.shape)


def text_cosine_similarity(texts: pd.Series) -> sp.csr_matrix:
    """Cosine similarity of TF-IDF vectors of `texts` (one per item), diagonal zeroed."""
    tfidf = TfidfVectorizer(lowercase=True, token_pattern=r"(?u)\b[a-zA-Z]{2,}\b").fit_transform(texts.fillna(""))
    similarity = (tfidf @ tfidf.T).tocsr()  # rows are L2-normalised, so the product is the cosine
    similarity.setdiag(0.0)
    similarity.eliminate_zeros()
    return similarity


def top_neighbours(similarity: sp.spmatrix, item: int, n: int = 5) -> pd.DataFrame:
    """The n most similar items to `item` as a frame with columns item, similarity."""
    row = sp.csr_matrix(similarity)[item]
    order = np.argsort(-row.data, kind="stable")[:n]
    return pd.DataFrame({"item": row.indices[order], "similarity": row.data[order]})


def neighbour_overlap(similarity_a: sp.spmatrix, similarity_b: sp.spmatrix, n: int = 10) -> np.ndarray:
    """Per item, the Jaccard overlap of its top-n neighbour sets under two similarities."""
    a = keep_top_n_per_row(similarity_a, n)
    b = keep_top_n_per_row(similarity_b, n)
    a.data[:] = 1.0
    b.data[:] = 1.0
    both = np.asarray(a.multiply(b).sum(axis=1)).ravel()
    either = np.diff(a.indptr) + np.diff(b.indptr) - both
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(either > 0, both / either, np.nan)


def compare_neighbours(similarity_a: sp.spmatrix, similarity_b: sp.spmatrix, item: int, names: pd.Series,
                       n: int = 5, labels: tuple[str, str] = ("co-purchase", "text")) -> pd.DataFrame:
    """Side by side: the top-n neighbours of `item` under each similarity, each with its score
    under the other one (0 = the other similarity does not relate them at all).
    `names` maps item index -> display name (e.g. descriptions, positionally)."""
    a, b = sp.csr_matrix(similarity_a), sp.csr_matrix(similarity_b)
    first, second = top_neighbours(a, item, n), top_neighbours(b, item, n)
    la, lb = labels
    return pd.DataFrame({
        f"{la} neighbour": names.iloc[first["item"]].to_numpy(),
        f"{la} sim": first["similarity"].round(3).to_numpy(),
        f"its {lb} sim": np.asarray(b[item, first["item"]].todense()).ravel().round(3),
        f"{lb} neighbour": names.iloc[second["item"]].to_numpy(),
        f"{lb} sim": second["similarity"].round(3).to_numpy(),
        f"its {la} sim": np.asarray(a[item, second["item"]].todense()).ravel().round(3),
    }, index=pd.RangeIndex(1, len(first) + 1, name="rank"))


def unrelated_share(similarity_a: sp.spmatrix, similarity_b: sp.spmatrix, n: int = 10) -> float:
    """Share of each item's top-n neighbours under `similarity_a` that `similarity_b` scores 0."""
    top_a = keep_top_n_per_row(similarity_a, n)
    top_a.data[:] = 1.0
    related = top_a.multiply(sp.csr_matrix(similarity_b) != 0).nnz
    return 1.0 - related / top_a.nnz
