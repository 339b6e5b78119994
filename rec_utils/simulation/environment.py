"""An interactive environment on the click simulator: users arrive, a policy shows k of M candidates, clicks follow.

The world is the one `simulate_clicks` draws for the same `SimulatorConfig` (same catalogue, same users,
drawn in the same order from the same seed), so the simulator's historical impressions are the past of
these users. One user visit, for each of S independent runs ("seeds"), T rounds and U users per round:

    user u      uniform over the n_users users; hidden class taste θ_u, visual taste t_u, price sensitivity s_u
    target c    ~ θ_u (hidden);  query q ~ P(q | c): a precise word of c (rate ρ) or an ambiguous word naming c
    candidates  M distinct items: ⌊M/2⌋ from the classes q names (search results), the rest uniform,
                in random order
    click       Bernoulli(p(u, c, q, i)), p = sigmoid(logit) with the simulator's logit (clicks.py docstring)

A policy sees (u, q, candidates) but not c. Given what it sees, the best it can expect of item i is

    μ(u, q, i) = Σ_c P(c | u, q) · p(u, c, q, i),   P(c | u, q) ∝ θ_u[c] · P(q | c),

so the optimal slate of a visit is the k candidates with the largest μ (clicks are additive), and regret
against it is exact. The hidden-target ceiling (top-k by p, knowing c) is reported too; no policy can
reach it, because c is never observed.

An `Episode` draws every arrival, candidate set and potential click outcome in advance: arrays
(S, T, U) and (S, T, U, M). Probabilities are computed in float64 (a click coin then falls on the same side
on every machine) and stored in float32. Every policy run on the same episode meets the same users, queries,
candidates and click coins (common random numbers), so differences between policies are paired.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rec_utils.simulation.clicks import (
    AMBIGUOUS_WORDS,
    PRECISE_WORDS,
    SimulatorConfig,
    make_catalog,
    pixel_components,
)
from rec_utils.simulation.episode import N_CATEGORIES, ArmKey, Episode

QUERY_WORDS: tuple[str, ...] = tuple(w for c in range(N_CATEGORIES) for w in PRECISE_WORDS[c]) + tuple(AMBIGUOUS_WORDS)
ARM_KINDS = ("item", "category", "query_category", "user_category")


def query_classes() -> np.ndarray:
    """(n_queries, 10) bool: the classes each word of QUERY_WORDS names."""
    named = np.zeros((len(QUERY_WORDS), N_CATEGORIES), dtype=bool)
    for q, word in enumerate(QUERY_WORDS):
        classes = AMBIGUOUS_WORDS.get(word) or [c for c, words in PRECISE_WORDS.items() if word in words]
        named[q, classes] = True
    return named


def query_likelihood(precise_query_rate: float) -> np.ndarray:
    """P(q | target c), (10, n_queries): the simulator's query model (rows sum to 1)."""
    precise = np.array([w not in AMBIGUOUS_WORDS for w in QUERY_WORDS])
    named = query_classes()
    likelihood = np.zeros((N_CATEGORIES, len(QUERY_WORDS)))
    for c in range(N_CATEGORIES):
        mine = named[:, c]
        likelihood[c, mine & precise] = precise_query_rate / np.sum(mine & precise)
        likelihood[c, mine & ~precise] = (1 - precise_query_rate) / np.sum(mine & ~precise)
    return likelihood


def default_item_features(catalog: pd.DataFrame, pixel_pcs: np.ndarray) -> np.ndarray:
    """[standardised log price, pixel principal components, one-hot category]: (n_items, 1 + d + 10)."""
    log_price = np.log(catalog["price"].to_numpy(dtype=float))
    one_hot = np.eye(N_CATEGORIES)[catalog["category"].to_numpy()]
    return np.column_stack([(log_price - log_price.mean()) / log_price.std(), pixel_pcs, one_hot])


