import numpy as np
import pandas as pd
import pytest

from rec_utils.features.propensity import CATEGORICAL_FEATURES, NUMERIC_FEATURES
from rec_utils.models.logistic import (
    contributions,
    logistic_pipeline,
    logistic_probability,
    printed_logistic_probability,
    sigmoid,
)


def test_correct_formula_on_the_article_example():
    # β0 = 1, β_price = -0.02, β_age = 0.01 at price 100, age 30: z = 1 - 2 + 0.3 = -0.7
    p = logistic_probability(1.0, [-0.02, 0.01], [100, 30])
    assert p == pytest.approx(1 / (1 + np.exp(0.7)), rel=1e-12)


def test_printed_formula_reverses_feature_effects():
    printed = printed_logistic_probability(1.0, [-0.02, 0.01], [100, 30])
    assert printed == pytest.approx(1 / (1 + np.exp(-1.0 - 2.0 + 0.3)), rel=1e-12)
    prices = np.column_stack([np.linspace(0, 300, 11), np.full(11, 30.0)])
    assert np.all(np.diff(logistic_probability(1.0, [-0.02, 0.01], prices)) < 0)
    assert np.all(np.diff(printed_logistic_probability(1.0, [-0.02, 0.01], prices)) > 0)
    # with no features the two agree: the sign error only touches the β·X terms
    assert logistic_probability(0.4, [0.0], [5.0]) == pytest.approx(printed_logistic_probability(0.4, [0.0], [5.0]))


def test_sigmoid_is_stable_for_extreme_inputs():
    values = sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    np.testing.assert_allclose(values, [0.0, 0.5, 1.0])


def test_contributions_reproduce_predict_proba():
    rng = np.random.default_rng(0)
    n = 400
    frame = pd.DataFrame(rng.standard_normal((n, len(NUMERIC_FEATURES))), columns=NUMERIC_FEATURES)
    frame["country"] = rng.choice(["United Kingdom", "France", "Germany"], size=n)
    label = (frame["log_popularity"] + rng.standard_normal(n) > 0).astype(int)
    model = logistic_pipeline().fit(frame[NUMERIC_FEATURES + CATEGORICAL_FEATURES], label)
    row = frame.iloc[[3]]
    terms = contributions(model, row)
    assert float(sigmoid(terms["contribution"].sum())) == pytest.approx(model.predict_proba(row)[0, 1], abs=1e-12)
    with pytest.raises(ValueError, match="one row"):
        contributions(model, frame.iloc[:2])
