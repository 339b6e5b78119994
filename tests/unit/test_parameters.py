"""Notebook parameter checks: one named error that says what each bad parameter must be."""

import json

import nbformat
import papermill as pm
import pytest

from rec_utils.evaluation.protocol import cut_date_rule
from rec_utils.runtime.parameter_names import undeclared_parameters
from rec_utils.runtime.parameters import (
    Choice,
    Date,
    Flag,
    Integer,
    ListOf,
    Number,
    OrNone,
    ParameterError,
    Text,
    check_parameters,
)
from rec_utils.runtime.paths import NOTEBOOKS_DIR
from rec_utils.runtime.runs import parameter_defaults


def test_good_values_pass_and_are_returned():
    values = {"sample_frac": 0.5, "seed": 0, "device": "cpu", "save": True, "grid": [8, 16], "top_n": None,
              "name": "x"}
    checked = check_parameters(values, sample_frac=Number(0, 1, low_open=True), seed=Integer(minimum=0),
                               device=Choice("auto", "cpu", "gpu"), save=Flag(), grid=ListOf(Integer(minimum=1)),
                               top_n=OrNone(Integer(minimum=1)), name=Text())
    assert checked == values


@pytest.mark.parametrize("value, rule, message", [
    (7, Integer(minimum=32), "image_size must be an integer >= 32, got 7"),
    (True, Integer(), "image_size must be an integer, got True"),
    ("abc", Number(0, 1, low_open=True), "must be a number in (0, 1], got 'abc'"),
    (0, Number(0, 1, low_open=True), "must be a number in (0, 1], got 0"),
    (float("nan"), Number(0, 1), "got nan"),
    ("yes", Flag(), "must be true or false, got 'yes'"),
    ("tpu", Choice("auto", "cpu", "gpu"), "must be one of 'auto', 'cpu', 'gpu', got 'tpu'"),
    ([8, 0], ListOf(Integer(minimum=1)), "each an integer >= 1, got [8, 0]"),
    ([], ListOf(Integer()), "at least 1 items"),
    ("", Text(), "must be a non-empty text"),
])
def test_bad_values_name_the_parameter_and_the_rule(value, rule, message):
    with pytest.raises(ParameterError) as error:
        check_parameters({"image_size": value}, image_size=rule)
    assert message in str(error.value)


def test_every_problem_is_reported_at_once_and_missing_names_too():
    with pytest.raises(ParameterError, match=r"a must be .*; b is not defined"):
        check_parameters({"a": -1}, a=Integer(minimum=0), b=Flag())


def test_dates_are_iso_text_within_their_range():
    rule = Date("2011-01-01", "2011-11-10", why="windows inside the data")
    assert rule.accepts("2011-11-10") and rule.accepts("2011-01-01")
    for bad in ("2011-11-11", "2010-12-31", "abc", "2011 11 10", "2011-11-1", "2011-13-01", 20111110, None):
        assert not rule.accepts(bad), bad
    assert rule.describe() == "a date 'YYYY-MM-DD' from 2011-01-01 to 2011-11-10 (windows inside the data)"
    assert Date().accepts("1999-01-01") and Date().describe() == "a date 'YYYY-MM-DD'"


@pytest.mark.parametrize("cut, days, accepted", [
    ("2011-11-10", (30, 30), True), ("2011-01-01", (30, 30), True), ("2011-11-11", (30, 30), False),
    ("2010-12-31", (30, 30), False), ("2011-12-09", (30, 1), True), ("2010-12-03", (1, 30), True),
    ("abc", (30, 30), False), ("2030-01-01", (30, 30), False), ("2011-11-10", ("x", None), True),
])
def test_cut_dates_leave_the_windows_inside_the_data(cut, days, accepted):
    """A bad cut ('abc', '2030-01-01') used to pass the parameters cell and fail 20-30 s later."""
    assert cut_date_rule(*days).accepts(cut) is accepted


def test_a_cut_outside_the_data_stops_at_the_parameters_check():
    values = {"cut_date": "2030-01-01", "validation_days": 30, "test_days": 30}
    expected = (r"cut_date must be a date 'YYYY-MM-DD' from 2011-01-01 to 2011-11-10 "
                r"\(validation \(30 days\) .* 2010-12-01 .. 2011-12-09\), got '2030-01-01'")
    with pytest.raises(ParameterError, match=expected):
        check_parameters(values, cut_date=cut_date_rule(values["validation_days"], values["test_days"]),
                         validation_days=Integer(minimum=1), test_days=Integer(minimum=1))


def test_every_notebooks_default_cut_passes_the_rule():
    """So the notebooks can declare cut_date=cut_date_rule(validation_days, test_days) without a change of results."""
    checked = 0
    for path in sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb")):
        defaults = parameter_defaults(path)
        if "cut_date" in defaults:
            assert cut_date_rule(defaults["validation_days"], defaults["test_days"]).accepts(defaults["cut_date"])
            checked += 1
    assert checked >= 6


