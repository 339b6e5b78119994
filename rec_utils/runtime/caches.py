"""Caches that know what built them: every cached file (processed tables, embeddings, trained networks) has a
manifest beside it, written last and atomically, saying what built it and what its bytes hash to.

    built_from = {"source_sha256": file_sha256(source), "code": code_hash(tables, cleaning), "seed": 0}
    save_cached(path, lambda tmp: frame.to_parquet(tmp), built_from, details={"rows": len(frame)})
    frame = read_cached(path, pd.read_parquet, built_from, what="processed table",
                        describe=lambda f: {"rows": len(f)})        # None: rebuild it (one line says why)

`<file>.manifest.json` holds {"built_from": ..., "sha256": ..., "bytes": ..., "details": ...}. read_cached returns
None, saying why in one line, when the file is missing (silently), has no readable manifest (an older version
wrote it, or a writer died between the file and its manifest), was built from other inputs or by other code
(naming which entries differ), fails its checksum (a flipped bit, a copy over it), cannot be read, or when
`describe` of what was read (rows, schema, shape) differs from the details recorded. A cache is never trusted
on its name alone.
"""

from __future__ import annotations

import hashlib
import inspect
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from types import ModuleType
from typing import TypeVar

from rec_utils.runtime.io import atomic_path, sweep_temporary_files, write_text_atomic

T = TypeVar("T")
MANIFEST_SUFFIX = ".manifest.json"


def manifest_path(path: Path | str) -> Path:
    """Where the manifest of a cached file lives: `<file>.manifest.json` beside it."""
    path = Path(path)
    return path.with_name(path.name + MANIFEST_SUFFIX)


def file_sha256(path: Path | str) -> str:
    """SHA-256 (hex) of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def code_hash(*modules: ModuleType) -> str:
    """A short SHA-256 of the modules' source code: part of `built_from`, so that a cache built by other code
    (a `git pull` that changed cleaning or a network's architecture) is rebuilt, not reused."""
    digest = hashlib.sha256()
    for module in modules:
        digest.update(module.__name__.encode() + b"\0" + inspect.getsource(module).encode() + b"\0")
    return digest.hexdigest()[:16]


def _plain(value: Mapping) -> dict:
    """`value` as it reads back from JSON (tuples become lists), so a fresh fingerprint compares with a stored one."""
    return json.loads(json.dumps(dict(value), sort_keys=True, default=str))


def save_cached(path: Path | str, write: Callable[[Path], None], built_from: Mapping, *,
                details: Mapping | None = None) -> Path:
    """`write(tmp)` fills a temporary file that atomically becomes `path`; then the manifest (what built it, the
    checksum of exactly those bytes, `details` such as rows and schema) is written atomically. What killed writers
    left in the folder is removed first (sweep_temporary_files). Returns path."""
    path = Path(path)
    sweep_temporary_files(path.parent)
    with atomic_path(path) as tmp:
        write(tmp)
        manifest = {"built_from": _plain(built_from), "sha256": file_sha256(tmp), "bytes": tmp.stat().st_size,
                    "details": _plain(details or {})}
    write_text_atomic(manifest_path(path), json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return path


def _read_manifest(path: Path) -> dict | None:
    try:
        manifest = json.loads(manifest_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    keys = {"built_from", "sha256", "details"}
    return manifest if isinstance(manifest, dict) and keys <= set(manifest) else None


def stale_reason(path: Path | str, built_from: Mapping) -> str | None:
    """Why the cached file at `path` may not be used for `built_from` (None: it may; also None when missing)."""
    path = Path(path)
    if not path.exists():
        return None
    manifest = _read_manifest(path)
    if manifest is None:
        return f"has no readable {manifest_path(path).name} (written by an older version, or interrupted)"
    wanted = _plain(built_from)
    differing = sorted(k for k in set(wanted) | set(manifest["built_from"])
                       if wanted.get(k) != manifest["built_from"].get(k))
    if differing:
        return f"was built from other inputs or code (differs in: {', '.join(differing)})"
    if file_sha256(path) != manifest["sha256"]:
        return "does not match the checksum in its manifest (damaged, or changed after it was written)"
    return None


def read_cached(path: Path | str, read: Callable[[Path], T], built_from: Mapping, *, what: str = "cache",
                describe: Callable[[T], Mapping] | None = None) -> T | None:
    """`read(path)` when the cached file was built from `built_from`, is whole (checksum) and, with `describe`,
    still shows the details recorded when it was written; otherwise None, with one line saying why (nothing
    when the file is simply missing)."""
    path = Path(path)
    if not path.exists():
        return None
    reason = stale_reason(path, built_from)
    if reason is None:
        try:
            value = read(path)
        except Exception as exc:  # any reader failure (truncated Parquet, bad .npy, ...) means "not usable"
            reason = f"is unreadable ({type(exc).__name__})"
        else:
            recorded = (_read_manifest(path) or {}).get("details", {})
            found = {} if describe is None else _plain(describe(value))
            differing = sorted(k for k in set(found) | set(recorded) if found.get(k) != recorded.get(k))
            if describe is None or not differing:
                return value
            reason = f"holds other contents than its manifest records (differs in: {', '.join(differing)})"
    print(f"{what} {path.name} {reason}; rebuilding it")
    return None
