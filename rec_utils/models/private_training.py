"""The logistic purchase model in backend-agnostic Keras 3, trained three ways: plain minibatch SGD, DP-SGD
(Abadi et al. 2016: per-example gradient clipping + Gaussian noise) and federated averaging across clients
(McMahan et al. 2017), so that the three differ only in what the comparison is about.

Shapes: X (n, d) float features (e.g. the transformed columns of models.logistic.logistic_pipeline), y (n,)
in {0, 1}. The model is Dense(1, sigmoid) on X. Its log-loss gradient for one example is closed-form,
g_i = (p_i - y_i) [x_i, 1] for (kernel, bias), so per-example gradients are computed with keras.ops alone (no
backend-specific autodiff) and the step w <- w - η g is assigned to the Keras variables: nothing here is
specific to one backend (the tests run it on TensorFlow, the pinned backend).

DP-SGD step (Poisson sampling with rate q, so each unit, an example or a customer, is in a step's batch with
probability q; g_u = the summed gradient of a unit's examples):
    ĝ = ( Σ_{u in batch} g_u · min(1, C / ||g_u||)  +  N(0, (z C)² I) ) / (q n_units),   then w <- w - η ĝ.
Its privacy loss is that of models.privacy.dp_sgd_event(q, z, steps); the feature preprocessing (scaler
means, categories) is fitted outside and treated as public. The accountant assumes that nobody can regenerate
the batches drawn or the noise added: with noise="seeded" (the default, for teaching runs that repeat digit for
digit) both follow from the public seed, so the run is not private; noise="secure" draws both from a generator
seeded by the operating system (models.privacy.noise_generator).
"""

from __future__ import annotations

from collections.abc import Mapping

import keras
import numpy as np
from keras import layers, ops
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from rec_utils.models.privacy import noise_generator
from rec_utils.runtime.progress import progress_bar


def logistic_keras(n_features: int, name: str = "logistic") -> keras.Model:
    """Dense(1, sigmoid) on (batch, n_features) float inputs, weights initialised at zero."""
    inputs = keras.Input((n_features,), name="features")
    output = layers.Dense(1, activation="sigmoid", kernel_initializer="zeros", name="logit")(inputs)
    return keras.Model(inputs, output, name=name)


def per_example_gradients(model: keras.Model, x, y):
    """Log-loss gradients of each example with respect to (kernel, bias), concatenated: (batch, d + 1)."""
    dense = model.get_layer("logit")
    x = ops.convert_to_tensor(x, dtype="float32")
    residual = ops.sigmoid(ops.squeeze(ops.matmul(x, dense.kernel), -1) + dense.bias) - ops.cast(y, "float32")
    return ops.concatenate([residual[:, None] * x, residual[:, None]], axis=1)


def clip_rows(gradients, l2_norm_clip: float):
    """Each row scaled by min(1, C / ||row||₂), so every row has norm at most C."""
    norms = ops.sqrt(ops.sum(ops.square(gradients), axis=1, keepdims=True))
    return gradients * ops.minimum(1.0, l2_norm_clip / ops.maximum(norms, 1e-12))


def noisy_mean(clipped, l2_norm_clip: float, noise_multiplier: float, expected_batch_size: float,
               seed: keras.random.SeedGenerator | np.random.Generator):
    """(Σ rows + N(0, (z C)² I)) / expected batch size: the DP-SGD gradient (d + 1,). The noise comes from a Keras
    SeedGenerator (seeded runs) or a numpy Generator (secure runs: models.privacy.noise_generator)."""
    stddev = noise_multiplier * l2_norm_clip
    if isinstance(seed, np.random.Generator):
        noise = ops.convert_to_tensor(seed.normal(0.0, stddev, clipped.shape[1]), dtype="float32")
    else:
        noise = keras.random.normal((clipped.shape[1],), stddev=stddev, seed=seed)
    return (ops.sum(clipped, axis=0) + noise) / expected_batch_size


def _sgd_step(model: keras.Model, gradient, learning_rate: float) -> None:
    """w <- w - η g for the (kernel, bias) vector g (d + 1,)."""
    dense = model.get_layer("logit")
    dense.kernel.assign(dense.kernel - learning_rate * ops.reshape(gradient[:-1], dense.kernel.shape))
    dense.bias.assign(dense.bias - learning_rate * gradient[-1:])


