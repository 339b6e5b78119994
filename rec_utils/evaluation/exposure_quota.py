"""A second exposure mitigation beside evaluation.fairness.rerank_for_exposure: a calibrated exposure constraint.

    lists = rerank_to_exposure_quota(candidates, item_groups, k, target_share)   # (n_users, k), best first

Where the soft re-ranker adds a bonus to under-exposed groups and leaves the result to a strength chosen on
validation, this one makes the groups' shares of exposure follow the target as a constraint. Users are served in
order and their slots rank by rank; each slot (attention w_r = 1 / log2(r + 1)) goes to the group with the largest
deficit target_G x (attention given so far, this slot included) - attention given to G, among the groups still in
the user's candidates, and is filled by that group's best-ranked remaining candidate. So every group's exposure
share over all lists ends within one slot's attention of its target, whatever the recommender prefers, and the
relevance order is kept only within a group: the cost in NDCG is what such a hard constraint costs.
"""

from __future__ import annotations

import numpy as np

from rec_utils.evaluation.fairness import position_weights


def rerank_to_exposure_quota(candidates: np.ndarray, item_groups: np.ndarray, k: int,
                             target_share: dict[str, float]) -> np.ndarray:
    """Each user's top k from candidates (n_users, M) item indices, best first, with every group's exposure share
    over all lists held to target_share ({group: share}, summing to 1; groups absent from it get no quota and are
    shown only where nothing else is left). item_groups: (n_items,) labels. Returns (n_users, k) item indices."""
    candidates = np.asarray(candidates)
    n_users, m = candidates.shape
    if not 1 <= k <= m:
        raise ValueError(f"k must be between 1 and the number of candidates {m}, got {k}")
    if any(share < 0 for share in target_share.values()) or not np.isclose(sum(target_share.values()), 1.0):
        raise ValueError(f"target_share must be non-negative shares summing to 1, got {target_share}")
    names = sorted({*target_share, *np.unique(np.asarray(item_groups)[candidates])})
    target = np.array([target_share.get(name, 0.0) for name in names])
    group_of = np.searchsorted(names, np.asarray(item_groups)[candidates])  # (n_users, M) group index per slot
    weights, given, total = position_weights(k), np.zeros(len(names)), 0.0
    lists = np.empty((n_users, k), dtype=candidates.dtype)
    for user in range(n_users):
        left = np.ones(m, bool)
        for rank, weight in enumerate(weights):
            total += weight
            present = np.bincount(group_of[user, left], minlength=len(names)) > 0
            group = int(np.argmax(np.where(present, target * total - given, -np.inf)))
            slot = int(np.flatnonzero(left & (group_of[user] == group))[0])  # the group's best-ranked candidate left
            lists[user, rank], left[slot] = candidates[user, slot], False
            given[group] += weight
    return lists
