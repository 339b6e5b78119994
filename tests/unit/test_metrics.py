"""Ranking metrics against hand-computed cases and scikit-learn."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.metrics import ndcg_score

from rec_utils.evaluation.ranking import (
    average_precision_at_k,
    catalogue_coverage,
    hit_rate_at_k,
    hits_at_k,
    intra_list_diversity,
    ndcg_at_k,
    novelty,
    precision_at_k,
    ranking_report,
    recall_at_k,
)

RECOMMENDED = np.array([[0, 1, 2, 3], [4, 5, 6, 7], [0, 1, 2, 3], [2, 0, 1, 3]])
# user 0: relevant {1, 3}; user 1: {9} (fewer relevant than k, no hit); user 2: none; user 3: {2}
RELEVANT = sp.csr_matrix(([1, 1, 1, 1], ([0, 0, 1, 3], [1, 3, 9, 2])), shape=(4, 10))


def test_hits():
    assert hits_at_k(RECOMMENDED, RELEVANT, 4).astype(int).tolist() == [
        [0, 1, 0, 1],
        [0, 0, 0, 0],
        [0, 0, 0, 0],
        [1, 0, 0, 0],
    ]


def test_hand_computed_values():
    nan = np.nan
    np.testing.assert_allclose(precision_at_k(RECOMMENDED, RELEVANT, 4), [0.5, 0, nan, 0.25])
    np.testing.assert_allclose(recall_at_k(RECOMMENDED, RELEVANT, 4), [1.0, 0, nan, 1.0])
    np.testing.assert_allclose(hit_rate_at_k(RECOMMENDED, RELEVANT, 4), [1, 0, nan, 1])
    dcg0 = 1 / np.log2(3) + 1 / np.log2(5)
    np.testing.assert_allclose(ndcg_at_k(RECOMMENDED, RELEVANT, 4), [dcg0 / (1 + 1 / np.log2(3)), 0, nan, 1.0])
    np.testing.assert_allclose(average_precision_at_k(RECOMMENDED, RELEVANT, 4), [(1 / 2 + 2 / 4) / 2, 0, nan, 1.0])


def test_k_smaller_than_list_and_report_skips_users_without_relevant_items():
    np.testing.assert_allclose(precision_at_k(RECOMMENDED, RELEVANT, 1), [0, 0, np.nan, 1])
    report = ranking_report(RECOMMENDED, RELEVANT, 4)
    assert report["precision@4"] == pytest.approx((0.5 + 0 + 0.25) / 3)
    assert report["hit_rate@4"] == pytest.approx(2 / 3)


def test_ndcg_agrees_with_scikit_learn():
    rng = np.random.default_rng(0)
    n_users, n_items, k = 200, 50, 10
    relevance = (rng.random((n_users, n_items)) < 0.1).astype(float)
    relevance[relevance.sum(axis=1) == 0, 0] = 1.0  # every user has at least one relevant item
    scores = rng.random((n_users, n_items))
    recommended = np.argsort(-scores, axis=1)[:, :k]
    ours = ndcg_at_k(recommended, sp.csr_matrix(relevance), k)
    assert ours.mean() == pytest.approx(ndcg_score(relevance, scores, k=k), abs=1e-12)


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="k must be between"):
        precision_at_k(RECOMMENDED, RELEVANT, 5)
    with pytest.raises(ValueError, match="relevant has 3 rows"):
        precision_at_k(RECOMMENDED, RELEVANT[:3], 2)


def test_beyond_accuracy_metrics():
    recs = np.array([[0, 1], [1, 2]])
    assert catalogue_coverage(recs, 10) == pytest.approx(0.3)
    buyers = np.array([4, 2, 1, 0])
    # shares of 4 users: 1, 0.5, 0.25 -> self-information 0, 1, 2 bits
    assert novelty(recs, buyers, 4) == pytest.approx(np.mean([0, 1, 1, 2]))
    similarity = np.array([[1, 0.2, 0.0], [0.2, 1, 0.6], [0.0, 0.6, 1]])
    assert intra_list_diversity(recs, similarity) == pytest.approx(np.mean([0.8, 0.4]))
    with pytest.raises(ValueError):
        intra_list_diversity(recs[:, :1], similarity)


def test_report_over_several_k_matches_the_per_user_functions():
    report = ranking_report(RECOMMENDED, RELEVANT, (2, 4), metrics=("precision", "recall", "ndcg", "map", "hit_rate"))
    for k in (2, 4):
        assert report[f"ndcg@{k}"] == pytest.approx(np.nanmean(ndcg_at_k(RECOMMENDED, RELEVANT, k)))
        assert report[f"map@{k}"] == pytest.approx(np.nanmean(average_precision_at_k(RECOMMENDED, RELEVANT, k)))
        assert report[f"recall@{k}"] == pytest.approx(np.nanmean(recall_at_k(RECOMMENDED, RELEVANT, k)))
    with pytest.raises(ValueError, match="unknown metrics"):
        ranking_report(RECOMMENDED, RELEVANT, 2, metrics=("auc",))


def test_explicit_zeros_in_relevant_are_not_relevant():
    relevant = sp.csr_matrix((np.array([1.0, 0.0]), np.array([1, 3]), np.array([0, 2])), shape=(1, 10))
    assert relevant.nnz == 2  # item 3 is stored, with value 0
    np.testing.assert_allclose(recall_at_k(np.array([[1, 3]]), relevant, 2), [1.0])
    np.testing.assert_allclose(precision_at_k(np.array([[1, 3]]), relevant, 2), [0.5])


def test_duplicate_entries_count_once_and_the_callers_matrix_is_untouched():
    # user 0's item 2 stored twice (a non-canonical matrix, as a COO -> CSR conversion without summing can give)
    relevant = sp.csr_matrix((np.array([1.0, 1.0, 1.0]), np.array([2, 2, 5]), np.array([0, 3])), shape=(1, 8))
    before = (relevant.data.copy(), relevant.indices.copy(), relevant.indptr.copy())
    np.testing.assert_allclose(recall_at_k(np.array([[2, 5]]), relevant, 2), [1.0])
    np.testing.assert_allclose(ndcg_at_k(np.array([[2, 5]]), relevant, 2), [1.0])
    hits_at_k(np.array([[2, 5]]), relevant, 2)
    for got, expected in zip((relevant.data, relevant.indices, relevant.indptr), before):
        np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("bad", [10, -2, 99])
def test_item_ids_outside_the_catalogue_are_refused(bad):
    recommended = RECOMMENDED.copy()
    recommended[1, 2] = bad
    with pytest.raises(ValueError, match=f"item ids must be in \\[0, 10\\).*{bad}"):
        precision_at_k(recommended, RELEVANT, 4)


def test_duplicate_items_in_a_list_are_refused():
    recommended = RECOMMENDED.copy()
    recommended[0, 3] = 1  # user 0's relevant item 1 twice: recall would exceed 1
    with pytest.raises(ValueError, match="user 0 .* item 1 more than once"):
        recall_at_k(recommended, RELEVANT, 4)


def test_padding_minus_one_is_no_item():
    recommended = np.array([[1, -1, -1], [9, -1, -1], [0, 1, 2], [2, 0, -1]])
    np.testing.assert_allclose(precision_at_k(recommended, RELEVANT, 3), [1 / 3, 1 / 3, np.nan, 1 / 3])
    assert catalogue_coverage(recommended, 10) == pytest.approx(0.4)
    assert novelty(np.array([[0, -1]]), np.array([2, 1]), 4) == pytest.approx(1.0)


def test_every_k_of_a_report_is_checked():
    with pytest.raises(ValueError, match="k must be between 1 and 4, got 0"):
        ranking_report(RECOMMENDED, RELEVANT, (0, 3))
    with pytest.raises(ValueError, match="ks must hold at least one k"):
        ranking_report(RECOMMENDED, RELEVANT, ())


@pytest.mark.parametrize("n_users", [0, -3, 2.5, True])
def test_novelty_needs_a_positive_number_of_users(n_users):
    """n_users=0 used to give -inf with a numpy warning."""
    with pytest.raises(ValueError, match=r"n_users must be a positive integer"):
        novelty(np.array([[0, 1]]), np.array([2, 1]), n_users)
