"""The front page reports/index.html: its structure always, its layout in headless Chromium when installed."""

import html
import json
import os
import shutil
import subprocess
from html.parser import HTMLParser

import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from rec_utils.runtime.errata import record_erratum  # noqa: E402
from rec_utils.runtime.report import FONT_STACK, render_index, write_index  # noqa: E402

LONG_ERROR = "cell 7 (execution count 6): ValueError: " + "a_very_long_token_without_spaces" * 150 + "\nline two"


class Rows(HTMLParser):
    """Each <tr> of the page: its attributes, its text and the images and <details> inside it."""

    def __init__(self):
        super().__init__()
        self.rows, self.row, self.styles, self.in_style = [], None, [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr":
            self.row = {"attrs": attrs, "text": "", "img": [], "details": 0}
            self.rows.append(self.row)
        elif tag == "img" and self.row is not None:
            self.row["img"].append(attrs["src"])
        elif tag == "details" and self.row is not None:
            self.row["details"] += 1
        self.in_style = tag == "style"

    def handle_endtag(self, tag):
        if tag == "tr":
            self.row = None
        self.in_style = False

    def handle_data(self, data):
        if self.row is not None:
            self.row["text"] += data
        if self.in_style:
            self.styles.append(data)


@pytest.fixture
def reports(tmp_path):
    """A reports folder after a run: one ok notebook with headline and figure, one failed with a long error and
    metrics from an earlier run, one skipped, one whose metrics file is damaged; an errata table."""
    (tmp_path / "metrics").mkdir()
    (tmp_path / "figures").mkdir()
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1], [0, 1])
    fig.savefig(tmp_path / "figures" / "06_ablation.png")
    plt.close(fig)
    (tmp_path / "metrics" / "06_click_model.json").write_text(json.dumps({
        "headline": [{"name": "fused model AUC", "value": 0.70213, "low": 0.6912, "high": 0.7134},
                     {"name": "impressions", "value": 38400, "low": None, "high": None}],
        "figure": "06_ablation", "backend": "jax", "device": "cpu"}))
    (tmp_path / "metrics" / "07_model_evaluation.json").write_text(json.dumps({
        "headline": [{"name": "NDCG@10", "value": 0.12, "low": 0.1, "high": 0.14}], "figure": "missing_figure"}))
    os.utime(tmp_path / "metrics" / "07_model_evaluation.json", (0, 0))  # written long before the failed run
    (tmp_path / "metrics" / "08_personalized_recommendation.json").write_text("{ truncated")
    record_erratum("4.2-cosine-example", "4.2", "cos ≈ 0.732", "0.9746", "wrong", "03_cosine_similarity",
                   path=tmp_path / "errata.csv")
    record_erratum("4.1-svd-example", "4.1", "X=[[1,2,3],[0,1,0],[2,0,1]] factorises as U Σ V^T; U, V can be learned "
                   "by random init + GD", "singular values [4.0551 1.7491 0.7049]; max |UΣV^T - X| = 1.4e-15; GD "
                   "rank-2 error 0.7049 = optimum 0.7049", "confirmed", "02_matrix_factorization_with_a_long_name",
                   path=tmp_path / "errata.csv")
    record_erratum("5.2-countvectorizer-columns", "5.2", "CountVectorizer().fit_transform(data[['search_keywords',"
                   "'product_descriptions']]) gives text features", "it learns from the 2 column names",
                   "wrong", "05_feature_extraction", path=tmp_path / "errata.csv")
    log = {
        "06_click_model": {"title": "06 点击模型 (Click model)", "status": "ok", "error": None, "seconds": 311.04,
                           "started": "2026-11-28 10:00:00", "finished": "2026-11-28 10:05:11",
                           "output": "06_click_model.ipynb", "parameters": {"device": "cpu", "epochs": 3},
                           "kernel": "interest-lab"},
        "07_model_evaluation": {"title": "07 模型评估 (Model evaluation)", "status": "failed", "error": LONG_ERROR,
                                "seconds": 12.0, "started": "2026-11-28 10:05:12", "finished": "2026-11-28 10:05:24",
                                "output": "07_model_evaluation.ipynb", "parameters": {}},
        "08_personalized_recommendation": {"title": "08 个性化推荐", "status": "ok", "error": None, "seconds": 3.0,
                                           "output": "08_personalized_recommendation.ipynb"},
        "09_bandits": {"title": "09 Bandits", "status": "skipped", "error": None, "seconds": 0.0,
                       "output": "09_bandits.ipynb"},
    }
    return tmp_path, log


def _rows(page: str) -> tuple[dict, list, str]:
    parser = Rows()
    parser.feed(page)
    runs = {r["attrs"]["id"]: r for r in parser.rows if r["attrs"].get("id", "").startswith("nb-")}
    errata = [r for r in parser.rows if r["attrs"].get("class") in {"wrong", "confirmed", "not-reproducible"}]
    return runs, errata, "".join(parser.styles)


