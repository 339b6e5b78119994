"""Notebook 03 (cosine similarity): the article's example, item-item and text cosine, item-kNN under the protocol;
the names the notebook uses, as one namespace (`from rec_utils.chapters import cosine_similarity as ch`).
"""

from rec_utils.data.tables import load_processed
from rec_utils.evaluation.comparison import compare_recommenders, comparison_table, verdict
from rec_utils.evaluation.protocol import Protocol, cut_date_rule
from rec_utils.evaluation.resampling import paired_verdict
from rec_utils.evaluation.tuning import tune
from rec_utils.figures.plots import comparison_plot, save_figure, tuning_plot
from rec_utils.models.similarity import (
    compare_neighbours,
    cosine,
    item_cosine_similarity,
    neighbour_overlap,
    text_cosine_similarity,
    unrelated_share,
)
from rec_utils.recommend.recommenders import RecommenderSpec
from rec_utils.recommend.scorers import item_knn_scores
from rec_utils.runtime.errata import record_erratum
from rec_utils.runtime.parameters import Flag, Integer, ListOf, Number, OrNone, ParameterError, Text, check_parameters
from rec_utils.runtime.results import save_metrics

__all__ = [
    "check_parameters",
    "compare_neighbours",
    "compare_recommenders",
    "comparison_plot",
    "comparison_table",
    "cosine",
    "cut_date_rule",
    "Flag",
    "Integer",
    "item_cosine_similarity",
    "item_knn_scores",
    "ListOf",
    "load_processed",
    "neighbour_overlap",
    "Number",
    "OrNone",
    "paired_verdict",
    "ParameterError",
    "Protocol",
    "RecommenderSpec",
    "record_erratum",
    "save_figure",
    "save_metrics",
    "Text",
    "text_cosine_similarity",
    "tune",
    "tuning_plot",
    "unrelated_share",
    "verdict",
]
