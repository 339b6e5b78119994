"""Notebooks side by side: those that read another notebook's results run after it on the same worker (the declared
links cover every reading call in the notebooks, sequences are the linked groups, pytest collects notebooks first,
each sequence in numeric order), and each worker gets its share of the cores."""

import re
import subprocess
import sys

import nbformat
import pytest

from rec_utils.runtime.paths import NOTEBOOK_PATTERN, NOTEBOOKS_DIR, REPO_ROOT
from rec_utils.runtime.side_by_side import (
    READER_FUNCTIONS,
    READS_FROM,
    THREAD_VARIABLES,
    sequence_of,
    sequences,
    shared_cores,
)

NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob(NOTEBOOK_PATTERN))


def _code(path) -> str:
    return "\n".join(cell.source for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_notebook_that_reads_another_ones_results_is_declared(path):
    code = _code(path)
    read = {writer for call, writer in READER_FUNCTIONS.items() if re.search(rf"\b{call}\(", code)}
    read |= set(re.findall(r"\bload_metrics\(\s*[\"'](\d\d_\w+)[\"']", code)) - {path.stem}
    assert read <= set(READS_FROM.get(path.stem, ())), f"{path.stem} reads what {sorted(read)} saved"
    assert not re.search(r"\bfind_artefact\(", code), "a notebook reads another's results through a named reader"


def test_declared_notebooks_exist_and_read_only_earlier_ones():
    stems = {path.stem for path in NOTEBOOKS}
    for reader, writers in READS_FROM.items():
        assert reader in stems and set(writers) <= stems
        assert all(writer < reader for writer in writers), f"{reader} reads a later notebook"


def test_sequences_are_the_linked_groups_in_numeric_order():
    assert sequence_of("13_interpretability_fairness") == sequence_of("07_model_evaluation") == "06_click_model"
    assert sequence_of("05_feature_extraction") == "05_feature_extraction"
    grouped = sequences(["13_interpretability_fairness", "05_feature_extraction", "06_click_model",
                         "08_personalized_recommendation"])
    assert grouped == {"05_feature_extraction": ["05_feature_extraction"],
                       "06_click_model": ["06_click_model", "08_personalized_recommendation",
                                          "13_interpretability_fairness"]}


def test_pytest_collects_the_notebook_sequences_first_then_files_with_slow_tests():
    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--collect-only", "-q",
         "tests/unit/test_stage_times.py", "tests/unit/test_intent_queries.py", "--nbval",
         "notebooks/08_personalized_recommendation.ipynb", "notebooks/05_feature_extraction.ipynb",
         "notebooks/06_click_model.ipynb"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert collected.returncode == 0, collected.stdout[-2000:] + collected.stderr[-2000:]
    files = []
    for line in collected.stdout.splitlines():
        path = line.split("::")[0]
        if "::" in line and (not files or files[-1] != path):
            files.append(path)
    assert files == ["notebooks/06_click_model.ipynb", "notebooks/08_personalized_recommendation.ipynb",
                     "notebooks/05_feature_extraction.ipynb", "tests/unit/test_intent_queries.py",
                     "tests/unit/test_stage_times.py"]


def test_each_worker_gets_its_share_of_the_cores_unless_a_value_is_set(monkeypatch):
    for name in THREAD_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: {0, 1, 2, 3, 4})
    assert shared_cores(2) == dict.fromkeys(THREAD_VARIABLES, "2")
    assert shared_cores(8) == dict.fromkeys(THREAD_VARIABLES, "1")
    monkeypatch.setenv("MKL_NUM_THREADS", "3")
    assert shared_cores(2)["MKL_NUM_THREADS"] == "3"
    monkeypatch.delattr("os.sched_getaffinity")  # macOS has no CPU affinity: every core counts
    monkeypatch.setattr("os.cpu_count", lambda: 8)
    assert shared_cores(2)["OMP_NUM_THREADS"] == "4"
