"""Repository locations. The package is installed editable (`pip install -e .`),
so the repository root is two folders above this file (rec_utils/runtime/)."""

from pathlib import Path

REPO_ROOT: Path = Path(__file__).resolve().parents[2]
DATA_DIR: Path = REPO_ROOT / "data"
PROCESSED_DIR: Path = DATA_DIR / "processed"
CACHE_DIR: Path = DATA_DIR / "cache"
NOTEBOOKS_DIR: Path = REPO_ROOT / "notebooks"
NOTEBOOK_PATTERN = "[0-9][0-9]_*.ipynb"  # the project's numbered notebooks
REPORTS_DIR: Path = REPO_ROOT / "reports"
METRICS_DIR: Path = REPORTS_DIR / "metrics"
FIGURES_DIR: Path = REPORTS_DIR / "figures"
RUNS_DIR: Path = REPORTS_DIR / "runs"  # runs with non-default parameters, one folder each (rec_utils.runtime.runs)


def relative(path: Path) -> str:
    """Path as shown to readers: relative to the repository root when inside it."""
    path = Path(path).resolve()
    try:
        return path.relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return path.as_posix()
