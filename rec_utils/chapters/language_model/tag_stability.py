"""How stable are interest tags across the protocol's cut, beyond what chance gives?

For each customer who bought both before a stage's window and in it (rec_utils.evaluation.protocol.Protocol;
the test stage: before the cut and in the test window), tags are computed from each part alone
and compared by Jaccard overlap J(before_u, after_u). Tags from a short list of coarse labels overlap by
chance more than tags from thousands of words, so each customer's overlap is also computed against other
customers' window tags (n_shuffles random pairings) and the reported stability is the lift:

    lift_u = J(before_u, after_u) - mean_s J(before_u, after_{π_s(u)})

Tagger: (transactions, reference_date) -> frame indexed by CustomerID with a `tags` column (lists), e.g.
rec_utils.recommend.interest.interest_tags or rec_utils.recommend.zero_shot_tags.zero_shot_tags.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from rec_utils.evaluation.protocol import Protocol
from rec_utils.evaluation.resampling import Comparison, mean_table, paired_differences
from rec_utils.features.text_encoder import encode_texts
from rec_utils.recommend.interest import interest_tags
from rec_utils.recommend.zero_shot_tags import INTEREST_LABELS, zero_shot_tags

Tagger = Callable[[pd.DataFrame, pd.Timestamp | None], pd.DataFrame]  # None: the day after the last line


def jaccard(a: list, b: list) -> float:
    """|a ∩ b| / |a ∪ b| of two tag lists (NaN when both are empty)."""
    a, b = set(a), set(b)
    return len(a & b) / len(a | b) if a | b else float("nan")


def stability_values(before: pd.Series, after: pd.Series, *, n_shuffles: int = 20, seed: int = 0) -> pd.DataFrame:
    """Per customer (the index of `before`, all present in `after`): own overlap, chance overlap (mean over
    n_shuffles random pairings with other customers' `after` tags) and lift = own - chance."""
    after = after.reindex(before.index)
    own = np.array([jaccard(b, a) for b, a in zip(before, after)])
    rng = np.random.default_rng(seed)
    n = len(before)
    chance = np.zeros(n)
    for _ in range(n_shuffles):
        partner = (np.arange(n) + rng.integers(1, n)) % n if n > 1 else np.zeros(1, dtype=int)  # never oneself
        order = rng.permutation(n)
        paired = np.empty(n, dtype=int)
        paired[order] = order[partner]
        chance += np.array([jaccard(b, after.iloc[p]) for b, p in zip(before, paired)]) / n_shuffles
    return pd.DataFrame({"own": own, "chance": chance, "lift": own - chance}, index=before.index)


def tag_stability_comparison(transactions: pd.DataFrame, taggers: dict[str, Tagger], protocol: Protocol, *,
                             stage: str = "test", n_shuffles: int = 20, n_boot: int = 1000,
                             seed: int = 0) -> Comparison:
    """Tag stability of each tagger across the `stage` window's start (the cut for 'test'): tags from the
    history (recency measured at the window's start) against tags from the window alone (at its end). table:
    rows '<name> own', '<name> chance', '<name> lift' (mean Jaccard with 95% customer-bootstrap intervals);
    paired: lift of each tagger - lift of the first; per_customer: every value behind them."""
    history, window = protocol.history_and_window(transactions, stage)
    start, days = protocol.window(stage)
    customers = np.intersect1d(history["CustomerID"].unique(), window["CustomerID"].unique())
    values = {}
    for name, tagger in taggers.items():
        before = tagger(history, start)["tags"].reindex(customers)
        after = tagger(window, start + pd.Timedelta(days=days))["tags"].reindex(customers)
        per = stability_values(before, after, n_shuffles=n_shuffles, seed=seed)
        values.update({f"{name} {column}": per[column].to_numpy() for column in per})
    names = list(taggers)
    per_customer = pd.DataFrame(values, index=pd.Index(customers, name="CustomerID"))
    described = (f"tags, {protocol.describe_stage(stage)}, each part alone; {len(customers):,} customers in both; "
                 f"chance = overlap with {n_shuffles} random other customers' window tags")
    return Comparison(mean_table(values, n_boot=n_boot, seed=seed),
                      paired_differences(values, [(f"{other} lift", f"{names[0]} lift") for other in names[1:]],
                                         n_boot=n_boot, seed=seed),
                      per_customer, {}, described)


def default_taggers(catalog: pd.DataFrame, *, n_tags: int = 3, half_life_days: float = 90.0,
                    labels: tuple[str, ...] = INTEREST_LABELS, **encode_kwargs) -> dict[str, Tagger]:
    """{"TF-IDF words": interest_tags (the bag-of-words baseline), "MiniLM labels": zero_shot_tags with `labels`},
    both with the same n_tags and recency half-life. encode_kwargs: for encode_texts (device, ...)."""
    item_vectors = encode_texts(catalog["Description"].fillna("").tolist(), **encode_kwargs)
    label_vectors = encode_texts(list(labels), **encode_kwargs)
    return {
        "TF-IDF words": lambda tx, ref: interest_tags(tx, catalog, n_tags=n_tags, half_life_days=half_life_days,
                                                      reference_date=ref),
        "MiniLM labels": lambda tx, ref: zero_shot_tags(tx, catalog, item_vectors, label_vectors, labels,
                                                        n_tags=n_tags, half_life_days=half_life_days,
                                                        reference_date=ref),
    }
