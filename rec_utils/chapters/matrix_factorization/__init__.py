"""Notebook 02 (matrix factorisation): SVD, gradient-descent factorisation and implicit ALS, the evaluation protocol,
tuning on validation and comparisons; the names the notebook uses, as one namespace (`from rec_utils.chapters import
matrix_factorization as ch`).
"""

from rec_utils.data.tables import load_processed
from rec_utils.evaluation.comparison import compare_recommenders, comparison_table, verdict
from rec_utils.evaluation.protocol import Protocol, cut_date_rule
from rec_utils.evaluation.resampling import paired_verdict
from rec_utils.evaluation.tuning import tune
from rec_utils.figures.diagrams import factorisation_diagram, time_cut_diagram
from rec_utils.figures.plots import comparison_plot, save_figure, tuning_plot
from rec_utils.models.factorization import (
    eckart_young_error,
    factorize_gd,
    implicit_als,
    implicit_als_normal_equations,
    implicit_als_objective,
    rank_k_approximation,
)
from rec_utils.recommend.recommenders import RecommenderSpec
from rec_utils.runtime.errata import record_erratum
from rec_utils.runtime.parameters import Flag, Integer, ListOf, check_parameters
from rec_utils.runtime.results import save_metrics

__all__ = [
    "check_parameters",
    "compare_recommenders",
    "comparison_plot",
    "comparison_table",
    "cut_date_rule",
    "eckart_young_error",
    "factorisation_diagram",
    "factorize_gd",
    "Flag",
    "implicit_als",
    "implicit_als_normal_equations",
    "implicit_als_objective",
    "Integer",
    "ListOf",
    "load_processed",
    "paired_verdict",
    "Protocol",
    "rank_k_approximation",
    "RecommenderSpec",
    "record_erratum",
    "save_figure",
    "save_metrics",
    "time_cut_diagram",
    "tune",
    "tuning_plot",
    "verdict",
]
