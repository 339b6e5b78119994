"""The README's results and errata sections, written from what a run saved (never typed by hand).

    python -m rec_utils.runtime.readme      # rewrite the blocks between the markers in README.md (`make readme`)

Every notebook saves `"headline": [{"name", "value", "low", "high"}]` in reports/metrics/<notebook>.json; the
block lists them per notebook with their 95% intervals, and says for each difference (a name with "minus", "cost",
"gain" or "difference", or a value whose interval is around 0) whether its interval excludes zero.
tests/results/test_readme_results.py checks that README's numbers lie inside the intervals of the run
the tests made, so a README that no longer matches the code fails the tests.

The errata block lists every claim of reports/errata.csv with what the article says and the verdict, without the
numbers the run computed (their last digits depend on the machine; reports/errata.csv and the notebooks hold them),
so the committed README does not change from one machine to the next.
"""

from __future__ import annotations

import json
import math
import re
import sys
from pathlib import Path

import pandas as pd

from rec_utils.runtime.device import keras_backend
from rec_utils.runtime.errata import ERRATA_PATH, load_errata
from rec_utils.runtime.io import write_text_atomic
from rec_utils.runtime.paths import METRICS_DIR, NOTEBOOKS_DIR, REPO_ROOT

START = "<!-- results:start (written by `make readme` from reports/metrics; do not edit by hand) -->"
END = "<!-- results:end -->"
ERRATA_START = "<!-- errata:start (written by `make readme` from reports/errata.csv; do not edit by hand) -->"
ERRATA_END = "<!-- errata:end -->"
DIFFERENCE_WORDS = (" minus ", " gain", " cost", "difference", " - ")


class ReadmeError(RuntimeError):
    """README.md lacks the results markers, or a notebook's metrics are missing."""


def headlines(metrics_dir: Path = METRICS_DIR, notebooks_dir: Path | None = None) -> dict[str, list[dict]]:
    """{notebook stem: its headline entries}, in notebook order (notebooks_dir: default notebooks/);
    ReadmeError names the notebooks without metrics."""
    notebooks_dir = NOTEBOOKS_DIR if notebooks_dir is None else notebooks_dir
    stems = [p.stem for p in sorted(Path(notebooks_dir).glob("[0-9][0-9]_*.ipynb"))]
    missing = [s for s in stems if not (Path(metrics_dir) / f"{s}.json").is_file()]
    if missing:
        raise ReadmeError(f"no metrics for {', '.join(missing)}: run them first (python -m rec_utils.run)")
    return {s: json.loads((Path(metrics_dir) / f"{s}.json").read_text()).get("headline") or [] for s in stems}


def _number(value: float) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if value == int(value) and abs(value) >= 100:
        return f"{int(value):,}"
    magnitude = abs(value)
    return f"{value:,.1f}" if magnitude >= 100 else f"{value:.4f}" if magnitude < 1 else f"{value:.3f}"


def reading(entry: dict) -> str:
    """What the interval supports: for a difference, whether it excludes zero; otherwise nothing."""
    low, high = entry.get("low"), entry.get("high")
    if low is None or high is None:
        return ""
    is_difference = any(w in entry["name"].lower() for w in DIFFERENCE_WORDS) or low < 0 < high
    if not is_difference:
        return ""
    if low > 0:
        return "above 0: the first is higher"
    if high < 0:
        return "below 0: the first is lower"
    return "includes 0: no difference shown"


def results_block(entries: dict[str, list[dict]], backend: str) -> str:
    """The Markdown table of every notebook's headline results (between the markers), headed by the Keras
    backend of the run (models trained on another backend start from other seeded weights)."""
    lines = [START, "", f"Keras backend of this run: `{backend}`.", "",
             "| notebook | result | value | 95% interval | what the interval says |", "|---|---|---|---|---|"]
    for stem, rows in entries.items():
        for h in rows:
            low, high = h.get("low"), h.get("high")
            interval = f"[{_number(low)}, {_number(high)}]" if low is not None and high is not None else ""
            name = str(h["name"]).replace("|", "/")
            lines.append(f"| `{stem}` | {name} | {_number(h['value'])} | {interval} | {reading(h)} |")
    return "\n".join(lines + ["", END])


def errata_block(errata: pd.DataFrame) -> str:
    """The Markdown table of the errata (between the errata markers): claim, section, what the article says, the
    verdict and the notebook that checks it; the computed values stay in reports/errata.csv."""
    lines = [ERRATA_START, "", "| claim | section | the article says | verdict | checked in |", "|---|---|---|---|---|"]
    for row in errata.itertuples(index=False):
        says = str(row.article_says).replace("|", "\\|")  # an escaped bar stays inside its cell
        lines.append(f"| `{row.claim_id}` | {row.section} | {says} | {row.status} | `{row.notebook}` |")
    return "\n".join(lines + ["", ERRATA_END])


def update_readme(readme: Path = REPO_ROOT / "README.md", metrics_dir: Path = METRICS_DIR,
                  errata_path: Path = ERRATA_PATH) -> Path:
    """Replace the results block of `readme` with one written from `metrics_dir` and the errata block with one
    written from `errata_path`; atomically."""
    text = Path(readme).read_text()
    for what, start, end in (("results", START, END), ("errata", ERRATA_START, ERRATA_END)):
        if start not in text or end not in text:
            raise ReadmeError(f"{Path(readme).name} has no {what} markers ({start} ... {end})")
    blocks = ((START, END, results_block(headlines(metrics_dir), keras_backend())),
              (ERRATA_START, ERRATA_END, errata_block(load_errata(errata_path))))
    for start, end, block in blocks:
        text = re.sub(re.escape(start) + r".*?" + re.escape(end), lambda _, b=block: b, text, flags=re.S)
    return write_text_atomic(readme, text)


def readme_backend(readme: Path = REPO_ROOT / "README.md") -> str | None:
    """The Keras backend README's results block was written from (None: the block does not say)."""
    text = Path(readme).read_text()
    match = re.search(r"Keras backend of this run: `([a-z]+)`", text[text.index(START):text.index(END)])
    return match.group(1) if match else None


def readme_values(readme: Path = REPO_ROOT / "README.md") -> dict[str, list[float]]:
    """{notebook stem: the values of its rows in README's results block, in order} (for the tests)."""
    text = Path(readme).read_text()
    block = text[text.index(START):text.index(END)]
    values: dict[str, list[float]] = {}
    for line in block.splitlines():
        match = re.match(r"\| `([^`]+)` \| .* \| ([-\d.,–]+) \| [^|]* \| [^|]* \|$", line)
        if match:
            raw = match.group(2).replace(",", "")
            values.setdefault(match.group(1), []).append(float("nan") if raw == "–" else float(raw))
    return values


def readme_errata(readme: Path = REPO_ROOT / "README.md") -> dict[str, str]:
    """{claim_id: verdict} of README's errata block (for the tests)."""
    text = Path(readme).read_text()
    block = text[text.index(ERRATA_START):text.index(ERRATA_END)]
    return dict(re.findall(r"^\| `([^`]+)` \| [^|]* \| .* \| ([a-z ]+) \| `[^`]+` \|$", block, flags=re.M))


if __name__ == "__main__":
    print(f"results and errata written to {update_readme().name}")
    sys.exit(0)
