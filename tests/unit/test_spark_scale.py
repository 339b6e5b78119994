"""The scale-up generator keeps every cleaning rule's count proportional; the measuring harness (process-tree
peak memory, crossover, power laws, benchmark rows), the pandas pipeline and the benchmark script run end to end at
tiny sizes (the Spark pipeline's steps: test_spark.py; its timed runs: notebook 14 under make test)."""

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from rec_utils.chapters.scale_out.scaling import PipelineSettings, measure, memory_limit_bytes, peak_tree_rss
from rec_utils.chapters.scale_out.sweep_results import (
    benchmark_measurements,
    crossover_factor,
    read_benchmark,
    stage_shares,
)
from rec_utils.data.cleaning import clean_transactions
from rec_utils.data.online_retail import ONLINE_RETAIL_PATH, to_typed_transactions
from rec_utils.data.replicate import (
    CUSTOMER_OFFSET,
    popularity_pairs,
    replica,
    replica_tag,
    replicate,
    write_replicated,
)
from rec_utils.runtime.benchmark_log import append_rows
from rec_utils.runtime.paths import REPO_ROOT


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """Every 10th line of Online Retail (raw, untyped) as a table and a Parquet file."""
    table = pq.read_table(ONLINE_RETAIL_PATH).take(np.arange(0, 541_909, 10))
    path = tmp_path_factory.mktemp("scale") / "sample.parquet"
    pq.write_table(table, path)
    return table, path


def test_replica_tags_are_distinct_letters():
    tags = [replica_tag(r) for r in range(1, 2000)]
    assert len(set(tags)) == len(tags) and all(t.isalpha() and t.islower() for t in tags)
    with pytest.raises(ValueError):
        replica_tag(0)
    with pytest.raises(ValueError, match="factor"):
        replicate(pa.table({"a": [1]}), 0)


def test_replica_remaps_customers_products_and_invoices_only(sample):
    table, _ = sample
    first, second = table.to_pandas(), replica(table, 2).to_pandas()
    assert (second["CustomerID"].dropna() == first["CustomerID"].dropna() + 2 * CUSTOMER_OFFSET).all()
    assert (second["StockCode"] == first["StockCode"].str.strip() + replica_tag(2)).all()
    assert (second["InvoiceNo"] == first["InvoiceNo"].str.strip() + "-2").all()
    for column in ("Description", "Quantity", "InvoiceDate", "UnitPrice", "Country"):
        pd.testing.assert_series_equal(second[column], first[column])


def test_every_cleaning_count_scales_with_the_factor(sample):
    table, _ = sample
    once = clean_transactions(to_typed_transactions(table.to_pandas()))[1]["rows"]
    thrice = clean_transactions(to_typed_transactions(replicate(table, 3).to_pandas()))[1]["rows"]
    pd.testing.assert_series_equal(thrice, 3 * once)
    assert once["exact_duplicate"] > 0 and once["non_product_code"] > 0 and once["cancellation"] > 0


def test_replicated_file_is_streamed_and_reused(sample, tmp_path):
    table, path = sample
    dest = write_replicated(tmp_path / "x3.parquet", 3, path)
    meta = pq.ParquetFile(dest).metadata
    assert (meta.num_rows, meta.num_row_groups) == (3 * table.num_rows, 3)
    stamp = dest.stat().st_mtime_ns
    assert write_replicated(dest, 3, path).stat().st_mtime_ns == stamp
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x3.parquet", "x3.parquet.manifest.json"]  # no temp file


