"""Dense ids in sorted key order on Spark, without moving every key into one partition.

    users = dense_sorted_index(history, "CustomerID", "user")   # (CustomerID, user), user = 0 .. n-1 by CustomerID

`row_number().over(Window.orderBy(key))` numbers the keys in one task (Spark plans `Exchange SinglePartition`):
the one step of a pipeline that cannot grow with the cluster. Here the distinct keys are cut into key ranges at
boundaries read from a sample, each range is numbered by a window partitioned by range (one task per range), and
a range's first id is the number of keys in the ranges before it. The ids are those of the global window: 0 ..
n-1 in sorted key order (nulls first, as Spark sorts them).

Every step depends on the key values only, never on how Spark happened to partition or order rows (which may
change when a stage is recomputed): the sample is the keys whose 64-bit hash is a multiple of a stride, so the
boundaries, the ranges and their counts are the same however often they are computed.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

SAMPLE_PER_RANGE = 64  # sampled keys per range: enough for ranges of about equal size
RANGE = "_key_range"


def range_column(key: str, boundaries: list) -> F.Column:
    """Range number of `key`: how many of the sorted `boundaries` are <= it (0 .. len(boundaries)); null keys 0."""
    column = F.col(key)
    return sum((F.when(column >= F.lit(b), 1).otherwise(0) for b in boundaries), F.lit(0))


def range_boundaries(keys: DataFrame, key: str, n_keys: int, n_ranges: int) -> list:
    """At most n_ranges - 1 increasing key values that cut the distinct `keys` into ranges of about equal size,
    from the keys whose hash is a multiple of a stride (about SAMPLE_PER_RANGE of them per range)."""
    stride = max(1, n_keys // (n_ranges * SAMPLE_PER_RANGE))
    sample = [row[0] for row in keys.where(F.pmod(F.xxhash64(key), F.lit(stride)) == 0).where(F.col(key).isNotNull())
              .orderBy(key).collect()]
    cuts = [sample[len(sample) * i // n_ranges] for i in range(1, n_ranges)] if sample else []
    return list(dict.fromkeys(cuts))  # increasing already; a repeated cut would only give an empty range


def dense_sorted_index(frame: DataFrame, key: str, name: str, n_ranges: int | None = None) -> DataFrame:
    """Distinct values of `key` in `frame` with column `name` (int): 0 .. n-1 in sorted key order.

    n_ranges (default: spark.sql.shuffle.partitions) ranges are numbered in parallel (n_ranges = 1 is the global
    window again). The result is cached and computed before it is returned (the keys' own cache is released)."""
    spark = frame.sparkSession
    n_ranges = n_ranges or int(spark.conf.get("spark.sql.shuffle.partitions"))
    if n_ranges < 1:
        raise ValueError(f"n_ranges must be a positive integer, got {n_ranges!r}")
    keys = frame.select(key).distinct().cache()
    try:
        boundaries = range_boundaries(keys, key, keys.count(), n_ranges)
        ranged = keys.withColumn(RANGE, range_column(key, boundaries))
        counts = dict(ranged.groupBy(RANGE).count().collect())
        offsets, total = [], 0
        for r in range(len(boundaries) + 1):
            offsets.append(total)
            total += counts.get(r, 0)
        first_id = F.element_at(F.array(*[F.lit(o) for o in offsets]), F.col(RANGE) + 1)
        within = F.row_number().over(Window.partitionBy(RANGE).orderBy(key)) - 1
        indexed = ranged.withColumn(name, (first_id + within).cast("int")).drop(RANGE).cache()
        indexed.count()
    finally:
        keys.unpersist()
    return indexed
