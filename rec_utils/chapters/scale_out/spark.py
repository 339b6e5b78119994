"""The Online Retail pipeline on Apache Spark, step for step the same as the pandas/numpy path.

    protocol = Protocol("2011-11-10", validation_days=30, test_days=30, task="new_items")
    with spark_session("local[*]", driver_memory="2g", partitions=8) as spark:
        raw = spark_transactions(spark)                        # typed like rec_utils.data.load_online_retail
        clean, accounting = spark_clean(raw)                   # rec_utils.data.cleaning's rules and accounting
        data = spark_split(protocol, clean, "test")            # protocol.split(...).data, in Spark
        model = fit_spark_als(data.train, rank=32, alpha=10.0, regularization=0.1, n_iterations=10)
        lists = spark_top_k(data, model.userFactors, model.itemFactors, k=10)
        spark_ranking_metrics(lists, data.test, k=10)          # RankingEvaluator, plus the hit rate

This module reads, cleans and splits; the session comes from the session module, the model, lists and metrics from
spark_ranking.

Everything runs where `spark_master` says: "local[*]" (all cores of this machine), "local[2]", or a
cluster ("spark://host:7077", "yarn", "k8s://..."); then the Parquet path must be readable by every
executor and the executors need the same Python packages (rec_utils included, for the top-K kernel).

The evaluation protocol is rec_utils.evaluation.protocol.Protocol, the one every ranking notebook uses
(one global time cut, a validation window before it, a test window after it, a task). Shapes and meanings
match protocol.split(...).data (rec_utils.data.interactions.window_interactions): users are the history's
customers sorted by CustomerID (index 0..n_users-1), items the history's products sorted by StockCode;
`train` holds the number of distinct invoices per (user, item); `test` the (user, item) pairs bought in the
window (for the task 'new_items' only those new to the user), products unseen in the history dropped.

Spark's JVM writes its log (start-up banners, warnings, stage progress) to a file, never to the
notebook: the session's `spark.interest_lab.jvmLog` setting names it while the session runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from rec_utils.chapters.scale_out.spark_index import dense_sorted_index
from rec_utils.data.cleaning import DROP_REASONS, PRODUCT_CODE_PATTERN
from rec_utils.data.download import verify_sha256
from rec_utils.data.online_retail import (
    ONLINE_RETAIL_PATH,
    ONLINE_RETAIL_SHA256,
    TRANSACTION_COLUMNS,
    MissingDataFileError,
    SchemaError,
)
from rec_utils.evaluation.protocol import Protocol

_TEXT_COLUMNS = ("InvoiceNo", "StockCode", "Description", "Country")


def spark_transactions(spark: SparkSession, path: Path | None = None, *, verify: bool = True) -> DataFrame:
    """The transactions Parquet file (default: the embedded Online Retail) typed as load_online_retail types it.

    Text columns stripped of surrounding whitespace, the literal "nan" in Description made null, Quantity
    long, UnitPrice double, CustomerID long (NaN -> null), InvoiceDate a timestamp (UTC). `verify` checks
    the embedded file's SHA-256. Raises MissingDataFileError, SchemaError.
    """
    path = ONLINE_RETAIL_PATH if path is None else Path(path)
    if not path.exists():
        raise MissingDataFileError(f"data file not found: {path.name}")
    if verify and path.resolve() == ONLINE_RETAIL_PATH.resolve():
        verify_sha256(path, ONLINE_RETAIL_SHA256)
    df = spark.read.parquet(str(path))
    missing = [c for c in TRANSACTION_COLUMNS if c not in df.columns]
    if missing:
        raise SchemaError(f"{path.name}: missing columns: {', '.join(missing)}")
    typed = {c: F.regexp_replace(F.col(c).cast("string"), r"^\s+|\s+$", "") for c in _TEXT_COLUMNS}
    typed["Description"] = F.when(F.lower(typed["Description"]) == "nan", None).otherwise(typed["Description"])
    customer = F.col("CustomerID").cast("double")
    date_type = df.schema["InvoiceDate"].dataType
    if isinstance(date_type, T.LongType):  # nanoseconds since the epoch (see session_conf)
        date = F.timestamp_micros(F.floor(F.col("InvoiceDate") / 1000).cast("long"))
    else:
        date = F.col("InvoiceDate").cast("timestamp")
    return df.select(
        typed["InvoiceNo"].alias("InvoiceNo"), typed["StockCode"].alias("StockCode"),
        typed["Description"].alias("Description"), F.col("Quantity").cast("long").alias("Quantity"),
        date.alias("InvoiceDate"), F.col("UnitPrice").cast("double").alias("UnitPrice"),
        F.when(F.isnan(customer), None).otherwise(customer).cast("long").alias("CustomerID"),
        typed["Country"].alias("Country"),
    )


def drop_reason_column() -> F.Column:
    """The first applicable reason of rec_utils.data.cleaning.DROP_REASONS after exact duplicates (null = kept)."""
    checks = {
        "cancellation": F.coalesce(F.upper(F.col("InvoiceNo")).startswith("C"), F.lit(False)),
        "missing_customer": F.col("CustomerID").isNull(),
        "non_positive_quantity": F.col("Quantity") <= 0,
        "non_positive_price": F.col("UnitPrice") <= 0,
        "missing_description": F.col("Description").isNull(),
        "non_product_code": ~F.coalesce(F.col("StockCode").rlike(PRODUCT_CODE_PATTERN), F.lit(False)),
    }
    if list(checks) != list(DROP_REASONS)[1:]:
        raise RuntimeError("the Spark cleaning rules are out of step with rec_utils.data.cleaning.DROP_REASONS")
    reason = F.when(checks["cancellation"], "cancellation")
    for name, check in list(checks.items())[1:]:
        reason = reason.when(check, name)
    return reason


def spark_clean(raw: DataFrame) -> tuple[DataFrame, pd.DataFrame]:
    """Drop unusable lines and account for each one, by the rules of rec_utils.data.cleaning.

    Exact duplicates are identical in every column, so counting the copies of each distinct line and
    checking the other reasons once per distinct line gives the counts of the pandas rule ("the first
    reason that applies"), in one pass over the data. Returns (clean, accounting): clean holds the kept
    lines with Revenue = Quantity * UnitPrice (cached; row order is not defined in Spark); accounting is
    the pandas table of clean_transactions (rows, share, meaning per reason, then kept and rows_in).
    """
    distinct = (raw.groupBy(*raw.columns).agg(F.count("*").alias("_copies"))
                .withColumn("_reason", drop_reason_column()).cache())
    counts = {row["_reason"]: (row["lines"], row["copies"]) for row in
              distinct.groupBy("_reason").agg(F.count("*").alias("lines"), F.sum("_copies").alias("copies")).collect()}
    rows_in = sum(copies for _, copies in counts.values())
    if rows_in == 0:
        raise ValueError("spark_clean: no rows to clean")
    rows = {reason: counts.get(reason, (0, 0))[0] for reason in DROP_REASONS}
    rows["exact_duplicate"] = rows_in - sum(lines for lines, _ in counts.values())
    rows = pd.Series({**rows, "kept": counts.get(None, (0, 0))[0], "rows_in": rows_in}, dtype="int64")
    accounting = pd.DataFrame({"rows": rows, "share": rows / rows_in,
                               "meaning": [*DROP_REASONS.values(), "rows kept for analysis", "rows read"]})
    accounting.index.name = "reason"
    clean = (distinct.filter(F.col("_reason").isNull()).drop("_reason", "_copies")
             .withColumn("Revenue", F.col("Quantity") * F.col("UnitPrice")))
    return clean, accounting


def _micros(when: pd.Timestamp) -> int:
    """Microseconds since the epoch of a (naive, UTC) timestamp, as Spark's unix_micros counts them."""
    return int(pd.Timestamp(when).value // 1000)


def spark_window_split(transactions: DataFrame, start: pd.Timestamp | str, days: int) -> tuple[DataFrame, DataFrame]:
    """rec_utils.data.split.time_window_split on a Spark DataFrame: (history, window) = the lines before
    `start` and those with start <= InvoiceDate < start + `days` days; the same ValueErrors (a window of
    less than a day, an empty history, a window ending after the day after the last invoice)."""
    start = pd.Timestamp(start)
    if days < 1:
        raise ValueError(f"a window needs at least one day, got {days}")
    end = start + pd.Timedelta(days=days)
    micros = F.unix_micros(F.col("InvoiceDate"))
    last, n_history = transactions.agg(F.max(micros), F.sum(F.when(micros < _micros(start), 1).otherwise(0))).first()
    if last is None or not n_history:
        raise ValueError(f"no transaction before {start:%Y-%m-%d}: nothing to train on")
    data_end = pd.Timestamp(last, unit="us").normalize() + pd.Timedelta(days=1)
    if end > data_end:
        raise ValueError(f"the window {start:%Y-%m-%d} + {days} days ends after the data "
                         f"(last invoice day {data_end - pd.Timedelta(days=1):%Y-%m-%d})")
    history = transactions.filter(micros < _micros(start))
    return history, transactions.filter((micros >= _micros(start)) & (micros < _micros(end)))


@dataclass
class SparkInteractions:
    """The Spark counterpart of rec_utils.data.interactions.Interactions (see the module docstring).

    users: (CustomerID, user); items: (StockCode, item); train: (user, item, n_invoices);
    test: (user, item), relevant held-out items; n_users, n_items: sizes of the index ranges;
    new_items_only: test holds only items new to the user, and top-K leaves the user's purchases out
    (the protocol's 'new_items' task; EvaluationSplit.exclude).
    """

    users: DataFrame
    items: DataFrame
    train: DataFrame
    test: DataFrame
    n_users: int
    n_items: int
    new_items_only: bool = True

    def to_scipy(self) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """(train counts, test relevance) as (n_users, n_items) CSR matrices, for comparing with numpy."""
        shape = (self.n_users, self.n_items)
        train = self.train.toPandas()
        test = self.test.toPandas()
        train_m = sp.csr_matrix((train["n_invoices"].to_numpy(float), (train["user"], train["item"])), shape=shape)
        test_m = sp.csr_matrix((np.ones(len(test)), (test["user"], test["item"])), shape=shape)
        return train_m, test_m


def spark_interactions(history: DataFrame, window: DataFrame, *, new_items_only: bool = True) -> SparkInteractions:
    """Indices, purchase counts and held-out items of the history's customers and products (as
    rec_utils.data.interactions.window_interactions): train from `history`, test from `window`, only
    items new to the customer with `new_items_only`. The tables are cached for reuse."""
    users = dense_sorted_index(history, "CustomerID", "user")  # cached; no single-partition window
    items = dense_sorted_index(history, "StockCode", "item")

    def pairs(frame: DataFrame) -> DataFrame:
        return (frame.select("CustomerID", "StockCode", "InvoiceNo").distinct()
                .join(users, "CustomerID").join(items, "StockCode")
                .groupBy("user", "item").agg(F.count("*").alias("n_invoices")))

    train_pairs = pairs(history).cache()
    test_pairs = pairs(window).select("user", "item")
    if new_items_only:
        test_pairs = test_pairs.join(train_pairs, ["user", "item"], "left_anti")
    return SparkInteractions(users, items, train_pairs, test_pairs.cache(), users.count(), items.count(),
                             new_items_only)


def spark_split(protocol: Protocol, transactions: DataFrame, stage: str) -> SparkInteractions:
    """The Spark counterpart of `protocol.split(transactions, stage).data`: the stage's history and window
    (rec_utils.evaluation.protocol.Protocol's global cut and windows) as SparkInteractions, held-out items
    new to the customer for the task 'new_items', every bought item for 'next_basket'."""
    history, window = spark_window_split(transactions, *protocol.window(stage))
    return spark_interactions(history, window, new_items_only=protocol.task == "new_items")


