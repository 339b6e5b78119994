"""Cleaning Online Retail transactions with a balanced accounting of every dropped row.

Each row is assigned to the *first* reason in DROP_REASONS that applies to it, so the
reasons partition the dropped rows: rows in = rows kept + sum of rows per reason.
"""

from __future__ import annotations

import pandas as pd

PRODUCT_CODE_PATTERN = r"^\d{5}[A-Za-z]*$"  # e.g. 85123A; POST, DOT, M, BANK CHARGES are not products

# reason -> what it means, in the order reasons are checked
DROP_REASONS: dict[str, str] = {
    "exact_duplicate": "identical to an earlier line in every column",
    "cancellation": "InvoiceNo starts with 'C' (a cancelled order)",
    "missing_customer": "no CustomerID (guest checkout): cannot be tied to a person",
    "non_positive_quantity": "Quantity <= 0 (returns and stock adjustments)",
    "non_positive_price": "UnitPrice <= 0 (free items, bad debt adjustments)",
    "missing_description": "Description missing",
    "non_product_code": "StockCode is postage, fees or manual entries, not a product",
}


def drop_reason(df: pd.DataFrame) -> pd.Series:
    """Per row, the first applicable reason in DROP_REASONS, or missing when the row is kept."""
    checks = {
        "exact_duplicate": df.duplicated(keep="first"),
        "cancellation": df["InvoiceNo"].str.upper().str.startswith("C").fillna(False),
        "missing_customer": df["CustomerID"].isna(),
        "non_positive_quantity": df["Quantity"] <= 0,
        "non_positive_price": df["UnitPrice"] <= 0,
        "missing_description": df["Description"].isna(),
        "non_product_code": ~df["StockCode"].str.match(PRODUCT_CODE_PATTERN).fillna(False),
    }
    reason = pd.Series(pd.NA, index=df.index, dtype="string")
    for name in reversed(list(DROP_REASONS)):  # earlier reasons overwrite later ones
        reason = reason.mask(checks[name].astype(bool), name)
    return reason


def clean_transactions(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Drop unusable lines and account for each one.

    Input: typed transactions (see rec_utils.data.load_online_retail).
    Returns (clean, accounting): `clean` holds the kept rows (index reset) with an added
    `Revenue` = Quantity * UnitPrice; `accounting` has one row per reason plus `kept`
    and `rows_in`, columns `rows`, `share` (of rows in) and `meaning`.
    """
    if len(df) == 0:
        raise ValueError("clean_transactions: no rows to clean")
    reason = drop_reason(df)
    counts = reason.value_counts().reindex(list(DROP_REASONS), fill_value=0)
    clean = df[reason.isna()].reset_index(drop=True)
    clean["CustomerID"] = clean["CustomerID"].astype("int64")
    clean["Revenue"] = clean["Quantity"] * clean["UnitPrice"]
    accounting = pd.DataFrame(
        {
            "rows": [*counts.to_list(), len(clean), len(df)],
            "meaning": [*DROP_REASONS.values(), "rows kept for analysis", "rows read"],
        },
        index=pd.Index([*DROP_REASONS, "kept", "rows_in"], name="reason"),
    )
    accounting["rows"] = accounting["rows"].astype("int64")
    accounting.insert(1, "share", accounting["rows"] / len(df))
    return clean, accounting


def accounting_balances(accounting: pd.DataFrame) -> bool:
    """True when rows_in equals kept plus every drop reason."""
    rows = accounting["rows"]
    return int(rows["rows_in"]) == int(rows["kept"]) + int(rows[list(DROP_REASONS)].sum())


def fillna_zero_effects(df: pd.DataFrame) -> pd.DataFrame:
    """What the article's `fillna(0)` does to this data, as a small table.

    Filling missing CustomerID with 0 invents one "customer 0" holding every guest
    checkout, who then becomes the largest customer by far; a zero price already
    means something (free or adjustment lines), so 0 cannot also stand for "unknown".
    """
    filled_ids = df["CustomerID"].fillna(0)
    lines_per_customer = filled_ids.value_counts()
    largest_real = int(lines_per_customer.drop(0, errors="ignore").iloc[0])
    rows = {
        "lines given CustomerID 0": int((filled_ids == 0).sum()),
        "rank of 'customer 0' by lines": int((lines_per_customer > lines_per_customer.get(0, 0)).sum() + 1),
        "lines of the largest real customer": largest_real,
        "descriptions turned into 0": int(df["Description"].isna().sum()),
        "lines that already had UnitPrice 0": int((df["UnitPrice"] == 0).sum()),
    }
    return pd.DataFrame({"value": rows}).rename_axis("after fillna(0)")
