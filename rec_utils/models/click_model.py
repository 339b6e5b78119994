"""The article's click model, built so that it runs: backend-agnostic Keras 3 (keras.ops only).

Inputs (each optional, by tower):
    query_tokens, title_tokens  int (batch, max_len), 0 = padding      -> text tower
    image_features              float (batch, image_dim), e.g. VGG16   -> image tower
    item_id                     int (batch,)                           -> image tower that fine-tunes
                                VGG16's block 5 on stored block-4 maps of the catalogue
    attributes                  float (batch, n_attributes)            -> attribute tower
Each tower ends in a rank-2 tensor (batch, units); they are concatenated, passed through an
MLP and a sigmoid: output (batch, 1) = P(click).
"""

from __future__ import annotations

import keras
from keras import layers, ops


@keras.saving.register_keras_serializable(package="rec_utils")
class ItemFeatureLookup(layers.Layer):
    """Looks up a fixed per-item feature array (e.g. VGG16 block-4 maps): ids (batch, ...) -> (batch, ..., *shape).

    The table is a non-trainable weight, so it is saved with the model and lives on the device
    that runs it (no per-impression copies of large image features). Negative ids (padding of a
    history) read row 0: callers mask those positions.
    """

    def __init__(self, table_shape: tuple[int, ...], **kwargs):
        super().__init__(**kwargs)
        self.table_shape = tuple(table_shape)
        self.table = self.add_weight(shape=self.table_shape, initializer="zeros", trainable=False, name="table")

    def call(self, item_ids):
        return ops.take(self.table, ops.maximum(ops.cast(item_ids, "int32"), 0), axis=0)

    def get_config(self):
        return {**super().get_config(), "table_shape": self.table_shape}


@keras.saving.register_keras_serializable(package="rec_utils")
class MaskedMeanPooling(layers.Layer):
    """Mean of token embeddings over non-padding positions: (..., len, dim) -> (..., dim); zeros when all pad."""

    def call(self, embeddings, token_ids):
        mask = ops.cast(ops.not_equal(token_ids, 0), embeddings.dtype)[..., None]
        return ops.sum(embeddings * mask, axis=-2) / ops.maximum(ops.sum(mask, axis=-2), 1.0)


def vgg16_block5(vgg: keras.Model) -> list[layers.Layer]:
    """Trainable copies of VGG16's block 5 (three 3x3 convolutions and the pooling), with its weights."""
    copies = []
    for name in ("block5_conv1", "block5_conv2", "block5_conv3", "block5_pool"):
        original = vgg.get_layer(name)
        copy = original.__class__.from_config({**original.get_config(), "name": f"finetune_{name}", "trainable": True})
        copy.build(original.input.shape)
        copy.set_weights(original.get_weights())
        copies.append(copy)
    return copies


