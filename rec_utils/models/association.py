"""Association rules on baskets (invoices): one-to-one rules X -> Y with support, confidence, lift and leverage,
counted directly from a sparse basket matrix (mlxtend's FP-growth and association_rules find the same rules with
the same measures: tests/unit/test_association.py checks it on Online Retail, at a fraction of the time).

Over baskets (one per InvoiceNo; the basket is the set of distinct values of `column`, e.g. StockCode or a
category): support(X) = share of baskets holding X; confidence(X -> Y) = support(X ∪ Y) / support(X);
lift = confidence / support(Y); leverage = support(X ∪ Y) - support(X) support(Y) (Agrawal et al. 1993;
Piatetsky-Shapiro 1991). With B the (baskets x values) 0/1 matrix, the pair counts are BᵀB: one sparse product
gives every support(X ∪ Y) at once, which is all that one-to-one rules need (FP-growth pays for longer itemsets).

    rules = mine_rules(lines, "StockCode", min_support=0.003, min_confidence=0.2)
    rules = filter_rules(mine_rules(lines, min_support=0.003, min_confidence=0.05), 0.01, 0.2)  # mine once, filter
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

RULE_COLUMNS = ["antecedent", "consequent", "antecedent_support", "consequent_support", "support", "confidence",
                "lift", "leverage"]


def _basket_codes(transactions: pd.DataFrame, column: str) -> tuple[sp.csc_matrix, pd.Index, pd.Index]:
    """(baskets x values boolean CSC matrix, invoice index, value index) of the lines' distinct values."""
    lines = transactions[["InvoiceNo", column]].dropna().drop_duplicates()
    codes, values = pd.factorize(lines[column].astype(str), sort=True)
    rows, invoices = pd.factorize(lines["InvoiceNo"], sort=True)
    matrix = sp.csc_matrix((np.ones(len(rows), dtype=bool), (rows, codes)), shape=(len(invoices), len(values)))
    return matrix, pd.Index(invoices, name="InvoiceNo"), pd.Index(values, name=column)


def basket_matrix(transactions: pd.DataFrame, column: str = "StockCode") -> pd.DataFrame:
    """Baskets x values boolean frame (sparse columns), one row per InvoiceNo: True where the invoice holds
    a line with that value of `column` (mlxtend's input format). Lines with a missing value are left out."""
    matrix, invoices, values = _basket_codes(transactions, column)
    return pd.DataFrame.sparse.from_spmatrix(matrix, index=invoices, columns=values)


def _sorted_rules(rules: pd.DataFrame) -> pd.DataFrame:
    """Rules by confidence, then lift (descending), then antecedent and consequent."""
    return rules.sort_values(["confidence", "lift", "antecedent", "consequent"], ascending=[False, False, True, True],
                             ignore_index=True)


def mine_rules(transactions: pd.DataFrame, column: str = "StockCode", *, min_support: float = 0.01,
               min_confidence: float = 0.1) -> pd.DataFrame:
    """One-to-one rules X -> Y between values of `column` (both directions) whose pair support is at least
    min_support and confidence at least min_confidence, over the invoices of `transactions`.

    Returns RULE_COLUMNS, sorted by confidence then lift (descending), antecedent and consequent as values."""
    if not 0 < min_support <= 1 or not 0 <= min_confidence <= 1:
        raise ValueError(f"min_support must lie in (0, 1] and min_confidence in [0, 1], got {min_support}, "
                         f"{min_confidence}")
    matrix, invoices, values = _basket_codes(transactions, column)
    n_baskets = len(invoices)
    item_count = np.asarray(matrix.sum(axis=0)).ravel()
    item_support = item_count / n_baskets
    frequent = np.flatnonzero(item_support >= min_support)  # a frequent pair has frequent members
    kept = matrix[:, frequent].astype(np.int64)
    pairs = sp.triu(kept.T @ kept, k=1).tocoo()  # co-occurrence counts of distinct values
    keep = pairs.data / n_baskets >= min_support
    first, second, pair_count = frequent[pairs.row[keep]], frequent[pairs.col[keep]], pairs.data[keep]
    antecedent, consequent = np.concatenate([first, second]), np.concatenate([second, first])
    count = np.concatenate([pair_count, pair_count])
    support, antecedent_support, consequent_support = count / n_baskets, item_support[antecedent], item_support[
        consequent]
    confidence = count / item_count[antecedent]  # a ratio of counts: exact at a threshold such as 0.2
    rules = pd.DataFrame({"antecedent": values[antecedent], "consequent": values[consequent],
                          "antecedent_support": antecedent_support, "consequent_support": consequent_support,
                          "support": support, "confidence": confidence, "lift": confidence / consequent_support,
                          "leverage": support - antecedent_support * consequent_support})
    return _sorted_rules(rules[rules["confidence"] >= min_confidence])


def filter_rules(rules: pd.DataFrame, min_support: float, min_confidence: float) -> pd.DataFrame:
    """The rules of a mine_rules result that pass higher thresholds: the same rules mine_rules finds with them (a
    pair's support and a rule's confidence do not depend on the thresholds), so a grid of thresholds is mined once
    at its lowest support and confidence."""
    return rules[(rules["support"] >= min_support) & (rules["confidence"] >= min_confidence)].reset_index(drop=True)


def value_support(transactions: pd.DataFrame, column: str = "StockCode") -> pd.Series:
    """Support of each single value of `column` (share of invoices holding it), descending (ties by value):
    the popularity baseline the rules are compared with."""
    lines = transactions[["InvoiceNo", column]].dropna().drop_duplicates()
    support = lines.groupby(column, observed=True).size() / lines["InvoiceNo"].nunique()
    support.index = support.index.astype(str)
    return support.sort_index().sort_values(ascending=False, kind="stable")
