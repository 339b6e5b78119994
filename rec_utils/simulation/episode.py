"""What a bandit policy meets in rec_utils.simulation.environment: an Episode (every arrival, candidate set and
potential click drawn in advance, arrays (S, T, U) and (S, T, U, M)), the Context of one round (users, query,
candidates and their categories, as the policy sees them) and the ArmKey that maps candidates to discrete arms.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # the environment builds episodes; an episode only refers back to it
    from rec_utils.simulation.environment import BanditEnvironment

N_CATEGORIES = 10


@dataclass(frozen=True)
class ArmKey:
    """Which discrete arm a candidate belongs to, for the policies that keep one estimate per arm.

    kind: "item" (item id), "category", "query_category" (query word × category) or
    "user_category" (user × category: each user's interest in each category).
    """

    kind: str
    n_arms: int

    def ids(self, context: Context) -> np.ndarray:
        """Arm index of every candidate: (S, U, M) int64 in [0, n_arms)."""
        if self.kind == "item":
            return context.candidates.astype(np.int64)
        if self.kind == "category":
            return context.categories.astype(np.int64)
        owner = context.queries if self.kind == "query_category" else context.users
        return owner.astype(np.int64)[..., None] * N_CATEGORIES + context.categories


@dataclass
class Context:
    """What the policies see in one round: arrays (S, U) and (S, U, M) (no hidden target, no μ).

    `features` (S, U, M, d) float64 are built on first use from the environment's item features:
    x(q, i) = [1, class of i named by q, q is a precise word of i's class, item_features[i]].
    """

    round_index: int
    users: np.ndarray
    queries: np.ndarray
    candidates: np.ndarray
    categories: np.ndarray
    environment: BanditEnvironment = field(repr=False)

    @property
    def shape(self) -> tuple[int, int, int]:
        """(S, U, M)."""
        return self.candidates.shape

    @cached_property
    def features(self) -> np.ndarray:
        return self.environment.features(self.queries, self.candidates)


@dataclass
class Episode:
    """Pre-drawn arrivals, candidates and potential outcomes for S seeds × T rounds × U users.

    users, targets (hidden), queries: (S, T, U); candidates: (S, T, U, M) item ids;
    mu: (S, T, U, M) expected click probability given what the policy sees; p: (S, T, U, M) the true
    probability given the hidden target; clicks: (S, T, U, M) bool, the click each candidate would get
    if shown. `available` (n_items,) bool: items in the catalogue by the last round (cold start).
    """

    environment: BanditEnvironment = field(repr=False)
    users: np.ndarray
    targets: np.ndarray
    queries: np.ndarray
    candidates: np.ndarray
    mu: np.ndarray
    p: np.ndarray
    clicks: np.ndarray
    new_items: np.ndarray
    release_round: int | None

    @property
    def shape(self) -> tuple[int, int, int, int]:
        """(S, T, U, M)."""
        return self.candidates.shape

    def category_click_rates(self) -> np.ndarray:
        """Each user's true click rate on each category as it comes up among the candidates: the mean μ over
        every candidate slot of that (user, category) in the episode, (n_users, 10); NaN for pairs never seen.
        It is what a uniformly random slate policy's per-(user, category) click rate converges to."""
        n = self.environment.n_users * N_CATEGORIES
        cells = (self.users[..., None].astype(np.int64) * N_CATEGORIES + self.environment.category[self.candidates])
        totals = np.bincount(cells.ravel(), weights=self.mu.ravel(), minlength=n)
        counts = np.bincount(cells.ravel(), minlength=n)
        with np.errstate(invalid="ignore"):
            return (totals / counts).reshape(-1, N_CATEGORIES)

    def rounds(self, start: int, stop: int) -> Episode:
        """Rounds start..stop−1 as an Episode (views, no copies): run a policy segment by segment."""
        if not 0 <= start < stop <= self.shape[1]:
            raise ValueError(f"rounds {start}..{stop} outside 0..{self.shape[1]}")
        cut = slice(start, stop)
        release = None if self.release_round is None else self.release_round - start
        return Episode(self.environment, self.users[:, cut], self.targets[:, cut], self.queries[:, cut],
                       self.candidates[:, cut], self.mu[:, cut], self.p[:, cut], self.clicks[:, cut],
                       self.new_items, release)

    def context(self, t: int) -> Context:
        """What the policies see in round t."""
        candidates = self.candidates[:, t]
        return Context(t, self.users[:, t], self.queries[:, t], candidates,
                       self.environment.category[candidates], self.environment)

    def context_all(self) -> Context:
        """Every round at once, rounds folded into the user axis: (S, T·U) and (S, T·U, M); for fixed policies."""
        s, t, u, m = self.shape
        candidates = self.candidates.reshape(s, t * u, m)
        return Context(-1, self.users.reshape(s, t * u), self.queries.reshape(s, t * u), candidates,
                       self.environment.category[candidates], self.environment)
