"""Notebook 05 (feature extraction): text and image features, linear probes, the click simulator's story; the names
the notebook uses, as one namespace (`from rec_utils.chapters import feature_extraction as ch`).
"""

from rec_utils.data.fashion import CLASS_NAMES, load_fashion_mnist
from rec_utils.evaluation.probability import bootstrap_ci
from rec_utils.evaluation.resampling import paired_difference
from rec_utils.features.attributes import encode_attributes
from rec_utils.features.image_encoder import (
    EncoderName,
    build_catalog_cnn,
    catalog_features,
    encode_images,
    linear_probe_accuracy,
    linear_probe_correct,
    parse_image_encoder,
    train_catalog_cnn,
)
from rec_utils.features.text import Tokenizer, join_text_columns
from rec_utils.figures.diagrams import simulator_diagram
from rec_utils.figures.plots import catalogue_grid, embedding_scatter, save_figure
from rec_utils.models.click_model import MaskedMeanPooling
from rec_utils.runtime.device import describe_device, require_device, seed_everything
from rec_utils.runtime.errata import record_erratum
from rec_utils.runtime.parameters import Choice, Flag, Integer, ParameterError, check_parameters
from rec_utils.runtime.results import save_metrics
from rec_utils.simulation.clicks import AMBIGUOUS_WORDS, PRECISE_WORDS, SimulatorConfig, simulate

__all__ = [
    "AMBIGUOUS_WORDS",
    "bootstrap_ci",
    "build_catalog_cnn",
    "catalog_features",
    "catalogue_grid",
    "check_parameters",
    "Choice",
    "CLASS_NAMES",
    "describe_device",
    "embedding_scatter",
    "encode_attributes",
    "encode_images",
    "EncoderName",
    "Flag",
    "Integer",
    "join_text_columns",
    "linear_probe_accuracy",
    "linear_probe_correct",
    "load_fashion_mnist",
    "MaskedMeanPooling",
    "paired_difference",
    "ParameterError",
    "parse_image_encoder",
    "PRECISE_WORDS",
    "record_erratum",
    "require_device",
    "save_figure",
    "save_metrics",
    "seed_everything",
    "simulate",
    "simulator_diagram",
    "SimulatorConfig",
    "Tokenizer",
    "train_catalog_cnn",
]
