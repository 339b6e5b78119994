"""Execute the notebooks with papermill, log every run and write the report.

    python -m rec_utils.run                        # every notebook, in numeric order
    python -m rec_utils.run 01 -p sample_frac 0.1  # one notebook with an override
    python -m rec_utils.run --inplace              # refresh the committed outputs (maintainers)
    python -m rec_utils.run --jobs 2               # two notebooks at a time (make reproduce)

What a run guarantees:

- Parameters: every `-p NAME` must be a parameter of a selected notebook, as papermill reads it
  (`inspect_notebook` on the cell tagged `parameters`); an unknown name stops the run before anything
  executes and lists the valid names. Values are read as YAML and typed by the notebook's defaults: where
  the default is text, `-p cut_date 2011-11-10` (a YAML date) or `-p device 1` stays the text typed; dates
  elsewhere become ISO text; a value no notebook parameter can hold, or bad YAML, stops the run naming the
  parameter. Each notebook receives the overrides it declares; the notebook's own check_parameters cell then
  checks types and ranges (`ParameterError`, before any work). A run whose every notebook stops there leaves
  no run folder behind.
- A run with overrides is a separate run: its executed notebooks, HTML, run log, index, metrics, figures,
  errata and other results go to reports/runs/<tag>/ (rec_utils.runtime.runs.run_folder: a readable prefix
  and a hash of the overrides, so different overrides never share a folder), never over the full run's
  reports/ that tests/results check. The kernel learns the folder from INTEREST_LAB_RUN_DIR; every result
  writer follows it (rec_utils.runtime.runs, which also keeps apart a notebook run in JupyterLab with an
  edited parameters cell).
- Kernel: the `interest-lab` kernel spec installed in this interpreter's environment (sys.prefix), and
  only if it starts this interpreter; otherwise the run stops with a one-line hint. A same-named kernel
  of another environment (e.g. in ~/.local/share/jupyter) is never used. The kernel talks over
  CurveZMQ-encrypted sockets where pyzmq supports it and logs only errors, so the console shows no
  transport warnings.
- Run log (run_log.json in the run's folder, rec_utils.runtime.run_log): each notebook's entry is marked
  "running" when it starts and written again as soon as it finishes, with the status ok / failed / skipped,
  its own start and finish time, the overrides and the kernel. Ctrl-C or SIGTERM: the running notebook is
  recorded as failed ("interrupted"), the rest as skipped, the index is written, and the command exits with
  status 130; a runner killed outright leaves "running", which reads as interrupted once it is gone.
- Start-up: temporary files that writers killed mid-write left in the run's folder and in notebooks/ are
  removed (rec_utils.runtime.io.sweep_temporary_files).
- Side by side (`--jobs N`): N threads each run one notebook at a time; a sequence of notebooks that read each
  other's results (rec_utils.runtime.side_by_side) runs in order on one thread, longest sequences first. The
  kernels get their share of the cores for BLAS and OpenMP. Ctrl-C or SIGTERM stops the kernels of the running
  notebooks (recorded as interrupted) and skips the rest.
- Every output (executed notebook, HTML, log, index) is written atomically: a reader sees the previous
  file or the new one, never a partial one. A failing notebook is named with its cell; the command then
  exits with status 1.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import shutil
import signal
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path

import psutil

from rec_utils.runtime.execution import KERNEL_NAME, execute, export_html, interpreter_shown, own_kernel_spec
from rec_utils.runtime.io import file_lock, sweep_temporary_files
from rec_utils.runtime.overrides import overrides_per_notebook, typed_parameters
from rec_utils.runtime.paths import (
    CACHE_DIR,
    FIGURES_DIR,
    METRICS_DIR,
    NOTEBOOK_PATTERN,
    NOTEBOOKS_DIR,
    PROCESSED_DIR,
    relative,
)
from rec_utils.runtime.report import refresh_index, write_index
from rec_utils.runtime.run_log import LOG_NAME, RunResult, notebook_title, now, read_run_log, record_runs
from rec_utils.runtime.runs import RUN_DIR_ENV, run_folder
from rec_utils.runtime.side_by_side import sequences, shared_cores
from rec_utils.runtime.stage_times import record_stages

__all__ = ["RunResult", "execute", "find_notebooks", "main", "notebook_title", "own_kernel_spec", "parse_args",
           "read_run_log", "record_runs"]

QUIET_KERNEL_ENV = {"TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0", "PYTHONHASHSEED": "0"}
INTERRUPTED = "interrupted (Ctrl-C or SIGTERM) while this notebook ran"


SWEPT_DATA_DIRS: tuple[Path, ...] = (PROCESSED_DIR, CACHE_DIR)  # processed tables and caches (not their sub-folders)

def find_notebooks(selectors: list[str], notebooks_dir: Path | None = None) -> list[Path]:
    """Notebooks in numeric order; `selectors` ("01", "02_svd" or a file name) pick some."""
    all_notebooks = sorted(Path(notebooks_dir or NOTEBOOKS_DIR).glob(NOTEBOOK_PATTERN))
    if not selectors:
        return all_notebooks
    chosen = []
    for sel in selectors:
        matches = [nb for nb in all_notebooks if nb.name.startswith(Path(sel).stem)]
        if len(matches) != 1:
            names = ", ".join(nb.stem for nb in all_notebooks)
            raise SystemExit(f"notebook selector {sel!r} matches {len(matches)} notebooks; choose from: {names}")
        chosen.append(matches[0])
    return chosen


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM stops the run like Ctrl-C (so what finished is still recorded)."""
    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def environment(values: dict[str, str | None]) -> Iterator[None]:
    """Within the block the kernels inherit `values` (None removes a variable); afterwards the process
    environment is as it was (so a caller such as a test suite is not changed by a run)."""
    def apply(settings: dict[str, str | None]) -> None:
        for name, value in settings.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value

    saved = {name: os.environ.get(name) for name in values}
    apply(values)
    try:
        yield
    finally:
        apply(saved)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m rec_utils.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", help="notebook number or name prefix (default: all)")
    parser.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                        help="override a parameter (value parsed as YAML: 0.1, true, [1, 2], text)")
    parser.add_argument("--inplace", action="store_true",
                        help="write outputs back into notebooks/ (refreshes what nbval checks)")
    parser.add_argument("--no-html", action="store_true", help="skip the HTML export")
    parser.add_argument("--jobs", type=int, default=1, metavar="N",
                        help="run N notebooks at a time (default 1; a notebook that reads another's results "
                             "still runs after it)")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error(f"--jobs must be 1 or more, got {args.jobs}")
    return args


