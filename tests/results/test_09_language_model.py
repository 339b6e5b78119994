"""Headline results of notebook 09_language_model, saved by the run before these tests
(`make test` runs the notebooks first). Tolerances are the committed run's 95% intervals; directions are
checked only where the committed paired interval excluded zero. The MiniLM cells are not compared by nbval
(float32 network sums differ in the last digits between CPUs): their numbers are checked here, against the
committed run's intervals; the TF-IDF rows beside them are deterministic and checked to 1e-4."""

import pytest
from front_page_checks import DEFAULT_PROTOCOL
from ranking_checks import assert_headline, assert_paired_directions, assert_within_intervals

from rec_utils.recommend.zero_shot_tags import INTEREST_LABELS
from rec_utils.runtime.paths import FIGURES_DIR
from rec_utils.runtime.results import load_metrics

# value, 95% paired interval of the committed run (test window of the protocol: cut 2011-11-10, 30 days)
HEADLINE = {
    "search NDCG@10, lexical recovery queries: MiniLM minus BM25 (paired)": (-0.1166, -0.1305, -0.1019),
    "search NDCG@10, shopper intent queries: MiniLM minus BM25 (paired)": (0.2501, 0.1827, 0.3129),
    "search NDCG@10, co-purchase queries: MiniLM minus BM25 (paired)": (-0.0288, -0.0433, -0.0137),
    "new products NDCG@10: MiniLM minus TF-IDF (paired)": (-0.0070, -0.0355, 0.0216),
}
# NDCG@10 (mean, low, high) of the committed run for the rows computed from MiniLM embeddings
SEARCH_MINILM = {"MiniLM": (0.7014, 0.6831, 0.7204), "MiniLM + interest": (0.7091, 0.6908, 0.7279),
                 "blend": (0.7847, 0.7681, 0.8026), "blend + interest": (0.7999, 0.7844, 0.8154)}
NEW_PRODUCTS_MINILM = {"MiniLM": (0.3289, 0.2879, 0.3715), "blend": (0.3397, 0.2974, 0.3823)}
TAGS_MINILM = {"MiniLM labels own": (0.3371, 0.3238, 0.3499), "MiniLM labels lift": (0.1745, 0.1612, 0.1872)}
# deterministic TF-IDF rows (NDCG@10 mean; tag Jaccard mean)
SEARCH_TFIDF = {"TF-IDF": 0.7842, "TF-IDF + interest": 0.8027}
NEW_PRODUCTS_TFIDF = {"TF-IDF": 0.3360}
TAGS_TFIDF = {"TF-IDF words own": 0.2004, "TF-IDF words lift": 0.1640}
# paired intervals that excluded zero in the committed run (+1 above, -1 below); the others included zero
SEARCH_DIRECTIONS = {"MiniLM - TF-IDF": -1, "MiniLM + interest - TF-IDF + interest": -1,
                     "TF-IDF + interest - TF-IDF": 1, "MiniLM + interest - MiniLM": 1, "blend + interest - blend": 1}


@pytest.fixture(scope="module")
def m():
    return load_metrics("09_language_model")


def test_headlines_protocol_and_figure(m):
    assert_headline(m, HEADLINE)
    assert m["protocol"] == DEFAULT_PROTOCOL
    assert (FIGURES_DIR / f"{m['figure']}.png").exists()


def test_the_text_comparisons_follow_the_notebooks_protocol(m):
    for use in ("search", "new_products", "tag_stability"):
        assert "window 2011-11-10 .. 2011-12-09 (30 days)" in m[use]["protocol"], m[use]["protocol"]
    assert set(m["search"]["chosen"]["interest_weight"].values()) <= {0.0, 0.1, 0.25, 0.5, 1.0, 2.0}
    assert "all-MiniLM-L6-v2" in m["text_encoder"] and m["device"] in ("cpu", "gpu")


def test_search_against_tfidf(m):
    table = m["search"]["table"]
    for row, value in SEARCH_TFIDF.items():
        assert table[row]["ndcg@10 mean"] == pytest.approx(value, abs=1e-4)
    assert_within_intervals(table, SEARCH_MINILM, "ndcg@10 mean")
    assert_paired_directions(m["search"]["paired"], SEARCH_DIRECTIONS)


def test_new_products_against_tfidf(m):
    table = m["new_products"]["table"]
    for row, value in NEW_PRODUCTS_TFIDF.items():
        assert table[row]["ndcg@10 mean"] == pytest.approx(value, abs=1e-4)
    assert_within_intervals(table, NEW_PRODUCTS_MINILM, "ndcg@10 mean")


def test_zero_shot_tags_and_their_stability(m):
    table = m["tag_stability"]["table"]
    for row, value in TAGS_TFIDF.items():
        assert table[row]["mean"] == pytest.approx(value, abs=1e-4)
    assert_within_intervals(table, TAGS_MINILM, "mean")
    for name in ("TF-IDF words", "MiniLM labels"):  # stability above chance, as every committed interval showed
        assert table[f"{name} lift"]["low"] > 0
    for tags in m["example_zero_shot_tags"].values():
        assert 1 <= len(tags) <= 3 and set(tags) <= set(INTEREST_LABELS)


def test_three_query_sets_compare_four_methods(m):
    benchmark = m["search_benchmark"]
    assert set(benchmark) == {"lexical recovery", "shopper intent", "co-purchase"}
    for name, result in benchmark.items():
        assert set(result["table"]) == {"TF-IDF", "BM25", "MiniLM", "hybrid"}, name
        lexical = result["chosen"]["lexical baseline"]  # chosen on validation queries
        assert lexical in ("TF-IDF", "BM25") and 0 <= result["chosen"]["hybrid weight"] <= 1
        for method in ("MiniLM", "hybrid"):
            r = result["paired"][f"{method} - {lexical}"]
            assert r["low"] <= r["difference"] <= r["high"]
    assert "117 shopper-intent queries" in benchmark["shopper intent"]["described"]
    # the same pseudo-queries, the same TF-IDF and the same tie order as the personalised search's plain TF-IDF row
    assert benchmark["lexical recovery"]["table"]["TF-IDF"]["ndcg@10 mean"] == pytest.approx(
        m["search"]["table"]["TF-IDF"]["ndcg@10 mean"], abs=1e-12)
