"""Headline results of notebook 03_cosine_similarity, saved by the run before these tests
(`make test` runs the notebooks first). Tolerances are the committed run's 95% intervals; directions are
checked only where the committed paired interval excluded zero."""

import pytest
from ranking_checks import assert_directions, assert_headline

from rec_utils.runtime.errata import load_errata
from rec_utils.runtime.results import load_metrics

# value, 95% interval of the committed run (protocol: cut 2011-11-10, 30 + 30 days, new_items)
HEADLINE = {
    "NDCG@10 item-kNN (test, new_items)": (0.0758, 0.0690, 0.0831),
    "NDCG@10 item-kNN minus recent popularity (paired)": (-0.0216, -0.0315, -0.0122),
}
# paired intervals against the strongest baseline (recent popularity) that excluded zero in the committed run
DIRECTIONS = {
    **{(model, metric, 10): -1 for model in ("popularity (all time)", "popularity in country")
       for metric in ("precision", "recall", "ndcg", "map", "hit_rate")},
    **{("item-kNN", metric, 10): -1 for metric in ("precision", "ndcg", "map", "hit_rate")},
}


@pytest.fixture(scope="module")
def m():
    return load_metrics("03_cosine_similarity")


def test_worked_example(m):
    assert m["worked_example"]["cosine"] == pytest.approx(32 / 1078 ** 0.5, abs=1e-12)
    assert m["worked_example"]["dot"] == 32
    assert "0.9746" in load_errata().set_index("claim_id").loc["4.2-cosine-example", "we_compute"]


def test_item_knn_under_the_protocol(m):
    assert m["protocol"] == {"cut_date": "2011-11-10", "validation_days": 30, "test_days": 30, "task": "new_items"}
    assert_headline(m, HEADLINE)
    assert_directions(m["results"], DIRECTIONS)


def test_copurchase_and_text_neighbours_mostly_differ(m):
    assert m["agreement"]["mean top-10 Jaccard overlap"] == pytest.approx(0.149, abs=0.02)
