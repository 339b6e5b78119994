"""Repository-wide pytest hooks (tests/conftest.py holds the unit tests' fixtures): notebooks only, and the
seconds of each stage of `make test` (collection, unit tests, each notebook under nbval, results tests) recorded in
reports/stage_times.json and on the front page when the Makefile names the command (rec_utils.runtime.stage_times)."""

import os
import time
from pathlib import Path

_STAGE_SECONDS: dict[str, float] = {}
_COLLECTION_START: list[float] = []


def pytest_ignore_collect(collection_path: Path, config) -> bool | None:
    """`--nbval notebooks` collects every .ipynb there; a dot-file is never a notebook of the project but a
    temporary file of a writer (`.NN_x.ipynb.tmp<pid>-...`, rec_utils.runtime.io) or an editor's copy."""
    if collection_path.name.startswith(".") and collection_path.suffix == ".ipynb":
        return True
    return None


def _stage(nodeid: str) -> str:
    path = nodeid.split("::")[0]
    if path.endswith(".ipynb"):
        return f"nbval {Path(path).stem}"
    if path.startswith("tests/results/"):
        return "results tests"
    return "unit tests" if path.startswith("tests/unit/") else "other tests"


def _recording() -> str | None:
    from rec_utils.runtime.stage_times import STAGE_COMMAND_ENV

    return os.environ.get(STAGE_COMMAND_ENV) or None


def pytest_collection(session) -> None:
    _COLLECTION_START.append(time.perf_counter())


def pytest_collection_finish(session) -> None:
    if _COLLECTION_START:
        _STAGE_SECONDS["collection"] = time.perf_counter() - _COLLECTION_START[0]


def pytest_runtest_logreport(report) -> None:
    """Adds each test's setup, call and teardown seconds (kernel start-up and module fixtures included)."""
    stage = _stage(report.nodeid)
    _STAGE_SECONDS[stage] = _STAGE_SECONDS.get(stage, 0.0) + report.duration


def pytest_sessionfinish(session, exitstatus) -> None:
    command = _recording()
    if command and len(_STAGE_SECONDS) > 1:
        from rec_utils.runtime.report import refresh_index
        from rec_utils.runtime.stage_times import record_stages

        record_stages(command, _STAGE_SECONDS, replace=True)
        refresh_index()
