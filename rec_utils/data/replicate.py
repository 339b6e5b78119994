"""Scale-up generator: Online Retail multiplied n times, for measuring how a pipeline grows with the data.

Replica r = 0 is the file unchanged; replica r >= 1 is every line again with

    CustomerID  + r * 100,000        (the real ids are 12346-18287, so replicas never share a customer)
    StockCode   stripped, + "x" + r in three lowercase letters   (85123A -> 85123Axaab for r = 1)
    InvoiceNo   stripped, + "-" + r  (C536379 -> C536379-1: still a cancellation)

and everything else (dates, quantities, prices, descriptions, countries) unchanged. So each replica is a
shop with its own customers and its own catalogue, selling on the same calendar: the seasonal structure
(the autumn peak, weekdays, hours) is kept exactly, and customers x products grows as n^2 while the
purchases grow as n, the way a marketplace grows by adding shops.

The cleaning rules of rec_utils.data.cleaning give every replica line the reason of its original: a code
with letters appended is a product code exactly when the original is one, invoice numbers keep their
'C' prefix, and lines of different replicas are never exact duplicates. At n x, every per-reason count of
the accounting is n times its value at 1 x (tests/unit/test_spark_scale.py checks it).
"""

from __future__ import annotations

import string
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from rec_utils.data.online_retail import ONLINE_RETAIL_PATH
from rec_utils.runtime.io import atomic_path

CUSTOMER_OFFSET = 100_000
MAX_FACTOR = 26 ** 3  # three letters per replica tag


def replica_tag(replica: int) -> str:
    """The StockCode suffix of replica r >= 1: 'x' and r written in three lowercase letters (1 -> 'xaab')."""
    if not 1 <= replica < MAX_FACTOR:
        raise ValueError(f"replica must be between 1 and {MAX_FACTOR - 1}, got {replica}")
    letters = string.ascii_lowercase
    return "x" + letters[replica // 676] + letters[replica // 26 % 26] + letters[replica % 26]


def replica(table: pa.Table, r: int) -> pa.Table:
    """Replica `r` of a raw transactions table (the Online Retail columns); r = 0 returns it unchanged."""
    if r == 0:
        return table.replace_schema_metadata(None)
    tag = replica_tag(r)
    columns = {name: table[name] for name in table.column_names}
    columns["StockCode"] = pc.binary_join_element_wise(pc.utf8_trim_whitespace(table["StockCode"]), tag, "")
    columns["InvoiceNo"] = pc.binary_join_element_wise(pc.utf8_trim_whitespace(table["InvoiceNo"]), f"-{r}", "")
    columns["CustomerID"] = pc.add(pc.cast(table["CustomerID"], pa.float64()), float(r * CUSTOMER_OFFSET))
    return pa.table(columns).cast(table.schema.remove_metadata())


def _check_factor(factor: int) -> None:
    if not isinstance(factor, int) or isinstance(factor, bool) or not 1 <= factor <= MAX_FACTOR:
        raise ValueError(f"factor must be an integer between 1 and {MAX_FACTOR}, got {factor!r}")


def replicate(table: pa.Table, factor: int) -> pa.Table:
    """`factor` replicas of `table` stacked (factor * rows lines), in memory: for small inputs and tests."""
    _check_factor(factor)
    return pa.concat_tables([replica(table, r) for r in range(factor)])


def write_replicated(dest: Path, factor: int, source: Path = ONLINE_RETAIL_PATH) -> Path:
    """Write `factor` replicas of the Parquet file `source` to `dest`, one row group per replica.

    Streams replica by replica, so memory stays at about one copy of the source whatever the factor.
    The file is written atomically; an existing `dest` with the expected number of rows is reused.
    Returns dest.
    """
    _check_factor(factor)
    dest = Path(dest)
    base = pq.read_table(source)
    if dest.exists():
        try:
            if pq.ParquetFile(dest).metadata.num_rows == factor * base.num_rows:
                return dest
        except (OSError, pa.ArrowInvalid):
            pass  # unreadable: written again below
    schema = base.schema.remove_metadata()
    with atomic_path(dest) as tmp:
        with pq.ParquetWriter(tmp, schema) as writer:
            for r in range(factor):
                writer.write_table(replica(base, r).cast(schema))
    return dest
