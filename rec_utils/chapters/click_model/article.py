"""The article's fused click model made runnable (rec_utils.models.click_model.build_click_model: text, image and
attribute towers on per-impression inputs, concatenated, MLP, sigmoid; no history), and its GPU variant with VGG16's
block 5 fine-tuned.

    epochs, predictions = train_article_model(data)     # read from data/trained/06_click_model/ when this code
                                                        # trained it on the same settings (rec_utils.runtime.trained)
"""

from __future__ import annotations

import sys

import keras
import numpy as np
import pandas as pd

from rec_utils.chapters.click_model.data import ClickData
from rec_utils.chapters.click_model.deep import EPOCH_COLUMNS, STORE_FOLDER, epochs_frame, epochs_table
from rec_utils.data.fashion import load_fashion_mnist
from rec_utils.features.attributes import click_model_inputs
from rec_utils.features.image_encoder import parse_image_encoder
from rec_utils.features.images import load_vgg16, vgg16_features
from rec_utils.models.click_model import build_click_model, predict, train_click_model
from rec_utils.runtime.device import seed_everything
from rec_utils.runtime.trained import train_once

ARTICLE = "article's model, made runnable (text + image + attributes)"


def train_article_model(data: ClickData) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """The article's fused model made runnable (rec_utils.models.click_model.build_click_model: text, image and
    attribute towers on per-impression inputs, concatenated, MLP, sigmoid; no history), early stopping on validation
    loss; read from data/trained/ when this code trained it on the same settings (rec_utils.runtime.trained).
    Returns (its epochs table, {split: p})."""
    stored = train_once(STORE_FOLDER, "article", {**data.fingerprint(), "model": "article"}, (sys.modules[__name__],),
                        lambda: (_fit_article_model(data), None))
    return epochs_frame(stored.arrays["epochs"]), {split: stored.arrays[split] for split in ("validation", "test")}


def _fit_article_model(data: ClickData, *, block4_table: np.ndarray | None = None, vgg: keras.Model | None = None,
                       name: str = "article_model") -> dict[str, np.ndarray]:
    """train_article_model's training; with `block4_table` and `vgg` its image tower fine-tunes VGG16's block 5.
    Returns {"validation": p, "test": p, "epochs": (epochs, 4) EPOCH_COLUMNS}."""
    inputs = click_model_inputs(data.impressions, data.tokenizer, data.image, data.attributes)
    part = {split: {k: v[mask] for k, v in inputs.items()} for split, mask in data.masks.items()}
    seed_everything(data.config.seed)
    model = build_click_model(vocab_size=data.tokenizer.size, max_len=data.tokenizer.max_len,
                              image_dim=0 if block4_table is not None else data.image.shape[1],
                              n_attributes=data.attributes.shape[1], block4_table=block4_table, vgg=vgg, name=name)
    history = train_click_model(model, part["train"], data.y[data.masks["train"]], part["validation"],
                                data.y[data.masks["validation"]], epochs=data.config.epochs,
                                batch_size=data.config.batch_size, patience=data.config.patience)
    return {**{s: predict(model, part[s], batch_size=4096) for s in ("validation", "test")},
            "epochs": epochs_table(history)[EPOCH_COLUMNS].to_numpy()}


def fine_tuned_article_model(data: ClickData, image_encoder: str, image_size: int) -> dict[str, np.ndarray]:
    """The GPU variant of the article's model: its image tower trains a copy of VGG16's block 5 on the product photos
    (block 4's outputs cached), at `image_size` pixels with the weights `image_encoder` names. Returns {split: p}."""
    spec = parse_image_encoder(image_encoder)
    weights = spec.path or ("imagenet" if spec.kind == "vgg16-imagenet" else "none")
    photos = load_fashion_mnist("test")[0][data.simulation.catalog["image_index"].to_numpy()]
    block4, _ = vgg16_features(photos, image_size=image_size, weights=weights, seed=data.config.seed,
                               layer="block4_pool")
    vgg = load_vgg16(weights, image_size, data.config.seed)[0]
    fitted = _fit_article_model(data, block4_table=block4, vgg=vgg, name="article_block5")
    return {split: fitted[split] for split in ("validation", "test")}
