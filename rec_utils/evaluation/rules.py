"""Association rules evaluated forward in time: rules mined on baskets before a cut, used on baskets after it.

Protocol, per basket after the cut (the distinct values of `column` in one invoice, at least two): one value
is drawn at random as the *seed* (what the customer has just put in the basket, seeded), the others are the
*targets*. The rules recommend up to n consequents of rules whose antecedent is the seed (ranked by
confidence, ties by lift), filled up with the most popular values before the cut when fewer rules fire; the
baseline recommends the n most popular values before the cut (support), both never the seed itself. A
basket is a hit for a method when one of its n recommendations is among the targets. Hit rates pool the
baskets of each customer, and their intervals resample customers (evaluation.resampling).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rec_utils.evaluation.resampling import paired_difference, ratio_interval


def seed_baskets(transactions: pd.DataFrame, column: str = "StockCode", seed: int = 0) -> pd.DataFrame:
    """One row per invoice with at least two distinct values of `column`: InvoiceNo, CustomerID, seed (a value
    drawn uniformly at random with `seed`), targets (frozenset of the other values)."""
    lines = transactions[["InvoiceNo", "CustomerID", column]].dropna().drop_duplicates(["InvoiceNo", column])
    lines = lines.assign(value=lines[column].astype(str)).sort_values(["InvoiceNo", "value"])
    baskets = lines.groupby("InvoiceNo", sort=True).agg(CustomerID=("CustomerID", "first"), values=("value", list))
    baskets = baskets[baskets["values"].map(len) >= 2]
    rng = np.random.default_rng(seed)
    picks = [values[i] for values, i in zip(baskets["values"], (rng.random(len(baskets)) *
                                                                 baskets["values"].map(len)).astype(int))]
    return pd.DataFrame({"CustomerID": baskets["CustomerID"].to_numpy(), "seed": picks,
                         "targets": [frozenset(v) - {p} for v, p in zip(baskets["values"], picks)]},
                        index=baskets.index).reset_index()


def recommend_from_rules(rules: pd.DataFrame, seeds: pd.Series, popularity: pd.Series,
                         n: int) -> tuple[list, np.ndarray]:
    """Up to n recommendations per seed: consequents of rules with that antecedent (by confidence, then
    lift), then the most popular values (popularity: support, descending) to fill; never the seed.
    Returns (lists of values, boolean array: at least one rule fired for the seed)."""
    ordered = rules.sort_values(["confidence", "lift"], ascending=False, kind="stable")
    by_antecedent = ordered.groupby("antecedent", sort=False)["consequent"].agg(list).to_dict()
    popular = list(popularity.index[: n + 1])
    lists, fired = [], []
    for s in seeds:
        chosen = [c for c in by_antecedent.get(s, []) if c != s][:n]
        fired.append(bool(chosen))
        chosen += [p for p in popular if p != s and p not in chosen][: n - len(chosen)]
        lists.append(chosen)
    return lists, np.array(fired)


def evaluate_rules(rules: pd.DataFrame, baskets: pd.DataFrame, popularity: pd.Series, n: int = 3) -> pd.DataFrame:
    """Per basket of seed_baskets: rule_fired, hit_rules, hit_popularity (see the module docstring)."""
    rule_lists, fired = recommend_from_rules(rules, baskets["seed"], popularity, n)
    popular = list(popularity.index[: n + 1])
    popular_lists = [[p for p in popular if p != s][:n] for s in baskets["seed"]]
    hit = [[bool(targets & set(recs)) for targets, recs in zip(baskets["targets"], lists)]
           for lists in (rule_lists, popular_lists)]
    return baskets.assign(rule_fired=fired, hit_rules=hit[0], hit_popularity=hit[1])


def hit_rate_table(evaluated: pd.DataFrame, *, n_boot: int = 200, seed: int = 0) -> pd.DataFrame:
    """Hit rates of the rules and of the popularity baseline (pooled over baskets, intervals over customers),
    the share of baskets where a rule fired, and the paired difference rules - popularity."""
    per_customer = evaluated.groupby("CustomerID").agg(
        baskets=("seed", "size"), fired=("rule_fired", "sum"), rules=("hit_rules", "sum"),
        popularity=("hit_popularity", "sum"))
    options = {"n_boot": n_boot, "seed": seed}
    rows = {name: dict(zip(("value", "low", "high"), ratio_interval(per_customer[col], per_customer["baskets"],
                                                                  **options)))
            for name, col in (("rules (+ popularity fill)", "rules"), ("popularity", "popularity"),
                              ("share of baskets where a rule fired", "fired"))}
    diff = paired_difference(per_customer["rules"], per_customer["popularity"], denominator=per_customer["baskets"],
                             **options)
    rows["rules - popularity"] = {"value": diff["difference"], "low": diff["low"], "high": diff["high"]}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.attrs.update(n_baskets=int(per_customer["baskets"].sum()), n_customers=len(per_customer))
    return table
