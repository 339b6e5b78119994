"""The four uses of the pretrained MiniLM encoder, each against the bag-of-words version it replaces, with
customer-bootstrap 95% intervals and paired differences (what notebooks 06 and 09 show):

    python benchmarks/text_encoder_uses.py                       # all four, under the notebooks' protocol
    python benchmarks/text_encoder_uses.py --uses search tags    # some of them

search       Online Retail: pseudo-query search, TF-IDF vs MiniLM vs hybrid, plain and personalised
new_products Online Retail: ranking products first sold in the test window for customers with a history
tags         Online Retail: stability of TF-IDF word tags vs zero-shot MiniLM labels across the cut (chance-corrected)
click_model  semi-synthetic clicks (notebook 06's simulator): text-only click model, learned vs frozen embeddings

The three Online Retail uses follow the evaluation protocol of notebooks 02-09 (rec_utils.evaluation.protocol:
cut 2011-11-10, 30-day validation and test windows by default): settings are chosen on the validation window,
the test window is scored once. Writes every table
to reports/text_encoder_uses.csv (long form: use, table, row, column, value, with the protocol, encoder,
device, data and seed on every row) and prints them.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import pandas as pd

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # must be set before TensorFlow is imported

from rec_utils.chapters.language_model.tag_stability import default_taggers, tag_stability_comparison  # noqa: E402
from rec_utils.chapters.language_model.text_retrieval import new_product_comparison, search_comparison  # noqa: E402
from rec_utils.data.tables import load_processed  # noqa: E402
from rec_utils.evaluation.protocol import Protocol  # noqa: E402
from rec_utils.evaluation.resampling import Comparison  # noqa: E402
from rec_utils.features.text_encoder import (  # noqa: E402
    MODEL_CHECKSUM,
    MODEL_NAME,
    MODEL_PACKAGE,
    MODEL_PACKAGE_VERSION,
)
from rec_utils.runtime.device import describe_device  # noqa: E402
from rec_utils.runtime.io import atomic_path  # noqa: E402
from rec_utils.runtime.paths import REPORTS_DIR, relative  # noqa: E402

USES = ("search", "new_products", "tags", "click_model")


def click_model_use(n_boot: int, seed: int) -> Comparison:
    """Notebook 06's simulated impressions and user split, text-only towers."""
    from rec_utils.chapters.language_model.tower_comparison import text_tower_comparison
    from rec_utils.data.fashion import load_fashion_mnist
    from rec_utils.data.split import split_groups
    from rec_utils.simulation.clicks import SimulatorConfig, simulate_clicks

    images, labels, _ = load_fashion_mnist("test")
    impressions, _ = simulate_clicks(images, labels, SimulatorConfig(n_items=2000, n_users=800, seed=seed))
    masks = split_groups(impressions["user_id"].to_numpy(), (0.6, 0.2, 0.2), seed=seed)
    return text_tower_comparison(impressions, tuple(masks), seed=seed, n_boot=n_boot)


def long_form(use: str, result: Comparison, provenance: dict[str, str]) -> pd.DataFrame:
    """Both tables of a comparison, one value per row, with the protocol and what produced them."""
    frames = []
    for name, table in (("table", result.table), ("paired", result.paired)):
        stacked = table.rename_axis("row").reset_index().melt(id_vars="row", var_name="column", value_name="value")
        frames.append(stacked.assign(use=use, table=name))
    columns = ["use", "table", "row", "column", "value"]
    return pd.concat(frames)[columns].assign(protocol=result.protocol, **provenance)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--uses", nargs="+", default=list(USES), choices=USES)
    parser.add_argument("--cut-date", default="2011-11-10", help="the protocol's global time cut")
    parser.add_argument("--window-days", type=int, default=30, help="validation and test windows, in days")
    parser.add_argument("--n-boot", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--output", default=str(REPORTS_DIR / "text_encoder_uses.csv"))
    args = parser.parse_args(argv)
    pd.set_option("display.width", 200)
    pd.set_option("display.max_columns", 20)

    provenance = {"encoder": f"{MODEL_NAME} ({MODEL_PACKAGE} {MODEL_PACKAGE_VERSION}, sha256 {MODEL_CHECKSUM[:12]})",
                  "device": describe_device(), "data": "UCI Online Retail (embedded); click_model: simulated clicks "
                  "on Fashion-MNIST photos", "seed": str(args.seed)}
    print(f"encoder {provenance['encoder']} on {provenance['device']}")
    transactions, catalog = load_processed("transactions"), load_processed("catalog")
    protocol = Protocol(args.cut_date, validation_days=args.window_days, test_days=args.window_days)
    results = {}
    for use in args.uses:
        start = time.perf_counter()
        if use == "search":
            results[use] = search_comparison(transactions, catalog, protocol, n_boot=args.n_boot, seed=args.seed)
        elif use == "new_products":
            results[use] = new_product_comparison(transactions, catalog, protocol, n_boot=args.n_boot,
                                                  seed=args.seed)
        elif use == "tags":
            results[use] = tag_stability_comparison(transactions, default_taggers(catalog), protocol,
                                                    n_boot=args.n_boot, seed=args.seed)
        else:
            results[use] = click_model_use(min(args.n_boot, 200), args.seed)
        result = results[use]
        print(f"\n=== {use} ({time.perf_counter() - start:.0f} s) ===\n{result.protocol}")
        print(result.table.round(4).to_string())
        print(result.paired.round(4).to_string())
    with atomic_path(args.output) as tmp:
        pd.concat([long_form(use, r, provenance) for use, r in results.items()]).to_csv(tmp, index=False)
    print(f"\ntables written to {relative(args.output)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
