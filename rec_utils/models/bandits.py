"""Bandit policies for the interactive environment: one small class each, vectorised over S seeds.

Every policy has `select(context, k) -> (S, U, k)` positions into the context's M candidates and
`update(context, chosen, clicks)` with clicks (S, U, k) bool. Fixed policies (random, greedy on fixed
scores, their mixture) also give `inclusion(context, k)`: the probability (S, U, M) that each candidate
is shown, which off-policy estimators need. Each policy draws its randomness from one generator for all
S seeds. Ties are broken at random.

Discrete-arm policies keep clicks c_a and impressions n_a per arm a (an ArmKey: item, category,
query × category or user × category) and per seed, and score each candidate by its arm:

    ε-greedy       mean c_a / n_a (0 before the first impression); with probability ε_t a uniformly
                   random slate, ε_t = ε or, decaying, ε · τ / (τ + t)
    UCB1           c_a / n_a + α · sqrt(2 ln N / n_a), N = impressions so far (Auer et al. 2002; α = 1);
                   an arm never shown scores +∞
    Thompson       draw θ_a ~ Beta(a₀ + c_a, b₀ + n_a − c_a) for each candidate (Chapelle & Li 2011)

Linear policies (LinUCB, linear Thompson sampling) live in rec_utils.models.linear_bandits.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from rec_utils.simulation.episode import ArmKey, Context


def top_k_positions(scores: np.ndarray, k: int, rng: np.random.Generator | None = None) -> np.ndarray:
    """Positions of the k largest scores along the last axis, best first: (..., k).

    With `rng`, equal scores (e.g. several +∞) are ordered at random; without, by position.
    """
    if rng is None:
        return np.argsort(-scores, axis=-1, kind="stable")[..., :k]
    return np.lexsort((rng.random(scores.shape), -scores), axis=-1)[..., :k]


def shown_indicator(chosen: np.ndarray, n_candidates: int) -> np.ndarray:
    """(..., k) positions -> (..., M) float indicator of the shown candidates."""
    shown = np.zeros(chosen.shape[:-1] + (n_candidates,))
    np.put_along_axis(shown, chosen, 1.0, axis=-1)
    return shown


class RandomPolicy:
    """A uniformly random slate of k candidates: inclusion probability k / M for each."""

    def __init__(self, seed: int = 0):
        self.rng = np.random.default_rng(seed)

    def select(self, context: Context, k: int) -> np.ndarray:
        return top_k_positions(self.rng.random(context.shape), k)

    def update(self, context: Context, chosen: np.ndarray, clicks: np.ndarray) -> None:
        pass

    def inclusion(self, context: Context, k: int) -> np.ndarray:
        return np.full(context.shape, k / context.shape[-1])


class GreedyScores:
    """Pure exploitation of fixed scores: the top k by `score(context)` (S, U, M); never updated.

    For a click model trained once on logged data: `GreedyScores.from_table(table)` with table
    (n_queries, n_items) = the model's P(click | query word, item).
    """

    def __init__(self, score: Callable[[Context], np.ndarray]):
        self.score = score

    @classmethod
    def from_table(cls, table: np.ndarray) -> GreedyScores:
        table = np.asarray(table)
        return cls(lambda context: table[context.queries[..., None], context.candidates])

    def select(self, context: Context, k: int) -> np.ndarray:
        return top_k_positions(self.score(context), k)

    def update(self, context: Context, chosen: np.ndarray, clicks: np.ndarray) -> None:
        pass

    def inclusion(self, context: Context, k: int) -> np.ndarray:
        return shown_indicator(self.select(context, k), context.shape[-1])


class SlateMixture:
    """With probability ε a uniformly random slate, otherwise `base`'s slate (a logging policy).

    Inclusion: ε · k / M + (1 − ε) · base.inclusion. `explored` lists, per select call, which visits
    (S, U) got the uniform slate (the part of the log that replay evaluation may use).
    """

    def __init__(self, base: GreedyScores, epsilon: float, seed: int = 0):
        if not 0 <= epsilon <= 1:
            raise ValueError(f"epsilon must be in [0, 1], got {epsilon}")
        self.base, self.epsilon = base, epsilon
        self.uniform = RandomPolicy(seed)
        self.rng = np.random.default_rng([seed, 1])
        self.explored: list[np.ndarray] = []

    def select(self, context: Context, k: int) -> np.ndarray:
        explore = self.rng.random(context.shape[:2]) < self.epsilon
        self.explored.append(explore)
        return np.where(explore[..., None], self.uniform.select(context, k), self.base.select(context, k))

    def update(self, context: Context, chosen: np.ndarray, clicks: np.ndarray) -> None:
        pass

    def inclusion(self, context: Context, k: int) -> np.ndarray:
        return self.epsilon * k / context.shape[-1] + (1 - self.epsilon) * self.base.inclusion(context, k)


class _ArmPolicy:
    """Clicks and impressions per (seed, arm); subclasses score candidates from them."""

    def __init__(self, key: ArmKey, n_seeds: int, seed: int = 0):
        self.key, self.n_seeds = key, n_seeds
        self.clicks = np.zeros((n_seeds, key.n_arms))
        self.pulls = np.zeros((n_seeds, key.n_arms))
        self.rng = np.random.default_rng(seed)
        self.rounds = 0

    def _per_candidate(self, values: np.ndarray, context: Context) -> np.ndarray:
        return values[np.arange(self.n_seeds)[:, None, None], self.key.ids(context)]

    def arm_rates(self) -> np.ndarray:
        """Click rate of every arm (0 for an arm never shown): (S, n_arms); the policy's model of the arms."""
        return np.where(self.pulls > 0, self.clicks / np.maximum(self.pulls, 1), 0.0)

    def means(self, context: Context) -> np.ndarray:
        """Click rate of each candidate's arm (0 for an arm never shown): (S, U, M)."""
        pulls = self._per_candidate(self.pulls, context)
        return np.where(pulls > 0, self._per_candidate(self.clicks, context) / np.maximum(pulls, 1), 0.0)

    def update(self, context: Context, chosen: np.ndarray, clicks: np.ndarray) -> None:
        arms = np.take_along_axis(self.key.ids(context), chosen, axis=-1)
        flat = (np.arange(self.n_seeds)[:, None, None] * self.key.n_arms + arms).ravel()
        size = self.n_seeds * self.key.n_arms
        self.pulls += np.bincount(flat, minlength=size).reshape(self.pulls.shape)
        self.clicks += np.bincount(flat, weights=np.ravel(clicks).astype(float), minlength=size).reshape(
            self.clicks.shape)
        self.rounds += 1


