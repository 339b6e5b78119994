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

What "n times Online Retail" means: own catalogues or a shared one
-------------------------------------------------------------------
With a catalogue per replica (the default above) the data of n shops is n x as many lines, customers and
products, but customers x products grows as n^2: the density (purchased share of the customer x product
matrix) falls as 1/n, scoring every product for every customer grows as n^2, and a recommender fitting n
unrelated shops with one set of factors does worse (NDCG@10 0.086 at 1 x, 0.045 at 50 x). That is a
marketplace of unrelated shops, not a larger Online Retail.

`catalogues=G` groups the replicas onto G catalogues (replica r sells from catalogue r mod G; catalogue 0 is
the original codes, catalogue k >= 1 the codes tagged as above). With G = 1 every replica is new customers of
the same shop: customers grow n x, the products stay those of Online Retail, each replica's customers have
exactly the original's distribution of products per customer, and the density is exactly the original's.
(No replica can grow the catalogue as well without changing one of the two: density = products per customer /
products, so with products per customer kept, more products means a lower density.) G between 1 and n trades
between the two: products grow G x and the density falls G x.

By default the replicas sharing a catalogue are the original customers under new ids: the recommender's task
is Online Retail's with n x the customers (its NDCG stays where it was), while reading, cleaning, the matrix,
ALS and top-k do n x the work, and every time window of the protocol keeps the original's density too.
`swap_share` > 0 makes the replicas differ: every replica after the first on its catalogue relabels its
products, the product codes ranked by popularity (lines the cleaning keeps, ties by code) taken in adjacent
pairs and each pair swapped with probability `swap_share` (seeded by `seed` and r). A relabelling is a
one-to-one map of product codes onto themselves (postage, fees and other non-product codes are never touched):
within each replica the number of products per customer, of customers per product and every cleaning count
stay exactly the original's, while which products a customer buys together changes for the swapped ones.
Summed over replicas a product then sells a mix of its own lines and its popularity neighbour's, so one set of
item factors describes two products and NDCG falls: use it to test robustness, not to measure scaling.
Descriptions and prices travel with their lines.
"""

from __future__ import annotations

import string
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from rec_utils.data.cleaning import drop_reason
from rec_utils.data.online_retail import ONLINE_RETAIL_PATH, to_typed_transactions
from rec_utils.runtime.caches import code_hash, file_sha256, save_cached, stale_reason
from rec_utils.runtime.paths import relative

CUSTOMER_OFFSET = 100_000
MAX_FACTOR = 26 ** 3  # three letters per replica tag


def replica_tag(replica: int) -> str:
    """The StockCode suffix of replica r >= 1: 'x' and r written in three lowercase letters (1 -> 'xaab')."""
    if not 1 <= replica < MAX_FACTOR:
        raise ValueError(f"replica must be between 1 and {MAX_FACTOR - 1}, got {replica}")
    letters = string.ascii_lowercase
    return "x" + letters[replica // 676] + letters[replica // 26 % 26] + letters[replica % 26]


def replica(table: pa.Table, r: int, *, catalogues: int | None = None, swap_share: float = 0.0, seed: int = 0,
            pairs: np.ndarray | None = None) -> pa.Table:
    """Replica `r` of a raw transactions table (the Online Retail columns); r = 0 returns it unchanged.

    catalogues: None, a catalogue per replica (disjoint shops); G >= 1, replica r sells from catalogue r mod G:
    the same products, under new customer ids, relabelled by a popularity-preserving swap of adjacent products
    (share `swap_share`, default none; seeded) when it is not the first replica on that catalogue (see the module
    docstring). pairs: popularity_pairs(table), computed here
    when not given (pass it when making many replicas of one table)."""
    if r == 0:
        return table.replace_schema_metadata(None)
    _check_sharing(catalogues, swap_share)
    catalogue, turn = (r, 0) if catalogues is None else (r % catalogues, r // catalogues)
    columns = {name: table[name] for name in table.column_names}
    codes = pc.utf8_trim_whitespace(table["StockCode"])
    if turn:
        pairs = popularity_pairs(table) if pairs is None else pairs
        codes = _relabel(codes, pairs, swap_share, np.random.default_rng([seed, r]))
    if catalogue:
        codes = pc.binary_join_element_wise(codes, replica_tag(catalogue), "")
    columns["StockCode"] = codes
    columns["InvoiceNo"] = pc.binary_join_element_wise(pc.utf8_trim_whitespace(table["InvoiceNo"]), f"-{r}", "")
    columns["CustomerID"] = pc.add(pc.cast(table["CustomerID"], pa.float64()), float(r * CUSTOMER_OFFSET))
    return pa.table(columns).cast(table.schema.remove_metadata())


def _check_sharing(catalogues: int | None, swap_share: float) -> None:
    if catalogues is not None and (isinstance(catalogues, bool) or not isinstance(catalogues, int)
                                   or not 1 <= catalogues < MAX_FACTOR):
        raise ValueError(f"catalogues must be None (one per replica) or an integer between 1 and {MAX_FACTOR - 1}, "
                         f"got {catalogues!r}")
    if not 0 <= swap_share <= 1:
        raise ValueError(f"swap_share must lie in [0, 1], got {swap_share!r}")


def popularity_pairs(table: pa.Table) -> np.ndarray:
    """The products of a raw transactions table that have lines kept by rec_utils.data.cleaning, ranked by those
    lines (most first, ties by code), in adjacent pairs: shape (n_products // 2, 2), the last of an odd count left
    out. Swapping within pairs maps the kept products onto themselves, so the cleaned data keeps its products."""
    typed = to_typed_transactions(table.to_pandas())
    kept = typed.loc[drop_reason(typed).isna(), "StockCode"]
    counts = kept.value_counts().rename_axis("code").reset_index(name="lines")
    ranked = counts.sort_values(["lines", "code"], ascending=[False, True])["code"].to_numpy(dtype=object)
    return ranked[: len(ranked) // 2 * 2].reshape(-1, 2)


def _relabel(codes: pa.ChunkedArray, pairs: np.ndarray, swap_share: float, rng: np.random.Generator
             ) -> pa.ChunkedArray:
    """`codes` with each pair of products (popularity_pairs) swapped with probability swap_share."""
    swapped = pairs[rng.random(len(pairs)) < swap_share]
    if not len(swapped):
        return codes
    source = pa.array(np.concatenate([swapped[:, 0], swapped[:, 1]]).tolist(), pa.string())
    target = pa.array(np.concatenate([swapped[:, 1], swapped[:, 0]]).tolist(), pa.string())
    position = pc.index_in(codes, value_set=source)
    return pc.if_else(pc.is_null(position), codes, pc.take(target, position))


def _sharing(table: pa.Table, factor: int, catalogues: int | None, swap_share: float, seed: int) -> dict:
    """replica's keyword arguments for `factor` replicas of `table`, the product pairs computed once if needed."""
    relabels = catalogues is not None and factor > catalogues and swap_share > 0
    return {"catalogues": catalogues, "swap_share": swap_share, "seed": seed,
            "pairs": popularity_pairs(table) if relabels else None}


def _check_factor(factor: int) -> None:
    if not isinstance(factor, int) or isinstance(factor, bool) or not 1 <= factor <= MAX_FACTOR:
        raise ValueError(f"factor must be an integer between 1 and {MAX_FACTOR}, got {factor!r}")


def replicate(table: pa.Table, factor: int, *, catalogues: int | None = None, swap_share: float = 0.0,
              seed: int = 0) -> pa.Table:
    """`factor` replicas of `table` stacked (factor * rows lines), in memory: for small inputs and tests.
    catalogues, swap_share, seed: as in `replica`."""
    _check_factor(factor)
    _check_sharing(catalogues, swap_share)
    sharing = _sharing(table, factor, catalogues, swap_share, seed)
    return pa.concat_tables([replica(table, r, **sharing) for r in range(factor)])


def write_replicated(dest: Path, factor: int, source: Path = ONLINE_RETAIL_PATH, *, catalogues: int | None = None,
                     swap_share: float = 0.0, seed: int = 0) -> Path:
    """Write `factor` replicas of the Parquet file `source` to `dest`, one row group per replica
    (catalogues, swap_share, seed: as in `replica`).

    Streams replica by replica, so memory stays at about one copy of the source whatever the factor. The file is
    written atomically, with a manifest (rec_utils.runtime.caches) recording the recipe, the source file's SHA-256,
    this module's code hash and the file's own checksum and rows: an existing `dest` is reused only when all of
    them match, anything else (another source or code, a damaged or unreadable file, no manifest) is written
    again, with one line saying why. Returns dest.
    """
    _check_factor(factor)
    _check_sharing(catalogues, swap_share)
    dest = Path(dest)
    base = pq.read_table(source)
    built_from = {"factor": factor, "catalogues": catalogues, "swap_share": swap_share, "seed": seed,
                  "source_sha256": file_sha256(source), "code": code_hash(sys.modules[__name__])}
    rows = factor * base.num_rows
    if dest.exists():
        reason = stale_reason(dest, built_from)
        if reason is None:
            try:
                if pq.ParquetFile(dest).metadata.num_rows == rows:
                    return dest
                reason = "holds another number of rows than its recipe"
            except (OSError, pa.ArrowInvalid):
                reason = "is unreadable"
        print(f"{relative(dest)} {reason}: written again")
    schema = base.schema.remove_metadata()
    sharing = _sharing(base, factor, catalogues, swap_share, seed)

    def write(tmp: Path) -> None:
        with pq.ParquetWriter(tmp, schema) as writer:
            for r in range(factor):
                writer.write_table(replica(base, r, **sharing).cast(schema))

    return save_cached(dest, write, built_from, details={"rows": rows})
