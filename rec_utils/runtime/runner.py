"""Execute the notebooks with papermill and write the report.

    python -m rec_utils.run                       # every notebook, in numeric order
    python -m rec_utils.run 01 -p sample_frac 0.1 # one notebook with an override
    python -m rec_utils.run --inplace             # refresh the committed outputs (maintainers)

Executed copies go to reports/<name>.ipynb with an HTML export beside them, and
reports/index.html links them with run time and status. A failing notebook is named
with its cell; the command then exits with status 1.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import papermill as pm
import yaml
from nbconvert import HTMLExporter

from rec_utils.runtime.paths import NOTEBOOKS_DIR, REPORTS_DIR, relative
from rec_utils.runtime.report import write_index

QUIET_KERNEL_ENV = {"TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0", "PYTHONHASHSEED": "0"}


@dataclass
class RunResult:
    """Outcome of one notebook run."""

    notebook: Path
    output: Path
    seconds: float
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def find_notebooks(selectors: list[str], notebooks_dir: Path = NOTEBOOKS_DIR) -> list[Path]:
    """Notebooks in numeric order; `selectors` ("01", "02_svd" or a file name) pick some."""
    all_notebooks = sorted(Path(notebooks_dir).glob("[0-9][0-9]_*.ipynb"))
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


def notebook_title(path: Path) -> str:
    """The first Markdown heading of a notebook."""
    for cell in json.loads(Path(path).read_text())["cells"]:
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                if line.startswith("#"):
                    return line.lstrip("# ").strip()
    return path.stem


def execute(notebook: Path, output: Path, parameters: dict) -> RunResult:
    """Run one notebook with papermill in its own folder; never raises for notebook errors."""
    start = time.perf_counter()
    error = None
    try:
        pm.execute_notebook(
            str(notebook), str(output), parameters=parameters or None,
            cwd=str(notebook.parent), progress_bar=False, log_output=False,
        )
    except pm.PapermillExecutionError as exc:
        error = f"cell {exc.cell_index} (execution count {exc.exec_count}): {exc.ename}: {exc.evalue}"
    return RunResult(notebook, output, time.perf_counter() - start, error)


def export_html(executed: Path) -> Path:
    """HTML export of an executed notebook, next to it."""
    body, _ = HTMLExporter().from_filename(str(executed))
    target = executed.with_suffix(".html")
    target.write_text(body, encoding="utf-8")
    return target


def record_runs(results: list[RunResult], reports_dir: Path = REPORTS_DIR) -> list[dict]:
    """Merge this run's results into reports/run_log.json (one entry per notebook, latest run wins)
    and return every entry in notebook order, so a partial run keeps the others in the index."""
    log_path = Path(reports_dir) / "run_log.json"
    log = json.loads(log_path.read_text()) if log_path.exists() else {}
    for r in results:
        log[r.notebook.stem] = {"title": notebook_title(r.notebook), "seconds": round(r.seconds, 1), "error": r.error,
                                "output": r.output.name, "finished": time.strftime("%Y-%m-%d %H:%M:%S")}
    log_path.write_text(json.dumps(log, indent=2, sort_keys=True) + "\n")
    return [log[name] for name in sorted(log)]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m rec_utils.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", help="notebook number or name prefix (default: all)")
    parser.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                        help="override a parameter (value parsed as YAML: 0.1, true, [1, 2], text)")
    parser.add_argument("--inplace", action="store_true",
                        help="write outputs back into notebooks/ (refreshes what nbval checks)")
    parser.add_argument("--no-html", action="store_true", help="skip the HTML export")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    parameters = {name: yaml.safe_load(value) for name, value in args.parameter}
    if args.inplace and parameters:
        raise SystemExit("--inplace refreshes committed outputs with default parameters; drop -p")
    os.environ.update(QUIET_KERNEL_ENV)
    if args.inplace:
        os.environ["INTEREST_LAB_PROGRESS"] = "0"  # committed outputs hold no timing text
    notebooks = find_notebooks(args.notebooks)
    REPORTS_DIR.mkdir(parents=True, exist_ok=True)
    results = []
    for nb in notebooks:
        output = nb if args.inplace else REPORTS_DIR / nb.name
        print(f"running {relative(nb)} ...", flush=True)
        result = execute(nb, output, parameters)
        results.append(result)
        print(f"  {'ok' if result.ok else 'FAILED'} in {result.seconds:.1f} s -> {relative(output)}", flush=True)
        if not result.ok:
            print(f"  notebook {nb.name} failed at {result.error}", file=sys.stderr, flush=True)
        if not args.no_html and not args.inplace:
            export_html(output)
    if not args.inplace:
        print(f"report: {relative(write_index(record_runs(results)))}")
    failed = [r for r in results if not r.ok]
    for r in failed:
        print(f"FAILED: {r.notebook.name} at {r.error}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
