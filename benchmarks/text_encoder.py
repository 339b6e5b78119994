"""Throughput of the MiniLM sentence encoder (rec_utils.features.text_encoder) on the current device and backend.

    python benchmarks/text_encoder.py                                    # CPU, the catalogue's descriptions
    python benchmarks/text_encoder.py --device gpu --batch-size 512 --mixed-precision
    KERAS_BACKEND=jax python benchmarks/text_encoder.py ...              # the same code on JAX

Encodes --n-texts texts (the Online Retail catalogue's descriptions, or synthetic product-like texts) without
the embedding cache, after one warm-up pass that compiles each input shape, and keeps the best of --repeats
runs. Prints a table and appends rows to reports/benchmarks.csv: sentences/s, the model's load time (checkpoint
verification, building the Keras BERT, loading weights), the time of the first 8 texts after it (tokenizer and
the first compiled shape: what a reader waits for beyond loading) and the mean tokens per text.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # must be set before TensorFlow is imported

from rec_utils.features.text_encoder import encode_texts, load_encoder, load_tokenizer  # noqa: E402
from rec_utils.runtime.benchmark_log import BENCHMARKS_PATH, append_rows, best_time, cpu_description  # noqa: E402
from rec_utils.runtime.device import keras_backend, require_device, visible_gpus  # noqa: E402

WORDS = ["red", "white", "heart", "hanging", "t-light", "holder", "vintage", "jumbo", "bag", "retrospot", "set",
         "of", "3", "cake", "tins", "pantry", "design", "christmas", "paper", "chain", "kit", "lunch", "box"]


def texts_for(source: str, n: int, seed: int = 0) -> list[str]:
    """n distinct texts: the catalogue's descriptions or synthetic 3-7 word product descriptions, made
    distinct by a numeric suffix once the base texts run out (repeats would be encoded only once)."""
    if source == "catalog":
        from rec_utils.data.tables import load_processed  # only this source needs the processed tables
        base = sorted(load_processed("catalog")["Description"].dropna().unique())
    else:
        rng = np.random.default_rng(seed)
        base = sorted({" ".join(rng.choice(WORDS, size=rng.integers(3, 8))).upper() for _ in range(n)})
    return [base[i % len(base)] + (f" {i // len(base)}" if i >= len(base) else "") for i in range(n)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n-texts", type=int, default=2048)
    parser.add_argument("--texts", default="catalog", choices=["catalog", "synthetic"])
    parser.add_argument("--batch-size", type=int, default=None, help="default: 64 on a CPU, 512 on a GPU")
    parser.add_argument("--mixed-precision", action="store_true", help="float16 matrix products (GPU only)")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "gpu"])
    parser.add_argument("--output", default=None, help="CSV to append to (default reports/benchmarks.csv)")
    args = parser.parse_args(argv)

    ran_on = require_device(args.device)
    device = ", ".join(visible_gpus()) if ran_on == "gpu" else cpu_description()
    precision = "mixed_float16" if args.mixed_precision else "float32"
    start = time.perf_counter()
    load_encoder(precision)
    load_seconds = time.perf_counter() - start
    texts = texts_for(args.texts, args.n_texts)
    start = time.perf_counter()
    encode_texts(texts[:8], args.batch_size, args.device, mixed_precision=args.mixed_precision, cache=False,
                 verbose=False)
    first_batch_seconds = time.perf_counter() - start
    tokens = np.mean([len(e.ids) for e in load_tokenizer().encode_batch(texts)])

    def run() -> np.ndarray:
        return encode_texts(texts, args.batch_size, args.device, mixed_precision=args.mixed_precision, cache=False,
                            verbose=False)
    run()  # warm-up: compiles each (batch, length) shape
    seconds = best_time(run, repeats=args.repeats)
    parameters = {"n_texts": args.n_texts, "texts": args.texts, "batch_size": args.batch_size,
                  "precision": precision, "repeats": args.repeats}
    rows = append_rows("text_encoder", device, keras_backend(), parameters,
                       {"sentences_per_s": (args.n_texts / seconds, "sentences/s"),
                        "load_seconds": (load_seconds, "s"), "first_batch_seconds": (first_batch_seconds, "s"),
                        "mean_tokens": (float(tokens), "tokens")},
                       path=args.output or BENCHMARKS_PATH)
    print(rows[["device", "backend", "metric", "value", "unit"]].to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
