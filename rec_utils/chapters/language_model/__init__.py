"""Notebook 09's language-model lessons (pretrained MiniLM against bag-of-words), each under the evaluation protocol.

    search             three search benchmarks (lexical recovery, shopper intent, co-purchase) with TF-IDF, BM25,
                       MiniLM and a tuned hybrid
    text_retrieval     personalised search with pseudo-queries, new products (cold start) by text neighbours
    tag_stability      do interest tags (TF-IDF words, zero-shot MiniLM labels) persist across the time cut?
    tower_comparison   the click model's text tower learned from clicks against frozen MiniLM embeddings
                       (benchmarks/text_encoder_uses.py)

Notebook 09 imports this package as its one namespace (`from rec_utils.chapters import language_model as ch`): it
re-exports every name the notebook uses, from its modules and from the layers.
"""

from rec_utils.chapters.language_model.search import QUERY_SETS, search_benchmark
from rec_utils.chapters.language_model.tag_stability import default_taggers, tag_stability_comparison
from rec_utils.chapters.language_model.text_retrieval import (
    default_vectorizers,
    new_product_comparison,
    search_comparison,
)
from rec_utils.data.tables import load_processed
from rec_utils.evaluation.protocol import Protocol, cut_date_rule
from rec_utils.evaluation.resampling import paired_verdict
from rec_utils.features.text_encoder import MODEL_CHECKSUM, MODEL_NAME, MODEL_PACKAGE, MODEL_PACKAGE_VERSION
from rec_utils.figures.plots import interval_plot, save_figure
from rec_utils.recommend.cold_start import customers_for_new_product
from rec_utils.recommend.interest import interest_tags
from rec_utils.recommend.search import purchase_profile, search_products
from rec_utils.recommend.zero_shot_tags import INTEREST_LABELS
from rec_utils.runtime.device import describe_device, keras_backend, require_device
from rec_utils.runtime.parameters import Choice, Flag, Integer, ListOf, Number, ParameterError, Text, check_parameters
from rec_utils.runtime.results import headline_entry, save_metrics

__all__ = [
    "check_parameters",
    "Choice",
    "customers_for_new_product",
    "cut_date_rule",
    "default_taggers",
    "default_vectorizers",
    "describe_device",
    "Flag",
    "headline_entry",
    "Integer",
    "INTEREST_LABELS",
    "interest_tags",
    "interval_plot",
    "keras_backend",
    "ListOf",
    "load_processed",
    "MODEL_CHECKSUM",
    "MODEL_NAME",
    "MODEL_PACKAGE",
    "MODEL_PACKAGE_VERSION",
    "new_product_comparison",
    "Number",
    "paired_verdict",
    "ParameterError",
    "Protocol",
    "purchase_profile",
    "QUERY_SETS",
    "require_device",
    "save_figure",
    "save_metrics",
    "search_benchmark",
    "search_comparison",
    "search_products",
    "tag_stability_comparison",
    "Text",
]
