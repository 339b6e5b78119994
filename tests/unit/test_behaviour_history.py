"""The full behaviour history: earlier sessions only, oldest first, the most recent kept, padding ignored."""

import numpy as np
import pandas as pd
import pytest

from rec_utils.features.behaviour import (
    BehaviourHistory,
    behaviour_history,
    full_history_summary,
    query_class_profile,
)
from rec_utils.features.history import PADDING


def _log() -> pd.DataFrame:
    # user 7: sessions 0 (items 1, 2), 1 (item 3), 2 (items 4, 5); user 8: session 3 (item 6); rows shuffled
    rows = pd.DataFrame({"user_id": [7, 7, 7, 7, 7, 8], "session_id": [0, 0, 1, 2, 2, 3],
                         "item_id": [1, 2, 3, 4, 5, 6], "clicked": [1, 0, 0, 1, 0, 1]})
    return rows.iloc[[4, 0, 5, 2, 1, 3]].reset_index(drop=True)


def test_history_holds_earlier_sessions_only_oldest_first_and_aligned_with_the_rows():
    log = _log()
    history = behaviour_history(log, query_ids=log["session_id"].to_numpy() + 10, max_len=4)
    by_item = {item: row for row, item in enumerate(log["item_id"])}
    np.testing.assert_array_equal(history.items[by_item[5]], [1, 2, 3, PADDING])  # not item 4 (same page)
    np.testing.assert_array_equal(history.clicked[by_item[5]], [1, 0, 0, 0])
    np.testing.assert_array_equal(history.query[by_item[5]], [10, 10, 11, 0])
    np.testing.assert_array_equal(history.items[by_item[3]], [1, 2, PADDING, PADDING])
    assert (history.items[by_item[1]] == PADDING).all() and (history.items[by_item[6]] == PADDING).all()
    assert history.items.dtype == np.int32


def test_only_the_most_recent_earlier_impressions_are_kept():
    history = behaviour_history(_log(), query_ids=np.zeros(6, int), max_len=2)
    row = _log()["item_id"].tolist().index(4)
    np.testing.assert_array_equal(history.items[row], [2, 3])


def test_clicked_only_keeps_the_clicks_left_aligned():
    history = BehaviourHistory(np.array([[1, 2, 3, -1]]), np.array([[0, 1, 1, 0]]), np.array([[5, 5, 6, 0]]))
    clicks = history.clicked_only()
    np.testing.assert_array_equal(clicks.items, [[2, 3, -1, -1]])
    np.testing.assert_array_equal(clicks.query, 0)  # a clicks-only log does not know the searches
    np.testing.assert_array_equal(clicks.clicked, [[1, 1, 0, 0]])


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="max_len"):
        behaviour_history(_log(), np.zeros(6, int), max_len=0)
    with pytest.raises(ValueError, match="query_ids"):
        behaviour_history(_log(), np.zeros(5, int), max_len=3)


def test_query_profile_counts_clicked_classes_with_a_prior():
    profile = query_class_profile(np.array([0, 0, 0, 1]), np.array([1, 1, 0, 0]), np.array([1, 1, 0, 0]),
                                  n_queries=3, n_classes=2, prior=1.0)
    np.testing.assert_allclose(profile, [[1 / 4, 3 / 4], [1 / 2, 1 / 2], [1 / 2, 1 / 2]])


def test_summary_by_hand_and_padding_is_ignored():
    item_class = np.array([0, 1, 1])
    image = np.array([[1.0], [3.0], [-1.0]])
    price = np.array([0.5, -0.5, 1.0])
    profile = np.array([[0.5, 0.5], [0.9, 0.1]])
    history = BehaviourHistory(np.array([[1, 2, -1], [-1, -1, -1]]), np.array([[1, 0, 0], [0, 0, 0]]),
                               np.array([[1, 1, 0], [0, 0, 0]]))
    features, names = full_history_summary(history, np.array([2, 0]), item_class, 2, image, price, profile)
    assert features.shape == (2, len(names)) == (2, 3 * 2 + 4 + 1 + 5)
    row = dict(zip(names, features[0]))
    assert row["earlier shown of the candidate's class"] == 2 and row["earlier clicked of the candidate's class"] == 1
    assert row["taste direction 0 (clicked - skipped image)"] == pytest.approx(3.0 - (-1.0))
    assert row["candidate image · taste direction"] == pytest.approx(4.0 * -1.0)
    assert row["earlier searches for class 0"] == pytest.approx(0.9)
    padded = BehaviourHistory(np.array([[1, 2, -1, -1]]), np.array([[1, 0, 1, 1]]), np.array([[1, 1, 0, 1]]))
    same, _ = full_history_summary(padded, np.array([2]), item_class, 2, image, price, profile)
    np.testing.assert_allclose(same[0], features[0])  # what sits in padded positions changes nothing
    np.testing.assert_allclose(features[1], [0] * 6 + [0, 0, 0.3, 0] + [0] * 6)  # no history: only the prior rate
