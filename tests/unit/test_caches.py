"""Caches that know what built them (rec_utils.runtime.caches) and the sweep of killed writers' temporary files."""

import multiprocessing
import os
import signal
import time

import numpy as np
import pytest

from rec_utils.features import images
from rec_utils.runtime.caches import code_hash, manifest_path, read_cached, save_cached, stale_reason
from rec_utils.runtime.io import atomic_path, sweep_temporary_files

BUILT_FROM = {"images_sha1": "abc", "seed": 0, "code": "c1"}


def _save(path, array, built_from=BUILT_FROM):
    return save_cached(path, lambda tmp: np.save(tmp, array), built_from, details=images.array_details(array))


def _read(path, built_from=BUILT_FROM):
    return read_cached(path, np.load, built_from, what="feature cache", describe=images.array_details)


def test_a_matching_cache_is_read_and_the_manifest_comes_last(tmp_path, capsys):
    path = _save(tmp_path / "f.npy", np.arange(6.0).reshape(2, 3))
    assert _read(path).tolist() == [[0, 1, 2], [3, 4, 5]] and capsys.readouterr().out == ""
    assert manifest_path(path).stat().st_mtime_ns >= path.stat().st_mtime_ns
    assert _read(tmp_path / "missing.npy") is None and capsys.readouterr().out == ""  # missing: silently None


def test_a_flipped_bit_is_detected(tmp_path, capsys):
    path = _save(tmp_path / "f.npy", np.zeros(100, dtype=np.float32))
    data = bytearray(path.read_bytes())
    data[-5] ^= 0x01  # one bit of one value: np.load would read it without complaint
    path.write_bytes(bytes(data))
    assert np.load(path).sum() != 0
    assert _read(path) is None
    assert "feature cache f.npy does not match the checksum in its manifest" in capsys.readouterr().out


@pytest.mark.parametrize("change", [{"seed": 1}, {"code": "c2"}, {"extra": True}])
def test_a_cache_built_from_other_inputs_or_code_is_not_reused(tmp_path, capsys, change):
    path = _save(tmp_path / "f.npy", np.ones(3))
    assert _read(path, {**BUILT_FROM, **change}) is None
    assert f"was built from other inputs or code (differs in: {next(iter(change))})" in capsys.readouterr().out


def test_a_cache_without_a_manifest_or_with_other_contents_is_rebuilt(tmp_path, capsys):
    path = tmp_path / "f.npy"
    np.save(path, np.ones(3))  # as an older version wrote it
    assert _read(path) is None and "has no readable f.npy.manifest.json" in capsys.readouterr().out
    _save(path, np.ones(3))
    manifest = manifest_path(path)
    manifest.write_text(manifest.read_text().replace('"float64"', '"float32"'))
    assert _read(path) is None and "(differs in: dtype)" in capsys.readouterr().out
    manifest.write_text("{truncated")
    assert stale_reason(path, BUILT_FROM).startswith("has no readable")


def test_code_hash_changes_with_the_source():
    assert code_hash(images) == code_hash(images) and code_hash(images) != code_hash(np)
    assert len(code_hash(images)) == 16


def _killed_while_writing(folder):
    with atomic_path(folder / "07_model_evaluation.ipynb") as tmp:
        tmp.write_text("{half")
        os.kill(os.getpid(), signal.SIGKILL)


def _writing_for_a_while(folder, started):
    with atomic_path(folder / "08_x.ipynb") as tmp:
        tmp.write_text("{")
        started.set()
        time.sleep(5)


def test_sweep_removes_what_dead_writers_left_and_keeps_living_ones(tmp_path, capsys):
    killed = multiprocessing.Process(target=_killed_while_writing, args=(tmp_path,))
    killed.start()
    killed.join(30)
    started = multiprocessing.Event()
    living = multiprocessing.Process(target=_writing_for_a_while, args=(tmp_path, started))
    living.start()
    assert started.wait(30)
    legacy_old, legacy_new = tmp_path / ".x.csv.tmpab12_c.csv", tmp_path / ".y.csv.tmpzz9_q.csv"  # no pid in the name
    for path in (legacy_old, legacy_new):
        path.write_text("a,b")
    os.utime(legacy_old, (time.time() - 7200, time.time() - 7200))
    (tmp_path / ".hidden.ipynb").write_text("{}")  # a dot-file that is no temporary file
    try:
        removed = sweep_temporary_files(tmp_path)
        left = sorted(p.name for p in tmp_path.iterdir())
    finally:
        living.terminate()
        living.join(10)
    removed_names = sorted(p.name for p in removed)
    assert len(removed_names) == 2 and legacy_old.name in removed_names
    assert any(n.startswith(".07_model_evaluation.ipynb.tmp") for n in removed_names)  # its writer was killed
    assert any(n.startswith(".08_x.ipynb.tmp") for n in left) and legacy_new.name in left and ".hidden.ipynb" in left
    assert "removed 2 temporary file(s) left by interrupted writers" in capsys.readouterr().out