class BanditEnvironment:
    """The simulator's world (catalogue, users and their hidden tastes), as an interactive environment.

    item_features: (n_items, d) float features the linear policies see for each item; default
    `default_item_features` (price, the simulator's pixel principal components, category). Pass
    another matrix (e.g. a pretrained encoder's embeddings) to give the policies other features.
    """

    def __init__(self, catalog: pd.DataFrame, pixel_pcs: np.ndarray, config: SimulatorConfig,
                 taste: np.ndarray, visual_taste: np.ndarray, price_sensitivity: np.ndarray,
                 item_features: np.ndarray | None = None):
        self.config = config
        self.catalog = catalog
        self.category = catalog["category"].to_numpy().astype(np.int64)
        self.n_items, self.n_users = len(catalog), len(taste)
        self.taste = taste
        log_price = np.log(catalog["price"].to_numpy(dtype=float))
        price_z = (log_price - log_price.mean()) / log_price.std()
        visual = config.visual_weight * visual_taste @ pixel_pcs.T / np.sqrt(config.visual_dims)
        # the part of the logit that depends on (user, item) only: (n_users, n_items)
        self.user_item = config.bias + visual - config.price_weight * price_sensitivity[:, None] * price_z
        self.named = query_classes()
        self.precise = np.array([w not in AMBIGUOUS_WORDS for w in QUERY_WORDS])
        self.likelihood = query_likelihood(config.precise_query_rate)
        posterior = taste[:, None, :] * self.likelihood.T[None, :, :]  # (n_users, n_queries, 10)
        self.posterior = posterior / posterior.sum(axis=2, keepdims=True)
        # relevance[q, class of item, target c]
        same = np.eye(N_CATEGORIES, dtype=bool)[None, :, :]
        self.relevance = np.where(same, config.relevance_weight,
                                  np.where(self.named[:, :, None], config.query_match_weight, 0.0))
        if item_features is None:
            item_features = default_item_features(catalog, pixel_pcs)
        if len(item_features) != self.n_items:
            raise ValueError(f"item_features has {len(item_features)} rows for {self.n_items} items")
        self.item_features = np.asarray(item_features, dtype=float)

    @classmethod
    def from_photos(cls, images: np.ndarray, labels: np.ndarray, config: SimulatorConfig = SimulatorConfig(),
                    item_features: np.ndarray | None = None) -> BanditEnvironment:
        """The world `simulate_clicks(images, labels, config)` draws: same catalogue, same users."""
        rng = np.random.default_rng(config.seed)
        catalog = make_catalog(labels, config, rng)
        pixel_pcs = pixel_components(images[catalog["image_index"].to_numpy()], config.visual_dims)
        taste = rng.dirichlet(np.full(N_CATEGORIES, config.taste_concentration), size=config.n_users)
        visual_taste = rng.standard_normal((config.n_users, config.visual_dims))
        price_sensitivity = rng.random(config.n_users)
        return cls(catalog, pixel_pcs, config, taste, visual_taste, price_sensitivity, item_features)

    @property
    def n_features(self) -> int:
        """Length d of a candidate's feature vector x(q, i)."""
        return 3 + self.item_features.shape[1]

    def arm_key(self, kind: str) -> ArmKey:
        """The ArmKey of `kind` (one of ARM_KINDS) with its number of arms in this world."""
        sizes = {"item": self.n_items, "category": N_CATEGORIES, "query_category": len(QUERY_WORDS) * N_CATEGORIES,
                 "user_category": self.n_users * N_CATEGORIES}
        if kind not in sizes:
            raise ValueError(f"arm kind must be one of {ARM_KINDS}, got {kind!r}")
        return ArmKey(kind, sizes[kind])

    def features(self, queries: np.ndarray, items: np.ndarray) -> np.ndarray:
        """x(q, i) = [1, q names i's class, q is a precise word of i's class, item_features[i]]: (..., M, d)."""
        match = self.named[queries[..., None], self.category[items]]
        exact = match & self.precise[queries][..., None]
        head = np.stack([np.ones(match.shape), match, exact], axis=-1)
        return np.concatenate([head, self.item_features[items]], axis=-1)

    def click_probability(self, users: np.ndarray, targets: np.ndarray, queries: np.ndarray,
                          items: np.ndarray) -> np.ndarray:
        """True P(click) given the hidden target (the simulator's formula); arguments broadcast."""
        logit = self.user_item[users, items] + self.relevance[queries, self.category[items], targets]
        return 1.0 / (1.0 + np.exp(-logit))

    def expected_click_probability(self, users: np.ndarray, queries: np.ndarray, items: np.ndarray) -> np.ndarray:
        """μ(u, q, i) = Σ_c P(c | u, q) p(u, c, q, i) for users, queries (n,) and items (n, M): (n, M)."""
        relevance = self.relevance[queries[:, None], self.category[items]]  # (n, M, 10 targets)
        logit = self.user_item[users[:, None], items][..., None] + relevance
        p_all = 1.0 / (1.0 + np.exp(-logit))  # (n, M, 10 targets)
        return np.einsum("nmc,nc->nm", p_all, self.posterior[users, queries])

    def draw_episode(self, n_seeds: int, n_rounds: int, users_per_round: int, n_candidates: int, *, seed: int = 0,
                     new_items: np.ndarray | None = None, release_round: int | None = None,
                     chunk_rounds: int = 100) -> Episode:
        """Draw S = n_seeds independent runs of T = n_rounds rounds (see the module docstring).

        Seed s uses np.random.default_rng([seed, s]), so a seed's data do not depend on n_seeds.
        Cold start: items flagged in `new_items` (n_items,) bool are absent from the candidates
        before `release_round` and present from it on.
        """
        if min(n_seeds, n_rounds, users_per_round) < 1 or n_candidates < 2:
            raise ValueError("n_seeds, n_rounds and users_per_round must be >= 1 and n_candidates >= 2")
        new_items = np.zeros(self.n_items, dtype=bool) if new_items is None else np.asarray(new_items, dtype=bool)
        if (release_round is None) != (not new_items.any()):
            raise ValueError("give both new_items (with at least one item) and release_round, or neither")
        shape = (n_seeds, n_rounds, users_per_round)
        slots = shape + (n_candidates,)
        arrays = {"users": np.empty(shape, np.int32), "targets": np.empty(shape, np.int8),
                  "queries": np.empty(shape, np.int16), "candidates": np.empty(slots, np.int32),
                  "mu": np.empty(slots, np.float32), "p": np.empty(slots, np.float32), "clicks": np.empty(slots, bool)}
        taste_cdf = np.cumsum(self.taste, axis=1)
        query_cdf = np.cumsum(self.likelihood, axis=1)
        for s in range(n_seeds):
            rng = np.random.default_rng([seed, s])
            start = 0
            while start < n_rounds:
                stop = min(start + chunk_rounds, n_rounds)
                if release_round is not None and start < release_round < stop:
                    stop = release_round  # a chunk never straddles the release
                released = release_round is not None and start >= release_round
                available = np.flatnonzero(~new_items | released)
                n = (stop - start) * users_per_round
                users = rng.integers(self.n_users, size=n)
                targets = _categorical(taste_cdf[users], rng)
                queries = _categorical(query_cdf[targets], rng)
                candidates = self._candidates(queries, available, n_candidates, rng)
                mu = self.expected_click_probability(users, queries, candidates)
                p = self.click_probability(users[:, None], targets[:, None], queries[:, None], candidates)
                clicks = rng.random(p.shape) < p
                block = (s, slice(start, stop))
                for name, value in (("users", users), ("targets", targets), ("queries", queries)):
                    arrays[name][block] = value.reshape(stop - start, users_per_round)
                for name, value in (("candidates", candidates), ("mu", mu), ("p", p), ("clicks", clicks)):
                    arrays[name][block] = value.reshape(stop - start, users_per_round, n_candidates)
                start = stop
        return Episode(self, **arrays, new_items=new_items, release_round=release_round)

    def _candidates(self, queries: np.ndarray, available: np.ndarray, n_candidates: int,
                    rng: np.random.Generator) -> np.ndarray:
        """(n, M) distinct available items per row: ⌊M/2⌋ from the classes each query names, the rest uniform."""
        n_search = n_candidates // 2
        in_pool = self.named[:, self.category[available]]  # (n_queries, n_available)
        sizes = in_pool.sum(axis=1)
        if sizes[np.unique(queries)].min() < n_search or len(available) < n_candidates:
            raise ValueError(f"too few items for {n_candidates} distinct candidates per visit")
        order = np.argsort(~in_pool, axis=1, kind="stable")  # pool members first, in item order
        out = np.empty((len(queries), n_candidates), dtype=np.int64)
        todo = np.arange(len(queries))
        while len(todo):
            q = queries[todo]
            search = order[q[:, None], (rng.random((len(todo), n_search)) * sizes[q][:, None]).astype(np.int64)]
            rest = rng.integers(len(available), size=(len(todo), n_candidates - n_search))
            out[todo] = available[np.concatenate([search, rest], axis=1)]
            ordered = np.sort(out[todo], axis=1)
            todo = todo[(ordered[:, 1:] == ordered[:, :-1]).any(axis=1)]  # redraw rows with a repeated item
        return np.take_along_axis(out, np.argsort(rng.random(out.shape), axis=1), axis=1)  # position says nothing


def _categorical(cdf: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One draw per row from rows of cumulative probabilities (n, K): (n,) int."""
    draws = rng.random((len(cdf), 1)) * cdf[:, -1:]
    return np.minimum((draws > cdf).sum(axis=1), cdf.shape[1] - 1)
