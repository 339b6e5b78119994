"""Processed tables: atomic writes, one build at a time, unreadable tables rebuilt (several processes at once)."""

import multiprocessing
import time

import pandas as pd
import pytest

from rec_utils.data import tables
from rec_utils.data.online_retail import MissingDataFileError, to_typed_transactions
from rec_utils.data.tables import PROCESSED_TABLES, build_processed_tables, load_processed
from tests.conftest import make_transactions


def _raw(n_invoices: int = 300) -> pd.DataFrame:
    """A small typed transactions frame: n_invoices invoices of 20 customers and 30 products."""
    rows = [{"InvoiceNo": str(500000 + i), "StockCode": str(10000 + (7 * i + j) % 30), "CustomerID": 12000.0 + i % 20,
             "Quantity": 1 + j, "InvoiceDate": f"2011-0{1 + i % 9}-{1 + j:02d} 10:00"}
            for i in range(n_invoices) for j in range(3)]
    return to_typed_transactions(make_transactions(rows))


def _build_repeatedly(out_dir, until):
    raw = _raw()
    while time.monotonic() < until:
        build_processed_tables(raw, out_dir)


def _read_repeatedly(out_dir, until, failures):
    reads = 0
    while time.monotonic() < until:
        for name in PROCESSED_TABLES:
            try:
                pd.read_parquet(out_dir / f"{name}.parquet")
                reads += 1
            except Exception as exc:  # any failure is what this test exists to catch
                failures.put(f"{name}: {type(exc).__name__}: {exc}")
    failures.put(f"reads {reads}")


def test_two_builders_and_a_reader_at_once_never_collide(tmp_path):
    build_processed_tables(_raw(), tmp_path)  # readers start from complete tables
    until = time.monotonic() + 1.0
    failures = multiprocessing.Queue()
    workers = [multiprocessing.Process(target=_build_repeatedly, args=(tmp_path, until)) for _ in range(2)]
    workers.append(multiprocessing.Process(target=_read_repeatedly, args=(tmp_path, until, failures)))
    for w in workers:
        w.start()
    for w in workers:
        w.join(30)
    assert [w.exitcode for w in workers] == [0, 0, 0]
    messages = [failures.get(timeout=5) for _ in range(failures.qsize() or 1)]
    assert len(messages) == 1 and messages[0].startswith("reads "), messages
    assert int(messages[0].split()[1]) > 0
    leftovers = sorted(p.name for p in tmp_path.iterdir())
    assert leftovers == sorted([f"{n}.parquet" for n in PROCESSED_TABLES] + ["tables.lock"])


def test_missing_and_unreadable_tables_are_rebuilt_with_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(tables, "load_online_retail", _raw)
    assert len(load_processed("purchases", tmp_path)) > 0  # missing: built
    (tmp_path / "customers.parquet").write_bytes(b"PAR1 truncated")
    customers = load_processed("customers", tmp_path)
    assert len(customers) == 20
    out = capsys.readouterr().out
    assert out.count("processed table customers.parquet is unreadable (") == 1 and "rebuilding it" in out
    pd.read_parquet(tmp_path / "customers.parquet")  # the rebuilt file is whole


def test_without_building_a_missing_table_names_the_notebook(tmp_path):
    with pytest.raises(MissingDataFileError, match="run notebook 01"):
        load_processed("catalog", tmp_path, build_if_missing=False)


def _load(out_dir, results):
    tables.load_online_retail = _raw  # this child's own module state (fork start)
    results.put(len(load_processed("transactions", out_dir)))


def test_two_loaders_of_missing_tables_build_once(tmp_path):
    results = multiprocessing.Queue()
    workers = [multiprocessing.Process(target=_load, args=(tmp_path, results)) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(30)
    assert [w.exitcode for w in workers] == [0, 0]
    assert results.get(timeout=5) == results.get(timeout=5) == 900
