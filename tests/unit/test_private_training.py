"""DP-SGD and federated averaging of the Keras logistic model: gradients, clipping, noise scale, learning."""

import keras
import numpy as np
import pandas as pd
import pytest
from keras import ops
from sklearn.metrics import roc_auc_score

from rec_utils.models.private_training import (
    clip_rows,
    federated_averaging,
    get_weights,
    logistic_keras,
    noisy_mean,
    per_example_gradients,
    predict_logistic,
    set_weights,
    train_logistic_sgd,
)


def _data(n=2000, d=4, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)).astype(np.float32)
    y = (rng.random(n) < 1 / (1 + np.exp(-(X @ np.arange(1, d + 1) - 0.5)))).astype(np.float32)
    return X, y


def _log_loss(weights, x, y):
    p = 1 / (1 + np.exp(-(x @ weights[:-1] + weights[-1])))
    return -(y * np.log(p) + (1 - y) * np.log(1 - p))


def test_per_example_gradients_match_finite_differences():
    X, y = _data(n=5, d=3)
    model = logistic_keras(3)
    weights = np.array([0.3, -0.2, 0.1, 0.05])
    set_weights(model, weights)
    np.testing.assert_allclose(get_weights(model), weights, rtol=1e-6)
    grads = ops.convert_to_numpy(per_example_gradients(model, X, y))
    assert grads.shape == (5, 4)
    h = 1e-4
    for j in range(4):
        step = np.eye(4)[j] * h
        x = X.astype(float)
        numeric = (_log_loss(weights + step, x, y) - _log_loss(weights - step, x, y)) / (2 * h)
        np.testing.assert_allclose(grads[:, j], numeric, rtol=1e-3, atol=1e-5)


def test_clipping_bounds_every_row_and_leaves_small_rows_alone():
    rows = np.array([[3.0, 4.0], [0.3, 0.4], [0.0, 0.0]], dtype=np.float32)
    clipped = ops.convert_to_numpy(clip_rows(ops.convert_to_tensor(rows), 1.0))
    np.testing.assert_allclose(clipped, [[0.6, 0.8], [0.3, 0.4], [0.0, 0.0]], rtol=1e-6)


def test_noise_of_the_dp_mean_has_standard_deviation_z_c_over_the_expected_batch():
    zeros = ops.zeros((10, 20_000))  # zero gradients: the DP mean is pure noise
    mean = ops.convert_to_numpy(noisy_mean(zeros, 2.0, 1.5, 50.0, keras.random.SeedGenerator(0)))
    assert mean.std() == pytest.approx(1.5 * 2.0 / 50.0, rel=0.03)
    assert abs(mean.mean()) < 4 * 0.06 / np.sqrt(20_000)
    ones = ops.ones((10, 3))
    noiseless = ops.convert_to_numpy(noisy_mean(ones, 2.0, 0.0, 5.0, keras.random.SeedGenerator(0)))
    np.testing.assert_allclose(noiseless, 2.0)  # sum 10 / expected batch 5


def test_plain_and_private_sgd_learn_and_report_their_accounting_inputs():
    X, y = _data()
    plain, info = train_logistic_sgd(X, y, epochs=2, batch_size=100, learning_rate=0.5, seed=0, show_progress=False)
    assert info["steps"] == 40 and info["sampling_probability"] == pytest.approx(0.05)
    assert roc_auc_score(y, predict_logistic(plain, X)) > 0.85
    private, info = train_logistic_sgd(X, y, epochs=2, batch_size=100, learning_rate=0.5, l2_norm_clip=1.0,
                                       noise_multiplier=1.0, seed=0, show_progress=False)
    assert info["noise_multiplier"] == 1.0 and info["l2_norm_clip"] == 1.0
    assert roc_auc_score(y, predict_logistic(private, X)) > 0.8
    again, _ = train_logistic_sgd(X, y, epochs=2, batch_size=100, learning_rate=0.5, l2_norm_clip=1.0,
                                  noise_multiplier=1.0, seed=0, show_progress=False)
    np.testing.assert_allclose(get_weights(again), get_weights(private), rtol=1e-5)  # seeded
    with pytest.raises(ValueError, match="clip"):
        train_logistic_sgd(X, y, noise_multiplier=1.0)


