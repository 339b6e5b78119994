"""README's results block: written from metrics files, read back, and refused without its markers."""

import json

import pytest

from rec_utils.runtime.device import keras_backend
from rec_utils.runtime.errata import record_erratum
from rec_utils.runtime.readme import (
    END,
    ERRATA_END,
    ERRATA_START,
    START,
    ReadmeError,
    reading,
    readme_backend,
    readme_errata,
    readme_values,
    update_readme,
)


def test_block_is_written_from_metrics_and_read_back(tmp_path, monkeypatch):
    notebooks, metrics = tmp_path / "notebooks", tmp_path / "metrics"
    notebooks.mkdir(), metrics.mkdir()
    (notebooks / "01_a.ipynb").write_text("{}")
    (metrics / "01_a.json").write_text(json.dumps({"headline": [
        {"name": "NDCG@10 of ALS minus recent popularity", "value": 0.0003, "low": -0.0098, "high": 0.0105},
        {"name": "rows | kept", "value": 391150, "low": None, "high": None}]}))
    errata = tmp_path / "errata.csv"
    record_erratum("4.2-cosine", "4.2", "cos = 0.732 | printed", "cos = 0.9746", "wrong", "01_a", path=errata)
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n\n{START}\nold\n{END}\n\n{ERRATA_START}\nold errata\n{ERRATA_END}\nafter\n")
    monkeypatch.setattr("rec_utils.runtime.readme.NOTEBOOKS_DIR", notebooks)
    update_readme(readme, metrics, errata)
    text = readme.read_text()
    assert "old" not in text and text.endswith("after\n") and "includes 0: no difference shown" in text
    assert readme_errata(readme) == {"4.2-cosine": "wrong"}
    assert "cos = 0.732 \\| printed" in text and "0.9746" not in text  # the verdict, not the machine's digits
    assert "rows / kept" in text and "391,150" in text
    assert readme_values(readme) == {"01_a": [0.0003, 391150.0]}
    assert readme_backend(readme) == keras_backend()  # the block names the backend of the run it was written from


def test_reading_says_only_what_the_interval_supports():
    assert reading({"name": "A minus B", "value": 0.1, "low": 0.05, "high": 0.2}) == "above 0: the first is higher"
    assert reading({"name": "A minus B", "value": -0.1, "low": -0.2, "high": -0.05}) == "below 0: the first is lower"
    assert reading({"name": "AUC", "value": 0.7, "low": 0.68, "high": 0.72}) == ""


def test_missing_markers_are_a_named_error(tmp_path, monkeypatch):
    (tmp_path / "README.md").write_text("no markers")
    with pytest.raises(ReadmeError, match="no results markers"):
        update_readme(tmp_path / "README.md", tmp_path)
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    monkeypatch.setattr("rec_utils.runtime.readme.NOTEBOOKS_DIR", notebooks)
    (tmp_path / "README.md").write_text(f"{START}\n{END}\n")
    with pytest.raises(ReadmeError, match="no errata markers"):
        update_readme(tmp_path / "README.md", tmp_path, tmp_path / "errata.csv")
