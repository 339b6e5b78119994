"""Download-and-cache with SHA-256 verification, time limits and fast, clear offline failures.

A download is written to a temporary file beside its destination and moves into place only when it is
complete and verified (rec_utils.runtime.io.atomic_path): a failed, interrupted or poisoned download
leaves nothing behind. Two limits bound it: `timeout_s` for every network operation (connect, each read)
and `deadline_s` for the whole transfer, so a server that trickles bytes cannot stall a run.
"""

from __future__ import annotations

import http.client
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path

from rec_utils.runtime.caches import file_sha256
from rec_utils.runtime.io import atomic_path
from rec_utils.runtime.progress import progress_bar

CHUNK_BYTES = 1 << 20
REFETCH_HINT = "delete it and fetch it again"


class DownloadError(RuntimeError):
    """A download could not be completed (offline, timed out, too slow, cut short, HTTP error)."""


class ChecksumMismatchError(ValueError):
    """A file's SHA-256 differs from the expected one; `hint` says what to do about it."""

    def __init__(self, path: Path, expected: str, actual: str, hint: str = REFETCH_HINT):
        self.path, self.expected, self.actual = Path(path), expected, actual
        super().__init__(
            f"checksum mismatch for {Path(path).name}: expected SHA-256 {expected}, "
            f"got {actual}. The file is corrupt or not the published version; {hint}."
        )


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file (rec_utils.runtime.caches.file_sha256)."""
    return file_sha256(path)


def verify_sha256(path: Path, expected: str, *, name: str | None = None, hint: str = REFETCH_HINT) -> None:
    """Raise ChecksumMismatchError (naming both hashes, the file as `name`, and `hint`) unless the file matches."""
    actual = sha256_of(path)
    if actual != expected.lower():
        raise ChecksumMismatchError(Path(name) if name else path, expected.lower(), actual, hint)


def _fetch(url: str, target: Path, dest: Path, timeout_s: float, deadline_s: float, show_progress: bool | None) -> None:
    """Stream `url` into `target`; DownloadError when it is slower than deadline_s in total or cut short."""
    deadline = time.monotonic() + deadline_s
    with urllib.request.urlopen(url, timeout=timeout_s) as response:
        total = int(response.headers.get("Content-Length") or 0) or None
        received = 0
        with open(target, "wb") as fh, progress_bar(
            total=total, unit="B", unit_scale=True, desc=dest.name, enabled=show_progress
        ) as bar:
            while chunk := response.read1(CHUNK_BYTES):  # returns what one read brings: the deadline is checked
                fh.write(chunk)
                received += len(chunk)
                bar.update(len(chunk))
                if time.monotonic() > deadline:
                    raise DownloadError(
                        f"download of {url} did not finish within {deadline_s:g} s ({received:,} bytes received): "
                        f"the server is too slow or stalled. Try again later, or download the file elsewhere "
                        f"and place it at {dest}."
                    )
    if total is not None and received != total:
        raise DownloadError(f"download of {url} was cut short: {received:,} of {total:,} bytes arrived; try again")


def download(
    url: str,
    dest: Path,
    *,
    expected_sha256: str | None = None,
    timeout_s: float = 10.0,
    deadline_s: float = 900.0,
    show_progress: bool | None = None,
) -> Path:
    """Download `url` to `dest` unless a verified copy is already there; return dest.

    `timeout_s` limits each network operation (offline, this fails within seconds with a DownloadError
    that names the URL and what to do instead); `deadline_s` limits the whole transfer (it ends within
    about deadline_s + timeout_s). With `expected_sha256`, a cached or downloaded file that differs raises
    ChecksumMismatchError, and a downloaded one is discarded.
    """
    dest = Path(dest)
    if dest.exists():
        if expected_sha256:
            verify_sha256(dest, expected_sha256)
        return dest
    with atomic_path(dest) as tmp:
        try:
            _fetch(url, tmp, dest, timeout_s, deadline_s, show_progress)
        except (urllib.error.URLError, http.client.HTTPException, socket.timeout, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise DownloadError(
                f"could not download {url} ({reason}). This machine may be offline: "
                f"download the file elsewhere and place it at {dest}."
            ) from exc
        if expected_sha256:
            verify_sha256(tmp, expected_sha256, name=dest.name)
    return dest
