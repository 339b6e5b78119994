"""History matrices and summaries, and the baselines' design matrix."""

import numpy as np
import pandas as pd
import pytest

from rec_utils.features.click_features import ClickFeatures
from rec_utils.features.history import PADDING, history_matrix, history_mean, history_summary


def test_history_matrix_keeps_the_most_recent_clicks_left_aligned():
    matrix = history_matrix([(), (4,), (1, 2, 3, 4, 5)], 3)
    np.testing.assert_array_equal(matrix, [[-1, -1, -1], [4, -1, -1], [3, 4, 5]])
    assert matrix.dtype == np.int32 and PADDING == -1
    with pytest.raises(ValueError):
        history_matrix([()], 0)


def test_history_summary_by_hand():
    history = np.array([[0, 1, -1], [-1, -1, -1]])
    one_hot = np.eye(2)[[0, 1, 1]]  # items 0, 1, 2 in classes 0, 1, 1
    image = np.array([[1.0], [3.0], [5.0]])
    price = np.array([-1.0, 1.0, 2.0])
    np.testing.assert_allclose(history_mean(history, image), [[2.0], [0.0]])
    features, names = history_summary(history, np.array([2, 0]), one_hot, image, price)
    assert len(names) == features.shape[1] == 2 + 1 + 5
    expected_first = [0.5, 0.5, 2.0, np.log(3), 0.0, 0.5, 10.0, 0.0]  # shares, image mean, log(1+2), price, crosses
    np.testing.assert_allclose(features[0], expected_first, rtol=1e-6)
    np.testing.assert_allclose(features[1], 0.0)


def _rows():
    return pd.DataFrame({"search_keywords": ["shoes", "dress", "shoes"], "item_id": [0, 1, 2],
                         "product_description": ["dark boot", "summer dress", "new"],
                         "previous_clicks": [(), (0,), (0, 1)]})


def test_every_row_has_its_query_and_its_query_class_cross():
    attributes = np.column_stack([[0.1, -0.2, 0.3], np.eye(3)])  # price, then one-hot of classes 0, 1, 2
    features = ClickFeatures(attributes).fit(_rows())
    summary = history_summary(history_matrix(_rows()["previous_clicks"], 2), _rows()["item_id"].to_numpy(),
                              attributes[:, 1:], np.zeros((3, 0)), attributes[:, 0])
    X = features.transform(_rows(), summary).toarray()
    assert X.shape[1] == len(features.names) and features.names[-1] == "candidate price × history price"
    with pytest.raises(ValueError, match="one row per impression"):
        features.transform(_rows().iloc[:2], summary)
    names = np.array(features.names)
    query = np.char.startswith(names.astype(str), "query=")
    cross = np.char.startswith(names.astype(str), "query x class")
    np.testing.assert_array_equal(X[:, query].sum(axis=1), 1)  # the query block is never empty
    np.testing.assert_array_equal(X[:, cross].sum(axis=1), 1)
    assert X[2, list(names).index("query x class: shoes x 2")] == 1
    unseen = features.transform(_rows().assign(search_keywords=["bag", "bag", "bag"]), summary).toarray()
    assert unseen[:, query].sum() == 0  # an unseen query is all zeros, not an error
    trees, categorical = features.tree_features(_rows())
    assert trees.shape[1] == categorical.size and categorical[:2].all() and not categorical[2:].any()
    np.testing.assert_array_equal(trees[:, 1], [0, 1, 2])
