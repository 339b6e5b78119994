"""rec_utils is layered: runtime -> data -> simulation -> features -> models -> recommend -> evaluation -> figures,
then the chapters (one package per notebook's experiment).

A layer module may import from its own layer and the layers before it, never from a later one nor from a chapter;
a chapter may import every layer but no other chapter; only `__init__` and `run` sit flat at the top. No module is
longer than MAX_LINES, so each keeps one job. Read from the source, imports inside functions included.
"""

import ast
from pathlib import Path

import pytest

import rec_utils

LAYERS = ["runtime", "data", "simulation", "features", "models", "recommend", "evaluation", "figures"]
MAX_LINES = 300
PACKAGE_DIR = Path(rec_utils.__file__).parent
MODULES = sorted(p for layer in LAYERS for p in (PACKAGE_DIR / layer).glob("*.py"))


def imported_layers(path: Path) -> set[str]:
    """The rec_utils layers a module imports from (absolute imports `rec_utils.<layer>...`)."""
    layers = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "rec_utils":
                layers.add(parts[1] if len(parts) > 1 else "rec_utils")
    return layers


CHAPTERS_DIR = PACKAGE_DIR / "chapters"


def imported_chapters(path: Path) -> set[str]:
    """The chapters (rec_utils.chapters.<name>) a module imports from."""
    chapters = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = [node.module] if isinstance(node, ast.ImportFrom) and node.module else (
            [alias.name for alias in node.names] if isinstance(node, ast.Import) else [])
        chapters |= {n.split(".")[2] for n in names if n.startswith("rec_utils.chapters.") and n.count(".") >= 2}
    return chapters


def test_every_sub_package_is_a_known_layer():
    packages = {p.parent.name for p in PACKAGE_DIR.glob("*/__init__.py")}
    assert packages == set(LAYERS) | {"chapters"}


@pytest.mark.parametrize("path", sorted(p for p in PACKAGE_DIR.rglob("*.py") if CHAPTERS_DIR not in p.parents),
                         ids=lambda p: str(p.relative_to(PACKAGE_DIR)))
def test_no_layer_imports_a_chapter(path):
    assert not imported_chapters(path), f"{path.relative_to(PACKAGE_DIR)} imports a chapter: chapters sit on top"


@pytest.mark.parametrize("path", sorted(CHAPTERS_DIR.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE_DIR)))
def test_a_chapter_imports_no_other_chapter(path):
    own = path.relative_to(CHAPTERS_DIR).parts[0].removesuffix(".py")
    others = imported_chapters(path) - {own}
    assert not others, f"{path.relative_to(PACKAGE_DIR)} imports chapters {sorted(others)}: shared code goes in a layer"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: f"{p.parent.name}.{p.stem}")
def test_imports_point_down(path):
    own = LAYERS.index(path.parent.name)
    later = {layer for layer in imported_layers(path) if layer not in LAYERS or LAYERS.index(layer) > own}
    assert not later, f"{path.parent.name}/{path.name} imports from a later layer: {sorted(later)}"


def test_only_init_and_run_sit_at_the_top():
    assert {p.stem for p in PACKAGE_DIR.glob("*.py")} == {"__init__", "run"}


@pytest.mark.parametrize("path", sorted(PACKAGE_DIR.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE_DIR)))
def test_no_module_is_longer_than_one_job_needs(path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(PACKAGE_DIR)} has {lines} lines (at most {MAX_LINES}): split it"


def test_sub_packages_say_what_they_hold_and_may_import():
    for layer in LAYERS:
        doc = ast.get_docstring(ast.parse((PACKAGE_DIR / layer / "__init__.py").read_text()))
        assert doc and "import" in doc.lower(), f"rec_utils/{layer}/__init__.py must say what it may import"
