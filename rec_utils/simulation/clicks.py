"""A seeded click simulator on real product photos (semi-synthetic: real images, simulated behaviour).

Generative model, one impression = (user u, query q, item i):

    user u      class taste θ_u ~ Dirichlet(taste_concentration · 1₁₀); visual taste t_u ~ N(0, I_d);
                price sensitivity s_u ~ Uniform(0, 1)
    session     target class c ~ θ_u; query q: a precise word of c (rate `precise_query_rate`,
                e.g. "sneaker") or else an ambiguous word whose class set contains c (e.g. "shoes")
    shown items half from the classes the query names (search results), half uniform (exploration)
    item i      real Fashion-MNIST photo x_i; category; price; title from a small vocabulary in which
                the class word is missing (rate `title_drop_rate`) or wrong (rate `title_noise_rate`)

    logit = bias + relevance + visual + price
        relevance = relevance_weight if class_i = c, query_match_weight if class_i is in q's class set, else 0
        visual    = visual_weight · t_u · z_i / √d, z_i = the item's first d standardised principal
                    components of its pixels (taste defined on the image itself, not on its label)
        price     = -price_weight · s_u · (standardised log price of i)
    P(click) = sigmoid(logit); clicked ~ Bernoulli(P(click))

    history     each impression carries the ids of the items the same user clicked in *earlier* sessions
                (`previous_clicks`, oldest first, the last `history_length`): the behaviour sequence a
                history-aware model reads (clicks on the same result page are simultaneous, not history)

`p_click` is the *oracle* probability: it uses the user's hidden taste and the session's hidden target
class, which no model sees, so `roc_auc_score(clicked, p_click)` is an upper line no model reaches. The
best achievable from a model's inputs is E[p | inputs] (rec_utils.simulation.ceilings computes it from
this generative model). `simulate` returns everything, hidden variables included (`Simulation`);
`simulate_clicks` returns the observable log and the catalogue.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

PRECISE_WORDS = {0: ["tshirt", "tee"], 1: ["trousers", "jeans"], 2: ["pullover", "sweater"], 3: ["dress"],
                 4: ["coat"], 5: ["sandal"], 6: ["shirt", "blouse"], 7: ["sneaker", "trainer"],
                 8: ["bag", "handbag"], 9: ["boot"]}
AMBIGUOUS_WORDS = {"top": [0, 2, 6], "shoes": [5, 7, 9], "outerwear": [2, 4],
                   "clothing": [0, 1, 2, 3, 4, 6], "accessories": [8]}
ADJECTIVES = ["classic", "casual", "summer", "slim", "warm", "light", "dark", "soft", "basic", "new"]
BASE_PRICE = np.array([12, 35, 30, 40, 80, 25, 25, 55, 45, 70], dtype=float)  # GBP by class


@dataclass(frozen=True)
class SimulatorConfig:
    """Every knob of the generative model (see the module docstring)."""

    n_items: int = 2000
    n_users: int = 800
    sessions_per_user: int = 6
    items_per_session: int = 8
    taste_concentration: float = 0.5
    precise_query_rate: float = 0.6
    title_drop_rate: float = 0.3
    title_noise_rate: float = 0.1
    visual_dims: int = 8
    bias: float = -2.5
    relevance_weight: float = 2.5
    query_match_weight: float = 1.0
    visual_weight: float = 1.0
    price_weight: float = 1.0
    seed: int = 0
    history_length: int = 10


def _query_classes(query: str) -> list[int]:
    if query in AMBIGUOUS_WORDS:
        return AMBIGUOUS_WORDS[query]
    return [c for c, words in PRECISE_WORDS.items() if query in words]


def pixel_components(images: np.ndarray, n_components: int) -> np.ndarray:
    """First principal components of the flattened pixels, each standardised: (n, n_components)."""
    flat = images.reshape(len(images), -1).astype(float) / 255.0
    centred = flat - flat.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    scores = centred @ vt[:n_components].T
    return scores / scores.std(axis=0)


def make_catalog(labels: np.ndarray, config: SimulatorConfig, rng: np.random.Generator) -> pd.DataFrame:
    """`n_items` products on distinct photos: item_id, image_index, category, title, price."""
    if config.n_items > len(labels):
        raise ValueError(f"n_items={config.n_items} exceeds the {len(labels)} images available")
    image_index = np.sort(rng.choice(len(labels), size=config.n_items, replace=False))
    category = labels[image_index].astype(int)
    titles = []
    for c in category:
        words = list(rng.choice(ADJECTIVES, size=rng.integers(1, 3), replace=False))
        u = rng.random()
        if u < config.title_noise_rate:
            wrong = rng.choice([k for k in PRECISE_WORDS if k != c])
            words.append(rng.choice(PRECISE_WORDS[wrong]))
        elif u >= config.title_noise_rate + config.title_drop_rate:
            words.append(rng.choice(PRECISE_WORDS[c]))
        titles.append(" ".join(words))
    price = np.round(BASE_PRICE[category] * rng.lognormal(0.0, 0.3, size=config.n_items), 2)
    return pd.DataFrame({"item_id": np.arange(config.n_items), "image_index": image_index,
                         "category": category, "title": titles, "price": price})


@dataclass(frozen=True)
class Population:
    """The users' hidden variables (no model sees them): class taste θ (n_users, 10), visual taste
    t (n_users, visual_dims) and price sensitivity s (n_users,)."""

    taste: np.ndarray
    visual_taste: np.ndarray
    price_sensitivity: np.ndarray


@dataclass(frozen=True)
class Simulation:
    """One simulated log with everything that generated it.

    impressions: the observable log (see `simulate_clicks`); catalog: the products; components (n_items, d):
    the standardised pixel components z_i; price_z (n_items,): standardised log prices; population: the
    hidden user variables; session_target (n_sessions,): the hidden target class c of each session.
    """

    config: SimulatorConfig
    impressions: pd.DataFrame
    catalog: pd.DataFrame
    components: np.ndarray
    price_z: np.ndarray
    population: Population
    session_target: np.ndarray


def relevance(config: SimulatorConfig, item_class: np.ndarray, target: np.ndarray | int, query: str) -> np.ndarray:
    """The relevance term of the logit: relevance_weight where the item's class is the target,
    query_match_weight where it is one of the query's classes, else 0 (broadcasts item_class with target)."""
    in_query = np.isin(item_class, _query_classes(query))
    return np.where(item_class == target, config.relevance_weight,
                    np.where(in_query, config.query_match_weight, 0.0))


