"""Pieces that lay later notebooks on notebook 07's protocol: propensity pairs in the protocol's windows,
07's headline recap (read, or recomputed by 07's procedure), and the wording of claims from intervals."""

import json

import numpy as np
import pandas as pd
import pytest

from rec_utils.chapters.scenarios import recap
from rec_utils.evaluation.claims import direction, interval_text, measured_row, measured_table, supported
from rec_utils.evaluation.protocol import Protocol
from rec_utils.evaluation.purchase_pairs import protocol_pairs, window_pairs
from rec_utils.recommend.recommenders import RecommenderSpec

START = pd.Timestamp("2011-01-01")


@pytest.fixture(scope="module")
def shop():
    """90 days, one invoice a day for customers 0-9 (customer c buys product P{(day + c) % 6})."""
    rows = [{"InvoiceNo": f"{day}-{c}", "StockCode": f"P{(day + c) % 6}", "Description": f"ITEM {(day + c) % 6}",
             "Quantity": 1, "UnitPrice": 2.0, "CustomerID": float(c), "Country": "United Kingdom",
             "InvoiceDate": START + pd.Timedelta(days=day, hours=10)} for day in range(90) for c in range(10)]
    frame = pd.DataFrame(rows)
    frame["Revenue"] = frame["Quantity"] * frame["UnitPrice"]
    return frame


def test_window_pairs_label_the_window_and_read_nothing_after_it(shop):
    pairs = window_pairs(shop, START + pd.Timedelta(days=60), 10, seed=0)
    positives = pairs[pairs["label"] == 1]
    window = shop[(shop["InvoiceDate"] >= START + pd.Timedelta(days=60))
                  & (shop["InvoiceDate"] < START + pd.Timedelta(days=70))]
    assert set(zip(positives["CustomerID"], positives["StockCode"])) == set(zip(window["CustomerID"],
                                                                                window["StockCode"]))
    # features are as of the window start: the last purchase before it was the day before
    assert (positives["recency_days"] == 0).all()
    later = shop.assign(InvoiceDate=shop["InvoiceDate"].where(shop["InvoiceDate"] < START + pd.Timedelta(days=70),
                                                               shop["InvoiceDate"] + pd.Timedelta(days=400)))
    pd.testing.assert_frame_equal(window_pairs(later, START + pd.Timedelta(days=60), 10, seed=0), pairs)
    with pytest.raises(ValueError, match="no purchases"):
        window_pairs(shop, START + pd.Timedelta(days=200), 10)


def test_protocol_pairs_fit_one_window_before_the_scored_one(shop):
    protocol = Protocol(START + pd.Timedelta(days=70), validation_days=10, test_days=10)
    fit, scored = protocol_pairs(protocol, shop, "test")
    pd.testing.assert_frame_equal(fit, window_pairs(shop, START + pd.Timedelta(days=60), 10))
    pd.testing.assert_frame_equal(scored, window_pairs(shop, START + pd.Timedelta(days=70), 10))
    fit_v, scored_v = protocol_pairs(protocol, shop, "validation")
    pd.testing.assert_frame_equal(scored_v, fit)  # validation scores the window the test stage fits on
    pd.testing.assert_frame_equal(fit_v, window_pairs(shop, START + pd.Timedelta(days=50), 10))


def _ranking(task: str) -> pd.DataFrame:
    rows = []
    for model, kind, mean in [("recent popularity", "baseline", 0.10), ("popularity (all time)", "baseline", 0.05),
                              ("implicit ALS", "model", 0.11)]:
        for metric, k in [("ndcg", 10), ("recall", 10), ("ndcg", 5)]:
            rows.append({"model": model, "kind": kind, "metric": metric, "k": k, "mean": mean, "low": mean - 0.01,
                         "high": mean + 0.01, "baseline": "recent popularity",
                         "diff_vs_best_baseline": mean - 0.10, "diff_low": mean - 0.11, "diff_high": mean - 0.09,
                         "n_users": 50, "task": task})
    return pd.DataFrame(rows)


def _metrics_of_07(folder, n_boot_ranking: int) -> None:
    (folder / "metrics").mkdir(exist_ok=True)
    (folder / "metrics" / "07_model_evaluation.json").write_text(
        json.dumps({"parameters": {"n_boot_ranking": n_boot_ranking}}))