CHECK_CELL = ("from rec_utils.runtime.parameters import Integer, Number, check_parameters\n"
              "check_parameters(globals(), sample_frac=Number(0, 1, low_open=True), seed=Integer(minimum=0))\n")
PARAMETERS_CELL = "# Parameters\nsample_frac = 1.0  # share\nseed = 42  # seed\n"


def _kernel_namespace(*cells: str) -> dict:
    """globals() of a kernel that ran `cells`, the last one running: IPython's input history `In`."""
    return {"In": ["", *cells], "sample_frac": 1.0, "seed": 42}


def test_names_the_notebook_does_not_declare_are_refused_with_the_valid_ones():
    injected = "# Parameters\nsmaple_frac = 0.1\n"  # what papermill -p smaple_frac 0.1 injects
    with pytest.raises(ParameterError, match=r"unknown parameter smaple_frac .* Valid names: sample_frac, seed"):
        check_parameters(_kernel_namespace(PARAMETERS_CELL, injected, CHECK_CELL), sample_frac=Number(), seed=Integer())
    edited = PARAMETERS_CELL + "smaple_frac = 0.1\n"  # a line added in JupyterLab
    with pytest.raises(ParameterError, match=r"unknown parameter smaple_frac"):
        check_parameters(_kernel_namespace(edited, CHECK_CELL), sample_frac=Number(), seed=Integer())
    declared = "# Parameters\nseed = 7\n"
    assert check_parameters(_kernel_namespace(PARAMETERS_CELL, declared, CHECK_CELL), seed=Integer()) == {"seed": 42}
    assert check_parameters(_kernel_namespace("x = 1", CHECK_CELL), seed=Integer())  # no parameters cell before


def test_a_later_check_in_the_same_cell_declares_its_names_too():
    """Notebook 10 checks k and ks in a second call of its check cell."""
    cell = ("check_parameters(globals(), seed=Integer())\n"
            "parameters.update(check_parameters(globals(), k=slate, ks=ListOf(slate, 2)))\n")
    namespace = {**_kernel_namespace("# Parameters\nseed = 1\nk = 5\nks = [5, 10]\n", cell), "k": 5, "ks": [5, 10]}
    assert check_parameters(namespace, seed=Integer()) == {"seed": 42}
    assert undeclared_parameters(namespace) == ([], ["k", "ks", "seed"])


@pytest.mark.parametrize("path", sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb")), ids=lambda p: p.stem)
def test_no_notebook_sets_a_name_its_check_cell_does_not_declare(path):
    cells = [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]
    parameters_cell, check_cell = ("".join(c["source"]) for c in cells[:2])
    injected = "# Parameters\n" + "".join(f"{name} = {value!r}\n" for name, value in parameter_defaults(path).items())
    assert undeclared_parameters({"In": ["", parameters_cell, injected, check_cell]})[0] == []


def _notebook(path, parameters_cell):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "interest-lab", "display_name": "Python (interest-lab)", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(parameters_cell), nbformat.v4.new_code_cell(CHECK_CELL),
                nbformat.v4.new_code_cell("print('ran with', sample_frac)")]
    nb.cells[0].metadata["tags"] = ["parameters"]
    nbformat.write(nb, path)
    return path


def test_plain_papermill_with_a_misspelled_parameter_stops_with_the_valid_names(tmp_path):
    """`papermill in.ipynb out.ipynb -p smaple_frac 0.1` used to warn, then run the defaults."""
    nb = _notebook(tmp_path / "tiny.ipynb", PARAMETERS_CELL)
    with pytest.raises(pm.PapermillExecutionError) as error:
        pm.execute_notebook(str(nb), str(tmp_path / "out.ipynb"), parameters={"smaple_frac": 0.1},
                            kernel_name="interest-lab", progress_bar=False)
    assert error.value.ename == "ParameterError"
    assert "unknown parameter smaple_frac" in error.value.evalue
    assert "Valid names: sample_frac, seed" in error.value.evalue
    executed = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    assert not executed.cells[-1].get("outputs")  # nothing after the check ran
    pm.execute_notebook(str(nb), str(tmp_path / "ok.ipynb"), parameters={"sample_frac": 0.5},
                        kernel_name="interest-lab", progress_bar=False)
    assert "ran with 0.5" in nbformat.read(tmp_path / "ok.ipynb", as_version=4).cells[-1].outputs[0]["text"]
    edited = _notebook(tmp_path / "edited.ipynb", PARAMETERS_CELL + "smaple_frac = 0.1\n")  # edited in JupyterLab
    with pytest.raises(pm.PapermillExecutionError, match="unknown parameter smaple_frac"):
        pm.execute_notebook(str(edited), str(tmp_path / "out2.ipynb"), kernel_name="interest-lab", progress_bar=False)