def sweep_leftovers(run_dir: Path) -> None:
    """Remove the temporary files of killed writers from the run's folder, its metrics/ and figures/, notebooks/
    and the data folders that tables and caches are written to (SWEPT_DATA_DIRS), under the run log's lock: no
    other runner records meanwhile; files of living writers are kept in any case."""
    with file_lock(run_dir / LOG_NAME):
        for folder in (run_dir, run_dir / METRICS_DIR.name, run_dir / FIGURES_DIR.name, NOTEBOOKS_DIR,
                       *SWEPT_DATA_DIRS):
            sweep_temporary_files(folder, what=f"{relative(folder)}/")


def _rejected_at_parameters(results: list[RunResult]) -> bool:
    """Whether every notebook stopped at its parameters check (nothing of the run is worth keeping)."""
    return bool(results) and all(r.error and "ParameterError" in r.error for r in results)


def stop_kernels() -> None:
    """Terminate this process's children, the kernels, each with its process group (a kernel leads its own session,
    so what it started, such as Spark's JVM, goes too): the notebooks they run end with an error."""
    for child in psutil.Process().children():
        with contextlib.suppress(psutil.NoSuchProcess, ProcessLookupError, PermissionError):
            if os.getpgid(child.pid) == child.pid:
                os.killpg(child.pid, signal.SIGTERM)
            else:
                child.terminate()


