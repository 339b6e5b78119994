"""The evaluation protocol every ranking notebook uses: one global time cut, a validation window before it for
tuning, a test window after it scored once, and a stated task.

    protocol = Protocol("2011-11-10", validation_days=30, test_days=30, task="new_items")
    print(protocol)
    validation = protocol.split(transactions, "validation")   # fit on invoices before the validation window
    test = protocol.split(transactions, "test")               # fit on every invoice before the cut
    history, window = protocol.history_and_window(transactions, "test")   # the lines themselves

Timeline: [ ... history ... | validation window | cut | test window ]. For the validation stage the
models see only invoices before the validation window; for the test stage, every invoice before the cut.
Only customers seen in the stage's history are ranked; customers who first buy inside the window (cold
start) are counted and kept apart (`EvaluationSplit.cold_start`, evaluated in notebook 08).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from rec_utils.data.interactions import Interactions, cold_start_interactions, window_interactions
from rec_utils.data.online_retail import ONLINE_RETAIL_DAYS
from rec_utils.data.split import time_window_split
from rec_utils.runtime.parameters import Date

TASKS = {
    "new_items": "products the customer has never bought before (already-bought products are not ranked)",
    "next_basket": "every product the customer buys in the window, repeat purchases included",
}
STAGES = ("validation", "test")


def cut_date_rule(validation_days: object = 30, test_days: object = 30,
                  data_days: tuple[str, str] = ONLINE_RETAIL_DAYS) -> Date:
    """The check_parameters rule for a protocol's `cut_date`: a 'YYYY-MM-DD' date that leaves at least one day of
    history before the validation window and the whole test window inside the data (first and last invoice
    day `data_days`; Online Retail: 2010-12-01 .. 2011-12-09, so 30 + 30 days allow 2011-01-01 .. 2011-11-10).
    A window length that is not a positive integer counts as one day (its own rule reports it)."""
    def days(value: object) -> int:
        return value if isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value > 0 else 1

    first, last = (pd.Timestamp(d) for d in data_days)
    earliest = first + pd.Timedelta(days=1 + days(validation_days))
    latest = last - pd.Timedelta(days=days(test_days) - 1)
    return Date(f"{earliest:%Y-%m-%d}", f"{latest:%Y-%m-%d}",
                why=f"validation ({days(validation_days)} days) after a day of history and test ({days(test_days)} "
                    f"days) inside the data, {data_days[0]} .. {data_days[1]}")


@dataclass(frozen=True)
class Protocol:
    """One global time cut (`cut_date`), `validation_days` before it for tuning, `test_days` after it for the
    single test, and the `task` ('new_items' or 'next_basket'). Frozen: a notebook cannot change it midway."""

    cut_date: pd.Timestamp
    validation_days: int = 30
    test_days: int = 30
    task: str = "new_items"

    def __post_init__(self):
        try:
            object.__setattr__(self, "cut_date", pd.Timestamp(self.cut_date))
        except (TypeError, ValueError) as error:
            raise ValueError(f"cut_date must be a date such as '2011-11-10', got {self.cut_date!r}") from error
        if self.task not in TASKS:
            raise ValueError(f"task must be one of {', '.join(TASKS)}, got {self.task!r}")
        for name in ("validation_days", "test_days"):
            value = getattr(self, name)
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive number of days, got {value!r}")

    def window(self, stage: str) -> tuple[pd.Timestamp, int]:
        """(first moment, length in days) of the stage's window."""
        if stage == "validation":
            return self.cut_date - pd.Timedelta(days=self.validation_days), self.validation_days
        if stage == "test":
            return self.cut_date, self.test_days
        raise ValueError(f"stage must be one of {STAGES}, got {stage!r}")

    def with_task(self, task: str) -> Protocol:
        """The same cut and windows for another task."""
        return dataclasses.replace(self, task=task)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready fields (dates as YYYY-mm-dd)."""
        return {"cut_date": f"{self.cut_date:%Y-%m-%d}", "validation_days": int(self.validation_days),
                "test_days": int(self.test_days), "task": self.task}

    def __str__(self) -> str:
        v_start, v_days = self.window("validation")
        t_start, t_days = self.window("test")
        day = pd.Timedelta(days=1)
        return "\n".join([
            f"Protocol (frozen), task {self.task!r}: rank {TASKS[self.task]}",
            f"  global time cut  {self.cut_date:%Y-%m-%d}: the test stage trains on every invoice before it",
            f"  validation       {v_start:%Y-%m-%d} .. {v_start + v_days * day - day:%Y-%m-%d} ({v_days} days); "
            f"tuning fits on invoices before {v_start:%Y-%m-%d}",
            f"  test             {t_start:%Y-%m-%d} .. {t_start + t_days * day - day:%Y-%m-%d} ({t_days} days); "
            "scored once, with the settings chosen on validation",
            "  ranked           customers seen in the stage's training history; cold-start customers counted apart",
        ])

    def history_and_window(self, transactions: pd.DataFrame, stage: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The stage's transaction lines (history: before the window, all customers; window: inside it), for
        evaluations that need the lines themselves (text search, tags) rather than interaction matrices."""
        return time_window_split(transactions, *self.window(stage))

    def describe_stage(self, stage: str) -> str:
        """E.g. 'test stage: history before 2011-11-10, window 2011-11-10 .. 2011-12-09 (30 days)'."""
        start, days = self.window(stage)
        last = start + pd.Timedelta(days=days - 1)
        return (f"{stage} stage: history before {start:%Y-%m-%d}, window {start:%Y-%m-%d} .. {last:%Y-%m-%d} "
                f"({days} days)")

    def split(self, transactions: pd.DataFrame, stage: str) -> EvaluationSplit:
        """The stage's training interactions, relevant items and cold-start customers."""
        start, days = self.window(stage)
        history, window = self.history_and_window(transactions, stage)
        data = window_interactions(history, window, new_items_only=self.task == "new_items", start=start)
        return EvaluationSplit(self, stage, data, cold_start_interactions(history, window, start=start),
                               n_window_customers=int(window["CustomerID"].nunique()))


