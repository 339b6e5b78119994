"""Image encoders for product photos, chosen by name and never silently replaced.

    encode_images(images, "catalog-pretrained")   grey photos (n, 28, 28) uint8 -> EncodedImages, features (n, d)

Encoder names (the `image_encoder` parameter of notebooks 05-06):

    "vgg16-random"            VGG16, the article's architecture, with seeded random weights; 512-d
    "catalog-pretrained"      a small VGG-style network (3×3 convolutions, pooling) trained in the run on the
                              Fashion-MNIST *train* split (60,000 photos, disjoint from the catalogue's test-split
                              photos) to predict the product category; its 64-d penultimate layer; default
    "vgg16-imagenet"          VGG16 with ImageNet weights from Keras' cache or download
    "vgg16-imagenet:<path>"   VGG16 with ImageNet weights from a local .h5 file
    "vgg16-finetuned"         VGG16 (seeded random start, or ":<path>" to start from ImageNet weights) trained on
                              the train split at `image_size`: meant for a GPU, slow on a CPU

Unavailable ImageNet weights raise ImageNetWeightsUnavailableError. Trained networks and features are cached
under data/cache/ by a checksum of everything that determines them (training images and labels, epochs, seed,
Keras backend and version), with a manifest (rec_utils.runtime.caches) that adds this module's code (the
architecture) and the file's checksum: a network built by other code, damaged or unreadable is retrained. The
catalogue-pretrained CNN of the default cache lives in data/trained/05_feature_extraction/ instead, committed for
the notebooks' settings (a clean clone reads it; a change to this module retrains it: commit the new file).
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
from keras import layers
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from rec_utils.features import images as vgg16_module
from rec_utils.features.images import grey_to_rgb_batch, load_vgg16, vgg16_features, weights_note
from rec_utils.runtime.caches import code_hash, read_cached, save_cached
from rec_utils.runtime.device import keras_backend
from rec_utils.runtime.parameters import Rule
from rec_utils.runtime.paths import CACHE_DIR, DATA_DIR
from rec_utils.runtime.threads import single_threaded
from rec_utils.runtime.trained import retrain_requested

CATALOG_ENCODER_DIR = DATA_DIR / "trained" / "05_feature_extraction"  # committed for the notebooks' settings
ENCODER_KINDS = ("vgg16-random", "catalog-pretrained", "vgg16-imagenet", "vgg16-finetuned")


class ImageEncoderError(ValueError):
    """An image encoder name that is not one of ENCODER_KINDS (with ':<path>' where allowed)."""


class EncoderName(Rule):
    """A notebook parameter rule (rec_utils.runtime.parameters.check_parameters): a valid image encoder name."""

    def describe(self) -> str:
        return ("one of 'catalog-pretrained', 'vgg16-random', 'vgg16-imagenet', 'vgg16-imagenet:<path>', "
                "'vgg16-finetuned' or 'vgg16-finetuned:<path>'")

    def accepts(self, value: object) -> bool:
        try:
            parse_image_encoder(value)
        except ImageEncoderError:
            return False
        return isinstance(value, str)


@dataclass(frozen=True)
class EncoderSpec:
    """A parsed encoder name: kind (one of ENCODER_KINDS) and the weights file for the ':<path>' forms."""

    kind: str
    path: str | None = None


@dataclass(frozen=True)
class EncodedImages:
    """Image features and what produced them.

    features (n, d) float32; encoder: the name asked for; label: short name for tables and plot labels
    (it names the weights); heldout_accuracy: the trained network's category accuracy on the photos it
    encoded (never trained on), None for encoders without a category head.
    """

    features: np.ndarray
    encoder: str
    label: str
    heldout_accuracy: float | None = None


def parse_image_encoder(name: str) -> EncoderSpec:
    """'vgg16-imagenet:/x/w.h5' -> EncoderSpec('vgg16-imagenet', '/x/w.h5'); ImageEncoderError otherwise."""
    kind, _, path = str(name).partition(":")
    if kind not in ENCODER_KINDS or (path and kind not in {"vgg16-imagenet", "vgg16-finetuned"}):
        raise ImageEncoderError(
            f"image_encoder must be one of 'vgg16-random', 'catalog-pretrained', 'vgg16-imagenet', "
            f"'vgg16-imagenet:<path>', 'vgg16-finetuned' or 'vgg16-finetuned:<path>', got {name!r}")
    return EncoderSpec(kind, path or None)


def build_catalog_cnn(widths: tuple[int, ...] = (16, 32, 64), embedding_dim: int = 64, seed: int = 0,
                      decay_steps: int | None = None) -> keras.Model:
    """VGG-style category classifier for (28, 28) grey photos: blocks of 3×3 convolutions (two per block,
    batch-normalised) and 2×2 max pooling, global average pooling, a Dense 'embedding' layer and a 10-way
    softmax. Input uint8-valued (n, 28, 28, 1); output (n, 10). Adam at 3e-3, decayed to 0 along a cosine over
    `decay_steps` training steps when given: a run that ends at a small step ends near the same weights on every
    processor (at a constant rate the last steps' round-off moved held-out accuracy by 0.04 between machines)."""
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((28, 28, 1), name="photo")
    x = layers.Rescaling(1 / 255.0)(inputs)
    for block, width in enumerate(widths, start=1):
        for conv in (1, 2):
            x = layers.Conv2D(width, 3, padding="same", use_bias=False, name=f"block{block}_conv{conv}")(x)
            x = layers.BatchNormalization(momentum=0.9, name=f"block{block}_bn{conv}")(x)
            x = layers.ReLU()(x)
        if block < len(widths):
            x = layers.MaxPooling2D(name=f"block{block}_pool")(x)
    x = layers.GlobalAveragePooling2D(name="pool")(x)
    embedding = layers.Dense(embedding_dim, activation="relu", name="embedding")(x)
    outputs = layers.Dense(10, activation="softmax", name="category")(embedding)
    model = keras.Model(inputs, outputs, name="catalog_cnn")
    rate = keras.optimizers.schedules.CosineDecay(3e-3, decay_steps) if decay_steps else 3e-3
    model.compile(optimizer=keras.optimizers.Adam(rate), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _checksum(*parts: object) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(np.ascontiguousarray(part).tobytes() if isinstance(part, np.ndarray)
                      else json.dumps(part, sort_keys=True).encode())
    return digest.hexdigest()[:16]


def train_catalog_cnn(train_images: np.ndarray, train_labels: np.ndarray, *, epochs: int = 2, batch_size: int = 256,
                      seed: int = 0, cache_dir: Path | None = CATALOG_ENCODER_DIR) -> tuple[keras.Model, bool]:
    """The category classifier of `build_catalog_cnn` trained on (train_images (n, 28, 28), train_labels (n,)).

    Returns (model, loaded_from_cache). Cached in `cache_dir` under a checksum of the images, labels,
    epochs, batch size, seed, Keras backend and version, and rebuilt when this module's code changes
    (None: no cache). The default, CATALOG_ENCODER_DIR (data/trained/05_feature_extraction/), is committed for
    the notebooks' settings, so that a clean clone does not train it again (see rec_utils.runtime.trained).
    """
    if epochs < 1:
        raise ValueError(f"epochs must be >= 1, got {epochs}")

    def train() -> keras.Model:
        model = build_catalog_cnn(seed=seed, decay_steps=epochs * -(-len(train_images) // batch_size))
        model.fit(train_images[..., None], np.asarray(train_labels), epochs=epochs, batch_size=batch_size,
                  shuffle=True, verbose=0)
        return model

    settings = {"epochs": epochs, "batch_size": batch_size, "seed": seed}
    return _cached_network("catalog_cnn", train_images, train_labels, settings, cache_dir, train)


def _cached_network(name: str, train_images: np.ndarray, train_labels: np.ndarray, settings: dict,
                    cache_dir: Path | None, train) -> tuple[keras.Model, bool]:
    """`train()`'s network, cached as `<cache_dir>/<name>_<backend>_<checksum>.keras` (checksum of the training
    photos, labels, `settings`, Keras backend and version) with a manifest that adds this module's code; trained
    anew under INTEREST_LAB_RETRAIN=1. Returns (network, loaded_from_cache)."""
    key = _checksum(train_images, train_labels, {**settings, "backend": keras_backend(), "keras": keras.__version__})
    path = None if cache_dir is None else Path(cache_dir) / f"{name}_{keras_backend()}_{key}.keras"
    built_from = {"key": key, "code": code_hash(sys.modules[__name__], vgg16_module)}
    if path is not None and not retrain_requested():
        cached = read_cached(path, keras.saving.load_model, built_from, what=f"{name} cache")
        if cached is not None:
            return cached, True
    model = train()
    if path is not None:
        save_cached(path, model.save, built_from)
    return model, False


def finetune_vgg16(train_images: np.ndarray, train_labels: np.ndarray, *, image_size: int = 32,
                   weights: str = "none", epochs: int = 1, batch_size: int = 128, seed: int = 0,
                   cache_dir: Path | None = CACHE_DIR) -> keras.Model:
    """VGG16 (pooled, 512-d) trained end to end with a 10-way category head on the train split.

    Starts from `weights` (see rec_utils.features.images.load_vgg16); returns the trained feature model
    (photos resized to image_size, 3 channels, VGG16 preprocessing -> (n, 512)). Cached like
    `train_catalog_cnn`. Meant for a GPU: at 32 px a CPU trains some 100 photos/s.
    """
    def train() -> keras.Model:
        base, _ = load_vgg16(weights, image_size, seed)
        classifier = keras.Model(base.input, layers.Dense(10, activation="softmax", name="category")(base.output))
        classifier.compile(optimizer=keras.optimizers.Adam(1e-4), loss="sparse_categorical_crossentropy")
        order = np.random.default_rng(seed).permutation(len(train_images))
        for _ in range(epochs):
            for chunk in np.array_split(order, max(1, len(order) // 4096)):  # 60,000 photos at 224 px: in chunks
                classifier.fit(_vgg_input(train_images[chunk], image_size), np.asarray(train_labels)[chunk],
                               epochs=1, batch_size=batch_size, verbose=0)
        return base

    settings = {"weights": weights, "image_size": image_size, "epochs": epochs, "batch_size": batch_size, "seed": seed}
    return _cached_network("vgg16_finetuned", train_images, train_labels, settings, cache_dir, train)[0]


def _vgg_input(images: np.ndarray, image_size: int) -> np.ndarray:
    return keras.applications.vgg16.preprocess_input(grey_to_rgb_batch(images, image_size))


def _vgg_features(model: keras.Model, images: np.ndarray, image_size: int, batch_size: int = 256) -> np.ndarray:
    return np.concatenate([keras.ops.convert_to_numpy(model(_vgg_input(images[i:i + batch_size], image_size),
                                                            training=False))
                           for i in range(0, len(images), batch_size)]).astype(np.float32)


def catalog_features(model: keras.Model, images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(embedding (n, 64), predicted category (n,)) of photos (n, 28, 28) from a `build_catalog_cnn` network."""
    both = keras.Model(model.input, [model.get_layer("embedding").output, model.output])
    parts = [both(images[i:i + 1024, ..., None], training=False) for i in range(0, len(images), 1024)]
    embedding = np.concatenate([keras.ops.convert_to_numpy(e) for e, _ in parts]).astype(np.float32)
    predicted = np.concatenate([keras.ops.convert_to_numpy(p).argmax(axis=1) for _, p in parts])
    return embedding, predicted


def encode_images(images: np.ndarray, encoder: str, *, labels: np.ndarray | None = None,
                  train_split: tuple[np.ndarray, np.ndarray] | None = None, image_size: int = 32, seed: int = 0,
                  epochs: int = 2, cache_dir: Path | None = CACHE_DIR) -> EncodedImages:
    """Features of photos (n, 28, 28) from the encoder named `encoder` (see the module docstring).

    labels (n,): the photos' categories, for the held-out accuracy of trained encoders. train_split:
    (images, labels) of the Fashion-MNIST train split, needed by "catalog-pretrained" and "vgg16-finetuned".
    """
    spec = parse_image_encoder(encoder)
    if spec.kind in {"catalog-pretrained", "vgg16-finetuned"} and train_split is None:
        raise ValueError(f"image_encoder {encoder!r} trains on the Fashion-MNIST train split: pass train_split")
    if spec.kind == "vgg16-random":
        features, used = vgg16_features(images, image_size=image_size, weights="none", seed=seed,
                                        cache_dir=cache_dir)
        return EncodedImages(features, encoder, f"VGG16, {weights_note(used, seed)}")
    if spec.kind == "vgg16-imagenet":
        features, used = vgg16_features(images, image_size=image_size, weights=spec.path or "imagenet",
                                        seed=seed, cache_dir=cache_dir)
        return EncodedImages(features, encoder, f"VGG16, {weights_note(used, seed)}")
    if spec.kind == "catalog-pretrained":
        encoder_dir = CATALOG_ENCODER_DIR if cache_dir == CACHE_DIR else cache_dir  # the default: the committed one
        model, _ = train_catalog_cnn(*train_split, epochs=epochs, seed=seed, cache_dir=encoder_dir)
        features, predicted = catalog_features(model, images)
        accuracy = None if labels is None else float(np.mean(predicted == labels))
        return EncodedImages(features, encoder, f"catalogue-pretrained CNN ({len(train_split[0]):,} train photos)",
                             accuracy)
    model = finetune_vgg16(*train_split, image_size=image_size, weights=spec.path or "none", epochs=epochs,
                           seed=seed, cache_dir=cache_dir)
    start = "ImageNet" if spec.path else f"seeded random (seed {seed})"
    return EncodedImages(_vgg_features(model, images, image_size), encoder,
                         f"VGG16 fine-tuned on {len(train_split[0]):,} train photos from {start} weights")


def linear_probe_correct(features: np.ndarray, labels: np.ndarray, *, folds: int = 5) -> np.ndarray:
    """(n,) bool: whether a standardised logistic regression trained on the other `folds` - 1 folds (stratified,
    unshuffled) predicts each row's label from `features`: how much category information a representation
    carries in linearly readable form, row by row (for paired intervals between representations)."""
    probe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    with single_threaded():  # repeatable last digits, and no thread spinning on shared cores
        return cross_val_predict(probe, features, labels, cv=folds) == np.asarray(labels)


def linear_probe_accuracy(features: np.ndarray, labels: np.ndarray, *, folds: int = 5) -> float:
    """Out-of-fold accuracy of the linear probe (the mean of linear_probe_correct)."""
    return float(np.mean(linear_probe_correct(features, labels, folds=folds)))
