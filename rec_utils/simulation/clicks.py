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

Because P(click) is known for every impression, `roc_auc_score(clicked, p_click)` is the
Bayes-optimal AUC that no model of the observable features can beat in expectation.
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


def simulate_clicks(images: np.ndarray, labels: np.ndarray, config: SimulatorConfig = SimulatorConfig()
                    ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Simulate impressions on a catalogue drawn from (images, labels).

    Returns (impressions, catalog). impressions has one row per shown item: user_id, session_id,
    search_keywords, item_id, product_description, category, price, p_click (true probability),
    clicked (0/1). catalog: item_id, image_index (into `images`), category, title, price.
    """
    rng = np.random.default_rng(config.seed)
    catalog = make_catalog(labels, config, rng)
    z = pixel_components(images[catalog["image_index"].to_numpy()], config.visual_dims)
    log_price = np.log(catalog["price"].to_numpy())
    price_z = (log_price - log_price.mean()) / log_price.std()
    category = catalog["category"].to_numpy()
    by_class = {c: np.flatnonzero(category == c) for c in range(10)}

    taste = rng.dirichlet(np.full(10, config.taste_concentration), size=config.n_users)
    visual_taste = rng.standard_normal((config.n_users, config.visual_dims))
    price_sensitivity = rng.random(config.n_users)

    rows = {k: [] for k in ("user_id", "session_id", "search_keywords", "item_id", "relevance")}
    n_search = config.items_per_session // 2
    session = 0
    for user in range(config.n_users):
        for _ in range(config.sessions_per_user):
            target = rng.choice(10, p=taste[user])
            if rng.random() < config.precise_query_rate:
                query = str(rng.choice(PRECISE_WORDS[target]))
            else:
                query = str(rng.choice([w for w, cs in AMBIGUOUS_WORDS.items() if target in cs]))
            matching = np.concatenate([by_class[c] for c in _query_classes(query)])
            shown = np.concatenate([rng.choice(matching, size=n_search, replace=False),
                                    rng.choice(config.n_items, size=config.items_per_session - n_search,
                                               replace=False)])
            shown_class = category[shown]
            relevance = np.where(shown_class == target, config.relevance_weight,
                                 np.where(np.isin(shown_class, _query_classes(query)), config.query_match_weight, 0.0))
            rows["user_id"].append(np.full(len(shown), user))
            rows["session_id"].append(np.full(len(shown), session))
            rows["search_keywords"].append(np.full(len(shown), query, dtype=object))
            rows["item_id"].append(shown)
            rows["relevance"].append(relevance)
            session += 1
    impressions = pd.DataFrame({k: np.concatenate(v) for k, v in rows.items()})
    user, item = impressions["user_id"].to_numpy(), impressions["item_id"].to_numpy()
    visual = config.visual_weight * np.einsum("nd,nd->n", visual_taste[user], z[item]) / np.sqrt(config.visual_dims)
    logit = config.bias + impressions.pop("relevance").to_numpy() + visual \
        - config.price_weight * price_sensitivity[user] * price_z[item]
    impressions["p_click"] = 1.0 / (1.0 + np.exp(-logit))
    impressions["clicked"] = (rng.random(len(impressions)) < impressions["p_click"]).astype(int)
    impressions = impressions.merge(catalog[["item_id", "title", "category", "price"]], on="item_id", how="left")
    impressions = impressions.rename(columns={"title": "product_description"})
    columns = ["user_id", "session_id", "search_keywords", "item_id", "product_description", "category",
               "price", "p_click", "clicked"]
    return impressions[columns], catalog


def describe_config(config: SimulatorConfig) -> pd.Series:
    """The configuration as a Series, for printing in notebooks."""
    return pd.Series(asdict(config), name="value")
