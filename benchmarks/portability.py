"""`make test` on clean clones under different BLAS settings: does the suite pass on every machine, and how far do
the headline numbers that the run saves (reports/metrics/*.json) move from one setting to the next?

    python benchmarks/portability.py run threads-1 /tmp/portability/threads-1     # clone, install, make test
    python benchmarks/portability.py record default /tmp/clean --log make-test.log --seconds 2900 --rc 0
    python benchmarks/portability.py compare /tmp/clean /tmp/portability/*        # table; rows in benchmarks.csv

`run` clones this repository's HEAD into the folder (unless it exists), installs it as CI does
(`make install EXTRA_BACKENDS=jax`), runs `make test` with the setting's environment variables and `record`s the
result: `portability.json` in the folder (setting, variables, commit, exit status, test counts, seconds).
`record` writes that file from a `make test` log already there. `compare` reads the clones' records and metrics,
prints per setting the test counts and time, per notebook how many saved numbers differ between settings and the
largest difference, and appends those as rows to reports/benchmarks.csv. Settings: SETTINGS below.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from rec_utils.runtime.benchmark_log import BENCHMARKS_PATH, append_rows, cpu_description
from rec_utils.runtime.io import write_text_atomic
from rec_utils.runtime.paths import REPO_ROOT

SETTINGS: dict[str, dict[str, str]] = {
    "default": {},
    "threads-1": {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"},
    "prescott": {"OPENBLAS_CORETYPE": "Prescott"},
}
RECORD = "portability.json"
OUTCOMES = ("passed", "failed", "skipped", "error", "errors", "xfailed", "xpassed")


def test_counts(log: str) -> dict[str, int]:
    """Outcome counts from pytest's last summary line ("4 failed, 848 passed, 1 skipped in 1500.1s"); {} if none."""
    summaries = [line for line in log.splitlines() if re.search(r"\d+ (passed|failed)", line) and " in " in line]
    if not summaries:
        return {}
    counts = {word: int(n) for n, word in re.findall(r"(\d+) ([a-z]+)", summaries[-1]) if word in OUTCOMES}
    if "error" in counts:
        counts["errors"] = counts.pop("error")
    return counts


