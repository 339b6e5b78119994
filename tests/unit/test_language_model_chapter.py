"""Notebook 09's search benchmark: the scores every method gives a query (ties by popularity, the query's own product
never ranked) and the products a part may search."""

import numpy as np
import pandas as pd
import scipy.sparse as sp

from rec_utils.chapters.language_model.search import Queries, method_scores, searchable
from rec_utils.recommend.topk import top_k_from_scores


def toy_queries(excluded: int = -1) -> tuple[Queries, pd.Series]:
    """Three products, two described alike; the second of the two is the more popular."""
    descriptions = pd.Series({"A": "RED HEART BOX", "B": "RED HEART BOX", "C": "BLUE STAR MUG"})
    items = pd.Index(["A", "B", "C"])
    queries = Queries(["red heart"], sp.csr_matrix(np.array([[0.0, 1.0, 0.0]])), np.array([excluded]), items,
                      np.array([1.0, 5.0, 3.0]), "one toy query")
    return queries, descriptions


def toy_minilm(texts: list[str]) -> np.ndarray:
    """A stand-in encoder: 'heart' and 'star' counts, so equal descriptions get equal vectors."""
    return np.array([[t.lower().count("heart") + 1e-3, t.lower().count("star") + 1e-3] for t in texts])


def test_equal_scores_are_ordered_by_popularity_in_every_method():
    queries, descriptions = toy_queries()
    for method, scores in method_scores(queries, descriptions, toy_minilm, (0.0, 0.5, 1.0)).items():
        assert top_k_from_scores(scores, 2)[0].tolist() == [1, 0], method


def test_the_query_product_is_never_ranked():
    queries, descriptions = toy_queries(excluded=1)
    for method, scores in method_scores(queries, descriptions, toy_minilm, (0.5,)).items():
        assert scores[0, 1] == -np.inf, method
        assert 1 not in top_k_from_scores(scores, 3)[0].tolist()[:2], method


def test_searchable_products_are_sorted_with_their_customer_counts():
    history = pd.DataFrame({"StockCode": ["B", "A", "B", "B"], "CustomerID": [1, 1, 2, 2]})
    items, popularity = searchable(history)
    assert items.tolist() == ["A", "B"]
    assert popularity.tolist() == [1.0, 2.0]
