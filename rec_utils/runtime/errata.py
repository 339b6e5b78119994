"""The errata record: reports/errata.csv, one row per claim of the article that a notebook checks.

Notebooks call `record_erratum` with values they computed in that run; a row is keyed by
`claim_id` and replaced when the notebook runs again, so the file never holds stale copies.
The update (read, replace the row, write) holds a file lock and writes atomically, so notebooks
running at the same time never lose each other's rows. A run with non-default parameters records
into its own folder (rec_utils.runtime.runs), never over the full run's errata.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from rec_utils.runtime.io import atomic_path, file_lock
from rec_utils.runtime.paths import REPORTS_DIR
from rec_utils.runtime.runs import artefact_dir

ERRATA_PATH: Path = REPORTS_DIR / "errata.csv"
ERRATA_COLUMNS = ["claim_id", "section", "article_says", "we_compute", "status", "notebook"]
STATUSES = ("confirmed", "confirmed with caveats", "wrong", "not reproducible")


def record_erratum(
    claim_id: str,
    section: str,
    article_says: str,
    we_compute: str,
    status: str,
    notebook: str,
    path: Path | None = None,
) -> pd.DataFrame:
    """Insert or replace the row `claim_id` in the errata CSV; return the whole table, sorted.

    `path` defaults to reports/errata.csv (or errata.csv in the run's folder for non-default parameters).
    """
    if status not in STATUSES:
        raise ValueError(f"status must be one of {STATUSES}, got {status!r}")
    path = Path(path) if path is not None else artefact_dir(notebook) / ERRATA_PATH.name
    row = pd.DataFrame([[claim_id, section, article_says, we_compute, status, notebook]], columns=ERRATA_COLUMNS)
    with file_lock(path):
        table = load_errata(path)
        table = pd.concat([table[table["claim_id"] != claim_id], row], ignore_index=True)
        table = table.sort_values(["section", "claim_id"], ignore_index=True)
        with atomic_path(path) as tmp:
            table.to_csv(tmp, index=False)
    return table


def load_errata(path: Path = ERRATA_PATH) -> pd.DataFrame:
    """The errata table (empty with the right columns when no notebook has written it)."""
    path = Path(path)
    return pd.read_csv(path, dtype=str) if path.exists() else pd.DataFrame(columns=ERRATA_COLUMNS)
