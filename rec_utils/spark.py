"""The Online Retail pipeline on Apache Spark, step for step the same as the pandas/numpy path.

    protocol = Protocol("2011-11-10", validation_days=30, test_days=30, task="new_items")
    with spark_session("local[*]", driver_memory="2g", partitions=8) as spark:
        raw = spark_transactions(spark)                        # typed like rec_utils.data.load_online_retail
        clean, accounting = spark_clean(raw)                   # rec_utils.data.cleaning's rules and accounting
        data = spark_split(protocol, clean, "test")            # protocol.split(...).data, in Spark
        model = fit_spark_als(data.train, rank=32, alpha=10.0, regularization=0.1, n_iterations=10)
        lists = spark_top_k(data, model.userFactors, model.itemFactors, k=10)
        spark_ranking_metrics(lists, data.test, k=10)          # RankingEvaluator, plus the hit rate

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

import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from pyspark import SparkConf, SparkContext
from pyspark.java_gateway import launch_gateway
from pyspark.ml.evaluation import RankingEvaluator
from pyspark.ml.recommendation import ALS, ALSModel
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

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
from rec_utils.recommend.topk import top_k
from rec_utils.spark_index import dense_sorted_index

# PySpark 4.3 warns on every pandas conversion that pandas 3 is "not yet fully supported" (and about a
# deprecated `copy` keyword it passes to pandas); the conversions used here (Arrow batches of numbers,
# strings and arrays) are checked against the pandas path in tests/unit/test_spark.py, so the warnings
# would only be noise in the notebook.
warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
warnings.filterwarnings("ignore", message="The copy keyword is deprecated", module="pyspark")

MASTER_PATTERN = re.compile(r"^(local(\[(\d+|\*)(,\s*\d+)?\])?|spark://\S+|yarn|k8s://\S+)$")
MEMORY_PATTERN = re.compile(r"^\d+[kmgt]$", re.IGNORECASE)
LOG_SETTING = "spark.interest_lab.jvmLog"
_TEXT_COLUMNS = ("InvoiceNo", "StockCode", "Description", "Country")


class JavaUnavailableError(RuntimeError):
    """Spark needs a Java runtime (17 or later) and none was found."""


def java_version() -> str | None:
    """The Java runtime's version ("17.0.15"; JAVA_HOME's java, else the one on PATH), or None without one."""
    home = os.environ.get("JAVA_HOME")
    java = str(Path(home) / "bin" / "java") if home and (Path(home) / "bin" / "java").exists() else shutil.which("java")
    if java is None:
        return None
    try:
        done = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = re.search(r'version "([^"]+)"', done.stderr + done.stdout)
    return found.group(1) if done.returncode == 0 and found else None


def java_major(version: str) -> int:
    """Major version of a Java version string: "17.0.15" -> 17, "1.8.0_392" -> 8."""
    parts = version.split(".")
    return int(parts[1] if parts[0] == "1" else re.match(r"\d+", parts[0]).group())


def _check_settings(master: str, driver_memory: str, partitions: int) -> None:
    if not isinstance(master, str) or not MASTER_PATTERN.match(master):
        raise ValueError(f"spark_master must be local, local[N], local[*], spark://host:port, yarn or k8s://..., "
                         f"got {master!r}")
    if not isinstance(driver_memory, str) or not MEMORY_PATTERN.match(driver_memory):
        raise ValueError(f"driver_memory must look like '2g' or '512m', got {driver_memory!r}")
    if not isinstance(partitions, int) or isinstance(partitions, bool) or partitions < 1:
        raise ValueError(f"partitions must be a positive integer, got {partitions!r}")


def session_conf(master: str = "local[*]", *, driver_memory: str = "2g", partitions: int = 8,
                 app_name: str = "interest-lab", extra: dict[str, str] | None = None) -> SparkConf:
    """The SparkConf `spark_session` starts with (see there)."""
    _check_settings(master, driver_memory, partitions)
    conf = (SparkConf().setMaster(master).setAppName(app_name)
            .set("spark.driver.memory", driver_memory)
            .set("spark.sql.shuffle.partitions", str(partitions))
            .set("spark.default.parallelism", str(partitions))
            .set("spark.ui.showConsoleProgress", "false")
            .set("spark.sql.session.timeZone", "UTC")
            .set("spark.sql.execution.arrow.pyspark.enabled", "true")
            # pandas writes timestamps in nanoseconds, which Spark reads only as numbers (converted on reading)
            .set("spark.sql.legacy.parquet.nanosAsLong", "true"))
    if master.startswith("local"):  # one machine: no web UI, and the driver listens on loopback only
        conf.set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
        conf.set("spark.driver.bindAddress", "127.0.0.1")
    for key, value in (extra or {}).items():
        conf.set(key, value)
    return conf


def _tail(path: Path, n_lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-n_lines:])
    except OSError:
        return ""


@contextlib.contextmanager
def spark_session(master: str = "local[*]", *, driver_memory: str = "2g", partitions: int = 8,
                  app_name: str = "interest-lab", log_level: str = "ERROR",
                  extra: dict[str, str] | None = None) -> Iterator[SparkSession]:
    """A SparkSession for the block; the session and its JVM are stopped when the block ends.

    master: where the work runs ("local[*]" = every core here, "spark://host:7077" = a standalone
    cluster). driver_memory: the driver JVM's heap ("2g"); partitions: shuffle partitions and default
    parallelism (a few per core here; 2-3 per executor core on a cluster). The JVM's own output goes
    to a log file (named by the session's `spark.interest_lab.jvmLog` setting) and its log level is
    `log_level`, so notebook cells show only what the code prints; the file is deleted after a clean
    stop and kept (its path added to the error) when the block fails. Raises JavaUnavailableError when
    no Java runtime of version 17 or later is installed, ValueError for malformed settings.
    """
    conf = session_conf(master, driver_memory=driver_memory, partitions=partitions, app_name=app_name, extra=extra)
    if SparkContext._active_spark_context is not None:
        raise RuntimeError("a Spark session is already running in this process; stop it first")
    java = java_version()
    if java is None or java_major(java) < 17:
        found = "none was found" if java is None else f"found Java {java}"
        raise JavaUnavailableError(f"Spark 4 needs a Java runtime, version 17 or later, and {found}: install one "
                                   "(e.g. apt-get install openjdk-17-jre-headless) or set JAVA_HOME")
    fd, log_name = tempfile.mkstemp(prefix="interest-lab-spark-", suffix=".log")
    os.close(fd)
    log_path = Path(log_name)
    conf.set(LOG_SETTING, str(log_path))
    # Read at start-up: the Python that runs Spark's Python workers (this one, unless PYSPARK_PYTHON says
    # otherwise) and, on one machine, the loopback address (no "hostname resolves to a loopback" warning).
    env = {"PYSPARK_PYTHON": os.environ.get("PYSPARK_PYTHON", sys.executable)}
    if master.startswith("local"):
        env["SPARK_LOCAL_IP"] = "127.0.0.1"
    saved_env = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    gateway, keep_log = None, False
    try:
        with open(log_path, "ab") as log:
            try:
                with warnings.catch_warnings():
                    # Popen forks and at once execs the JVM, which is safe; JAX (imported by a Keras notebook)
                    # warns about any fork of its multithreaded process all the same
                    warnings.filterwarnings("ignore", message=r"os\.fork\(\) was called", category=RuntimeWarning)
                    gateway = launch_gateway(conf, popen_kwargs={"stdout": log, "stderr": log})
                context = SparkContext(conf=conf, gateway=gateway)
            except Exception as exc:
                raise RuntimeError(f"Spark did not start; the end of its log:\n{_tail(log_path)}") from exc
        context.setLogLevel(log_level)
        session = SparkSession(context)
        try:
            yield session
        except BaseException as exc:
            keep_log = True
            exc.add_note(f"Spark's log: {log_path}")
            raise
        finally:
            session.stop()
    except BaseException:
        keep_log = True
        raise
    finally:
        for name, value in saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        if gateway is not None:
            _shutdown(gateway)
        if not keep_log:
            log_path.unlink(missing_ok=True)


def _shutdown(gateway) -> None:
    """Close the Py4J gateway and wait for its JVM, so that the next session starts a fresh one."""
    with contextlib.suppress(Exception):
        gateway.shutdown()
    process = getattr(gateway, "proc", None)
    if process is not None:
        with contextlib.suppress(Exception):
            process.stdin.close()  # the JVM exits when its stdin closes
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    SparkContext._gateway = None
    SparkContext._jvm = None


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


def fit_spark_als(train: DataFrame, *, rank: int = 32, alpha: float = 10.0, regularization: float = 0.1,
                  n_iterations: int = 10, seed: int = 0, blocks: int | None = None) -> ALSModel:
    """pyspark.ml ALS with implicitPrefs=True on the purchase counts.

    The rating given to Spark is log1p(n_invoices), so Spark's confidence 1 + alpha * rating is
    c = 1 + alpha * log1p(count), the confidence of rec_utils.models.factorization.implicit_als, and the
    preference is 1 for every bought item. Spark weights the regularisation of each user (item) by its
    number of purchases (ALS-WR), which the numpy solver does not: the two optimise different objectives
    at the same `regularization`. blocks: user and item blocks (default: Spark's, 10).
    """
    ratings = train.select("user", "item", F.log1p(F.col("n_invoices").cast("double")).alias("rating"))
    als = ALS(userCol="user", itemCol="item", ratingCol="rating", implicitPrefs=True, rank=rank, alpha=alpha,
              regParam=regularization, maxIter=n_iterations, seed=seed, coldStartStrategy="drop", nonnegative=False)
    if blocks is not None:
        als = als.setNumUserBlocks(blocks).setNumItemBlocks(blocks)
    return als.fit(ratings)


def factor_matrix(factors: DataFrame, n_rows: int) -> np.ndarray:
    """An ALS factor table (id, features) as a dense float64 array (n_rows, rank); absent ids are zero rows."""
    rows = factors.select("id", "features").collect()
    if not rows:
        raise ValueError("the factor table is empty")
    out = np.zeros((n_rows, len(rows[0]["features"])))
    ids = np.array([r["id"] for r in rows])
    out[ids] = np.array([r["features"] for r in rows], dtype=float)
    return out


def spark_top_k(data: SparkInteractions, user_factors: DataFrame, item_factors: DataFrame, k: int = 10,
                *, scores_budget: int = 2 ** 24) -> DataFrame:
    """Top-k items for every test user: (user, items array<int>, scores array<double>), best first.

    The item factors are broadcast to the executors; each partition of test users scores the whole
    catalogue (U_b · Vᵀ in float64), sets the user's training purchases to -inf when
    `data.new_items_only` (the protocol's exclusions) and selects with rec_utils.recommend.topk.top_k,
    batches of at most `scores_budget` scores at a time. (Spark's own recommendForUserSubset cannot
    leave out already-bought items.)
    """
    item_matrix = factor_matrix(item_factors, data.n_items)
    if not 1 <= k <= data.n_items:
        raise ValueError(f"k must be between 1 and {data.n_items}, got {k}")
    spark = data.train.sparkSession
    broadcast = spark.sparkContext.broadcast(item_matrix)
    batch_size = max(1, scores_budget // data.n_items)
    users = (data.test.select("user").distinct()
             .join(user_factors.select(F.col("id").alias("user"), "features"), "user"))
    exclude_bought = data.new_items_only
    if exclude_bought:
        users = users.join(data.train.groupBy("user").agg(F.collect_list("item").alias("bought")), "user", "left")

    def rank(batches):
        items = broadcast.value
        for batch in batches:
            factors = np.stack(batch["features"].to_numpy()).astype(float)
            exclude = None
            if exclude_bought:
                history = [np.asarray(b if b is not None else [], dtype=np.int64) for b in batch["bought"]]
                exclude = sp.csr_matrix((np.ones(sum(len(h) for h in history)),
                                         np.concatenate([np.zeros(0, np.int64), *history]),
                                         np.concatenate([[0], np.cumsum([len(h) for h in history])])),
                                        shape=(len(batch), len(items)))
            chosen, scores = top_k(lambda rows: factors[rows] @ items.T, len(batch), k, exclude=exclude,
                                   batch_size=batch_size, show_progress=False, with_scores=True)
            yield pd.DataFrame({"user": batch["user"].to_numpy(np.int32), "items": list(chosen.astype(np.int32)),
                                "scores": list(scores)})

    return users.mapInPandas(rank, "user int, items array<int>, scores array<double>")


def _per_user_columns(k: int) -> dict[str, F.Column]:
    """Per-user ranking metrics at k from columns `prediction` (items, best first) and `label` (relevant items),
    with the definitions of rec_utils.evaluation.ranking."""
    hits = f"transform(slice(prediction, 1, {k}), x -> IF(array_contains(label, x), 1D, 0D))"
    positions = f"sequence(1, size({hits}))"
    n_hits = f"aggregate({hits}, 0D, (acc, h) -> acc + h)"
    dcg = f"aggregate(zip_with({hits}, {positions}, (h, i) -> h / log2(i + 1)), 0D, (acc, x) -> acc + x)"
    ideal = f"aggregate(transform(sequence(1, least(size(label), {k})), i -> 1D / log2(i + 1)), 0D, (a, x) -> a + x)"
    cumulative = f"transform({hits}, (h, i) -> aggregate(slice({hits}, 1, i + 1), 0D, (acc, x) -> acc + x))"
    precision_sum = (f"aggregate(zip_with(zip_with({hits}, {cumulative}, (h, c) -> h * c), {positions}, "
                     f"(hc, i) -> hc / i), 0D, (acc, x) -> acc + x)")
    return {
        "precision": F.expr(f"{n_hits} / {k}"),
        "recall": F.expr(f"{n_hits} / size(label)"),
        "ndcg": F.expr(f"{dcg} / {ideal}"),
        "map": F.expr(f"{precision_sum} / least(size(label), {k})"),
        "hit_rate": F.expr(f"IF({n_hits} > 0, 1D, 0D)"),
    }


def _ranked_with_labels(recommended: DataFrame, test: DataFrame) -> DataFrame:
    labels = test.groupBy("user").agg(F.collect_list(F.col("item").cast("double")).alias("label"))
    return (recommended.select("user", F.transform("items", lambda x: x.cast("double")).alias("prediction"))
            .join(labels, "user"))


def spark_per_user_metrics(recommended: DataFrame, test: DataFrame, k: int = 10) -> pd.DataFrame:
    """Per-user precision, recall, NDCG, MAP and hit rate at k, computed in Spark: a pandas frame indexed by
    user (users with at least one relevant item and a list), as rec_utils.evaluation.ranking defines them."""
    ranked = _ranked_with_labels(recommended, test)
    columns = _per_user_columns(k)
    frame = ranked.select("user", *[c.alias(name) for name, c in columns.items()]).toPandas()
    return frame.set_index("user").sort_index()


_EVALUATOR_METRICS = {"precision": "precisionAtK", "recall": "recallAtK", "ndcg": "ndcgAtK",
                      "map": "meanAveragePrecisionAtK"}


def spark_ranking_metrics(recommended: DataFrame, test: DataFrame, k: int = 10,
                          metrics: tuple[str, ...] = ("precision", "recall", "ndcg", "map", "hit_rate")
                          ) -> dict[str, float]:
    """Mean metrics at k over users with at least one relevant item: {'ndcg@10': ...}.

    Precision, recall, NDCG and MAP come from pyspark.ml.evaluation.RankingEvaluator; the hit rate,
    which it does not offer, from an aggregation of the same lists.
    """
    unknown = [m for m in metrics if m not in _EVALUATOR_METRICS and m != "hit_rate"]
    if unknown:
        raise ValueError(f"unknown metrics {unknown}; choose from {(*_EVALUATOR_METRICS, 'hit_rate')}")
    ranked = _ranked_with_labels(recommended, test).cache()
    out = {}
    for name in metrics:
        if name == "hit_rate":
            out[f"hit_rate@{k}"] = ranked.select(F.avg(_per_user_columns(k)["hit_rate"])).first()[0]
        else:
            evaluator = RankingEvaluator(predictionCol="prediction", labelCol="label",
                                         metricName=_EVALUATOR_METRICS[name], k=k)
            out[f"{name}@{k}"] = evaluator.evaluate(ranked)
    ranked.unpersist()
    return out


def collect_top_k(recommended: DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(users (n,), items (n, k), scores (n, k)) of spark_top_k's output, sorted by user."""
    frame = recommended.toPandas().sort_values("user")
    return (frame["user"].to_numpy(np.int64), np.stack(frame["items"].to_numpy()).astype(np.int64),
            np.stack(frame["scores"].to_numpy()))
