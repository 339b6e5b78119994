"""Notebook 07 (model evaluation): probability and ranking metrics with intervals, calibration, cross-validation
folds, choosing a recommender once on the test window; the names the notebook uses, as one namespace
(`from rec_utils.chapters import model_evaluation as ch`). Notebook 06's saved predictions come from
rec_utils.chapters.click_model, which the notebook imports itself (a chapter imports no other chapter).
"""

from rec_utils.chapters.model_evaluation.cross_validation import held_out_probabilities
from rec_utils.data.tables import load_processed
from rec_utils.evaluation.choice import save_choice
from rec_utils.evaluation.comparison import compare_recommenders, comparison_table, rows_at, verdict
from rec_utils.evaluation.grouped_auc import auc_difference
from rec_utils.evaluation.probability import (
    PROBABILITY_METRICS,
    best_f1_threshold,
    bootstrap_ci,
    classification_summary,
    fit_calibrator,
    paired_bootstrap,
)
from rec_utils.evaluation.protocol import Protocol, cut_date_rule
from rec_utils.evaluation.ranking import RANKING_METRICS, catalogue_coverage, intra_list_diversity, novelty
from rec_utils.evaluation.resampling import paired_verdict
from rec_utils.evaluation.tuning import choose_recommender
from rec_utils.features.propensity import CATEGORICAL_FEATURES, NUMERIC_FEATURES, propensity_dataset
from rec_utils.figures.plots import calibration_plot, comparison_plot, save_figure, tuning_plot
from rec_utils.models.logistic import logistic_pipeline
from rec_utils.models.similarity import text_cosine_similarity
from rec_utils.models.trees import boosted_trees_pipeline
from rec_utils.recommend.recommenders import LABELS
from rec_utils.runtime.errata import record_erratum
from rec_utils.runtime.io import atomic_path
from rec_utils.runtime.parameters import Flag, Integer, ListOf, ParameterError, check_parameters
from rec_utils.runtime.results import save_metrics
from rec_utils.runtime.runs import artefact_dir

__all__ = [
    "artefact_dir",
    "atomic_path",
    "auc_difference",
    "best_f1_threshold",
    "boosted_trees_pipeline",
    "bootstrap_ci",
    "calibration_plot",
    "catalogue_coverage",
    "CATEGORICAL_FEATURES",
    "check_parameters",
    "choose_recommender",
    "classification_summary",
    "compare_recommenders",
    "comparison_plot",
    "comparison_table",
    "cut_date_rule",
    "fit_calibrator",
    "held_out_probabilities",
    "Flag",
    "Integer",
    "intra_list_diversity",
    "LABELS",
    "ListOf",
    "load_processed",
    "logistic_pipeline",
    "novelty",
    "NUMERIC_FEATURES",
    "paired_bootstrap",
    "paired_verdict",
    "ParameterError",
    "PROBABILITY_METRICS",
    "propensity_dataset",
    "Protocol",
    "RANKING_METRICS",
    "record_erratum",
    "rows_at",
    "save_choice",
    "save_figure",
    "save_metrics",
    "text_cosine_similarity",
    "tuning_plot",
    "verdict",
]
