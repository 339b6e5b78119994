"""Execute the notebooks with papermill, log every run and write the report.

    python -m rec_utils.run                        # every notebook, in numeric order
    python -m rec_utils.run 01 -p sample_frac 0.1  # one notebook with an override
    python -m rec_utils.run --inplace              # refresh the committed outputs (maintainers)

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
- Every output (executed notebook, HTML, log, index) is written atomically: a reader sees the previous
  file or the new one, never a partial one. A failing notebook is named with its cell; the command then
  exits with status 1.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import papermill as pm
import zmq
from jupyter_client import AsyncKernelManager
from jupyter_client.kernelspec import KernelSpec
from nbconvert import HTMLExporter
from traitlets import default

from rec_utils.runtime.io import atomic_path, file_lock, sweep_temporary_files, write_text_atomic
from rec_utils.runtime.overrides import overrides_per_notebook, typed_parameters
from rec_utils.runtime.paths import (
    CACHE_DIR,
    FIGURES_DIR,
    METRICS_DIR,
    NOTEBOOK_PATTERN,
    NOTEBOOKS_DIR,
    PROCESSED_DIR,
    REPO_ROOT,
    relative,
)
from rec_utils.runtime.report import refresh_index, write_index
from rec_utils.runtime.run_log import LOG_NAME, RunResult, notebook_title, now, read_run_log, record_runs
from rec_utils.runtime.runs import RUN_DIR_ENV, run_folder
from rec_utils.runtime.stage_times import record_stages

__all__ = ["RunResult", "execute", "find_notebooks", "main", "notebook_title", "own_kernel_spec", "parse_args",
           "read_run_log", "record_runs"]

QUIET_KERNEL_ENV = {"TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0", "PYTHONHASHSEED": "0"}
KERNEL_NAME = "interest-lab"
KERNELS_DIR: Path = Path(sys.prefix) / "share" / "jupyter" / "kernels"  # where `ipykernel install --sys-prefix` puts it
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR"]  # the kernel's own log: errors only, no transport notices
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


def own_kernel_spec(kernels_dir: Path | None = None, python: str = sys.executable) -> KernelSpec:
    """The interest-lab kernel spec of this interpreter's environment; SystemExit with a one-line hint
    when it is missing or starts another interpreter."""
    spec_dir = Path(kernels_dir or KERNELS_DIR) / KERNEL_NAME
    hint = f"install it with `make install` (or `{python} -m ipykernel install --sys-prefix --name {KERNEL_NAME}`)"
    if not (spec_dir / "kernel.json").is_file():
        raise SystemExit(f"no {KERNEL_NAME!r} kernel is installed for this interpreter ({python}): {hint}")
    spec = KernelSpec.from_resource_dir(str(spec_dir))
    kernel_python = spec.argv[0] if spec.argv else ""
    same = (Path(kernel_python).absolute().parent == Path(python).absolute().parent
            and Path(kernel_python).exists() and os.path.samefile(kernel_python, python))
    if not same:
        raise SystemExit(f"the {KERNEL_NAME!r} kernel in {spec_dir} starts {kernel_python!r}, "
                         f"not this interpreter ({python}): {hint}")
    return spec


class InterpreterKernelManager(AsyncKernelManager):
    """Starts own_kernel_spec() whatever else the Jupyter path holds, over encrypted sockets where possible."""

    @property
    def kernel_spec(self) -> KernelSpec:
        if self._kernel_spec is None:
            self._kernel_spec = own_kernel_spec()
        return self._kernel_spec

    @default("transport_encryption")
    def _encrypt_when_possible(self) -> str:
        return "auto" if zmq.has("curve") else "disabled"


def _interpreter_shown(python: str) -> str:
    """The kernel's interpreter as the run log shows it: relative to the repository when inside it, and not
    resolved (a virtual environment's python is a symlink to the base interpreter)."""
    path = Path(python).absolute()
    return path.relative_to(REPO_ROOT).as_posix() if path.is_relative_to(REPO_ROOT) else path.as_posix()


def execute(notebook: Path, output: Path, parameters: dict) -> RunResult:
    """Run one notebook with papermill in its own folder, writing `output` atomically.

    Never raises for a failing notebook (its executed copy, with the error, is kept) or a kernel that
    dies or cannot start (then `output` is left as it was); KeyboardInterrupt propagates.
    """
    started, start = now(), time.perf_counter()
    error, written = None, False
    try:
        with atomic_path(output) as tmp:
            try:
                pm.execute_notebook(
                    str(notebook), str(tmp), parameters=parameters or None, cwd=str(notebook.parent),
                    progress_bar=False, log_output=False, kernel_name=KERNEL_NAME,
                    kernel_manager_class=InterpreterKernelManager, extra_arguments=KERNEL_ARGUMENTS,
                )
            except pm.PapermillExecutionError as exc:
                error = f"cell {exc.cell_index} (execution count {exc.exec_count}): {exc.ename}: {exc.evalue}"
        written = True
    except Exception as exc:  # the kernel died, timed out or did not start: no executed copy to keep
        error = f"{type(exc).__name__}: {exc}"
    return RunResult(notebook, output, time.perf_counter() - start, error, started, now(), dict(parameters),
                     written=written)


def export_html(executed: Path) -> Path:
    """HTML export of an executed notebook, next to it (written atomically)."""
    body, _ = HTMLExporter().from_filename(str(executed))
    return write_text_atomic(executed.with_suffix(".html"), body)


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
    return parser.parse_args(argv)


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


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.inplace and args.parameter:
        raise SystemExit("--inplace refreshes committed outputs with default parameters; drop -p")
    notebooks = find_notebooks(args.notebooks)
    parameters = typed_parameters(args.parameter, notebooks)
    overrides = overrides_per_notebook(notebooks, parameters)
    spec = own_kernel_spec()
    kernel = f"{KERNEL_NAME} ({_interpreter_shown(spec.argv[0])})"
    run_dir = run_folder(parameters)
    kernel_env = {**QUIET_KERNEL_ENV, RUN_DIR_ENV: str(run_dir) if parameters else None}
    if parameters:
        print(f"overrides {', '.join(f'{k}={v!r}' for k, v in parameters.items())}: this run writes to "
              f"{relative(run_dir)}/, the full run's reports/ stay as they are", flush=True)
    kernel_env["INTEREST_LAB_PROGRESS"] = "0"  # stored outputs hold no progress bars (stderr residue, timings)
    new_folder = not run_dir.exists()
    run_dir.mkdir(parents=True, exist_ok=True)
    sweep_leftovers(run_dir)
    results: list[RunResult] = []
    with environment(kernel_env), sigterm_as_interrupt():
        for i, nb in enumerate(notebooks):
            output = nb if args.inplace else run_dir / nb.name
            print(f"running {relative(nb)} ...", flush=True)
            start, started = time.perf_counter(), now()
            if not args.inplace:
                record_runs([RunResult(nb, output, 0.0, None, started, "", overrides[nb], running=True)], run_dir,
                            kernel)
            try:
                result = execute(nb, output, overrides[nb])
                if result.written and not args.no_html and not args.inplace:
                    export_html(output)
            except KeyboardInterrupt:
                result = RunResult(nb, output, time.perf_counter() - start, INTERRUPTED, started, now(), overrides[nb])
            results.append(result)
            print(f"  {result.status} in {result.seconds:.1f} s -> {relative(output)}", flush=True)
            if result.error:
                print(f"  {nb.name}: {result.error}", file=sys.stderr, flush=True)
            interrupted = result.error == INTERRUPTED
            if interrupted:
                stamp = now()
                results += [RunResult(rest, run_dir / rest.name, 0.0, "not run: the run was interrupted", stamp,
                                      stamp, overrides[rest], skipped=True) for rest in notebooks[i + 1:]]
            if not args.inplace:
                entries = record_runs(results[-1:] if not interrupted else results[i:], run_dir, kernel)
                write_index(entries, reports_dir=run_dir, notebooks=[n.stem for n in find_notebooks([])])
            if interrupted:
                break
    if parameters and new_folder and _rejected_at_parameters(results):
        shutil.rmtree(run_dir, ignore_errors=True)
        print(f"every notebook stopped at its parameters check: {relative(run_dir)}/ removed", flush=True)
    elif not args.inplace:
        if not parameters and not args.notebooks and not any(r.error == INTERRUPTED for r in results):
            record_stages("make reproduce", {r.notebook.stem: r.seconds for r in results}, run_dir)  # full run
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
