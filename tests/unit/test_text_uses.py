"""The four uses of the text encoder (search, new-product cold start, zero-shot tags, the click model's text
tower) and their evaluations, on small hand-made data with cheap stand-in vectorizers."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from rec_utils.chapters.language_model.tag_stability import jaccard, stability_values, tag_stability_comparison
from rec_utils.chapters.language_model.text_retrieval import (
    RANDOM,
    new_product_comparison,
    pseudo_query,
    search_comparison,
    search_queries,
)
from rec_utils.evaluation.protocol import Protocol
from rec_utils.evaluation.resampling import mean_table, paired_differences
from rec_utils.features import text_encoder
from rec_utils.features.text_vectors import (
    combined_vectorizer,
    cosine_similarity,
    text_embedding_inputs,
    text_vectorizer,
    tfidf_vectorizer,
)
from rec_utils.models.text_tower import build_text_embedding_click_model
from rec_utils.recommend.cold_start import customers_for_new_product, new_item_scores
from rec_utils.recommend.interest import interest_tags
from rec_utils.recommend.search import customer_profiles, purchase_profile, search_products, search_scores
from rec_utils.recommend.zero_shot_tags import label_products, zero_shot_tags

WORDS = ["red", "blue", "heart", "bag", "candle", "cake", "tin", "card", "star", "bell", "tea", "cup"]


def fake_encode(texts):
    """A deterministic stand-in for MiniLM: hashed character trigrams, unit rows (n, 64)."""
    out = np.zeros((len(texts), 64), dtype=np.float32)
    for row, text in enumerate(texts):
        padded = f"  {text.lower()}  "
        for i in range(len(padded) - 2):
            out[row, sum(map(ord, padded[i:i + 3])) % 64] += 1.0
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


def shop(n_customers=40, n_products=30, days=200, seed=0):
    """Transactions and catalogue of a small shop where each customer prefers two words."""
    rng = np.random.default_rng(seed)
    descriptions = [" ".join(rng.choice(WORDS, size=3, replace=False)).upper() for _ in range(n_products)]
    catalog = pd.DataFrame({"StockCode": [f"P{i:03d}" for i in range(n_products)], "Description": descriptions,
                            "n_customers": rng.integers(1, 50, n_products)})
    launch = rng.integers(0, days, n_products)
    launch[: n_products // 2] = 0  # half the catalogue sells from the start, the rest is launched later
    rows = []
    for c in range(n_customers):
        liked = set(rng.choice(WORDS, size=2, replace=False))
        weights = np.array([1.0 + 4 * len(liked & set(d.lower().split())) for d in descriptions])
        for day in np.sort(rng.choice(days, size=12, replace=False)):
            available = np.flatnonzero(launch <= day)
            p = weights[available] / weights[available].sum()
            for item in rng.choice(available, size=min(3, len(available)), replace=False, p=p):
                rows.append({"InvoiceNo": f"{c}-{day}", "StockCode": catalog["StockCode"][item],
                             "InvoiceDate": pd.Timestamp("2011-01-01") + pd.Timedelta(days=int(day), hours=10),
                             "CustomerID": float(12000 + c), "Description": descriptions[item]})
    return pd.DataFrame(rows), catalog


# shop() sells from 2011-01-01 for 200 days: a 30-day test window at the end, 30 validation days before it.
PROTOCOL = Protocol("2011-06-20", validation_days=30, test_days=30)


def stand_ins():
    return {"TF-IDF": tfidf_vectorizer, "trigrams": lambda corpus: fake_encode}


# ---- the protocol's windows ----
def test_history_and_window_cut_everybody_at_the_stage_start_and_validation_ends_at_the_cut():
    tx, _ = shop()
    history, window = PROTOCOL.history_and_window(tx, "test")
    assert (history["InvoiceDate"] < PROTOCOL.cut_date).all() and (window["InvoiceDate"] >= PROTOCOL.cut_date).all()
    assert len(history) + len(window) == len(tx)
    v_history, v_window = PROTOCOL.history_and_window(tx, "validation")
    assert v_window["InvoiceDate"].max() < PROTOCOL.cut_date <= window["InvoiceDate"].min()
    assert (v_history["InvoiceDate"] < PROTOCOL.window("validation")[0]).all()
    assert PROTOCOL.describe_stage("test") == ("test stage: history before 2011-06-20, window 2011-06-20 .. "
                                               "2011-07-19 (30 days)")
    with pytest.raises(ValueError, match="ends after the data"):
        Protocol("2011-07-01", test_days=30).history_and_window(tx, "test")


# ---- vectors ----
def test_combined_vectorizer_averages_the_two_cosines():
    texts = ["red heart bag", "blue heart tin", "tea cup"]
    tfidf = tfidf_vectorizer(texts)
    both = combined_vectorizer(tfidf, fake_encode, weight=0.25)
    expected = 0.75 * cosine_similarity(tfidf(texts), tfidf(texts)) + 0.25 * cosine_similarity(
        fake_encode(texts), fake_encode(texts))
    np.testing.assert_allclose(cosine_similarity(both(texts), both(texts)), expected, atol=1e-6)
    with pytest.raises(ValueError):
        combined_vectorizer(tfidf, fake_encode, weight=1.5)


def test_minilm_vectorizer_encodes_known_texts_once_and_looks_them_up(monkeypatch):
    calls = []

    def spy(texts, **kwargs):
        calls.append(list(texts))
        return fake_encode(texts)
    monkeypatch.setattr(text_encoder, "encode_texts", spy)
    vectorize = text_vectorizer("minilm", ["red bag", "tea cup", "red bag"])
    out = vectorize(["tea cup", "new words", "red bag"])
    np.testing.assert_allclose(out, fake_encode(["tea cup", "new words", "red bag"]), atol=1e-6)
    assert calls == [["red bag", "tea cup"], ["new words"]]
    with pytest.raises(ValueError, match="corpus"):
        text_vectorizer("tfidf")
    with pytest.raises(ValueError, match="kind"):
        text_vectorizer("word2vec")


def test_text_embedding_inputs_encode_each_distinct_string_once():
    seen = []
    impressions = pd.DataFrame({"search_keywords": ["shoes", "shoes", "top"],
                                "product_description": ["warm boot", "slim tee", "warm boot"]})
    out = text_embedding_inputs(impressions, lambda texts: seen.append(texts) or fake_encode(texts))
    assert out["query_embedding"].shape == (3, 64) and out["title_embedding"].dtype == np.float32
    np.testing.assert_array_equal(out["title_embedding"][0], out["title_embedding"][2])
    assert sorted(map(len, seen)) == [2, 2]


# ---- search ----
def test_profiles_are_unit_rows_and_zero_without_purchases():
    items = np.eye(3, dtype=np.float32)
    bought = sp.csr_matrix(np.array([[2, 0, 1], [0, 0, 0]]))
    dense = customer_profiles(bought, items)
    np.testing.assert_allclose(dense, [[2 / np.sqrt(5), 0, 1 / np.sqrt(5)], [0, 0, 0]], atol=1e-6)
    sparse = customer_profiles(bought, sp.csr_matrix(items))
    np.testing.assert_allclose(sparse.toarray(), dense, atol=1e-6)


def test_interest_reorders_equally_matching_products_and_popularity_only_breaks_ties():
    catalog = pd.DataFrame({"StockCode": ["A", "B", "C"], "Description": ["RED HEART BAG", "BLUE HEART BAG", "TEA CUP"],
                            "n_customers": [1, 9, 5]})
    vectorize = tfidf_vectorizer(catalog["Description"])
    items = vectorize(catalog["Description"])
    plain = search_products("heart bag", catalog, items, vectorize, k=2)
    assert plain["StockCode"].tolist() == ["B", "A"]  # equal match: the more popular first
    profile = customer_profiles(sp.csr_matrix([[3, 0, 0]]), items)
    purchases = pd.DataFrame({"CustomerID": [7.0, 8.0], "StockCode": ["A", "C"], "n_invoices": [3, 1]})
    np.testing.assert_allclose(purchase_profile(purchases, catalog, 7.0, items).toarray(), profile.toarray())
    with pytest.raises(KeyError, match="no purchases"):
        purchase_profile(purchases, catalog, 9.0, items)
    mine = search_products("heart bag", catalog, items, vectorize, k=3, profile=profile, interest_weight=0.5)
    assert mine["StockCode"].tolist()[:2] == ["A", "B"] and mine["interest"].iloc[0] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="one profile row per query"):
        search_scores(items[:2], items, interest_weight=0.5)
    with pytest.raises(ValueError, match="empty"):
        search_products("  ", catalog, items, vectorize)


def test_pseudo_queries_use_content_words_and_never_the_whole_description():
    rng = np.random.default_rng(0)
    for description in ["WHITE HANGING HEART T-LIGHT HOLDER", "PARTY BUNTING", "SET OF 3 CAKE TINS"]:
        words = pseudo_query(description, 2, rng).split()
        content = [w for w in description.lower().replace("-", " ").split() if len(w) >= 3 and w.isalpha()]
        assert 1 <= len(words) <= min(2, len(content) - 1) and set(words) <= set(content)
        assert "of" not in words
    assert pseudo_query("TEA", 2, rng) == "tea"


def test_search_queries_take_the_first_window_invoice_of_customers_with_a_history():
    tx, catalog = shop()
    history, window = PROTOCOL.history_and_window(tx, "test")
    items = pd.Index(np.sort(history["StockCode"].unique()))
    queries = search_queries(history, window, items, catalog.set_index("StockCode")["Description"], seed=1)
    assert queries["CustomerID"].is_unique and set(queries["StockCode"]) <= set(items)
    assert set(queries["CustomerID"]) <= set(history["CustomerID"])
    first = window.sort_values("InvoiceDate").groupby("CustomerID")["InvoiceNo"].first()
    target_invoice = window.set_index(["CustomerID", "StockCode"])["InvoiceNo"]
    for _, row in queries.head(5).iterrows():
        assert first[row["CustomerID"]] in np.atleast_1d(target_invoice.loc[(row["CustomerID"], row["StockCode"])])


def test_search_comparison_tunes_on_validation_and_reports_paired_intervals():
    tx, catalog = shop()
    result = search_comparison(tx, catalog, PROTOCOL, stand_ins(), interest_weights=(0.0, 1.0), n_boot=50)
    assert list(result.table.index) == ["TF-IDF", "TF-IDF + interest", "trigrams", "trigrams + interest"]
    assert set(result.chosen["interest_weight"]) == {"TF-IDF", "trigrams"}
    assert set(result.chosen["interest_weight"].values()) <= {0.0, 1.0}
    assert "trigrams - TF-IDF" in result.paired.index and "TF-IDF + interest - TF-IDF" in result.paired.index
    table = result.table
    assert ((table["ndcg@10 low"] <= table["ndcg@10 mean"]) & (table["ndcg@10 mean"] <= table["ndcg@10 high"])).all()
    assert table["ndcg@10 mean"].between(0, 1).all() and (table["customers"] == len(result.per_customer)).all()


# ---- new products ----
def test_new_item_scores_by_hand():
    old = np.array([[1.0, 0.0], [0.0, 1.0], [np.sqrt(0.5), np.sqrt(0.5)]])
    new = np.array([[1.0, 0.0]])
    bought = sp.csr_matrix([[1, 0, 0], [0, 1, 1], [0, 1, 0]])
    np.testing.assert_allclose(new_item_scores(bought, old, new, n_neighbours=3), [[1.0], [np.sqrt(0.5)], [0.0]])
    np.testing.assert_allclose(new_item_scores(bought, old, new, n_neighbours=1), [[1.0], [0.0], [0.0]])


def test_new_product_comparison_ranks_only_products_first_sold_in_the_window():
    tx, catalog = shop(n_products=60)
    result = new_product_comparison(tx, catalog, PROTOCOL, stand_ins(), neighbourhoods=(2, 10), k=3, n_boot=50)
    assert list(result.table.index) == ["TF-IDF", "trigrams", RANDOM]
    assert list(result.paired.index) == ["trigrams - TF-IDF", f"TF-IDF - {RANDOM}"]
    assert set(result.chosen["n_neighbours"]) == {"TF-IDF", "trigrams"}
    assert set(result.chosen["n_neighbours"].values()) <= {2, 10}
    history, window = PROTOCOL.history_and_window(tx, "test")
    assert set(result.per_customer.index) <= set(history["CustomerID"])
    new = set(window["StockCode"]) - set(history["StockCode"])
    assert f"{len(new)} products first sold in the window" in result.protocol


def test_customers_for_new_product_accepts_embeddings():
    tx, catalog = shop()
    purchases = tx.groupby(["CustomerID", "StockCode"]).agg(n_invoices=("InvoiceNo", "nunique")).reset_index()
    similar, audience = customers_for_new_product("RED HEART TIN", catalog, purchases, n_similar=3,
                                                  vectorize=fake_encode)
    assert len(similar) == 3 and similar["similarity"].is_monotonic_decreasing and len(audience) > 0


# ---- tags ----
def test_interest_tags_take_another_vocabulary_and_zero_shot_tags_use_the_best_label():
    tx, catalog = shop()
    labels = ("hearts", "tea time")
    label_vectors = np.array([[1.0, 0.0], [0.0, 1.0]])
    item_vectors = np.array([[1.0, 0.2] if "HEART" in d else [0.1, 1.0] for d in catalog["Description"]])
    best, similarity = label_products(item_vectors, label_vectors)
    assert best.tolist() == [0 if "HEART" in d else 1 for d in catalog["Description"]]
    tags = zero_shot_tags(tx, catalog, item_vectors, label_vectors, labels, n_tags=1)
    heart_share = tx.assign(h=tx["Description"].str.contains("HEART")).groupby("CustomerID")["h"].mean()
    assert tags["tags"].str[0].eq(np.where(heart_share > 0.75, "hearts", "tea time")).loc[heart_share.sub(0.5).abs()
                                                                                         .gt(0.3)].all()
    words = interest_tags(tx, catalog, n_tags=2)
    assert words["tags"].map(len).max() == 2 and not set(words["tags"].sum()) & set(labels)
    with pytest.raises(ValueError, match="label vectors"):
        zero_shot_tags(tx, catalog, item_vectors, label_vectors[:1], labels)


def test_stability_compares_each_customer_with_others_as_chance():
    before = pd.Series([["a", "b"], ["c"], ["d"]], index=[1, 2, 3])
    after = pd.Series([["d"], ["c"], ["a", "b"]], index=[3, 2, 1])
    values = stability_values(before, after, n_shuffles=5, seed=0)
    np.testing.assert_allclose(values["own"], 1.0)
    assert (values["chance"] < 1.0).all() and (values["lift"] > 0).all()
    assert jaccard([], []) != jaccard([], [])  # NaN: undefined for two empty lists


def test_tag_stability_comparison_has_own_chance_and_lift_for_each_tagger():
    tx, catalog = shop()
    vectors = fake_encode(catalog["Description"].tolist())
    label_vectors = fake_encode(["red", "blue", "tea"])
    taggers = {"words": lambda t, ref: interest_tags(t, catalog, reference_date=ref),
               "labels": lambda t, ref: zero_shot_tags(t, catalog, vectors, label_vectors, ("red", "blue", "tea"),
                                                       n_tags=2, reference_date=ref)}
    result = tag_stability_comparison(tx, taggers, PROTOCOL, n_boot=50)
    assert list(result.table.index) == [f"{n} {c}" for n in ("words", "labels") for c in ("own", "chance", "lift")]
    assert list(result.paired.index) == ["labels lift - words lift"]


# ---- intervals ----
def test_mean_table_ignores_nan_and_paired_differences_pair_customers():
    values = {"a": np.array([1.0, 0.0, np.nan, 1.0]), "b": np.array([0.0, 0.0, np.nan, 1.0])}
    table = mean_table(values, n_boot=100)
    assert table.loc["a", "mean"] == pytest.approx(2 / 3) and table.loc["a", "n"] == 3
    paired = paired_differences(values, [("a", "b")], n_boot=100)
    assert paired.loc["a - b", "difference"] == pytest.approx(1 / 3)
    assert paired.loc["a - b", "low"] >= 0
    with pytest.raises(ValueError, match="one value per customer"):
        paired_differences({"a": np.zeros(2), "b": np.zeros(3)}, [("a", "b")])


# ---- the click model's text tower ----
def test_frozen_text_model_takes_named_embedding_inputs():
    model = build_text_embedding_click_model(64, text_dim=8)
    assert sorted(model.input) == ["query_embedding", "title_embedding"]
    rng = np.random.default_rng(0)
    out = model.predict({"query_embedding": rng.normal(size=(4, 64)), "title_embedding": rng.normal(size=(4, 64))},
                        verbose=0)
    assert out.shape == (4, 1) and ((out > 0) & (out < 1)).all()
    assert list(build_text_embedding_click_model(64, use_query=False).input) == ["title_embedding"]


@pytest.mark.slow
def test_text_tower_comparison_trains_both_towers_on_the_same_split():
    from rec_utils.chapters.language_model.tower_comparison import CEILING, FROZEN, LEARNED, text_tower_comparison
    from rec_utils.data.fashion import load_fashion_mnist
    from rec_utils.data.split import split_groups
    from rec_utils.simulation.clicks import SimulatorConfig, simulate_clicks

    images, labels, _ = load_fashion_mnist("test")
    impressions, _ = simulate_clicks(images, labels, SimulatorConfig(n_items=200, n_users=60, seed=0))
    masks = split_groups(impressions["user_id"].to_numpy(), (0.6, 0.2, 0.2), seed=0)
    result = text_tower_comparison(impressions, tuple(masks), encode=fake_encode, embedding_dim=64, epochs=2,
                                   n_boot=20)
    assert list(result.table.index) == [LEARNED, FROZEN, CEILING]
    assert len(result.per_customer) == masks[2].sum() and result.paired["low"].iloc[0] <= result.paired[
        "high"].iloc[0]