def click_logit(config: SimulatorConfig, relevance_term: np.ndarray, visual_taste: np.ndarray,
                components: np.ndarray, sensitivity: np.ndarray, price_z: np.ndarray) -> np.ndarray:
    """bias + relevance + visual_weight · t·z / √d - price_weight · s · price_z, row by row.

    visual_taste and components: (..., d); relevance_term, sensitivity and price_z broadcast to (...).
    """
    visual = config.visual_weight * np.einsum("...d,...d->...", visual_taste, components) / np.sqrt(config.visual_dims)
    return config.bias + relevance_term + visual - config.price_weight * sensitivity * price_z


def previous_clicks(impressions: pd.DataFrame, max_len: int) -> list[tuple[int, ...]]:
    """Per impression: the item ids its user clicked in earlier sessions, oldest first, at most the last `max_len`.

    Sessions are ordered by session_id (the simulator numbers them in time order); clicks within a session
    are in display order. Returns a list aligned with the rows of `impressions`.
    """
    if max_len < 0:
        raise ValueError(f"max_len must be >= 0, got {max_len}")
    history: dict[int, list[int]] = {}
    result: list[tuple[int, ...] | None] = [None] * len(impressions)
    users, items = impressions["user_id"].to_numpy(), impressions["item_id"].to_numpy()
    clicked = impressions["clicked"].to_numpy()
    order = np.argsort(impressions["session_id"].to_numpy(), kind="stable")
    sessions = impressions["session_id"].to_numpy()[order]
    for block in np.split(order, np.flatnonzero(np.diff(sessions)) + 1):
        past = history.setdefault(int(users[block[0]]), [])
        shown = tuple(past[-max_len:]) if max_len else ()
        for row in block:
            result[row] = shown
        past.extend(int(i) for i in items[block][clicked[block] == 1])
    return result


