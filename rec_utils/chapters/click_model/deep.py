"""Notebook 06's deep models: the user-interest model (rec_utils.models.interest) and its ablation over what it reads,
each trained with early stopping on the validation users' AUC, the learning rate chosen there too.

    specs = ablation_specs()                              # {name: ModelSpec}
    best, rates = choose_learning_rate(data, specs[FULL]) # the full model at each rate; the best on validation
    trained = train_variant(data, specs[NO_TEXT], best.learning_rate)

Each trained variant's predictions and epochs (and the chosen full model) are kept in data/trained/06_click_model/
by a fingerprint of the code, the experiment's settings and the environment (rec_utils.runtime.trained): a run
with the same ones reads them instead of training again.
"""

from __future__ import annotations

import hashlib
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import keras
import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from rec_utils.chapters.click_model.data import ClickData
from rec_utils.data.fashion import CLASS_NAMES
from rec_utils.models.click_model import predict, select_inputs
from rec_utils.models.interest import build_interest_model
from rec_utils.runtime.device import seed_everything
from rec_utils.runtime.io import atomic_path
from rec_utils.runtime.paths import CACHE_DIR
from rec_utils.runtime.trained import train_once

STORE_FOLDER = "06_click_model"  # data/trained/06_click_model/
EPOCH_COLUMNS = ["train loss", "validation loss", "train AUC", "validation AUC"]

FULL = "interest model: text + image + attributes + full history"
NO_TEXT, NO_IMAGE, NO_ATTRIBUTES = ("interest model without text", "interest model without image",
                                    "interest model without attributes")
CLICKED_IDS = "interest model: clicked ids only (no non-clicks, no searches)"
SUM_POOL = "interest model: surprise sum, no attention"
NO_HISTORY = "deep model without history (text + image + attributes)"


@dataclass(frozen=True)
class ModelSpec:
    """One variant: which history it reads ("none" | "clicked" | "full"), which item parts, which pooling."""

    history: str = "full"
    use_text: bool = True
    use_image: bool = True
    use_attributes: bool = True
    use_item_id: bool = False
    pooling: str = "attention"


def ablation_specs() -> dict[str, ModelSpec]:
    """The full model, the full model without each input part, with the clicks-only history, with the plain surprise
    sum instead of attention, and without history (item ids are in every variant)."""
    return {FULL: ModelSpec(), NO_TEXT: ModelSpec(use_text=False), NO_IMAGE: ModelSpec(use_image=False),
            NO_ATTRIBUTES: ModelSpec(use_attributes=False), CLICKED_IDS: ModelSpec(history="clicked"),
            SUM_POOL: ModelSpec(pooling="sum"), NO_HISTORY: ModelSpec(history="none")}


@dataclass
class TrainedModel:
    """A trained variant: the model (None unless kept), its learning rate, its epochs (epoch, train/validation loss
    and AUC), its validation and test predictions, and whether they were read from data/trained/."""

    model: keras.Model | None
    learning_rate: float
    epochs: pd.DataFrame
    predictions: dict[str, np.ndarray]
    reused: bool = False


def train_variant(data: ClickData, spec: ModelSpec, learning_rate: float, *, train_rows: np.ndarray | None = None,
                  name: str = "interest_model", keep_model: bool = False) -> TrainedModel:
    """Build (seeded) and train one variant on the training users (or `train_rows`, a boolean mask over impressions),
    stopping when the validation AUC has not improved for `patience` epochs and keeping the best epoch's weights;
    `keep_model` returns the model too. Read from data/trained/ instead when this code trained it on the same
    settings and data (rec_utils.runtime.trained)."""
    stem = f"interest-{spec.history}-{_parts(spec)}-{spec.pooling}-lr{learning_rate:g}"
    rows = None
    if train_rows is not None:
        stem += f"-{np.unique(data.impressions['user_id'].to_numpy()[train_rows]).size}users"
        rows = hashlib.sha256(np.packbits(train_rows).tobytes()).hexdigest()[:16]
    settings = {**data.fingerprint(), "spec": asdict(spec), "learning_rate": learning_rate, "model_name": name,
                "train_rows": rows}
    stored = train_once(STORE_FOLDER, stem, settings, (sys.modules[__name__],),
                        lambda: _fit_variant(data, spec, learning_rate, train_rows, name), keep_model=keep_model)
    return TrainedModel(stored.model, learning_rate, epochs_frame(stored.arrays["epochs"]),
                        {split: stored.arrays[split] for split in ("validation", "test")}, stored.reused)