@dataclass(frozen=True)
class EvaluationSplit:
    """One stage of a protocol applied to the data.

    data: Interactions of the customers seen in the history (train = history, test = relevant items).
    cold_start: Interactions of the customers who first buy in the window (all-zero train matrix).
    n_window_customers: distinct customers buying in the window (warm and cold).
    """

    protocol: Protocol
    stage: str
    data: Interactions
    cold_start: Interactions
    n_window_customers: int

    @property
    def users(self) -> np.ndarray:
        """Row indices of the ranked customers: seen in the history, with at least one relevant item."""
        return self.data.test_users

    @property
    def exclude(self) -> sp.csr_matrix | None:
        """Items never recommended: the customer's past purchases for 'new_items', nothing for 'next_basket'."""
        return self.data.train if self.protocol.task == "new_items" else None

    def for_cold_start(self) -> EvaluationSplit:
        """The same stage for the cold-start customers: they have no past, so every product of the history's
        catalogue they buy in the window is relevant and nothing is excluded."""
        return dataclasses.replace(self, data=self.cold_start)

    def describe(self) -> pd.Series:
        """Counts a reader needs to trust the numbers: who is ranked, who is left out and why."""
        warm_buyers = int((np.diff(self.data.test.indptr) > 0).sum())
        return pd.Series({
            "training customers": len(self.data.users),
            "training products": len(self.data.items),
            "training purchases (customer, product)": int(self.data.train.nnz),
            "customers buying in the window": self.n_window_customers,
            "ranked customers (seen in training, >= 1 relevant product)": warm_buyers,
            "seen in training, no relevant product (not ranked)":
                self.n_window_customers - warm_buyers - len(self.cold_start.users),
            "cold-start customers (first purchase in the window)": len(self.cold_start.users),
            "relevant (customer, product) pairs": int(self.data.test.nnz),
        }, name=f"{self.stage} ({self.protocol.task})")