def train_logistic_sgd(X: np.ndarray, y: np.ndarray, *, epochs: float = 5, batch_size: int = 256,
                       learning_rate: float = 0.5, l2_norm_clip: float | None = None, noise_multiplier: float = 0.0,
                       groups: np.ndarray | None = None, seed: int = 0, model: keras.Model | None = None,
                       noise: str = "seeded", show_progress: bool | None = None) -> tuple[keras.Model, dict]:
    """Minibatch SGD on the log-loss with Poisson-sampled batches (expected size `batch_size` units).

    Private when `l2_norm_clip` is set: per-unit gradients are clipped to C and Gaussian noise of standard
    deviation z C (z = `noise_multiplier`) is added to their sum before dividing by the expected number of
    units per batch (see the module docstring). Plain SGD otherwise (mean gradient of the sampled examples).
    A unit is one example (example-level DP), or with `groups` (n,) (e.g. CustomerID per row) all examples
    of one group: groups are sampled, and a group's gradient is the sum of its examples' gradients, so the
    accountant's ε then protects whole customers (user-level DP, as in McMahan et al. 2018).
    `model` continues training an existing logistic_keras model (federated rounds), else a new one starts
    at zero. steps = round(epochs * n_units / batch_size). noise: "seeded" (batches and noise follow from `seed`:
    reproducible, not private) or "secure" (both from a generator seeded by the operating system). Returns
    (model, {"steps", "sampling_probability", "noise_multiplier", "l2_norm_clip", "batch_size", "epochs",
    "n_examples", "n_units", "unit", "noise"}).
    """
    X, y = np.asarray(X, dtype=np.float32), np.asarray(y, dtype=np.float32)
    n = len(X)
    if n == 0 or batch_size < 1 or epochs <= 0:
        raise ValueError(f"need examples, batch_size >= 1 and epochs > 0, got n={n}, {batch_size}, {epochs}")
    if noise_multiplier > 0 and l2_norm_clip is None:
        raise ValueError("noise without clipping has unbounded sensitivity: set l2_norm_clip")
    codes = np.arange(n) if groups is None else np.unique(np.asarray(groups), return_inverse=True)[1].ravel()
    if len(codes) != n:
        raise ValueError(f"groups must have one entry per row ({n}), got {len(codes)}")
    n_units = int(codes.max()) + 1
    model = logistic_keras(X.shape[1]) if model is None else model
    q = min(1.0, batch_size / n_units)
    steps = max(1, int(round(epochs * n_units / batch_size)))
    rng = noise_generator(noise, seed)  # the batches: amplification by sampling needs them secret too
    seeds = keras.random.SeedGenerator(seed) if noise == "seeded" else rng
    for _ in progress_bar(range(steps), desc="SGD", unit="step", enabled=show_progress):
        chosen = rng.random(n_units) < q
        batch = np.flatnonzero(chosen[codes])
        if l2_norm_clip is None:
            if batch.size == 0:
                continue
            gradient = ops.mean(per_example_gradients(model, X[batch], y[batch]), axis=0)
        else:  # an empty batch still gets its noise: skipping it would change the mechanism
            per_unit = per_example_gradients(model, X[batch], y[batch])
            if groups is not None:
                local = np.unique(codes[batch], return_inverse=True)[1].ravel()
                per_unit = ops.segment_sum(per_unit, local, num_segments=int(local.max(initial=-1)) + 1)
            gradient = noisy_mean(clip_rows(per_unit, l2_norm_clip), l2_norm_clip, noise_multiplier, q * n_units,
                                  seeds)
        _sgd_step(model, gradient, learning_rate)
    return model, {"steps": steps, "sampling_probability": q, "noise_multiplier": noise_multiplier,
                   "l2_norm_clip": l2_norm_clip, "batch_size": batch_size, "epochs": epochs, "n_examples": n,
                   "n_units": n_units, "unit": "example" if groups is None else "group", "noise": noise}


def predict_logistic(model: keras.Model, X: np.ndarray) -> np.ndarray:
    """P(y = 1) for each row of X, (n,) numpy."""
    return ops.convert_to_numpy(model(ops.convert_to_tensor(np.asarray(X, dtype=np.float32)))).ravel()


def get_weights(model: keras.Model) -> np.ndarray:
    """(kernel, bias) as one vector (d + 1,)."""
    kernel, bias = model.get_layer("logit").get_weights()
    return np.concatenate([kernel.ravel(), bias])


def set_weights(model: keras.Model, weights: np.ndarray) -> None:
    """Inverse of get_weights."""
    dense = model.get_layer("logit")
    dense.set_weights([np.asarray(weights[:-1]).reshape(dense.kernel.shape), np.asarray(weights[-1:])])


def as_logistic_pipeline(preprocess, model: keras.Model) -> Pipeline:
    """A fitted scikit-learn Pipeline(preprocess, LogisticRegression) that computes what the Keras logistic
    model computes on preprocess's output, so scikit-learn-based tools (models.logistic.contributions,
    recommend.scorers.propensity_ranker) read the Keras weights. preprocess: the fitted transformer whose
    output the model was trained on (e.g. logistic_pipeline()[0], a ColumnTransformer)."""
    weights = get_weights(model)
    classifier = LogisticRegression()
    classifier.classes_ = np.array([0, 1])
    classifier.coef_ = weights[None, :-1].astype(float)
    classifier.intercept_ = weights[-1:].astype(float)
    classifier.n_features_in_ = len(weights) - 1
    return Pipeline([("preprocess", preprocess), ("logistic", classifier)])


def federated_averaging(clients: Mapping[str, tuple[np.ndarray, np.ndarray]], *, rounds: int = 5,
                        local_epochs: float = 1, batch_size: int = 64, learning_rate: float = 0.5, seed: int = 0,
                        evaluate=None) -> tuple[keras.Model, list[dict]]:
    """FedAvg: each round every client starts from the global weights, runs `local_epochs` of
    train_logistic_sgd on its own (X, y) only, and the server averages the returned weights with weights
    n_k / n. Raw data never leaves a client; only weights do (FedAvg alone is not differentially private).

    `evaluate(model) -> dict` is called after every round (e.g. AUC on a held-out set). Returns the global
    model and one row per round: {"round", **evaluate(model)}.
    """
    if not clients:
        raise ValueError("federated averaging needs at least one client")
    n_features = next(iter(clients.values()))[0].shape[1]
    global_model, local_model = logistic_keras(n_features, name="global"), logistic_keras(n_features, name="local")
    sizes = np.array([len(X) for X, _ in clients.values()], dtype=float)
    history = []
    for round_ in range(1, rounds + 1):
        start, updates = get_weights(global_model), []
        for c, (X, y) in enumerate(clients.values()):
            set_weights(local_model, start)
            train_logistic_sgd(X, y, epochs=local_epochs, batch_size=batch_size, learning_rate=learning_rate,
                               seed=seed + 1000 * round_ + c, model=local_model, show_progress=False)
            updates.append(get_weights(local_model))
        set_weights(global_model, np.average(np.stack(updates), axis=0, weights=sizes))
        history.append({"round": round_, **(evaluate(global_model) if evaluate else {})})
    return global_model, history
