"""Association rules evaluated forward in time: rules mined on baskets before a cut, used on baskets after it.

Protocol, per basket after the cut (the distinct values of `column` in one invoice, at least two): one value
is drawn at random as the *seed* (what the customer has just put in the basket, seeded), the others are the
*targets*. The rules recommend up to n consequents of rules whose antecedent is the seed (ranked by
confidence, ties by lift), filled up with the most popular values before the cut when fewer rules fire; the
baseline recommends the n most popular values before the cut (support), both never the seed itself; further
popularity baselines (e.g. support over the last days before the cut, `recent_support`) can be added. A
basket is a hit for a method when one of its n recommendations is among the targets. Hit rates pool the
baskets of each customer, and their intervals resample customers (evaluation.resampling); the rules are
compared with the strongest baseline (highest pooled hit rate) by a paired interval. Each basket also records
whether the rules' list equals the popularity baseline's (`same_as_popularity`): where it always does, the
rules rank as popularity does, and a comparison of the rules is one of all-time popularity.

Tuning (`tune_rules`): the same evaluation with rules mined on the history before a validation window (once, at the
lowest thresholds, then filtered) and scored on that window's baskets, for each (min_support, min_confidence) and
each recent-popularity window;
the settings with the highest hit rate are then used once on the test window. Ties (equal hit rates) go to
the setting tried first: min_supports in the order given, then min_confidences, and recent_days in the order
given; between all-time and recent popularity, to all-time popularity.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from rec_utils.evaluation.resampling import paired_difference, ratio_interval
from rec_utils.features.categories import UNCATEGORISED
from rec_utils.models.association import filter_rules, mine_rules, value_support

SAME_AS_POPULARITY = "share of baskets where the rules' list is all-time popularity's"  # a row of hit_rate_table


def basket_lines(lines: pd.DataFrame, column: str) -> pd.DataFrame:
    """The lines whose `column` values make the baskets: every line for products, the categorised lines for
    categories (an uncategorised line is no category's purchase)."""
    return lines[lines["category"] != UNCATEGORISED] if column == "category" else lines


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


RANKINGS = {"confidence": ["confidence", "lift"], "lift": ["lift", "confidence"]}  # a seed's rules, best first


def recommend_from_rules(rules: pd.DataFrame, seeds: pd.Series, popularity: pd.Series, n: int, *,
                         rank_by: str = "confidence") -> tuple[list, np.ndarray]:
    """Up to n recommendations per seed: consequents of rules with that antecedent (by confidence, then lift; or
    rank_by="lift": by lift, then confidence), then the most popular values (popularity: support, descending) to
    fill; never the seed. Returns (lists of values, boolean array: at least one rule fired for the seed)."""
    if rank_by not in RANKINGS:
        raise ValueError(f"rank_by must be one of {sorted(RANKINGS)}, got {rank_by!r}")
    ordered = rules.sort_values(RANKINGS[rank_by], ascending=False, kind="stable")
    by_antecedent = ordered.groupby("antecedent", sort=False)["consequent"].agg(list).to_dict()
    popular = list(popularity.index[: n + 1])
    lists, fired = [], []
    for s in seeds:
        chosen = [c for c in by_antecedent.get(s, []) if c != s][:n]
        fired.append(bool(chosen))
        chosen += [p for p in popular if p != s and p not in chosen][: n - len(chosen)]
        lists.append(chosen)
    return lists, np.array(fired)


def _popular_lists(popularity: pd.Series, seeds: pd.Series, n: int) -> list[list]:
    """The n values with the highest `popularity` (support, descending), never the seed, for each seed."""
    popular = list(popularity.index[: n + 1])
    return [[p for p in popular if p != s][:n] for s in seeds]


def _hits(targets: pd.Series, lists: list[list]) -> list[bool]:
    """Per basket: is one of its recommendations among its targets."""
    return [bool(t & set(recommended)) for t, recommended in zip(targets, lists)]


def evaluate_rules(rules: pd.DataFrame, baskets: pd.DataFrame, popularity: pd.Series, n: int = 3, *,
                   baselines: Mapping[str, pd.Series] | None = None, rank_by: str = "confidence") -> pd.DataFrame:
    """Per basket of seed_baskets: rule_fired, same_as_popularity (the rules' list, in order, is the
    popularity baseline's), hit_rules, hit_popularity (see the module docstring), and hit_<name> for each
    further baseline in `baselines` ({name: support series, descending}); the rules ranked by `rank_by`."""
    rule_lists, fired = recommend_from_rules(rules, baskets["seed"], popularity, n, rank_by=rank_by)
    lists = {"rules": rule_lists, "popularity": _popular_lists(popularity, baskets["seed"], n)}
    lists.update({name: _popular_lists(support, baskets["seed"], n) for name, support in (baselines or {}).items()})
    hits = {f"hit_{name}": _hits(baskets["targets"], recommended) for name, recommended in lists.items()}
    same = np.array([list(r) == list(p) for r, p in zip(rule_lists, lists["popularity"])], dtype=bool)
    return baskets.assign(rule_fired=fired, same_as_popularity=same, **hits)


def hit_rate_table(evaluated: pd.DataFrame, *, strongest: str | None = None, n_boot: int = 200,
                   seed: int = 0) -> pd.DataFrame:
    """Hit rates of the rules and of every baseline (pooled over baskets, intervals over customers), the share
    of baskets where a rule fired, the share where the rules' list is all-time popularity's (row
    SAME_AS_POPULARITY, when `evaluated` records it), and the paired difference rules - the strongest baseline,
    named in the row and in attrs["strongest_baseline"]: `strongest` when given (chosen on validation, see
    tune_rules), otherwise the highest pooled hit rate on these baskets (attrs["strongest_chosen_on"] says which)."""
    baselines = [c.removeprefix("hit_") for c in evaluated.columns if c.startswith("hit_") and c != "hit_rules"]
    if strongest is not None and strongest not in baselines:
        raise ValueError(f"strongest must be one of the evaluated baselines {baselines}, got {strongest!r}")
    same = {"same": ("same_as_popularity", "sum")} if "same_as_popularity" in evaluated else {}
    per_customer = evaluated.groupby("CustomerID").agg(
        baskets=("seed", "size"), fired=("rule_fired", "sum"), rules=("hit_rules", "sum"),
        **{name: (f"hit_{name}", "sum") for name in baselines}, **same)
    options = {"n_boot": n_boot, "seed": seed}
    shares = [("share of baskets where a rule fired", "fired"), *([(SAME_AS_POPULARITY, "same")] if same else [])]
    rows = {name: dict(zip(("value", "low", "high"), ratio_interval(per_customer[col], per_customer["baskets"],
                                                                  **options)))
            for name, col in (("rules (+ popularity fill)", "rules"), *((b, b) for b in baselines), *shares)}
    chosen_on = "validation" if strongest is not None else "these baskets"
    strongest = strongest if strongest is not None else max(baselines, key=lambda b: rows[b]["value"])
    diff = paired_difference(per_customer["rules"], per_customer[strongest], denominator=per_customer["baskets"],
                             **options)
    rows[f"rules - {strongest}"] = {"value": diff["difference"], "low": diff["low"], "high": diff["high"]}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.attrs.update(n_baskets=int(per_customer["baskets"].sum()), n_customers=len(per_customer),
                       strongest_baseline=strongest, strongest_chosen_on=chosen_on)
    return table


def recent_support(transactions: pd.DataFrame, column: str, end: pd.Timestamp, days: int) -> pd.Series:
    """value_support over the invoices of the `days` days before `end` (a recent-popularity baseline)."""
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    dates = transactions["InvoiceDate"]
    return value_support(transactions[(dates >= end - pd.Timedelta(days=days)) & (dates < end)], column)


def tune_rules(history: pd.DataFrame, window: pd.DataFrame, column: str, *, min_supports: Sequence[float],
               min_confidences: Sequence[float], recent_days: Sequence[int] = (), n: int = 3,
               seed: int = 0) -> tuple[dict, pd.DataFrame]:
    """Validation search: rules mined on `history` with every (min_support, min_confidence), and recent
    popularity over each of `recent_days`, scored by pooled hit rate@n on the baskets of `window` (the
    validation window, which starts where `history` ends), beside all-time popularity. Returns
    ({"min_support", "min_confidence", "recent_days" (None without recent_days), "strongest_baseline"
    ("popularity" or "recent popularity")}, one row per setting: method, setting, rules, hit_rate, chosen)."""
    baskets = seed_baskets(window, column, seed=seed)
    popularity = value_support(history, column)
    end = window["InvoiceDate"].min().normalize()
    recent = {days: recent_support(history, column, end, days) for days in recent_days}
    rows, every_rule = [], mine_rules(history, column, min_support=min(min_supports),
                                      min_confidence=min(min_confidences))  # mined once, filtered per setting
    for support in min_supports:
        for confidence in min_confidences:
            rules = filter_rules(every_rule, support, confidence)
            hits = evaluate_rules(rules, baskets, popularity, n)["hit_rules"]
            rows.append({"method": "rules", "min_support": support, "min_confidence": confidence,
                         "recent_days": np.nan, "rules": len(rules), "hit_rate": float(hits.mean())})
    rows.append({"method": "popularity", "min_support": np.nan, "min_confidence": np.nan, "recent_days": np.nan,
                 "rules": 0, "hit_rate": float(np.mean(_hits(baskets["targets"],
                                                             _popular_lists(popularity, baskets["seed"], n))))})
    for days, support in recent.items():
        hits = _hits(baskets["targets"], _popular_lists(support, baskets["seed"], n))
        rows.append({"method": "recent popularity", "min_support": np.nan, "min_confidence": np.nan,
                     "recent_days": days, "rules": 0, "hit_rate": float(np.mean(hits))})
    table = pd.DataFrame(rows)
    table["chosen"] = False
    for _, group in table.groupby("method", sort=False):
        table.loc[group["hit_rate"].idxmax(), "chosen"] = True
    best = table[table["chosen"] & (table["method"] == "rules")].iloc[0]
    chosen_recent = table[table["chosen"] & (table["method"] == "recent popularity")]
    baselines = table[table["chosen"] & (table["method"] != "rules")]
    return ({"min_support": float(best["min_support"]), "min_confidence": float(best["min_confidence"]),
             "recent_days": int(chosen_recent["recent_days"].iloc[0]) if len(chosen_recent) else None,
             "strongest_baseline": str(baselines.loc[baselines["hit_rate"].idxmax(), "method"])}, table)