def test_recap_reads_07s_choice_and_ranking_when_they_match_the_protocol(tmp_path, monkeypatch):
    path = tmp_path / "07_ranking.csv"
    _ranking("new_items").to_csv(path, index=False)
    _metrics_of_07(tmp_path, 1000)
    monkeypatch.setattr(recap, "find_artefact", lambda name: path)
    als = RecommenderSpec.of("implicit_als")
    monkeypatch.setattr(recap, "load_choice", lambda protocol, **kw: (als, "07 chose ALS"))
    rows, note = recap.protocol_headline(Protocol("2011-11-10"), pd.DataFrame())
    assert list(rows["model"]) == ["implicit ALS", "recent popularity"]
    assert rows.loc[0, "diff_vs_best_baseline"] == pytest.approx(0.01) and (rows["metric"] == "ndcg").all()
    assert note.startswith("07 chose ALS; test-window scores read from")
    monkeypatch.setattr(recap, "load_choice", lambda protocol, **kw: (RecommenderSpec.of("recent_popularity"), "07"))
    rows, _ = recap.protocol_headline(Protocol("2011-11-10"), pd.DataFrame())
    assert list(rows["model"]) == ["recent popularity"]  # the choice is the strongest baseline: one row


def test_claims_follow_the_interval_only():
    assert direction(0.01, 0.2) == 1 and direction(-0.2, -0.01) == -1 and direction(-0.1, 0.1) == 0
    assert supported(0.01, 0.2, "A", "B") == "A is above B (the paired 95% interval excludes 0)"
    assert supported(-0.1, 0.1, "A", "B").startswith("the data do not separate A from B")
    assert interval_text(0.12345, 0.1, 0.15, 2) == "0.12 [0.10, 0.15]" and interval_text(1.0, None, None) == "1.000"
    rows = [measured_row("s", "m1", 0.5, 0.4, 0.6, against="b", difference=-0.1, diff_low=-0.2, diff_high=-0.05),
            measured_row("s", "m2", 0.5, 0.4, 0.6)]
    table = measured_table(rows)
    assert list(table["supported"]) == ["lower", ""] and table.loc[("s", "m2"), "difference [95% CI]"] == ""
    assert np.isnan(rows[1]["difference"])


@pytest.fixture(scope="module")
def market():
    """60 days of random baskets: 50 customers, 30 products with a popular head."""
    rng = np.random.default_rng(4)
    rows = []
    for invoice in range(700):
        customer, day = int(rng.integers(0, 50)), int(rng.integers(0, 60))
        for product in rng.choice(30, size=3, replace=False, p=np.arange(30, 0, -1) / 465):
            rows.append({"InvoiceNo": str(invoice), "StockCode": f"P{product:02d}", "Description": "X",
                         "Quantity": 1, "UnitPrice": 1.0, "CustomerID": float(customer), "Country": "United Kingdom",
                         "InvoiceDate": START + pd.Timedelta(days=day, hours=10)})
    return pd.DataFrame(rows).assign(Revenue=1.0)


