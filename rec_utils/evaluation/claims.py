"""What a notebook may say about a measured number: the words a paired interval supports, and the
"what we measured" table that ends notebooks 11, 12 and 13, and the sentence each of its rows becomes.

    supported(diff_low, diff_high, "content targeting", "activity targeting")
        -> "content targeting is below activity targeting (the paired 95% interval excludes 0)"
    measured_sentence(row, "the guarantee costs 0.0027 of ROC-AUC")   # one line of a summary
    measured_table([measured_row("6.4 launch", "share of first buyers reached", 0.09, 0.06, 0.12,
                                 against="activity targeting", difference=-0.09, diff_low=-0.17, diff_high=-0.01)])

A difference is called a difference only when its paired interval excludes zero; otherwise the sentence says
the data do not separate the two. Nothing here looks at the size of an effect, only at its interval.
"""

from __future__ import annotations

import math

import pandas as pd


def interval_text(value: float, low: float | None, high: float | None, digits: int = 3) -> str:
    """'0.123 [0.100, 0.150]' (or just the value when it has no interval)."""
    if low is None or high is None or any(map(math.isnan, (low, high))):
        return f"{value:.{digits}f}"
    return f"{value:.{digits}f} [{low:.{digits}f}, {high:.{digits}f}]"


def direction(diff_low: float, diff_high: float) -> int:
    """+1 when a paired interval lies above zero, -1 below, 0 when it includes zero."""
    if diff_low > 0:
        return 1
    if diff_high < 0:
        return -1
    return 0


def supported(diff_low: float, diff_high: float, a: str, b: str, *, above: str = "above",
              below: str = "below") -> str:
    """The sentence about A - B that its paired 95% interval [diff_low, diff_high] supports."""
    sign = direction(diff_low, diff_high)
    if sign > 0:
        return f"{a} is {above} {b} (the paired 95% interval excludes 0)"
    if sign < 0:
        return f"{a} is {below} {b} (the paired 95% interval excludes 0)"
    return f"the data do not separate {a} from {b} (the paired 95% interval includes 0)"


def measured_row(section: str, measure: str, value: float, low: float | None = None, high: float | None = None,
                 *, against: str = "", difference: float | None = None, diff_low: float | None = None,
                 diff_high: float | None = None) -> dict:
    """One row of the "what we measured" table: the number with its 95% interval and, when it is compared
    with something, the paired difference with its interval (plain floats; NaN where absent)."""
    def number(x):
        return float("nan") if x is None else float(x)

    return {"section": section, "measure": measure, "value": number(value), "low": number(low),
            "high": number(high), "compared with": against, "difference": number(difference),
            "diff_low": number(diff_low), "diff_high": number(diff_high)}


def difference_interval(row: dict) -> tuple[float, float, float]:
    """(difference, diff_low, diff_high) of a measured_row: its paired difference with the 95% interval."""
    return row["difference"], row["diff_low"], row["diff_high"]


def measured_table(rows: list[dict], digits: int = 3) -> pd.DataFrame:
    """The rows of measured_row for reading: 'value [low, high]', the comparison, 'difference [low, high]' and
    what its interval supports (higher / lower / not separated), indexed by section and measure."""
    table = []
    for row in rows:
        compared = not math.isnan(row["difference"])
        sign = direction(row["diff_low"], row["diff_high"]) if compared else None
        table.append({"section": row["section"], "measure": row["measure"],
                      "value [95% CI]": interval_text(row["value"], row["low"], row["high"], digits),
                      "compared with": row["compared with"],
                      "difference [95% CI]": interval_text(row["difference"], row["diff_low"], row["diff_high"],
                                                           digits) if compared else "",
                      "supported": {1: "higher", -1: "lower", 0: "not separated", None: ""}[sign]})
    return pd.DataFrame(table).set_index(["section", "measure"])


def measured_sentence(row: dict, lesson: str, *, paired: bool = True, interval: str | None = None) -> str:
    """'- <section> — <measure>: value [low, high]; minus <compared with>: difference [low, high], paired 95% interval
    includes/excludes 0 — <lesson>' for one measured_row. paired=False names an interval from independent resamples
    of two groups that share no customer (a group against the rest); `interval` names any other kind (e.g. the
    bootstrap interval of a criterion compared with its value under equal treatment)."""
    sign = direction(row["diff_low"], row["diff_high"])
    kind = interval or ("paired 95% interval" if paired else "95% interval, group and rest resampled apart,")
    return (f"- {row['section']} — {row['measure']}: {interval_text(row['value'], row['low'], row['high'], 4)}; "
            f"minus {row['compared with']}: {interval_text(*difference_interval(row), 4)}, "
            f"{kind} {'includes' if sign == 0 else 'excludes'} 0 — {lesson}")
