"""Notebook 06 (06_click_model): does a model of user interest learn from the behaviour log?

    data          ClickExperimentConfig, prepare_click_data: the simulated log, user splits, features, histories
    ceilings      the oracle and the ceilings by inputs: E[p | query, item] and E[p | query, item, full history]
    baselines     logistic regression and boosted trees with no, clicked-ids or full-history summaries
    deep          the user-interest model's variants, trained with early stopping and a learning rate chosen on
                  validation users
    learning_curve, tables, plots    how much log each model needs; the test tables with intervals; the figures
    article       the article's model made runnable (and its GPU variant with VGG16's block 5 fine-tuned)
    experiment    the whole experiment in one call (notebook 07 rebuilds missing predictions with it)
    predictions   the saved validation and test predictions that notebook 07 reads
    retail        the like-for-like comparison on real purchases

The chapter also hands the notebook the model's pooling layer and `predict` (rec_utils.models), which it shows.
The notebook imports this package (`from rec_utils.chapters import click_model as ch`) and calls the names below.
"""

from rec_utils.chapters.click_model.article import ARTICLE, fine_tuned_article_model, train_article_model
from rec_utils.chapters.click_model.baselines import (
    BASELINES,
    LOGISTIC,
    SUMMARY_NAMES,
    fit_baselines,
    strongest_baseline,
    summary_kind,
)
from rec_utils.chapters.click_model.ceilings import (
    CEILING_FULL,
    CEILING_NONE,
    CEILING_OF,
    CEILINGS,
    ORACLE,
    ceiling_predictions,
)
from rec_utils.chapters.click_model.data import ClickExperimentConfig, prepare_click_data
from rec_utils.chapters.click_model.deep import (
    CLICKED_IDS,
    FULL,
    NO_HISTORY,
    NO_IMAGE,
    SUM_POOL,
    ablation_specs,
    choose_learning_rate,
    epochs_table,
    save_interest_model,
    train_variant,
)
from rec_utils.chapters.click_model.learning_curve import CURVE_MODELS, learning_curve
from rec_utils.chapters.click_model.plots import (
    ablation_plot,
    epoch_plot,
    history_length_plot,
    interest_model_diagram,
    learning_curve_plot,
)
from rec_utils.chapters.click_model.predictions import load_click_predictions, save_click_predictions
from rec_utils.chapters.click_model.retail import retail_comparison, retail_comparisons
from rec_utils.chapters.click_model.tables import (
    ablation_records,
    ablation_table,
    compare,
    comparison_sentence,
    gap_to_ceiling,
    history_length_table,
    image_gain_by_title,
    taste_coordinates_recovered,
)
from rec_utils.features.image_encoder import EncoderName, parse_image_encoder
from rec_utils.figures.plots import save_figure
from rec_utils.models.click_model import build_click_model, predict, summary_text
from rec_utils.models.interest_layers import SurprisePooling
from rec_utils.runtime.device import describe_device, keras_backend, require_device, seed_everything
from rec_utils.runtime.errata import record_erratum
from rec_utils.runtime.parameters import Choice, Flag, Integer, ListOf, Number, ParameterError, check_parameters
from rec_utils.runtime.results import save_metrics

__all__ = [
    "ablation_plot",
    "ablation_records",
    "ablation_specs",
    "ablation_table",
    "ARTICLE",
    "BASELINES",
    "build_click_model",
    "CEILING_FULL",
    "CEILING_NONE",
    "CEILING_OF",
    "ceiling_predictions",
    "CEILINGS",
    "check_parameters",
    "Choice",
    "choose_learning_rate",
    "CLICKED_IDS",
    "ClickExperimentConfig",
    "compare",
    "comparison_sentence",
    "CURVE_MODELS",
    "describe_device",
    "EncoderName",
    "epoch_plot",
    "epochs_table",
    "fine_tuned_article_model",
    "fit_baselines",
    "Flag",
    "FULL",
    "gap_to_ceiling",
    "history_length_plot",
    "history_length_table",
    "image_gain_by_title",
    "Integer",
    "interest_model_diagram",
    "keras_backend",
    "learning_curve",
    "learning_curve_plot",
    "ListOf",
    "load_click_predictions",
    "LOGISTIC",
    "NO_HISTORY",
    "NO_IMAGE",
    "Number",
    "ORACLE",
    "ParameterError",
    "parse_image_encoder",
    "predict",
    "prepare_click_data",
    "record_erratum",
    "require_device",
    "retail_comparison",
    "retail_comparisons",
    "save_click_predictions",
    "save_figure",
    "save_interest_model",
    "save_metrics",
    "seed_everything",
    "strongest_baseline",
    "SUM_POOL",
    "summary_kind",
    "SUMMARY_NAMES",
    "summary_text",
    "SurprisePooling",
    "taste_coordinates_recovered",
    "train_article_model",
    "train_variant",
]
