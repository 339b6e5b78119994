"""Product-image features from VGG16 (article 5.2): grey photos (n, 28, 28) uint8 -> (n, 512) float32."""

from __future__ import annotations

import hashlib
from pathlib import Path

import keras
import numpy as np

from rec_utils.runtime.paths import CACHE_DIR
from rec_utils.runtime.progress import progress_bar


def grey_to_rgb_batch(images: np.ndarray, image_size: int) -> np.ndarray:
    """uint8 (n, h, w) grey images -> float32 (n, image_size, image_size, 3), values 0-255."""
    resized = keras.ops.image.resize(images[..., None].astype("float32"), (image_size, image_size))
    return np.repeat(keras.ops.convert_to_numpy(resized), 3, axis=-1)


def load_vgg16(weights: str = "imagenet", image_size: int = 32, seed: int = 0) -> tuple[keras.Model, str]:
    """VGG16 without its classifier, global-average pooled to 512 features.

    weights: "imagenet" (Keras' cache or download), "none" (random, seeded) or a local weights file.
    Returns (model, weights actually used: "imagenet", "random" or "file <name>"). When ImageNet
    weights cannot be had (offline, no cached copy) the model gets seeded random weights and
    the returned "random" says so; `weights_note` turns that into a sentence for readers.
    """
    if image_size < 32:
        raise ValueError(f"VGG16 needs images of at least 32x32 pixels, got image_size={image_size}")

    def build(w: str | None) -> keras.Model:
        return keras.applications.VGG16(include_top=False, pooling="avg", weights=w,
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
    known = {"imagenet": "ImageNet weights", "random": "seeded random weights (as requested)"}
    return known.get(used, f"weights from {used}")


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
