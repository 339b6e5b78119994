"""Notebook 12's SGD, DP-SGD and federated trainings, kept: the learning-rate search over every noise multiplier,
the ten runs behind each headline and the federated rounds are about 80 trainings of a few hundred eager steps
(about 50 s), so their final weights are stored in data/trained/12_privacy/ by rec_utils.runtime.trained, keyed by a
hash of the training data and the settings, and trained anew whenever these or the training code change.

Only seeded runs are stored. A run with noise="secure" draws its batches and noise from the operating system so that
nobody can regenerate them; a stored copy would be a reproducible run, so such runs are always trained anew.

    (model, info), = trained_logistic_sgd(X, y, groups, [{"learning_rate": 0.5, "seed": 0}], name="example")
    model, history = trained_federated_averaging(clients, name="fedavg", evaluate=auc_of, rounds=5, seed=0)
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping, Sequence

import joblib
import keras
import numpy as np

from rec_utils.models import private_training
from rec_utils.models.private_training import (
    federated_averaging,
    get_weights,
    logistic_keras,
    set_weights,
    train_logistic_sgd,
)
from rec_utils.runtime.store_notes import say_if_computed
from rec_utils.runtime.trained import train_once

STORE_FOLDER = "12_privacy"


def trained_logistic_sgd(X: np.ndarray, y: np.ndarray, groups: np.ndarray | None, settings: Sequence[Mapping], *,
                         name: str) -> list[tuple[keras.Model, dict]]:
    """[train_logistic_sgd(X, y, groups=groups, show_progress=False, **s) for s in settings]: a (model, info) pair
    per setting, the model rebuilt from the stored weights (the same float32 values, so the same predictions).
    X (n, d), y (n,), groups (n,) or None; `name` is the store's file-name stem."""
    def train() -> tuple[dict[str, np.ndarray], None]:
        runs = [train_logistic_sgd(X, y, groups=groups, show_progress=False, **setting) for setting in settings]
        return {"weights": np.stack([get_weights(model) for model, _ in runs]),
                "infos": np.asarray(json.dumps([info for _, info in runs], default=lambda value: value.item()))}, None

    if any(setting.get("noise", "seeded") != "seeded" for setting in settings):
        arrays = train()[0]
    else:
        key = {"data": joblib.hash((np.asarray(X), np.asarray(y), None if groups is None else np.asarray(groups))),
               "settings": [dict(setting) for setting in settings]}
        arrays = say_if_computed(train_once(STORE_FOLDER, name, key, (sys.modules[__name__], private_training), train),
                                 name).arrays
    return list(zip(map(_model, arrays["weights"]), json.loads(str(arrays["infos"]))))


def trained_federated_averaging(clients: Mapping[str, tuple[np.ndarray, np.ndarray]], *, name: str,
                                evaluate: Callable[[keras.Model], dict] | None = None,
                                **settings) -> tuple[keras.Model, list[dict]]:
    """federated_averaging(clients, evaluate=evaluate, **settings): the global model and one row per round,
    {"round", **evaluate(the round's global model)}. The global weights after every round are what is stored
    (keyed by the clients' data, their order and `settings`); `evaluate` is applied to them as the rounds would."""
    def train() -> tuple[dict[str, np.ndarray], None]:
        rounds = []
        federated_averaging(clients, evaluate=lambda model: rounds.append(get_weights(model)) or {}, **settings)
        return {"weights": np.stack(rounds)}, None

    key = {"clients": joblib.hash([(client, np.asarray(X), np.asarray(y)) for client, (X, y) in clients.items()]),
           "settings": dict(settings)}
    stored = say_if_computed(train_once(STORE_FOLDER, name, key, (sys.modules[__name__], private_training), train),
                             name)
    models = [_model(weights) for weights in stored.arrays["weights"]]
    return models[-1], [{"round": round_, **(evaluate(model) if evaluate else {})}
                        for round_, model in enumerate(models, start=1)]


def _model(weights: np.ndarray) -> keras.Model:
    """A logistic_keras model holding `weights` (kernel, bias) (d + 1,)."""
    model = logistic_keras(len(weights) - 1)
    set_weights(model, weights)
    return model
