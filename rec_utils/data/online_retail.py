"""Loading and verifying the Online Retail transaction data.

The embedded default is UCI "Online Retail" (id 352, 541,909 lines, CC BY 4.0) in
data/online_retail.parquet. The larger "Online Retail II" (id 502) has a real
download-and-cache path; offline it fails fast with a clear message.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd

from rec_utils.data.download import download, sha256_of, verify_sha256
from rec_utils.runtime.paths import CACHE_DIR, DATA_DIR

ONLINE_RETAIL_PATH: Path = DATA_DIR / "online_retail.parquet"
ONLINE_RETAIL_SHA256 = "944156f5da4c3b538300db10066834f5bad7c02ea9398cbe84f2ea1ddbb7a522"
ONLINE_RETAIL_II_URL = "https://archive.ics.uci.edu/static/public/502/online+retail+ii.zip"

# Column -> pandas dtype kind it must have: O/T = text, i = integer, f = float, M = datetime.
TRANSACTION_COLUMNS: dict[str, str] = {
    "InvoiceNo": "text",
    "StockCode": "text",
    "Description": "text",
    "Quantity": "integer",
    "InvoiceDate": "datetime",
    "UnitPrice": "number",
    "CustomerID": "number",
    "Country": "text",
}
# Online Retail II names some columns differently.
ONLINE_RETAIL_II_RENAMES = {"Invoice": "InvoiceNo", "Price": "UnitPrice", "Customer ID": "CustomerID"}


class MissingDataFileError(FileNotFoundError):
    """The data file is not where it should be."""


class SchemaError(ValueError):
    """Columns are missing or have the wrong type."""


class EmptyDataError(ValueError):
    """The data holds no rows."""


def _kind_matches(series: pd.Series, kind: str) -> bool:
    if kind == "text":
        return pd.api.types.is_string_dtype(series) or pd.api.types.is_object_dtype(series)
    if kind == "integer":
        return pd.api.types.is_integer_dtype(series)
    if kind == "number":
        return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
    if kind == "datetime":
        return pd.api.types.is_datetime64_any_dtype(series)
    raise ValueError(f"unknown column kind {kind!r}")


def validate_transactions(df: pd.DataFrame, source: str = "data") -> None:
    """Raise SchemaError listing every missing or mistyped column, EmptyDataError if no rows."""
    missing = [c for c in TRANSACTION_COLUMNS if c not in df.columns]
    mistyped = [
        f"{c} is {df[c].dtype}, expected {kind}"
        for c, kind in TRANSACTION_COLUMNS.items()
        if c in df.columns and not _kind_matches(df[c], kind)
    ]
    problems = ([f"missing columns: {', '.join(missing)}"] if missing else []) + mistyped
    if problems:
        raise SchemaError(f"{source}: " + "; ".join(problems))
    if len(df) == 0:
        raise EmptyDataError(f"{source}: no rows")


def to_typed_transactions(df: pd.DataFrame) -> pd.DataFrame:
    """Typed copy: text columns as pandas strings with the literal "nan" made missing,
    Quantity int64, UnitPrice float64, CustomerID nullable Int64, InvoiceDate datetime64."""
    out = df[list(TRANSACTION_COLUMNS)].copy()
    for col in ("InvoiceNo", "StockCode", "Description", "Country"):
        out[col] = out[col].astype("string").str.strip()
    out["Description"] = out["Description"].mask(out["Description"].str.lower() == "nan")
    out["Quantity"] = out["Quantity"].astype("int64")
    out["UnitPrice"] = out["UnitPrice"].astype("float64")
    out["CustomerID"] = out["CustomerID"].astype("Int64")
    out["InvoiceDate"] = pd.to_datetime(out["InvoiceDate"]).astype("datetime64[ns]")
    return out


def read_transactions(path: Path, expected_sha256: str | None = None) -> pd.DataFrame:
    """Read a transactions Parquet file: existence, checksum, schema, then typing."""
    path = Path(path)
    if not path.is_file():
        raise MissingDataFileError(
            f"data file not found: {path}. The embedded copy ships with the repository "
            "(data/online_retail.parquet); restore it with `git checkout -- data/`."
        )
    if expected_sha256:
        verify_sha256(path, expected_sha256)
    df = pd.read_parquet(path)
    validate_transactions(df, source=path.name)
    return to_typed_transactions(df)


def load_online_retail(path: Path | None = None, *, verify: bool = True) -> pd.DataFrame:
    """The embedded UCI Online Retail data set, verified and typed.

    Returns one row per invoice line (541,909 for the embedded file) with columns
    InvoiceNo, StockCode, Description (missing where the source holds "nan"),
    Quantity, InvoiceDate, UnitPrice, CustomerID (nullable Int64), Country.
    `verify` checks the SHA-256 of the embedded file; pass a `path` to read another
    file of the same schema (then only its schema is checked).
    """
    if path is None:
        return read_transactions(ONLINE_RETAIL_PATH, ONLINE_RETAIL_SHA256 if verify else None)
    return read_transactions(Path(path))


def fetch_online_retail_ii(
    cache_dir: Path = CACHE_DIR,
    *,
    url: str = ONLINE_RETAIL_II_URL,
    expected_sha256: str | None = None,
    timeout_s: float = 10.0,
) -> Path:
    """Download UCI Online Retail II (id 502), verify it and convert it to Parquet.

    The zip is cached in `cache_dir`; its SHA-256 is checked against `expected_sha256`
    when given, otherwise recorded beside it on first download and checked on every
    later call (so a changed or corrupted cache is caught). The Excel workbook inside
    (one sheet per year) is converted once to `online_retail_ii.parquet` with the
    Online Retail column names. Returns the Parquet path. Offline: DownloadError
    within about `timeout_s` seconds.
    """
    cache_dir = Path(cache_dir)
    parquet = cache_dir / "online_retail_ii.parquet"
    archive = cache_dir / "online_retail_ii.zip"
    recorded = cache_dir / "online_retail_ii.zip.sha256"
    if expected_sha256 is None and recorded.exists():
        expected_sha256 = recorded.read_text().split()[0]
    download(url, archive, expected_sha256=expected_sha256, timeout_s=timeout_s)
    if not recorded.exists():
        recorded.write_text(f"{sha256_of(archive)}  {archive.name}\n")
    if parquet.exists():
        return parquet
    if not zipfile.is_zipfile(archive):
        raise SchemaError(f"{archive.name} is not a zip archive; delete it and download again")
    with zipfile.ZipFile(archive) as zf:
        workbooks = [n for n in zf.namelist() if n.lower().endswith(".xlsx")]
        if not workbooks:
            raise SchemaError(f"{archive.name} holds no .xlsx workbook: {zf.namelist()}")
        with zf.open(workbooks[0]) as fh:
            sheets = pd.read_excel(fh, sheet_name=None, dtype={"Invoice": str, "StockCode": str})
    frame = pd.concat(sheets.values(), ignore_index=True).rename(columns=ONLINE_RETAIL_II_RENAMES)
    validate_transactions(frame, source=workbooks[0])
    to_typed_transactions(frame).to_parquet(parquet, index=False)
    return parquet


def load_online_retail_ii(cache_dir: Path = CACHE_DIR, **fetch_kwargs) -> pd.DataFrame:
    """Online Retail II as typed transactions (downloads and converts on first use)."""
    return read_transactions(fetch_online_retail_ii(cache_dir, **fetch_kwargs))
