"""BM25 equals a literal implementation of its formula on a toy corpus, and behaves as BM25 must."""

import math

import numpy as np
import pytest

from rec_utils.features.bm25 import bm25_scorer, bm25_weights

DOCUMENTS = ["red heart tea light holder", "red spot gift bag red", "white heart cushion cover",
             "tea cup saucer", "jumbo bag red retrospot", "heart"]


def reference(query: str, documents: list[str], k1: float = 1.2, b: float = 0.75) -> list[float]:
    """BM25 with Lucene's idf, word by word and document by document, straight from the formula."""
    tokens = [d.split() for d in documents]
    avgdl = sum(map(len, tokens)) / len(tokens)
    scores = []
    for doc in tokens:
        total = 0.0
        for word in set(query.split()):
            n = sum(word in d for d in tokens)
            tf = doc.count(word)
            if n == 0 or tf == 0:
                continue
            idf = math.log(1 + (len(tokens) - n + 0.5) / (n + 0.5))
            total += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len(doc) / avgdl))
        scores.append(total)
    return scores


@pytest.mark.parametrize("query", ["red bag", "heart", "tea heart red", "red red", "unknown words"])
def test_scores_equal_the_formula(query):
    documents = DOCUMENTS  # no stop words, all words of 2+ letters: the tokenisers agree
    np.testing.assert_allclose(bm25_scorer(documents)([query])[0], reference(query, documents), rtol=1e-12)


def test_bm25_ranks_as_it_should():
    score = bm25_scorer(DOCUMENTS)
    both, one = score(["red bag"])[0][[1, 0]]
    assert both > one > 0  # more query words matched, higher score
    short, long = score(["heart"])[0][[5, 0]]
    assert short > long  # the same match in a shorter document weighs more (b > 0)
    assert score(["the and"]).sum() == 0  # stop words score nothing


def test_bad_parameters_are_named():
    with pytest.raises(ValueError, match="k1"):
        bm25_weights(np.eye(2), k1=-1)
    with pytest.raises(ValueError, match="b"):
        bm25_weights(np.eye(2), b=2)
