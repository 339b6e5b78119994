"""Notebook 06's experiment in one call, for a notebook that needs its predictions (07) and finds them missing, and
the article's model made runnable.

    run_click_experiment(config, path)      # ceilings, baselines, the article's model, the interest model and its
                                            # ablation; predictions saved to path
"""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np

from rec_utils.chapters.click_model.baselines import fit_baselines
from rec_utils.chapters.click_model.ceilings import ceiling_predictions
from rec_utils.chapters.click_model.data import ClickData, ClickExperimentConfig, prepare_click_data
from rec_utils.chapters.click_model.deep import FULL, ablation_specs, choose_learning_rate, train_variant
from rec_utils.chapters.click_model.predictions import save_click_predictions
from rec_utils.data.fashion import load_fashion_mnist
from rec_utils.features.attributes import click_model_inputs
from rec_utils.features.image_encoder import parse_image_encoder
from rec_utils.features.images import load_vgg16, vgg16_features
from rec_utils.models.click_model import build_click_model, predict, train_click_model
from rec_utils.runtime.device import seed_everything

ARTICLE = "article's model, made runnable (text + image + attributes)"


def train_article_model(data: ClickData, *, block4_table: np.ndarray | None = None, vgg: keras.Model | None = None,
                        name: str = "article_model") -> tuple[keras.Model, keras.callbacks.History, dict]:
    """The article's fused model made runnable (rec_utils.models.click_model.build_click_model: text, image and
    attribute towers on per-impression inputs, concatenated, MLP, sigmoid; no history), early stopping on validation
    loss. With `block4_table` and `vgg` its image tower fine-tunes VGG16's block 5 instead. Returns (model, history,
    {split: p})."""
    inputs = click_model_inputs(data.impressions, data.tokenizer, data.image, data.attributes)
    part = {split: {k: v[mask] for k, v in inputs.items()} for split, mask in data.masks.items()}
    seed_everything(data.config.seed)
    model = build_click_model(vocab_size=data.tokenizer.size, max_len=data.tokenizer.max_len,
                              image_dim=0 if block4_table is not None else data.image.shape[1],
                              n_attributes=data.attributes.shape[1], block4_table=block4_table, vgg=vgg, name=name)
    history = train_click_model(model, part["train"], data.y[data.masks["train"]], part["validation"],
                                data.y[data.masks["validation"]], epochs=data.config.epochs,
                                batch_size=data.config.batch_size, patience=data.config.patience)
    return model, history, {s: predict(model, part[s], batch_size=4096) for s in ("validation", "test")}


def run_click_experiment(config: ClickExperimentConfig, path: Path | None = None) -> dict[str, dict[str, np.ndarray]]:
    """Every prediction notebook 06 saves (ceilings, baselines, the article's model, the interest model with its
    learning rate chosen on validation, and its ablation), saved to `path` (default: notebook 06's results folder).
    Returns {name: {"validation": p, "test": p}}."""
    data = prepare_click_data(config)
    ceilings, _ = ceiling_predictions(data)
    baselines, _ = fit_baselines(data)
    _, _, article = train_article_model(data)
    specs = ablation_specs()
    full, _ = choose_learning_rate(data, specs[FULL])
    trained = {FULL: full.predictions}
    for name, spec in specs.items():
        if name != FULL:
            trained[name] = train_variant(data, spec, full.learning_rate).predictions
    predictions = {**ceilings, **baselines, ARTICLE: article, **trained}
    save_click_predictions(data, predictions, baselines=list(baselines), path=path)
    return predictions


def fine_tuned_article_model(data: ClickData, image_encoder: str, image_size: int) -> dict[str, np.ndarray]:
    """The GPU variant of the article's model: its image tower trains a copy of VGG16's block 5 on the product photos
    (block 4's outputs cached), at `image_size` pixels with the weights `image_encoder` names. Returns {split: p}."""
    spec = parse_image_encoder(image_encoder)
    weights = spec.path or ("imagenet" if spec.kind == "vgg16-imagenet" else "none")
    photos = load_fashion_mnist("test")[0][data.simulation.catalog["image_index"].to_numpy()]
    block4, _ = vgg16_features(photos, image_size=image_size, weights=weights, seed=data.config.seed,
                               layer="block4_pool")
    vgg = load_vgg16(weights, image_size, data.config.seed)[0]
    return train_article_model(data, block4_table=block4, vgg=vgg, name="article_block5")[2]
