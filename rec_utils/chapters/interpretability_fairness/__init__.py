"""Notebook 13 (interpretability and fairness): the summary's reading of each measured row in words (readings).
Its methods (exact contributions, integrated gradients, permutation importance, exposure, group metrics, the
exposure-aware re-ranker) are the evaluation layer's own.

Notebook 13 imports this package as its one namespace (`from rec_utils.chapters import interpretability_fairness as
ch`): it re-exports every name the notebook uses, from its module and from the layers.
"""

from rec_utils.chapters.interpretability_fairness.readings import (
    bucket_line,
    group_verdict,
    responsibility_lesson,
    rows_of,
)
from rec_utils.data.fashion import CLASS_NAMES, load_fashion_mnist
from rec_utils.data.split import split_groups
from rec_utils.data.tables import load_processed
from rec_utils.evaluation.choice import chosen_recommender
from rec_utils.evaluation.claims import interval_text, measured_row, measured_sentence, measured_table, supported
from rec_utils.evaluation.comparison import rank_users
from rec_utils.evaluation.explain import (
    complete_rows,
    contribution_matrix,
    global_contributions,
    integrated_gradients,
    integrated_gradients_until_complete,
    linear_shap,
    permutation_importance_by_input,
)
from rec_utils.evaluation.exposure_quota import rerank_to_exposure_quota
from rec_utils.evaluation.fairness import (
    auc_by_group,
    disparate_treatment_ratio,
    exposure_table,
    exposure_target,
    item_exposure,
    mean_by_group,
    popularity_buckets,
    rerank_for_exposure,
    tune_rerank_strength,
)
from rec_utils.evaluation.group_criteria import CRITERIA, group_criteria, group_rates
from rec_utils.evaluation.grouped_auc import auc_difference, auc_interval
from rec_utils.evaluation.protocol import Protocol, cut_date_rule
from rec_utils.evaluation.purchase_pairs import protocol_pairs
from rec_utils.evaluation.ranking import ndcg_at_k
from rec_utils.evaluation.resampling import mean_interval, paired_difference
from rec_utils.evaluation.tuning import tune
from rec_utils.features.attributes import click_model_inputs, encode_attributes
from rec_utils.features.propensity import CATEGORICAL_FEATURES, NUMERIC_FEATURES
from rec_utils.features.segments import customer_groups
from rec_utils.features.text import Tokenizer
from rec_utils.figures.plots import exposure_plot, save_figure
from rec_utils.models.click_model import build_click_model, predict, train_click_model
from rec_utils.models.logistic import logistic_pipeline
from rec_utils.models.private_training import logistic_keras
from rec_utils.recommend.private import private_scorer
from rec_utils.recommend.recommenders import LABELS, RecommenderSpec
from rec_utils.runtime.device import describe_device, keras_backend, require_device, seed_everything
from rec_utils.runtime.parameters import Choice, Flag, Integer, ListOf, Number, check_parameters
from rec_utils.runtime.results import headline_entry, json_records, save_metrics
from rec_utils.simulation.clicks import SimulatorConfig, pixel_components, simulate_clicks

__all__ = [
    "complete_rows",
    "integrated_gradients_until_complete",
    "linear_shap",
    "bucket_line",
    "CRITERIA",
    "group_criteria",
    "group_rates",
    "rerank_to_exposure_quota",
    "auc_by_group",
    "auc_difference",
    "auc_interval",
    "build_click_model",
    "CATEGORICAL_FEATURES",
    "check_parameters",
    "Choice",
    "chosen_recommender",
    "CLASS_NAMES",
    "click_model_inputs",
    "contribution_matrix",
    "customer_groups",
    "cut_date_rule",
    "describe_device",
    "disparate_treatment_ratio",
    "encode_attributes",
    "exposure_plot",
    "exposure_table",
    "exposure_target",
    "Flag",
    "global_contributions",
    "group_verdict",
    "headline_entry",
    "Integer",
    "integrated_gradients",
    "interval_text",
    "item_exposure",
    "json_records",
    "keras_backend",
    "LABELS",
    "ListOf",
    "load_fashion_mnist",
    "load_processed",
    "logistic_keras",
    "logistic_pipeline",
    "mean_by_group",
    "mean_interval",
    "measured_row",
    "measured_sentence",
    "measured_table",
    "ndcg_at_k",
    "Number",
    "NUMERIC_FEATURES",
    "paired_difference",
    "permutation_importance_by_input",
    "pixel_components",
    "popularity_buckets",
    "predict",
    "private_scorer",
    "Protocol",
    "protocol_pairs",
    "rank_users",
    "RecommenderSpec",
    "require_device",
    "rerank_for_exposure",
    "responsibility_lesson",
    "rows_of",
    "save_figure",
    "save_metrics",
    "seed_everything",
    "simulate_clicks",
    "SimulatorConfig",
    "split_groups",
    "supported",
    "Tokenizer",
    "train_click_model",
    "tune",
    "tune_rerank_strength",
]
