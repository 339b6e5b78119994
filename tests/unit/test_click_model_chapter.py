"""Notebook 06's chapter: the prepared log, the baselines' history blocks, the predictions file (saved with its
config, loaded when valid, rebuilt or refused otherwise), and the whole experiment at a tiny size."""

import numpy as np
import pandas as pd
import pytest

from rec_utils.chapters.click_model import experiment
from rec_utils.chapters.click_model.baselines import BASELINES, history_block
from rec_utils.chapters.click_model.ceilings import CEILINGS
from rec_utils.chapters.click_model.data import ClickExperimentConfig, prepare_click_data
from rec_utils.chapters.click_model.deep import FULL, ablation_specs
from rec_utils.chapters.click_model.predictions import ID_COLUMNS, load_click_predictions, save_click_predictions
from rec_utils.chapters.click_model.tables import ablation_records, ablation_table
from rec_utils.runtime.results import save_metrics

SMALL = ClickExperimentConfig(n_items=150, n_users=30, sessions_per_user=3, image_encoder="vgg16-random", epochs=1,
                              n_boot=20, is_samples=50, learning_rates=(1e-2,))


@pytest.fixture(scope="module")
def data():
    return prepare_click_data(SMALL)


def test_prepared_log_has_the_full_history_of_every_impression(data):
    assert data.config.history_len == 2 * 8 and data.history.items.shape == (len(data.y), 16)
    earlier = data.history.mask.sum(axis=1)
    assert set(np.unique(earlier)) == {0, 8, 16}  # whole earlier sessions, nothing of the own session
    clicked = data.part("train", "clicked")["history_clicked"]
    assert ((clicked == 1) == (data.part("train", "clicked")["history_items"] >= 0)).all()  # clicks only
    assert not any(k.startswith("history") for k in data.part("test", "none"))
    with pytest.raises(ValueError, match="history must be"):
        data.part("train", "all")


def test_history_blocks_have_one_row_per_impression(data):
    assert history_block(data, "none") is None
    for kind in ("clicked", "full"):
        values, names = history_block(data, kind, data.masks["test"])
        assert values.shape == (data.masks["test"].sum(), len(names)) and np.isfinite(values).all()


def test_ablation_records_leave_out_the_ceilings_missing_gap(tmp_path, data):
    predictions = _predictions(data)
    table = ablation_table(data, predictions, BASELINES[0], {FULL: "full", BASELINES[0]: "none"}, deep=(FULL,))
    assert table.loc[list(CEILINGS), "gap to that ceiling"].isna().all()
    records = ablation_records(table)
    assert all("gap to that ceiling" not in records[name] for name in CEILINGS)
    assert "gap to that ceiling" in records[FULL] and "computed by" not in records[FULL]
    save_metrics("06_click_model", {"ablation": records}, metrics_dir=tmp_path)  # finite: JSON takes it


def _predictions(data):
    rng = np.random.default_rng(0)
    return {name: {s: rng.random(data.masks[s].sum()) for s in ("validation", "test")}
            for name in (*CEILINGS, FULL, BASELINES[0])}


def test_saved_predictions_load_with_their_names(tmp_path, data):
    predictions = _predictions(data)
    frame = save_click_predictions(data, predictions, baselines=[BASELINES[0]], path=tmp_path / "p.parquet")
    loaded = load_click_predictions(SMALL, path=tmp_path / "p.parquet", rebuild=False)
    assert list(loaded.frame.columns) == ID_COLUMNS + list(predictions)
    assert loaded.models == [FULL, BASELINES[0]] and loaded.ceilings == list(CEILINGS)
    assert loaded.baselines == [BASELINES[0]] and loaded.metadata["producer"] == "06_click_model"
    np.testing.assert_array_equal(loaded.frame[FULL], frame[FULL])
    test = loaded.frame[loaded.frame["split"] == "test"]
    np.testing.assert_array_equal(test[FULL], predictions[FULL]["test"])


def test_missing_stale_or_damaged_files_name_notebook_06(tmp_path, data):
    path = tmp_path / "p.parquet"
    with pytest.raises(FileNotFoundError, match="missing: run notebook 06"):
        load_click_predictions(SMALL, path=path, rebuild=False)
    save_click_predictions(data, _predictions(data), baselines=[BASELINES[0]], path=path)
    with pytest.raises(FileNotFoundError, match="other parameters: run notebook 06"):
        load_click_predictions(ClickExperimentConfig(), path=path, rebuild=False)
    path.write_bytes(path.read_bytes()[:100])  # truncated
    with pytest.raises(FileNotFoundError, match="missing"):
        load_click_predictions(SMALL, path=path, rebuild=False)


def test_rebuild_runs_the_experiment(tmp_path, data, monkeypatch, capsys):
    def fake(config, path):
        save_click_predictions(data, _predictions(data), baselines=[BASELINES[0]], path=path)

    monkeypatch.setattr(experiment, "run_click_experiment", fake)
    loaded = load_click_predictions(SMALL, path=tmp_path / "p.parquet")
    assert FULL in loaded.models and "running notebook 06's experiment" in capsys.readouterr().out


@pytest.mark.slow
def test_the_whole_experiment_runs_at_a_tiny_size(tmp_path):
    predictions = experiment.run_click_experiment(SMALL, path=tmp_path / "p.parquet")
    loaded = load_click_predictions(SMALL, path=tmp_path / "p.parquet", rebuild=False)
    assert set(ablation_specs()) | set(BASELINES) | {experiment.ARTICLE} <= set(loaded.models)
    assert set(predictions) == set(loaded.models) | set(CEILINGS)
    test = loaded.frame[loaded.frame["split"] == "test"]
    values = test[loaded.models + loaded.ceilings].to_numpy()
    assert np.isfinite(values).all() and ((values > 0) & (values < 1)).all()


def test_baselines_are_read_back_as_they_were_fitted(data, capsys):
    from rec_utils.chapters.click_model.baselines import fit_baselines

    fitted, tuning = fit_baselines(data, max_trees=50)
    again, tuning_again = fit_baselines(data, max_trees=50)
    assert "read from" in capsys.readouterr().out
    assert list(again) == list(fitted) and all(
        np.array_equal(again[name][split], fitted[name][split]) for name in fitted for split in ("validation", "test"))
    pd.testing.assert_frame_equal(tuning_again, tuning)
    assert tuning_again["chosen"].map(type).eq(bool).all()  # plain values, as the metrics file writes them


def test_a_bound_that_excludes_zero_never_prints_as_zero():
    from rec_utils.chapters.click_model.tables import comparison_sentence

    close = comparison_sentence({"difference": 0.0018, "low": 0.00002, "high": 0.0035}, "a", "b")
    assert "[+0.00002, +0.00350]" in close and "above" in close
    assert "[+0.0010, +0.0035]" in comparison_sentence({"difference": 0.002, "low": 0.001, "high": 0.0035}, "a", "b")
