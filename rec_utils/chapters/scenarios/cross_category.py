"""Cross-category product rules that are not variants of one product line.

    cross, variants = cross_category_rules(rules, product_category, descriptions, min_overlap=0.3)

The keyword categories (features.categories) can split one product line across two categories: RED SPOT PAPER GIFT
BAG is stationery (PAPER), RED SPOT GIFT BAG LARGE is a bag, and the rule between them is a size variant, not a
promotion across categories; CARD DOG AND BALL and CARD CAT AND TREE are two designs of one card. The rule used
here, which a reader can check by eye: two products are **variants of one line** when their descriptions share at
least `min_overlap` of the words of the shorter one (the overlap coefficient |A ∩ B| / min(|A|, |B|) of their word
sets, without the STOP_WORDS), or end in the same word, the kind of product in these descriptions (BIRTHDAY CARD and
DOLLY CARD are both cards, whatever their keywords made of them).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from rec_utils.features.categories import UNCATEGORISED

STOP_WORDS = frozenset({"A", "AND", "FOR", "IN", "OF", "THE", "WITH"})


def description_words(description: str) -> list[str]:
    """The words of a product description in order (upper case, apostrophes dropped, split at anything but letters
    and digits, a plural S dropped from words of more than three letters), STOP_WORDS out:
    "BOX OF 6 MINI 50'S CRACKERS" -> [BOX, 6, MINI, 50S, CRACKER]."""
    words = re.findall(r"[A-Z0-9]+", str(description).upper().replace("'", ""))
    return [word[:-1] if len(word) > 3 and word.endswith("S") else word for word in words if word not in STOP_WORDS]


def _overlap(a: list[str], b: list[str]) -> float:
    first, second = set(a), set(b)
    return len(first & second) / min(len(first), len(second)) if first and second else 0.0


def _same_line(a: list[str], b: list[str], min_overlap: float) -> bool:
    return bool(a and b) and (a[-1] == b[-1] or _overlap(a, b) >= min_overlap)


def word_overlap(first: str, second: str) -> float:
    """Overlap coefficient |A ∩ B| / min(|A|, |B|) of two descriptions' word sets (0 where either has none)."""
    return _overlap(description_words(first), description_words(second))


def same_line(first: str, second: str, min_overlap: float = 0.3) -> bool:
    """Are two descriptions variants of one product line: word_overlap at least min_overlap, or the same last
    word (the same kind of product)?"""
    return _same_line(description_words(first), description_words(second), min_overlap)


def cross_category_rules(rules: pd.DataFrame, product_category: pd.Series, descriptions: pd.Series, *,
                         min_overlap: float = 0.3) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rules whose antecedent and consequent lie in two different named categories and are not variants of one
    line (same_line), the cross-category rules that are such variants), each with antecedent_category,
    consequent_category and word_overlap columns. rules: models.association.mine_rules on StockCodes;
    product_category and descriptions: StockCode -> category / description."""
    if not 0 < min_overlap <= 1:
        raise ValueError(f"min_overlap must lie in (0, 1], got {min_overlap}")
    cross = rules.assign(antecedent_category=rules["antecedent"].map(product_category),
                         consequent_category=rules["consequent"].map(product_category))
    cross = cross[(cross["antecedent_category"] != cross["consequent_category"])
                  & (cross["antecedent_category"] != UNCATEGORISED) & (cross["consequent_category"] != UNCATEGORISED)]
    words = [(description_words(descriptions.get(a, "")), description_words(descriptions.get(c, "")))
             for a, c in zip(cross["antecedent"], cross["consequent"])]  # each description split once
    cross = cross.assign(word_overlap=[_overlap(a, c) for a, c in words])
    variant = np.array([_same_line(a, c, min_overlap) for a, c in words], dtype=bool)
    return cross[~variant], cross[variant]
