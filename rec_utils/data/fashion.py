"""Fashion-MNIST product photos: the shipped test and train splits, Debian's copy, or a verified download.

Shapes: images (n, 28, 28) uint8, labels (n,) uint8 (n = 10,000 test, 60,000 train). A file stored in
byte-range parts (`<name>.part-00`, `.part-01`, ...; the repository keeps every file under 20 MiB) is
joined in memory after each part's checksum is verified. Whatever the source, the decoded images and
labels are checked against SHA-256 hashes pinned here (`FASHION_MNIST_SHA256`, hashes of the uint8 arrays,
so they hold for any gzip compression of the same data): a damaged or substituted copy is an error, never a
silently different catalogue.
"""

from __future__ import annotations

import gzip
import hashlib
import zlib
from pathlib import Path

import numpy as np

from rec_utils.data.download import ChecksumMismatchError, download, verify_sha256
from rec_utils.data.online_retail import EMBEDDED_HINT, MissingDataFileError, UnreadableDataError
from rec_utils.runtime.paths import CACHE_DIR, DATA_DIR

FASHION_DIR: Path = DATA_DIR / "fashion_mnist"
DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
DOWNLOAD_DIR: Path = CACHE_DIR / "fashion_mnist"
DOWNLOAD_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"  # where Keras downloads it from
CLASS_NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
_PREFIX = {"train": "train", "test": "t10k"}
# SHA-256 of the decoded uint8 arrays (images.tobytes(), labels.tobytes()) of each split.
FASHION_MNIST_SHA256 = {
    "train-images": "2e487a6c89124f78f2d7521542223cafe96f7123c3ca13d447772ac6ecbb3012",
    "train-labels": "657fbd221bfc9f4198cc14b5619cc33ec57c58dd0e47af4d99d6650759e869a7",
    "t10k-images": "c867c93ff95360594e8ec3287995350b824dd110b11595c0e13d5423f621867a",
    "t10k-labels": "3d0e6c6ea990b53b6f8f500a41cac93881d981b315f84578b7d915342ade01e9",
}


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


def _missing_parts(path: Path, parts: list[Path], checksums: dict[str, str] | None) -> list[str]:
    """Names of the byte-range parts of `path` that should be there but are not: those `checksums` lists, and
    gaps in the numbering part-00, part-01, ..."""
    present = {p.name for p in parts}
    listed = {name for name in checksums or {} if name.startswith(f"{path.name}.part-")}
    numbered = {f"{path.name}.part-{i:02d}" for i in range(len(parts))} if path not in parts else set()
    return sorted((listed | numbered) - present)


def _read_array(path: Path, checksums: dict[str, str] | None, hint: str) -> np.ndarray:
    """The IDX array stored in `path` or in its parts, each file checked against `checksums` (name -> sha256).
    MissingDataFileError names a missing part; UnreadableDataError a file that does not decompress."""
    parts = _file_parts(path)
    missing = _missing_parts(path, parts, checksums)
    if missing or not parts:
        raise MissingDataFileError(f"{path.name}: missing {', '.join(missing) or 'the file and its parts'} "
                                   f"in {path.parent}; {hint}")
    blobs = []
    for part in parts:
        if checksums and part.name in checksums:
            verify_sha256(part, checksums[part.name], hint=hint)
        blobs.append(part.read_bytes())
    try:
        raw = gzip.decompress(b"".join(blobs))
    except (EOFError, OSError, zlib.error) as error:
        raise UnreadableDataError(f"{path.name} does not decompress ({type(error).__name__}: {error}): truncated, "
                                  f"damaged or a part missing; {hint}") from None
    return _parse_idx(raw, path.name)


def _file_names(split: str) -> list[str]:
    prefix = _PREFIX[split]
    return [f"{prefix}-images-idx3-ubyte.gz", f"{prefix}-labels-idx1-ubyte.gz"]


def _read_split(folder: Path, split: str, hint: str, checksums: dict[str, str] | None = None
                ) -> tuple[np.ndarray, np.ndarray]:
    """Images and labels of a split from `folder`, each file's decoded content checked against the pins."""
    arrays = []
    for name in _file_names(split):
        path = folder / name
        array = _read_array(path, checksums, hint)
        key = name.split("-idx")[0]
        actual, expected = hashlib.sha256(array.tobytes()).hexdigest(), FASHION_MNIST_SHA256[key]
        if actual != expected:
            raise ChecksumMismatchError(path, expected, actual, f"its decoded images or labels differ: {hint}")
        arrays.append(array)
    images, labels = arrays
    if len(images) != len(labels):
        raise ValueError(f"{folder}: {len(images)} images but {len(labels)} labels")
    return images, labels


def _shipped_checksums() -> dict[str, str]:
    lines = (FASHION_DIR / "SHA256SUMS").read_text().split("\n")
    return {name: digest for digest, name in (line.split() for line in lines if line.strip())}


def load_fashion_mnist(split: str = "test", source: str = "auto") -> tuple[np.ndarray, np.ndarray, str]:
    """Images (n, 28, 28) uint8, labels (n,) uint8 and the name of the source used.

    source: "repo" (data/fashion_mnist/, both splits), "debian" (/usr/share/datasets/fashion-mnist/),
    "keras" (downloaded from Keras' mirror into data/cache/fashion_mnist/, with the download's time limits),
    or "auto": the first of these that has the split. Every source is checked against FASHION_MNIST_SHA256.
    """
    if split not in _PREFIX:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    if source not in {"auto", "repo", "debian", "keras"}:
        raise ValueError(f"source must be 'auto', 'repo', 'debian' or 'keras', got {source!r}")
    images_name = _file_names(split)[0]
    if source in {"auto", "repo"} and _file_parts(FASHION_DIR / images_name):
        return (*_read_split(FASHION_DIR, split, EMBEDDED_HINT, _shipped_checksums()), "repo")
    if source in {"auto", "debian"} and (DEBIAN_DIR / images_name).exists():
        return (*_read_split(DEBIAN_DIR, split, "reinstall Debian's dataset-fashion-mnist"), "debian")
    if source in {"repo", "debian"}:
        raise MissingDataFileError(f"Fashion-MNIST {split} split not found in the {source} location")
    for name in _file_names(split):
        download(DOWNLOAD_URL + name, DOWNLOAD_DIR / name)
    return (*_read_split(DOWNLOAD_DIR, split, f"delete {DOWNLOAD_DIR.name}/ under data/cache/ and run again"),
            "keras")
