"""A BERT encoder in backend-agnostic Keras 3 (keras.ops and layers only) that loads Hugging Face BERT
weights by name, with the mean pooling and L2 normalisation of sentence-transformers.

    model = build_bert(config)           # config: the checkpoint's config.json as a dict
    load_bert_weights(model, tensors)    # tensors: {name: numpy array}, e.g. from model.safetensors
    model({"token_ids": ids, "attention_mask": mask})   # (batch, length) int32 -> (batch, hidden) float32

Equations (Devlin et al. 2019, post-layer-norm Transformer of Vaswani et al. 2017), per layer l:
    h_0 = LN(E_word[ids] + E_pos[0..L) + E_type[0])
    a   = LN(h + W_o · concat_heads(softmax(Q Kᵀ / √d_head + b_mask) V)),  Q, K, V = h W_q, h W_k, h W_v
    h'  = LN(a + W_2 · gelu(W_1 a))                                       (gelu with erf, not tanh)
    sentence = normalise(Σ_t m_t h_t / max(Σ_t m_t, 1e-9)),  m = attention mask, b_mask = -1e9 where m = 0
Dense kernels are stored (in, out); the checkpoint's torch Linear weights are (out, in) and are transposed.
With a mixed dtype policy ("mixed_float16") the matrix products run in float16 while the attention
softmax, layer norms, pooling and output stay in float32.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers, ops

# BERT's LayerNorm weights are named weight/bias; Keras calls them gamma/beta.
_NORM_NAMES = {"gamma": "weight", "beta": "bias"}


def _norm(epsilon: float, name: str) -> layers.LayerNormalization:
    return layers.LayerNormalization(epsilon=epsilon, dtype="float32", name=name)


def _dense_entries(dense: layers.Dense, prefix: str) -> list[tuple[keras.Variable, str, bool]]:
    return [(dense.kernel, f"{prefix}.weight", True), (dense.bias, f"{prefix}.bias", False)]


def _norm_entries(norm: layers.LayerNormalization, prefix: str) -> list[tuple[keras.Variable, str, bool]]:
    return [(getattr(norm, attr), f"{prefix}.{name}", False) for attr, name in _NORM_NAMES.items()]


@keras.saving.register_keras_serializable(package="rec_utils")
class BertEmbeddings(layers.Layer):
    """Token + position + segment-0 embeddings, then layer norm: (batch, L) int -> (batch, L, hidden)."""

    def __init__(self, vocab_size: int, hidden_size: int, max_positions: int, type_vocab_size: int,
                 epsilon: float, **kwargs):
        super().__init__(**kwargs)
        self.sizes = dict(vocab_size=vocab_size, hidden_size=hidden_size, max_positions=max_positions,
                          type_vocab_size=type_vocab_size, epsilon=epsilon)
        self.word = self.add_weight(shape=(vocab_size, hidden_size), name="word_embeddings", dtype="float32")
        self.position = self.add_weight(shape=(max_positions, hidden_size), name="position_embeddings",
                                        dtype="float32")
        self.token_type = self.add_weight(shape=(type_vocab_size, hidden_size), name="token_type_embeddings",
                                          dtype="float32")
        self.norm = _norm(epsilon, "embeddings_norm")

    def build(self, input_shape):
        self.norm.build((*input_shape, self.sizes["hidden_size"]))

    def call(self, token_ids):
        token_ids = ops.cast(token_ids, "int32")
        positions = ops.cumsum(ops.ones_like(token_ids), axis=1) - 1  # 0, 1, ..., L-1 in every row
        x = ops.take(self.word, token_ids, axis=0) + ops.take(self.position, positions, axis=0) + self.token_type[0]
        return ops.cast(self.norm(x), self.compute_dtype)

    def checkpoint_entries(self) -> list[tuple[keras.Variable, str, bool]]:
        """(variable, checkpoint tensor name, transpose?) for every weight of the layer."""
        return [(self.word, "embeddings.word_embeddings.weight", False),
                (self.position, "embeddings.position_embeddings.weight", False),
                (self.token_type, "embeddings.token_type_embeddings.weight", False),
                *_norm_entries(self.norm, "embeddings.LayerNorm")]

    def get_config(self):
        return {**super().get_config(), **self.sizes}


@keras.saving.register_keras_serializable(package="rec_utils")
class BertLayer(layers.Layer):
    """One post-layer-norm Transformer encoder layer: (batch, L, hidden), mask (batch, L) -> (batch, L, hidden)."""

    def __init__(self, hidden_size: int, num_heads: int, intermediate_size: int, epsilon: float, index: int,
                 **kwargs):
        super().__init__(**kwargs)
        if hidden_size % num_heads:
            raise ValueError(f"hidden_size {hidden_size} is not a multiple of num_heads {num_heads}")
        self.sizes = dict(hidden_size=hidden_size, num_heads=num_heads, intermediate_size=intermediate_size,
                          epsilon=epsilon, index=index)
        policy = self.dtype_policy
        self.query, self.key, self.value, self.attention_output = (
            layers.Dense(hidden_size, dtype=policy, name=n) for n in ("query", "key", "value", "attention_output"))
        self.attention_norm = _norm(epsilon, "attention_norm")
        self.intermediate = layers.Dense(intermediate_size, dtype=policy, name="intermediate")
        self.output_dense = layers.Dense(hidden_size, dtype=policy, name="output")
        self.output_norm = _norm(epsilon, "output_norm")

    def build(self, input_shape):
        hidden, inner = self.sizes["hidden_size"], self.sizes["intermediate_size"]
        for dense in (self.query, self.key, self.value, self.attention_output, self.intermediate):
            dense.build((None, hidden))
        self.output_dense.build((None, inner))
        self.attention_norm.build((None, hidden))
        self.output_norm.build((None, hidden))

    def _heads(self, x):
        batch, length = ops.shape(x)[0], ops.shape(x)[1]
        heads = self.sizes["num_heads"]
        x = ops.reshape(x, (batch, length, heads, self.sizes["hidden_size"] // heads))
        return ops.transpose(x, (0, 2, 1, 3))  # (batch, heads, L, d_head)

    def call(self, hidden, attention_mask):
        q, k, v = self._heads(self.query(hidden)), self._heads(self.key(hidden)), self._heads(self.value(hidden))
        d_head = self.sizes["hidden_size"] // self.sizes["num_heads"]
        scores = ops.cast(ops.matmul(q, ops.transpose(k, (0, 1, 3, 2))), "float32") / np.sqrt(d_head)
        mask_bias = (1.0 - ops.cast(attention_mask, "float32")) * -1e9  # (batch, L): padding keys get no weight
        weights = ops.cast(ops.softmax(scores + mask_bias[:, None, None, :], axis=-1), self.compute_dtype)
        context = ops.transpose(ops.matmul(weights, v), (0, 2, 1, 3))
        context = ops.reshape(context, ops.shape(hidden))
        attended = self.attention_norm(ops.cast(hidden, "float32") + ops.cast(self.attention_output(context),
                                                                                "float32"))
        inner = ops.gelu(self.intermediate(ops.cast(attended, self.compute_dtype)), approximate=False)
        out = self.output_norm(attended + ops.cast(self.output_dense(inner), "float32"))
        return ops.cast(out, self.compute_dtype)

    def checkpoint_entries(self) -> list[tuple[keras.Variable, str, bool]]:
        """(variable, checkpoint tensor name, transpose?) for every weight of the layer."""
        p = f"encoder.layer.{self.sizes['index']}"
        return [*_dense_entries(self.query, f"{p}.attention.self.query"),
                *_dense_entries(self.key, f"{p}.attention.self.key"),
                *_dense_entries(self.value, f"{p}.attention.self.value"),
                *_dense_entries(self.attention_output, f"{p}.attention.output.dense"),
                *_norm_entries(self.attention_norm, f"{p}.attention.output.LayerNorm"),
                *_dense_entries(self.intermediate, f"{p}.intermediate.dense"),
                *_dense_entries(self.output_dense, f"{p}.output.dense"),
                *_norm_entries(self.output_norm, f"{p}.output.LayerNorm")]

    def get_config(self):
        return {**super().get_config(), **self.sizes}


@keras.saving.register_keras_serializable(package="rec_utils")
class MeanPoolNormalize(layers.Layer):
    """sentence-transformers' mean pooling then L2 normalisation: (batch, L, hidden), mask -> (batch, hidden)."""

    def call(self, hidden, attention_mask):
        mask = ops.cast(attention_mask, "float32")[..., None]
        summed = ops.sum(ops.cast(hidden, "float32") * mask, axis=1)
        mean = summed / ops.maximum(ops.sum(mask, axis=1), 1e-9)
        return mean / ops.maximum(ops.sqrt(ops.sum(mean * mean, axis=-1, keepdims=True)), 1e-12)


