"""Notebook 06's validation and test predictions, saved for notebook 07 and read back (or rebuilt) by it.

    save_click_predictions(data, predictions, models=..., baselines=...)   # notebook 06
    predictions = load_click_predictions()                                  # notebook 07: the saved file when it was
                                                                            # made with 06's defaults, else rebuilt

The file reports/06_click_predictions.parquet (a run with overrides: its own folder, rec_utils.runtime.runs) holds
one row per validation and test impression (ID_COLUMNS, then one probability column per model and ceiling) and
carries the experiment's config, the image features, the device, the Keras backend and the column roles in its
Parquet metadata.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from rec_utils.chapters.click_model.ceilings import CEILINGS
from rec_utils.chapters.click_model.data import ClickData, ClickExperimentConfig
from rec_utils.runtime.device import keras_backend, visible_gpus
from rec_utils.runtime.io import atomic_path, read_cache
from rec_utils.runtime.paths import relative
from rec_utils.runtime.runs import artefact_dir, find_artefact

PREDICTIONS_NAME = "06_click_predictions.parquet"
PRODUCER = "06_click_model"
ID_COLUMNS = ["user_id", "session_id", "search_keywords", "item_id", "clicked", "earlier_sessions", "split"]


@dataclass(frozen=True)
class ClickPredictions:
    """Notebook 06's validation and test predictions: frame (ID_COLUMNS + one column per model and ceiling), the
    names of the learned models, the ceilings and the baselines, and the run's metadata."""

    frame: pd.DataFrame
    models: list[str]
    ceilings: list[str]
    baselines: list[str]
    metadata: dict


def predictions_frame(data: ClickData, predictions: dict[str, dict[str, np.ndarray]]) -> pd.DataFrame:
    """Validation and test impressions (ID_COLUMNS) with one probability column per model and ceiling."""
    earlier = data.history.mask.sum(axis=1) // data.simulation.config.items_per_session
    parts = []
    for split in ("validation", "test"):
        mask = data.masks[split]
        rows = data.impressions.loc[mask, ["user_id", "session_id", "search_keywords", "item_id", "clicked"]]
        rows = rows.assign(earlier_sessions=earlier[mask], split=split)
        parts.append(rows.assign(**{name: p[split] for name, p in predictions.items()}))
    return pd.concat(parts, ignore_index=True)


def save_click_predictions(data: ClickData, predictions: dict[str, dict[str, np.ndarray]], *,
                           baselines: list[str], path: Path | None = None) -> pd.DataFrame:
    """Write `predictions_frame` atomically to `path` (default: PREDICTIONS_NAME in notebook 06's results folder)
    with the experiment's metadata (`baselines`: which columns are baselines); return the frame."""
    path = artefact_dir(PRODUCER) / PREDICTIONS_NAME if path is None else path
    frame = predictions_frame(data, predictions)
    metadata = {"producer": PRODUCER, "config": _config_dict(data.config), "image_features": data.encoded.label,
                "device": "gpu" if visible_gpus() else "cpu", "backend": keras_backend(),
                "ceilings": list(CEILINGS), "baselines": list(baselines)}
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}),
                                           b"interest_lab": json.dumps(metadata).encode()})
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp)
    return frame


def _config_dict(config: ClickExperimentConfig) -> dict:
    return json.loads(json.dumps(asdict(config)))  # tuples as lists, as it reads back


def _read_predictions(path: Path) -> ClickPredictions:
    table = pq.read_table(path)
    metadata = json.loads(table.schema.metadata[b"interest_lab"])
    frame = table.to_pandas()
    missing = [c for c in ID_COLUMNS + list(CEILINGS) + list(metadata["baselines"]) if c not in frame.columns]
    if missing:
        raise ValueError(f"columns missing: {missing}")
    roles = set(ID_COLUMNS) | set(CEILINGS)
    models = [c for c in frame.columns if c not in roles]
    return ClickPredictions(frame, models, list(CEILINGS), list(metadata["baselines"]), metadata)


def load_click_predictions(config: ClickExperimentConfig | None = None, *, path: Path | None = None,
                           rebuild: bool = True) -> ClickPredictions:
    """Notebook 06's predictions from `path` when the file is readable and was made with `config` (default: the
    notebook's defaults); otherwise, with `rebuild`, run notebook 06's experiment (minutes on a CPU) and save it to
    `path`, by default in this run's folder (never over the full run's file it read). Without `rebuild`, a missing
    or stale file raises FileNotFoundError naming notebook 06."""
    from rec_utils.chapters.click_model.experiment import run_click_experiment

    config = config or ClickExperimentConfig()
    read = find_artefact(PREDICTIONS_NAME) if path is None else path
    found = read_cache(read, _read_predictions, what="notebook 06's predictions")
    if found is not None and found.metadata.get("config") == _config_dict(config):
        return found
    reason = "missing" if found is None else "made with other parameters"
    if not rebuild:
        raise FileNotFoundError(f"{relative(read)} is {reason}: run notebook 06 first (python -m rec_utils.run 06)")
    print(f"{relative(read)} is {reason}: running notebook 06's experiment (rec_utils.chapters.click_model) "
          "to rebuild it")
    target = artefact_dir(PRODUCER) / PREDICTIONS_NAME if path is None else path
    run_click_experiment(config, target)
    return _read_predictions(target)