class EpsilonGreedy(_ArmPolicy):
    """ε-greedy on per-arm click rates; ε = 0 is greedy with online updates (no exploration).

    decay_rounds τ: ε_t = ε · τ / (τ + t) after t rounds (None: constant ε).
    """

    def __init__(self, key: ArmKey, n_seeds: int, epsilon: float, decay_rounds: float | None = None, seed: int = 0):
        super().__init__(key, n_seeds, seed)
        if not 0 <= epsilon <= 1:
            raise ValueError(f"epsilon must be in [0, 1], got {epsilon}")
        if decay_rounds is not None and decay_rounds <= 0:
            raise ValueError(f"decay_rounds must be positive, got {decay_rounds}")
        self.epsilon, self.decay_rounds = epsilon, decay_rounds

    def current_epsilon(self) -> float:
        if self.decay_rounds is None:
            return self.epsilon
        return self.epsilon * self.decay_rounds / (self.decay_rounds + self.rounds)

    def select(self, context: Context, k: int) -> np.ndarray:
        explore = self.rng.random(context.shape[:2]) < self.current_epsilon()
        greedy = top_k_positions(self.means(context), k, self.rng)
        return np.where(explore[..., None], top_k_positions(self.rng.random(context.shape), k), greedy)


class UCB1(_ArmPolicy):
    """Upper confidence bound: mean + α · sqrt(2 ln N / n_a); α = 1 is Auer et al.'s UCB1."""

    def __init__(self, key: ArmKey, n_seeds: int, alpha: float = 1.0, seed: int = 0):
        super().__init__(key, n_seeds, seed)
        if alpha < 0:
            raise ValueError(f"alpha must be >= 0, got {alpha}")
        self.alpha = alpha

    def select(self, context: Context, k: int) -> np.ndarray:
        pulls = self._per_candidate(self.pulls, context)
        total = np.maximum(self.pulls.sum(axis=1), 1.0)[:, None, None]
        width = np.sqrt(2 * np.log(total) / np.maximum(pulls, 1))
        index = np.where(pulls > 0, self.means(context) + self.alpha * width, np.inf)
        return top_k_positions(index, k, self.rng)


class BetaThompson(_ArmPolicy):
    """Beta-Bernoulli Thompson sampling: each candidate scores a draw from its arm's Beta posterior."""

    def __init__(self, key: ArmKey, n_seeds: int, prior: tuple[float, float] = (1.0, 1.0), seed: int = 0):
        super().__init__(key, n_seeds, seed)
        if min(prior) <= 0:
            raise ValueError(f"Beta prior parameters must be positive, got {prior}")
        self.prior = prior

    def select(self, context: Context, k: int) -> np.ndarray:
        clicks = self._per_candidate(self.clicks, context)
        misses = self._per_candidate(self.pulls, context) - clicks
        return top_k_positions(self.rng.beta(self.prior[0] + clicks, self.prior[1] + misses), k)