@keras.saving.register_keras_serializable(package="rec_utils")
class BertSentenceEncoder(keras.Model):
    """Embeddings, the encoder layers and mean pooling, called on {"token_ids", "attention_mask"} (batch, L).

    Every weight's shape follows from the config, so the layers are built at construction without tracing a
    symbolic graph (a functional keras.Model traces every layer once when it is built: seconds for MiniLM)."""

    def __init__(self, config: dict, dtype: str = "float32", name: str = "bert_sentence_encoder", **kwargs):
        super().__init__(name=name, **kwargs)
        self.config = dict(config)
        hidden, epsilon = config["hidden_size"], float(config.get("layer_norm_eps", 1e-12))
        self.embeddings = BertEmbeddings(config["vocab_size"], hidden, config["max_position_embeddings"],
                                         config.get("type_vocab_size", 2), epsilon, dtype=dtype, name="embeddings")
        self.encoder_layers = [BertLayer(hidden, config["num_attention_heads"], config["intermediate_size"], epsilon,
                                         index, dtype=dtype, name=f"layer_{index}")
                               for index in range(config["num_hidden_layers"])]
        self.pooling = MeanPoolNormalize(dtype="float32", name="mean_pool_normalize")
        self.embeddings.build((None, None))
        for layer in self.encoder_layers:
            layer.build((None, None, hidden))
        self.pooling.build((None, None, hidden))
        self.built = True

    def call(self, inputs):
        hidden = self.embeddings(inputs["token_ids"])
        for layer in self.encoder_layers:
            hidden = layer(hidden, inputs["attention_mask"])
        return self.pooling(hidden, inputs["attention_mask"])

    def get_config(self):
        return {"config": self.config, "dtype": self.dtype_policy.name, "name": self.name}


