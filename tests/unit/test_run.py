import nbformat
import pytest

from rec_utils.runtime.report import write_index
from rec_utils.runtime.runner import execute, find_notebooks, notebook_title, parse_args, record_runs


def _notebook(path, sources):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "interest-lab", "display_name": "Python (interest-lab)", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell("# 99 Test notebook")]
    nb.cells += [nbformat.v4.new_code_cell(s) for s in sources]
    nb.cells[1].metadata["tags"] = ["parameters"]
    nbformat.write(nb, path)
    return path


def test_selectors_pick_notebooks_in_numeric_order():
    names = [nb.name for nb in find_notebooks([])]
    assert names == sorted(names) and names[0].startswith("00_")
    assert find_notebooks(["01"])[0].name.startswith("01_")
    with pytest.raises(SystemExit, match="matches 0 notebooks"):
        find_notebooks(["77"])


def test_parameters_are_parsed_as_yaml():
    args = parse_args(["01", "-p", "sample_frac", "0.1", "-p", "name", "abc"])
    assert args.notebooks == ["01"] and args.parameter == [["sample_frac", "0.1"], ["name", "abc"]]


def test_failure_names_the_cell_and_parameters_override(tmp_path):
    nb = _notebook(tmp_path / "99_test.ipynb", ["x = 1", "assert x == 1, 'x changed'", "y = 2"])
    ok = execute(nb, tmp_path / "ok.ipynb", {})
    assert ok.ok
    failed = execute(nb, tmp_path / "failed.ipynb", {"x": 5})
    assert not failed.ok
    assert "AssertionError: x changed" in failed.error
    assert failed.error.startswith("cell 3")  # markdown, parameters, injected parameters, failing cell
    entries = record_runs([ok], reports_dir=tmp_path)
    entries = record_runs([failed], reports_dir=tmp_path)  # same notebook: the latest run replaces it
    assert len(entries) == 1 and entries[0]["error"] == failed.error
    page = write_index(entries, reports_dir=tmp_path).read_text()
    assert "FAILED" in page and "failed.html" in page and notebook_title(nb) == "99 Test notebook"
