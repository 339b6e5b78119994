"""Notebook 12's SGD and DP-SGD trainings, kept: the learning-rate search over every noise multiplier and the ten
runs behind each headline are about 50 trainings of a few hundred eager steps (about 40 s), so their final weights
are stored in data/trained/12_privacy/ by rec_utils.runtime.trained, keyed by a hash of the training data and the
settings, and trained anew whenever these or the training code change.

Only seeded runs are stored. A run with noise="secure" draws its batches and noise from the operating system so that
nobody can regenerate them; a stored copy would be a reproducible run, so such runs are always trained anew.

    (model, info), = trained_logistic_sgd(X, y, groups, [{"learning_rate": 0.5, "seed": 0}], name="example")
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence

import joblib
import keras
import numpy as np

from rec_utils.models import private_training
from rec_utils.models.private_training import get_weights, logistic_keras, set_weights, train_logistic_sgd
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
        arrays = train_once(STORE_FOLDER, name, key, (sys.modules[__name__], private_training), train).arrays
    models = []
    for weights in arrays["weights"]:
        model = logistic_keras(len(weights) - 1)
        set_weights(model, weights)
        models.append(model)
    return list(zip(models, json.loads(str(arrays["infos"]))))
