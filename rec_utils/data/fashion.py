"""Fashion-MNIST product photos: the shipped test split, Debian's copy, or Keras' download cache."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
from keras.datasets import fashion_mnist

from rec_utils.data.download import DownloadError, verify_sha256
from rec_utils.data.online_retail import MissingDataFileError
from rec_utils.runtime.paths import DATA_DIR

FASHION_DIR: Path = DATA_DIR / "fashion_mnist"
DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
CLASS_NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
_PREFIX = {"train": "train", "test": "t10k"}


def read_idx(path: Path) -> np.ndarray:
    """Read a gzip-compressed IDX file (uint8 images or labels) into a numpy array."""
    with gzip.open(path, "rb") as fh:
        raw = fh.read()
    magic = int.from_bytes(raw[:4], "big")
    n_dims = magic & 0xFF
    if magic >> 8 != 0x08:  # 0x08 = unsigned byte
        raise ValueError(f"{Path(path).name} is not an unsigned-byte IDX file (magic {magic:#x})")
    shape = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(n_dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * n_dims).reshape(shape)


def _read_split(folder: Path, split: str, checksums: dict[str, str] | None) -> tuple[np.ndarray, np.ndarray]:
    prefix = _PREFIX[split]
    paths = [folder / f"{prefix}-images-idx3-ubyte.gz", folder / f"{prefix}-labels-idx1-ubyte.gz"]
    for path in paths:
        if checksums and path.name in checksums:
            verify_sha256(path, checksums[path.name])
    images, labels = read_idx(paths[0]), read_idx(paths[1])
    if len(images) != len(labels):
        raise ValueError(f"{folder}: {len(images)} images but {len(labels)} labels")
    return images, labels


def _shipped_checksums() -> dict[str, str]:
    lines = (FASHION_DIR / "SHA256SUMS").read_text().split("\n")
    return {name: digest for digest, name in (line.split() for line in lines if line.strip())}


def load_fashion_mnist(split: str = "test", source: str = "auto") -> tuple[np.ndarray, np.ndarray, str]:
    """Images (n, 28, 28) uint8, labels (n,) uint8 and the name of the source used.

    source: "repo" (data/fashion_mnist/, test split only, checksum verified), "debian"
    (/usr/share/datasets/fashion-mnist/), "keras" (Keras' cache, downloading when online),
    or "auto": the first of these that has the split.
    """
    if split not in _PREFIX:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    if source not in {"auto", "repo", "debian", "keras"}:
        raise ValueError(f"source must be 'auto', 'repo', 'debian' or 'keras', got {source!r}")
    prefix = _PREFIX[split]
    if source in {"auto", "repo"} and (FASHION_DIR / f"{prefix}-images-idx3-ubyte.gz").exists():
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
