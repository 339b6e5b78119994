"""Loading and verifying the Online Retail transaction data.

The embedded default is UCI "Online Retail" (id 352, 541,909 lines, CC BY 4.0) in
data/online_retail.parquet, checked against the SHA-256 pinned here. The larger "Online Retail II"
(id 502) has a real download-and-cache path; offline it fails fast with a clear message. UCI publishes
no checksum for that archive, so the trust point is the first archive that *converts* (a zip holding a
workbook with the right columns), not the first download: its SHA-256 is then recorded in
data/cache/online_retail_ii.zip.sha256 and every later archive must match it.
"""

from __future__ import annotations

import hashlib
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pyarrow as pa

from rec_utils.data.download import ChecksumMismatchError, download, sha256_of, verify_sha256
from rec_utils.runtime.caches import code_hash, read_cached, save_cached
from rec_utils.runtime.io import file_lock, write_text_atomic
from rec_utils.runtime.paths import CACHE_DIR, DATA_DIR, relative

ONLINE_RETAIL_PATH: Path = DATA_DIR / "online_retail.parquet"
ONLINE_RETAIL_SHA256 = "944156f5da4c3b538300db10066834f5bad7c02ea9398cbe84f2ea1ddbb7a522"
ONLINE_RETAIL_DAYS = ("2010-12-01", "2011-12-09")  # first and last invoice day of the embedded data
ONLINE_RETAIL_II_URL = "https://archive.ics.uci.edu/static/public/502/online+retail+ii.zip"
# The data files ship with the repository: a damaged copy is restored from git, not downloaded.
EMBEDDED_HINT = "it ships with the repository: restore it with `git checkout -- data/`"

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
    """The data holds no rows (or the file no bytes)."""


class UnreadableDataError(ValueError):
    """The file exists but is not a readable Parquet file (damaged, truncated, or another format)."""


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
    if "CustomerID" in df.columns and "CustomerID" not in mistyped and _kind_matches(df["CustomerID"], "number"):
        ids = df["CustomerID"].dropna()
        fractional = ids[ids % 1 != 0]
        if len(fractional):
            example = float(fractional.iloc[0])
            mistyped.append(f"CustomerID has {len(fractional):,} fractional values (e.g. {example:g}), "
                            "expected whole customer numbers")
    problems = ([f"missing columns: {', '.join(missing)}"] if missing else []) + mistyped
    if problems:
        raise SchemaError(f"{source}: " + "; ".join(problems))
    if len(df) == 0:
        raise EmptyDataError(f"{source}: no rows")
    if df["InvoiceDate"].isna().all():
        raise SchemaError(f"{source}: InvoiceDate holds no valid dates (all {len(df):,} rows are missing one)")


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


def read_transactions(path: Path, expected_sha256: str | None = None, *,
                      checksum_hint: str = EMBEDDED_HINT) -> pd.DataFrame:
    """Read a transactions Parquet file: existence, checksum (a mismatch says `checksum_hint`), readable Parquet,
    schema, typing. Named errors: MissingDataFileError, EmptyDataError (0 bytes or no rows), UnreadableDataError,
    SchemaError (missing or mistyped columns, no valid InvoiceDate). The frame's attrs["source_sha256"] records
    the file's SHA-256 and attrs["content_sha256"] a hash of the typed rows (what built the processed tables)."""
    path = Path(path)
    if not path.is_file():
        raise MissingDataFileError(
            f"data file not found: {path}. The embedded copy ships with the repository "
            "(data/online_retail.parquet); restore it with `git checkout -- data/`."
        )
    if path.stat().st_size == 0:
        raise EmptyDataError(f"{path.name} is empty (0 bytes): expected a Parquet file of transactions")
    if expected_sha256:
        verify_sha256(path, expected_sha256, hint=checksum_hint)
    try:
        df = pd.read_parquet(path)
    except (pa.ArrowException, OSError, ValueError) as error:
        raise UnreadableDataError(f"{path.name} is not a readable Parquet file ({type(error).__name__}: {error}); "
                                  "expected the Online Retail columns in Parquet") from None
    validate_transactions(df, source=path.name)
    typed = to_typed_transactions(df)
    typed.attrs.update(source_sha256=(expected_sha256 or sha256_of(path)).lower(), content_sha256=frame_sha256(typed))
    return typed


