"""One notebook executed by papermill for the runner (rec_utils.runtime.runner), and its HTML: on the interest-lab
kernel spec of this interpreter's environment and nothing else of that name on the Jupyter path, over encrypted
sockets where pyzmq supports it, the kernel logging only errors.

    result = execute(notebook, output, {"k": 20})   # RunResult; a failing notebook is kept with its error
    spec = own_kernel_spec()          # SystemExit with a one-line hint when it is missing or starts another python
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import papermill as pm
import zmq
from jupyter_client import AsyncKernelManager
from jupyter_client.kernelspec import KernelSpec
from nbconvert import HTMLExporter
from traitlets import default

from rec_utils.runtime.io import atomic_path, write_text_atomic
from rec_utils.runtime.paths import REPO_ROOT
from rec_utils.runtime.run_log import RunResult, now

KERNEL_NAME = "interest-lab"
KERNELS_DIR: Path = Path(sys.prefix) / "share" / "jupyter" / "kernels"  # where `ipykernel install --sys-prefix` puts it
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR"]  # the kernel's own log: errors only, no transport notices


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


def interpreter_shown(python: str) -> str:
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
                    str(notebook), str(tmp), parameters=parameters or None,
                    resources={"metadata": {"path": str(notebook.parent)}},  # the kernel's folder (papermill's cwd=
                    # would chdir the whole process, which threads side by side share)
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
