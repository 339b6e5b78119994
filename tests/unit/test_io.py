"""Atomic artefacts: a reader never sees a partial file; a failed write leaves the old file and no debris."""

import multiprocessing
import time

import numpy as np
import pandas as pd
import pytest

from rec_utils.runtime.io import atomic_path, file_lock, read_cache, write_text_atomic


def test_atomic_write_replaces_and_leaves_no_temporary_file(tmp_path):
    dest = tmp_path / "sub" / "table.parquet"
    with atomic_path(dest) as tmp:
        pd.DataFrame({"a": [1, 2]}).to_parquet(tmp)
    assert pd.read_parquet(dest)["a"].tolist() == [1, 2]
    with atomic_path(tmp_path / "x.npy") as tmp:
        np.save(tmp, np.arange(3))  # np.save keeps a name that already ends in .npy
    assert np.load(tmp_path / "x.npy").tolist() == [0, 1, 2]
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["sub", "table.parquet", "x.npy"]


def test_failed_write_keeps_the_old_file(tmp_path):
    dest = write_text_atomic(tmp_path / "log.json", "old")
    with pytest.raises(RuntimeError):
        with atomic_path(dest) as tmp:
            tmp.write_text("half")
            raise RuntimeError("killed")
    assert dest.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["log.json"]


def test_unreadable_cache_is_treated_as_missing(tmp_path, capsys):
    bad = tmp_path / "f.npy"
    bad.write_bytes(b"\x93NUMPY truncated")
    assert read_cache(bad, np.load, what="feature cache") is None
    assert "feature cache f.npy is unreadable" in capsys.readouterr().out
    assert read_cache(tmp_path / "missing.npy", np.load) is None


def _hold_lock(path, seconds, started):
    with file_lock(path):
        started.set()
        time.sleep(seconds)


def test_file_lock_makes_a_second_process_wait(tmp_path):
    # spawn, not fork: the test process may hold JAX or TensorFlow threads, which a forked child must not inherit
    context = multiprocessing.get_context("spawn")
    started = context.Event()
    holder = context.Process(target=_hold_lock, args=(tmp_path / "tables", 0.5, started))
    holder.start()
    assert started.wait(10)
    begin = time.perf_counter()
    with file_lock(tmp_path / "tables"):
        waited = time.perf_counter() - begin
    holder.join()
    assert waited > 0.2


def test_written_files_get_ordinary_permissions(tmp_path):
    """mkstemp creates 0600 files: readers such as a web server serving reports/ must still read them."""
    import os

    umask = os.umask(0)
    os.umask(umask)
    new = write_text_atomic(tmp_path / "index.html", "x")
    assert new.stat().st_mode & 0o777 == 0o666 & ~umask
    os.chmod(new, 0o640)
    write_text_atomic(new, "y")
    assert new.stat().st_mode & 0o777 == 0o640  # an existing file keeps its mode
