"""Notebook 00 (environment): the names it uses to check a setup (package versions, the Keras backend and device,
the data file's checksum), gathered so the notebook imports one namespace: `from rec_utils.chapters import
environment as ch`.
"""

from rec_utils.data.download import sha256_of
from rec_utils.data.online_retail import ONLINE_RETAIL_PATH, ONLINE_RETAIL_SHA256, load_online_retail
from rec_utils.figures.plots import save_figure
from rec_utils.runtime.backends import backend_packages, installed_backends
from rec_utils.runtime.device import describe_device, keras_backend, require_device
from rec_utils.runtime.parameters import Flag, check_parameters
from rec_utils.runtime.paths import relative
from rec_utils.runtime.results import save_metrics

__all__ = [
    "backend_packages",
    "check_parameters",
    "describe_device",
    "Flag",
    "installed_backends",
    "keras_backend",
    "load_online_retail",
    "ONLINE_RETAIL_PATH",
    "ONLINE_RETAIL_SHA256",
    "relative",
    "require_device",
    "save_figure",
    "save_metrics",
    "sha256_of",
]
