"""A run with -p overrides changes no byte under reports/ outside its own run folder: notebook 07 (the writer of
the recommender choice that notebooks 08, 11 and 13 read) is run after the full run with a small override, and
every file of the full run is hashed before and after (a few minutes)."""

import hashlib
import subprocess
import sys

import pytest

from rec_utils.runtime.paths import REPO_ROOT, REPORTS_DIR, RUNS_DIR
from rec_utils.runtime.runs import run_tag

OVERRIDES = {"n_boot": 50, "n_boot_ranking": 100}  # searches and folds as stored: read back, not fitted


def _full_run_hashes() -> dict[str, str]:
    """{path under reports/: sha256} of every file outside reports/runs/ (lock files hold no data)."""
    return {p.relative_to(REPORTS_DIR).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(REPORTS_DIR.rglob("*")) if p.is_file() and not p.is_relative_to(RUNS_DIR)
            and not p.name.endswith(".lock")}


@pytest.mark.slow
def test_a_sample_run_of_07_changes_no_byte_of_the_full_run():
    before = _full_run_hashes()
    assert "07_recommender_choice.json" in before, "run the full notebook 07 first (make test runs it by nbval)"
    command = [sys.executable, "-m", "rec_utils.run", "07", "--no-html"]
    for name, value in OVERRIDES.items():
        command += ["-p", name, str(value)]
    result = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=3600)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    assert _full_run_hashes() == before
    run = RUNS_DIR / run_tag(OVERRIDES)
    for name in ("07_recommender_choice.json", "07_ranking.csv", "metrics/07_model_evaluation.json",
                 "errata.csv", "07_model_evaluation.ipynb", "run_log.json"):
        assert (run / name).is_file(), f"{name} missing from {run}"
