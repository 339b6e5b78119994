"""Interaction tables derived from clean transactions, saved as Parquet under data/processed/.

    transactions  clean invoice lines (the input of every later chapter's time-based split)
    purchases     one row per (CustomerID, StockCode): n_invoices, quantity, first/last purchase
    catalog       one row per StockCode: description, median price, first seen, popularity
    customers     one row per CustomerID: country, recency, frequency, monetary (RFM)

Each table is written atomically (a reader sees the old file or the new one, never a partial one), and
building holds a file lock on data/processed/tables.lock, so runs that need the tables at the same time
wait for one build instead of colliding; the build first removes what builders killed mid-write left there.

Each table has a manifest (rec_utils.runtime.caches): the SHA-256 of the source file (or a hash of the rows it
was built from), a hash of the code that builds it (this module, cleaning, typing), its checksum, row count and
schema. A table that is unreadable, damaged, built from another source or by other code, or whose rows or schema
differ from its manifest is rebuilt, with one line saying why; it is never reused.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path

import pandas as pd

from rec_utils.data import cleaning, online_retail
from rec_utils.data.cleaning import clean_transactions
from rec_utils.data.online_retail import ONLINE_RETAIL_SHA256, MissingDataFileError, frame_sha256, load_online_retail
from rec_utils.runtime.caches import code_hash, read_cached, save_cached
from rec_utils.runtime.io import file_lock, sweep_temporary_files
from rec_utils.runtime.paths import PROCESSED_DIR, relative

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


@lru_cache(maxsize=1)
def _code() -> str:
    """Hash of the code that builds the tables: this module, the cleaning and the typing of the raw data."""
    return code_hash(sys.modules[__name__], cleaning, online_retail)


def source_fingerprint(raw: pd.DataFrame) -> str:
    """The SHA-256 of the file `raw` was read from (load_online_retail records it) while its rows are unchanged;
    otherwise "rows:" and a hash of its rows (a sample, an edited frame)."""
    content = frame_sha256(raw)
    if raw.attrs.get("source_sha256") and raw.attrs.get("content_sha256") == content:
        return raw.attrs["source_sha256"]
    return f"rows:{content}"


def _built_from(source: str) -> dict[str, str]:
    return {"source_sha256": source, "code": _code()}


def _details(table: pd.DataFrame) -> dict[str, object]:
    """Row count and schema {column: dtype}: recorded when written, checked when read."""
    return {"rows": len(table), "schema": {str(c): str(t) for c, t in table.dtypes.items()}}


def _build(raw: pd.DataFrame | None, out_dir: Path) -> dict[str, pd.DataFrame]:
    """Derive and write every table with its manifest; the caller holds the lock."""
    sweep_temporary_files(out_dir, what=relative(out_dir))
    raw = load_online_retail() if raw is None else raw
    built_from = _built_from(source_fingerprint(raw))
    clean, _ = clean_transactions(raw)
    tables = {
        "transactions": clean,
        "purchases": purchase_counts(clean),
        "catalog": product_catalog(clean),
        "customers": customer_features(clean),
    }
    for name, table in tables.items():
        save_cached(out_dir / f"{name}.parquet", lambda tmp, t=table: t.to_parquet(tmp, index=False), built_from,
                    details=_details(table))
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


def _read(path: Path) -> pd.DataFrame | None:
    """The table when it was built from the embedded data by this code and is whole; else None (says why)."""
    return read_cached(path, pd.read_parquet, _built_from(ONLINE_RETAIL_SHA256), what="processed table",
                       describe=_details)


def load_processed(name: str, processed_dir: Path = PROCESSED_DIR, *, build_if_missing: bool = True) -> pd.DataFrame:
    """Read one processed table; when it is missing, unreadable or stale (see the module docstring), build all of
    them from the embedded data.

    Concurrent callers wait on the lock; whoever comes second finds the tables built and reads them.
    """
    if name not in PROCESSED_TABLES:
        raise ValueError(f"unknown table {name!r}; choose one of {', '.join(PROCESSED_TABLES)}")
    processed_dir = Path(processed_dir)
    path = processed_dir / f"{name}.parquet"
    seen = _identity(path)
    table = _read(path)
    if table is not None:
        return table
    if not build_if_missing:
        raise MissingDataFileError(f"{path} is missing, unreadable or stale: run notebook 01 "
                                   "(python -m rec_utils.run 01)")
    with file_lock(processed_dir / LOCK_NAME):
        if _identity(path) not in (None, seen):  # rebuilt by another process while this one waited
            table = _read(path)
            if table is not None:
                return table
        return _build(None, processed_dir)[name]
