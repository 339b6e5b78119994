"""Explanations: additivity of the logistic contributions, completeness of integrated gradients, permutation
importance per input."""

import keras
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from rec_utils.evaluation.explain import (
    complete_rows,
    contribution_matrix,
    global_contributions,
    integrated_gradients,
    integrated_gradients_until_complete,
    linear_shap,
    permutation_importance_by_input,
)
from rec_utils.features.propensity import NUMERIC_FEATURES
from rec_utils.models.logistic import contributions, logistic_pipeline


@pytest.fixture(scope="module")
def fitted_logistic():
    rng = np.random.default_rng(0)
    n = 300
    frame = pd.DataFrame(rng.standard_normal((n, len(NUMERIC_FEATURES))), columns=NUMERIC_FEATURES)
    frame["country"] = rng.choice(["United Kingdom", "France", "Germany"], size=n)
    y = (frame["log_popularity"] + (frame["country"] == "France") + rng.standard_normal(n) > 0).astype(int)
    return logistic_pipeline().fit(frame, y), frame


def test_contribution_rows_sum_to_the_logit_and_agree_with_the_one_row_explanation(fitted_logistic):
    model, frame = fitted_logistic
    matrix = contribution_matrix(model, frame)
    np.testing.assert_allclose(matrix.sum(axis=1), model.decision_function(frame), atol=1e-10)
    one = contributions(model, frame.iloc[[7]])["contribution"]
    pd.testing.assert_series_equal(matrix.iloc[7], one, check_names=False)
    summary = global_contributions(matrix)
    assert summary["share_abs"].drop("intercept").sum() == pytest.approx(1.0)
    assert np.isnan(summary.loc["intercept", "share_abs"])
    assert summary.index[0] in ("log_popularity", "intercept")  # the feature the labels were made from leads
    with pytest.raises(ValueError):
        contribution_matrix(model, frame.iloc[:0])


def _dense_model(weights, activation="sigmoid"):
    inputs = keras.Input((len(weights),), name="x")
    layer = keras.layers.Dense(1, activation=activation, name="out")
    model = keras.Model(inputs, layer(inputs))
    layer.set_weights([np.asarray(weights, dtype="float32")[:, None], np.array([0.1], dtype="float32")])
    return model


def test_integrated_gradients_of_a_linear_model_are_weight_times_difference():
    model = _dense_model([2.0, -1.0, 0.5], activation=None)
    x = np.array([[1.0, 2.0, 3.0], [0.5, 0.0, -1.0]], dtype="float32")
    result = integrated_gradients(model, x, steps=4, rule="riemann_left")
    np.testing.assert_allclose(result["attributions"]["x"], x * [2.0, -1.0, 0.5], rtol=1e-6)
    np.testing.assert_allclose(result["completeness_gap"], 0.0, atol=1e-5)


def test_integrated_gradients_satisfy_completeness_on_a_nonlinear_model():
    keras.utils.set_random_seed(0)
    inputs = {"features": keras.Input((5,), name="features"), "tokens": keras.Input((3,), dtype="int32", name="tokens")}
    embedded = keras.layers.GlobalAveragePooling1D()(keras.layers.Embedding(10, 4)(inputs["tokens"]))
    hidden = keras.layers.Dense(8, activation="tanh")(keras.layers.Concatenate()([inputs["features"], embedded]))
    model = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(hidden))
    rng = np.random.default_rng(1)
    batch = {"features": rng.standard_normal((6, 5)).astype("float32") * 2,
             "tokens": rng.integers(1, 10, (6, 3)).astype("int32")}
    fine = integrated_gradients(model, batch, steps=64)  # the float input only; tokens held fixed
    assert set(fine["attributions"]) == {"features"}
    assert np.abs(fine["completeness_gap"]).max() < 1e-3
    coarse = integrated_gradients(model, batch, steps=2, rule="riemann_left")
    assert np.abs(coarse["completeness_gap"]).max() > np.abs(fine["completeness_gap"]).max()
    baseline = {"features": np.ones((6, 5), dtype="float32")}
    shifted = integrated_gradients(model, batch, baseline, steps=64)
    difference = shifted["output"] - shifted["baseline_output"]
    np.testing.assert_allclose(shifted["attributions"]["features"].sum(axis=1), difference, atol=1e-3)
    with pytest.raises(ValueError, match="rule"):
        integrated_gradients(model, batch, rule="simpson")