def record(setting: str, folder: Path, log_path: Path, seconds: float, returncode: int) -> dict:
    """Write folder/portability.json from the `make test` log at log_path; returns the record."""
    commit = subprocess.run(["git", "-C", str(folder), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    entry = {"setting": setting, "environment": SETTINGS[setting], "commit": commit, "returncode": returncode,
             "seconds": round(seconds, 1), **test_counts(Path(log_path).read_text(errors="replace"))}
    write_text_atomic(folder / RECORD, json.dumps(entry, indent=2, sort_keys=True) + "\n")
    return entry


def run(setting: str, folder: Path, make_args: list[str]) -> dict:
    """Clone HEAD into `folder` (unless present), install as CI does, run `make test` under `setting`; record it."""
    if not folder.exists():
        subprocess.run(["git", "clone", "--quiet", str(REPO_ROOT), str(folder)], check=True)
    subprocess.run(["make", "install", "EXTRA_BACKENDS=jax"], cwd=folder, check=True, stdout=subprocess.DEVNULL)
    environment = {**{k: v for k, v in os.environ.items() if not k.startswith(("OPENBLAS_", "OMP_"))},
                   **SETTINGS[setting]}
    log_path = folder / "make-test.log"
    start = time.perf_counter()
    with open(log_path, "w") as log:
        done = subprocess.run(["make", "test", *make_args], cwd=folder, env=environment, stdout=log,
                              stderr=subprocess.STDOUT)
    return record(setting, folder, log_path, time.perf_counter() - start, done.returncode)


def numeric_leaves(value: object, prefix: str = "") -> dict[str, float]:
    """Every number in a JSON value, keyed by its path ("comparisons/0/difference"); booleans left out."""
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return {prefix: float(value)} if isinstance(value, int | float) and not isinstance(value, bool) else {}
    leaves: dict[str, float] = {}
    for key, item in items:
        leaves.update(numeric_leaves(item, f"{prefix}/{key}" if prefix else str(key)))
    return leaves


def metric_differences(folders: list[Path], notebooks: list[str] | None = None) -> pd.DataFrame:
    """Per notebook (those of `notebooks` only, when given): the saved numbers present in every folder's
    reports/metrics, how many differ (beyond 1e-12) and the largest difference (max - min across folders) with its
    key. One row per notebook."""
    values: dict[str, list[dict[str, float]]] = {}
    for folder in folders:
        for path in sorted((folder / "reports" / "metrics").glob("*.json")):
            if notebooks is None or path.stem in notebooks:
                values.setdefault(path.stem, []).append(numeric_leaves(json.loads(path.read_text())))
    rows = []
    for notebook, runs in sorted(values.items()):
        if len(runs) < len(folders):
            continue
        common = sorted(set.intersection(*(set(r) for r in runs)))
        table = pd.DataFrame({key: [r[key] for r in runs] for key in common})
        spread = (table.max() - table.min()) if common else pd.Series(dtype=float)
        rows.append({"notebook": notebook, "numbers": len(common), "differing": int((spread > 1e-12).sum()),
                     "largest difference": float(spread.max()) if common else 0.0,
                     "key": str(spread.idxmax()) if common else ""})
    return pd.DataFrame(rows, columns=["notebook", "numbers", "differing", "largest difference", "key"])


def compare(folders: list[Path], output: Path, notebooks: list[str] | None = None
            ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Print and log the records of `folders` and the differences of their saved metrics (of `notebooks` only,
    when given: e.g. those whose code is the same in clones of different commits); returns both tables."""
    records = pd.DataFrame([json.loads((folder / RECORD).read_text()) for folder in folders])
    differences = metric_differences(folders, notebooks)
    for _, r in records.iterrows():
        counts = {k: r[k] for k in ("passed", "failed", "errors") if k in r and pd.notna(r[k])}
        append_rows("portability", cpu_description(), "make test",
                    {"setting": r["setting"], "environment": r["environment"], "commit": r["commit"]},
                    {**{f"tests_{k}": (float(v), "tests") for k, v in counts.items()},
                     "make_test_seconds": (float(r["seconds"]), "s")}, path=output)
    settings = sorted(records["setting"])
    for _, r in differences.iterrows():
        append_rows("portability", cpu_description(), "make test",
                    {"settings": settings, "notebook": r["notebook"], "key": r["key"]},
                    {"largest_metric_abs_difference": (r["largest difference"], "abs_difference"),
                     "metrics_differing": (float(r["differing"]), "count")}, path=output)
    return records, differences


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", help="clone, install and make test under one setting")
    run_parser.add_argument("setting", choices=SETTINGS)
    run_parser.add_argument("folder", type=Path)
    run_parser.add_argument("--make-arg", action="append", default=[],
                            help="passed to make test, e.g. NBVAL=... for a longer cell timeout on a loaded machine")
    record_parser = commands.add_parser("record", help="record a make test log already in the folder")
    record_parser.add_argument("setting", choices=SETTINGS)
    record_parser.add_argument("folder", type=Path)
    record_parser.add_argument("--log", type=Path, required=True)
    record_parser.add_argument("--seconds", type=float, required=True)
    record_parser.add_argument("--rc", type=int, required=True)
    compare_parser = commands.add_parser("compare", help="compare recorded clones; append rows to the log")
    compare_parser.add_argument("folders", type=Path, nargs="+")
    compare_parser.add_argument("--output", type=Path, default=BENCHMARKS_PATH)
    compare_parser.add_argument("--notebooks", nargs="+", help="compare these notebooks' metrics only")
    args = parser.parse_args(argv)
    if args.command == "run":
        print(json.dumps(run(args.setting, args.folder, args.make_arg), indent=2))
    elif args.command == "record":
        print(json.dumps(record(args.setting, args.folder, args.log, args.seconds, args.rc), indent=2))
    else:
        records, differences = compare(args.folders, args.output, args.notebooks)
        print(records.to_string(index=False))
        print(differences.to_string(index=False))
        if (records["returncode"] != 0).any():
            sys.exit(1)


if __name__ == "__main__":
    main()