def _parts(spec: ModelSpec) -> str:
    used = [part for part, on in [("text", spec.use_text), ("image", spec.use_image),
                                  ("attributes", spec.use_attributes), ("ids", spec.use_item_id)] if on]
    return "+".join(used) or "nothing"


def _fit_variant(data: ClickData, spec: ModelSpec, learning_rate: float, train_rows: np.ndarray | None,
                 name: str) -> tuple[dict[str, np.ndarray], keras.Model]:
    """train_variant's training: ({"validation": p, "test": p, "epochs": (epochs, 4) EPOCH_COLUMNS}, model)."""
    config = data.config
    seed_everything(config.seed)
    model = build_interest_model(data.tables, vocab_size=data.tokenizer.size, query_len=data.tokenizer.max_len,
                                 n_classes=len(CLASS_NAMES), use_text=spec.use_text, use_image=spec.use_image,
                                 use_attributes=spec.use_attributes, use_item_id=spec.use_item_id,
                                 history=spec.history != "none",
                                 pooling=spec.pooling, history_len=config.history_len, learning_rate=learning_rate,
                                 name=name)
    train = data.part("train", spec.history)
    if train_rows is not None:
        keep = train_rows[data.masks["train"]]
        train = {k: v[keep] for k, v in train.items()}
        y_train = data.y[data.masks["train"]][keep]
    else:
        y_train = data.y[data.masks["train"]]
    validation = data.part("validation", spec.history)
    stop = keras.callbacks.EarlyStopping(monitor="val_auc", mode="max", patience=config.patience,
                                         restore_best_weights=True)
    fitted = model.fit(select_inputs(model, train), y_train,
                       validation_data=(select_inputs(model, validation), data.y[data.masks["validation"]]),
                       epochs=config.epochs, batch_size=config.batch_size, callbacks=[stop], verbose=0, shuffle=True)
    arrays = {"validation": predict(model, validation, batch_size=4096),
              "test": predict(model, data.part("test", spec.history), batch_size=4096),
              "epochs": epochs_table(fitted)[EPOCH_COLUMNS].to_numpy()}
    return arrays, model


def epochs_table(fitted: keras.callbacks.History) -> pd.DataFrame:
    """Keras' training history as a table: epoch, train and validation loss and AUC."""
    history = fitted.history
    return pd.DataFrame({"epoch": np.arange(1, len(history["loss"]) + 1), "train loss": history["loss"],
                         "validation loss": history["val_loss"], "train AUC": history["auc"],
                         "validation AUC": history["val_auc"]})


def epochs_frame(values: np.ndarray) -> pd.DataFrame:
    """The (epochs, 4) array of EPOCH_COLUMNS, as stored, back as epochs_table's table."""
    frame = pd.DataFrame(values, columns=EPOCH_COLUMNS)
    frame.insert(0, "epoch", np.arange(1, len(frame) + 1))
    return frame


def save_interest_model(model: keras.Model, path: Path = CACHE_DIR / "click_model.keras") -> Path:
    """Save a trained model in Keras' native format, atomically (a reader never sees half a file); returns path."""
    with atomic_path(path) as tmp:
        model.save(tmp)
    return path


def choose_learning_rate(data: ClickData, spec: ModelSpec) -> tuple[TrainedModel, pd.DataFrame]:
    """Train `spec` at every rate of config.learning_rates (each model kept); keep the one with the highest
    validation AUC. Returns (the chosen TrainedModel, a table of the validation AUC and epochs run by rate)."""
    rows, best = [], None
    for rate in data.config.learning_rates:
        trained = train_variant(data, spec, rate, keep_model=True)
        auc = roc_auc_score(data.y[data.masks["validation"]], trained.predictions["validation"])
        rows.append({"learning rate": rate, "validation AUC": auc, "epochs run": len(trained.epochs)})
        if best is None or auc > best[0]:
            best = (auc, trained)
    table = pd.DataFrame(rows)
    table["chosen"] = table["learning rate"] == best[1].learning_rate
    return best[1], table
