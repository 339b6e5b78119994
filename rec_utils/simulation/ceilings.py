"""Ceilings for click models, computed from the simulator's own generative model (rec_utils.simulation.clicks).

Three probabilities per impression, from the most to the least informed:

    oracle        p_click = P(click | hidden taste θ, t, s, hidden session target c, query, item): no model
                  sees θ, t, s or c, so its AUC is a line no model reaches.
    history       E[p | query, item, the user's earlier sessions (queries, shown items, clicks)]: the best a
                  history-aware model can do. A model that reads only the *clicked* ids of earlier sessions
                  has less information, so this line is an upper bound for it (it should approach it).
    achievable    E[p | query, item]: the best a model without user history can do.

E[p | query, item] factorises: P(c | q) ∝ P(q | c) (the class taste has a symmetric prior), t·z_i/√d is
N(0, |z_i|²/d) and s ~ Uniform(0, 1), so

    E[p | q, i] = Σ_c P(c | q) ∫∫ σ(bias + rel(c, i, q) + visual_weight·g − price_weight·s·price_z_i) dN(g) ds

which `achievable_probability` integrates by Gauss-Hermite × Gauss-Legendre quadrature (error about 1e-8).
`monte_carlo_achievable` estimates the same by simulating the generative model forward, with its standard
error, as an independent check. `history_probability` conditions on the earlier sessions by importance
sampling (hidden variables drawn from their prior, weighted by the likelihood of the past) and
returns the Monte Carlo standard error and effective sample size of each estimate; the class taste is
integrated out exactly there (Pólya urn), only the visual taste and price sensitivity are sampled.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit, log_expit

from rec_utils.simulation.clicks import AMBIGUOUS_WORDS, PRECISE_WORDS, Simulation, SimulatorConfig

N_CLASSES = 10


def query_likelihood(config: SimulatorConfig) -> dict[str, np.ndarray]:
    """P(q | c) for every query word q: {word: (10,) probabilities over the target class c}."""
    table: dict[str, np.ndarray] = {}
    for c, words in PRECISE_WORDS.items():
        for word in words:
            table.setdefault(word, np.zeros(N_CLASSES))[c] += config.precise_query_rate / len(words)
    for word, classes in AMBIGUOUS_WORDS.items():
        for c in classes:
            n_ambiguous = sum(c in cs for cs in AMBIGUOUS_WORDS.values())
            table.setdefault(word, np.zeros(N_CLASSES))[c] += (1 - config.precise_query_rate) / n_ambiguous
    return table


def relevance_by_class(config: SimulatorConfig, query: str, item_class: np.ndarray) -> np.ndarray:
    """rel(c, i, q) for every target class c: (10, n) for n items of classes `item_class`."""
    in_query = query_likelihood(config)[query] > 0
    item_class = np.asarray(item_class)
    match = np.where(in_query[item_class], config.query_match_weight, 0.0)
    return np.where(np.arange(N_CLASSES)[:, None] == item_class[None, :], config.relevance_weight, match[None, :])


def _item_terms(simulation: Simulation) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per impression: item class, sd of the visual term visual_weight·|z_i|/√d, and price_weight·price_z_i."""
    config = simulation.config
    items = simulation.impressions["item_id"].to_numpy()
    visual_sd = config.visual_weight * np.linalg.norm(simulation.components, axis=1) / np.sqrt(config.visual_dims)
    return (simulation.catalog["category"].to_numpy()[items], visual_sd[items],
            config.price_weight * simulation.price_z[items])