def test_steps_double_until_completeness_holds_row_by_row_and_a_broken_attribution_fails_the_check():
    keras.utils.set_random_seed(0)
    inputs = keras.Input((6,), name="x")
    hidden = keras.layers.Dense(16, activation="relu")(inputs)  # kinks: the trapezoid rule converges slowly
    model = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(keras.layers.Dense(8, "relu")(hidden)))
    x = np.random.default_rng(2).standard_normal((200, 6)).astype("float32") * 3
    result, tries = integrated_gradients_until_complete(model, x, steps=2, share=0.99, max_steps=512)
    assert tries["steps"].tolist() == [2 * 2 ** i for i in range(len(tries))]
    assert result["steps"] == tries["steps"].max()
    assert tries["reached"].iloc[-1] and complete_rows(result).mean() >= 0.99
    assert not tries["reached"].iloc[0]  # two steps are too few for this network
    direct = integrated_gradients(model, x, steps=result["steps"])  # the doublings reuse their points: same sum
    np.testing.assert_allclose(result["attributions"]["x"], direct["attributions"]["x"], rtol=1e-4, atol=1e-6)
    small_batches = integrated_gradients(model, x, steps=result["steps"], batch_rows=150)  # one point per call
    np.testing.assert_allclose(small_batches["attributions"]["x"], direct["attributions"]["x"], rtol=1e-4, atol=1e-6)
    broken = {**result, "completeness_gap": result["completeness_gap"] + 0.2 * (result["output"]
                                                                               - result["baseline_output"])}
    assert complete_rows(broken).mean() < 0.5  # attributions off by 20% of each row's change are caught
    with pytest.raises(ValueError, match="max_steps"):
        integrated_gradients_until_complete(model, x, steps=64, max_steps=32)
    tight, tight_tries = integrated_gradients_until_complete(model, x, steps=2, tolerance=0.01, max_steps=4096)
    assert tight["steps"] > result["steps"] and tight_tries["reached"].iloc[-1]  # 1% needs more steps than 5%
    assert complete_rows(tight, tolerance=0.01).mean() >= 0.99


def test_permutation_importance_finds_the_input_the_model_uses():
    rng = np.random.default_rng(0)
    inputs = {"used": rng.standard_normal((500, 2)), "ignored": rng.integers(0, 5, (500, 4))}
    y = (inputs["used"][:, 0] > 0).astype(int)

    def predict(batch):
        return batch["used"][:, 0]

    table = permutation_importance_by_input(predict, inputs, y, roc_auc_score, n_repeats=3)
    assert list(table["group"]) == ["used", "ignored"]
    assert table.loc[0, "baseline"] == 1.0 and table.loc[0, "drop_mean"] > 0.3
    assert table.loc[1, "drop_mean"] == 0.0 and table.loc[1, "drop_std"] == 0.0
    grouped = permutation_importance_by_input(predict, inputs, y, roc_auc_score,
                                              groups={"tower": ["used", "ignored"]}, n_repeats=2)
    assert grouped.loc[0, "inputs"] == "used, ignored"
    with pytest.raises(KeyError):
        permutation_importance_by_input(predict, inputs, y, roc_auc_score, groups={"x": ["missing"]})


def test_linear_shap_is_coefficient_times_distance_from_the_background_mean(fitted_logistic):
    model, frame = fitted_logistic
    preprocess, classifier = model[:-1], model[-1]
    background = np.asarray(preprocess.transform(frame.iloc[:250]), dtype=float)  # more than shap's 100 by default
    rows = np.asarray(preprocess.transform(frame.iloc[250:]), dtype=float)
    values, base = linear_shap(classifier, background, rows)
    beta, mean = classifier.coef_.ravel(), background.mean(axis=0)
    np.testing.assert_allclose(values, beta * (rows - mean), atol=1e-12)
    assert base == pytest.approx(classifier.intercept_[0] + beta @ mean, abs=1e-12)
    np.testing.assert_allclose(values.sum(axis=1) + base, model.decision_function(frame.iloc[250:]), atol=1e-10)