def test_notebooks_the_project_no_longer_has_are_left_out(reports):
    """A run log kept across a renumbering (09_bandits became 10_...) must not list the old notebook."""
    folder, log = reports
    index = write_index(log, reports_dir=folder, notebooks=["06_click_model", "10_bandits"])
    runs, _, _ = _rows(index.read_text(encoding="utf-8"))
    assert list(runs) == ["nb-06_click_model", "nb-10_bandits"]
    assert runs["nb-10_bandits"]["attrs"]["class"] == "not-run"


def test_front_page_structure(reports):
    folder, log = reports
    index = write_index(log, reports_dir=folder, notebooks=["05_feature_extraction", *log])
    assert index == folder / "index.html" and [p.name for p in folder.iterdir() if p.name.startswith(".")] == []
    runs, errata, style = _rows(index.read_text(encoding="utf-8"))
    assert list(runs) == ["nb-05_feature_extraction", "nb-06_click_model", "nb-07_model_evaluation",
                          "nb-08_personalized_recommendation", "nb-09_bandits"]
    assert [runs[k]["attrs"]["class"] for k in runs] == ["not-run", "ok", "failed", "ok", "skipped"]
    ok = runs["nb-06_click_model"]
    for text in ["06 点击模型 (Click model)", "fused model AUC: 0.7021 [0.6912, 0.7134]", "impressions: 38,400",
                 "jax / cpu", 'device="cpu"', "epochs=3", "5 min 11 s", "finished 2026-11-28 10:05:11",
                 "kernel interest-lab"]:
        assert text in ok["text"], text
    assert ok["img"] == ["figures/06_ablation.png"]
    failed = runs["nb-07_model_evaluation"]
    assert "FAILED" in failed["text"] and failed["details"] == 1 and "line two" in failed["text"]
    assert "from an earlier run" in failed["text"] and failed["img"] == []  # its figure file is missing
    assert "metrics file unreadable" in runs["nb-08_personalized_recommendation"]["text"]
    assert "defaults" in failed["text"] and "defaults" not in runs["nb-05_feature_extraction"]["text"]
    assert [r["attrs"]["class"] for r in errata] == ["confirmed", "wrong", "wrong"] and "0.9746" in errata[1]["text"]
    assert FONT_STACK in style and "Noto Sans CJK SC" in FONT_STACK and "overflow-wrap: anywhere" in style


def test_a_list_of_entries_and_an_empty_reports_folder(tmp_path):
    page = render_index([{"title": "00 环境", "seconds": 1.0, "error": None, "output": "00_environment.ipynb",
                          "finished": "2026-11-28 10:00:00"}], reports_dir=tmp_path)
    runs, _, _ = _rows(page)
    assert list(runs) == ["nb-00_environment"] and runs["nb-00_environment"]["attrs"]["class"] == "ok"
    assert "No notebook has recorded an erratum yet" in page


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Appended to a copy of the page only: after load, report the layout as JSON in the DOM that --dump-dom prints.
PROBE = """<script>addEventListener('load', () => { const r = document.createElement('pre'); r.id = 'probe';
r.textContent = JSON.stringify({scrollWidth: document.documentElement.scrollWidth, innerWidth: innerWidth,
rows: document.querySelectorAll('table.runs tr[id]').length,
images: [...document.images].map(i => i.complete && i.naturalWidth > 0),
thumbWidths: [...document.images].map(i => i.getBoundingClientRect().width),
failedBackground: getComputedStyle(document.querySelector('tr.failed')).backgroundColor,
font: getComputedStyle(document.body).fontFamily}); document.body.appendChild(r); });</script>"""


def _chromium(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                           "--disable-background-networking", "--disable-component-update", "--disable-sync",
                           "--hide-scrollbars", "--window-size=1280,900", *args],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed (Debian: apt-get install chromium)")
def test_front_page_renders_in_headless_chromium(reports, tmp_path_factory):
    folder, log = reports
    page = render_index(log, reports_dir=folder)
    probe = folder / "probe.html"
    probe.write_text(page.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    profile = tmp_path_factory.mktemp("chromium-profile")
    dom = _chromium(f"--user-data-dir={profile}", "--virtual-time-budget=5000", "--dump-dom", probe.as_uri())
    found = dom.stdout.split("<pre id=\"probe\">", 1)
    assert len(found) == 2, dom.stderr[-2000:]
    result = json.loads(html.unescape(found[1].split("</pre>", 1)[0]))
    assert result["scrollWidth"] <= result["innerWidth"], "a long error or erratum widens the page beyond the window"
    assert result["rows"] == 4 and result["images"] == [True] and result["thumbWidths"][0] >= 200
    assert result["failedBackground"] == "rgb(253, 232, 232)" and "Noto Sans CJK SC" in result["font"]
    shot = folder / "index.png"
    _chromium(f"--user-data-dir={profile}", f"--screenshot={shot}", probe.as_uri())
    assert shot.stat().st_size > 10_000