def build_bert(config: dict, *, dtype: str = "float32", name: str = "bert_sentence_encoder") -> keras.Model:
    """Sentence encoder from a Hugging Face BERT config (hidden_size, num_hidden_layers, num_attention_heads,
    intermediate_size, vocab_size, max_position_embeddings, type_vocab_size, layer_norm_eps; hidden_act must be
    "gelu"). Weights are uninitialised until load_bert_weights.

    Input {"token_ids", "attention_mask"} (batch, L) int32; output (batch, hidden_size) float32, unit length.
    `dtype` is the Keras dtype policy of the matrix products ("float32", or "mixed_float16" on a GPU).
    """
    if config.get("hidden_act", "gelu") != "gelu":
        raise ValueError(f"only BERT with exact gelu is supported, got hidden_act={config['hidden_act']!r}")
    return BertSentenceEncoder(config, dtype=dtype, name=name)


def load_bert_weights(model: keras.Model, tensors: dict[str, np.ndarray]) -> None:
    """Assign every weight of a build_bert model from checkpoint tensors named as in Hugging Face's BertModel
    (an optional "bert." prefix is accepted; the unused pooler and position_ids are ignored).

    Raises KeyError naming the missing tensors and ValueError on a shape mismatch, so a wrong
    checkpoint never loads silently.
    """
    tensors = {name.removeprefix("bert."): value for name, value in tensors.items()}
    entries = [entry for layer in model.layers if hasattr(layer, "checkpoint_entries")
               for entry in layer.checkpoint_entries()]
    missing = [name for _, name, _ in entries if name not in tensors]
    if missing:
        raise KeyError(f"checkpoint lacks {len(missing)} BERT tensors, e.g. {missing[:3]}")
    for variable, name, transpose in entries:
        value = np.asarray(tensors[name], dtype="float32")
        value = value.T if transpose else value
        if tuple(value.shape) != tuple(variable.shape):
            raise ValueError(f"{name}: checkpoint shape {value.shape} != model shape {tuple(variable.shape)}")
        variable.assign(value)
