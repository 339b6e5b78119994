"""Bring a stage-time record (reports/stage_times.json, written by make install / reproduce / test) into
reports/benchmarks.csv, one row per stage and a total per command, with the commit and where it ran.

    python benchmarks/stage_times.py                                    # this checkout's record
    python benchmarks/stage_times.py --record /tmp/clone/reports/stage_times.json --commit 517a972 --clean-clone

Rows: benchmark "stage_times", metric "<command>: <stage>" in seconds. Run it after a clean-clone `make test` to
keep the per-stage table that issue 25's targets are read against (before and after a change, same machine kind).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from rec_utils.runtime.benchmark_log import BENCHMARKS_PATH, append_rows, cpu_description
from rec_utils.runtime.paths import REPO_ROOT, REPORTS_DIR
from rec_utils.runtime.stage_times import STAGE_FILE, read_stage_times, stage_rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--record", type=Path, default=REPORTS_DIR / STAGE_FILE, help="a stage_times.json")
    parser.add_argument("--commit", default=None, help="the commit the record ran (default: this checkout's HEAD)")
    parser.add_argument("--clean-clone", action="store_true", help="the record comes from a clean clone")
    parser.add_argument("--output", type=Path, default=BENCHMARKS_PATH)
    args = parser.parse_args(argv)
    times = read_stage_times(args.record.parent) if args.record.name == STAGE_FILE else {}
    if not times:
        print(f"no stage times in {args.record}", file=sys.stderr)
        return 1
    commit = args.commit or subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT,
                                           capture_output=True, text=True).stdout.strip()
    parameters = {"commit": commit, "clean_clone": args.clean_clone,
                  "finished": {command: record.get("finished") for command, record in times.items()}}
    rows = {f"{command}: {stage}": (seconds, "s") for command, stage, seconds in stage_rows(times)}
    append_rows("stage_times", cpu_description(), "-", parameters, rows, path=args.output)
    for name, (seconds, _) in rows.items():
        print(f"{name:60s} {seconds:8.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
