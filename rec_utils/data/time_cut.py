"""One global time cut for all customers: the history before it, a window of days after it.

    test = time_window_split(transactions, window_days=30)                    # the last 30 days
    validation = time_window_split(transactions, window_days=30, windows_back=2)  # the 30 days before those

Choices (weights, neighbourhood sizes) are tuned on the validation split, whose history and window both
end before the test window starts, and the test split is scored once.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass
class TimeSplit:
    """history: lines before `cut`; window: lines in [cut, end); both keep every column of the input."""

    history: pd.DataFrame
    window: pd.DataFrame
    cut: pd.Timestamp
    end: pd.Timestamp

    def describe(self) -> str:
        """E.g. 'history before 2011-10-11 (278,265 lines), window 2011-10-11 .. 2011-12-09 (112,885 lines)'."""
        return (f"history before {self.cut:%Y-%m-%d} ({len(self.history):,} lines), window "
                f"{self.cut:%Y-%m-%d} .. {self.end - pd.Timedelta(days=1):%Y-%m-%d} ({len(self.window):,} lines)")


def time_window_split(transactions: pd.DataFrame, window_days: int = 30, *, windows_back: int = 1) -> TimeSplit:
    """Split by one date for everybody. The data end on the day after the last invoice; windows_back=1 takes
    the last `window_days` days as the window, windows_back=2 the `window_days` before them (and drops
    everything after that window, so nothing of the later window is seen)."""
    if window_days < 1 or windows_back < 1:
        raise ValueError(f"window_days and windows_back must be >= 1, got {window_days}, {windows_back}")
    last_day = transactions["InvoiceDate"].max().normalize() + pd.Timedelta(days=1)
    end = last_day - pd.Timedelta(days=window_days * (windows_back - 1))
    cut = end - pd.Timedelta(days=window_days)
    dates = transactions["InvoiceDate"]
    if not (dates < cut).any():
        raise ValueError(f"no transactions before the cut {cut:%Y-%m-%d}: shorten window_days or windows_back")
    return TimeSplit(transactions[dates < cut], transactions[(dates >= cut) & (dates < end)], cut, end)
