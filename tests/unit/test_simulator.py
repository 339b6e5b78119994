import numpy as np
import pandas as pd
import pytest

from rec_utils.data.fashion import load_fashion_mnist
from rec_utils.simulation.clicks import (
    AMBIGUOUS_WORDS,
    PRECISE_WORDS,
    SimulatorConfig,
    click_logit,
    relevance,
    simulate,
    simulate_clicks,
    title_class_word,
)

SMALL = SimulatorConfig(n_items=300, n_users=150, sessions_per_user=4, seed=3)


@pytest.fixture(scope="module")
def photos():
    images, labels, _ = load_fashion_mnist("test")
    return images[:2000], labels[:2000]


def test_seeded_runs_are_identical_and_seeds_differ(photos):
    a, cat_a = simulate_clicks(*photos, SMALL)
    b, cat_b = simulate_clicks(*photos, SMALL)
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(cat_a, cat_b)
    c, _ = simulate_clicks(*photos, SimulatorConfig(**{**SMALL.__dict__, "seed": 4}))
    assert not a["clicked"].equals(c["clicked"])


def test_shape_of_the_article_data(photos):
    impressions, catalog = simulate_clicks(*photos, SMALL)
    assert len(impressions) == SMALL.n_users * SMALL.sessions_per_user * SMALL.items_per_session
    assert {"search_keywords", "product_description", "item_id", "clicked", "p_click"} <= set(impressions.columns)
    assert catalog["image_index"].is_unique and len(catalog) == SMALL.n_items
    words = {w for ws in PRECISE_WORDS.values() for w in ws} | set(AMBIGUOUS_WORDS)
    assert set(impressions["search_keywords"]) <= words
    assert impressions["p_click"].between(0, 1).all()


def test_empirical_click_rate_matches_the_stated_probabilities(photos):
    impressions, _ = simulate_clicks(*photos, SimulatorConfig(n_items=500, n_users=1500, seed=0))
    bins = pd.cut(impressions["p_click"], [0, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0])
    by_bin = impressions.groupby(bins, observed=True).agg(
        p=("p_click", "mean"), rate=("clicked", "mean"), n=("clicked", "size")
    )
    standard_error = np.sqrt(by_bin["p"] * (1 - by_bin["p"]) / by_bin["n"])
    assert (np.abs(by_bin["rate"] - by_bin["p"]) < 4 * standard_error + 1e-3).all()
    assert impressions["clicked"].mean() == pytest.approx(impressions["p_click"].mean(), abs=0.01)


def test_relevance_raises_click_probability(photos):
    impressions, _ = simulate_clicks(*photos, SMALL)
    precise = impressions[impressions["search_keywords"] == "dress"]
    assert (
        precise.loc[precise["category"] == 3, "p_click"].mean()
        > precise.loc[precise["category"] != 3, "p_click"].mean()
    )


def test_title_noise_rates_are_respected(photos):
    config = SimulatorConfig(n_items=1500, title_drop_rate=0.3, title_noise_rate=0.1, seed=1)
    _, catalog = simulate_clicks(*photos, config)
    own_word = [any(w in t.split() for w in PRECISE_WORDS[c]) for t, c in zip(catalog["title"], catalog["category"])]
    assert np.mean(own_word) == pytest.approx(0.6, abs=0.05)


def test_too_many_items_is_refused(photos):
    with pytest.raises(ValueError, match="exceeds"):
        simulate_clicks(photos[0][:10], photos[1][:10], SimulatorConfig(n_items=20))


def test_previous_clicks_are_the_users_earlier_session_clicks(photos):
    impressions, _ = simulate_clicks(*photos, SimulatorConfig(**{**SMALL.__dict__, "history_length": 3}))
    expected = []
    for _, user_rows in impressions.groupby("user_id", sort=False):
        clicked_before: list[int] = []
        for _, session in user_rows.groupby("session_id", sort=True):
            expected += [tuple(clicked_before[-3:])] * len(session)
            clicked_before += session.loc[session["clicked"] == 1, "item_id"].tolist()
    assert impressions["previous_clicks"].tolist() == expected
    assert impressions["previous_clicks"].map(len).max() == 3


def test_hidden_variables_regenerate_the_oracle_probability(photos):
    sim = simulate(*photos, SMALL)
    imp = sim.impressions
    users, items = imp["user_id"].to_numpy(), imp["item_id"].to_numpy()
    target = np.repeat(sim.session_target, SMALL.items_per_session)
    rel = np.array([relevance(SMALL, c, t, q)
                    for c, t, q in zip(imp["category"], target, imp["search_keywords"])])
    logit = click_logit(SMALL, rel, sim.population.visual_taste[users], sim.components[items],
                        sim.population.price_sensitivity[users], sim.price_z[items])
    np.testing.assert_allclose(1 / (1 + np.exp(-logit)), imp["p_click"], rtol=1e-12)
    pd.testing.assert_frame_equal(imp, simulate_clicks(*photos, SMALL)[0])
    # the target class is drawn from the user's class taste: taste-weighted frequency well above uniform
    assert np.mean(sim.population.taste[np.repeat(np.arange(SMALL.n_users), SMALL.sessions_per_user),
                                        sim.session_target]) > 0.2


def test_title_class_word_matches_the_noise_rates(photos):
    _, catalog = simulate_clicks(*photos, SimulatorConfig(n_items=1500, seed=1))
    shares = title_class_word(catalog).value_counts(normalize=True)
    assert shares["own class word"] == pytest.approx(0.6, abs=0.05)
    assert shares["wrong class word"] == pytest.approx(0.1, abs=0.03)
    assert shares["no class word"] == pytest.approx(0.3, abs=0.05)


def test_negative_history_length_is_refused(photos):
    with pytest.raises(ValueError, match="history_length"):
        simulate(*photos, SimulatorConfig(n_items=50, n_users=5, history_length=-1))
