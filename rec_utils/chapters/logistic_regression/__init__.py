"""Notebook 04 (logistic regression): the logistic model and its gradient, purchase-propensity pairs, calibration
and intervals; the names the notebook uses, as one namespace (`from rec_utils.chapters import logistic_regression as
ch`).
"""

from rec_utils.data.split import split_by_customer
from rec_utils.data.tables import load_processed
from rec_utils.evaluation.probability import bootstrap_ci, paired_bootstrap
from rec_utils.evaluation.resampling import paired_verdict
from rec_utils.evaluation.tuning import tune_classifier
from rec_utils.features.propensity import CATEGORICAL_FEATURES, NUMERIC_FEATURES, label_cutoff, propensity_dataset
from rec_utils.figures.plots import calibration_plot, save_figure
from rec_utils.models.logistic import (
    contributions,
    logistic_pipeline,
    logistic_probability,
    printed_logistic_probability,
    sigmoid,
)
from rec_utils.runtime.errata import record_erratum
from rec_utils.runtime.parameters import Flag, Integer, ListOf, Number, check_parameters
from rec_utils.runtime.results import save_metrics

__all__ = [
    "bootstrap_ci",
    "calibration_plot",
    "CATEGORICAL_FEATURES",
    "check_parameters",
    "contributions",
    "Flag",
    "Integer",
    "label_cutoff",
    "ListOf",
    "load_processed",
    "logistic_pipeline",
    "logistic_probability",
    "Number",
    "NUMERIC_FEATURES",
    "paired_bootstrap",
    "paired_verdict",
    "printed_logistic_probability",
    "propensity_dataset",
    "record_erratum",
    "save_figure",
    "save_metrics",
    "sigmoid",
    "split_by_customer",
    "tune_classifier",
]
