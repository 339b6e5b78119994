"""Notebook 01 (data preparation): cleaning Online Retail with an account of every dropped line, the derived tables,
concentration; the names the notebook uses, as one namespace (`from rec_utils.chapters import data_preparation as
ch`).
"""

from rec_utils.data.cleaning import DROP_REASONS, accounting_balances, clean_transactions, fillna_zero_effects
from rec_utils.data.online_retail import load_online_retail
from rec_utils.data.tables import build_processed_tables, customer_features, product_catalog, purchase_counts
from rec_utils.evaluation.concentration import lorenz_share
from rec_utils.figures.plots import distribution_plot, long_tail_plot, save_figure
from rec_utils.runtime.errata import record_erratum
from rec_utils.runtime.parameters import Flag, Integer, Number, check_parameters
from rec_utils.runtime.paths import PROCESSED_DIR, relative
from rec_utils.runtime.results import save_metrics

__all__ = [
    "accounting_balances",
    "build_processed_tables",
    "check_parameters",
    "clean_transactions",
    "customer_features",
    "distribution_plot",
    "DROP_REASONS",
    "fillna_zero_effects",
    "Flag",
    "Integer",
    "load_online_retail",
    "long_tail_plot",
    "lorenz_share",
    "Number",
    "PROCESSED_DIR",
    "product_catalog",
    "purchase_counts",
    "record_erratum",
    "relative",
    "save_figure",
    "save_metrics",
]
