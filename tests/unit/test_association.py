"""Association rules by sparse pair counts against mlxtend's FP-growth and association_rules on Online Retail."""

import numpy as np
import pandas as pd
import pytest
from mlxtend.frequent_patterns import association_rules, fpgrowth

from rec_utils.data.tables import load_processed
from rec_utils.models.association import basket_matrix, filter_rules, mine_rules


def _mlxtend_rules(lines: pd.DataFrame, min_support: float, min_confidence: float) -> pd.DataFrame:
    baskets = basket_matrix(lines)
    itemsets = fpgrowth(baskets, min_support=min_support, use_colnames=True, max_len=2)
    rules = association_rules(itemsets, num_itemsets=len(baskets), metric="confidence", min_threshold=min_confidence)
    return rules.assign(antecedent=rules["antecedents"].map(lambda s: next(iter(s))),
                        consequent=rules["consequents"].map(lambda s: next(iter(s))))


@pytest.mark.slow
def test_pair_counts_find_mlxtends_rules_with_its_measures():
    lines = load_processed("transactions")
    lines = lines[lines["InvoiceDate"] < "2011-11-10"]
    ours, reference = mine_rules(lines, min_support=0.003, min_confidence=0.2), _mlxtend_rules(lines, 0.003, 0.2)
    pairs = set(zip(ours["antecedent"], ours["consequent"]))
    assert set(zip(reference["antecedent"], reference["consequent"])) <= pairs
    extra = ours[~ours.set_index(["antecedent", "consequent"]).index.isin(
        list(zip(reference["antecedent"], reference["consequent"])))]
    # the only difference: rules whose confidence is the threshold exactly, which mlxtend's float round-off
    # ((support * n) / (support * n) instead of a ratio of counts) puts just below it
    assert np.allclose(extra["confidence"], 0.2, rtol=0, atol=1e-12)
    both = ours.merge(reference, on=["antecedent", "consequent"], suffixes=("", "_mlxtend"))
    for measure in ("support", "confidence", "lift", "leverage"):
        assert np.abs(both[measure] - both[f"{measure}_mlxtend"]).max() < 1e-12, measure
    assert np.abs(both["antecedent_support"] - both["antecedent support"]).max() < 1e-12


def test_mining_once_and_filtering_equals_mining_at_each_threshold(transactions_factory):
    rng = np.random.default_rng(0)
    rows = [{"InvoiceNo": str(i), "StockCode": f"p{j}"} for i in range(300) for j in
            np.flatnonzero(rng.random(12) < np.linspace(0.05, 0.6, 12))]
    lines = transactions_factory(rows)
    low = mine_rules(lines, min_support=0.01, min_confidence=0.05)
    for support, confidence in [(0.01, 0.05), (0.05, 0.3), (0.1, 0.5), (0.3, 0.9)]:
        pd.testing.assert_frame_equal(filter_rules(low, support, confidence),
                                      mine_rules(lines, min_support=support, min_confidence=confidence))


def test_a_confidence_equal_to_the_threshold_passes_it(transactions_factory):
    # a in 5 invoices, with b in one of them: confidence(a -> b) = 1/5 exactly
    rows = [{"InvoiceNo": "0", "StockCode": "a"}, {"InvoiceNo": "0", "StockCode": "b"}]
    rows += [{"InvoiceNo": str(i), "StockCode": "a"} for i in range(1, 5)]
    rows += [{"InvoiceNo": str(i), "StockCode": "c"} for i in range(5, 49)]
    rules = mine_rules(transactions_factory(rows), min_support=0.02, min_confidence=0.2)
    assert ("a", "b") in set(zip(rules["antecedent"], rules["consequent"]))
    with pytest.raises(ValueError, match="min_support"):
        mine_rules(transactions_factory(rows), min_support=0)
