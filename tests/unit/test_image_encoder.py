"""Image encoders: explicit names, named errors, checksum-keyed caches, and a pretrained encoder that knows products."""

import shutil

import keras
import numpy as np
import pytest

import rec_utils.features.images as images_module
from rec_utils.data.fashion import load_fashion_mnist
from rec_utils.features.image_encoder import (
    CATALOG_ENCODER_DIR,
    ImageEncoderError,
    build_catalog_cnn,
    catalog_features,
    encode_images,
    finetune_vgg16,
    linear_probe_accuracy,
    parse_image_encoder,
    train_catalog_cnn,
)
from rec_utils.features.images import ImageNetWeightsUnavailableError, vgg16_features
from rec_utils.runtime.device import keras_backend


@pytest.fixture(scope="module")
def photos():
    train_images, train_labels, _ = load_fashion_mnist("train")
    test_images, test_labels, _ = load_fashion_mnist("test")
    return train_images, train_labels, test_images, test_labels


def test_encoder_names():
    assert parse_image_encoder("catalog-pretrained").kind == "catalog-pretrained"
    spec = parse_image_encoder("vgg16-imagenet:/weights/vgg16.h5")
    assert (spec.kind, spec.path) == ("vgg16-imagenet", "/weights/vgg16.h5")
    for bad in ("vgg16", "imagenet", "catalog-pretrained:/x", ""):
        with pytest.raises(ImageEncoderError):
            parse_image_encoder(bad)


def test_default_vgg16_weights_never_ask_for_imagenet(monkeypatch, photos):
    real = keras.applications.VGG16

    def offline_vgg16(*args, weights=None, **kwargs):
        if weights is not None:
            raise AssertionError(f"the default asked for weights={weights!r}")
        return real(*args, weights=None, **kwargs)

    monkeypatch.setattr(keras.applications, "VGG16", offline_vgg16)
    features, used = vgg16_features(photos[2][:2], cache_dir=None, show_progress=False)
    assert used == "random" and features.shape == (2, 512)


def test_unavailable_imagenet_weights_are_a_named_error(monkeypatch, tmp_path, photos):
    def failing_download(*args, weights=None, **kwargs):
        if weights == "imagenet":
            print("Downloading data from https://example.invalid/vgg16.h5")
            raise Exception("URL fetch failure")
        return keras.applications.vgg16.VGG16(*args, weights=weights, **kwargs)

    monkeypatch.setattr(images_module.keras.applications, "VGG16", failing_download)
    with pytest.raises(ImageNetWeightsUnavailableError, match="could not be downloaded"):
        encode_images(photos[2][:2], "vgg16-imagenet", cache_dir=None)
    with pytest.raises(ImageNetWeightsUnavailableError, match="no weights file"):
        encode_images(photos[2][:2], f"vgg16-imagenet:{tmp_path / 'missing.h5'}", cache_dir=None)


def test_feature_cache_is_keyed_by_backend_and_rebuilt_when_damaged(tmp_path, photos, capsys):
    first, _ = vgg16_features(photos[2][:3], weights="none", seed=1, cache_dir=tmp_path, show_progress=False)
    (cache,) = tmp_path.glob("vgg16_random1_*.npy")
    assert f"_{keras_backend()}_" in cache.name
    cache.write_bytes(b"truncated")
    again, _ = vgg16_features(photos[2][:3], weights="none", seed=1, cache_dir=tmp_path, show_progress=False)
    np.testing.assert_array_equal(first, again)
    assert "VGG16 feature cache vgg16_random1_" in capsys.readouterr().out  # one line says why: its checksum


def test_trained_encoder_is_cached_by_checksum(tmp_path, photos):
    train = (photos[0][:256], photos[1][:256])
    model, cached = train_catalog_cnn(*train, epochs=1, batch_size=128, seed=0, cache_dir=tmp_path)
    again, cached_again = train_catalog_cnn(*train, epochs=1, batch_size=128, seed=0, cache_dir=tmp_path)
    assert (cached, cached_again) == (False, True)
    np.testing.assert_allclose(catalog_features(model, photos[2][:5])[0], catalog_features(again, photos[2][:5])[0],
                               rtol=1e-6)
    _, other = train_catalog_cnn(photos[0][:128], photos[1][:128], epochs=1, batch_size=128, cache_dir=tmp_path)
    assert not other and len(list(tmp_path.glob("catalog_cnn_*.keras"))) == 2


@pytest.mark.slow
def test_the_committed_encoder_beats_the_same_network_with_random_weights(tmp_path, photos):
    """The encoder notebooks 05 and 06 read (notebook 05's settings: 2 epochs on the 60,000 train photos, seed 42),
    loaded from a copy of data/trained/05_feature_extraction/ (a stale one is trained again into the copy, never into
    the repository): 3 points of held-out linear-probe accuracy above the random network at least."""
    train_images, train_labels, test_images, test_labels = photos
    for path in CATALOG_ENCODER_DIR.glob("catalog_cnn_*"):
        shutil.copy(path, tmp_path)
    trained, _ = train_catalog_cnn(train_images, train_labels, epochs=2, seed=42, cache_dir=tmp_path)
    held_out, labels = test_images[:2000], test_labels[:2000]
    pretrained = linear_probe_accuracy(catalog_features(trained, held_out)[0], labels)
    random = linear_probe_accuracy(catalog_features(build_catalog_cnn(seed=42), held_out)[0], labels)
    assert pretrained > random + 0.03
    assert np.mean(catalog_features(trained, held_out)[1] == labels) > 0.5  # the head itself: 5x chance (0.1)


@pytest.mark.slow
def test_vgg16_fine_tuning_runs_and_changes_the_features(tmp_path, photos):
    train = (photos[0][:64], photos[1][:64])
    tuned = finetune_vgg16(*train, image_size=32, epochs=1, cache_dir=tmp_path)
    encoded = encode_images(photos[2][:4], "vgg16-finetuned", train_split=train, epochs=1, cache_dir=tmp_path)
    assert encoded.features.shape == (4, 512) and "fine-tuned" in encoded.label
    start, _ = vgg16_features(photos[2][:4], weights="none", cache_dir=None, show_progress=False)
    assert not np.allclose(encoded.features, start)
    assert tuned.output_shape == (None, 512)
    assert len(list(tmp_path.glob("vgg16_finetuned_*.keras"))) == 1  # the second call loaded the first's network