def test_a_replicated_file_from_another_source_or_damaged_is_written_again(sample, tmp_path, capsys):
    """Replicas used to be reused on their recipe and row count alone: a changed source or a flipped bit went
    unnoticed."""
    table, path = sample
    dest = write_replicated(tmp_path / "x2.parquet", 2, path)
    expected = pq.read_table(dest)
    other = tmp_path / "other.parquet"
    pq.write_table(table.slice(1), other)
    write_replicated(dest, 2, other)
    assert "differs in: source_sha256" in capsys.readouterr().out
    write_replicated(dest, 2, path)
    data = bytearray(dest.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dest.write_bytes(bytes(data))
    assert pq.read_table(write_replicated(dest, 2, path)).equals(expected)
    assert "checksum" in capsys.readouterr().out


def _purchases(table):
    """Cleaned (CustomerID, StockCode) pairs with the replica number of each customer."""
    clean, accounting = clean_transactions(to_typed_transactions(table.to_pandas()))
    pairs = clean[["CustomerID", "StockCode"]].drop_duplicates()
    return pairs.assign(replica=pairs["CustomerID"] // CUSTOMER_OFFSET), accounting["rows"]


def _density(pairs):
    return len(pairs) / (pairs["CustomerID"].nunique() * pairs["StockCode"].nunique())


def test_a_shared_catalogue_keeps_the_density_and_every_replicas_behaviour_even_with_swaps(sample):
    table, _ = sample
    once, once_counts = _purchases(table)
    shared, shared_counts = _purchases(replicate(table, 4, catalogues=1, swap_share=0.5))
    pd.testing.assert_series_equal(shared_counts, 4 * once_counts)
    assert shared["CustomerID"].nunique() == 4 * once["CustomerID"].nunique()
    assert set(shared["StockCode"]) == set(once["StockCode"])  # the same products
    assert _density(shared) == pytest.approx(_density(once), rel=1e-12)
    per_user, per_item = once.groupby("CustomerID").size(), once.groupby("StockCode").size()
    for r, copy in shared.groupby("replica"):  # each replica: the original's products per customer and
        assert sorted(copy.groupby("CustomerID").size()) == sorted(per_user)  # customers per product
        assert sorted(copy.groupby("StockCode").size()) == sorted(per_item)
        baskets = set(zip(copy["CustomerID"] - r * CUSTOMER_OFFSET, copy["StockCode"]))
        assert (baskets == set(zip(once["CustomerID"], once["StockCode"]))) == (r == 0)  # not clones


def test_catalogues_trade_density_for_products(sample):
    table, _ = sample
    once, _ = _purchases(table)
    two, _ = _purchases(replicate(table, 4, catalogues=2))
    own, _ = _purchases(replicate(table, 4))
    assert two["StockCode"].nunique() == 2 * once["StockCode"].nunique()
    assert _density(two) == pytest.approx(_density(once) / 2, rel=1e-12)
    assert _density(own) == pytest.approx(_density(once) / 4, rel=1e-12)  # disjoint shops: density / n
    unswapped = replicate(table, 3, catalogues=1).to_pandas()  # by default the same customers under new ids
    assert (unswapped["StockCode"] == pd.concat([table.to_pandas()["StockCode"].str.strip()] * 3,
                                                ignore_index=True)).all()


def test_popularity_pairs_are_adjacent_in_kept_lines(sample):
    table, _ = sample
    pairs = popularity_pairs(table)
    clean, _ = clean_transactions(to_typed_transactions(table.to_pandas()))
    lines = clean["StockCode"].value_counts()
    assert pairs.shape == (len(lines) // 2, 2)
    assert (lines[pairs[:, 0]].to_numpy() >= lines[pairs[:, 1]].to_numpy()).all()
    assert lines[pairs[0, 0]] == lines.max()


def test_replicated_files_are_rewritten_when_made_differently(sample, tmp_path):
    table, path = sample
    dest = write_replicated(tmp_path / "x2.parquet", 2, path, catalogues=1, swap_share=0.5)
    stamp = dest.stat().st_mtime_ns
    assert write_replicated(dest, 2, path, catalogues=1, swap_share=0.5).stat().st_mtime_ns == stamp
    write_replicated(dest, 2, path, catalogues=1, swap_share=0.5, seed=1)
    assert dest.stat().st_mtime_ns != stamp
    pd.testing.assert_frame_equal(pq.read_table(dest).to_pandas(),
                                  replicate(table, 2, catalogues=1, swap_share=0.5, seed=1).to_pandas())
    for bad, match in (({"catalogues": 0}, "catalogues"), ({"swap_share": 1.5}, "swap_share")):
        with pytest.raises(ValueError, match=match):
            replicate(table, 2, **bad)


def test_peak_memory_counts_the_children(tmp_path):
    script = ("import subprocess, sys; subprocess.run([sys.executable, '-c', "
              "'import time; b = bytearray(300 * 2**20); b[::4096] = b\"x\" * len(b[::4096]); time.sleep(1.5)'])")
    process = subprocess.Popen([sys.executable, "-c", script])
    peak = peak_tree_rss(process, interval=0.05)
    assert process.returncode == 0 and peak > 300 * 2**20


def test_peak_memory_stops_a_run_at_its_timeout():
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    peak_tree_rss(process, interval=0.05, timeout_s=0.5)
    assert process.returncode is not None and process.returncode < 0


def _table(rows):
    return pd.DataFrame(rows, columns=["factor", "engine", "status", "wall_s", "rows_in", "peak_gib"])


def test_crossover_is_the_first_size_where_spark_is_faster_or_pandas_fails():
    rows = [[1, "pandas", "ok", 10, 1e5, 1], [1, "spark", "ok", 60, 1e5, 2],
            [10, "pandas", "ok", 100, 1e6, 10], [10, "spark", "ok", 90, 1e6, 3]]
    assert crossover_factor(_table(rows)) == 10
    assert crossover_factor(_table(rows[:2])) is None
    failed = rows[:2] + [[10, "pandas", "failed: killed", 500, 1e6, 24], [10, "spark", "ok", 900, 1e6, 3]]
    assert crossover_factor(_table(failed)) == 10


def test_stage_shares_are_those_of_the_largest_successful_run():
    table = _table([[1, "spark", "ok", 60, 1e5, 2.0], [10, "spark", "ok", 90, 1e6, 3.0],
                    [50, "spark", "failed: killed", 900, 5e6, 9.0], [1, "pandas", "ok", 10, 1e5, 0.5]])
    table["cpu_s"] = table["wall_s"] / 2
    table["als_s"], table["read_clean_s"] = table["wall_s"] * 0.75, table["wall_s"] * 0.25
    table.loc[2, "als_s"] = 0.0  # the failed run is not read
    shares = stage_shares(table, "spark")
    assert shares.to_dict() == pytest.approx({"als": 0.75, "read_clean": 0.25})
    assert stage_shares(table, "dask").empty
    assert memory_limit_bytes() > 2**28


def test_benchmark_rows_round_trip(tmp_path):
    ok = pd.Series({"status": "ok", "wall_s": 12.0, "cpu_s": 20.0, "peak_gib": 1.5, "ndcg": 0.1,
                    "read_clean_s": 3.0, "start_s": np.nan})
    failed = pd.Series({"status": "failed: killed", "wall_s": 99.0, "peak_gib": 20.0})
    measurements = benchmark_measurements(ok)
    assert set(measurements) == {"wall_s", "cpu_s", "peak_gib", "ndcg", "read_clean_s"}
    assert set(benchmark_measurements(failed)) == {"failed_after_s", "peak_gib"}
    path = tmp_path / "b.csv"
    append_rows("scale", "CPU", "pandas/numpy", {"factor": 1, "rows_in": 100}, measurements, path=path)
    append_rows("scale", "CPU", "pandas/numpy", {"factor": 2, "rows_in": 200}, benchmark_measurements(failed),
                path=path)
    table = read_benchmark(path)
    assert table["status"].tolist() == ["ok", "failed"] and table["wall_s"].tolist() == [12.0, 99.0]
    assert table["device"].tolist() == ["CPU", "CPU"] and table["driver_memory"].tolist() == ["not recorded"] * 2
    assert read_benchmark(tmp_path / "missing.csv") is None
    append_rows("scale", "CPU", "pandas/numpy", {"factor": 3, "rows_in": 300, "catalogues": 1}, measurements,
                path=path)
    assert read_benchmark(path)["factor"].tolist() == [1, 2]  # rows without a record: disjoint shops
    assert read_benchmark(path, catalogues=1)["factor"].tolist() == [3]
    append_rows("scale", "CPU x86_64 (8 cores)", "pandas/numpy", {"factor": 4, "rows_in": 400, "catalogues": 2,
                                                                 "driver_memory": "4g"}, measurements, path=path)
    assert read_benchmark(path, catalogues=2)[["device", "driver_memory"]].values.tolist() == [
        ["CPU x86_64 (8 cores)", "4g"]]


@pytest.mark.slow
def test_pandas_pipeline_runs_in_its_own_process(sample):
    _, path = sample
    result = measure("pandas", path, PipelineSettings(rank=4, n_iterations=1))
    assert result["status"] == "ok", result.get("error")
    assert result["rows_in"] == pq.ParquetFile(path).metadata.num_rows
    assert result["peak_gib"] > 0 and result["wall_s"] > 0 and 0 < result["ndcg"] < 1
    with pytest.raises(ValueError, match="engine"):
        measure("dask", path, PipelineSettings())


@pytest.mark.slow
def test_benchmark_script_appends_a_row_per_size_and_engine(sample, tmp_path):
    """The script's own plumbing (arguments, sizes, rows) on the pandas engine: its Spark branch is the same sweep()
    that notebook 14 runs on both engines under make test, where tests/results/test_14_scale_out checks that every
    run ended "ok"; running it here too cost a Spark JVM and about 45 s."""
    _, path = sample
    output = tmp_path / "bench.csv"
    subprocess.run([sys.executable, str(REPO_ROOT / "benchmarks" / "scale.py"), "--factors", "1", "2",
                    "--engines", "pandas", "--rank", "4", "--iterations", "1", "--source", str(path),
                    "--scale-dir", str(tmp_path), "--output", str(output)],
                   check=True, capture_output=True, text=True, timeout=900)
    table = read_benchmark(output, catalogues=1)  # the script's default: one shared catalogue
    assert set(table["engine"]) == {"pandas"} and (table["status"] == "ok").all()
    rows = pd.read_csv(output)
    assert (rows["value"] > 0).all()
    pairs = rows[rows["metric"] == "ndcg"].assign(factor=rows["parameters"].map(lambda p: json.loads(p)["factor"]))
    assert pairs.groupby("factor").size().tolist() == [1, 1]
