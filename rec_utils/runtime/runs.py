"""Keeping a run with non-default parameters apart from the full run that tests/results check.

A sample run (`python -m rec_utils.run 01 -p sample_frac 0.1`, or notebook 01 run in JupyterLab after
editing `sample_frac = 0.1` in its parameters cell) must never replace the full run's metrics, figures,
errata or executed notebooks. Every writer of results (save_metrics, save_figure, record_erratum, save_choice)
asks `artefact_dir(notebook)` where to write, and the runner asks `run_folder(overrides)` for its notebooks,
HTML, run log and index (tests/unit/test_result_writers.py enumerates the writers, so none can bypass this):

    INTEREST_LAB_RUN_DIR is set (the runner sets it when -p is given)       -> that folder
    the values last checked by check_parameters differ from the defaults
    in notebooks/<notebook>.ipynb's parameters cell (a JupyterLab edit)     -> reports/runs/<tag>/ (said once)
    otherwise                                                               -> reports/

<tag> names the changed parameters and ends in a hash of them (run_tag), so different overrides never share a
folder. A notebook writing another result file (a CSV, predictions) writes it to
`artefact_dir("<its notebook>") / name`; one reading another notebook's result asks
`find_artefact("06_click_predictions.parquet")`: the run's own copy when it has one, else the full run's, which
the reader uses only when the parameters that shaped it match its own (the predictions' config, the recommender
choice's protocol, budget, seed and selection metric). Limits: a kernel can only compare with the notebook
file as saved, so a parameters cell that was edited *and saved* defines new defaults (nbval then shows the
changed outputs); a notebook without a check_parameters cell is only kept apart by the runner.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
from pathlib import Path

from rec_utils.runtime.parameters import checked_parameters
from rec_utils.runtime.paths import NOTEBOOKS_DIR, REPORTS_DIR, RUNS_DIR, relative

RUN_DIR_ENV = "INTEREST_LAB_RUN_DIR"
_announced: set[Path] = set()


def parameters_source(notebook: Path) -> str:
    """Source of the notebook's code cell tagged `parameters` ("" when it has none)."""
    for cell in json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            return "".join(cell["source"])
    return ""


def parameter_defaults(notebook: Path) -> dict[str, object]:
    """{name: value} of every `name = <literal>` line of the notebook's parameters cell."""
    defaults = {}
    for node in ast.parse(parameters_source(notebook)).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                defaults[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:  # not a literal: papermill could not override it either
                continue
    return defaults


def notebook_file(name: str) -> Path | None:
    """The notebook a result name belongs to, by its number: "01_data_preparation" or "01_long_tail"
    -> notebooks/01_data_preparation.ipynb; None when the name has no number or no such notebook exists."""
    number = re.match(r"\d\d(?=_|$)", name)
    matches = sorted(NOTEBOOKS_DIR.glob(f"{number.group()}_*.ipynb")) if number else []
    return matches[0] if len(matches) == 1 else None


def run_parameters(name: str) -> dict[str, object]:
    """The values this process checked (check_parameters) for the parameters its notebook declares."""
    path = notebook_file(name)
    if path is None:
        return {}
    declared = parameter_defaults(path)
    return {k: v for k, v in checked_parameters().items() if k in declared}


def changed_parameters(name: str) -> dict[str, object]:
    """{name: value} of the checked parameters that differ from the notebook file's defaults."""
    path = notebook_file(name)
    if path is None:
        return {}
    defaults = parameter_defaults(path)
    return {k: v for k, v in run_parameters(name).items() if v != defaults[k]}


def canonical_json(value: object) -> str:
    """`value` (the overrides, or one of them) as canonical JSON: sorted keys, no spaces, a value JSON cannot hold
    written as text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def run_tag(overrides: dict[str, object]) -> str:
    """Folder name for a run with these overrides: a readable prefix, then the first 10 hex digits of the SHA-256 of
    their canonical JSON, e.g. {"sample_frac": 0.1} -> "sample_frac-0.1-<hash>". The prefix only helps people
    (signs, spaces and punctuation become '-', and it is cut at 40 characters); the hash tells runs apart, so
    `beta_price 0.02` and `beta_price -0.02`, or `k 1` and `k 1.0`, never share a folder."""
    text = canonical_json(overrides)
    readable = "_".join(f"{k}-{canonical_json(v)}" for k, v in sorted(overrides.items()))
    prefix = re.sub(r"[^A-Za-z0-9._]+", "-", readable).strip("-.")[:40].rstrip("-._") or "overrides"
    return f"{prefix}-{hashlib.sha256(text.encode()).hexdigest()[:10]}"


def run_folder(overrides: dict[str, object]) -> Path:
    """Where a run writes everything: reports/ with no overrides, else reports/runs/<run_tag(overrides)>/."""
    return RUNS_DIR / run_tag(overrides) if overrides else REPORTS_DIR


def artefact_dir(name: str) -> Path:
    """Folder for the results of notebook `name` (or of a figure named after it): reports/ for a run
    with default parameters, otherwise the run's own folder (see the module docstring)."""
    if os.environ.get(RUN_DIR_ENV):
        return Path(os.environ[RUN_DIR_ENV])
    changed = changed_parameters(name)
    if not changed:
        return REPORTS_DIR
    folder = run_folder(changed)
    if folder not in _announced:
        _announced.add(folder)
        shown = ", ".join(f"{k}={v!r}" for k, v in changed.items())
        print(f"non-default parameters ({shown}): results go to {relative(folder)}/, not over the full run's")
    return folder


def find_artefact(relative_path: str | Path) -> Path:
    """Where to read a result that a notebook wrote, given its path under reports/ (e.g. "metrics/07_x.json"):
    the copy in the runner's run folder when there is one there, else reports/ (the path may not exist)."""
    run_dir = os.environ.get(RUN_DIR_ENV)
    if run_dir and (Path(run_dir) / relative_path).exists():
        return Path(run_dir) / relative_path
    return REPORTS_DIR / relative_path
