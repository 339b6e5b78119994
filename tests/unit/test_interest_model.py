"""The history-aware click model: padded history positions are ignored, the encoder is shared, save/reload."""

import keras
import numpy as np
import pytest

from rec_utils.features.attributes import ItemTables
from rec_utils.models.click_model import predict
from rec_utils.models.interest import build_interest_model

RNG = np.random.default_rng(0)
TABLES = ItemTables(RNG.integers(0, 12, (30, 4)).astype("int32"), RNG.standard_normal((30, 6)).astype("float32"),
                    RNG.standard_normal((30, 3)).astype("float32"))


def batch(history):
    history = np.asarray(history, dtype="int32")
    return {"query_tokens": np.tile(np.array([[2, 3, 0]], "int32"), (len(history), 1)),
            "item_id": np.arange(5, 5 + len(history), dtype="int32"), "history_items": history}


def model(history="attention", history_len=4, **kwargs):
    keras.utils.set_random_seed(1)
    return build_interest_model(TABLES, vocab_size=12, query_len=3, history=history, history_len=history_len,
                                **kwargs)


@pytest.mark.parametrize("pooling", ["attention", "mean"])
def test_padded_positions_are_ignored(pooling):
    padded = model(pooling, history_len=4)
    short = model(pooling, history_len=2)
    short.set_weights(padded.get_weights())  # no weight depends on the history length
    with_padding = predict(padded, batch([[1, 2, -1, -1], [7, -1, -1, -1]]))
    without = predict(short, batch([[1, 2], [7, -1]]))
    np.testing.assert_allclose(with_padding, without, rtol=1e-6)
    moved = predict(padded, batch([[-1, 2, -1, 1], [-1, -1, 7, -1]]))  # padding anywhere, order irrelevant
    np.testing.assert_allclose(with_padding, moved, rtol=1e-6)
    longer = predict(padded, batch([[1, 2, 9, -1], [7, 3, -1, -1]]))  # a real item does change the prediction
    assert np.abs(longer - with_padding).min() > 1e-6


def test_attention_of_an_empty_history_is_zero():
    m = model("attention")
    interest = keras.Model(m.input, m.get_layer("interest_attention").output)
    out = keras.ops.convert_to_numpy(interest(batch([[-1, -1, -1, -1], [4, -1, -1, -1]])))
    np.testing.assert_array_equal(out[0], 0)
    assert np.abs(out[1]).sum() > 0


def test_the_candidate_and_the_history_share_one_encoder():
    m = model("mean")
    # an item's own vector pooled alone equals the candidate vector of the same item
    encoder = m.get_layer("item_encoder")
    b = {"item_id": np.array([4], "int32"), "history_items": np.array([[4, -1, -1, -1]], "int32"),
         "query_tokens": np.array([[2, 0, 0]], "int32")}
    candidate, history, _ = (keras.ops.convert_to_numpy(t) for t in encoder(b))
    np.testing.assert_allclose(candidate[0], history[0, 0], rtol=1e-6)


def test_no_history_variant_and_save_reload(tmp_path):
    m = model(None, use_image=False)
    assert set(m.input) == {"item_id", "query_tokens"}
    m.fit({k: v for k, v in batch([[1, 2, -1, -1]] * 8).items() if k != "history_items"}, np.ones(8), verbose=0)
    full = model("attention")
    full.fit(batch([[1, 2, -1, -1]] * 8), np.ones(8), verbose=0)
    full.save(tmp_path / "interest.keras")
    reloaded = keras.saving.load_model(tmp_path / "interest.keras")
    b = batch([[1, 2, -1, -1], [3, -1, -1, -1]])
    np.testing.assert_allclose(predict(reloaded, b), predict(full, b), rtol=1e-6)


def test_invalid_configurations_are_refused():
    with pytest.raises(ValueError, match="at least one"):
        build_interest_model(TABLES, use_text=False, use_image=False, use_attributes=False)
    with pytest.raises(ValueError, match="history must be"):
        build_interest_model(TABLES, vocab_size=12, history="max")
    with pytest.raises(ValueError, match="vocab_size"):
        build_interest_model(TABLES, history=None)
