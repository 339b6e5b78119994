"""Repository-wide pytest hooks (tests/conftest.py holds the unit tests' fixtures)."""

from pathlib import Path


def pytest_ignore_collect(collection_path: Path, config) -> bool | None:
    """`--nbval notebooks` collects every .ipynb there; a dot-file is never a notebook of the project but a
    temporary file of a writer (`.NN_x.ipynb.tmp<pid>-...`, rec_utils.runtime.io) or an editor's copy."""
    if collection_path.name.startswith(".") and collection_path.suffix == ".ipynb":
        return True
    return None
