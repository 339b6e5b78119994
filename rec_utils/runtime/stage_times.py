"""Seconds per stage of the README's commands, kept in reports/stage_times.json and shown on the front page, so
that a slow stage is visible the day it appears.

Stages: `make install` (each pip step, recorded by the Makefile through this module's command line), `make
reproduce` (each notebook, recorded by the runner after a full default run) and `make test` (the unit tests, each
notebook under nbval, the results tests; recorded by the pytest plugin in conftest.py when the Makefile sets
STAGE_COMMAND_ENV; the results tests, run afterwards, are added with STAGE_MERGE_ENV). Each command keeps its
latest run; the file is merged under a lock and written atomically, and an unreadable file reads as empty.

A command's total is its wall-clock time: the sum of its stages when they ran one after another, less when stages
ran side by side (`make test` runs the unit tests and the notebooks on two pytest workers, then the results tests;
a stage's seconds are then those of its own tests, and the record keeps the measured wall time besides).

    record_stages("make test", {"unit tests": 212.0, "nbval 06_click_model": 230.1}, replace=True, wall=301.5)
    python -m rec_utils.runtime.stage_times --replace "make install" "pip: requirements.txt" 61
"""

from __future__ import annotations

import html
import json
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from rec_utils.runtime.io import file_lock, write_text_atomic
from rec_utils.runtime.paths import REPORTS_DIR

STAGE_FILE = "stage_times.json"
STAGE_COMMAND_ENV = "INTEREST_LAB_STAGE_COMMAND"  # set by the Makefile: the command whose stages pytest records
STAGE_MERGE_ENV = "INTEREST_LAB_STAGE_MERGE"  # set too: pytest adds its stages to the command's record
COMMANDS = ("make install", "make reproduce", "make test")
ADDED_UP = "stages added up (side by side, so more than the total)"


def read_stage_times(reports_dir: Path = REPORTS_DIR) -> dict[str, dict]:
    """{command: {"finished": time, "stages": {stage: seconds}}}; {} when the file is missing or unreadable."""
    try:
        times = json.loads((Path(reports_dir) / STAGE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return times if isinstance(times, dict) else {}


def _wall(record: Mapping) -> float:
    """A command's wall-clock seconds: recorded, else (a record without one) its stages added up."""
    stages = record.get("stages", {})
    return float(record.get("wall", sum(stages.values())))


def record_stages(command: str, stages: Mapping[str, float], reports_dir: Path = REPORTS_DIR, *,
                  replace: bool = True, wall: float | None = None) -> dict[str, dict]:
    """Record `stages` ({stage: seconds}) of `command`: replace its earlier stages (a whole run of it) or merge
    into them (one step of it, e.g. one pip install of make install). `wall`: the step's wall-clock seconds
    (default: its stages added up, as when they ran one after another); a merged step adds it to the
    command's. Returns every command's record."""
    if not stages or any(seconds < 0 for seconds in stages.values()) or (wall is not None and wall < 0):
        raise ValueError(f"need stages and wall time with seconds >= 0, got {dict(stages)} and {wall}")
    path = Path(reports_dir) / STAGE_FILE
    with file_lock(path):
        times = read_stage_times(reports_dir)
        earlier = {} if replace else times.get(command, {})
        kept = dict(earlier.get("stages", {}))
        step_wall = sum(stages.values()) if wall is None else wall
        redone = sum(float(kept[name]) for name in stages if name in kept)  # a step run again replaces its time
        times[command] = {"finished": time.strftime("%Y-%m-%d %H:%M:%S"),
                          "stages": {**kept, **{name: round(float(s), 1) for name, s in stages.items()}},
                          "wall": round(max(0.0, (_wall(earlier) if earlier else 0.0) - redone) + float(step_wall),
                                        1)}
        write_text_atomic(path, json.dumps(times, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    return times


def stage_rows(times: Mapping[str, dict]) -> list[tuple[str, str, float]]:
    """(command, stage, seconds) rows, commands in README order; per command a "stages added up" row where stages
    ran side by side (the sum exceeds the wall time), then a "total" row: the command's wall-clock seconds."""
    rows = []
    for command in sorted(times, key=lambda c: (COMMANDS.index(c) if c in COMMANDS else len(COMMANDS), c)):
        stages = times[command].get("stages", {})
        rows += [(command, name, seconds) for name, seconds in stages.items()]
        added, wall = round(sum(stages.values()), 1), round(_wall(times[command]), 1)
        if added > wall:
            rows.append((command, ADDED_UP, added))
        rows.append((command, "total", wall))
    return rows


def stage_html(times: Mapping[str, dict]) -> str:
    """The front page's section: one table row per stage, slowest first within each command."""
    if not times:
        return "<p>No stage times recorded yet (<code>make install</code>, <code>make reproduce</code> and " \
               "<code>make test</code> record theirs).</p>"
    by_command: dict[str, list[tuple[str, str, float]]] = {}
    for row in stage_rows(times):
        by_command.setdefault(row[0], []).append(row)
    cells = []
    for command, rows in by_command.items():
        summary = [row for row in rows if row[1] in (ADDED_UP, "total")]  # they stay last
        ordered = sorted((row for row in rows if row not in summary), key=lambda r: -r[2]) + summary
        finished = html.escape(str(times[command].get("finished", "")))
        cells += [f"<tr><td>{html.escape(command)}</td><td>{html.escape(stage)}</td><td>{seconds:,.1f}</td>"
                  f"<td>{finished}</td></tr>" for _, stage, seconds in ordered]
    return ("<table class='stages'><tr><th>Command</th><th>Stage</th><th>Seconds</th><th>Run finished</th></tr>"
            + "".join(cells) + "</table>")


def main(argv: list[str] | None = None) -> int:
    """`python -m rec_utils.runtime.stage_times [--replace] COMMAND STAGE SECONDS`: merge one stage into COMMAND's
    record (with --replace: start its record afresh, as the first step of a new run of COMMAND)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    replace = bool(argv) and argv[0] == "--replace"
    argv = argv[1:] if replace else argv
    try:
        command, stage, seconds = argv[0], argv[1], float(argv[2])
        if len(argv) != 3:
            raise ValueError(argv)
    except (IndexError, ValueError):
        print("usage: python -m rec_utils.runtime.stage_times [--replace] COMMAND STAGE SECONDS", file=sys.stderr)
        return 2
    record_stages(command, {stage: seconds}, replace=replace)
    return 0


if __name__ == "__main__":
    sys.exit(main())