def test_secure_dp_sgd_draws_batches_and_noise_nobody_can_regenerate():
    """With noise="secure" two runs with the same seed differ (the seed no longer decides batches and noise),
    and they still learn."""
    X, y = _data()
    options = {"epochs": 2, "batch_size": 100, "learning_rate": 0.5, "l2_norm_clip": 1.0, "noise_multiplier": 1.0,
               "seed": 0, "show_progress": False}
    first, info = train_logistic_sgd(X, y, noise="secure", **options)
    second, _ = train_logistic_sgd(X, y, noise="secure", **options)
    assert info["noise"] == "secure" and not np.allclose(get_weights(first), get_weights(second))
    assert roc_auc_score(y, predict_logistic(first, X)) > 0.8
    with pytest.raises(ValueError, match="noise must be one of"):
        train_logistic_sgd(X, y, noise="os", **options)


def test_federated_averaging_of_one_client_is_local_training_and_averages_weights():
    X, y = _data(n=400)
    fed, history = federated_averaging({"only": (X, y)}, rounds=1, local_epochs=1, batch_size=50, seed=7,
                                       evaluate=lambda m: {"auc": roc_auc_score(y, predict_logistic(m, X))})
    local, _ = train_logistic_sgd(X, y, epochs=1, batch_size=50, seed=7 + 1000, show_progress=False)
    np.testing.assert_allclose(get_weights(fed), get_weights(local), rtol=1e-5)
    assert history[0]["round"] == 1 and history[0]["auc"] > 0.8
    # two clients: the global weights are the size-weighted mean of the clients' weights after their round
    clients = {"a": (X[:100], y[:100]), "b": (X[100:], y[100:])}
    fed2, _ = federated_averaging(clients, rounds=1, local_epochs=1, batch_size=50, seed=0)
    a, _ = train_logistic_sgd(*clients["a"], epochs=1, batch_size=50, seed=1000, show_progress=False)
    b, _ = train_logistic_sgd(*clients["b"], epochs=1, batch_size=50, seed=1001, show_progress=False)
    np.testing.assert_allclose(get_weights(fed2), 0.25 * get_weights(a) + 0.75 * get_weights(b), rtol=1e-5)


def test_customer_level_dp_sgd_sums_then_clips_each_customers_gradient():
    X, y = _data(n=300)
    by_row, info = train_logistic_sgd(X, y, epochs=1, batch_size=30, l2_norm_clip=0.5, noise_multiplier=0.7, seed=2,
                                      show_progress=False)
    own_group, grouped_info = train_logistic_sgd(X, y, epochs=1, batch_size=30, l2_norm_clip=0.5,
                                                 noise_multiplier=0.7, groups=np.arange(300), seed=2,
                                                 show_progress=False)
    np.testing.assert_allclose(get_weights(own_group), get_weights(by_row), rtol=1e-5, atol=1e-7)
    assert info["unit"] == "example" and grouped_info["unit"] == "group" and grouped_info["n_units"] == 300
    # one customer holding every row, always sampled (q = 1), no noise: one step of -lr * clip(sum of gradients)
    one, one_info = train_logistic_sgd(X, y, epochs=1, batch_size=1, learning_rate=0.1, l2_norm_clip=2.0,
                                       noise_multiplier=0.0, groups=np.zeros(300), seed=0, show_progress=False)
    assert one_info["steps"] == 1 and one_info["sampling_probability"] == 1.0
    total = np.r_[(0.5 - y) @ X, (0.5 - y).sum()]  # gradients at zero weights: p = 0.5
    np.testing.assert_allclose(get_weights(one), -0.1 * total * min(1.0, 2.0 / np.linalg.norm(total)), rtol=1e-4)


def test_keras_weights_in_a_scikit_learn_pipeline_score_the_same():
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import StandardScaler

    from rec_utils.models.logistic import contributions
    from rec_utils.models.private_training import as_logistic_pipeline

    X, y = _data(n=300, d=3)
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    preprocess = ColumnTransformer([("num", StandardScaler(), ["a", "b", "c"])]).fit(frame)
    model, _ = train_logistic_sgd(preprocess.transform(frame), y, epochs=2, batch_size=32, seed=0)
    pipeline = as_logistic_pipeline(preprocess, model)
    np.testing.assert_allclose(pipeline.predict_proba(frame)[:, 1],
                               predict_logistic(model, preprocess.transform(frame)), atol=1e-5)
    explained = contributions(pipeline, frame.iloc[:1])
    assert explained["contribution"].sum() == pytest.approx(float(pipeline.decision_function(frame.iloc[:1])[0]))


