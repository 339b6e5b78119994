import numpy as np
import pytest
import scipy.sparse as sp

from rec_utils.data.interactions import Interactions
from rec_utils.evaluation.ranking import evaluate_ranking
from rec_utils.recommend.scorers import factor_scores, item_knn_scores, popularity_scores
from rec_utils.recommend.topk import top_k, top_k_from_scores


def test_top_k_matches_a_brute_force_sort_with_exclusions():
    rng = np.random.default_rng(1)
    U, V = rng.standard_normal((300, 8)), rng.standard_normal((120, 8))
    exclude = sp.random(300, 120, density=0.1, random_state=2, format="csr")
    got = top_k(factor_scores(U, V), 300, 7, exclude=exclude, batch_size=64)
    scores = U @ V.T
    scores[exclude.toarray() != 0] = -np.inf
    expected = np.argsort(-scores, axis=1, kind="stable")[:, :7]
    np.testing.assert_array_equal(got, expected)
    assert not (exclude.toarray()[np.arange(300)[:, None], got] != 0).any()  # no excluded item recommended


def test_subset_of_users_and_row_order():
    scores = np.array([[0.1, 0.9, 0.5], [0.7, 0.2, 0.3]])
    np.testing.assert_array_equal(top_k_from_scores(scores, 2), [[1, 2], [0, 2]])
    got = top_k(lambda b: scores[b], 2, 1, users=np.array([1]))
    np.testing.assert_array_equal(got, [[0]])


def test_popularity_and_item_knn_scores():
    train = sp.csr_matrix(np.array([[1, 1, 0], [0, 1, 0], [0, 1, 1]], dtype=float))
    np.testing.assert_array_equal(popularity_scores(train)(np.array([0, 2])), [[1, 3, 1], [1, 3, 1]])
    similarity = sp.csr_matrix(np.array([[0, 0.5, 0.2], [0.5, 0, 0.1], [0.2, 0.1, 0]]))
    np.testing.assert_allclose(item_knn_scores(train, similarity)(np.array([0])), [[0.5, 0.5, 0.3]])


def test_scores_of_the_recommended_items_and_ranking_evaluation():
    rng = np.random.default_rng(3)
    U, V = rng.standard_normal((50, 4)), rng.standard_normal((30, 4))
    items, scores = top_k(factor_scores(U, V), 50, 5, with_scores=True)
    np.testing.assert_allclose(scores, np.take_along_axis(U @ V.T, items, axis=1))
    train = sp.random(50, 30, density=0.1, random_state=0, format="lil")
    train[3, :] = 0  # user 3 bought nothing, so nothing of theirs is excluded
    train = train.tocsr()
    test = sp.csr_matrix(([1.0, 1.0], ([3, 7], [items[3, 0], 2])), shape=(50, 30))
    data = Interactions(train, test, None, None)
    report, recommended = evaluate_ranking(factor_scores(U, V), data, (1, 5), metrics=("hit_rate",))
    assert recommended.shape == (2, 5) and set(report) == {"hit_rate@1", "hit_rate@5"}
    assert report["hit_rate@1"] >= 0.5  # user 3's best item is the held-out one: a hit at rank 1


def test_nan_scores_are_a_named_error():
    scores = np.array([[0.3, np.nan, 0.9, 0.1], [0.1, 0.2, 0.3, 0.4]])
    with pytest.raises(ValueError, match="NaN score in row 0"):
        top_k_from_scores(scores, 2)
    with pytest.raises(ValueError, match="NaN"):
        top_k(lambda b: scores[b], 2, 1)


def _stable_top_k(scores, k):
    return np.argsort(-scores, axis=1, kind="stable")[:, :k]


@pytest.mark.parametrize("kind", ["zeros", "levels", "sparse", "mixed"])
def test_tie_heavy_rows_match_a_stable_sort(kind):
    rng = np.random.default_rng(4)
    n_rows, n_items, k = 64, 3000, 10
    scores = {
        "zeros": np.zeros((n_rows, n_items)),
        "levels": rng.integers(0, 3, (n_rows, n_items)).astype(float),
        "sparse": np.where(rng.random((n_rows, n_items)) < 0.001, rng.random((n_rows, n_items)), 0.0),
        "mixed": np.concatenate([np.zeros((n_rows // 2, n_items)), rng.standard_normal((n_rows // 2, n_items))]),
    }[kind]
    np.testing.assert_array_equal(top_k_from_scores(scores, k), _stable_top_k(scores, k))


def test_ties_do_not_sort_whole_rows(monkeypatch):
    """All-zero rows (item-kNN's cold users) must not send every item of the row to the sort."""
    sorted_sizes = []
    lexsort = np.lexsort

    def counting_lexsort(keys, *args, **kwargs):
        sorted_sizes.append(len(keys[0]))
        return lexsort(keys, *args, **kwargs)

    monkeypatch.setattr(np, "lexsort", counting_lexsort)
    got = top_k_from_scores(np.zeros((100, 20_000)), 10)
    np.testing.assert_array_equal(got, np.tile(np.arange(10), (100, 1)))
    assert sum(sorted_sizes) <= 100 * 10 * 8


def test_users_with_fewer_allowed_items_than_k_get_padding():
    scores = np.array([[0.5, 0.1, 0.9, 0.3], [0.2, 0.4, 0.6, 0.8]])
    exclude = sp.csr_matrix(np.array([[1, 0, 1, 1], [0, 0, 0, 0]]))
    items, top = top_k(lambda b: scores[b], 2, 3, exclude=exclude, with_scores=True)
    np.testing.assert_array_equal(items, [[1, -1, -1], [3, 2, 1]])
    np.testing.assert_array_equal(top[0], [0.1, -np.inf, -np.inf])


def test_top_k_never_writes_into_the_callers_array():
    scores = np.arange(12, dtype=float).reshape(3, 4)
    before = scores.copy()
    exclude = sp.csr_matrix(np.eye(3, 4))
    top_k(lambda b: scores[b[0]:b[-1] + 1], 3, 2, exclude=exclude)  # a view of the caller's matrix
    np.testing.assert_array_equal(scores, before)
