"""Names set before a notebook's check_parameters cell that the notebook does not declare: `papermill -p smaple_frac
0.1` (papermill only warns, then runs the defaults) or a line added to the parameters cell in JupyterLab.

Inside a kernel, IPython's input history `In` (in the notebook's globals()) holds the sources executed, the running
cell last. The cells just before it that read as parameters cells (first line a comment starting "# Parameters",
every statement `name = value`: the notebook's own parameters cell and papermill's injected-parameters cell,
which starts "# Parameters") assign names; the notebook declares the names its check_parameters calls (in the
running cell) validate. A name assigned but not declared is a misspelling or a parameter of another notebook.
Outside a kernel, or when the running cell calls no check_parameters, nothing is checked.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

PARAMETERS_COMMENT = "# Parameters"


def assigned_names(source: str) -> list[str] | None:
    """Names a parameters cell assigns; None when `source` does not read as one (see the module docstring)."""
    lines = [line for line in source.strip().splitlines() if line.strip()]
    if not lines or not lines[0].lstrip().startswith(PARAMETERS_COMMENT):
        return None
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return None
    if not all(isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name)
               for s in body):
        return None
    return [s.targets[0].id for s in body]


def checked_names(source: str) -> set[str]:
    """The keyword names of every `check_parameters(...)` call in `source` (empty when it has none or is not Python)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {kw.arg for node in ast.walk(tree) if isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", None)) == "check_parameters"
            for kw in node.keywords if kw.arg}


def undeclared_parameters(namespace: Mapping[str, object]) -> tuple[list[str], list[str]]:
    """(names set by the parameters cells just run but validated by no check_parameters call of the running cell,
    the names that are validated), both sorted; ([], []) outside a kernel's notebook."""
    history = namespace.get("In")
    if not isinstance(history, list) or len(history) < 2 or not isinstance(history[-1], str):
        return [], []
    declared = checked_names(history[-1])
    if not declared:
        return [], []
    assigned: set[str] = set()
    for source in reversed(history[:-1]):
        names = assigned_names(source) if isinstance(source, str) else None
        if names is None:
            break
        assigned.update(names)
    return sorted(assigned - declared), sorted(declared)
