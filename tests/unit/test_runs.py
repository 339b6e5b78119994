"""A run with non-default parameters never replaces the full run's metrics, figures or errata."""

import json

import matplotlib.pyplot as plt
import nbformat
import pytest

from rec_utils.figures.plots import save_figure
from rec_utils.runtime import parameters, runs
from rec_utils.runtime.errata import load_errata, record_erratum
from rec_utils.runtime.parameters import Flag, Number, check_parameters
from rec_utils.runtime.results import load_metrics, save_metrics

PARAMETERS_CELL = "sample_frac = 1.0  # share of lines\nseed = 42  # sampling seed\nsave_figures = True  # plots\n"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """notebooks/ with one notebook 01 and an empty reports/, in tmp_path; no parameters checked yet."""
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# 01 t"), nbformat.v4.new_code_cell(PARAMETERS_CELL)]
    nb.cells[1].metadata["tags"] = ["parameters"]
    nbformat.write(nb, notebooks / "01_prep.ipynb")
    monkeypatch.setattr(runs, "NOTEBOOKS_DIR", notebooks)
    monkeypatch.setattr(runs, "REPORTS_DIR", tmp_path / "reports")
    monkeypatch.setattr(runs, "RUNS_DIR", tmp_path / "reports" / "runs")
    monkeypatch.setattr(parameters, "_last_checked", {})
    monkeypatch.delenv(runs.RUN_DIR_ENV, raising=False)
    return tmp_path


def _check(sample_frac):
    check_parameters({"sample_frac": sample_frac, "seed": 42, "save_figures": True},
                     sample_frac=Number(0, 1, low_open=True), seed=Number(), save_figures=Flag())


def test_defaults_are_read_from_the_parameters_cell(project):
    assert runs.parameter_defaults(project / "notebooks" / "01_prep.ipynb") == {
        "sample_frac": 1.0, "seed": 42, "save_figures": True}
    notebook = project / "notebooks" / "01_prep.ipynb"
    assert runs.notebook_file("01_long_tail") == runs.notebook_file("01_prep") == notebook
    assert runs.notebook_file("nb") is None and runs.notebook_file("02_x") is None


def test_run_tags_name_the_overrides():
    tag = runs.run_tag({"sample_frac": 0.1})
    assert tag.startswith("sample_frac-0.1-") and len(tag.rsplit("-", 1)[1]) == 10
    assert runs.run_tag({"seed": 1, "device": "gpu"}).startswith("device-gpu-_seed-1-")
    assert runs.run_tag({"seed": 1, "device": "gpu"}) == runs.run_tag({"device": "gpu", "seed": 1})  # canonical
    long = runs.run_tag({"names": ["x" * 40, "y" * 40]})
    assert len(long) <= 51 and long != runs.run_tag({"names": ["x" * 40, "y" * 41]})


@pytest.mark.parametrize("first, second", [
    ({"beta_price": 0.02}, {"beta_price": -0.02}),
    ({"k": 1}, {"k": -1}),
    ({"k": 1}, {"k": 1.0}),
    ({"k": 1}, {"k": True}),
    ({"cut_date": "2011 11 10"}, {"cut_date": "2011-11-10"}),
    ({"cut_date": "2011-11-10"}, {"cut_date": "2011/11/10"}),
    ({"name": "a b"}, {"name": "a-b"}),
    ({"name": "a b"}, {"name": "a  b"}),
    ({"grid": [8, 16]}, {"grid": [8, -16]}),
    ({"grid": [8, 16]}, {"grid": "8-16"}),
    ({"grid": [[1, 2], [3]]}, {"grid": [[1], [2, 3]]}),
    ({"nested": {"a": [1, {"b": -2}]}}, {"nested": {"a": [1, {"b": 2}]}}),
    ({"a": 1, "b": 2}, {"a_b": "1_2"}),
])
def test_different_overrides_never_share_a_run_folder(first, second):
    """The old tags dropped signs and punctuation: these pairs shared one folder, the second run replacing the first."""
    assert runs.run_tag(first) != runs.run_tag(second)
    assert runs.run_folder(first) != runs.run_folder(second)


def test_default_run_writes_the_full_results_and_records_its_parameters(project):
    _check(1.0)
    save_metrics("01_prep", {"rows": 10})
    saved = json.loads((project / "reports" / "metrics" / "01_prep.json").read_text())
    assert saved == {"rows": 10, "parameters": {"sample_frac": 1.0, "seed": 42, "save_figures": True}}
    assert save_figure(plt.figure(), "01_plot") == project / "reports" / "figures" / "01_plot.png"


def test_edited_parameter_cell_goes_to_its_own_folder(project, capsys):
    """What happens in JupyterLab after editing sample_frac = 0.1 (no runner, no environment variable)."""
    _check(1.0)
    save_metrics("01_prep", {"rows": 10})
    _check(0.1)
    save_metrics("01_prep", {"rows": 1})
    path = save_figure(plt.figure(), "01_plot")
    record_erratum("5.1-x", "5.1", "a", "b", "wrong", "01_prep")
    run = project / "reports" / "runs" / runs.run_tag({"sample_frac": 0.1})
    assert path == run / "figures" / "01_plot.png" and path.exists()
    assert json.loads((run / "metrics" / "01_prep.json").read_text())["rows"] == 1
    assert json.loads((project / "reports" / "metrics" / "01_prep.json").read_text())["rows"] == 10
    assert len(load_errata(run / "errata.csv")) == 1 and not (project / "reports" / "errata.csv").exists()
    out = capsys.readouterr().out
    assert out.count("non-default parameters (sample_frac=0.1): results go to") == 1


def test_runner_folder_wins_and_is_read_first(project, monkeypatch):
    run = project / "reports" / "runs" / runs.run_tag({"k": 5})
    save_metrics("07_eval", {"auc": 0.5}, metrics_dir=project / "reports" / "metrics")
    monkeypatch.setenv(runs.RUN_DIR_ENV, str(run))
    assert load_metrics("07_eval") == {"auc": 0.5}  # not in the run's folder: the full run's
    save_metrics("07_eval", {"auc": 0.7})
    assert load_metrics("07_eval") == {"auc": 0.7}
    assert (run / "metrics" / "07_eval.json").exists()


def test_parameters_key_is_reserved(tmp_path):
    with pytest.raises(ValueError, match="reserved"):
        save_metrics("nb", {"parameters": 1}, metrics_dir=tmp_path)
