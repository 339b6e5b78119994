"""Running a policy through an Episode of the interactive environment, round by round, and what it records.

A policy is any object with `select(context, k) -> (S, U, k)` candidate positions and
`update(context, chosen, clicks)`, clicks (S, U, k) bool (rec_utils.models.bandits holds them).
Per round t and seed s the run records, summed over the round's U users:

    reward[s, t]   Σ_u Σ_{i shown} μ(u, q, i)          expected clicks of the shown slates
    oracle[s, t]   Σ_u max_{|S|=k} Σ_{i∈S} μ(u, q, i)   the best slates given what a policy sees
    ceiling[s, t]  the same with the hidden-target probabilities p (sees the hidden target: not achievable)
    clicks[s, t]   realised clicks

so regret = cumsum(oracle − reward) is exact (no sampling noise from the clicks).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from rec_utils.runtime.progress import progress_bar
from rec_utils.simulation.episode import N_CATEGORIES, Context, Episode


class Policy(Protocol):
    def select(self, context: Context, k: int) -> np.ndarray: ...

    def update(self, context: Context, chosen: np.ndarray, clicks: np.ndarray) -> None: ...


@dataclass
class BanditRun:
    """What one policy did in one Episode; per-round arrays are (S, T).

    impressions: (S, n_items) times each item was shown. distinct_categories: (S, W) mean number of
    distinct categories shown to a user within each window of `window` rounds (over users who visited).
    new_share: (S, T) share of the round's impressions on items flagged new (cold start), else None.
    chosen: (S, T, U, k) candidate positions when recorded, else None.
    """

    k: int
    users_per_round: int
    reward: np.ndarray
    oracle: np.ndarray
    ceiling: np.ndarray
    clicks: np.ndarray
    impressions: np.ndarray
    distinct_categories: np.ndarray
    window: int
    new_share: np.ndarray | None = None
    chosen: np.ndarray | None = None

    @property
    def regret(self) -> np.ndarray:
        """Cumulative expected regret against the best slates given the observable context: (S, T)."""
        return np.cumsum(self.oracle - self.reward, axis=1)

    @property
    def ctr(self) -> np.ndarray:
        """Expected click-through rate of each round's impressions (Σ μ / (U k)): (S, T)."""
        return self.reward / (self.users_per_round * self.k)


def top_k_sum(values: np.ndarray, k: int) -> np.ndarray:
    """Sum of the k largest entries along the last axis."""
    return np.sum(np.partition(values, values.shape[-1] - k, axis=-1)[..., -k:], axis=-1)


def run_policy(episode: Episode, policy: Policy, k: int, *, window: int = 100, record_choices: bool = False,
               description: str | None = None) -> BanditRun:
    """Run `policy` through every round of `episode`, showing k of the M candidates to each user."""
    s, t_rounds, u, m = episode.shape
    if not 1 <= k <= m:
        raise ValueError(f"k must be between 1 and the number of candidates {m}, got {k}")
    n_items, n_users = episode.environment.n_items, episode.environment.n_users
    oracle = top_k_sum(episode.mu, k).sum(axis=2)
    ceiling = top_k_sum(episode.p, k).sum(axis=2)
    reward, clicks = np.zeros((s, t_rounds)), np.zeros((s, t_rounds))
    impressions = np.zeros((s, n_items), dtype=np.int64)
    n_windows = -(-t_rounds // window)
    distinct = np.zeros((s, n_windows))
    shown_categories = np.zeros((s, n_users, N_CATEGORIES), dtype=bool)
    new_share = np.zeros((s, t_rounds)) if episode.new_items.any() else None
    chosen_all = np.zeros((s, t_rounds, u, k), dtype=np.int16) if record_choices else None
    seed_index = np.arange(s)[:, None, None]
    for t in progress_bar(range(t_rounds), desc=description, leave=False):
        context = episode.context(t)
        chosen = np.asarray(policy.select(context, k))
        if chosen.shape != (s, u, k):
            raise ValueError(f"select returned shape {chosen.shape}, expected {(s, u, k)}")
        user_index = np.arange(u)[None, :, None]
        got = episode.clicks[:, t][seed_index, user_index, chosen]
        policy.update(context, chosen, got)
        reward[:, t] = episode.mu[:, t][seed_index, user_index, chosen].sum(axis=(1, 2))
        clicks[:, t] = got.sum(axis=(1, 2))
        items = context.candidates[seed_index, user_index, chosen]
        np.add.at(impressions, (np.broadcast_to(seed_index, items.shape), items), 1)
        shown_categories[seed_index, context.users[..., None], episode.environment.category[items]] = True
        if new_share is not None:
            new_share[:, t] = episode.new_items[items].mean(axis=(1, 2))
        if record_choices:
            chosen_all[:, t] = chosen
        if (t + 1) % window == 0 or t + 1 == t_rounds:
            per_user = shown_categories.sum(axis=2)
            visited = per_user > 0
            distinct[:, t // window] = (per_user * visited).sum(axis=1) / np.maximum(visited.sum(axis=1), 1)
            shown_categories[:] = False
    return BanditRun(k, u, reward, oracle, ceiling, clicks, impressions, distinct, window, new_share, chosen_all)


def concatenate_runs(parts: list[BanditRun]) -> BanditRun:
    """Consecutive segments of one policy's run as one BanditRun (impressions summed, rounds joined)."""
    join = {name: np.concatenate([getattr(p, name) for p in parts], axis=1)
            for name in ("reward", "oracle", "ceiling", "clicks", "distinct_categories")}
    new_share = None if parts[0].new_share is None else np.concatenate([p.new_share for p in parts], axis=1)
    chosen = None if parts[0].chosen is None else np.concatenate([p.chosen for p in parts], axis=1)
    return BanditRun(parts[0].k, parts[0].users_per_round, join["reward"], join["oracle"], join["ceiling"],
                     join["clicks"], sum(p.impressions for p in parts), join["distinct_categories"], parts[0].window,
                     new_share, chosen)


def run_in_segments(episode: Episode, policy: Policy, k: int, n_segments: int,
                    measure: Callable[[Policy], np.ndarray]) -> tuple[BanditRun, np.ndarray]:
    """Run the episode in `n_segments` equal consecutive parts (one window each) and call `measure(policy)`
    after each, e.g. to check what the policy's model believes at that point. Returns the whole run and the
    stacked measurements (n_segments, ...)."""
    n_rounds = episode.shape[1]
    if not 1 <= n_segments <= n_rounds or n_rounds % n_segments:
        raise ValueError(f"n_segments must divide the {n_rounds} rounds, got {n_segments}")
    length = n_rounds // n_segments
    parts, measurements = [], []
    for start in range(0, n_rounds, length):
        parts.append(run_policy(episode.rounds(start, start + length), policy, k, window=length))
        measurements.append(measure(policy))
    return concatenate_runs(parts), np.stack(measurements)
