"""Feature shapes and the click model's inputs/outputs on tiny batches (TensorFlow backend on CPU)."""

import gzip

import keras
import numpy as np
import pandas as pd
import pytest

from rec_utils.data.fashion import CLASS_NAMES, load_fashion_mnist, read_idx
from rec_utils.data.split import split_groups
from rec_utils.evaluation.probability import metrics_table
from rec_utils.features.attributes import click_model_inputs, encode_attributes
from rec_utils.features.images import load_vgg16, vgg16_features
from rec_utils.features.text import Tokenizer, join_text_columns
from rec_utils.models.click_model import build_click_model, predict, select_inputs, summary_text
from rec_utils.runtime.device import keras_backend


def test_fashion_mnist_shipped_test_split():
    images, labels, source = load_fashion_mnist("test", source="repo")
    assert images.shape == (10_000, 28, 28) and labels.shape == (10_000,) and source == "repo"
    assert set(np.unique(labels)) == set(range(len(CLASS_NAMES)))
    with pytest.raises(ValueError):
        load_fashion_mnist("validation")


def test_read_idx_rejects_other_files(tmp_path):
    path = tmp_path / "bad.gz"
    with gzip.open(path, "wb") as fh:
        fh.write((0x0D03).to_bytes(4, "big") + b"\0" * 16)
    with pytest.raises(ValueError, match="not an unsigned-byte IDX"):
        read_idx(path)


def test_join_text_columns_makes_one_document_per_row():
    frame = pd.DataFrame({"q": ["shoes", None], "t": ["red sneaker", "bag"]})
    assert join_text_columns(frame, ["q", "t"]).tolist() == ["shoes red sneaker", " bag"]
    with pytest.raises(KeyError, match="nope"):
        join_text_columns(frame, ["q", "nope"])


def test_tokenizer_ids_padding_and_unknown_words():
    tok = Tokenizer.fit(pd.Series(["red shoes", "red bag", "blue bag"]), max_len=3)
    assert tok.vocabulary == {"bag": 2, "red": 3, "blue": 4, "shoes": 5}
    np.testing.assert_array_equal(tok.transform(pd.Series(["red pink bag shoes", ""])), [[3, 1, 2], [0, 0, 0]])
    assert tok.size == 6


def test_vgg16_features_shape_and_cache(tmp_path):
    images = load_fashion_mnist("test")[0][:3]
    features, used = vgg16_features(images, image_size=32, weights="none", cache_dir=tmp_path, show_progress=False)
    assert features.shape == (3, 512) and features.dtype == np.float32 and used == "random"
    assert len(list(tmp_path.glob(f"vgg16_random0_{keras_backend()}_32px_*.npy"))) == 1
    again, _ = vgg16_features(images, image_size=32, weights="none", cache_dir=tmp_path)
    np.testing.assert_array_equal(features, again)
    with pytest.raises(ValueError, match="at least 32"):
        vgg16_features(images, image_size=28, weights="none", cache_dir=None)
    with pytest.raises(FileNotFoundError, match="no weights file"):
        vgg16_features(images, image_size=32, weights=str(tmp_path / "missing.h5"), cache_dir=None)


def test_attributes_encoding():
    attrs, (mean, std) = encode_attributes(np.array([10.0, 100.0]), np.array([0, 2]), 3)
    assert attrs.shape == (2, 4)
    np.testing.assert_allclose(attrs[:, 0], [-1, 1])
    np.testing.assert_array_equal(attrs[:, 1:], [[1, 0, 0], [0, 0, 1]])
    with pytest.raises(ValueError, match="positive"):
        encode_attributes(np.array([0.0]), np.array([0]), 3)


@pytest.mark.parametrize(
    "sizes,expected_inputs",
    [
        (
            dict(vocab_size=20, image_dim=16, n_attributes=5),
            {"query_tokens", "title_tokens", "image_features", "attributes"},
        ),
        (dict(vocab_size=20, use_query=False), {"title_tokens"}),
        (dict(image_dim=16), {"image_features"}),
    ],
)
def test_click_model_inputs_and_output_shape(sizes, expected_inputs):
    model = build_click_model(max_len=4, **sizes)
    assert set(model.input) == expected_inputs
    rng = np.random.default_rng(0)
    batch = {
        "query_tokens": rng.integers(0, 20, (3, 4)).astype("int32"),
        "title_tokens": rng.integers(0, 20, (3, 4)).astype("int32"),
        "image_features": rng.standard_normal((3, 16)).astype("float32"),
        "attributes": rng.standard_normal((3, 5)).astype("float32"),
    }
    assert set(select_inputs(model, batch)) == expected_inputs
    out = model(select_inputs(model, batch))
    assert tuple(out.shape) == (3, 1)
    p = predict(model, batch)
    assert p.shape == (3,) and ((p > 0) & (p < 1)).all()
    assert "Total params" in summary_text(model)


