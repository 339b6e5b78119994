"""rec_utils is layered: runtime -> data -> simulation -> features -> models -> recommend -> evaluation.

A module may import from its own layer and the layers before it, never from a later one; the
top-level modules (plots, run, ...) may import anything. Read from the source, imports inside
functions included.
"""

import ast
from pathlib import Path

import pytest

import rec_utils

LAYERS = ["runtime", "data", "simulation", "features", "models", "recommend", "evaluation"]
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


def test_every_sub_package_is_a_known_layer():
    packages = {p.parent.name for p in PACKAGE_DIR.glob("*/__init__.py")}
    assert packages == set(LAYERS)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: f"{p.parent.name}.{p.stem}")
def test_imports_point_down(path):
    own = LAYERS.index(path.parent.name)
    later = {layer for layer in imported_layers(path) if layer not in LAYERS or LAYERS.index(layer) > own}
    assert not later, f"{path.parent.name}/{path.name} imports from a later layer: {sorted(later)}"


def test_sub_packages_say_what_they_hold_and_may_import():
    for layer in LAYERS:
        doc = ast.get_docstring(ast.parse((PACKAGE_DIR / layer / "__init__.py").read_text()))
        assert doc and "import" in doc.lower(), f"rec_utils/{layer}/__init__.py must say what it may import"
