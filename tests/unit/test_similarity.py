import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from rec_utils.models.similarity import (
    cosine,
    item_cosine_similarity,
    keep_top_n_per_row,
    neighbour_overlap,
    text_cosine_similarity,
    top_neighbours,
    unrelated_share,
)


def test_article_example_is_0_9746_not_0_732():
    value = cosine([1, 2, 3], [4, 5, 6])
    assert round(value, 4) == 0.9746
    assert value == pytest.approx(32 / np.sqrt(14 * 77), rel=1e-15)
    with pytest.raises(ValueError, match="zero vector"):
        cosine([0, 0], [1, 2])


def test_sparse_item_similarity_matches_pairwise_loop():
    rng = np.random.default_rng(0)
    X = (rng.random((30, 12)) < 0.3).astype(float)
    X[:, 0] = 0  # an item nobody bought has similarity 0 with everything
    got = item_cosine_similarity(sp.csr_matrix(X)).toarray()
    for i in range(1, 12):
        for j in range(1, 12):
            expected = 0.0 if i == j or not X[:, i].any() or not X[:, j].any() else cosine(X[:, i], X[:, j])
            assert got[i, j] == pytest.approx(expected, abs=1e-12)
    assert not got[0].any()


def test_keep_top_n_per_row_and_neighbours():
    m = sp.csr_matrix(np.array([[0, 0.2, 0.9, 0.5], [0.3, 0, 0, 0.1], [0, 0, 0, 0]]))
    kept = keep_top_n_per_row(m, 2).toarray()
    np.testing.assert_allclose(kept, [[0, 0, 0.9, 0.5], [0.3, 0, 0, 0.1], [0, 0, 0, 0]])
    assert top_neighbours(m, 0, 2)["item"].tolist() == [2, 3]


@pytest.mark.parametrize("n", [1, 3, 40])
def test_keep_top_n_per_row_keeps_the_earlier_column_among_ties(n):
    m = sp.random(60, 50, density=0.3, random_state=n, format="csr")
    m.data = np.round(m.data, 1)  # many equal values in a row
    kept = keep_top_n_per_row(m, n)
    for row in range(m.shape[0]):
        values, columns = m[row].data, m[row].indices
        chosen = np.sort(columns[sorted(range(len(values)), key=lambda j: (-values[j], columns[j]))[:n]])
        np.testing.assert_array_equal(np.sort(kept[row].indices), chosen)
        np.testing.assert_array_equal(kept[row].toarray(), m[row].toarray() * np.isin(np.arange(50), chosen))


def test_overlap_of_identical_and_disjoint_similarities():
    a = sp.csr_matrix(np.array([[0, 1.0, 0.5], [1.0, 0, 0], [0.5, 0, 0]]))
    b = sp.csr_matrix(np.array([[0, 0, 0.4], [0, 0, 0.3], [0.4, 0.3, 0]]))
    np.testing.assert_allclose(neighbour_overlap(a, a, 2), [1, 1, 1])
    assert unrelated_share(a, a, 2) == 0.0
    assert unrelated_share(a, b, 1) == pytest.approx(2 / 3)


def test_text_similarity_of_shared_words():
    sim = text_cosine_similarity(pd.Series(["red heart holder", "white heart holder", "blue bag"])).toarray()
    assert sim[0, 1] > 0.3 and sim[0, 2] == 0 and sim[0, 0] == 0
