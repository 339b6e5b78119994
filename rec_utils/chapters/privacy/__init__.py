"""Notebook 12 (privacy): the privacy-utility sweep over ε (privacy_utility), its results read in words
(readings), the attack that regenerates seeded noise from the public seed (attack), DP-SGD with the product
tables of a public panel (panel), and the store that keeps the seeded SGD trainings (stored_sgd). The purchase
pairs its private models learn from are the evaluation layer's (purchase_pairs).

Notebook 12 imports this package as its one namespace (`from rec_utils.chapters import privacy as ch`): it re-exports
every name the notebook uses, from its modules and from the layers.
"""

from rec_utils.chapters.privacy.attack import attack_summary, seeded_noise_attack
from rec_utils.chapters.privacy.panel import dp_sgd_runs, panel_pairs, public_panel
from rec_utils.chapters.privacy.privacy_utility import count_release_curve, dp_sgd_curve, split_ndcg
from rec_utils.chapters.privacy.readings import (
    clipping_note,
    dp_sgd_ndcg_note,
    guarantee_strength,
    pair_arrays,
    privacy_lesson,
    utility_band,
)
from rec_utils.chapters.privacy.stored_sgd import trained_federated_averaging, trained_logistic_sgd
from rec_utils.data.tables import load_processed
from rec_utils.evaluation.claims import interval_text, measured_row, measured_sentence, measured_table, supported
from rec_utils.evaluation.grouped_auc import auc_difference, auc_difference_over_runs, auc_interval
from rec_utils.evaluation.protocol import Protocol, cut_date_rule
from rec_utils.evaluation.purchase_pairs import protocol_pairs
from rec_utils.evaluation.resampling import mean_interval, paired_difference, paired_difference_over_runs
from rec_utils.evaluation.tuning import tune
from rec_utils.features.propensity import CATEGORICAL_FEATURES, NUMERIC_FEATURES
from rec_utils.figures.diagrams import dp_sgd_diagram
from rec_utils.figures.plots import interval_lines_plot, save_figure
from rec_utils.models.logistic import logistic_pipeline
from rec_utils.models.privacy import (
    NEIGHBOURING,
    NOISE_LABELS,
    NOISE_SOURCES,
    clip_items_per_customer,
    count_sensitivity,
    item_counts,
    private_item_counts,
)
from rec_utils.models.private_training import (
    as_logistic_pipeline,
    federated_averaging,
    logistic_keras,
    predict_logistic,
    train_logistic_sgd,
)
from rec_utils.recommend.private import private_scorer
from rec_utils.recommend.scorers import propensity_ranker
from rec_utils.runtime.device import describe_device, keras_backend, require_device, seed_everything
from rec_utils.runtime.parameters import Choice, Flag, Integer, ListOf, Number, check_parameters
from rec_utils.runtime.results import headline_entry, json_records, save_metrics

__all__ = [
    "as_logistic_pipeline",
    "attack_summary",
    "auc_difference",
    "auc_difference_over_runs",
    "auc_interval",
    "CATEGORICAL_FEATURES",
    "check_parameters",
    "Choice",
    "clip_items_per_customer",
    "clipping_note",
    "count_release_curve",
    "count_sensitivity",
    "cut_date_rule",
    "describe_device",
    "dp_sgd_curve",
    "dp_sgd_diagram",
    "dp_sgd_runs",
    "dp_sgd_ndcg_note",
    "guarantee_strength",
    "federated_averaging",
    "Flag",
    "headline_entry",
    "Integer",
    "interval_lines_plot",
    "interval_text",
    "item_counts",
    "json_records",
    "keras_backend",
    "ListOf",
    "load_processed",
    "logistic_keras",
    "logistic_pipeline",
    "mean_interval",
    "measured_row",
    "measured_sentence",
    "measured_table",
    "NEIGHBOURING",
    "NOISE_LABELS",
    "NOISE_SOURCES",
    "Number",
    "NUMERIC_FEATURES",
    "pair_arrays",
    "panel_pairs",
    "paired_difference",
    "paired_difference_over_runs",
    "predict_logistic",
    "privacy_lesson",
    "private_item_counts",
    "private_scorer",
    "propensity_ranker",
    "Protocol",
    "protocol_pairs",
    "public_panel",
    "require_device",
    "save_figure",
    "save_metrics",
    "seed_everything",
    "seeded_noise_attack",
    "split_ndcg",
    "supported",
    "train_logistic_sgd",
    "trained_federated_averaging",
    "trained_logistic_sgd",
    "tune",
    "utility_band",
]
