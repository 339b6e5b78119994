"""The run log of `python -m rec_utils.run` (run_log.json in the run's folder): one entry per notebook, latest run
wins, each written as soon as that notebook starts and again when it ends.

Entry: title, status (running / ok / failed / skipped), error, seconds, started, finished, output, parameters,
kernel; a running entry also holds the runner's pid. The log is merged under a file lock and written atomically,
so concurrent runs do not collide. An entry left "running" by a runner that is gone (kill -9, power loss) reads
as failed, "interrupted"; an unreadable log is reported in one line and started afresh.
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from rec_utils.runtime.io import file_lock, process_alive, write_text_atomic
from rec_utils.runtime.paths import relative

STAMP = "%Y-%m-%d %H:%M:%S"
LOG_NAME = "run_log.json"


def now() -> str:
    return time.strftime(STAMP)


@dataclass
class RunResult:
    """Outcome of one notebook run; `written` says whether `output` was produced by this run, `running` that
    it has only started."""

    notebook: Path
    output: Path
    seconds: float
    error: str | None = None
    started: str = ""
    finished: str = ""
    parameters: dict = field(default_factory=dict)
    skipped: bool = False
    written: bool = False
    running: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None and not self.skipped and not self.running

    @property
    def status(self) -> str:
        if self.running:
            return "running"
        return "skipped" if self.skipped else "ok" if self.error is None else "failed"


def notebook_title(path: Path) -> str:
    """The first Markdown heading of a notebook."""
    for cell in json.loads(Path(path).read_text())["cells"]:
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                if line.startswith("#"):
                    return line.lstrip("# ").strip()
    return path.stem


def _interrupted(entry: dict) -> dict:
    """A "running" entry whose runner is gone, as the failed run it was."""
    pid = entry.get("pid")
    if entry.get("status") != "running" or (isinstance(pid, int) and process_alive(pid)):
        return entry
    rest = {k: v for k, v in entry.items() if k != "pid"}
    return {**rest, "status": "failed",
            "error": f"interrupted: the run was killed while this notebook ran (runner process {pid} is gone)"}


def read_run_log(path: Path) -> dict[str, dict]:
    """The run log {notebook stem: entry}; an unreadable one is reported in one line and treated as empty."""
    if not path.exists():
        return {}
    try:
        log = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(log, dict) or not all(isinstance(e, dict) for e in log.values()):
            raise ValueError("not a {notebook: entry} object")
    except (ValueError, UnicodeDecodeError) as exc:
        print(f"warning: {relative(path)} is unreadable ({type(exc).__name__}); starting a new run log",
              file=sys.stderr)
        return {}
    return {name: _interrupted(entry) for name, entry in log.items()}


def record_runs(results: list[RunResult], reports_dir: Path, kernel: str = "") -> list[dict]:
    """Merge these results into <reports_dir>/run_log.json (one entry per notebook, latest run wins), under a
    file lock and atomically; return every entry in notebook order, so a partial run keeps the others."""
    log_path = Path(reports_dir) / LOG_NAME
    with file_lock(log_path):
        log = read_run_log(log_path)
        for r in results:
            log[r.notebook.stem] = {
                "title": notebook_title(r.notebook), "status": r.status, "error": r.error,
                "seconds": round(r.seconds, 1), "started": r.started, "finished": r.finished,
                "output": r.output.name, "parameters": r.parameters, "kernel": kernel,
                **({"pid": os.getpid()} if r.running else {}),
            }
        write_text_atomic(log_path, json.dumps(log, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    return [log[name] for name in sorted(log)]
