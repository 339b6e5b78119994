import numpy as np
import pandas as pd

from rec_utils.features.propensity import NUMERIC_FEATURES
from rec_utils.models.trees import boosted_trees_pipeline


def pairs(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(rng.standard_normal((n, len(NUMERIC_FEATURES))), columns=NUMERIC_FEATURES)
    frame["country"] = rng.choice(["United Kingdom", "France", "Germany"], size=n)
    label = (frame[NUMERIC_FEATURES[0]] * frame[NUMERIC_FEATURES[1]] > 0).astype(int).to_numpy()  # no linear signal
    return frame, label


def test_trees_learn_an_interaction_a_linear_model_cannot():
    frame, label = pairs(2000, 0)
    model = boosted_trees_pipeline(max_iter=50, seed=0).fit(frame, label)
    test, test_label = pairs(500, 1)
    assert np.mean(model.predict(test) == test_label) > 0.85


def test_trees_are_seeded_and_accept_an_unknown_country():
    frame, label = pairs(300, 2)
    unseen = frame.head(5).assign(country="Iceland")
    first = boosted_trees_pipeline(max_iter=20, seed=3).fit(frame, label).predict_proba(unseen)
    second = boosted_trees_pipeline(max_iter=20, seed=3).fit(frame, label).predict_proba(unseen)
    np.testing.assert_array_equal(first, second)
    assert first.shape == (5, 2)
