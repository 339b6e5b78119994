"""Repository-wide pytest hooks (tests/conftest.py holds the unit tests' fixtures):

- notebooks only: no editor's or writer's temporary copy is collected;
- side by side under pytest-xdist (`make test` runs `-n 2`): a work unit is a test file, or a sequence of
  notebooks that read each other's results (rec_utils.runtime.side_by_side), so every cell of a notebook runs in
  order on one kernel and a reader after its writer; the notebooks go first, then test files holding a test
  marked slow, then the rest, so that the short ones fill the gaps at the end (pass `--no-loadscope-reorder`,
  or xdist sorts the units by their number of tests);
- on an xdist worker, the BLAS and OpenMP pools of the worker and of what it starts (notebook kernels, scripts)
  get its share of the cores (rec_utils.runtime.side_by_side); a value set beforehand wins;
- the seconds of each stage of `make test` (collection where the main process collects, unit tests, each notebook
  under nbval, results tests) and its wall-clock seconds recorded in reports/stage_times.json and on the front page
  when the Makefile names the command (rec_utils.runtime.stage_times): replacing the command's record, or added to
  it when the Makefile also sets STAGE_MERGE_ENV (the results tests, run after the notebooks that wrote what they
  check).
"""

import os
import time
from pathlib import Path

import pytest

_STAGE_SECONDS: dict[str, float] = {}
_COLLECTION_START: list[float] = []
_SESSION_START: list[float] = []


def pytest_ignore_collect(collection_path: Path, config) -> bool | None:
    """`--nbval notebooks` collects every .ipynb there; a dot-file is never a notebook of the project but a
    temporary file of a writer (`.NN_x.ipynb.tmp<pid>-...`, rec_utils.runtime.io) or an editor's copy."""
    if collection_path.name.startswith(".") and collection_path.suffix == ".ipynb":
        return True
    return None


def pytest_configure(config) -> None:
    """On an xdist worker: its share of the cores for the BLAS and OpenMP pools (rec_utils.runtime.side_by_side)."""
    workers = getattr(config, "workerinput", {}).get("workercount")
    if not workers:
        return
    from threadpoolctl import threadpool_limits

    from rec_utils.runtime.side_by_side import shared_cores

    os.environ.update(shared_cores(int(workers)))
    threadpool_limits(limits=int(os.environ["OMP_NUM_THREADS"]))  # pools this process has loaded already


def _work_unit(nodeid: str) -> str:
    """What one xdist worker runs as a whole: the notebook sequence of a cell (named by its first notebook), or the
    test file of a test."""
    from rec_utils.runtime.side_by_side import sequence_of

    path = nodeid.split("::")[0]
    return f"notebooks from {sequence_of(Path(path).stem)}" if path.endswith(".ipynb") else path


@pytest.hookimpl(optionalhook=True)  # pytest-xdist's hook: without the plugin pytest does not call it
def pytest_xdist_make_scheduler(config, log):
    """pytest-xdist's scope scheduler with the work units of _work_unit, whatever --dist says."""
    from xdist.scheduler import LoadScopeScheduling

    class WorkUnitScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _work_unit(nodeid)

    return WorkUnitScheduling(config, log)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items) -> None:
    """Long work first (see the module docstring); the order within a file or a notebook sequence is kept."""
    paths = [item.nodeid.split("::")[0] for item in items]
    slow_files = {path for path, item in zip(paths, items) if item.get_closest_marker("slow")}
    notebooks_in = {}  # work unit -> its notebooks: a sequence of several goes before a single notebook
    for path in paths:
        if path.endswith(".ipynb"):
            notebooks_in.setdefault(_work_unit(path), set()).add(path)

    def rank(item) -> tuple[int, int, str, str]:
        path = item.nodeid.split("::")[0]
        if path.endswith(".ipynb"):
            unit = _work_unit(path)
            return 0, -len(notebooks_in[unit]), unit, path  # a sequence's notebooks in numeric order
        return (1 if path in slow_files else 2), 0, "", ""

    items.sort(key=rank)  # stable: the cells of a notebook and the tests of a file keep their order


def _stage(nodeid: str) -> str:
    path = nodeid.split("::")[0]
    if path.endswith(".ipynb"):
        return f"nbval {Path(path).stem}"
    if path.startswith("tests/results/"):
        return "results tests"
    return "unit tests" if path.startswith("tests/unit/") else "other tests"


def _merging() -> bool:
    """Whether this run adds its stages to the command's record (make test's results tests, its second step)."""
    from rec_utils.runtime.stage_times import STAGE_MERGE_ENV

    return bool(os.environ.get(STAGE_MERGE_ENV))


def _recording() -> str | None:
    from rec_utils.runtime.stage_times import STAGE_COMMAND_ENV

    return os.environ.get(STAGE_COMMAND_ENV) or None


def pytest_sessionstart(session) -> None:
    _SESSION_START.append(time.perf_counter())


def pytest_collection(session) -> None:
    _COLLECTION_START.append(time.perf_counter())


def pytest_collection_finish(session) -> None:
    """Under xdist only the workers collect (their seconds count in the wall time, in no stage)."""
    if _COLLECTION_START:
        name = "collection of the results tests" if _merging() else "collection"
        _STAGE_SECONDS[name] = time.perf_counter() - _COLLECTION_START[0]


def pytest_runtest_logreport(report) -> None:
    """Adds each test's setup, call and teardown seconds (kernel start-up and module fixtures included)."""
    stage = _stage(report.nodeid)
    _STAGE_SECONDS[stage] = _STAGE_SECONDS.get(stage, 0.0) + report.duration


def pytest_sessionfinish(session, exitstatus) -> None:
    """Records on the main process only (an xdist worker sees its own share of the tests)."""
    command = _recording()
    if command and len(_STAGE_SECONDS) > 1 and not hasattr(session.config, "workerinput"):
        from rec_utils.runtime.report import refresh_index
        from rec_utils.runtime.stage_times import record_stages

        wall = time.perf_counter() - _SESSION_START[0]
        record_stages(command, _STAGE_SECONDS, replace=not _merging(), wall=wall)
        refresh_index()
