"""Fashion-MNIST product photos: the shipped test and train splits, Debian's copy, or Keras' download cache.

Shapes: images (n, 28, 28) uint8, labels (n,) uint8 (n = 10,000 test, 60,000 train). A file stored in
byte-range parts (`<name>.part-00`, `.part-01`, ...; the repository keeps every file under 20 MiB) is
joined in memory after each part's checksum is verified.
"""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import numpy as np
from keras.datasets import fashion_mnist

from rec_utils.data.download import ChecksumMismatchError, DownloadError
from rec_utils.data.online_retail import MissingDataFileError
from rec_utils.runtime.paths import DATA_DIR

FASHION_DIR: Path = DATA_DIR / "fashion_mnist"
DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
CLASS_NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
_PREFIX = {"train": "train", "test": "t10k"}


def read_idx(path: Path) -> np.ndarray:
    """Read a gzip-compressed IDX file (uint8 images or labels) into a numpy array."""
    return _parse_idx(gzip.decompress(Path(path).read_bytes()), Path(path).name)


def _parse_idx(raw: bytes, name: str) -> np.ndarray:
    magic = int.from_bytes(raw[:4], "big")
    n_dims = magic & 0xFF
    if magic >> 8 != 0x08:  # 0x08 = unsigned byte
        raise ValueError(f"{name} is not an unsigned-byte IDX file (magic {magic:#x})")
    shape = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(n_dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * n_dims).reshape(shape)


def _file_parts(path: Path) -> list[Path]:
    """[path] when the file exists, else its byte-range parts `<name>.part-NN` in order (empty: neither)."""
    return [path] if path.exists() else sorted(path.parent.glob(f"{path.name}.part-*"))


def _read_verified(path: Path, checksums: dict[str, str] | None) -> np.ndarray:
    """The IDX array stored in `path` or in its parts, each file checked against `checksums` (name -> sha256)."""
    blobs = []
    for part in _file_parts(path):
        data = part.read_bytes()
        if checksums and part.name in checksums:
            actual = hashlib.sha256(data).hexdigest()
            if actual != checksums[part.name]:
                raise ChecksumMismatchError(part, checksums[part.name], actual)
        blobs.append(data)
    return _parse_idx(gzip.decompress(b"".join(blobs)), path.name)


def _read_split(folder: Path, split: str, checksums: dict[str, str] | None) -> tuple[np.ndarray, np.ndarray]:
    prefix = _PREFIX[split]
    images = _read_verified(folder / f"{prefix}-images-idx3-ubyte.gz", checksums)
    labels = _read_verified(folder / f"{prefix}-labels-idx1-ubyte.gz", checksums)
    if len(images) != len(labels):
        raise ValueError(f"{folder}: {len(images)} images but {len(labels)} labels")
    return images, labels


def _shipped_checksums() -> dict[str, str]:
    lines = (FASHION_DIR / "SHA256SUMS").read_text().split("\n")
    return {name: digest for digest, name in (line.split() for line in lines if line.strip())}


def load_fashion_mnist(split: str = "test", source: str = "auto") -> tuple[np.ndarray, np.ndarray, str]:
    """Images (n, 28, 28) uint8, labels (n,) uint8 and the name of the source used.

    source: "repo" (data/fashion_mnist/, both splits, checksums verified), "debian"
    (/usr/share/datasets/fashion-mnist/), "keras" (Keras' cache, downloading when online),
    or "auto": the first of these that has the split.
    """
    if split not in _PREFIX:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    if source not in {"auto", "repo", "debian", "keras"}:
        raise ValueError(f"source must be 'auto', 'repo', 'debian' or 'keras', got {source!r}")
    prefix = _PREFIX[split]
    if source in {"auto", "repo"} and _file_parts(FASHION_DIR / f"{prefix}-images-idx3-ubyte.gz"):
        return (*_read_split(FASHION_DIR, split, _shipped_checksums()), "repo")
    if source in {"auto", "debian"} and (DEBIAN_DIR / f"{prefix}-images-idx3-ubyte.gz").exists():
        return (*_read_split(DEBIAN_DIR, split, None), "debian")
    if source in {"repo", "debian"}:
        raise MissingDataFileError(f"Fashion-MNIST {split} split not found in the {source} location")
    try:
        (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
    except Exception as exc:  # Keras raises plain Exception subclasses for failed downloads
        raise DownloadError(
            f"Fashion-MNIST {split} split is not in data/fashion_mnist/ or {DEBIAN_DIR}, and Keras could not "
            f"download it ({exc}). Install Debian's dataset-fashion-mnist or run once with internet access."
        ) from exc
    return (x_train, y_train, "keras") if split == "train" else (x_test, y_test, "keras")
