"""The Spark path agrees with the pandas/numpy path: typing, cleaning accounting, the protocol's windows
(rec_utils.evaluation.protocol.Protocol), the purchase matrix, top-K for the same factors and the ranking
metrics. One SparkSession (local[2]) serves every test; without Java the Spark tests skip with that reason.
Tests that start Spark are marked slow: `make test` runs them, `make unit` leaves them out."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rec_utils.chapters.scale_out.session import (
    LOG_SETTING,
    JavaUnavailableError,
    java_major,
    java_version,
    session_conf,
    spark_session,
)
from rec_utils.chapters.scale_out.spark import spark_clean, spark_split, spark_transactions, spark_window_split
from rec_utils.chapters.scale_out.spark_index import dense_sorted_index
from rec_utils.chapters.scale_out.spark_ranking import (
    collect_top_k,
    factor_matrix,
    fit_spark_als,
    spark_per_user_metrics,
    spark_ranking_metrics,
    spark_top_k,
)
from rec_utils.data.cleaning import clean_transactions
from rec_utils.data.online_retail import ONLINE_RETAIL_PATH, SchemaError, load_online_retail
from rec_utils.data.split import time_window_split
from rec_utils.evaluation.protocol import Protocol
from rec_utils.evaluation.ranking import RANKING_METRICS, hits_at_k, ranking_report
from rec_utils.recommend.scorers import factor_scores
from rec_utils.recommend.topk import top_k

PROTOCOL = Protocol("2011-11-10", validation_days=30, test_days=30, task="new_items")
NO_JAVA = "no Java runtime: Spark needs Java 17 or later (install openjdk-17-jre-headless or set JAVA_HOME)"


def _edge_rows() -> pd.DataFrame:
    """Raw lines that exercise every rule: whitespace, 'nan' text, NaN customer, lowercase cancellations,
    duplicates, non-product and missing codes."""
    base = {"InvoiceNo": "581000", "StockCode": "85123A", "Description": "WHITE HEART", "Quantity": 2,
            "InvoiceDate": pd.Timestamp("2011-11-01 10:00"), "UnitPrice": 2.5, "CustomerID": 17850.0,
            "Country": "United Kingdom"}
    rows = [
        {},                                                      # kept
        {},                                                      # exact duplicate of the line above
        {"InvoiceNo": " 581001 ", "StockCode": " 85123A "},     # stripped, then kept
        {"InvoiceNo": "c581002"},                                # lowercase cancellation
        {"CustomerID": float("nan")},                            # guest checkout
        {"Quantity": 0, "InvoiceNo": "581003"},
        {"UnitPrice": -1.0, "InvoiceNo": "581004"},
        {"Description": "nan", "InvoiceNo": "581005"},           # missing description
        {"Description": " NaN ", "InvoiceNo": "581006"},
        {"StockCode": "POST", "InvoiceNo": "581007"},
        {"StockCode": None, "InvoiceNo": "581008"},              # missing code: not a product
        {"StockCode": "85123AB1", "InvoiceNo": "581009"},
        {"InvoiceDate": pd.Timestamp("2011-11-09 23:59"), "InvoiceNo": "581010"},  # just before the cut
        {"InvoiceDate": pd.Timestamp("2011-11-10 00:00"), "InvoiceNo": "581011"},  # the cut's first moment
    ]
    return pd.DataFrame([{**base, **r} for r in rows])


@pytest.fixture(scope="module")
def raw_sample(tmp_path_factory) -> tuple:
    """Every 25th line of Online Retail plus the edge lines, as a raw Parquet file and its pandas frame."""
    raw = pd.read_parquet(ONLINE_RETAIL_PATH).iloc[::25]
    frame = pd.concat([raw, _edge_rows().astype(raw.dtypes.to_dict())], ignore_index=True)
    path = tmp_path_factory.mktemp("spark") / "sample.parquet"
    frame.to_parquet(path, index=False)
    return path, load_online_retail(path)


@pytest.fixture(scope="session")
def spark():
    if java_version() is None:
        pytest.skip(NO_JAVA)
    with spark_session("local[2]", driver_memory="1g", partitions=2) as session:
        yield session


@pytest.fixture(scope="module")
def both_paths(spark, raw_sample):
    """Cleaning and the protocol's test stage on both engines."""
    path, typed = raw_sample
    clean, accounting = clean_transactions(typed)
    clean_s, accounting_s = spark_clean(spark_transactions(spark, path))
    split = PROTOCOL.split(clean, "test")
    data_s = spark_split(PROTOCOL, clean_s, "test")
    return {"clean": clean, "accounting": accounting, "clean_s": clean_s, "accounting_s": accounting_s,
            "split": split, "data": split.data, "data_s": data_s}


