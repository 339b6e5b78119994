"""A click model whose text tower reads frozen sentence embeddings (MiniLM) instead of learning word embeddings.

Inputs: title_embedding (and query_embedding when use_query) float (batch, d), e.g. from
rec_utils.features.text_vectors.text_embedding_inputs. A shared Dense(text_dim) projects each (the frozen
encoder's counterpart of the learned Embedding + masked mean of rec_utils.models.click_model); then, as
there, [query, title, query ⊙ title] -> Dense(tower_units, relu) -> MLP -> sigmoid: output (batch, 1) = P(click).
Trained and used with click_model.train_click_model / predict (they select inputs by name).
"""

from __future__ import annotations

import keras
from keras import layers

from rec_utils.models.click_model import click_head


def build_text_embedding_click_model(embedding_dim: int = 384, *, use_query: bool = True, text_dim: int = 32,
                                     tower_units: int = 32, hidden_units: tuple[int, ...] = (64, 32),
                                     dropout: float = 0.1, name: str = "frozen_text_click_model") -> keras.Model:
    """Text-only click model on frozen embeddings, with the layer sizes and optimiser of build_click_model."""
    project = layers.Dense(text_dim, name="text_projection")
    inputs = {"title_embedding": keras.Input((embedding_dim,), name="title_embedding")}
    title = project(inputs["title_embedding"])
    parts = [title]
    if use_query:
        inputs["query_embedding"] = keras.Input((embedding_dim,), name="query_embedding")
        query = project(inputs["query_embedding"])
        parts += [query, layers.Multiply(name="query_x_title")([query, title])]
    x = layers.Concatenate(name="text_parts")(parts) if len(parts) > 1 else parts[0]
    x = layers.Dense(tower_units, activation="relu", name="text_tower")(x)
    return click_head(inputs, x, hidden_units=hidden_units, dropout=dropout, name=name)