def build_click_model(*, vocab_size: int = 0, max_len: int = 8, image_dim: int = 0, n_attributes: int = 0,
                      block4_table=None, vgg: keras.Model | None = None,
                      use_query: bool = True, text_dim: int = 32, tower_units: int = 32,
                      hidden_units: tuple[int, ...] = (64, 32), dropout: float = 0.1,
                      name: str = "click_model") -> keras.Model:
    """Functional click model with the towers whose sizes are nonzero.

    vocab_size > 0 adds the text tower (title tokens, plus query tokens when `use_query`: the query
    and title embeddings, and their elementwise product, which lets the model match them);
    image_dim > 0 the image tower on precomputed features; n_attributes > 0 the attribute tower.
    Fine-tuning instead: pass `block4_table` (n_items, s, s, 512), the catalogue's VGG16 block-4 maps,
    and the `vgg` they came from; the image tower then takes item_id, looks the maps up, and trains
    a copy of VGG16's block 5 (initialised with its weights) before pooling to 512 features.
    """
    inputs, towers = {}, []
    if vocab_size:
        embed = layers.Embedding(vocab_size, text_dim, name="token_embedding")
        pool = MaskedMeanPooling(name="masked_mean")
        inputs["title_tokens"] = keras.Input((max_len,), dtype="int32", name="title_tokens")
        title = pool(embed(inputs["title_tokens"]), inputs["title_tokens"])
        parts = [title]
        if use_query:
            inputs["query_tokens"] = keras.Input((max_len,), dtype="int32", name="query_tokens")
            query = pool(embed(inputs["query_tokens"]), inputs["query_tokens"])
            parts += [query, layers.Multiply(name="query_x_title")([query, title])]
        text = layers.Concatenate(name="text_parts")(parts) if len(parts) > 1 else parts[0]
        towers.append(layers.Dense(tower_units, activation="relu", name="text_tower")(text))
    if block4_table is not None:
        if vgg is None:
            raise ValueError("fine-tuning block 5 needs the VGG16 model the block-4 maps came from")
        inputs["item_id"] = keras.Input((), dtype="int32", name="item_id")
        lookup = ItemFeatureLookup(block4_table.shape, name="block4_maps")
        x = lookup(inputs["item_id"])
        lookup.table.assign(block4_table)
        for layer in vgg16_block5(vgg):
            x = layer(x)
        image = layers.GlobalAveragePooling2D(name="finetune_pool")(x)
        image = layers.Dense(tower_units * 2, activation="relu", name="image_dense")(image)
        towers.append(layers.Dense(tower_units, activation="relu", name="image_tower")(image))
    elif image_dim:
        inputs["image_features"] = keras.Input((image_dim,), name="image_features")
        image = layers.Dense(tower_units * 2, activation="relu", name="image_dense")(inputs["image_features"])
        towers.append(layers.Dense(tower_units, activation="relu", name="image_tower")(image))
    if n_attributes:
        inputs["attributes"] = keras.Input((n_attributes,), name="attributes")
        towers.append(layers.Dense(tower_units // 2, activation="relu", name="attribute_tower")(inputs["attributes"]))
    if not towers:
        raise ValueError("the model needs at least one tower: set vocab_size, image_dim, block4_table or n_attributes")
    x = layers.Concatenate(name="fusion")(towers) if len(towers) > 1 else towers[0]
    return click_head(inputs, x, hidden_units=hidden_units, dropout=dropout, name=name)


def click_head(inputs: dict, x, *, hidden_units: tuple[int, ...], dropout: float, name: str,
               learning_rate: float = 1e-3) -> keras.Model:
    """The head every click model shares: x (batch, d) -> [Dense(relu) + Dropout] per hidden_units -> sigmoid
    P(click) (batch, 1), as a Keras model on `inputs` compiled with Adam, binary cross-entropy and AUC."""
    for i, units in enumerate(hidden_units):
        x = layers.Dense(units, activation="relu", name=f"mlp_{i}")(x)
        x = layers.Dropout(dropout, name=f"dropout_{i}")(x)
    output = layers.Dense(1, activation="sigmoid", dtype="float32", name="p_click")(x)
    model = keras.Model(inputs=inputs, outputs=output, name=name)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="binary_crossentropy",
                  metrics=[keras.metrics.AUC(name="auc")])
    return model


def train_click_model(model: keras.Model, train_inputs: dict, y_train, val_inputs: dict, y_val, *,
                      epochs: int = 20, batch_size: int = 256, patience: int = 3) -> keras.callbacks.History:
    """Fit with early stopping on validation loss, restoring the best epoch's weights."""
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience, restore_best_weights=True)
    return model.fit(select_inputs(model, train_inputs), y_train,
                     validation_data=(select_inputs(model, val_inputs), y_val),
                     epochs=epochs, batch_size=batch_size, callbacks=[stop], verbose=0, shuffle=True)


def select_inputs(model: keras.Model, inputs: dict) -> dict:
    """The entries of `inputs` that `model` takes (so one dict can feed every ablation variant)."""
    names = list(model.input)  # built from a dict of named inputs
    missing = [n for n in names if n not in inputs]
    if missing:
        raise KeyError(f"model {model.name} needs inputs {missing}")
    return {n: inputs[n] for n in names}


def predict(model: keras.Model, inputs: dict, batch_size: int = 2048):
    """P(click) as a 1-D numpy array."""
    return model.predict(select_inputs(model, inputs), batch_size=batch_size, verbose=0).ravel()


def summary_text(model: keras.Model, line_length: int = 100) -> str:
    """model.summary() as plain text (no terminal colour codes), for notebook outputs."""
    lines = []
    model.summary(line_length=line_length, print_fn=lambda line, line_break=True: lines.append(line))
    return "\n".join(lines)