def simulate(images: np.ndarray, labels: np.ndarray, config: SimulatorConfig = SimulatorConfig()) -> Simulation:
    """Simulate impressions on a catalogue drawn from (images, labels), keeping the hidden variables."""
    if config.history_length < 0:
        raise ValueError(f"history_length must be >= 0, got {config.history_length}")
    rng = np.random.default_rng(config.seed)
    catalog = make_catalog(labels, config, rng)
    z = pixel_components(images[catalog["image_index"].to_numpy()], config.visual_dims)
    log_price = np.log(catalog["price"].to_numpy())
    price_z = (log_price - log_price.mean()) / log_price.std()
    category = catalog["category"].to_numpy()
    by_class = {c: np.flatnonzero(category == c) for c in range(10)}

    population = Population(taste=rng.dirichlet(np.full(10, config.taste_concentration), size=config.n_users),
                            visual_taste=rng.standard_normal((config.n_users, config.visual_dims)),
                            price_sensitivity=rng.random(config.n_users))

    rows = {k: [] for k in ("user_id", "session_id", "search_keywords", "item_id", "relevance")}
    targets = []
    n_search = config.items_per_session // 2
    session = 0
    for user in range(config.n_users):
        for _ in range(config.sessions_per_user):
            target = rng.choice(10, p=population.taste[user])
            if rng.random() < config.precise_query_rate:
                query = str(rng.choice(PRECISE_WORDS[target]))
            else:
                query = str(rng.choice([w for w, cs in AMBIGUOUS_WORDS.items() if target in cs]))
            matching = np.concatenate([by_class[c] for c in _query_classes(query)])
            shown = np.concatenate([rng.choice(matching, size=n_search, replace=False),
                                    rng.choice(config.n_items, size=config.items_per_session - n_search,
                                               replace=False)])
            rows["user_id"].append(np.full(len(shown), user))
            rows["session_id"].append(np.full(len(shown), session))
            rows["search_keywords"].append(np.full(len(shown), query, dtype=object))
            rows["item_id"].append(shown)
            rows["relevance"].append(relevance(config, category[shown], target, query))
            targets.append(target)
            session += 1
    impressions = pd.DataFrame({k: np.concatenate(v) for k, v in rows.items()})
    user, item = impressions["user_id"].to_numpy(), impressions["item_id"].to_numpy()
    logit = click_logit(config, impressions.pop("relevance").to_numpy(), population.visual_taste[user], z[item],
                        population.price_sensitivity[user], price_z[item])
    impressions["p_click"] = 1.0 / (1.0 + np.exp(-logit))
    impressions["clicked"] = (rng.random(len(impressions)) < impressions["p_click"]).astype(int)
    impressions = impressions.merge(catalog[["item_id", "title", "category", "price"]], on="item_id", how="left")
    impressions = impressions.rename(columns={"title": "product_description"})
    impressions["previous_clicks"] = previous_clicks(impressions, config.history_length)
    columns = ["user_id", "session_id", "search_keywords", "item_id", "product_description", "category",
               "price", "p_click", "clicked", "previous_clicks"]
    return Simulation(config=config, impressions=impressions[columns], catalog=catalog, components=z,
                      price_z=price_z, population=population, session_target=np.array(targets, dtype=int))


def simulate_clicks(images: np.ndarray, labels: np.ndarray, config: SimulatorConfig = SimulatorConfig()
                    ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Simulate impressions on a catalogue drawn from (images, labels): the observable log and the catalogue.

    Returns (impressions, catalog). impressions has one row per shown item, in time order: user_id,
    session_id, search_keywords, item_id, product_description, category, price, p_click (the oracle
    probability), clicked (0/1), previous_clicks (tuple of item ids clicked in the user's earlier sessions,
    oldest first, at most `history_length`). catalog: item_id, image_index (into `images`), category,
    title, price. `simulate` returns the same with the hidden variables.
    """
    simulation = simulate(images, labels, config)
    return simulation.impressions, simulation.catalog


def title_class_word(catalog: pd.DataFrame) -> pd.Series:
    """Per product: "own class word", "no class word" or "wrong class word" in its title (index item_id)."""
    def status(title: str, category: int) -> str:
        words = set(title.split())
        if words & set(PRECISE_WORDS[category]):
            return "own class word"
        if any(words & set(ws) for c, ws in PRECISE_WORDS.items() if c != category):
            return "wrong class word"
        return "no class word"

    return pd.Series([status(t, c) for t, c in zip(catalog["title"], catalog["category"])],
                     index=catalog["item_id"], name="title")


def describe_config(config: SimulatorConfig) -> pd.Series:
    """The configuration as a Series, for printing in notebooks."""
    return pd.Series(asdict(config), name="value")