def test_click_model_needs_a_tower():
    with pytest.raises(ValueError, match="at least one tower"):
        build_click_model()


def test_padding_does_not_change_the_text_embedding():
    padded = build_click_model(vocab_size=10, max_len=4, use_query=False)
    short = build_click_model(vocab_size=10, max_len=2, use_query=False)
    short.set_weights(padded.get_weights())  # no weight depends on max_len
    a = predict(padded, {"title_tokens": np.array([[3, 4, 0, 0]], dtype="int32")})
    b = predict(short, {"title_tokens": np.array([[3, 4]], dtype="int32")})
    c = predict(padded, {"title_tokens": np.array([[0, 4, 0, 3]], dtype="int32")})  # order inside a bag is irrelevant
    d = predict(padded, {"title_tokens": np.array([[3, 4, 5, 0]], dtype="int32")})  # a real word is not padding
    np.testing.assert_allclose(a, b, rtol=1e-6)
    np.testing.assert_allclose(a, c, rtol=1e-6)
    assert abs(float(a[0] - d[0])) > 1e-6


def test_click_model_inputs_from_impressions():
    impressions = pd.DataFrame(
        {"search_keywords": ["shoes", "bag"], "product_description": ["red shoes", "bag"], "item_id": [1, 0]}
    )
    tok = Tokenizer.fit(pd.Series(["red shoes bag"]), max_len=3)
    inputs = click_model_inputs(impressions, tok, np.arange(4, dtype=float).reshape(2, 2), np.eye(2))
    np.testing.assert_array_equal(inputs["image_features"], [[2, 3], [0, 1]])
    assert inputs["query_tokens"].shape == (2, 3)


def test_resampling_whole_users_widens_the_interval_of_correlated_rows():
    rng = np.random.default_rng(0)
    y = np.repeat(rng.integers(0, 2, 100), 10)  # each user's 10 rows are copies: 100 independent observations
    p = np.clip(y * 0.3 + np.repeat(rng.random(100), 10) * 0.7, 0.01, 0.99)
    groups = np.repeat(np.arange(100), 10)
    rows = metrics_table(y, {"m": p}, n_boot=100)
    users = metrics_table(y, {"m": p}, n_boot=100, groups=groups)
    width = {name: t.loc["m", "ROC-AUC high"] - t.loc["m", "ROC-AUC low"] for name, t in (("rows", rows),
                                                                                      ("users", users))}
    assert width["users"] > 2 * width["rows"]  # about sqrt(10) wider: rows of one user are not independent


def test_split_groups_assigns_whole_groups():
    groups = np.repeat(np.arange(10), 3)
    masks = split_groups(groups, (0.6, 0.2, 0.2), seed=0)
    assert sum(m.sum() for m in masks) == 30
    assert [len(np.unique(groups[m])) for m in masks] == [6, 2, 2]
    with pytest.raises(ValueError):
        split_groups(groups, (0.5, 0.2))


def test_fine_tuning_block5_starts_from_vgg16_and_matches_the_pooled_features(tmp_path):
    images = load_fashion_mnist("test")[0][:4]
    block4, _ = vgg16_features(images, weights="none", layer="block4_pool", cache_dir=None, show_progress=False)
    pooled, _ = vgg16_features(images, weights="none", cache_dir=None, show_progress=False)
    assert block4.shape == (4, 2, 2, 512)
    vgg, _ = load_vgg16("none", 32)
    model = build_click_model(block4_table=block4, vgg=vgg, n_attributes=2)
    assert set(model.input) == {"item_id", "attributes"}
    # the copied block 5 + global pooling reproduces the frozen VGG16 features exactly
    image_part = keras.Model(model.input["item_id"], model.get_layer("finetune_pool").output)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(image_part(np.arange(4, dtype="int32"))), pooled, rtol=1e-5, atol=1e-5
    )
    assert (
        model.get_layer("finetune_block5_conv1").trainable_weights
        and not model.get_layer("block4_maps").trainable_weights
    )
    batch = {"item_id": np.array([3, 0], dtype="int32"), "attributes": np.zeros((2, 2), dtype="float32")}
    model.save(tmp_path / "m.keras")
    np.testing.assert_allclose(
        predict(keras.saving.load_model(tmp_path / "m.keras", compile=False), batch), predict(model, batch)
    )
    with pytest.raises(ValueError, match="needs the VGG16 model"):
        build_click_model(block4_table=block4)
