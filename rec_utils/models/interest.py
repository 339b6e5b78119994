"""A click model with a user-interest tower (Deep Interest Network style), backend-agnostic Keras 3.

Inputs, one row per impression:
    query_tokens    int (batch, max_len), 0 = padding          (when the text tower is on)
    item_id         int (batch,)                               the candidate item
    history_items   int (batch, N), -1 = padding               the user's earlier clicks (when history is on)

One item encoder, shared by the candidate and every history item, looks the item's title tokens, image
features and attributes up in tables stored in the model (`ItemTables`) and maps them to a vector v (units,):
title words embedded and mean-pooled, image features and attributes through dense layers, concatenated and
projected. The interest tower pools the history vectors h_1..h_N into one vector u:

    attention (DIN)   a_n = w · relu(W [h_n, v, h_n − v, h_n ⊙ v])  scored against the candidate v,
                      u = Σ_n softmax(a)_n h_n over real positions only (padded positions get weight 0)
    mean              u = mean of the real h_n
    both              u = 0 for an empty history

The MLP reads [v, q, q ⊙ v, u, u ⊙ v] (q the query vector; parts present as configured) and ends in a sigmoid.
"""

from __future__ import annotations

import keras
from keras import layers, ops

from rec_utils.features.attributes import ItemTables
from rec_utils.features.history import PADDING
from rec_utils.models.click_model import click_head

POOLINGS = ("attention", "mean")


@keras.saving.register_keras_serializable(package="rec_utils")
class HistoryMask(layers.Layer):
    """True at the real positions of a padded history: ids (batch, N) -> bool (batch, N)."""

    def call(self, history_ids):
        return ops.not_equal(ops.cast(history_ids, "int32"), PADDING)


@keras.saving.register_keras_serializable(package="rec_utils")
class MaskedHistoryMean(layers.Layer):
    """Mean of history vectors over real positions: (batch, N, d), mask (batch, N) -> (batch, d); zeros if none."""

    def call(self, history, mask):
        weights = ops.cast(mask, history.dtype)[..., None]
        return ops.sum(history * weights, axis=1) / ops.maximum(ops.sum(weights, axis=1), 1.0)


