"""Interaction tables derived from clean transactions, saved as Parquet under data/processed/.

    transactions  clean invoice lines (the input of every later chapter's time-based split)
    purchases     one row per (CustomerID, StockCode): n_invoices, quantity, first/last purchase
    catalog       one row per StockCode: description, median price, first seen, popularity
    customers     one row per CustomerID: country, recency, frequency, monetary (RFM)
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from rec_utils.data.cleaning import clean_transactions
from rec_utils.data.online_retail import MissingDataFileError, load_online_retail
from rec_utils.runtime.paths import PROCESSED_DIR

PROCESSED_TABLES = ("transactions", "purchases", "catalog", "customers")


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


def build_processed_tables(raw: pd.DataFrame | None = None, out_dir: Path = PROCESSED_DIR) -> dict[str, pd.DataFrame]:
    """Clean `raw` (default: the embedded Online Retail), derive the tables, write
    `<name>.parquet` for each into `out_dir`, and return them by name."""
    raw = load_online_retail() if raw is None else raw
    clean, _ = clean_transactions(raw)
    tables = {
        "transactions": clean,
        "purchases": purchase_counts(clean),
        "catalog": product_catalog(clean),
        "customers": customer_features(clean),
    }
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        table.to_parquet(out_dir / f"{name}.parquet", index=False)
    return tables


def load_processed(name: str, processed_dir: Path = PROCESSED_DIR, *, build_if_missing: bool = True) -> pd.DataFrame:
    """Read one processed table; build all of them from the embedded data first if absent."""
    if name not in PROCESSED_TABLES:
        raise ValueError(f"unknown table {name!r}; choose one of {', '.join(PROCESSED_TABLES)}")
    path = Path(processed_dir) / f"{name}.parquet"
    if not path.exists():
        if not build_if_missing:
            raise MissingDataFileError(f"{path} not found: run notebook 01 (python -m rec_utils.run 01)")
        return build_processed_tables(out_dir=processed_dir)[name]
    return pd.read_parquet(path)
