"""House rules every committed notebook follows (checked on the files, without running them)."""

import json
import re

import pytest

from rec_utils.runtime.paths import NOTEBOOKS_DIR, REPO_ROOT

NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 2


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_conventions(path):
    nb = json.loads(path.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert "parameters" in code[0]["metadata"].get("tags", []), "first code cell must be tagged 'parameters'"
    assert nb["metadata"]["kernelspec"]["name"] == "interest-lab"
    assert any(c.get("outputs") for c in code), "committed without outputs: nbval would check nothing"
    outputs = json.dumps([c.get("outputs", []) for c in code])
    assert '"ename"' not in outputs and "Traceback" not in outputs
    assert not re.search(r"/(root|work|tmp|home)/", outputs), "an output shows a machine path"
    assert "stderr" not in outputs, "stderr in a stored output (warnings or log noise)"
    assert "save_metrics(" in "".join(code[-1]["source"]), "last cell must save the headline results"


def _rec_utils_modules(path) -> set[str]:
    nb = json.loads(path.read_text())
    code = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    return set(re.findall(r"from rec_utils\.([a-z_.]+) import", code))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_readme_table_names_the_modules_each_notebook_uses(path):
    readme = (REPO_ROOT / "README.md").read_text()
    header = "| notebook | `rec_utils` modules |"
    assert header in readme, f"README.md has no module table (its header is {header!r})"
    table = readme.split(header, 1)[1].split("\n\n", 1)[0].splitlines()
    rows = [line for line in table if line.startswith(f"| `{path.stem}` |")]
    assert rows, f"README.md's module table has no row for {path.stem}"
    listed = {m.strip() for m in rows[0].split("|")[2].split(",")}
    assert listed == _rec_utils_modules(path), f"README row for {path.stem} is out of date"
