"""Headline results of notebook 02_matrix_factorization, saved by the run before these tests
(`make test` runs the notebooks first). Tolerances are the committed run's 95% intervals; directions are
checked only where the committed paired interval excluded zero."""

import pytest
from ranking_checks import assert_directions, assert_headline

from rec_utils.runtime.results import load_metrics

# value, 95% interval of the committed run (protocol: cut 2011-11-10, 30 + 30 days, new_items)
HEADLINE = {
    "NDCG@10 implicit ALS (test, new_items)": (0.0977, 0.0895, 0.1064),
    "NDCG@10 recent popularity (strongest baseline)": (0.0974, 0.0901, 0.1055),
    "NDCG@10 implicit ALS minus recent popularity (paired)": (0.0003, -0.0098, 0.0105),  # includes 0: no direction
}
# paired intervals against the strongest baseline that excluded zero in the committed run
DIRECTIONS = {(model, metric, 10): -1 for model in ("popularity (all time)", "popularity in country")
              for metric in ("precision", "recall", "ndcg", "map", "hit_rate")}


@pytest.fixture(scope="module")
def m():
    return load_metrics("02_matrix_factorization")


def test_worked_example(m):
    assert m["singular_values"] == pytest.approx([4.0551, 1.7491, 0.7049], abs=1e-4)
    assert m["reconstruction_error"] < 1e-12
    for rank in ("1", "2"):  # gradient descent reaches the Eckart-Young optimum
        assert m["gd_final_error"][rank] == pytest.approx(m["eckart_young_error"][rank], rel=1e-5)
    assert m["pca_gap"] < 1e-12  # PCA variances = squared singular values of the centred matrix / (n - 1)


def test_ranking_headline_within_the_committed_intervals(m):
    assert m["protocol"] == {"cut_date": "2011-11-10", "validation_days": 30, "test_days": 30, "task": "new_items"}
    assert_headline(m, HEADLINE)
    assert_directions(m["results"], DIRECTIONS)


def test_every_model_was_searched_on_validation_within_the_budget(m):
    for name, search in m["searches"].items():
        assert 1 <= len(search["tried"]) <= min(search["n_grid"], 8), name
        assert sum(row["chosen"] for row in search["tried"]) == 1, name
