"""Processed tables: atomic writes, one build at a time, unreadable, damaged or stale tables rebuilt (several
processes at once), leftovers of killed builders swept."""

import multiprocessing
import os
import signal
import time

import pandas as pd
import pytest

from rec_utils.data import tables
from rec_utils.data.online_retail import (
    ONLINE_RETAIL_SHA256,
    MissingDataFileError,
    frame_sha256,
    to_typed_transactions,
)
from rec_utils.data.tables import PROCESSED_TABLES, build_processed_tables, load_processed
from rec_utils.runtime.caches import MANIFEST_SUFFIX
from rec_utils.runtime.io import atomic_path
from tests.conftest import make_transactions

TABLE_FILES = sorted(name for n in PROCESSED_TABLES for name in (f"{n}.parquet", f"{n}.parquet{MANIFEST_SUFFIX}"))


def _raw(n_invoices: int = 300) -> pd.DataFrame:
    """A small typed transactions frame (n_invoices invoices of 20 customers and 30 products) that stands in for
    the embedded file: it carries the attributes load_online_retail gives (the file's SHA-256, its rows' hash)."""
    rows = [{"InvoiceNo": str(500000 + i), "StockCode": str(10000 + (7 * i + j) % 30), "CustomerID": 12000.0 + i % 20,
             "Quantity": 1 + j, "InvoiceDate": f"2011-0{1 + i % 9}-{1 + j:02d} 10:00"}
            for i in range(n_invoices) for j in range(3)]
    frame = to_typed_transactions(make_transactions(rows))
    frame.attrs.update(source_sha256=ONLINE_RETAIL_SHA256, content_sha256=frame_sha256(frame))
    return frame


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
    assert leftovers == sorted(TABLE_FILES + ["tables.lock"])


def test_missing_and_unreadable_tables_are_rebuilt_with_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(tables, "load_online_retail", _raw)
    assert len(load_processed("purchases", tmp_path)) > 0  # missing: built
    (tmp_path / "customers.parquet").write_bytes(b"PAR1 truncated")
    customers = load_processed("customers", tmp_path)
    assert len(customers) == 20
    out = capsys.readouterr().out
    assert out.count("processed table customers.parquet does not match the checksum") == 1 and "rebuilding it" in out
    assert out.count("rebuilding it") == 1  # the purchases table built first was reused, not rebuilt
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


@pytest.fixture
def built(tmp_path, monkeypatch, capsys):
    """Tables built from the stand-in of the embedded file in tmp_path; the loader builds from it too."""
    monkeypatch.setattr(tables, "load_online_retail", _raw)
    build_processed_tables(_raw(), tmp_path)
    capsys.readouterr()
    return tmp_path


def _rebuilt(name, folder, capsys):
    """Load `name`, asserting it was rebuilt with one line; return (table, that line)."""
    table = load_processed(name, folder)
    lines = [line for line in capsys.readouterr().out.splitlines() if "rebuilding it" in line]
    assert len(lines) == 1, lines
    return table, lines[0]


def test_tables_built_by_notebook_01_are_reused_by_later_notebooks(built, capsys):
    """Notebook 01 builds from load_online_retail()'s frame; notebooks 02+ load: no rebuild, no line."""
    assert len(load_processed("transactions", built)) == 900 and capsys.readouterr().out == ""


def test_table_built_by_other_code_is_rebuilt_saying_why(built, monkeypatch, capsys):
    """After a git pull that changed cleaning or table code, nothing built by the old code is reused."""
    monkeypatch.setattr(tables, "_code", lambda: "code-after-a-git-pull")
    _, line = _rebuilt("catalog", built, capsys)
    assert "catalog.parquet was built from other inputs or code (differs in: code)" in line
    assert load_processed("catalog", built) is not None and capsys.readouterr().out == ""  # rebuilt once


def test_old_schema_catalogue_without_a_manifest_is_rebuilt(built, capsys):
    """The old code's catalogue had no Description: it used to fail later with a bare KeyError."""
    pd.DataFrame({"StockCode": ["10000"], "median_price": [1.0]}).to_parquet(built / "catalog.parquet")
    (built / f"catalog.parquet{MANIFEST_SUFFIX}").unlink()
    catalog, line = _rebuilt("catalog", built, capsys)
    assert "has no readable catalog.parquet.manifest.json" in line
    assert "Description" in catalog.columns and len(catalog) == 30


@pytest.mark.parametrize("damage", ["half", "sample", "empty"])
def test_a_table_replaced_by_a_smaller_one_is_rebuilt(built, capsys, damage):
    """A half-size, 10%-sample or empty table that parses used to run through without a word."""
    full = pd.read_parquet(built / "transactions.parquet")
    smaller = {"half": full.iloc[: len(full) // 2], "sample": full.sample(frac=0.1, random_state=0),
               "empty": full.iloc[:0]}[damage]
    with atomic_path(built / "transactions.parquet") as tmp:
        smaller.to_parquet(tmp, index=False)
    table, line = _rebuilt("transactions", built, capsys)
    assert "does not match the checksum" in line and len(table) == len(full)


def test_tables_built_from_a_sample_are_not_taken_for_the_full_data(built, capsys):
    build_processed_tables(_raw().sample(frac=0.5, random_state=1), built)
    assert len(pd.read_parquet(built / "purchases.parquet")) < len(load_processed("purchases", built))
    assert "differs in: source_sha256" in capsys.readouterr().out


def test_rows_and_schema_are_checked_on_read(built, capsys):
    manifest = built / f"customers.parquet{MANIFEST_SUFFIX}"
    manifest.write_text(manifest.read_text().replace('"rows": 20', '"rows": 21'))
    _, line = _rebuilt("customers", built, capsys)
    assert "holds other contents than its manifest records (differs in: rows)" in line


def _killed_while_writing(folder):
    with atomic_path(folder / "transactions.parquet") as tmp:
        tmp.write_bytes(b"PAR1 half written")
        os.kill(os.getpid(), signal.SIGKILL)


def test_a_builder_killed_mid_write_leaves_nothing_after_the_next_build(tmp_path, capsys):
    worker = multiprocessing.Process(target=_killed_while_writing, args=(tmp_path,))
    worker.start()
    worker.join(30)
    assert worker.exitcode == -signal.SIGKILL
    assert [p.name for p in tmp_path.glob(".transactions.parquet.tmp*")]  # what kill -9 leaves
    build_processed_tables(_raw(), tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(TABLE_FILES + ["tables.lock"])
    assert "removed 1 temporary file(s) left by interrupted writers" in capsys.readouterr().out