def test_count_release_curve_tunes_clipping_on_validation_and_separates_clipping_from_noise(market):
    from rec_utils.chapters.privacy.privacy_utility import count_release_curve, split_ndcg
    from rec_utils.recommend.private import private_scorer

    protocol = Protocol(START + pd.Timedelta(days=45), validation_days=10, test_days=15)
    validation, test = protocol.split(market, "validation"), protocol.split(market, "test")
    curve, tuning = count_release_curve(validation, test, "popularity", [1e6, 0.05], space={"max_items": [1, 40]},
                                        n_boot=50)
    assert list(curve["mechanism"])[:3] == ["none (exact counts)", "gaussian", "gaussian"]
    assert (curve["mechanism"].iloc[3:] == "clipped, no noise").all()
    exact = split_ndcg(test, private_scorer(test.data.train, "popularity", epsilon=None)[0])
    assert curve.loc[0, "ndcg"] == pytest.approx(np.nanmean(exact))
    chosen = tuning[(tuning["epsilon"] == 1e6) & tuning["chosen"]]  # the setting with the best validation NDCG
    assert curve.loc[1, "max_items"] == chosen["max_items"].iloc[0]
    assert chosen["validation_ndcg"].iloc[0] == tuning[tuning["epsilon"] == 1e6]["validation_ndcg"].max()
    assert curve.loc[2, "ndcg"] < curve.loc[0, "ndcg"]  # ε = 0.05: noise swamps counts of a few dozen customers
    clipped = curve[(curve["mechanism"] == "clipped, no noise")]
    assert set(clipped["max_items"]) == set(curve.loc[1:2, "max_items"])
    # each private row against the clipped counts of its own m without noise: what the noise adds to clipping
    assert curve.loc[1:2, "diff_clipped"].notna().all() and curve.drop(index=[1, 2])["diff_clipped"].isna().all()
    for i in (1, 2):
        alone = clipped[clipped["max_items"] == curve.loc[i, "max_items"]].iloc[0]
        assert curve.loc[i, "diff_clipped"] == pytest.approx(curve.loc[i, "ndcg"] - alone["ndcg"])
        assert curve.loc[i, "diff_clipped_low"] <= curve.loc[i, "diff_clipped"] <= curve.loc[i, "diff_clipped_high"]


def test_scenario_plots_draw_from_their_tables():
    import matplotlib

    matplotlib.use("Agg")
    from rec_utils.evaluation.fairness import exposure_table
    from rec_utils.figures.plots import difference_plot, exposure_plot, interval_lines_plot, segment_plot

    rows = pd.DataFrame({"difference": [0.1, -0.2, 0.0], "low": [0.05, -0.3, -0.1], "high": [0.2, -0.1, 0.1]},
                        index=["a", "b", "c"])
    dots = difference_plot(rows, title="t").axes[0].collections[-1]
    assert [tuple(c[:3]) for c in dots.get_facecolors()] == [matplotlib.colors.to_rgb(c) for c in
                                                              ("tab:blue", "tab:red", "tab:grey")]
    curve = pd.DataFrame({"x": [1, 2], "value": [0.1, 0.2], "low": [0.0, 0.1], "high": [0.2, 0.3]})
    figure = interval_lines_plot({"p": {"line": curve}}, x="x", xlabel="x", references={"p": {"ref": (0.15, 0.1, 0.2)}})
    assert [line.get_label() for line in figure.axes[0].get_lines()] == ["line", "ref"]
    table = exposure_table(np.array([2.0, 1.0, 0.0]), np.array([1.0, 1.0, 2.0]), np.array(["h", "h", "t"]))
    bars = exposure_plot({"m": table}, title="t").axes[0].patches
    assert [b.get_height() for b in bars] == [1.0, 0.0]
    segments = pd.DataFrame({"recency_days": [1.0, 50.0, 300.0], "frequency": [9, 2, 1], "monetary": [10.0, 5.0, 1.0],
                             "segment": ["champions", "promising", "hibernating"]})
    assert len(segment_plot(segments).axes[1].patches) == 3


def test_recap_recomputes_when_07_drew_its_intervals_with_other_resamples(tmp_path, monkeypatch):
    """Notebook 11 with -p n_boot 200 used to print 07's 1,000-resample intervals as its own."""
    path = tmp_path / "07_ranking.csv"
    _ranking("new_items").to_csv(path, index=False)
    monkeypatch.setattr(recap, "find_artefact", lambda name: path)
    monkeypatch.setattr(recap, "load_choice", lambda protocol, **kw: (RecommenderSpec.of("implicit_als"), "07"))

    class Recomputed(Exception):
        pass

    def recompute(*args, **kwargs):
        raise Recomputed

    monkeypatch.setattr(recap, "chosen_recommender", recompute)
    for recorded in (None, 1000):
        if recorded is not None:
            _metrics_of_07(tmp_path, recorded)
        with pytest.raises(Recomputed):
            recap.protocol_headline(Protocol("2011-11-10"), pd.DataFrame(), n_boot=200)
    rows, _ = recap.protocol_headline(Protocol("2011-11-10"), pd.DataFrame(), n_boot=1000)
    assert list(rows["model"]) == ["implicit ALS", "recent popularity"]
