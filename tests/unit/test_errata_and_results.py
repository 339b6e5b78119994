import json

import numpy as np
import pandas as pd
import pytest

from rec_utils.runtime.errata import load_errata, record_erratum
from rec_utils.runtime.results import headline_entry, json_records, load_metrics, none_for_nan, save_metrics


def test_errata_rows_are_replaced_not_duplicated(tmp_path):
    path = tmp_path / "errata.csv"
    record_erratum("4.2-x", "4.2", "0.732", "0.9746", "wrong", "03", path=path)
    record_erratum("4.1-y", "4.1", "a", "b", "confirmed", "02", path=path)
    table = record_erratum("4.2-x", "4.2", "0.732", "0.9747", "wrong", "03", path=path)
    assert table["claim_id"].tolist() == ["4.1-y", "4.2-x"]
    assert load_errata(path).set_index("claim_id").loc["4.2-x", "we_compute"] == "0.9747"
    with pytest.raises(ValueError, match="status"):
        record_erratum("z", "1", "a", "b", "maybe", "00", path=path)


def test_metrics_round_trip_and_refuse_nan(tmp_path):
    import numpy as np

    save_metrics("nb", {"auc": np.float64(0.75), "v": np.array([1, 2])}, metrics_dir=tmp_path)
    assert load_metrics("nb", metrics_dir=tmp_path) == {"auc": 0.75, "v": [1, 2]}
    assert json.loads((tmp_path / "nb.json").read_text())["auc"] == 0.75
    with pytest.raises(ValueError, match="not finite"):
        save_metrics("bad", {"x": float("nan")}, metrics_dir=tmp_path)
    with pytest.raises(FileNotFoundError, match="run notebook missing"):
        load_metrics("missing", metrics_dir=tmp_path)


def _append_benchmark_rows(path, n):
    from rec_utils.runtime.benchmark_log import append_rows

    for i in range(n):
        append_rows("b", "cpu", "numpy", {"i": i}, {"t": (float(i), "s")}, path=path)


def _record_errata(path, prefix, n):
    for i in range(n):
        record_erratum(f"{prefix}{i}", "1", "a", "b", "wrong", "nb", path=path)


def test_concurrent_writers_of_shared_reports_lose_nothing(tmp_path):
    import multiprocessing

    import pandas as pd

    workers = [multiprocessing.Process(target=_append_benchmark_rows, args=(tmp_path / "b.csv", 20)) for _ in range(2)]
    workers += [multiprocessing.Process(target=_record_errata, args=(tmp_path / "e.csv", p, 10)) for p in "xy"]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert [w.exitcode for w in workers] == [0] * 4
    assert len(pd.read_csv(tmp_path / "b.csv")) == 40
    assert len(load_errata(tmp_path / "e.csv")) == 20


def test_none_for_nan_reaches_every_depth_and_keeps_other_values():
    value = {"a": float("nan"), "b": [1.0, np.float64("nan"), {"c": np.nan}], "d": (2, "x"), "e": None}
    assert none_for_nan(value) == {"a": None, "b": [1.0, None, {"c": None}], "d": [2, "x"], "e": None}


def test_json_records_write_missing_values_as_none():
    frame = pd.DataFrame({"x": [1.0, np.nan], "y": ["a", None]})
    assert json_records(frame) == [{"x": 1.0, "y": "a"}, {"x": None, "y": None}]


def test_headline_entry_reads_a_triple_or_a_series_in_order():
    assert headline_entry("n", (0.1, 0.0, 0.2)) == {"name": "n", "value": 0.1, "low": 0.0, "high": 0.2}
    row = pd.Series({"difference": 0.1, "low": 0.0, "high": 0.2, "extra": 9.0})
    assert headline_entry("n", row) == {"name": "n", "value": 0.1, "low": 0.0, "high": 0.2}
