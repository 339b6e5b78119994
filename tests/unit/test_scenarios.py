"""Application scenarios on hand-made transactions: categories, RFM segments, association rules mined and
evaluated forward in time, precision of tags, new-product launch targeting, countries as markets."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from rec_utils.chapters.scenarios.launch import audience_hits, launch_targeting, new_products
from rec_utils.chapters.scenarios.markets import (
    cross_market_ndcg,
    cross_market_table,
    customer_markets,
    market_scorer,
    purchase_matrix,
    tune_market_factors,
)
from rec_utils.chapters.scenarios.profiles import categories_bought, tag_precision, tag_precision_table
from rec_utils.chapters.scenarios.rules import (
    SAME_AS_POPULARITY,
    evaluate_rules,
    hit_rate_table,
    seed_baskets,
    tune_rules,
)
from rec_utils.features.categories import (
    UNCATEGORISED,
    categorize,
    category_coverage,
    category_profiles,
    category_tags,
)
from rec_utils.features.segments import customer_groups, rfm_segments
from rec_utils.models.association import basket_matrix, mine_rules, value_support
from rec_utils.recommend.launch import tfidf_embedder


def test_keyword_categories_first_rule_wins_and_plurals_match():
    descriptions = pd.Series(["CHRISTMAS CANDLE", "SET OF 3 TEA CUPS", "RED GLOVES", "CUPCAKE", None, "LUNCH BAGS"])
    result = categorize(descriptions)
    assert list(result) == ["christmas", "kitchen & dining", "jewellery & accessories", UNCATEGORISED,
                            UNCATEGORISED, "kitchen & dining"]
    assert category_coverage(result) == pytest.approx(4 / 6)
    assert category_coverage(result, weights=pd.Series([1, 1, 1, 5, 1, 1])) == pytest.approx(4 / 10)


def test_category_profiles_weight_recent_lines_and_tags_pick_the_strongest(transactions_factory):
    lines = transactions_factory([
        {"CustomerID": 1, "StockCode": "A", "InvoiceDate": "2011-01-01"},
        {"CustomerID": 1, "StockCode": "B", "InvoiceDate": "2011-03-31"},
        {"CustomerID": 2, "StockCode": "C", "InvoiceDate": "2011-03-01"},
    ])
    category = pd.Series({"A": "party", "B": "easter", "C": "party"})
    profiles = category_profiles(lines, category, half_life_days=89.0, reference_date=pd.Timestamp("2011-04-01"))
    # customer 1: party line 90 days old weighs 0.5 ** (90/89), the easter line 1 day old 0.5 ** (1/89)
    weights = np.array([0.5 ** (1 / 89), 0.5 ** (90 / 89)])
    np.testing.assert_allclose(profiles.loc[1, ["easter", "party"]], weights / weights.sum())
    tags = category_tags(profiles, 2)
    assert tags[1] == ["easter", "party"] and tags[2] == ["party"]


def test_rfm_scores_and_segments_by_hand(transactions_factory):
    rows = []
    for customer in range(1, 6):  # customer c: c invoices, the last one 10 * (6 - c) days before the cut
        for i in range(customer):
            rows.append({"CustomerID": customer, "InvoiceNo": f"{customer}-{i}", "StockCode": "A",
                         "InvoiceDate": pd.Timestamp("2011-06-01") - pd.Timedelta(days=10 * (6 - customer) + i)})
    lines = transactions_factory(rows).assign(Revenue=1.0)
    table = rfm_segments(lines, pd.Timestamp("2011-06-01"))
    assert list(table["R"]) == [1, 2, 3, 4, 5] and list(table["F"]) == [1, 2, 3, 4, 5]
    assert list(table["segment"]) == ["hibernating", "hibernating", "needs attention", "champions", "champions"]
    groups = customer_groups(lines, pd.Timestamp("2011-06-01"), n_countries=1, tenure_days=(45,))
    assert set(groups["country"]) == {"United Kingdom"}
    assert list(groups["activity"]) == ["low", "low", "medium", "medium", "high"]
    # first purchases 50, 41, 32, 23 and 14 days before the cut
    assert list(groups["tenure"]) == [">=45", "<45", "<45", "<45", "<45"]


def _baskets(transactions_factory):
    # invoices {a,b}, {a,b,c}, {a,c}, {b}
    rows = [("1", "a"), ("1", "b"), ("2", "a"), ("2", "b"), ("2", "c"), ("3", "a"), ("3", "c"), ("4", "b")]
    return transactions_factory([{"InvoiceNo": i, "StockCode": s} for i, s in rows])


def test_association_rules_measures_by_hand(transactions_factory):
    lines = _baskets(transactions_factory)
    assert basket_matrix(lines).shape == (4, 3)
    rules = mine_rules(lines, min_support=0.3, min_confidence=0.5)
    assert list(zip(rules["antecedent"], rules["consequent"])) == [("c", "a"), ("a", "c"), ("a", "b"), ("b", "a")]
    c_a = rules.iloc[0]
    assert (c_a["support"], c_a["confidence"]) == (0.5, 1.0)
    assert c_a["lift"] == pytest.approx(4 / 3) and c_a["leverage"] == pytest.approx(0.5 - 0.5 * 0.75)
    a_b = rules.iloc[2]
    assert a_b["confidence"] == pytest.approx(2 / 3) and a_b["lift"] == pytest.approx(8 / 9)
    assert a_b["leverage"] == pytest.approx(0.5 - 0.75 * 0.75)
    assert value_support(lines).to_dict() == {"a": 0.75, "b": 0.75, "c": 0.5}
    assert mine_rules(lines, min_support=0.9).empty


def test_rules_forward_evaluation_by_hand(transactions_factory):
    baskets = seed_baskets(_baskets(transactions_factory).assign(CustomerID=7.0), seed=3)
    assert len(baskets) == 3  # the one-item invoice is no test case
    for seed, targets, invoice in zip(baskets["seed"], baskets["targets"], baskets["InvoiceNo"]):
        assert seed not in targets and len(targets) == {"1": 1, "2": 2, "3": 1}[invoice]
    rules = pd.DataFrame({"antecedent": ["x"], "consequent": ["y"], "confidence": [0.9], "lift": [2.0]})
    popularity = pd.Series({"z": 0.5, "y": 0.3, "x": 0.2})
    cases = pd.DataFrame({"CustomerID": [1, 1, 2], "seed": ["x", "y", "z"],
                          "targets": [frozenset({"y"}), frozenset({"z"}), frozenset({"x"})]})
    evaluated = evaluate_rules(rules, cases, popularity, n=1)
    assert list(evaluated["rule_fired"]) == [True, False, False]
    assert list(evaluated["hit_rules"]) == [True, True, False]  # basket 2 filled by popularity
    assert list(evaluated["hit_popularity"]) == [False, True, False]
    # seed x: the rule's y against popularity's z; seeds y and z: no rule fires, the fill is popularity's list
    assert list(evaluated["same_as_popularity"]) == [False, True, True]
    table = hit_rate_table(evaluated, n_boot=20)
    assert table.loc[SAME_AS_POPULARITY, "value"] == pytest.approx(2 / 3)
    assert table.loc["rules (+ popularity fill)", "value"] == pytest.approx(2 / 3)
    assert table.loc["popularity", "value"] == pytest.approx(1 / 3)
    assert table.loc["rules - popularity", "value"] == pytest.approx(1 / 3)
    assert table.attrs == {"n_baskets": 3, "n_customers": 2, "strongest_baseline": "popularity",
                           "strongest_chosen_on": "these baskets"}
    # a second baseline that hits more is the one the rules are compared with
    both = evaluate_rules(rules, cases, popularity, n=1, baselines={"recent": pd.Series({"x": 0.6, "y": 0.4})})
    assert list(both["hit_recent"]) == [True, False, True]  # seed x -> y; seeds y and z -> x
    table = hit_rate_table(both, n_boot=20)
    assert table.attrs["strongest_baseline"] == "recent" and table.loc["recent", "value"] == pytest.approx(2 / 3)
    assert table.loc["rules - recent", "value"] == pytest.approx(0.0)
    # a baseline chosen on validation is kept, even where another one hits more on these baskets
    table = hit_rate_table(both, strongest="popularity", n_boot=20)
    assert table.attrs["strongest_baseline"] == "popularity" and table.attrs["strongest_chosen_on"] == "validation"
    assert "rules - popularity" in table.index
    with pytest.raises(ValueError, match="strongest must be one of"):
        hit_rate_table(both, strongest="nobody", n_boot=20)


def test_rule_settings_are_tuned_on_the_validation_window(transactions_factory):
    # history: a and b always together, c alone; validation baskets {a, b} twice: rules a -> b fire
    history = transactions_factory([{"InvoiceNo": f"h{i}", "StockCode": code, "InvoiceDate": "2011-01-05 10:00"}
                                    for i in range(4) for code in ("a", "b")]
                                   + [{"InvoiceNo": f"c{i}", "StockCode": code, "InvoiceDate": "2011-01-06 10:00"}
                                      for i in range(6) for code in ("c", "d")])
    window = transactions_factory([{"InvoiceNo": f"v{i}", "StockCode": code, "InvoiceDate": "2011-02-01 10:00"}
                                   for i in range(2) for code in ("a", "b")])
    chosen, table = tune_rules(history, window, "StockCode", min_supports=[0.3, 0.9], min_confidences=[0.5],
                               recent_days=[1, 30], n=1)
    rules = table[table["method"] == "rules"].set_index("min_support")
    assert rules.loc[0.3, "hit_rate"] == 1.0 and rules.loc[0.9, "rules"] == 0
    assert chosen["min_support"] == 0.3 and chosen["min_confidence"] == 0.5
    recent = table[table["method"] == "recent popularity"].set_index("recent_days")
    assert recent.loc[1, "hit_rate"] == 0.0 and recent.loc[30, "hit_rate"] == 0.0  # nothing bought lately; c, d
    assert table["chosen"].sum() == 3  # rules, popularity, recent popularity
    assert chosen["recent_days"] == 1  # a tie goes to the window tried first
    popularity = table[table["method"] == "popularity"]["hit_rate"].iloc[0]
    assert popularity == recent["hit_rate"].max() == 0.0  # a tie again: all-time popularity is kept
    assert chosen["strongest_baseline"] == "popularity"


def test_tag_precision_by_hand(transactions_factory):
    tags = pd.Series({1: ["a", "b"], 2: ["c"], 3: []})
    after = pd.Series({1: frozenset({"a", "z"}), 2: frozenset({"a"})})
    np.testing.assert_array_equal(tag_precision(tags, after), [0.5, 0.0, np.nan])
    table = tag_precision_table(tags, after, ["a", "b"], n_boot=20)
    assert table.loc["own tags", "value"] == pytest.approx(0.25)
    assert table.loc["most common categories", "value"] == pytest.approx(0.75)  # c1: 1/2, c2: ["a"] -> 1
    assert table.loc["own - most common", "value"] == pytest.approx(-0.5)
    lines = transactions_factory([{"CustomerID": 1, "StockCode": "A"}, {"CustomerID": 1, "StockCode": "B"}])
    assert categories_bought(lines.assign(category=["x", "y"]))[1] == frozenset({"x", "y"})


def _launch_data(transactions_factory):
    rows = []
    for customer, text, n_invoices in [(1, "BLUE GARDEN SPADE", 1), (2, "BLUE GARDEN SPADE", 1),
                                       (3, "PINK TEA CUP", 1), (4, "PINK TEA CUP", 1),
                                       (5, "BLUE GARDEN SPADE", 6), (6, "GREEN GARDEN SPADE", 5)]:
        for i in range(n_invoices):
            rows.append({"CustomerID": customer, "InvoiceNo": f"{customer}{i}", "StockCode": text[:4],
                         "Description": text, "InvoiceDate": f"2011-0{1 + i % 5}-10 10:00"})
    # customer 5 buys the new product too late to count as a first buyer
    for customer, day in [(3, "2011-07-02 10:00"), (4, "2011-07-20 10:00"), (5, "2011-09-30 10:00")]:
        rows.append({"CustomerID": customer, "InvoiceNo": f"new{customer}", "StockCode": "NEW",
                     "Description": "PINK TEA POT", "InvoiceDate": day})
    return transactions_factory(rows)


def test_new_products_and_their_first_buyers(transactions_factory):
    lines = _launch_data(transactions_factory)
    launches = new_products(lines, pd.Timestamp("2011-07-01"), window_days=30)
    assert list(launches.index) == ["NEW"]
    assert launches.loc["NEW", "buyers"] == [3, 4] and launches.loc["NEW", "Description"] == "PINK TEA POT"
    hits = audience_hits(np.array([[0, 2], [1, 3]]), [np.array([2, 3]), np.array([0])], 4)
    np.testing.assert_array_equal(hits, [0, 0, 1, 0])


def test_content_targeting_reaches_the_customers_whose_purchases_read_alike(transactions_factory):
    lines = _launch_data(transactions_factory)
    cut = pd.Timestamp("2011-07-01")
    before = lines[lines["InvoiceDate"] < cut]
    launches = new_products(lines, cut)
    embed = tfidf_embedder(lines["Description"].unique())
    table = launch_targeting(before, launches, embed, top_n=2, n_boot=20)
    assert table.loc["content", "value"] == 1.0  # customers 3 and 4 bought PINK TEA CUP
    assert table.loc["activity", "value"] == 0.0  # the two most active customers (5, 6) are not the buyers
    assert table.loc["content - activity", "value"] == 1.0
    assert table.attrs["random_expected"] == pytest.approx(2 / 6)


def test_markets_and_fold_in_scores(transactions_factory):
    rows = []
    for customer, country, items in [(1, "United Kingdom", "ABC"), (2, "United Kingdom", "AB"),
                                     (3, "United Kingdom", "BC"), (4, "France", "CD"), (5, "France", "DE")]:
        for item in items:
            rows.append({"CustomerID": customer, "Country": country, "StockCode": item, "InvoiceNo": f"{customer}"})
    for customer, item in [(4, "E"), (5, "C"), (1, "D")]:
        rows.append({"CustomerID": customer, "Country": "France" if customer > 3 else "United Kingdom",
                     "StockCode": item, "InvoiceNo": f"late{customer}", "InvoiceDate": "2011-03-01 10:00"})
    lines = transactions_factory(rows)
    cut = pd.Timestamp("2011-02-01")
    before, after = lines[lines["InvoiceDate"] < cut], lines[lines["InvoiceDate"] >= cut]
    assert customer_markets(before).to_dict() == {1: "United Kingdom", 2: "United Kingdom", 3: "United Kingdom",
                                                  4: "France", 5: "France"}
    items = pd.Index(list("ABCDE"))
    train = purchase_matrix(before[before["Country"] == "United Kingdom"], pd.Index([1, 2, 3]), items)
    target = purchase_matrix(before, pd.Index([4, 5]), items)
    assert train.toarray().sum() == 7 and target.toarray().tolist() == [[0, 0, 1, 1, 0], [0, 0, 0, 1, 1]]
    score = market_scorer("truncated_svd", train, target, n_factors=2)(np.array([0, 1]))
    assert score.shape == (2, 5)
    np.testing.assert_allclose(market_scorer("popularity", train, target)(np.array([0]))[0], [2, 3, 2, 0, 0])
    per_user = cross_market_ndcg(before, after, "France", k=2, n_factors=2)
    assert list(per_user.index) == [4, 5] and per_user.shape[1] == 9
    # customer 4 later buys E: locally E is bought by customer 5 (who shares D), the UK never bought it
    assert per_user.loc[4, "item_knn|local"] == 1.0 and per_user.loc[4, "item_knn|source"] == 0.0
    table = cross_market_table(per_user, n_boot=20)
    assert {"minus_local", "minus_all"} <= set(table.columns) and len(table) == 9
    with pytest.raises(ValueError):
        market_scorer("bandit", train, target)
    with pytest.raises(ValueError):
        cross_market_ndcg(before, after, "Narnia")
    assert sp.issparse(train)


def test_launch_targeting_with_several_encoders_names_each_against_both_baselines(transactions_factory):
    lines = _launch_data(transactions_factory)
    cut = pd.Timestamp("2011-07-01")
    before, launches = lines[lines["InvoiceDate"] < cut], new_products(lines, cut)
    tfidf = tfidf_embedder(lines["Description"].unique())

    def colour_blind(texts):  # every description the same vector: content carries no signal
        return np.ones((len(list(texts)), 2))

    table = launch_targeting(before, launches, {"TF-IDF": tfidf, "constant": colour_blind}, top_n=2, n_boot=20)
    assert table.loc["content (TF-IDF)", "value"] == 1.0
    assert table.loc["content (constant)", "value"] == 0.0  # ties: the two lowest rows, customers 1 and 2
    assert {"content (TF-IDF) - activity", "content (constant) - random"} <= set(table.index)
    assert "strongest_baseline" not in table.attrs  # the yardstick is fixed in advance, not picked on these data


def test_svd_factors_are_tuned_per_training_market(transactions_factory):
    rows = []
    for customer, country, items in [(1, "United Kingdom", "ABC"), (2, "United Kingdom", "AB"),
                                     (3, "United Kingdom", "BC"), (4, "France", "CD"), (5, "France", "DE")]:
        for item in items:
            rows.append({"CustomerID": customer, "Country": country, "StockCode": item, "InvoiceNo": f"{customer}"})
    for customer, item in [(4, "E"), (5, "C")]:
        rows.append({"CustomerID": customer, "Country": "France", "StockCode": item, "InvoiceNo": f"late{customer}",
                     "InvoiceDate": "2011-03-01 10:00"})
    lines = transactions_factory(rows)
    cut = pd.Timestamp("2011-02-01")
    before, window = lines[lines["InvoiceDate"] < cut], lines[lines["InvoiceDate"] >= cut]
    chosen, table = tune_market_factors(before, window, "France", candidates=(1, 2), k=2)
    assert set(chosen) == {"source", "local", "all"} and len(table) == 6 and table["chosen"].sum() == 3
    for trained_on, factors in chosen.items():
        rows = table[table["trained_on"] == trained_on]
        assert rows.loc[rows["chosen"], "n_factors"].iloc[0] == factors == rows.loc[rows["ndcg"].idxmax(), "n_factors"]
    per_user = cross_market_ndcg(before, window, "France", models=("truncated_svd",), k=2, n_factors=chosen)
    assert list(per_user.columns) == ["truncated_svd|source", "truncated_svd|local", "truncated_svd|all"]
