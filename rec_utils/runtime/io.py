"""Writing artefacts so that nothing half-written is ever seen, and reading caches that may be damaged.

    with atomic_path(dest) as tmp:        # write to tmp (same folder), then it replaces dest in one step
        frame.to_parquet(tmp)
    write_text_atomic(dest, text)         # the same for a string
    with file_lock(dest):                 # one process at a time rebuilds a shared artefact
        ...
    read_cache(path, reader, what=...)    # None when missing or unreadable (says so in one line)
    sweep_temporary_files(folder)         # at start-up: remove what writers killed mid-write left behind

A reader sees either the old file or the new one, never a partial one: the temporary file lives in the
destination's folder (so os.replace is an atomic rename on the same file system), is flushed and fsynced
before the rename, and is removed when writing fails. A writer killed outright (kill -9, power loss) cannot
remove it: its name, `.<dest name>.tmp<pid>-<random>`, names the writing process, so a later start-up
removes the files of writers that are gone.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
_UMASK = os.umask(0o022)  # read the process umask (only os.umask can) and put it back
os.umask(_UMASK)
# `.<name>.tmp<pid>-<random><suffix>`; files of an older version carry no pid (`.<name>.tmp<random>`).
TEMPORARY_NAME = re.compile(r"^\.(?P<dest>.+)\.tmp(?:(?P<pid>\d+)-)?")
LEGACY_TEMPORARY_AGE_S = 3600.0  # a temporary file without a pid is taken for dead once this old


@contextlib.contextmanager
def atomic_path(dest: Path | str, *, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside `dest`; when the block succeeds it atomically replaces `dest`.

    The temporary name ends with `suffix` (default: dest's own suffix), so writers that look at the
    extension (np.save, Keras' model.save, matplotlib) write exactly there. On an exception the
    temporary file is deleted and `dest` is left as it was. The new file keeps dest's permissions, or
    gets those of any newly created file (0666 less the umask), not the temporary file's 0600.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{dest.name}.tmp{os.getpid()}-",
                                suffix=dest.suffix if suffix is None else suffix, dir=dest.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, dest.stat().st_mode & 0o777 if dest.exists() else 0o666 & ~_UMASK)
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)


def write_bytes_atomic(dest: Path | str, data: bytes) -> Path:
    """Write `data` to `dest` atomically; return dest."""
    with atomic_path(dest) as tmp:
        tmp.write_bytes(data)
    return Path(dest)


def write_text_atomic(dest: Path | str, text: str, encoding: str = "utf-8") -> Path:
    """Write `text` to `dest` atomically; return dest."""
    return write_bytes_atomic(dest, text.encode(encoding))


@contextlib.contextmanager
def file_lock(target: Path | str) -> Iterator[None]:
    """Hold an exclusive lock on `<target>.lock` (beside it) for the block; other processes wait.

    Used where several runs may rebuild the same shared artefact (e.g. data/processed/): the first
    builds, the others wait and then find it built. The lock is released when the block ends or the
    process dies.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.with_name(target.name + ".lock"), "a") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def read_cache(path: Path | str, reader: Callable[[Path], T], *, what: str = "cache") -> T | None:
    """`reader(path)`, or None when the file is missing or cannot be read (then one line says it is rebuilt).

    A cache is only an optimisation: a truncated or corrupt file must never stop a run, and never be
    trusted either.
    """
    path = Path(path)
    if not path.exists():
        return None
    try:
        return reader(path)
    except Exception as exc:  # any reader failure (truncated Parquet, bad .npy, ...) means "not usable"
        print(f"{what} {path.name} is unreadable ({type(exc).__name__}); rebuilding it")
        return None


def process_alive(pid: int) -> bool:
    """Whether a process with this id runs (on this machine)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def sweep_temporary_files(folder: Path | str, *, what: str = "") -> list[Path]:
    """Remove the temporary files (`.<name>.tmp<pid>-...` of atomic_path) in `folder` whose writing process is
    gone: what a writer killed mid-write leaves. Files of living processes are kept; one without a pid (an older
    version's) is removed once an hour old. Call it where writers start (the runner, the table builders), under
    the folder's lock where it has one. Returns the removed paths; one line says how many were removed."""
    folder = Path(folder)
    removed = []
    for path in sorted(folder.glob(".*.tmp*")) if folder.is_dir() else []:
        match = TEMPORARY_NAME.match(path.name)
        if match is None or not path.is_file():
            continue
        if match["pid"] is not None:
            dead = not process_alive(int(match["pid"]))
        else:
            dead = time.time() - path.stat().st_mtime > LEGACY_TEMPORARY_AGE_S
        if dead:
            path.unlink(missing_ok=True)
            removed.append(path)
    if removed:
        names = ", ".join(p.name for p in removed[:3]) + (" ..." if len(removed) > 3 else "")
        print(f"removed {len(removed)} temporary file(s) left by interrupted writers in {what or folder}: {names}")
    return removed