@keras.saving.register_keras_serializable(package="rec_utils")
class InterestAttention(layers.Layer):
    """DIN attention pooling of history vectors against the candidate.

    history (batch, N, d), candidate (batch, d), mask (batch, N) bool -> (batch, d). Scores come from a
    small MLP over [h, v, h − v, h ⊙ v]; the softmax runs in float32 over real positions only, so padded
    positions get exactly zero weight and an all-padding row pools to zeros.
    """

    def __init__(self, units: int = 32, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.hidden = layers.Dense(units, activation="relu", name="hidden")
        self.score = layers.Dense(1, name="score")

    def build(self, history_shape, candidate_shape=None, mask_shape=None):
        self.hidden.build((*history_shape[:-1], 4 * history_shape[-1]))
        self.score.build((*history_shape[:-1], self.units))

    def call(self, history, candidate, mask):
        repeated = ops.broadcast_to(ops.expand_dims(candidate, 1), ops.shape(history))
        features = ops.concatenate([history, repeated, history - repeated, history * repeated], axis=-1)
        scores = ops.cast(ops.squeeze(self.score(self.hidden(features)), axis=-1), "float32")
        real = ops.cast(mask, "float32")
        scores = ops.where(mask, scores, ops.full_like(scores, -1e9))
        weights = ops.softmax(scores, axis=-1) * real
        weights = weights / ops.maximum(ops.sum(weights, axis=-1, keepdims=True), 1e-9)
        return ops.sum(ops.cast(weights, history.dtype)[..., None] * history, axis=1)

    def get_config(self):
        return {**super().get_config(), "units": self.units}


@keras.saving.register_keras_serializable(package="rec_utils")
class ItemEncoder(layers.Layer):
    """Encodes every catalogue item once per call and gathers the candidate's and the history's vectors.

    Holds the catalogue's item tables (non-trainable, saved with the model) and the shared encoder: title words
    embedded and mean-pooled, image features and attributes through dense layers, concatenated and projected
    to `units`. call({"item_id": (batch,), ["history_items": (batch, N)], ["query_tokens": (batch, L)]})
    returns [candidate (batch, units), history (batch, N, units) if given, query words (batch, text_dim) if
    given]: the candidate and history items go through the same weights, and the query through the same word
    embedding as the titles. Encoding the n_items rows once costs less than encoding batch × (N + 1) rows.
    """

    def __init__(self, tables_shapes: dict, vocab_size: int = 0, use_text: bool = True, use_image: bool = True,
                 use_attributes: bool = True, text_dim: int = 16, units: int = 32, **kwargs):
        super().__init__(**kwargs)
        self.tables_shapes = {k: tuple(v) for k, v in tables_shapes.items()}
        self.vocab_size, self.text_dim, self.units = vocab_size, text_dim, units
        self.use_text, self.use_image, self.use_attributes = use_text, use_image, use_attributes
        self.tables, parts = {}, 0
        for name, used in (("title", use_text), ("image", use_image), ("attributes", use_attributes)):
            if used:
                self.tables[name] = self.add_weight(shape=self.tables_shapes[name], initializer="zeros",
                                                    trainable=False, name=f"{name}_table")
        if use_text:
            self.embed = layers.Embedding(vocab_size, text_dim, name="token_embedding")
            parts += text_dim
        if use_image:
            self.image = layers.Dense(units, activation="relu", name="image_dense")
            parts += units
        if use_attributes:
            self.attributes = layers.Dense(max(units // 2, 1), activation="relu", name="attribute_dense")
            parts += max(units // 2, 1)
        self.project = layers.Dense(units, activation="relu", name="item_vector")
        self._parts = parts

    def set_tables(self, tables: ItemTables) -> None:
        """Copy the catalogue's item features into the model."""
        for name, values in (("title", tables.title_tokens), ("image", tables.image_features),
                             ("attributes", tables.attributes)):
            if name in self.tables:
                self.tables[name].assign(ops.cast(values, self.tables[name].dtype))

    def build(self, input_shape):
        if self.use_text:
            self.embed.build((None,))
        if self.use_image:
            self.image.build((None, self.tables_shapes["image"][1]))
        if self.use_attributes:
            self.attributes.build((None, self.tables_shapes["attributes"][1]))
        self.project.build((None, self._parts))

    def _words(self, tokens):
        tokens = ops.cast(tokens, "int32")
        mask = ops.cast(ops.not_equal(tokens, 0), self.compute_dtype)[..., None]
        return ops.sum(self.embed(tokens) * mask, axis=-2) / ops.maximum(ops.sum(mask, axis=-2), 1.0)

    def call(self, inputs):
        parts = []
        if self.use_text:
            parts.append(self._words(self.tables["title"]))
        if self.use_image:
            parts.append(self.image(ops.cast(self.tables["image"], self.compute_dtype)))
        if self.use_attributes:
            parts.append(self.attributes(ops.cast(self.tables["attributes"], self.compute_dtype)))
        vectors = self.project(ops.concatenate(parts, axis=-1) if len(parts) > 1 else parts[0])  # (n_items, units)
        outputs = [ops.take(vectors, ops.cast(inputs["item_id"], "int32"), axis=0)]
        if "history_items" in inputs:
            ids = ops.maximum(ops.cast(inputs["history_items"], "int32"), 0)  # padding reads row 0; masked later
            outputs.append(ops.take(vectors, ids, axis=0))
        if "query_tokens" in inputs:
            outputs.append(self._words(inputs["query_tokens"]))
        return outputs

    def get_config(self):
        return {**super().get_config(), "tables_shapes": self.tables_shapes, "vocab_size": self.vocab_size,
                "use_text": self.use_text, "use_image": self.use_image, "use_attributes": self.use_attributes,
                "text_dim": self.text_dim, "units": self.units}


def build_interest_model(tables: ItemTables, *, vocab_size: int = 0, query_len: int = 8, use_text: bool = True,
                         use_image: bool = True, use_attributes: bool = True, history: str | None = "attention",
                         history_len: int = 10, text_dim: int = 16, units: int = 32,
                         hidden_units: tuple[int, ...] = (64, 32), dropout: float = 0.1, learning_rate: float = 2e-3,
                         name: str = "interest_model") -> keras.Model:
    """The click model of the module docstring with the chosen parts, compiled (Adam, binary cross-entropy).

    tables: the catalogue's per-item features; vocab_size: the tokenizer's size (needed with use_text);
    history: None (no interest tower), "attention" or "mean"; history_len: N, the padded history length.
    At least one of use_text, use_image, use_attributes must be on (the items need a representation).
    """
    if not (use_text or use_image or use_attributes):
        raise ValueError("the item encoder needs at least one of use_text, use_image, use_attributes")
    if history not in (None, *POOLINGS):
        raise ValueError(f"history must be None, 'attention' or 'mean', got {history!r}")
    if use_text and vocab_size < 2:
        raise ValueError("use_text needs the tokenizer's vocab_size")
    shapes = {"title": tables.title_tokens.shape, "image": tables.image_features.shape,
              "attributes": tables.attributes.shape}
    encoder = ItemEncoder(shapes, vocab_size, use_text, use_image, use_attributes, text_dim, units, name="item_encoder")
    inputs = {"item_id": keras.Input((), dtype="int32", name="item_id")}
    if history is not None:
        inputs["history_items"] = keras.Input((history_len,), dtype="int32", name="history_items")
    if use_text:
        inputs["query_tokens"] = keras.Input((query_len,), dtype="int32", name="query_tokens")
    encoded = encoder(inputs)
    encoder.set_tables(tables)
    candidate = encoded[0]
    parts = [candidate]
    if use_text:
        query = layers.Dense(units, activation="relu", name="query_vector")(encoded[-1])
        parts += [query, layers.Multiply(name="query_x_item")([query, candidate])]
    if history is not None:
        mask = HistoryMask(name="history_mask")(inputs["history_items"])
        if history == "attention":
            interest = InterestAttention(units, name="interest_attention")(encoded[1], candidate, mask)
        else:
            interest = MaskedHistoryMean(name="interest_mean")(encoded[1], mask)
        parts += [interest, layers.Multiply(name="interest_x_item")([interest, candidate])]
    x = layers.Concatenate(name="fusion")(parts)
    return click_head(inputs, x, hidden_units=hidden_units, dropout=dropout, name=name, learning_rate=learning_rate)
