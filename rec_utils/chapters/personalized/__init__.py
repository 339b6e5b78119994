"""Notebook 08 (personalised recommendation): a namespace of the layers' names. Its methods (interest tags, top-K
with reasons, the article's filter, cold start) are the layers' own, so this package holds no module.

Notebook 08 imports this package as its one namespace (`from rec_utils.chapters import personalized as ch`): it
re-exports every name the notebook uses.
"""

from rec_utils.data.interactions import window_interactions
from rec_utils.data.tables import load_processed
from rec_utils.evaluation.choice import chosen_recommender
from rec_utils.evaluation.comparison import compare_recommenders, comparison_table, rank_users, verdict
from rec_utils.evaluation.protocol import Protocol, cut_date_rule
from rec_utils.evaluation.tuning import tune
from rec_utils.figures.plots import save_figure, tag_profile_plot
from rec_utils.models.similarity import item_cosine_similarity
from rec_utils.recommend.cold_start import customers_for_new_product, popular_in_country
from rec_utils.recommend.interest import interest_tags, recommendation_reasons
from rec_utils.recommend.recommenders import RecommenderSpec
from rec_utils.recommend.topk import top_k
from rec_utils.runtime.errata import record_erratum
from rec_utils.runtime.io import atomic_path
from rec_utils.runtime.parameters import Flag, Integer, ListOf, Number, ParameterError, Text, check_parameters
from rec_utils.runtime.paths import relative
from rec_utils.runtime.results import headline_entry, save_metrics
from rec_utils.runtime.runs import artefact_dir

__all__ = [
    "artefact_dir",
    "atomic_path",
    "check_parameters",
    "chosen_recommender",
    "compare_recommenders",
    "comparison_table",
    "customers_for_new_product",
    "cut_date_rule",
    "Flag",
    "headline_entry",
    "Integer",
    "interest_tags",
    "item_cosine_similarity",
    "ListOf",
    "load_processed",
    "Number",
    "ParameterError",
    "popular_in_country",
    "Protocol",
    "rank_users",
    "recommendation_reasons",
    "RecommenderSpec",
    "record_erratum",
    "relative",
    "save_figure",
    "save_metrics",
    "tag_profile_plot",
    "Text",
    "top_k",
    "tune",
    "verdict",
    "window_interactions",
]
