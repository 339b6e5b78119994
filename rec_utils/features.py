"""Feature extraction (article section 5.2): text, product images (VGG16) and attributes.

Shapes: texts (n,) -> token ids (n, max_len) int32 with 0 = padding, 1 = out of vocabulary;
images (n, 28, 28) uint8 -> VGG16 features (n, 512) float32; attributes -> (n, 1 + n_categories).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import CountVectorizer

from rec_utils.paths import CACHE_DIR
from rec_utils.progress import progress_bar

TOKEN_PATTERN = r"(?u)\b[a-zA-Z]{2,}\b"


def join_text_columns(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """One document per row: the text columns joined by spaces (missing values as empty).

    This is what the article's `CountVectorizer().fit_transform(data[[a, b]])` meant: given a
    DataFrame, scikit-learn iterates over its column *names*, so it would learn from two
    "documents" (the names) instead of one document per row.
    """
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise KeyError(f"text columns not found: {missing}")
    return frame[columns].fillna("").astype(str).agg(" ".join, axis=1)


@dataclass
class Tokenizer:
    """Word -> integer id vocabulary (ids from 2; 0 pads, 1 marks out-of-vocabulary words).

    Backend-agnostic replacement for keras.layers.TextVectorization, whose string ops run
    only on TensorFlow: the ids are made in numpy, and the model embeds them.
    """

    vocabulary: dict[str, int]
    max_len: int

    @classmethod
    def fit(cls, texts: pd.Series, max_len: int = 8, min_count: int = 1) -> "Tokenizer":
        """Vocabulary of words seen at least `min_count` times, most frequent first (ties alphabetical)."""
        counts = CountVectorizer(token_pattern=TOKEN_PATTERN).fit(texts.fillna(""))
        totals = np.asarray(counts.transform(texts.fillna("")).sum(axis=0)).ravel()
        words = counts.get_feature_names_out()
        order = sorted((w for w, c in zip(words, totals) if c >= min_count),
                       key=lambda w: (-totals[counts.vocabulary_[w]], w))
        return cls({w: i + 2 for i, w in enumerate(order)}, max_len)

    @property
    def size(self) -> int:
        """Number of ids including padding and out-of-vocabulary (input_dim of an Embedding)."""
        return len(self.vocabulary) + 2

    def transform(self, texts: pd.Series) -> np.ndarray:
        """Token ids (n, max_len), truncated or zero-padded on the right."""
        analyzer = CountVectorizer(token_pattern=TOKEN_PATTERN).build_analyzer()
        ids = np.zeros((len(texts), self.max_len), dtype=np.int32)
        for row, text in enumerate(texts.fillna("")):
            tokens = [self.vocabulary.get(w, 1) for w in analyzer(text)][: self.max_len]
            ids[row, : len(tokens)] = tokens
        return ids


def grey_to_rgb_batch(images: np.ndarray, image_size: int) -> np.ndarray:
    """uint8 (n, h, w) grey images -> float32 (n, image_size, image_size, 3), values 0-255."""
    import keras

    resized = keras.ops.image.resize(images[..., None].astype("float32"), (image_size, image_size))
    return np.repeat(keras.ops.convert_to_numpy(resized), 3, axis=-1)


def load_vgg16(weights: str = "imagenet", image_size: int = 32, seed: int = 0) -> tuple["keras.Model", str]:
    """VGG16 without its classifier, global-average pooled to 512 features.

    weights: "imagenet" (Keras' cache or download), "none" (random, seeded) or a local weights file.
    Returns (model, weights actually used: "imagenet", "random" or "file <name>"). When ImageNet
    weights cannot be had (offline, no cached copy) the model gets seeded random weights and
    the returned "random" says so; `weights_note` turns that into a sentence for readers.
    """
    import keras

    if image_size < 32:
        raise ValueError(f"VGG16 needs images of at least 32x32 pixels, got image_size={image_size}")
    build = lambda w: keras.applications.VGG16(include_top=False, pooling="avg", weights=w,
                                               input_shape=(image_size, image_size, 3))
    keras.utils.set_random_seed(seed)
    if weights == "none":
        return build(None), "random"
    if weights == "imagenet":
        try:
            return build("imagenet"), "imagenet"
        except Exception:  # Keras raises a plain Exception when the download fails
            keras.utils.set_random_seed(seed)
            return build(None), "random"
    path = Path(weights)
    if not path.is_file():
        raise FileNotFoundError(f"vgg_weights: no weights file at {weights}; use 'imagenet', 'none' or a file path")
    return build(str(path)), f"file {path.name}"


def weights_note(requested: str, used: str) -> str:
    """One sentence on the VGG16 weights: what was asked for and what ran."""
    if requested == "imagenet" and used == "random":
        return ("ImageNet weights requested but not available (no cached copy, download failed: offline?); "
                "ran with seeded RANDOM weights")
    return {"imagenet": "ImageNet weights", "random": "seeded random weights (as requested)"}.get(used, f"weights from {used}")


def vgg16_features(images: np.ndarray, *, image_size: int = 32, weights: str = "imagenet", batch_size: int = 256,
                   cache_dir: Path | None = CACHE_DIR, seed: int = 0, layer: str = "pooled",
                   show_progress: bool | None = None) -> tuple[np.ndarray, str]:
    """VGG16 features of grey images (n, 28, 28) -> (features float32, weights used).

    layer="pooled": the 512-d global average of the last block, (n, 512). layer="block4_pool":
    the input of the last block, (n, image_size/16, image_size/16, 512), for fine-tuning block 5
    (see rec_utils.click_model.build_click_model). Images are resized to `image_size`, copied to
    3 channels and passed through `keras.applications.vgg16.preprocess_input`. Results are cached
    in `cache_dir` keyed by the images' hash, image size, layer and weights (None: no cache).
    """
    import keras

    if layer not in {"pooled", "block4_pool"}:
        raise ValueError(f"layer must be 'pooled' or 'block4_pool', got {layer!r}")
    model, used = load_vgg16(weights, image_size, seed)
    if layer == "block4_pool":
        model = keras.Model(model.input, model.get_layer("block4_pool").output)
    tag = used.replace(" ", "_") if used != "random" else f"random{seed}"
    key = hashlib.sha1(np.ascontiguousarray(images).tobytes()).hexdigest()[:12]
    suffix = "" if layer == "pooled" else f"_{layer}"
    cache = None if cache_dir is None else Path(cache_dir) / f"vgg16_{tag}_{image_size}px{suffix}_{key}.npy"
    if cache is not None and cache.exists():
        return np.load(cache), used
    batches = []
    for start in progress_bar(range(0, len(images), batch_size), desc=f"VGG16 {image_size}px", unit="batch",
                              enabled=show_progress):
        rgb = grey_to_rgb_batch(images[start:start + batch_size], image_size)
        batch = keras.applications.vgg16.preprocess_input(rgb)
        batches.append(keras.ops.convert_to_numpy(model(batch, training=False)))
    features = np.concatenate(batches).astype(np.float32)
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.save(cache, features)
    return features, used


def encode_attributes(price: np.ndarray, category: np.ndarray, n_categories: int,
                      price_stats: tuple[float, float] | None = None) -> tuple[np.ndarray, tuple[float, float]]:
    """[standardised log price, one-hot category] (n, 1 + n_categories), and the (mean, std) used.

    Pass the training rows' `price_stats` when encoding validation or test rows.
    """
    price = np.asarray(price, dtype=float)
    if np.any(~(price > 0)):
        raise ValueError("prices must be positive")
    log_price = np.log(price)
    mean, std = price_stats if price_stats is not None else (log_price.mean(), log_price.std())
    one_hot = np.eye(n_categories, dtype=np.float32)[np.asarray(category, dtype=int)]
    return np.column_stack([(log_price - mean) / std, one_hot]).astype(np.float32), (float(mean), float(std))


def click_model_inputs(impressions: pd.DataFrame, tokenizer: Tokenizer, item_image_features: np.ndarray,
                       item_attributes: np.ndarray) -> dict[str, np.ndarray]:
    """Every input the click model can take, one row per impression (look-ups by item_id).

    Returns query_tokens, title_tokens (n, max_len) int32; image_features (n, d) and
    attributes (n, a) float32; item_id (n,) int32 (for a model that looks images up itself).
    """
    items = impressions["item_id"].to_numpy()
    return {
        "query_tokens": tokenizer.transform(impressions["search_keywords"]),
        "title_tokens": tokenizer.transform(impressions["product_description"]),
        "image_features": item_image_features[items].astype(np.float32),
        "attributes": item_attributes[items].astype(np.float32),
        "item_id": items.astype(np.int32),
    }
