"""Association rules on baskets (invoices): frequent itemsets and one-to-one rules X -> Y with support,
confidence, lift and leverage, mined by `mlxtend` (pinned): FP-growth (Han et al. 2000) for the itemsets,
`association_rules` for the measures.

Over baskets (one per InvoiceNo; the basket is the set of distinct values of `column`, e.g. StockCode or a
category): support(X) = share of baskets holding X; confidence(X -> Y) = support(X ∪ Y) / support(X);
lift = confidence / support(Y); leverage = support(X ∪ Y) - support(X) support(Y) (Agrawal et al. 1993;
Piatetsky-Shapiro 1991).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from mlxtend.frequent_patterns import association_rules, fpgrowth

RULE_COLUMNS = ["antecedent", "consequent", "antecedent_support", "consequent_support", "support", "confidence",
                "lift", "leverage"]


def basket_matrix(transactions: pd.DataFrame, column: str = "StockCode") -> pd.DataFrame:
    """Baskets x values boolean frame (sparse columns), one row per InvoiceNo: True where the invoice holds
    a line with that value of `column`. Lines with a missing value are left out."""
    lines = transactions[["InvoiceNo", column]].dropna().drop_duplicates()
    codes, values = pd.factorize(lines[column].astype(str), sort=True)
    rows, invoices = pd.factorize(lines["InvoiceNo"], sort=True)
    matrix = sp.csc_matrix((np.ones(len(rows), dtype=bool), (rows, codes)), shape=(len(invoices), len(values)))
    return pd.DataFrame.sparse.from_spmatrix(matrix, index=pd.Index(invoices, name="InvoiceNo"),
                                             columns=pd.Index(values, name=column))


def mine_rules(transactions: pd.DataFrame, column: str = "StockCode", *, min_support: float = 0.01,
               min_confidence: float = 0.1) -> pd.DataFrame:
    """One-to-one rules X -> Y between values of `column` (both directions), mined on the invoices of
    `transactions` with mlxtend's fpgrowth (itemsets of size <= 2, support >= min_support) and
    association_rules (confidence >= min_confidence).

    Returns RULE_COLUMNS, sorted by confidence then lift (descending), antecedent and consequent as values.
    """
    baskets = basket_matrix(transactions, column)
    itemsets = fpgrowth(baskets, min_support=min_support, use_colnames=True, max_len=2)
    if (itemsets["itemsets"].map(len) == 2).sum() == 0:
        return pd.DataFrame(columns=RULE_COLUMNS)
    rules = association_rules(itemsets, num_itemsets=len(baskets), metric="confidence",
                              min_threshold=min_confidence)
    rules = rules.rename(columns={"antecedent support": "antecedent_support",
                                  "consequent support": "consequent_support"})
    rules["antecedent"] = rules["antecedents"].map(lambda s: next(iter(s)))
    rules["consequent"] = rules["consequents"].map(lambda s: next(iter(s)))
    return rules[RULE_COLUMNS].sort_values(["confidence", "lift", "antecedent", "consequent"],
                                           ascending=[False, False, True, True], ignore_index=True)


def value_support(transactions: pd.DataFrame, column: str = "StockCode") -> pd.Series:
    """Support of each single value of `column` (share of invoices holding it), descending (ties by value):
    the popularity baseline the rules are compared with."""
    lines = transactions[["InvoiceNo", column]].dropna().drop_duplicates()
    support = lines.groupby(column, observed=True).size() / lines["InvoiceNo"].nunique()
    support.index = support.index.astype(str)
    return support.sort_index().sort_values(ascending=False, kind="stable")
