"""reports/index.html: the front page of a run, which a reader opens in any browser, without Jupyter.

One row per notebook: its status (failed rows highlighted, skipped and never-run notebooks shown), its own start
and finish time, run time, Keras backend and device, the `-p` overrides, its headline results with their 95%
intervals and a thumbnail of its key figure; then the errata table. The run log gives the first columns; the
rest comes from reports/metrics/<notebook>.json ("headline": [{"name", "value", "low", "high"}], "figure",
"backend", "device"), and each piece that is missing or unreadable is left blank, never an error. Results
saved before the notebook's latest run started (a failed run keeps the old file) are marked as earlier.
"""

from __future__ import annotations

import html
import json
import math
import time
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from rec_utils.runtime.errata import load_errata
from rec_utils.runtime.io import write_text_atomic
from rec_utils.runtime.paths import NOTEBOOK_PATTERN, NOTEBOOKS_DIR, REPORTS_DIR
from rec_utils.runtime.run_log import LOG_NAME, read_run_log
from rec_utils.runtime.stage_times import read_stage_times, stage_html

STATUSES = ("ok", "failed", "running", "skipped", "not run")
# Latin first, then the CJK fonts of each platform (Noto/Source Han on Linux, PingFang on macOS, YaHei on
# Windows), so Chinese titles never render as boxes where a CJK font exists at all.
FONT_STACK = ('system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", '
              '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", '
              '"WenQuanYi Micro Hei", sans-serif')
STYLE = f"""
body {{ font-family: {FONT_STACK}; margin: 1.5em 2em; color: #1d1d1f; line-height: 1.4; }}
h1 {{ font-size: 1.6em; margin-bottom: .2em; }}
table {{ border-collapse: collapse; width: 100%; margin: 1em 0 2em; }}
th, td {{ padding: 6px 10px; text-align: left; vertical-align: top; border-bottom: 1px solid #ddd;
          overflow-wrap: break-word; }}
th {{ background: #f3f4f6; position: sticky; top: 0; }}
tr.failed {{ background: #fde8e8; box-shadow: inset 4px 0 #c62828; }}
tr.skipped, tr.not-run {{ background: #f6f6f6; color: #666; }}
.status {{ font-weight: 600; white-space: nowrap; }}
tr.failed .status {{ color: #b71c1c; }}
tr.ok .status {{ color: #1b5e20; }}
.error {{ min-width: 10em; max-width: 24em; overflow-wrap: anywhere; }}
.error summary {{ cursor: pointer; color: #b71c1c; }}
.error pre {{ white-space: pre-wrap; overflow-wrap: anywhere; font-size: .85em; }}
code {{ font-size: .85em; }}
.nowrap {{ white-space: nowrap; }}
.error pre {{ max-height: 20em; overflow: auto; background: #fff; padding: .5em; border: 1px solid #eee; }}
.headline {{ margin: 0; padding-left: 1.1em; min-width: 12em; }}
.stem, td.claim {{ overflow-wrap: anywhere; }}
.interval, .note, .when {{ color: #555; font-size: .9em; }}
.earlier {{ color: #8a6d00; font-size: .85em; }}
img.thumb {{ width: 220px; height: auto; border: 1px solid #ddd; }}
td.figure {{ min-width: 220px; }}
td.verdict {{ white-space: nowrap; }}
tr.wrong td.verdict {{ color: #b71c1c; font-weight: 600; }}
"""


def _escape(value) -> str:
    return html.escape("" if value is None else str(value))


def _number(value) -> str:
    """Readable number: integers with thousands separators, others to 4 significant digits."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return _escape(value)
    if float(value).is_integer() and abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.4g}"


def _duration(seconds) -> str:
    """"12.3 s" or "5 min 11 s"; blank when unknown."""
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not math.isfinite(seconds):
        return ""
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s"


def _read_metrics(path: Path) -> dict | None:
    """The metrics dict, or None when the file is missing or unreadable (the page shows the gap)."""
    try:
        metrics = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return metrics if isinstance(metrics, dict) else None


def _normalise(entries: Mapping[str, dict] | list[dict]) -> dict[str, dict]:
    """Run-log entries keyed by notebook stem, from the run log's mapping or a list of entries with "output"."""
    if isinstance(entries, Mapping):
        return {str(stem): dict(e) for stem, e in entries.items()}
    return {e.get("notebook") or Path(e["output"]).stem: dict(e) for e in entries}


