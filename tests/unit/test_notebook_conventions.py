"""House rules every committed notebook follows (checked on the files, without running them)."""

import ast
import json
import re
import statistics

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
    title = "".join(nb["cells"][0]["source"]).splitlines()[0]
    assert title.startswith(f"# {path.stem[:2]} "), f"the title {title!r} does not carry the file's number"
    assert f'save_metrics("{path.stem}"' in "".join(code[-1]["source"]), "metrics saved under another name"


NAMESPACE = re.compile(r"^from rec_utils\.chapters import (\w+) as (\w+)$", re.M)
MAX_IMPORT_LINES = 12
PACKAGE_DIR = REPO_ROOT / "rec_utils"


def _code(path) -> str:
    nb = json.loads(path.read_text())
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")


def _chapter_imports(chapter: str) -> dict[str, str]:
    """{name: module} that rec_utils/chapters/<chapter>/__init__.py re-exports."""
    tree = ast.parse((PACKAGE_DIR / "chapters" / chapter / "__init__.py").read_text())
    return {alias.name: node.module for node in tree.body if isinstance(node, ast.ImportFrom) for alias in node.names}


def _rec_utils_modules(path) -> set[str]:
    """The rec_utils modules a notebook uses: those it imports from, and those its chapter namespace re-exports."""
    code = _code(path)
    modules = set(re.findall(r"from rec_utils\.([a-z_.]+) import", code)) - {"chapters"}
    for chapter, _ in NAMESPACE.findall(code):
        modules |= {module.removeprefix("rec_utils.") for module in _chapter_imports(chapter).values()}
    return modules


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_a_notebook_imports_its_chapter_not_a_wall_of_names(path):
    lines = sum(node.end_lineno - node.lineno + 1 for node in ast.walk(ast.parse(_code(path)))
                if isinstance(node, (ast.Import, ast.ImportFrom)))
    assert lines <= MAX_IMPORT_LINES, f"{path.stem} spends {lines} lines on imports (at most {MAX_IMPORT_LINES})"
    chapters = NAMESPACE.findall(_code(path))
    assert len(chapters) == 1, f"{path.stem} must import one chapter namespace, found {chapters}"
    chapter, alias = chapters[0]
    exported = set(_chapter_imports(chapter))
    used = set(re.findall(rf"\b{alias}\.(\w+)", _code(path)))
    assert used <= exported, f"{path.stem} uses {sorted(used - exported)} that rec_utils.chapters.{chapter} lacks"


MAX_CELL_LINES, MAX_MEDIAN_CELL_LINES = 30, 12


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_code_cells_hold_one_step_each(path):
    nb = json.loads(path.read_text())
    lengths = {c.get("id"): len("".join(c["source"]).splitlines()) for c in nb["cells"] if c["cell_type"] == "code"}
    long = {cell: n for cell, n in lengths.items() if n > MAX_CELL_LINES}
    assert not long, f"{path.stem}: code cells over {MAX_CELL_LINES} lines {long}: split them, or move helpers out"
    median = statistics.median(lengths.values())
    assert median <= MAX_MEDIAN_CELL_LINES, f"{path.stem}: median code cell {median} lines (at most 12)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_module_table_names_the_modules_each_notebook_uses(path):
    guide = (REPO_ROOT / "CONTRIBUTING.md").read_text()
    header = "| notebook | `rec_utils` modules |"
    assert header in guide, f"CONTRIBUTING.md has no module table (its header is {header!r})"
    table = guide.split(header, 1)[1].split("\n\n", 1)[0].splitlines()
    rows = [line for line in table if line.startswith(f"| `{path.stem}` |")]
    assert rows, f"CONTRIBUTING.md's module table has no row for {path.stem}"
    listed = {m.strip() for m in rows[0].split("|")[2].split(",")}
    assert listed == _rec_utils_modules(path), f"CONTRIBUTING.md's module-table row for {path.stem} is out of date"


# Notebooks that introduce a method write it out once from scratch (d2l's way), in a cell tagged "from-scratch"
# that checks it against the library call the rest of the notebook uses.
FROM_SCRATCH = {"02_matrix_factorization", "03_cosine_similarity", "04_logistic_regression", "06_click_model",
                "10_explore_exploit", "12_privacy", "13_interpretability_fairness"}


@pytest.mark.parametrize("name", sorted(FROM_SCRATCH))
def test_methods_are_written_out_and_checked_against_the_library(name):
    nb = json.loads((NOTEBOOKS_DIR / f"{name}.ipynb").read_text())
    cells = [c for c in nb["cells"] if c["cell_type"] == "code" and "from-scratch" in c["metadata"].get("tags", [])]
    assert cells, f"{name} has no code cell tagged 'from-scratch'"
    for cell in cells:
        source = "".join(cell["source"])
        assert re.search(r"^\s*assert ", source, re.M), f"a from-scratch cell of {name} asserts nothing:\n{source}"
        code_lines = [line for line in source.splitlines() if line.strip()]
        assert len(code_lines) <= 15, f"a from-scratch cell of {name} has {len(code_lines)} lines (15 at most)"
        assert cell.get("outputs"), f"a from-scratch cell of {name} was committed without its output"
        # nbval compares its printed check on every run
        assert "nbval-ignore-output" not in cell["metadata"]["tags"], f"nbval ignores a from-scratch cell of {name}"


# A summary states its lessons (in words, or printed from the run's numbers); it does not send the reader back to
# the outputs ("the verdicts printed above say ...", "overlap as much as the table shows").
POINTING = re.compile(r"\b(?:printed|shown|table|cells?|see|asserted) above\b|\b(?:table|plot|figure) shows\b"
                      r"|\bprinted check\b|\bsee the (?:table|plot|figure)\b", re.I)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_summaries_state_lessons_instead_of_pointing_at_outputs(path):
    nb = json.loads(path.read_text())
    summaries = ["".join(c["source"]) for c in nb["cells"]
                 if c["cell_type"] == "markdown" and "".join(c["source"]).startswith("## Summary")]
    assert len(summaries) == 1, f"{path.stem} needs one markdown cell starting '## Summary'"
    body = summaries[0].split("**Exercises")[0]
    assert not POINTING.search(body), f"{path.stem}'s summary points at outputs: {POINTING.search(body).group(0)!r}"
