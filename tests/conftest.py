"""Shared fixtures: a small typed transactions frame written in the Online Retail schema."""

import pandas as pd
import pytest


def make_transactions(rows: list[dict]) -> pd.DataFrame:
    """Transactions frame with the Online Retail columns and dtypes from dict rows."""
    base = {"InvoiceNo": "536365", "StockCode": "85123A", "Description": "WHITE HEART",
            "Quantity": 1, "InvoiceDate": "2011-01-01 10:00", "UnitPrice": 1.0,
            "CustomerID": 17850.0, "Country": "United Kingdom"}
    df = pd.DataFrame([{**base, **r} for r in rows])
    df["InvoiceDate"] = pd.to_datetime(df["InvoiceDate"])
    df["Quantity"] = df["Quantity"].astype("int64")
    df["UnitPrice"] = df["UnitPrice"].astype("float64")
    df["CustomerID"] = df["CustomerID"].astype("float64")
    return df


@pytest.fixture
def transactions_factory():
    return make_transactions


@pytest.fixture(autouse=True)
def trained_store(tmp_path_factory, monkeypatch):
    """Tests train into a temporary store, never into the committed data/trained/ (rec_utils.runtime.trained)."""
    from rec_utils.runtime import trained

    monkeypatch.setattr(trained, "TRAINED_DIR", tmp_path_factory.mktemp("trained"))