def frame_sha256(frame: pd.DataFrame) -> str:
    """SHA-256 of a frame's rows, index and column names (pandas' row hashes, so equal frames hash equally)."""
    rows = pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes()
    return hashlib.sha256(rows + "\0".join(map(str, frame.columns)).encode()).hexdigest()


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
    deadline_s: float = 900.0,
) -> Path:
    """Download UCI Online Retail II (id 502), verify it and convert it to Parquet; return the Parquet path.

    The zip is cached in `cache_dir`. Its SHA-256 must equal `expected_sha256` when given, otherwise the
    hash recorded in `online_retail_ii.zip.sha256` at the first successful conversion. An archive that
    does not convert (not a zip, no workbook, wrong columns: e.g. an error page served with status 200) is
    deleted and nothing is recorded, so one bad download cannot poison later ones. The workbook (one
    sheet per year) is converted once, atomically, to `online_retail_ii.parquet` with the Online Retail
    column names (with a manifest: a conversion of another archive, by other code, or damaged is redone).
    Offline: DownloadError within about `timeout_s` seconds; the whole transfer is limited to `deadline_s`.
    """
    cache_dir = Path(cache_dir)
    parquet = cache_dir / "online_retail_ii.parquet"
    archive = cache_dir / "online_retail_ii.zip"
    record = cache_dir / "online_retail_ii.zip.sha256"
    with file_lock(cache_dir / "online_retail_ii"):
        recorded = record.read_text().split()[0] if expected_sha256 is None and record.exists() else None
        try:
            download(url, archive, expected_sha256=expected_sha256 or recorded, timeout_s=timeout_s,
                     deadline_s=deadline_s)
        except ChecksumMismatchError as exc:
            if recorded is None:
                raise
            raise ChecksumMismatchError(
                archive, exc.expected, exc.actual,
                f"the expected hash is the one recorded in {relative(record)} when the archive was first converted. "
                f"If UCI published a new version, delete {relative(record)} and {archive.name} and fetch again",
            ) from None
        built_from = {"archive_sha256": sha256_of(archive), "code": code_hash(sys.modules[__name__])}
        if read_cached(parquet, lambda p: pd.read_parquet(p, columns=["InvoiceNo"]), built_from,
                       what="converted file") is None:
            try:
                frame = _read_workbook(archive)
            except SchemaError:
                archive.unlink()
                raise
            save_cached(parquet, lambda tmp: frame.to_parquet(tmp, index=False), built_from)
        if expected_sha256 is None and not record.exists():
            write_text_atomic(record, f"{sha256_of(archive)}  {archive.name}\n")
    return parquet


def _read_workbook(archive: Path) -> pd.DataFrame:
    """Typed transactions from the Online Retail II archive; SchemaError when it is not that archive."""
    if not zipfile.is_zipfile(archive):
        raise SchemaError(f"{archive.name} is not a zip archive (the server sent something else, e.g. an error page); "
                          "it was deleted: fetch again later")
    with zipfile.ZipFile(archive) as zf:
        workbooks = [n for n in zf.namelist() if n.lower().endswith(".xlsx")]
        if not workbooks:
            raise SchemaError(f"{archive.name} holds no .xlsx workbook: {zf.namelist()}; it was deleted")
        with zf.open(workbooks[0]) as fh:
            sheets = pd.read_excel(fh, sheet_name=None, dtype={"Invoice": str, "StockCode": str})
    frame = pd.concat(sheets.values(), ignore_index=True).rename(columns=ONLINE_RETAIL_II_RENAMES)
    validate_transactions(frame, source=workbooks[0])
    return to_typed_transactions(frame)


def load_online_retail_ii(cache_dir: Path = CACHE_DIR, **fetch_kwargs) -> pd.DataFrame:
    """Online Retail II as typed transactions (downloads and converts on first use)."""
    return read_transactions(fetch_online_retail_ii(cache_dir, **fetch_kwargs))
