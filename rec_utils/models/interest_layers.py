"""The layers of the user-interest click model (rec_utils.models.interest), backend-agnostic Keras 3.

    ItemEncoder       every catalogue item -> a vector v (units,), from its title words, image features, attributes
                      and (optionally) a learned id vector; the candidate and every earlier item share it
    QueryItemScorer   the history-free score of (query, item): deep part on [v, q, q ⊙ v] plus a wide part, one
                      weight per (query word, item class) cross; applied to the candidate and to every earlier
                      impression alike
    SurprisePooling   what the earlier impressions say about the user: each earlier impression's surprise
                      r_n = y_n - p̂_n (clicked minus the history-free probability) weights its item vector,

                          u = Σ_n r_n v_n / (1 + Σ_n p̂_n (1 - p̂_n)),   u_att = Σ_n a_n r_n v_n / (1 + Σ_n p̂_n (1 - p̂_n))

                      with DIN attention a_n = w · relu(W [v_n, v, v_n - v, v_n ⊙ v, r_n, y_n]) scored against the
                      candidate v (Zhou et al. 2018; not normalised by a softmax, as in DIN, so that more evidence
                      weighs more; W's blocks are applied part by part, so v's block runs once per row, not N
                      times). Padded positions count for nothing; an empty history pools to zeros.

The surprise weighting is what a Bayesian would do with a linear taste: a click the history-free model expected says
little about the user, a click it did not expect (or a skip of an item it expected to be clicked) says much, and
the denominator shrinks the estimate while the evidence is thin.
"""

from __future__ import annotations

import keras
from keras import layers, ops, regularizers

from rec_utils.features.attributes import ItemTables


