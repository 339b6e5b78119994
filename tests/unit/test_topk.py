import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from rec_utils.data.interactions import Interactions
from rec_utils.evaluation.ranking import evaluate_ranking
from rec_utils.recommend.baselines import buy_again_scores, country_popularity_scores
from rec_utils.recommend.scorers import factor_scores, item_knn_scores, popularity_scores
from rec_utils.recommend.topk import InvalidIdsError, top_k, top_k_from_scores


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


def _factors():
    rng = np.random.default_rng(0)
    return rng.standard_normal((5, 3)), rng.standard_normal((4, 3))


@pytest.mark.parametrize("users, message", [
    ([-1], r"users must be user row indices in \[0, 5\) \(n_users = 5\); got 1 outside, e.g. -1"),
    ([0, 5], r"users must be user row indices in \[0, 5\).* e.g. 5"),
    ([0.0, 1.0], r"users must hold integer user row indices in \[0, 5\), got dtype float64"),
    ([[0, 1]], r"users must be a 1-D array of user row indices, got shape \(1, 2\)"),
])
def test_top_k_refuses_users_outside_the_data(users, message):
    """users=[-1] used to return the last user's list; 5 raised a bare numpy IndexError."""
    with pytest.raises(InvalidIdsError, match=message):
        top_k(factor_scores(*_factors()), 5, 2, users=users)
    assert issubclass(InvalidIdsError, IndexError) and issubclass(InvalidIdsError, ValueError)


@pytest.mark.parametrize("exclude, message", [
    (sp.csr_matrix((3, 4)), r"exclude must have one row per user \(n_users = 5 rows\), got shape \(3, 4\)"),
    (sp.csr_matrix((5, 9)), r"exclude must have one column per item scored \(4\), got shape \(5, 9\)"),
    (sp.csr_matrix((5, 3)), r"exclude must have one column per item scored \(4\), got shape \(5, 3\)"),
])
def test_top_k_refuses_an_exclude_matrix_of_the_wrong_shape(exclude, message):
    with pytest.raises(InvalidIdsError, match=message):
        top_k(factor_scores(*_factors()), 5, 2, exclude=exclude)


def test_score_functions_refuse_ids_outside_their_users():
    """Called directly (not through top_k), the per-user score functions check their batch too."""
    user_factors, item_factors = _factors()
    train = sp.csr_matrix(np.eye(5, 4))
    history = pd.DataFrame({"CustomerID": [1, 2], "StockCode": ["A", "B"], "InvoiceNo": ["1", "2"],
                            "InvoiceDate": pd.to_datetime(["2011-01-01", "2011-01-02"]), "Country": ["UK", "FR"]})
    items = pd.Index(["A", "B"])
    scorers = {"factor_scores": factor_scores(user_factors, item_factors),
               "item_knn_scores": item_knn_scores(train, sp.identity(4, format="csr")),
               "country_popularity_scores": country_popularity_scores(history, items, np.array(["UK", "FR"])),
               "buy_again_scores": buy_again_scores(history, pd.Index([1, 2]), items, pd.Timestamp("2011-02-01"), 30)}
    for name, score in scorers.items():
        with pytest.raises(InvalidIdsError, match=r"users must be user row indices in \[0, "):
            score(np.array([-1]))
        score(np.array([0, 1]))  # valid ids still score