def achievable_probability(simulation: Simulation, n_nodes: int = 48, rows: np.ndarray | None = None) -> np.ndarray:
    """E[p | query, item] by quadrature (see the module docstring), for every impression (n,) or for the impressions
    `rows` (indices or a boolean mask; then (len(rows),))."""
    config = simulation.config
    item_class, visual_sd, price = _item_terms(simulation)
    queries = simulation.impressions["search_keywords"].to_numpy()
    if rows is not None:
        item_class, visual_sd, price, queries = (a[rows] for a in (item_class, visual_sd, price, queries))
    g_nodes, g_weights = np.polynomial.hermite_e.hermegauss(n_nodes)  # ∫ f(g) N(g; 0, 1) dg
    g_weights = g_weights / np.sqrt(2 * np.pi)
    s_nodes, s_weights = np.polynomial.legendre.leggauss(n_nodes // 2)  # ∫_0^1 f(s) ds
    s_nodes, s_weights = (s_nodes + 1) / 2, s_weights / 2
    shift = (visual_sd[:, None, None] * g_nodes[None, :, None]
             - price[:, None, None] * s_nodes[None, None, :])  # (n, G, S)
    weights = g_weights[:, None] * s_weights[None, :]
    likelihood = query_likelihood(config)
    result = np.zeros(len(item_class))
    for query in np.unique(queries):
        matching = np.flatnonzero(queries == query)
        class_given_query = likelihood[query] / likelihood[query].sum()
        rel = relevance_by_class(config, query, item_class[matching])  # (10, r)
        for c in np.flatnonzero(class_given_query):
            p = expit(config.bias + rel[c][:, None, None] + shift[matching])
            result[matching] += class_given_query[c] * np.einsum("rgs,gs->r", p, weights)
    return result


def monte_carlo_achievable(simulation: Simulation, rows: np.ndarray, *, n_samples: int = 20_000,
                           seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """E[p | query, item] for impressions `rows` by simulating the generative model forward.

    Draws (θ, c, query) as the simulator does and keeps the draws whose query equals the impression's,
    with fresh visual taste and price sensitivity; returns (estimate, standard error), each (len(rows),).
    Independent of `achievable_probability` (no quadrature, no Bayes rule), so the two can check each other.
    """
    config = simulation.config
    rng = np.random.default_rng(seed)
    theta = rng.dirichlet(np.full(N_CLASSES, config.taste_concentration), size=n_samples)
    target = (theta.cumsum(axis=1) > rng.random(n_samples)[:, None]).argmax(axis=1)
    precise = rng.random(n_samples) < config.precise_query_rate
    pick = rng.random(n_samples)
    drawn = np.empty(n_samples, dtype=object)
    for c in range(N_CLASSES):
        ambiguous = [w for w, cs in AMBIGUOUS_WORDS.items() if c in cs]
        for flag, words in ((True, PRECISE_WORDS[c]), (False, ambiguous)):
            mask = (target == c) & (precise == flag)
            drawn[mask] = np.array(words, dtype=object)[(pick[mask] * len(words)).astype(int)]
    taste = rng.standard_normal((n_samples, config.visual_dims))
    sensitivity = rng.random(n_samples)
    impressions = simulation.impressions.iloc[rows]
    items = impressions["item_id"].to_numpy()
    item_class = simulation.catalog["category"].to_numpy()[items]
    visual = config.visual_weight * (simulation.components[items] @ taste.T) / np.sqrt(config.visual_dims)
    estimate, error = np.zeros(len(rows)), np.zeros(len(rows))
    for k, query in enumerate(impressions["search_keywords"].to_numpy()):
        keep = drawn == query
        rel = relevance_by_class(config, query, item_class[k:k + 1])[target[keep], 0]
        p = expit(config.bias + rel + visual[k, keep]
                  - config.price_weight * sensitivity[keep] * simulation.price_z[items[k]])
        estimate[k], error[k] = p.mean(), p.std(ddof=1) / np.sqrt(keep.sum())
    return estimate, error


@dataclass(frozen=True)
class HistoryEstimate:
    """Importance-sampling estimates for the impressions `rows`: probability, Monte Carlo standard error and
    effective sample size of the weights, each (len(rows),)."""

    rows: np.ndarray
    probability: np.ndarray
    standard_error: np.ndarray
    effective_samples: np.ndarray


def _user_history_estimate(simulation: Simulation, rows: np.ndarray, n_samples: int,
                           rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Estimates for one user's impressions `rows` (time order, whole sessions of equal length).

    The class taste θ is integrated out exactly: given the targets of earlier sessions, the next target
    follows the Pólya urn P(c | earlier targets) = (α + n_c) / (10α + k). The earlier targets are summed
    out by a forward pass over their count vectors (the "states"). Visual taste t and price sensitivity s
    are drawn from their priors; sample m's weight is the likelihood of the earlier sessions given (t_m, s_m).
    """
    config = simulation.config
    impressions = simulation.impressions.iloc[rows]
    per_session = config.items_per_session
    n_sessions = len(rows) // per_session
    queries = impressions["search_keywords"].to_numpy()[::per_session]
    items = impressions["item_id"].to_numpy().reshape(n_sessions, per_session)
    clicked = impressions["clicked"].to_numpy().reshape(n_sessions, per_session)
    item_class = simulation.catalog["category"].to_numpy()[items]
    likelihood = query_likelihood(config)
    alpha = config.taste_concentration
    taste = rng.standard_normal((n_samples, config.visual_dims))
    sensitivity = rng.random(n_samples)
    visual = (taste @ simulation.components[items.ravel()].T).reshape(n_samples, n_sessions, per_session)
    base = (config.bias + config.visual_weight * visual / np.sqrt(config.visual_dims)
            - config.price_weight * sensitivity[:, None, None] * simulation.price_z[items][None])  # (M, K, J)

    states = {(0,) * N_CLASSES: np.ones(n_samples)}  # count vector of earlier targets -> weight per sample
    estimate, error = np.zeros((n_sessions, per_session)), np.zeros((n_sessions, per_session))
    ess = np.zeros(n_sessions)
    for k, query in enumerate(queries):
        classes = np.flatnonzero(likelihood[query])
        rel = relevance_by_class(config, query, item_class[k])[classes]  # (C, J)
        logit = base[:, k, None, :] + rel[None]  # (M, C, J)
        y = clicked[k][None, None, :]
        session_likelihood = np.exp((y * log_expit(logit) + (1 - y) * log_expit(-logit)).sum(axis=2))  # (M, C)
        coefficients = {state: (alpha + np.array(state)[classes]) / (N_CLASSES * alpha + k)
                        * likelihood[query][classes] for state in states}  # P(c | state) P(q | c), (C,)
        mixture = sum(weight[:, None] * coefficients[state][None] for state, weight in states.items())  # (M, C)
        numerator = np.einsum("mc,mcj->mj", mixture, expit(logit))
        denominator = mixture.sum(axis=1)
        estimate[k] = numerator.sum(axis=0) / denominator.sum()
        residual = numerator - estimate[k][None] * denominator[:, None]
        error[k] = np.sqrt((residual ** 2).sum(axis=0)) / denominator.sum()
        ess[k] = denominator.sum() ** 2 / (denominator ** 2).sum()
        updated: dict[tuple[int, ...], np.ndarray] = {}
        for state, weight in states.items():
            for position, c in enumerate(classes):
                following = tuple(n + (i == c) for i, n in enumerate(state))
                term = weight * coefficients[state][position] * session_likelihood[:, position]
                updated[following] = updated.get(following, 0) + term
        scale = max(w.max() for w in updated.values())
        states = {state: w / scale for state, w in updated.items()}
    return estimate.ravel(), error.ravel(), np.repeat(ess, per_session)


def history_probability(simulation: Simulation, users: np.ndarray, *, n_samples: int = 1000,
                        seed: int = 0) -> HistoryEstimate:
    """E[p | query, item, earlier sessions of the same user] for every impression of `users`.

    Per user: θ integrated out exactly (Pólya urn over the earlier sessions' hidden targets, summed out),
    t and s drawn from their priors and weighted by the likelihood of the earlier sessions' queries and
    clicks (self-normalised importance sampling). For a first session the estimate is E[p | query, item],
    the quantity `achievable_probability` integrates, up to Monte Carlo error.
    """
    impressions = simulation.impressions
    if len(impressions) % simulation.config.items_per_session:
        raise ValueError("every session must show items_per_session items")
    rng = np.random.default_rng(seed)
    user_ids = impressions["user_id"].to_numpy()
    all_rows, parts = [], []
    for user in np.unique(users):
        rows = np.flatnonzero(user_ids == user)
        rows = rows[np.argsort(impressions["session_id"].to_numpy()[rows], kind="stable")]
        all_rows.append(rows)
        parts.append(_user_history_estimate(simulation, rows, n_samples, rng))
    return HistoryEstimate(rows=np.concatenate(all_rows), probability=np.concatenate([p[0] for p in parts]),
                           standard_error=np.concatenate([p[1] for p in parts]),
                           effective_samples=np.concatenate([p[2] for p in parts]))
