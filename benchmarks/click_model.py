"""Throughput of the click model and of VGG16 feature extraction on the current device.

    python benchmarks/click_model.py                          # CPU defaults
    python benchmarks/click_model.py --image-size 224 --n-examples 200000 --batch-size 1024 --mixed-precision
    KERAS_BACKEND=jax python benchmarks/click_model.py ...    # same code on JAX (e.g. on a GPU machine)

Prints a table and appends one row per measurement to reports/benchmarks.csv
(training examples/s, VGG16 images/s and, with --fine-tune, training examples/s with VGG16's
block 5 trained; with --interest, training examples/s of the history-aware model with its attention
tower over --history-len earlier impressions), with the device, backend and parameters.
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # must be set before TensorFlow is imported

import keras  # noqa: E402

from rec_utils.features.attributes import ItemTables  # noqa: E402
from rec_utils.features.images import grey_to_rgb_batch, load_vgg16  # noqa: E402
from rec_utils.models.click_model import build_click_model, select_inputs  # noqa: E402
from rec_utils.models.interest import build_interest_model  # noqa: E402
from rec_utils.runtime.benchmark_log import BENCHMARKS_PATH, append_rows, best_time, cpu_description  # noqa: E402
from rec_utils.runtime.device import keras_backend, require_device, visible_gpus  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--image-size", type=int, default=32)
    parser.add_argument("--n-images", type=int, default=512, help="images through VGG16 per timed run")
    parser.add_argument("--vgg-batch-size", type=int, default=128)
    parser.add_argument("--n-examples", type=int, default=20_000, help="training examples per timed epoch")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--vocab-size", type=int, default=40)
    parser.add_argument("--mixed-precision", action="store_true")
    parser.add_argument("--fine-tune", action="store_true",
                        help="also time training with VGG16's block 5 fine-tuned on block-4 maps of --n-images items")
    parser.add_argument("--interest", action="store_true",
                        help="also time the history-aware model (attention over --history-len earlier impressions)")
    parser.add_argument("--history-len", type=int, default=40)
    parser.add_argument("--n-items", type=int, default=2000, help="catalogue size of the history-aware model")
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "gpu"])
    parser.add_argument("--output", default=None, help="CSV to append to (default reports/benchmarks.csv)")
    args = parser.parse_args(argv)

    ran_on = require_device(args.device)
    if args.mixed_precision:
        keras.mixed_precision.set_global_policy("mixed_float16")
    device = ", ".join(visible_gpus()) if ran_on == "gpu" else cpu_description()
    rng = np.random.default_rng(0)

    vgg, _ = load_vgg16("none", args.image_size)
    grey = rng.integers(0, 256, (args.n_images, 28, 28), dtype=np.uint8)
    batch = keras.applications.vgg16.preprocess_input(grey_to_rgb_batch(grey, args.image_size))
    vgg.predict(batch[: args.vgg_batch_size], batch_size=args.vgg_batch_size, verbose=0)  # compile / warm up
    vgg_seconds = best_time(lambda: vgg.predict(batch, batch_size=args.vgg_batch_size, verbose=0), repeats=2)

    model = build_click_model(vocab_size=args.vocab_size, max_len=8, image_dim=512, n_attributes=11)
    n = args.n_examples
    inputs = {"query_tokens": rng.integers(0, args.vocab_size, (n, 8)).astype("int32"),
              "title_tokens": rng.integers(0, args.vocab_size, (n, 8)).astype("int32"),
              "image_features": rng.standard_normal((n, 512)).astype("float32"),
              "attributes": rng.standard_normal((n, 11)).astype("float32")}
    labels = rng.integers(0, 2, n).astype("float32")
    model.fit(inputs, labels, batch_size=args.batch_size, epochs=1, verbose=0)  # compile / warm up
    train_seconds = best_time(lambda: model.fit(inputs, labels, batch_size=args.batch_size, epochs=1, verbose=0),
                              repeats=2)

    measurements = {"vgg16_images_per_s": (args.n_images / vgg_seconds, "images/s"),
                    "train_examples_per_s": (n / train_seconds, "examples/s")}
    if args.fine_tune:
        block4 = keras.Model(vgg.input, vgg.get_layer("block4_pool").output).predict(
            batch, batch_size=args.vgg_batch_size, verbose=0)
        tuned = build_click_model(vocab_size=args.vocab_size, max_len=8, n_attributes=11, block4_table=block4, vgg=vgg)
        inputs["item_id"] = rng.integers(0, args.n_images, n).astype("int32")
        tune_inputs = select_inputs(tuned, inputs)
        tuned.fit(tune_inputs, labels, batch_size=args.batch_size, epochs=1, verbose=0)  # compile / warm up
        tune_seconds = best_time(
            lambda: tuned.fit(tune_inputs, labels, batch_size=args.batch_size, epochs=1, verbose=0),
                                 repeats=2)
        measurements["finetune_train_examples_per_s"] = (n / tune_seconds, "examples/s")
    if args.interest:
        measurements["interest_train_examples_per_s"] = (n / _interest_seconds(args, rng, labels), "examples/s")
    parameters = {k: v for k, v in vars(args).items() if k not in {"output", "device"}}
    rows = append_rows("click_model", device, keras_backend(), parameters, measurements,
                       path=args.output or BENCHMARKS_PATH)
    print(rows[["device", "backend", "metric", "value", "unit"]].to_string(index=False))
    return 0


def _interest_seconds(args: argparse.Namespace, rng: np.random.Generator, labels: np.ndarray) -> float:
    """Best time of one epoch of the history-aware model on random inputs of the notebook's shapes."""
    n = args.n_examples
    tables = ItemTables(rng.integers(0, args.vocab_size, (args.n_items, 4)).astype("int32"),
                        rng.standard_normal((args.n_items, 16)).astype("float32"),
                        rng.standard_normal((args.n_items, 11)).astype("float32"))
    model = build_interest_model(tables, vocab_size=args.vocab_size, query_len=4, history_len=args.history_len)
    history = (n, args.history_len)
    inputs = {"query_tokens": rng.integers(0, args.vocab_size, (n, 4)).astype("int32"),
              "item_id": rng.integers(0, args.n_items, n).astype("int32"),
              "cross_id": rng.integers(0, args.vocab_size * 10, n).astype("int32"),
              "history_items": rng.integers(-1, args.n_items, history).astype("int32"),
              "history_clicked": rng.integers(0, 2, history).astype("int32"),
              "history_query": rng.integers(0, args.vocab_size, history).astype("int32"),
              "history_cross": rng.integers(0, args.vocab_size * 10, history).astype("int32")}
    model.fit(inputs, labels, batch_size=args.batch_size, epochs=1, verbose=0)  # compile / warm up
    return best_time(lambda: model.fit(inputs, labels, batch_size=args.batch_size, epochs=1, verbose=0), repeats=2)


if __name__ == "__main__":
    sys.exit(main())
