"""Interaction tables derived from clean transactions, saved as Parquet under data/processed/.

    transactions  clean invoice lines (the input of every later chapter's time-based split)
    purchases     one row per (CustomerID, StockCode): n_invoices, quantity, first/last purchase
    catalog       one row per StockCode: description, median price, first seen, popularity
    customers     one row per CustomerID: country, recency, frequency, monetary (RFM)

Each table is written atomically (a reader sees the old file or the new one, never a partial one), and
building holds a file lock on data/processed/tables.lock, so runs that need the tables at the same time
wait for one build instead of colliding. A table that cannot be read is rebuilt, with one line saying so.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from rec_utils.data.cleaning import clean_transactions
from rec_utils.data.online_retail import MissingDataFileError, load_online_retail
from rec_utils.runtime.io import atomic_path, file_lock, read_cache
from rec_utils.runtime.paths import PROCESSED_DIR

PROCESSED_TABLES = ("transactions", "purchases", "catalog", "customers")
LOCK_NAME = "tables"  # the lock file is <processed dir>/tables.lock


def _most_frequent(df: pd.DataFrame, key: str, value: str) -> pd.Series:
    """For each `key`, the most frequent `value` (ties: the first in sorted order)."""
    counts = df.groupby([key, value], observed=True).size().rename("n").reset_index()
    counts = counts.sort_values([key, "n", value], ascending=[True, False, True])
    return counts.drop_duplicates(key).set_index(key)[value]


def purchase_counts(clean: pd.DataFrame) -> pd.DataFrame:
    """Customer x product purchases in long form, sorted by CustomerID then StockCode."""
    grouped = clean.groupby(["CustomerID", "StockCode"], observed=True)
    return grouped.agg(
        n_invoices=("InvoiceNo", "nunique"),
        quantity=("Quantity", "sum"),
        first_purchase=("InvoiceDate", "min"),
        last_purchase=("InvoiceDate", "max"),
    ).reset_index()


def product_catalog(clean: pd.DataFrame) -> pd.DataFrame:
    """One row per StockCode: most frequent Description, median UnitPrice, first_seen date,
    n_customers and n_invoices (popularity)."""
    grouped = clean.groupby("StockCode", observed=True)
    catalog = grouped.agg(
        median_price=("UnitPrice", "median"),
        first_seen=("InvoiceDate", "min"),
        n_customers=("CustomerID", "nunique"),
        n_invoices=("InvoiceNo", "nunique"),
    )
    catalog.insert(0, "Description", _most_frequent(clean, "StockCode", "Description"))
    return catalog.reset_index()


def customer_features(clean: pd.DataFrame, reference_date: pd.Timestamp | None = None) -> pd.DataFrame:
    """RFM features per customer.

    recency_days: days from the last purchase to `reference_date` (default: the day after
    the last invoice in the data); frequency: distinct invoices; monetary: total revenue.
    """
    if reference_date is None:
        reference_date = clean["InvoiceDate"].max().normalize() + pd.Timedelta(days=1)
    grouped = clean.groupby("CustomerID", observed=True)
    features = grouped.agg(
        last_purchase=("InvoiceDate", "max"),
        frequency=("InvoiceNo", "nunique"),
        monetary=("Revenue", "sum"),
    )
    features.insert(0, "Country", _most_frequent(clean, "CustomerID", "Country"))
    features.insert(1, "recency_days", (reference_date - features.pop("last_purchase")).dt.days)
    return features.reset_index()


def _build(raw: pd.DataFrame | None, out_dir: Path) -> dict[str, pd.DataFrame]:
    """Derive and write every table; the caller holds the lock."""
    raw = load_online_retail() if raw is None else raw
    clean, _ = clean_transactions(raw)
    tables = {
        "transactions": clean,
        "purchases": purchase_counts(clean),
        "catalog": product_catalog(clean),
        "customers": customer_features(clean),
    }
    for name, table in tables.items():
        with atomic_path(out_dir / f"{name}.parquet") as tmp:
            table.to_parquet(tmp, index=False)
    return tables


def build_processed_tables(raw: pd.DataFrame | None = None, out_dir: Path = PROCESSED_DIR) -> dict[str, pd.DataFrame]:
    """Clean `raw` (default: the embedded Online Retail), derive the tables, write
    `<name>.parquet` for each into `out_dir` (atomically, under the lock), and return them by name."""
    out_dir = Path(out_dir)
    with file_lock(out_dir / LOCK_NAME):
        return _build(raw, out_dir)


def _identity(path: Path) -> tuple[int, int, int] | None:
    """(inode, size, mtime) of a file, None when absent: tells whether another process replaced it."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return stat.st_ino, stat.st_size, stat.st_mtime_ns


def load_processed(name: str, processed_dir: Path = PROCESSED_DIR, *, build_if_missing: bool = True) -> pd.DataFrame:
    """Read one processed table; when it is missing or unreadable, build all of them from the embedded data.

    Concurrent callers wait on the lock; whoever comes second finds the tables built and reads them.
    """
    if name not in PROCESSED_TABLES:
        raise ValueError(f"unknown table {name!r}; choose one of {', '.join(PROCESSED_TABLES)}")
    processed_dir = Path(processed_dir)
    path = processed_dir / f"{name}.parquet"
    seen = _identity(path)
    table = read_cache(path, pd.read_parquet, what="processed table")
    if table is not None:
        return table
    if not build_if_missing:
        raise MissingDataFileError(f"{path} not found or unreadable: run notebook 01 (python -m rec_utils.run 01)")
    with file_lock(processed_dir / LOCK_NAME):
        if _identity(path) not in (None, seen):  # rebuilt by another process while this one waited
            table = read_cache(path, pd.read_parquet, what="processed table")
            if table is not None:
                return table
        return _build(None, processed_dir)[name]
