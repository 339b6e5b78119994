"""The user-interest click model: padded history positions are ignored, one encoder and one scorer serve the
candidate and the history, the surprise pooling is what its formula says, save/reload."""

import keras
import numpy as np
import pytest

from rec_utils.features.attributes import ItemTables
from rec_utils.models.click_model import predict
from rec_utils.models.interest import build_interest_model
from rec_utils.models.interest_layers import SurprisePooling

RNG = np.random.default_rng(0)
TABLES = ItemTables(RNG.integers(0, 12, (30, 4)).astype("int32"), RNG.standard_normal((30, 6)).astype("float32"),
                    RNG.standard_normal((30, 3)).astype("float32"))


def batch(items, clicked=None, query=None):
    items = np.asarray(items, dtype="int32")
    clicked = np.where(items >= 0, 1, 0) if clicked is None else np.asarray(clicked)
    query = np.where(items >= 0, 3, 0) if query is None else np.asarray(query)
    return {"query_tokens": np.tile(np.array([[2, 3, 0]], "int32"), (len(items), 1)),
            "item_id": np.arange(5, 5 + len(items), dtype="int32"), "cross_id": np.full(len(items), 7, "int32"),
            "history_items": items, "history_clicked": clicked.astype("int32"), "history_query": query.astype("int32"),
            "history_cross": np.where(items >= 0, 31, 0).astype("int32")}


def model(history_len=4, **kwargs):
    keras.utils.set_random_seed(1)
    return build_interest_model(TABLES, vocab_size=12, query_len=3, n_classes=10, history_len=history_len, **kwargs)


@pytest.mark.parametrize("pooling", ["attention", "sum"])
def test_padded_positions_are_ignored(pooling):
    padded = model(4, pooling=pooling)
    short = model(2, pooling=pooling)
    short.set_weights(padded.get_weights())  # no weight depends on the history length
    with_padding = predict(padded, batch([[1, 2, -1, -1], [7, -1, -1, -1]], clicked=[[1, 0, 1, 1], [0, 1, 1, 0]]))
    without = predict(short, batch([[1, 2], [7, -1]], clicked=[[1, 0], [0, 1]]))
    np.testing.assert_allclose(with_padding, without, rtol=1e-5)
    moved = predict(padded, batch([[-1, 2, -1, 1], [-1, -1, 7, -1]], clicked=[[0, 0, 1, 1], [1, 1, 0, 1]]))
    np.testing.assert_allclose(with_padding, moved, rtol=1e-5)  # padding anywhere (any values there), order free
    skipped = predict(padded, batch([[1, 2, -1, -1], [7, -1, -1, -1]], clicked=[[0, 0, 0, 0], [1, 0, 0, 0]]))
    assert np.abs(skipped - with_padding).min() > 1e-7  # a click and a skip of the same item say different things


def test_surprise_pooling_by_hand():
    history = np.array([[[1.0, 0.0], [0.0, 2.0], [5.0, 5.0]]], "float32")
    logits = np.array([[0.0, np.log(3.0), 9.0]], "float32")  # p̂ = 1/2, 3/4; the third position is padding
    clicked, mask = np.array([[1, 0, 1]]), np.array([[True, True, False]])
    u, evidence, count = (keras.ops.convert_to_numpy(t) for t in
                          SurprisePooling(attention=False)(history, history[:, 0], logits, clicked, mask))
    information = 0.5 * 0.5 + 0.75 * 0.25
    np.testing.assert_allclose(evidence, [[information]], rtol=1e-6)
    np.testing.assert_allclose(u, [[0.5 / (1 + information), -0.75 * 2 / (1 + information)]], rtol=1e-6)
    np.testing.assert_allclose(count, [[np.log(3.0)]], rtol=1e-6)
    empty = SurprisePooling(attention=True)(history, history[:, 0], logits, clicked, np.zeros((1, 3), bool))
    for pooled in empty[:2]:
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(pooled), 0)  # no history pools to zeros


def test_the_candidate_and_the_history_share_one_encoder():
    m = model()
    encoder = m.get_layer("item_encoder")
    out = encoder({"item_id": np.array([4], "int32"), "history_items": np.array([[4, -1, -1, -1]], "int32")})
    np.testing.assert_allclose(keras.ops.convert_to_numpy(out["candidate"])[0],
                               keras.ops.convert_to_numpy(out["history"])[0, 0], rtol=1e-6)


def test_no_history_variant_and_save_reload(tmp_path):
    m = model(history=False, use_image=False)
    assert set(m.input) == {"item_id", "query_tokens", "cross_id"}
    m.fit({k: v for k, v in batch([[1, 2, -1, -1]] * 8).items() if not k.startswith("history")}, np.ones(8),
          verbose=0)
    without_text = model(use_text=False)
    assert set(without_text.input) == {"item_id", "history_items", "history_clicked"}
    full = model()
    full.fit(batch([[1, 2, -1, -1]] * 8), np.ones(8), verbose=0)
    full.save(tmp_path / "interest.keras")
    reloaded = keras.saving.load_model(tmp_path / "interest.keras")
    b = batch([[1, 2, -1, -1], [3, -1, -1, -1]])
    np.testing.assert_allclose(predict(reloaded, b), predict(full, b), rtol=1e-6)


def test_invalid_configurations_are_refused():
    with pytest.raises(ValueError, match="at least one"):
        build_interest_model(TABLES, use_text=False, use_image=False, use_attributes=False, use_item_id=False)
    with pytest.raises(ValueError, match="pooling must be"):
        build_interest_model(TABLES, vocab_size=12, pooling="max")
    with pytest.raises(ValueError, match="vocab_size"):
        build_interest_model(TABLES, history=False)
