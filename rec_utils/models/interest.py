"""A click model that learns each user's interest from the full behaviour history (Deep Interest Network style, with a
wide part), backend-agnostic Keras 3. The layers are in rec_utils.models.interest_layers.

Inputs, one row per impression (rec_utils.features.attributes.interest_model_inputs builds them):
    item_id          int (batch,)        the candidate item
    query_tokens     int (batch, L)      the search's words, 0 = padding                   (with the text part)
    cross_id         int (batch,)        query word × candidate class, for the wide part  (with the text part)
    history_items    int (batch, N)      earlier impressions' items, -1 = padding          (with history)
    history_clicked  int (batch, N)      whether each was clicked                          (with history)
    history_query    int (batch, N)      the search that showed each                       (with history and text)
    history_cross    int (batch, N)      its query word × item class                       (with history and text)

    logit = s(q, v) + [history] g([u ⊙ v, u_att ⊙ v, h(q, v), evidence, log(1 + N)]) + w · [u ⊙ v, u_att ⊙ v]

s(q, v) is the history-free score (QueryItemScorer: deep part plus one wide weight per query × class cross) and
h(q, v) its hidden layer; u and u_att pool the earlier impressions by their surprise y_n - σ(s(q_n, v_n)), the second
with DIN attention against the candidate (SurprisePooling); g is a small MLP. The same scorer scores the candidate
and the earlier impressions, and one item encoder encodes both. Fed a clicks-only history (every earlier impression a
click, no searches: BehaviourHistory.clicked_only), the same model is the clicked-ids variant.
"""

from __future__ import annotations

import keras
from keras import layers, regularizers

from rec_utils.features.attributes import ItemTables
from rec_utils.features.history import PADDING
from rec_utils.models.interest_layers import ItemEncoder, QueryItemScorer, SurprisePooling

POOLINGS = ("attention", "sum")


@keras.saving.register_keras_serializable(package="rec_utils")
class HistoryMask(layers.Layer):
    """True at the real positions of a padded history: ids (batch, N) -> bool (batch, N)."""

    def call(self, history_ids):
        return keras.ops.not_equal(keras.ops.cast(history_ids, "int32"), PADDING)


def build_interest_model(tables: ItemTables, *, vocab_size: int = 0, query_len: int = 8, n_classes: int = 10,
                         use_text: bool = True, use_image: bool = True, use_attributes: bool = True,
                         use_item_id: bool = True, history: bool = True, pooling: str = "attention",
                         history_len: int = 40, text_dim: int = 16, units: int = 32,
                         hidden_units: tuple[int, int] = (32, 32), attention_units: int = 8, dropout: float = 0.1,
                         l2: float = 1e-5,
                         learning_rate: float = 3e-3, name: str = "interest_model") -> keras.Model:
    """The click model of the module docstring with the chosen parts, compiled (Adam, binary cross-entropy, AUC).

    tables: the catalogue's per-item features; vocab_size: the tokenizer's size (needed with use_text; the wide part
    has vocab_size × n_classes crosses); history: with the interest part; pooling: "attention" (DIN and the plain
    surprise sum) or "sum" (the plain sum alone); history_len: N, the padded history length; hidden_units: the
    widths of the scorer's and the interest head's hidden layers; attention_units: DIN's scoring layer (both run
    at every earlier impression, so they set the cost); l2: weight decay of the embeddings and dense layers. At least
    one of use_text, use_image, use_attributes, use_item_id must be on.
    """
    if not (use_text or use_image or use_attributes or use_item_id):
        raise ValueError("the item encoder needs at least one of use_text, use_image, use_attributes, use_item_id")
    if pooling not in POOLINGS:
        raise ValueError(f"pooling must be one of {POOLINGS}, got {pooling!r}")
    if use_text and vocab_size < 2:
        raise ValueError("use_text needs the tokenizer's vocab_size")
    shapes = {"title": tables.title_tokens.shape, "image": tables.image_features.shape,
              "attributes": tables.attributes.shape}
    encoder = ItemEncoder(shapes, vocab_size, use_text, use_image, use_attributes, use_item_id, text_dim, units, l2,
                          name="item_encoder")
    inputs = {"item_id": keras.Input((), dtype="int32", name="item_id")}
    if use_text:
        inputs["query_tokens"] = keras.Input((query_len,), dtype="int32", name="query_tokens")
        inputs["cross_id"] = keras.Input((), dtype="int32", name="cross_id")
    if history:
        for part in ("history_items", "history_clicked", *(("history_query", "history_cross") if use_text else ())):
            inputs[part] = keras.Input((history_len,), dtype="int32", name=part)
    encoded = encoder(inputs)
    encoder.set_tables(tables)
    scorer = QueryItemScorer(units, hidden_units[0], vocab_size * n_classes if use_text else 0, l2,
                             name="query_item_scorer")
    candidate = encoded["candidate"]
    logit, hidden = scorer(candidate, encoded.get("query"), inputs.get("cross_id"))
    if history:
        earlier_logits, _ = scorer(encoded["history"], encoded.get("history_query"), inputs.get("history_cross"))
        mask = HistoryMask(name="history_mask")(inputs["history_items"])
        *pooled, evidence, count = SurprisePooling(pooling == "attention", attention_units, name="surprise_pooling")(
            encoded["history"], candidate, earlier_logits, inputs["history_clicked"], mask)
        crossed = [layers.Multiply(name=f"interest_x_item_{i}")([u, candidate]) for i, u in enumerate(pooled)]
        crossed = layers.Concatenate(name="interest_crosses")(crossed) if len(crossed) > 1 else crossed[0]
        x = layers.Concatenate(name="interest_features")([crossed, hidden, evidence, count])
        x = layers.Dense(hidden_units[1], activation="relu", kernel_regularizer=regularizers.L2(l2),
                         name="interest_hidden")(x)
        x = layers.Dropout(dropout, name="interest_dropout")(x)
        deep = layers.Dense(1, name="interest_deep")(x)
        linear = layers.Dense(1, use_bias=False, name="interest_linear")(crossed)
        logit = layers.Add(name="logit")([layers.Reshape((1,))(logit), deep, linear])
    else:
        logit = layers.Reshape((1,), name="logit")(logit)
    output = layers.Activation("sigmoid", dtype="float32", name="p_click")(logit)
    model = keras.Model(inputs=inputs, outputs=output, name=name)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="binary_crossentropy",
                  metrics=[keras.metrics.AUC(name="auc")])
    return model