@pytest.fixture(scope="module")
def spark_lists(both_paths):
    """A small Spark ALS, its factors and its top-10 lists with training purchases excluded."""
    data_s = both_paths["data_s"]
    model = fit_spark_als(data_s.train, rank=4, n_iterations=3, blocks=2)
    lists = spark_top_k(data_s, model.userFactors, model.itemFactors, k=10).cache()
    users, items, scores = collect_top_k(lists)
    return {"model": model, "lists": lists, "users": users, "items": items, "scores": scores,
            "U": factor_matrix(model.userFactors, data_s.n_users),
            "V": factor_matrix(model.itemFactors, data_s.n_items)}


def test_settings_are_checked_before_spark_starts():
    with pytest.raises(ValueError, match="spark_master"):
        session_conf("local[two]")
    with pytest.raises(ValueError, match="driver_memory"):
        session_conf("local[2]", driver_memory="lots")
    with pytest.raises(ValueError, match="partitions"):
        session_conf("local[2]", partitions=0)
    conf = session_conf("spark://host:7077", driver_memory="4g", partitions=16)
    assert conf.get("spark.master") == "spark://host:7077" and conf.get("spark.sql.shuffle.partitions") == "16"
    assert conf.get("spark.ui.enabled") is None  # a cluster keeps its web UI


@pytest.mark.parametrize("found", [None, "11.0.2"])
def test_missing_or_old_java_is_a_named_error(monkeypatch, found):
    import rec_utils.chapters.scale_out.session as session_module
    monkeypatch.setattr(session_module, "java_version", lambda: found)
    with pytest.raises(JavaUnavailableError, match="17 or later"):
        with spark_session("local[1]"):
            pass


def test_java_major_versions():
    assert [java_major(v) for v in ("17.0.15", "21", "1.8.0_392", "22-ea")] == [17, 21, 8, 22]


@pytest.mark.slow
def test_session_starts_and_stops_quietly(capfd):
    """Runs before the shared session starts: its own JVM prints nothing and is gone after the block."""
    if java_version() is None:
        pytest.skip(NO_JAVA)
    with spark_session("local[1]", driver_memory="512m", partitions=1) as session:
        assert session.range(5).count() == 5
        process = session.sparkContext._gateway.proc
        log = Path(session.conf.get(LOG_SETTING))
        assert "Spark" in log.read_text(errors="replace")
    assert process.poll() is not None, "the JVM outlived its session"
    assert not log.exists(), "the log of a cleanly stopped session is removed"
    out, err = capfd.readouterr()
    assert out == "" and err == ""


@pytest.mark.slow
def test_a_failing_block_keeps_the_log_and_names_it():
    if java_version() is None:
        pytest.skip(NO_JAVA)
    with pytest.raises(ZeroDivisionError) as failure:
        with spark_session("local[1]", driver_memory="512m", partitions=1) as session:
            log = Path(session.conf.get(LOG_SETTING))
            1 / 0
    assert log.exists() and any(str(log) in note for note in failure.value.__notes__)
    log.unlink()


@pytest.mark.slow
def test_typing_matches_the_pandas_loader(spark, raw_sample):
    path, typed = raw_sample
    frame = spark_transactions(spark, path).toPandas()
    key = ["InvoiceNo", "StockCode", "InvoiceDate", "Quantity", "UnitPrice", "Description"]
    expected = typed.sort_values(key, na_position="first").reset_index(drop=True)
    got = frame.sort_values(key, na_position="first").reset_index(drop=True)
    assert len(got) == len(expected)
    for column in ("InvoiceNo", "StockCode", "Description", "Country"):
        assert got[column].fillna("<NA>").tolist() == expected[column].fillna("<NA>").tolist(), column
    assert (got["InvoiceDate"].to_numpy("datetime64[ns]") == expected["InvoiceDate"].to_numpy()).all()
    assert got["CustomerID"].isna().sum() == expected["CustomerID"].isna().sum()
    assert np.array_equal(got["Quantity"], expected["Quantity"])