def _status(entry: dict) -> str:
    status = entry.get("status") or ("ok" if entry.get("error") is None else "failed")
    return status if status in STATUSES else "failed"


def _is_earlier(metrics_path: Path, entry: dict) -> bool:
    """True when the metrics file was written before this notebook's latest run started."""
    try:
        started = datetime.strptime(entry["started"], "%Y-%m-%d %H:%M:%S").timestamp()
        return metrics_path.stat().st_mtime < started
    except (KeyError, TypeError, ValueError, OSError):
        return False


def _headline_html(metrics: dict | None) -> str:
    items = []
    for h in (metrics or {}).get("headline") or []:
        if not isinstance(h, dict) or "name" not in h:
            continue
        low, high = h.get("low"), h.get("high")
        interval = (f" <span class='interval'>[{_number(low)}, {_number(high)}]</span>"
                    if low is not None and high is not None else "")
        items.append(f"<li>{_escape(h['name'])}: <b>{_number(h.get('value'))}</b>{interval}</li>")
    return f"<ul class='headline'>{''.join(items)}</ul>" if items else ""


def _figure_html(metrics: dict | None, reports_dir: Path) -> str:
    name = (metrics or {}).get("figure")
    if not isinstance(name, str) or not (reports_dir / "figures" / f"{name}.png").is_file():
        return ""
    src = html.escape(f"figures/{quote(name)}.png", quote=True)
    return f"<a href='{src}'><img class='thumb' src='{src}' alt='{_escape(name)}' loading='lazy'></a>"


def _error_html(error: str | None) -> str:
    if not error:
        return ""
    first = error.strip().splitlines()[0] if error.strip() else error
    short = first if len(first) <= 100 else first[:100] + "…"
    return f"<details class='error'><summary>{_escape(short)}</summary><pre>{_escape(error)}</pre></details>"


def _parameters_html(parameters) -> str:
    if not parameters:
        return "<span class='note'>defaults</span>"
    return "<br>".join(f"<code>{_escape(k)}={_escape(json.dumps(v, ensure_ascii=False))}</code>"
                       for k, v in parameters.items())


def _row(stem: str, entry: dict, reports_dir: Path) -> str:
    status = _status(entry)
    metrics_path = reports_dir / "metrics" / f"{stem}.json"
    metrics = _read_metrics(metrics_path)
    results = _headline_html(metrics)
    if metrics is None and metrics_path.exists():
        results = "<span class='note'>metrics file unreadable</span>"
    elif results and (status != "ok" or _is_earlier(metrics_path, entry)):
        results = "<span class='earlier'>from an earlier run</span>" + results
    links = ""
    if entry.get("output"):
        output = Path(entry["output"])
        links = (f"<div><a href='{html.escape(output.with_suffix('.html').name, quote=True)}'>HTML</a> · "
                 f"<a href='{html.escape(output.name, quote=True)}'>notebook</a></div>")
    when = "".join(f"<div class='when'>{key} "
                   + " ".join(f"<span class='nowrap'>{_escape(part)}</span>" for part in str(entry[key]).split())
                   + "</div>" for key in ("started", "finished") if entry.get(key))
    backend = (metrics or {}).get("backend") or ""
    device = (metrics or {}).get("device") or ""
    kernel = f"<div class='note'>kernel {_escape(entry['kernel'])}</div>" if entry.get("kernel") else ""
    return (
        f"<tr class='{status.replace(' ', '-')}' id='nb-{html.escape(stem, quote=True)}'>"
        f"<td><b>{_escape(entry.get('title') or stem)}</b><div class='note stem'>{_escape(stem)}</div>{links}</td>"
        f"<td><span class='status'>{'FAILED' if status == 'failed' else status}</span>"
        f"{_error_html(entry.get('error'))}</td>"
        f"<td><span class='nowrap'>{_duration(entry.get('seconds'))}</span>{when}</td>"
        f"<td>{_escape(backend)}{' / ' if backend and device else ''}{_escape(device)}{kernel}</td>"
        f"<td>{_parameters_html(entry.get('parameters')) if status != 'not run' else ''}</td>"
        f"<td>{results}</td><td class='figure'>{_figure_html(metrics, reports_dir)}</td></tr>"
    )


