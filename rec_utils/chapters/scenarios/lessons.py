"""Notebook 11's summary: each measured row of a scenario as one sentence, its number, its paired interval against
the baseline, and the lesson the interval supports (LESSONS, one triple per scenario: above, below, not separated).

    print("\n".join(lesson_sentence(row) for row in measured))   # rows of evaluation.claims.measured_row
"""

from __future__ import annotations

import pandas as pd

from rec_utils.evaluation.claims import direction, interval_text

LESSONS = {
    "6.1 personalised": ("07's learned recommender beats the strongest simple baseline",
                         "07's learned recommender loses to the strongest simple baseline",
                         "07's learned recommender is not shown to differ from the strongest simple baseline"),
    "6.2 cross-category": ("mined rules find an item of the basket more often than the best popularity list",
                           "mined rules find an item of the basket less often than the best popularity list",
                           "mined rules are not shown to differ from the best popularity list"),
    "6.3 user profiles": (
        "a customer's own recent categories predict what they buy next better than the shop's most common ones",
        "the shop's most common categories predict what a customer buys next better than their own",
        "a customer's own categories are not shown to differ from the shop's most common ones"),
    "6.4 new-product launch": ("matching descriptions reaches more first buyers than the most active customers",
                               "telling the most active customers reaches more first buyers than matching descriptions",
                               "matching descriptions is not shown to differ from telling the most active customers"),
    "6.5 markets": ("a model trained on the UK serves this market better than one trained on its own purchases",
                    "a model trained on the UK serves this market worse than one trained on its own purchases",
                    "the data do not separate a UK-trained model from one trained on the market's own purchases"),
}
SAME_AS_POPULARITY_MARK = "(= all-time popularity's lists)"  # in the measure of rules that rank as popularity


def lesson_sentence(row: dict) -> str:
    """'- <section> — <measure>: value [low, high]; minus <baseline>: difference [low, high], paired 95% interval
    includes/excludes 0 — <lesson>' for one measured row (section, measure, value, low, high, compared with,
    difference, diff_low, diff_high); a row without a difference is 07's choice of the baseline itself."""
    line = f"- {row['section']} — {row['measure']}: {interval_text(row['value'], row['low'], row['high'], 4)}"
    if pd.isna(row["difference"]):  # 07's choice is itself the strongest baseline: nothing to compare
        return line + " — on validation 07 chose this baseline over its learned recommenders"
    sign = direction(row["diff_low"], row["diff_high"])
    which = {1: 0, -1: 1, 0: 2}[sign]  # the position of the verdict in LESSONS' triples
    lesson = LESSONS[row["section"]][which]
    if SAME_AS_POPULARITY_MARK in row["measure"]:  # 6.2's check: these rules rank as popularity
        lesson = (f"the rules are all-time popularity here, so this is all-time popularity "
                  f"{('above', 'below', 'not separated from')[which]} {row['compared with']}; "
                  "category rules add nothing of their own")
    return (line + f"; minus {row['compared with']}: "
            f"{interval_text(row['difference'], row['diff_low'], row['diff_high'], 4)}, paired 95% interval "
            f"{'includes' if sign == 0 else 'excludes'} 0 — {lesson}")