@keras.saving.register_keras_serializable(package="rec_utils")
class ItemEncoder(layers.Layer):
    """Encodes every catalogue item once per call and gathers the candidate's and the history's vectors.

    Holds the catalogue's item tables (non-trainable, saved with the model) and the shared encoder: title words
    embedded and mean-pooled, image features and attributes through dense layers, concatenated and projected to
    `units`, plus a learned vector per item id when `use_item_id`. call({"item_id": (batch,), ["history_items":
    (batch, N)], ["query_tokens": (batch, L)], ["history_query": (batch, N)]}) returns {"candidate": (batch, units),
    "history": (batch, N, units), "query": (batch, text_dim), "history_query": (batch, N, text_dim)} for the inputs
    given: the query words go through the titles' word embedding. Encoding n_items rows once costs less than encoding
    batch × (N + 1) rows.
    """

    def __init__(self, tables_shapes: dict, vocab_size: int = 0, use_text: bool = True, use_image: bool = True,
                 use_attributes: bool = True, use_item_id: bool = False, text_dim: int = 16, units: int = 32,
                 l2: float = 0.0, **kwargs):
        super().__init__(**kwargs)
        self.tables_shapes = {k: tuple(v) for k, v in tables_shapes.items()}
        self.vocab_size, self.text_dim, self.units, self.l2 = vocab_size, text_dim, units, l2
        self.use_text, self.use_image, self.use_attributes = use_text, use_image, use_attributes
        self.use_item_id = use_item_id
        regulariser = regularizers.L2(l2) if l2 else None
        self.tables, parts = {}, 0
        for name, used in (("title", use_text), ("image", use_image), ("attributes", use_attributes)):
            if used:
                self.tables[name] = self.add_weight(shape=self.tables_shapes[name], initializer="zeros",
                                                    trainable=False, name=f"{name}_table")
        if use_text:
            self.embed = layers.Embedding(vocab_size, text_dim, embeddings_regularizer=regulariser,
                                          name="token_embedding")
            parts += text_dim
        if use_image:
            self.image = layers.Dense(units, activation="relu", kernel_regularizer=regulariser, name="image_dense")
            parts += units
        if use_attributes:
            self.attributes = layers.Dense(max(units // 2, 1), activation="relu", kernel_regularizer=regulariser,
                                           name="attribute_dense")
            parts += max(units // 2, 1)
        if use_item_id:
            self.item_id = layers.Embedding(self.tables_shapes["title"][0], units, embeddings_initializer="zeros",
                                            embeddings_regularizer=regulariser, name="item_id_embedding")
        self.project = layers.Dense(units, activation="relu", kernel_regularizer=regulariser, name="item_vector")
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
        if self.use_item_id:
            self.item_id.build((None,))
        self.project.build((None, self._parts))

    def words(self, tokens):
        """Mean of the word embeddings over the real (non-zero) tokens: (..., L) -> (..., text_dim)."""
        tokens = ops.cast(tokens, "int32")
        mask = ops.cast(ops.not_equal(tokens, 0), self.compute_dtype)[..., None]
        return ops.sum(self.embed(tokens) * mask, axis=-2) / ops.maximum(ops.sum(mask, axis=-2), 1.0)

    def call(self, inputs):
        parts = []
        if self.use_text:
            parts.append(self.words(self.tables["title"]))
        if self.use_image:
            parts.append(self.image(ops.cast(self.tables["image"], self.compute_dtype)))
        if self.use_attributes:
            parts.append(self.attributes(ops.cast(self.tables["attributes"], self.compute_dtype)))
        vectors = self.project(ops.concatenate(parts, axis=-1) if len(parts) > 1 else parts[0])  # (n_items, units)
        if self.use_item_id:
            vectors = vectors + self.item_id(ops.arange(self.tables_shapes["title"][0]))
        out = {"candidate": ops.take(vectors, ops.cast(inputs["item_id"], "int32"), axis=0)}
        if "history_items" in inputs:
            ids = ops.maximum(ops.cast(inputs["history_items"], "int32"), 0)  # padding reads row 0; masked later
            out["history"] = ops.take(vectors, ids, axis=0)
        if self.use_text and "query_tokens" in inputs:
            out["query"] = self.words(inputs["query_tokens"])
        if self.use_text and "history_query" in inputs:
            out["history_query"] = self.embed(ops.cast(inputs["history_query"], "int32"))
        return out

    def get_config(self):
        return {**super().get_config(), "tables_shapes": self.tables_shapes, "vocab_size": self.vocab_size,
                "use_text": self.use_text, "use_image": self.use_image, "use_attributes": self.use_attributes,
                "use_item_id": self.use_item_id, "text_dim": self.text_dim, "units": self.units, "l2": self.l2}


@keras.saving.register_keras_serializable(package="rec_utils")
class QueryItemScorer(layers.Layer):
    """History-free logit of (query, item) pairs with any leading shape (...): item vectors v (..., units), query
    word vectors (..., text_dim) or None, cross ids (...) or None -> (logit (...), hidden (..., hidden_units)).

    Deep part: Dense(hidden, relu) on [v, q, q ⊙ v] (q = Dense(units, relu) of the query words; [v] alone without a
    query), then Dense(1). Wide part (with `n_crosses`): one learned weight per (query word, item class) cross id.
    """

    def __init__(self, units: int, hidden_units: int = 64, n_crosses: int = 0, l2: float = 0.0, **kwargs):
        super().__init__(**kwargs)
        self.units, self.hidden_units, self.n_crosses, self.l2 = units, hidden_units, n_crosses, l2
        regulariser = regularizers.L2(l2) if l2 else None
        self.query = layers.Dense(units, activation="relu", kernel_regularizer=regulariser, name="query_vector")
        self.hidden = layers.Dense(hidden_units, activation="relu", kernel_regularizer=regulariser, name="pair_hidden")
        self.logit = layers.Dense(1, name="pair_logit")
        if n_crosses:
            self.wide = layers.Embedding(n_crosses, 1, embeddings_initializer="zeros",
                                         embeddings_regularizer=regulariser, name="query_x_class")

    def build(self, items_shape, query_words_shape=None, cross_ids_shape=None):
        width = items_shape[-1]
        if query_words_shape is not None:
            self.query.build((None, query_words_shape[-1]))
            width = 3 * items_shape[-1]
        self.hidden.build((None, width))
        self.logit.build((None, self.hidden_units))
        if self.n_crosses:
            self.wide.build((None,))

    def call(self, items, query_words=None, cross_ids=None):
        if query_words is None:
            pair = items
        else:
            query = self.query(query_words)
            pair = ops.concatenate([items, query, query * items], axis=-1)
        hidden = self.hidden(pair)
        logit = ops.squeeze(self.logit(hidden), axis=-1)
        if self.n_crosses and cross_ids is not None:
            logit = logit + ops.squeeze(self.wide(ops.cast(cross_ids, "int32")), axis=-1)
        return logit, hidden

    def get_config(self):
        return {**super().get_config(), "units": self.units, "hidden_units": self.hidden_units,
                "n_crosses": self.n_crosses, "l2": self.l2}


@keras.saving.register_keras_serializable(package="rec_utils")
class SurprisePooling(layers.Layer):
    """Pools earlier impressions by their surprise (module docstring): history vectors (batch, N, units), candidate
    (batch, units), earlier logits of the history-free scorer (batch, N), clicked (batch, N) 0/1, mask (batch, N)
    bool -> [u (batch, units), u_att (batch, units) when `attention`, evidence Σ p̂(1-p̂) (batch, 1),
    log(1 + number of earlier impressions) (batch, 1)]. The earlier probabilities are not trained through
    this path (stop-gradient): they come from the scorer the candidate uses."""

    def __init__(self, attention: bool = True, attention_units: int = 16, **kwargs):
        super().__init__(**kwargs)
        self.attention, self.attention_units = attention, attention_units
        if attention:  # DIN's first layer over [v_n, v, v_n - v, v_n ⊙ v, r_n, y_n], split by its inputs
            self.from_history = layers.Dense(attention_units, name="attention_from_history")  # v_n and v_n - v
            self.from_candidate = layers.Dense(attention_units, use_bias=False, name="attention_from_candidate")
            self.from_product = layers.Dense(attention_units, use_bias=False, name="attention_from_product")
            self.from_outcome = layers.Dense(attention_units, use_bias=False, name="attention_from_outcome")
            self.attention_score = layers.Dense(1, name="attention_score")

    def build(self, history_shape, candidate_shape=None, earlier_logits_shape=None, clicked_shape=None,
              mask_shape=None):
        if self.attention:
            for part in (self.from_history, self.from_candidate, self.from_product):
                part.build((None, history_shape[-1]))
            self.from_outcome.build((None, 2))
            self.attention_score.build((None, self.attention_units))

    def call(self, history, candidate, earlier_logits, clicked, mask):
        history = ops.stop_gradient(history)  # item vectors learn from the candidates; no scatter of N gradients
        real = ops.cast(mask, "float32")
        expected = ops.sigmoid(ops.stop_gradient(ops.cast(earlier_logits, "float32")))
        outcome = ops.cast(clicked, "float32") * real
        surprise = (outcome - expected) * real
        evidence = ops.sum(expected * (1.0 - expected) * real, axis=1, keepdims=True)
        weight = ops.cast(surprise / (1.0 + evidence), history.dtype)[..., None]
        pooled = [ops.sum(weight * history, axis=1)]
        if self.attention:
            # W [v_n, v, v_n - v, v_n ⊙ v, r_n, y_n] computed part by part: the candidate's part once per row
            hidden = (self.from_history(history) + ops.expand_dims(self.from_candidate(candidate), 1)
                      + self.from_product(history * ops.expand_dims(candidate, 1))
                      + self.from_outcome(ops.cast(ops.stack([surprise, outcome], axis=-1), history.dtype)))
            score = self.attention_score(ops.relu(hidden))  # (batch, N, 1)
            pooled.append(ops.sum(score * weight * history, axis=1))
        count = ops.log(1.0 + ops.sum(real, axis=1, keepdims=True))
        return [*pooled, ops.cast(evidence, history.dtype), ops.cast(count, history.dtype)]

    def get_config(self):
        return {**super().get_config(), "attention": self.attention, "attention_units": self.attention_units}