def _errata_html(reports_dir: Path) -> str:
    try:
        errata = load_errata(reports_dir / "errata.csv")
    except (OSError, ValueError):
        return "<p class='note'>reports/errata.csv is unreadable.</p>"
    if errata.empty:
        return "<p class='note'>No notebook has recorded an erratum yet.</p>"
    rows = "".join(
        f"<tr class='{_escape(r.status).replace(' ', '-')}'><td>{_escape(r.section)}</td>"
        f"<td class='claim'>{_escape(r.article_says)}</td><td class='claim'>{_escape(r.we_compute)}</td>"
        f"<td class='verdict'>{_escape(r.status)}</td><td>{_escape(r.notebook)}</td></tr>"
        for r in errata.fillna("").itertuples()
    )
    return ("<table class='errata'><tr><th>Section</th><th>The article says</th><th>We compute</th>"
            f"<th>Verdict</th><th>Notebook</th></tr>{rows}</table>")


def render_index(entries: Mapping[str, dict] | list[dict], reports_dir: Path = REPORTS_DIR,
                 notebooks: list[str] | None = None) -> str:
    """The front page as HTML text.

    entries: the run log ({notebook stem: entry}, see rec_utils.runtime.runner) or a list of its entries (each
    with "output", the executed notebook's file name). notebooks: stems of every notebook in the project, so
    the ones never run appear too and entries of notebooks the project no longer has (an old run log kept across
    a renumbering) are left out (default: every notebook in the log). Rows are in notebook order.
    """
    reports_dir = Path(reports_dir)
    log = _normalise(entries)
    if notebooks is not None:
        log = {stem: log.get(stem, {"status": "not run", "error": None}) for stem in notebooks}
    counts = {s: sum(_status(e) == s for e in log.values()) for s in STATUSES}
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    rows = "".join(_row(stem, log[stem], reports_dir) for stem in sorted(log))
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>interest-lab report</title><style>{STYLE}</style></head><body>"
        "<h1>interest-lab: reproduction report</h1>"
        f"<p>{len(log)} notebooks: {_escape(summary)}. Executed by <code>python -m rec_utils.run</code> (papermill); "
        "each row is the latest run of that notebook. Intervals are 95% bootstrap intervals where the notebook "
        f"computed one. Page written {time.strftime('%Y-%m-%d %H:%M:%S')}.</p>"
        "<table class='runs'><tr><th>Notebook</th><th>Status</th><th>Run time</th><th>Backend / device</th>"
        "<th>Parameters</th><th>Headline results</th><th>Key figure</th></tr>"
        f"{rows}</table>"
        "<h2>Time per stage of the README's commands</h2>"
        f"{stage_html(read_stage_times(reports_dir))}"
        "<h2>Errata: the article's claims as checked</h2>"
        f"{_errata_html(reports_dir)}"
        "<p>Other results: <a href='errata.csv'>errata.csv</a> · <a href='metrics/'>metrics/</a> · "
        "<a href='figures/'>figures/</a> · <a href='benchmarks.csv'>benchmarks.csv</a> · "
        "<a href='recommendations.parquet'>recommendations.parquet</a></p></body></html>\n"
    )


def write_index(entries: Mapping[str, dict] | list[dict], *, reports_dir: Path,
                notebooks: list[str] | None = None) -> Path:
    """Write <reports_dir>/index.html atomically, reports_dir being the run's folder (rec_utils.runtime.runs
    .run_folder); see render_index for the arguments. Returns its path."""
    return write_text_atomic(Path(reports_dir) / "index.html", render_index(entries, reports_dir, notebooks))


def refresh_index(reports_dir: Path = REPORTS_DIR, notebooks: list[str] | None = None) -> Path:
    """Write <reports_dir>/index.html again from its run log (after new stage times were recorded); notebooks: the
    project's notebook stems (default: those in notebooks/)."""
    stems = [nb.stem for nb in sorted(NOTEBOOKS_DIR.glob(NOTEBOOK_PATTERN))] if notebooks is None else notebooks
    return write_index(read_run_log(Path(reports_dir) / LOG_NAME), reports_dir=reports_dir, notebooks=stems)
