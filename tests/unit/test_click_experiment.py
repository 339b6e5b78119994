"""Notebook 06's predictions file: saved with its config, loaded when valid, rebuilt (or refused) otherwise."""

import numpy as np
import pytest

import rec_utils.click_experiment as experiment
from rec_utils.click_experiment import (
    CEILINGS,
    FUSED,
    ID_COLUMNS,
    ClickData,
    ClickExperimentConfig,
    load_click_predictions,
    save_click_predictions,
)
from rec_utils.data.fashion import load_fashion_mnist
from rec_utils.data.split import split_groups
from rec_utils.features.image_encoder import EncodedImages
from rec_utils.simulation.clicks import simulate

SMALL = ClickExperimentConfig(n_items=150, n_users=20, sessions_per_user=3, image_encoder="vgg16-random",
                              epochs=1, n_boot=20, is_samples=50)


@pytest.fixture(scope="module")
def data():
    images, labels, _ = load_fashion_mnist("test")
    sim = simulate(images[:500], labels[:500], SMALL.simulator())
    masks = dict(zip(("train", "validation", "test"), split_groups(sim.impressions["user_id"].to_numpy(), seed=0)))
    return ClickData(config=SMALL, simulation=sim, masks=masks, encoded=EncodedImages(np.zeros((150, 2)), "x", "x"),
                     image=np.zeros((150, 2)), attributes=np.zeros((150, 11)), tokenizer=None, tables=None, inputs={},
                     y=sim.impressions["clicked"].to_numpy())


def _predictions(data):
    rng = np.random.default_rng(0)
    return {name: {s: rng.random(data.masks[s].sum()) for s in ("validation", "test")}
            for name in (*CEILINGS, FUSED, "logistic regression")}


def test_saved_predictions_load_with_their_names(tmp_path, data):
    predictions = _predictions(data)
    frame = save_click_predictions(data, predictions, path=tmp_path / "p.parquet")
    loaded = load_click_predictions(SMALL, path=tmp_path / "p.parquet", rebuild=False)
    assert list(loaded.frame.columns) == ID_COLUMNS + list(predictions)
    assert loaded.models == [FUSED, "logistic regression"] and loaded.ceilings == list(CEILINGS)
    assert loaded.metadata["producer"] == "06_click_model" and loaded.metadata["image_features"] == "x"
    np.testing.assert_array_equal(loaded.frame[FUSED], frame[FUSED])
    test = loaded.frame[loaded.frame["split"] == "test"]
    np.testing.assert_array_equal(test[FUSED], predictions[FUSED]["test"])
    assert (test["history_length"] == data.impressions.loc[data.masks["test"], "previous_clicks"].map(len)
            .to_numpy()).all()


def test_missing_stale_or_damaged_files_name_notebook_06(tmp_path, data):
    path = tmp_path / "p.parquet"
    with pytest.raises(FileNotFoundError, match="missing: run notebook 06"):
        load_click_predictions(SMALL, path=path, rebuild=False)
    save_click_predictions(data, _predictions(data), path=path)
    with pytest.raises(FileNotFoundError, match="other parameters: run notebook 06"):
        load_click_predictions(ClickExperimentConfig(), path=path, rebuild=False)
    path.write_bytes(path.read_bytes()[:100])  # truncated
    with pytest.raises(FileNotFoundError, match="missing"):
        load_click_predictions(SMALL, path=path, rebuild=False)


def test_rebuild_runs_the_experiment(tmp_path, data, monkeypatch, capsys):
    calls = []
    monkeypatch.setattr(experiment, "run_click_experiment", lambda config, path: calls.append((config, path)))
    load_click_predictions(SMALL, path=tmp_path / "p.parquet")
    assert calls == [(SMALL, tmp_path / "p.parquet")]
    assert "running notebook 06's experiment" in capsys.readouterr().out


@pytest.mark.slow
def test_the_whole_experiment_runs_at_a_tiny_size(tmp_path):
    loaded = experiment.run_click_experiment(SMALL, path=tmp_path / "p.parquet")
    assert set(experiment.cells()) <= set(loaded.models) and experiment.ARTICLE in loaded.models
    assert set(experiment.BASELINES) <= set(loaded.models)
    values = loaded.frame[loaded.models + loaded.ceilings].to_numpy()
    assert np.isfinite(values).all() and ((values > 0) & (values < 1)).all()