@pytest.mark.slow
def test_missing_columns_are_a_schema_error(spark, tmp_path):
    path = tmp_path / "bad.parquet"
    pd.DataFrame({"InvoiceNo": ["1"]}).to_parquet(path)
    with pytest.raises(SchemaError, match="missing columns"):
        spark_transactions(spark, path)


@pytest.mark.slow
def test_cleaning_accounting_is_identical(both_paths):
    accounting, accounting_s = both_paths["accounting"], both_paths["accounting_s"]
    pd.testing.assert_frame_equal(accounting_s, accounting)
    assert (accounting.loc[["exact_duplicate", "cancellation", "missing_customer", "non_positive_quantity",
                            "non_positive_price", "missing_description", "non_product_code"], "rows"] > 0).all()


@pytest.mark.slow
def test_cleaning_keeps_the_same_lines(both_paths):
    columns = ["InvoiceNo", "StockCode", "CustomerID", "Quantity", "UnitPrice", "Revenue"]
    clean = both_paths["clean"][columns].astype({"CustomerID": "int64"})
    clean_s = both_paths["clean_s"].select(*columns).toPandas()
    pd.testing.assert_frame_equal(clean_s.sort_values(columns).reset_index(drop=True),
                                  clean.sort_values(columns).reset_index(drop=True),
                                  check_dtype=False)


@pytest.mark.slow
@pytest.mark.parametrize("stage", ["validation", "test"])
def test_protocol_windows_are_the_same_on_both_engines(both_paths, stage):
    history, window = PROTOCOL.history_and_window(both_paths["clean"], stage)
    history_s, window_s = spark_window_split(both_paths["clean_s"], *PROTOCOL.window(stage))
    assert (history_s.count(), window_s.count()) == (len(history), len(window))


@pytest.mark.slow
@pytest.mark.parametrize(("start", "days", "message"), [("2011-11-10", 0, "at least one day"),
                                                        ("2010-01-01", 30, "nothing to train on"),
                                                        ("2011-11-20", 30, "ends after the data")])
def test_impossible_windows_are_refused_as_in_pandas(both_paths, start, days, message):
    with pytest.raises(ValueError, match=message):
        time_window_split(both_paths["clean"], start, days)
    with pytest.raises(ValueError, match=message):
        spark_window_split(both_paths["clean_s"], start, days)


@pytest.mark.slow
@pytest.mark.parametrize(("stage", "task"), [("test", "new_items"), ("validation", "new_items"),
                                             ("test", "next_basket")])
def test_purchase_matrix_and_held_out_items_are_identical(both_paths, stage, task):
    protocol = PROTOCOL.with_task(task)
    data = protocol.split(both_paths["clean"], stage).data
    data_s = spark_split(protocol, both_paths["clean_s"], stage)
    assert data_s.new_items_only == (task == "new_items")
    assert (data_s.n_users, data_s.n_items) == data.train.shape
    train_s, test_s = data_s.to_scipy()
    assert (train_s != data.train).nnz == 0
    assert (test_s != data.test).nnz == 0
    users = data_s.users.toPandas().sort_values("user")
    assert users["CustomerID"].tolist() == data.users.tolist()


@pytest.mark.slow
def test_top_k_is_identical_to_numpy_for_the_same_factors(both_paths, spark_lists):
    data, split = both_paths["data"], both_paths["split"]
    users = split.users
    expected, expected_scores = top_k(factor_scores(spark_lists["U"], spark_lists["V"]), data.train.shape[0], 10,
                                      exclude=split.exclude, users=users, with_scores=True)
    assert np.array_equal(spark_lists["users"], users)
    assert np.array_equal(spark_lists["items"], expected)
    np.testing.assert_allclose(spark_lists["scores"], expected_scores, rtol=1e-12)
    bought = data.train[users].toarray() > 0
    assert not np.take_along_axis(bought, spark_lists["items"], axis=1).any()