def test_dp_sgd_curve_tunes_on_validation_and_reports_epsilon():
    from rec_utils.chapters.privacy.privacy_utility import dp_sgd_curve

    X, y = _data(n=1200, d=3, seed=1)
    groups = np.repeat(np.arange(300), 4)
    fit, valid, test = slice(0, 400), slice(400, 800), slice(800, 1200)
    reference = X[test] @ np.arange(1, 4)  # the generating direction: a strong non-private reference
    curve, tuning, models = dp_sgd_curve((X[fit], y[fit], groups[fit]), (X[valid], y[valid]),
                                         (X[fit], y[fit], groups[fit]), (X[test], y[test], groups[test]), reference,
                                         noise_multipliers=[0.0, 2.0], learning_rates=[0.1, 1.0], epochs=2,
                                         batch_size=20, n_boot=50)
    assert list(curve["noise_multiplier"]) == [0.0, 2.0] and set(models) == {0.0, 2.0}
    assert curve.loc[0, "epsilon"] == np.inf and 0 < curve.loc[1, "epsilon"] < np.inf
    assert tuning.groupby("noise_multiplier")["chosen"].sum().tolist() == [1, 1]
    chosen = tuning[tuning["chosen"]].set_index("noise_multiplier")["learning_rate"]
    assert (curve.set_index("noise_multiplier")["learning_rate"] == chosen).all()
    assert ((curve["low"] <= curve["auc"]) & (curve["auc"] <= curve["high"])).all()


def test_stored_trainings_equal_fresh_ones_are_read_back_and_secure_runs_are_never_stored(monkeypatch):
    from rec_utils.chapters.privacy import stored_sgd
    from rec_utils.runtime import trained

    X, y = _data(n=400, d=3, seed=2)
    groups = np.repeat(np.arange(100), 4)
    settings = [{"epochs": 1, "batch_size": 20, "learning_rate": rate, "seed": 3, "l2_norm_clip": 1.0,
                 "noise_multiplier": 2.0} for rate in (0.1, 1.0)]
    fitted = stored_sgd.trained_logistic_sgd(X, y, groups, settings, name="toy")
    for (model, info), setting in zip(fitted, settings):
        fresh, fresh_info = train_logistic_sgd(X, y, groups=groups, show_progress=False, **setting)
        np.testing.assert_array_equal(get_weights(model), get_weights(fresh))
        assert info == fresh_info
    with monkeypatch.context() as patch:  # read back, not trained again
        patch.setattr(stored_sgd, "train_logistic_sgd", None)
        again = stored_sgd.trained_logistic_sgd(X, y, groups, settings, name="toy")
    assert all(np.array_equal(get_weights(a), get_weights(b)) for (a, _), (b, _) in zip(again, fitted))
    assert again[1][1] == fitted[1][1]
    secure = [{**setting, "noise": "secure"} for setting in settings]
    first, second = (stored_sgd.trained_logistic_sgd(X, y, groups, secure, name="secure") for _ in range(2))
    assert not np.array_equal(get_weights(first[0][0]), get_weights(second[0][0]))  # trained anew, not read back
    assert [path.name.split("-")[0] for path in (trained.TRAINED_DIR / "12_privacy").glob("*.npz")] == ["toy"]


def test_stored_federated_rounds_equal_fresh_ones_and_are_read_back(monkeypatch):
    from rec_utils.chapters.privacy import stored_sgd

    X, y = _data(n=300, d=3, seed=4)
    clients = {"a": (X[:100], y[:100]), "b": (X[100:], y[100:])}
    evaluate = lambda model: {"auc": roc_auc_score(y, predict_logistic(model, X))}  # noqa: E731
    fresh, fresh_history = federated_averaging(clients, rounds=3, batch_size=32, seed=1, evaluate=evaluate)
    model, history = stored_sgd.trained_federated_averaging(clients, name="fed", rounds=3, batch_size=32, seed=1,
                                                            evaluate=evaluate)
    np.testing.assert_array_equal(get_weights(model), get_weights(fresh))
    assert history == fresh_history and [row["round"] for row in history] == [1, 2, 3]
    with monkeypatch.context() as patch:  # read back, not trained again
        patch.setattr(stored_sgd, "federated_averaging", None)
        again, again_history = stored_sgd.trained_federated_averaging(clients, name="fed", rounds=3, batch_size=32,
                                                                      seed=1, evaluate=evaluate)
    np.testing.assert_array_equal(get_weights(again), get_weights(fresh))
    assert again_history == fresh_history
