"""reports/index.html: the front page of a run, written from the run log."""

from __future__ import annotations

import html
from pathlib import Path

from rec_utils.runtime.io import write_text_atomic
from rec_utils.runtime.paths import REPORTS_DIR


def write_index(entries: list[dict], reports_dir: Path = REPORTS_DIR) -> Path:
    """reports/index.html: a row per notebook (ok, failed or skipped) with status, run time, when it ran, links."""
    rows = []
    for e in entries:
        status = e.get("status") or ("ok" if e["error"] is None else "failed")
        shown = "ok" if status == "ok" else f"{status.upper()}: {html.escape(e['error'] or '')}"
        output = Path(e["output"])
        links = ("" if status == "skipped" else
                 f"<a href='{output.with_suffix('.html').name}'>HTML</a> · <a href='{output.name}'>notebook</a>")
        rows.append(
            f"<tr><td>{html.escape(e['title'])}</td><td>{shown}</td><td>{e['seconds']:.1f} s</td>"
            f"<td>{e['finished']}</td><td>{links}</td></tr>"
        )
    page = (
        "<!doctype html><meta charset='utf-8'><title>interest-lab report</title>"
        "<style>body{font-family:sans-serif;margin:2em}td,th{padding:4px 12px;text-align:left}</style>"
        "<h1>interest-lab: reproduction report</h1>"
        "<p>Executed by <code>python -m rec_utils.run</code> (papermill); "
        "each row is the latest run of that notebook.</p>"
        "<table><tr><th>Notebook</th><th>Status</th><th>Run time</th><th>Finished</th><th>Output</th></tr>"
        + "".join(rows)
        + "</table><p>Other results: <a href='errata.csv'>errata.csv</a> · <a href='metrics/'>metrics/</a> · "
        "<a href='figures/'>figures/</a> · <a href='benchmarks.csv'>benchmarks.csv</a> · "
        "<a href='recommendations.parquet'>recommendations.parquet</a></p>"
    )
    return write_text_atomic(Path(reports_dir) / "index.html", page)
