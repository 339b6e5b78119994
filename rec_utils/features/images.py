"""Product-image features from VGG16 (article 5.2): grey photos (n, 28, 28) uint8 -> (n, 512) float32.

The weights are always an explicit choice, never a silent fallback: "none" (seeded random weights, the
default: the same result with or without internet or a ~/.keras cache), "imagenet" (Keras' cache or download;
ImageNetWeightsUnavailableError when it cannot be had) or the path of a local weights file.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import sys
from pathlib import Path

import keras
import numpy as np

from rec_utils.runtime.caches import code_hash, file_sha256, read_cached, save_cached
from rec_utils.runtime.device import keras_backend
from rec_utils.runtime.paths import CACHE_DIR
from rec_utils.runtime.progress import progress_bar


class ImageNetWeightsUnavailableError(FileNotFoundError):
    """ImageNet weights for VGG16 were asked for but cannot be loaded (offline without a cached copy,
    or no file at the given path). Never replaced by other weights."""


def grey_to_rgb_batch(images: np.ndarray, image_size: int) -> np.ndarray:
    """uint8 (n, h, w) grey images -> float32 (n, image_size, image_size, 3), values 0-255."""
    resized = keras.ops.image.resize(images[..., None].astype("float32"), (image_size, image_size))
    return np.repeat(keras.ops.convert_to_numpy(resized), 3, axis=-1)


def load_vgg16(weights: str = "none", image_size: int = 32, seed: int = 0) -> tuple[keras.Model, str]:
    """VGG16 without its classifier, global-average pooled to 512 features.

    weights: "none" (seeded random weights), "imagenet" (Keras' cache or download) or a local weights file.
    Returns (model, weights used: "random", "imagenet" or "file <name>"). Raises
    ImageNetWeightsUnavailableError when ImageNet weights cannot be loaded or the file does not exist.
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
            with contextlib.redirect_stdout(io.StringIO()):  # Keras prints "Downloading data from ..."
                return build("imagenet"), "imagenet"
        except Exception as exc:  # Keras raises a plain Exception when the download fails
            raise ImageNetWeightsUnavailableError(
                f"VGG16 ImageNet weights are not cached and could not be downloaded ({type(exc).__name__}); "
                "pass the path of vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5 instead, or use 'none'"
            ) from exc
    path = Path(weights)
    if not path.is_file():
        raise ImageNetWeightsUnavailableError(
            f"vgg_weights: no weights file at {weights}; use 'none', 'imagenet' or a file path")
    return build(str(path)), f"file {path.name}"


def weights_note(used: str, seed: int = 0) -> str:
    """Which VGG16 weights produced the features, as a phrase for tables and labels."""
    if used == "random":
        return f"seeded random weights (seed {seed})"
    return "ImageNet weights" if used == "imagenet" else f"weights from {used.removeprefix('file ')}"


def vgg16_features(images: np.ndarray, *, image_size: int = 32, weights: str = "none", batch_size: int = 256,
                   cache_dir: Path | None = CACHE_DIR, seed: int = 0, layer: str = "pooled",
                   show_progress: bool | None = None) -> tuple[np.ndarray, str]:
    """VGG16 features of grey images (n, 28, 28) -> (features float32, weights used).

    layer="pooled": the 512-d global average of the last block, (n, 512). layer="block4_pool":
    the input of the last block, (n, image_size/16, image_size/16, 512), for fine-tuning block 5
    (see rec_utils.models.click_model.build_click_model). Images are resized to `image_size`, copied to
    3 channels and passed through `keras.applications.vgg16.preprocess_input`. Results are cached in
    `cache_dir` keyed by the images' hash, image size, layer, weights (with the seed for random ones) and
    the Keras backend (seeded random weights differ between backends), with a manifest (rec_utils.runtime.caches)
    that also records the Keras version, this module's code and the weights file's SHA-256: a cache that does not
    match, or fails its checksum, is rebuilt; None: no cache.
    """
    if layer not in {"pooled", "block4_pool"}:
        raise ValueError(f"layer must be 'pooled' or 'block4_pool', got {layer!r}")
    model, used = load_vgg16(weights, image_size, seed)
    tag = used.replace(" ", "_") if used != "random" else f"random{seed}"
    key = hashlib.sha1(np.ascontiguousarray(images).tobytes()).hexdigest()[:12]
    suffix = "" if layer == "pooled" else f"_{layer}"
    cache = (None if cache_dir is None
             else Path(cache_dir) / f"vgg16_{tag}_{keras_backend()}_{image_size}px{suffix}_{key}.npy")
    built_from = {"images_sha1": key, "weights": used, "seed": seed, "image_size": image_size, "layer": layer,
                  "backend": keras_backend(), "keras": keras.__version__, "code": code_hash(sys.modules[__name__]),
                  "weights_sha256": file_sha256(weights) if used.startswith("file ") else None}
    if cache is not None:
        cached = read_cached(cache, np.load, built_from, what="VGG16 feature cache", describe=array_details)
        if cached is not None:
            return cached, used
    if layer == "block4_pool":
        model = keras.Model(model.input, model.get_layer("block4_pool").output)
    batches = []
    for start in progress_bar(range(0, len(images), batch_size), desc=f"VGG16 {image_size}px", unit="batch",
                              enabled=show_progress):
        rgb = grey_to_rgb_batch(images[start:start + batch_size], image_size)
        batch = keras.applications.vgg16.preprocess_input(rgb)
        batches.append(keras.ops.convert_to_numpy(model(batch, training=False)))
    features = np.concatenate(batches).astype(np.float32)
    if cache is not None:
        save_cached(cache, lambda tmp: np.save(tmp, features), built_from, details=array_details(features))
    return features, used


def array_details(array: np.ndarray) -> dict[str, object]:
    """Shape and dtype of a cached array: recorded in its manifest, checked when it is read."""
    return {"shape": list(array.shape), "dtype": str(array.dtype)}
