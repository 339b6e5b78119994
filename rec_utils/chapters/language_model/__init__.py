"""Notebook 08's language-model lessons (pretrained MiniLM against bag-of-words), each under the evaluation protocol.

    search             three search benchmarks (lexical recovery, shopper intent, co-purchase) with TF-IDF, BM25,
                       MiniLM and a tuned hybrid
    text_retrieval     personalised search with pseudo-queries, new products (cold start) by text neighbours
    tag_stability      do interest tags (TF-IDF words, zero-shot MiniLM labels) persist across the time cut?
    tower_comparison   the click model's text tower learned from clicks against frozen MiniLM embeddings
                       (benchmarks/text_encoder_uses.py)

Notebook 08 imports this package as its one namespace (`from rec_utils.chapters import language_model as ch`): it
re-exports every name the notebook uses, from its modules and from the layers.
"""

from rec_utils.chapters.language_model.search import QUERY_SETS, search_benchmark
from rec_utils.chapters.language_model.tag_stability import default_taggers, tag_stability_comparison
from rec_utils.chapters.language_model.text_retrieval import (
    default_vectorizers,
    new_product_comparison,
    search_comparison,
)
from rec_utils.data.interactions import window_interactions
from rec_utils.data.tables import load_processed
from rec_utils.evaluation.choice import chosen_recommender
from rec_utils.evaluation.comparison import compare_recommenders, comparison_table, rank_users, verdict
from rec_utils.evaluation.protocol import Protocol, cut_date_rule
from rec_utils.evaluation.resampling import paired_verdict
from rec_utils.evaluation.tuning import tune
from rec_utils.features.text_encoder import MODEL_CHECKSUM, MODEL_NAME, MODEL_PACKAGE, MODEL_PACKAGE_VERSION
from rec_utils.figures.plots import interval_plot, save_figure, tag_profile_plot
from rec_utils.models.similarity import item_cosine_similarity
from rec_utils.recommend.cold_start import customers_for_new_product, popular_in_country
from rec_utils.recommend.interest import interest_tags, recommendation_reasons
from rec_utils.recommend.recommenders import RecommenderSpec
from rec_utils.recommend.search import purchase_profile, search_products
from rec_utils.recommend.topk import top_k
from rec_utils.recommend.zero_shot_tags import INTEREST_LABELS
from rec_utils.runtime.device import describe_device, keras_backend, require_device
from rec_utils.runtime.errata import record_erratum
from rec_utils.runtime.io import atomic_path
from rec_utils.runtime.parameters import Choice, Flag, Integer, ListOf, Number, ParameterError, Text, check_parameters
from rec_utils.runtime.paths import relative
from rec_utils.runtime.results import headline_entry, save_metrics
from rec_utils.runtime.runs import artefact_dir

__all__ = [
    "artefact_dir",
    "atomic_path",
    "check_parameters",
    "Choice",
    "chosen_recommender",
    "compare_recommenders",
    "comparison_table",
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
    "item_cosine_similarity",
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
    "popular_in_country",
    "Protocol",
    "purchase_profile",
    "QUERY_SETS",
    "rank_users",
    "recommendation_reasons",
    "RecommenderSpec",
    "record_erratum",
    "relative",
    "require_device",
    "save_figure",
    "save_metrics",
    "search_benchmark",
    "search_comparison",
    "search_products",
    "tag_profile_plot",
    "tag_stability_comparison",
    "Text",
    "top_k",
    "tune",
    "verdict",
    "window_interactions",
]
