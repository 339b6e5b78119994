"""Every notebook's parameters can be overridden and are checked (issue 9, item 3).

The first code cell (tagged `parameters`) holds one `name = literal  # comment` per line, so papermill's
inspect_notebook recognises every name (what `python -m rec_utils.run -p` checks names against); the next
code cell validates every one of them with `check_parameters(globals(), name=Rule(...), ...)`, so a bad
value stops the run at once with a named ParameterError.
"""

import ast
import json

import papermill as pm
import pytest

from rec_utils.runtime.parameters import ParameterError
from rec_utils.runtime.paths import NOTEBOOKS_DIR

NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))


def _code_cells(path) -> list[str]:
    cells = json.loads(path.read_text())["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]


def _python(source: str) -> ast.Module:
    """The cell as Python, IPython magics and shell lines left out."""
    return ast.parse("\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_parameters_are_recognised_by_papermill_and_validated(path):
    parameters_cell, validation_cell = _code_cells(path)[:2]
    statements = _python(parameters_cell).body
    not_simple = [ast.unparse(s) for s in statements
                  if not (isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name))]
    assert not not_simple, f"parameters cell: write one `name = value` per line, not {not_simple}"
    names = [s.targets[0].id for s in statements]
    unrecognised = sorted(set(names) - set(pm.inspect_notebook(str(path))))
    assert not unrecognised, (f"papermill does not recognise {unrecognised} (e.g. a comment holding '='): "
                              "-p would refuse these names")
    calls = [node for node in ast.walk(_python(validation_cell)) if isinstance(node, ast.Call)
             and getattr(node.func, "id", getattr(node.func, "attr", None)) == "check_parameters"]  # f() or ch.f()
    assert calls, "the cell after the parameters must call check_parameters(globals(), name=Rule(...), ...)"
    assert all(ast.unparse(call.args[0]) == "globals()" for call in calls if call.args)
    unchecked = sorted(set(names) - {kw.arg for call in calls for kw in call.keywords})
    assert not unchecked, f"check_parameters does not validate {unchecked}"


@pytest.mark.parametrize("a, b", [([1, 2], [1, 2, 3]), ([0, 0, 0], [1, 2, 3]), ([], [])])
def test_03_refuses_vectors_without_a_cosine_at_its_parameters_cell(a, b):
    """Vectors of different lengths used to pass the parameters cell and fail later with a ValueError."""
    parameters_cell, validation_cell = _code_cells(NOTEBOOKS_DIR / "03_cosine_similarity.ipynb")[:2]
    namespace: dict = {}
    exec(parameters_cell, namespace)
    namespace.update(A=a, B=b)
    with pytest.raises(ParameterError, match="A"):
        exec(validation_cell, namespace)


@pytest.mark.parametrize("notebook, overrides, message", [
    ("03_cosine_similarity", {"example_products": ["WHITE HANGING HEART T-LIGHT HOLDER", "NO SUCH PRODUCT"]},
     "not found: ['NO SUCH PRODUCT']"),
    ("08_personalized_recommendation", {"example_customers": [12347, 99999]}, "example_customers 99999"),
    ("09_language_model", {"query_customer": 99998}, "query_customer 99998"),
    ("09_language_model", {"example_customers": [12347, 99997]}, "example_customers 99997"),
    ("08_personalized_recommendation", {"new_customer_country": "Atlantis"}, "new_customer_country 'Atlantis'"),
])
def test_values_the_data_lacks_stop_at_the_parameters_cell(notebook, overrides, message):
    """Unknown products, customers and countries used to pass the parameters cell and fail minutes later."""
    parameters_cell, validation_cell = _code_cells(NOTEBOOKS_DIR / f"{notebook}.ipynb")[:2]
    namespace: dict = {}
    exec(parameters_cell, namespace)
    exec(validation_cell, dict(namespace))  # the defaults pass
    namespace.update(overrides)
    with pytest.raises(ParameterError, match=message.replace("[", r"\[").replace("]", r"\]")):
        exec(validation_cell, namespace)
