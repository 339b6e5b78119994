"""Download-and-cache with SHA-256 verification and fast, clear offline failures."""

from __future__ import annotations

import hashlib
import os
import socket
import urllib.error
import urllib.request
from pathlib import Path

from rec_utils.runtime.progress import progress_bar

CHUNK_BYTES = 1 << 20


class DownloadError(RuntimeError):
    """A download could not be completed (offline, timed out, HTTP error)."""


class ChecksumMismatchError(ValueError):
    """A file's SHA-256 differs from the expected one."""

    def __init__(self, path: Path, expected: str, actual: str):
        self.path, self.expected, self.actual = Path(path), expected, actual
        super().__init__(
            f"checksum mismatch for {Path(path).name}: expected SHA-256 {expected}, "
            f"got {actual}. The file is corrupt or not the published version; "
            "delete it and fetch it again."
        )


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK_BYTES), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify_sha256(path: Path, expected: str) -> None:
    """Raise ChecksumMismatchError (naming both hashes) unless the file matches."""
    actual = sha256_of(path)
    if actual != expected.lower():
        raise ChecksumMismatchError(path, expected.lower(), actual)


def download(
    url: str,
    dest: Path,
    *,
    expected_sha256: str | None = None,
    timeout_s: float = 10.0,
    show_progress: bool | None = None,
) -> Path:
    """Download `url` to `dest` unless a verified copy is already there.

    The file is written to `dest.part` and renamed only when complete and verified,
    so an interrupted download never leaves a truncated file behind. Every socket
    operation has a `timeout_s` limit: offline, this fails within seconds with a
    DownloadError that names the URL and what to do instead.
    Returns the path of the verified file.
    """
    dest = Path(dest)
    if dest.exists():
        if expected_sha256:
            verify_sha256(dest, expected_sha256)
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:
            total = int(response.headers.get("Content-Length") or 0) or None
            with open(part, "wb") as fh, progress_bar(
                total=total, unit="B", unit_scale=True, desc=dest.name, enabled=show_progress
            ) as bar:
                for chunk in iter(lambda: response.read(CHUNK_BYTES), b""):
                    fh.write(chunk)
                    bar.update(len(chunk))
    except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError, OSError) as exc:
        part.unlink(missing_ok=True)
        reason = getattr(exc, "reason", exc)
        raise DownloadError(
            f"could not download {url} ({reason}). This machine may be offline: "
            f"download the file elsewhere and place it at {dest}."
        ) from exc
    if expected_sha256:
        try:
            verify_sha256(part, expected_sha256)
        except ChecksumMismatchError:
            part.unlink(missing_ok=True)
            raise
    os.replace(part, dest)
    return dest