def _run_notebooks(notebooks: list[Path], args: argparse.Namespace, jobs: int, run_dir: Path, kernel: str,
                   overrides: dict[Path, dict]) -> list[RunResult]:
    """Execute `notebooks` one after another, or on `jobs` threads (see the module docstring), recording each in the
    run log as it starts and ends. Returns their results in notebook order."""
    lock = threading.Lock()  # the run log's file lock does not exclude threads of one process
    results: dict[Path, RunResult] = {}
    stopping = threading.Event()

    def record(batch: list[RunResult]) -> None:
        with lock:
            results.update({r.notebook: r for r in batch})
            if not args.inplace:
                entries = record_runs(batch, run_dir, kernel)
                write_index(entries, reports_dir=run_dir, notebooks=[n.stem for n in find_notebooks([])])

    def run_one(nb: Path) -> None:
        output = nb if args.inplace else run_dir / nb.name
        print(f"running {relative(nb)} ...", flush=True)
        start, started = time.perf_counter(), now()
        if not args.inplace:
            with lock:
                record_runs([RunResult(nb, output, 0.0, None, started, "", overrides[nb], running=True)], run_dir,
                            kernel)
        try:
            result = execute(nb, output, overrides[nb])
            if result.written and not args.no_html and not args.inplace:
                export_html(output)
        except KeyboardInterrupt:
            result = RunResult(nb, output, time.perf_counter() - start, INTERRUPTED, started, now(), overrides[nb])
        if stopping.is_set() and result.error:  # its kernel was stopped by the interrupt
            result = dataclasses.replace(result, error=INTERRUPTED)
        print(f"  {result.status} in {result.seconds:.1f} s -> {relative(output)}", flush=True)
        if result.error:
            print(f"  {nb.name}: {result.error}", file=sys.stderr, flush=True)
        record([result])

    def skip_the_rest() -> None:
        stamp = now()
        rest = [RunResult(nb, run_dir / nb.name, 0.0, "not run: the run was interrupted", stamp, stamp, overrides[nb],
                          skipped=True) for nb in notebooks if nb not in results]
        if rest:
            record(rest)

    if jobs == 1:
        for nb in notebooks:
            run_one(nb)
            if results[nb].error == INTERRUPTED:
                skip_the_rest()
                break
        return [results[nb] for nb in notebooks]

    by_stem = {nb.stem: nb for nb in notebooks}

    def run_sequence(stems: list[str]) -> None:
        for stem in stems:
            if stopping.is_set():
                return
            run_one(by_stem[stem])

    ordered = sorted(sequences(by_stem).values(), key=lambda stems: (-len(stems), stems[0]))
    pool = ThreadPoolExecutor(jobs, thread_name_prefix="notebooks")
    futures = [pool.submit(run_sequence, stems) for stems in ordered]
    try:
        for future in futures:
            future.result()
    except BaseException as error:  # Ctrl-C or SIGTERM, or an error of the runner itself in a thread
        stopping.set()
        pool.shutdown(wait=False, cancel_futures=True)
        while wait(futures, timeout=1).not_done:  # a thread past its check may have started another kernel
            stop_kernels()
        skip_the_rest()
        if not isinstance(error, KeyboardInterrupt):
            raise
    finally:
        pool.shutdown(wait=True)
    return [results[nb] for nb in notebooks]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.inplace and args.parameter:
        raise SystemExit("--inplace refreshes committed outputs with default parameters; drop -p")
    notebooks = find_notebooks(args.notebooks)
    parameters = typed_parameters(args.parameter, notebooks)
    overrides = overrides_per_notebook(notebooks, parameters)
    spec = own_kernel_spec()
    kernel = f"{KERNEL_NAME} ({interpreter_shown(spec.argv[0])})"
    run_dir = run_folder(parameters)
    kernel_env = {**QUIET_KERNEL_ENV, RUN_DIR_ENV: str(run_dir) if parameters else None}
    if parameters:
        print(f"overrides {', '.join(f'{k}={v!r}' for k, v in parameters.items())}: this run writes to "
              f"{relative(run_dir)}/, the full run's reports/ stay as they are", flush=True)
    kernel_env["INTEREST_LAB_PROGRESS"] = "0"  # stored outputs hold no progress bars (stderr residue, timings)
    new_folder = not run_dir.exists()
    run_dir.mkdir(parents=True, exist_ok=True)
    sweep_leftovers(run_dir)
    jobs = max(1, min(args.jobs, len(sequences(nb.stem for nb in notebooks))))  # no more threads than sequences
    if jobs > 1:
        kernel_env.update(shared_cores(jobs))
    wall_start = time.perf_counter()
    with environment(kernel_env), sigterm_as_interrupt():
        results = _run_notebooks(notebooks, args, jobs, run_dir, kernel, overrides)
    wall = time.perf_counter() - wall_start
    if parameters and new_folder and _rejected_at_parameters(results):
        shutil.rmtree(run_dir, ignore_errors=True)
        print(f"every notebook stopped at its parameters check: {relative(run_dir)}/ removed", flush=True)
    elif not args.inplace:
        if not parameters and not args.notebooks and not any(r.error == INTERRUPTED for r in results):
            record_stages("make reproduce", {r.notebook.stem: r.seconds for r in results}, run_dir,
                          wall=wall)  # a full run
            refresh_index(run_dir, notebooks=[n.stem for n in find_notebooks([])])
        print(f"report: {relative(run_dir / 'index.html')}")
    failed = [r for r in results if r.status != "ok"]
    for r in failed:
        print(f"{r.status.upper()}: {r.notebook.name}: {r.error}", file=sys.stderr)
    if any(r.error == INTERRUPTED for r in results):
        return 130
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
