"""Notebook 11 (application scenarios): the studies it runs, each against a baseline.

    rules       cross-category promotion: association rules mined on a time cut against popularity
    cross_category  cross-category rules without the variants of one product line
    profiles    user profiles: RFM segments that predict the next window
    launch      new-product launch: audiences from a product's text against random and popular ones
    markets     cross-channel: per-country lists against the global list
    recap       notebook 07's test-window headline, read from its results or recomputed by its procedure
    lessons     the summary: each verdict as a sentence with the lesson its paired interval supports

Notebook 11 imports this package as its one namespace (`from rec_utils.chapters import scenarios as ch`): it
re-exports every name the notebook uses, from its modules and from the layers.
"""

from rec_utils.chapters.scenarios.cross_category import cross_category_rules
from rec_utils.chapters.scenarios.launch import launch_targeting, new_products
from rec_utils.chapters.scenarios.lessons import SAME_AS_POPULARITY_MARK, lesson_sentence
from rec_utils.chapters.scenarios.markets import (
    cross_market_ndcg,
    cross_market_table,
    customer_markets,
    tune_market_factors,
)
from rec_utils.chapters.scenarios.profiles import tag_precision, tag_study
from rec_utils.chapters.scenarios.recap import protocol_headline
from rec_utils.chapters.scenarios.rules import (
    SAME_AS_POPULARITY,
    basket_lines,
    evaluate_rules,
    hit_rate_table,
    recent_support,
    seed_baskets,
    tune_rules,
)
from rec_utils.data.split import time_window_split
from rec_utils.data.tables import load_processed
from rec_utils.evaluation.claims import difference_interval, interval_text, measured_row, measured_table, supported
from rec_utils.evaluation.fairness import mean_by_group
from rec_utils.evaluation.protocol import Protocol, cut_date_rule
from rec_utils.features.categories import CATEGORY_RULES, UNCATEGORISED, categorize, category_coverage
from rec_utils.features.segments import rfm_segments
from rec_utils.features.text_encoder import MODEL_NAME, encode_texts
from rec_utils.figures.plots import difference_plot, interval_lines_plot, save_figure, segment_plot
from rec_utils.models.association import mine_rules, value_support
from rec_utils.recommend.launch import tfidf_embedder
from rec_utils.runtime.device import describe_device, keras_backend, require_device
from rec_utils.runtime.parameters import Choice, Flag, Integer, ListOf, Number, ParameterError, Text, check_parameters
from rec_utils.runtime.results import headline_entry, json_records, save_metrics

__all__ = [
    "cross_category_rules",
    "basket_lines",
    "categorize",
    "category_coverage",
    "CATEGORY_RULES",
    "check_parameters",
    "Choice",
    "cross_market_ndcg",
    "cross_market_table",
    "customer_markets",
    "cut_date_rule",
    "describe_device",
    "difference_interval",
    "difference_plot",
    "encode_texts",
    "evaluate_rules",
    "Flag",
    "headline_entry",
    "hit_rate_table",
    "Integer",
    "interval_lines_plot",
    "interval_text",
    "json_records",
    "keras_backend",
    "launch_targeting",
    "lesson_sentence",
    "ListOf",
    "load_processed",
    "mean_by_group",
    "measured_row",
    "measured_table",
    "mine_rules",
    "MODEL_NAME",
    "new_products",
    "Number",
    "ParameterError",
    "Protocol",
    "protocol_headline",
    "recent_support",
    "require_device",
    "rfm_segments",
    "SAME_AS_POPULARITY",
    "SAME_AS_POPULARITY_MARK",
    "save_figure",
    "save_metrics",
    "seed_baskets",
    "segment_plot",
    "supported",
    "tag_precision",
    "tag_study",
    "Text",
    "tfidf_embedder",
    "time_window_split",
    "tune_market_factors",
    "tune_rules",
    "UNCATEGORISED",
    "value_support",
]