@pytest.mark.slow
def test_spark_metrics_equal_the_numpy_metrics(both_paths, spark_lists):
    data = both_paths["data"]
    relevant = data.test[spark_lists["users"]]
    expected = ranking_report(spark_lists["items"], relevant, (5, 10), RANKING_METRICS)
    got = spark_ranking_metrics(spark_lists["lists"], both_paths["data_s"].test, 10)
    for name in RANKING_METRICS:
        assert got[f"{name}@10"] == pytest.approx(expected[f"{name}@10"], abs=1e-12), name
    per_user = spark_per_user_metrics(spark_lists["lists"], both_paths["data_s"].test, 5)
    assert np.array_equal(per_user.index.to_numpy(), spark_lists["users"])
    for name in RANKING_METRICS:
        assert per_user[name].mean() == pytest.approx(expected[f"{name}@5"], abs=1e-12), name
    np.testing.assert_array_equal(per_user["hit_rate"], hits_at_k(spark_lists["items"], relevant, 5).any(axis=1))


@pytest.mark.slow
def test_unknown_metric_is_refused(both_paths, spark_lists):
    with pytest.raises(ValueError, match="unknown metrics"):
        spark_ranking_metrics(spark_lists["lists"], both_paths["data_s"].test, 10, ("auc",))


@pytest.mark.slow
def test_spark_als_solves_the_documented_objective(both_paths, spark_lists):
    """Spark's implicit ALS sees log1p(count): a user's factor solves the normal equations of the numpy
    confidence c = 1 + alpha log1p(count), with Spark's regularisation lambda * n_u (ALS-WR)."""
    data = both_paths["data"]
    U, V = spark_lists["U"], spark_lists["V"]
    row = int(np.argmax(np.diff(data.train.indptr)))
    items = data.train[row].indices
    c = 1.0 + 10.0 * np.log1p(data.train[row].data)
    F = V[items]
    lhs = V.T @ V + (F.T * (c - 1.0)) @ F + 0.1 * len(items) * np.eye(V.shape[1])
    np.testing.assert_allclose(np.linalg.solve(lhs, F.T @ c), U[row], rtol=1e-3, atol=1e-4)


def _physical_plan(frame, capsys) -> str:
    capsys.readouterr()
    frame.explain()
    return capsys.readouterr().out


@pytest.mark.slow
@pytest.mark.parametrize("n_ranges", [1, 3, 40])
def test_dense_index_numbers_keys_like_the_global_window_without_a_single_partition(spark, capsys, n_ranges):
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    rng = np.random.default_rng(n_ranges)
    codes = [None if c < 0 else f"P{c:04d}" for c in rng.integers(-1, 1500, size=6000)]  # repeats and nulls
    frame = spark.createDataFrame([(c,) for c in codes], "code string")
    indexed = dense_sorted_index(frame, "code", "item", n_ranges=n_ranges)
    window = frame.select("code").distinct().withColumn("item", F.row_number().over(Window.orderBy("code")) - 1)
    got = indexed.toPandas().sort_values("item", ignore_index=True)
    expected = window.toPandas().sort_values("item", ignore_index=True)
    assert got["item"].tolist() == list(range(len(expected)))  # dense: 0 .. n-1
    pd.testing.assert_series_equal(got["code"], expected["code"])  # in sorted key order, null first
    plan = _physical_plan(indexed, capsys)
    if n_ranges > 1:  # one range is one task by definition (Spark plans it as a single partition)
        assert "SinglePartition" not in plan and "Exchange hashpartitioning(_key_range" in plan
    assert "SinglePartition" in _physical_plan(window, capsys)  # what the check would catch
    with pytest.raises(ValueError, match="n_ranges"):
        dense_sorted_index(frame, "code", "item", n_ranges=-1)


@pytest.mark.slow
def test_the_protocol_split_indexes_without_a_single_partition(both_paths, capsys):
    data_s = both_paths["data_s"]
    for table in (data_s.users, data_s.items, data_s.train):
        assert "SinglePartition" not in _physical_plan(table, capsys)
