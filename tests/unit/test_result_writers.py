"""Every result a run writes goes through the one function that knows the run's folder (rec_utils.runtime.runs), so a
run with -p overrides never writes over the full run's reports/; a reader takes another notebook's result from its
own run's folder, or from the full run only when the parameters that shaped it match."""

import ast
import json
from pathlib import Path

import nbformat
import pandas as pd
import pytest

import rec_utils
from rec_utils.evaluation import choice as choice_module
from rec_utils.evaluation.choice import CHOICE_FILE, load_choice, save_choice
from rec_utils.evaluation.protocol import Protocol
from rec_utils.evaluation.tuning import Choice, TuningResult
from rec_utils.recommend.recommenders import RecommenderSpec
from rec_utils.runtime import parameters, runner, runs
from rec_utils.runtime.paths import REPORTS_DIR

PACKAGE = Path(rec_utils.__file__).parent
# Calls that write a file; a function calling one is a writer and must be listed below.
WRITE_CALLS = {"atomic_path", "write_text_atomic", "write_bytes_atomic", "save_cached"}
WRITE_METHODS = {"to_parquet", "to_csv", "savefig", "write_text", "write_bytes", "write_table", "save", "savez",
                 "to_json", "to_pickle"}
RUN_RESULT = "a run's result: its folder comes from artefact_dir"
WRITERS = {
    "runtime/results.py:save_metrics": RUN_RESULT,
    "runtime/errata.py:record_erratum": RUN_RESULT,
    "figures/plots.py:save_figure": RUN_RESULT,
    "evaluation/choice.py:save_choice": RUN_RESULT,
    "chapters/click_model/predictions.py:save_click_predictions": RUN_RESULT,
    "chapters/click_model/deep.py:save_interest_model": "cache: data/cache/ (notebook 06's trained model, reloaded)",
    "runtime/execution.py:execute": "the runner's executed notebook, in run_folder(overrides) (runner.main)",
    "runtime/execution.py:export_html": "the runner's HTML, beside the executed notebook",
    "runtime/run_log.py:record_runs": "the runner's run log, in run_folder(overrides) (main)",
    "runtime/report.py:write_index": "the runner's index, in run_folder(overrides) (main); no default folder",
    "runtime/stage_times.py:record_stages": "the README commands' stage times (make install / reproduce / test), "
                                            "in the full run's reports/ or the runner's run_folder",
    "runtime/io.py:write_bytes_atomic": "the atomic-write mechanism itself",
    "runtime/io.py:write_text_atomic": "the atomic-write mechanism itself",
    "runtime/caches.py:save_cached": "the cache mechanism itself (data/cache, data/processed)",
    "runtime/trained.py:train_once": "the trained-results store: data/trained/ with manifests (committed defaults)",
    "data/tables.py:_build": "cache: data/processed/ with manifests",
    "data/online_retail.py:fetch_online_retail_ii": "cache: data/cache/ (download, its hash, its conversion)",
    "data/download.py:download": "a download to the caller's path, verified",
    "data/replicate.py:write_replicated": "scaled copies of the data, to the caller's path",
    "data/replicate.py:write": "write_replicated's streaming writer (into save_cached's temporary file)",
    "features/images.py:vgg16_features": "cache: data/cache/ with a manifest",
    "features/image_encoder.py:_cached_network": "cache: data/cache/ with a manifest (the catalogue encoder: "
                                                 "data/trained/05_feature_extraction/, committed)",
    "features/text_encoder.py:checkpoint_dir": "cache: data/cache/ (the checkpoint's files, each verified)",
    "features/text_encoder.py:_verified": "cache: data/cache/ (the stamp of the checkpoint's verified files)",
    "features/text_encoder.py:encode_texts": "cache: data/cache/ with a manifest",
    "models/distributed.py:_demo": "a subprocess demo writing to the caller's folder",
    "runtime/benchmark_log.py:append_frame": "benchmark scripts' log (benchmarks/), not a notebook run",
    "runtime/readme.py:update_readme": "README's results block (make readme, maintainers)",
    "chapters/scale_out/scaling.py:main": "the scaling subprocess's report, to the caller's path",
}
# Modules that may name the full run's reports/ folder, and why (none of them writes a run's result there).
NAMES_REPORTS = {
    "runtime/paths.py": "defines the locations",
    "runtime/runs.py": "artefact_dir / run_folder / find_artefact: the one place that chooses the folder",
    "runtime/results.py": "METRICS_DIR.name: the sub-folder's name under artefact_dir",
    "figures/plots.py": "FIGURES_DIR.name: the sub-folder's name under artefact_dir",
    "runtime/errata.py": "ERRATA_PATH: load_errata's default, reading the full run's errata",
    "runtime/report.py": "render_index's default folder for reading errata; refresh_index's default (make test)",
    "runtime/stage_times.py": "stage_times.json of the README's commands: a record of the commands, not a result",
    "runtime/readme.py": "reads the full run's metrics for README",
    "runtime/benchmark_log.py": "benchmarks.csv: benchmark scripts' log, not a notebook run",
    "runtime/runner.py": "METRICS_DIR.name / FIGURES_DIR.name: the run folder's sub-folders swept for killed writes",
}
REPORTS_NAMES = {"REPORTS_DIR", "METRICS_DIR", "FIGURES_DIR", "RUNS_DIR"}


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path.relative_to(PACKAGE).as_posix(), ast.parse(path.read_text())


def _called_name(call: ast.Call) -> tuple[str | None, bool]:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id, False
    return (func.attr, True) if isinstance(func, ast.Attribute) else (None, False)


def find_writers() -> dict[str, ast.FunctionDef]:
    """{"module:function": node} of every function in rec_utils that calls a file-writing function or method."""
    writers = {}
    for module, tree in _modules():
        for function in ast.walk(tree):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for call in (n for n in ast.walk(function) if isinstance(n, ast.Call)):
                name, is_method = _called_name(call)
                if name in WRITE_CALLS or (is_method and name in WRITE_METHODS):
                    writers[f"{module}:{function.name}"] = function
    return writers


def test_every_writer_is_known_and_run_results_go_through_artefact_dir():
    writers = find_writers()
    unknown = sorted(set(writers) - set(WRITERS))
    assert not unknown, (f"new writers {unknown}: list each in WRITERS with what it writes; a run's result must "
                         "take its folder from rec_utils.runtime.runs.artefact_dir (or the runner's run_folder)")
    assert not sorted(set(WRITERS) - set(writers)), "WRITERS lists functions that no longer write"
    for name, reason in WRITERS.items():
        if reason == RUN_RESULT:
            assert "artefact_dir" in ast.unparse(writers[name]), f"{name} does not ask artefact_dir for its folder"


def test_only_known_modules_name_the_reports_folder():
    offenders = []
    for module, tree in _modules():
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
                      and node.body and isinstance(node.body[0], ast.Expr)}
        for node in ast.walk(tree):
            named = isinstance(node, ast.Name) and node.id in REPORTS_NAMES
            literal = (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
                       and (node.value == "reports" or node.value.startswith("reports/")))
            if (named or literal) and module not in NAMES_REPORTS:
                offenders.append(f"{module}:{node.lineno}")
    assert not offenders, f"these name reports/ directly; ask rec_utils.runtime.runs.artefact_dir: {offenders}"


def test_the_runner_takes_its_folder_from_run_folder():
    tree = ast.parse(Path(runner.__file__).read_text())
    main = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "main")
    assert "run_folder(" in ast.unparse(main)


def _choice(seed: int = 42, budget: int = 8, k: int = 10) -> Choice:
    spec = RecommenderSpec.of("popularity")
    table = pd.DataFrame({"mean": [0.1], "low": [0.05], "high": [0.15], "chosen": [True]})
    return Choice({"popularity": TuningResult("popularity", table, spec, 1, budget, seed, "ndcg", k)}, spec)


@pytest.fixture
def folders(tmp_path, monkeypatch):
    """reports/ and reports/runs/ in tmp_path; no run folder, no checked parameters."""
    monkeypatch.setattr(runs, "REPORTS_DIR", tmp_path / "reports")
    monkeypatch.setattr(runs, "RUNS_DIR", tmp_path / "reports" / "runs")
    monkeypatch.setattr(parameters, "_last_checked", {})
    monkeypatch.delenv(runs.RUN_DIR_ENV, raising=False)
    return tmp_path / "reports"


PROTOCOL = Protocol("2011-11-10", 30, 30, "new_items")


def test_a_sample_run_of_07_keeps_its_choice_in_its_own_folder(folders, monkeypatch):
    """save_choice used to write reports/07_recommender_choice.json whatever the run."""
    full = save_choice(PROTOCOL, _choice())
    assert full == folders / CHOICE_FILE
    before = full.read_bytes()
    sample = folders / "runs" / runs.run_tag({"search_budget": 2})
    monkeypatch.setenv(runs.RUN_DIR_ENV, str(sample))
    assert save_choice(PROTOCOL, _choice(budget=2)) == sample / CHOICE_FILE
    assert full.read_bytes() == before
    assert load_choice(PROTOCOL, budget=2)[0] is not None  # the sample run's 08 reads the sample run's choice
    monkeypatch.delenv(runs.RUN_DIR_ENV)
    spec, note = load_choice(PROTOCOL, budget=8, seed=42, k=10)  # a default run of 08 reads the full run's
    assert spec is not None and note.endswith(f"read from {full.as_posix()}")
    assert json.loads(full.read_text())["choices"]["new_items"]["budget"] == 8


@pytest.mark.parametrize("asked, differs", [({"seed": 1}, "seed 42, not 1"), ({"budget": 2}, "budget 8, not 2"),
                                            ({"k": 5}, "selection metric 'ndcg@10', not @5")])
def test_the_full_runs_choice_is_used_only_when_what_shaped_it_matches(folders, monkeypatch, asked, differs):
    save_choice(PROTOCOL, _choice())
    monkeypatch.setenv(runs.RUN_DIR_ENV, str(folders / "runs" / runs.run_tag(asked)))  # 08 alone, with -p
    spec, note = load_choice(PROTOCOL, **asked)
    assert spec is None and f"was made under other parameters ({differs})" in note
    calls = []
    monkeypatch.setattr(choice_module, "choose_recommender", lambda split, **kw: calls.append(kw) or _choice())
    monkeypatch.setattr(Protocol, "split", lambda self, transactions, stage: stage)
    spec, note = choice_module.chosen_recommender(PROTOCOL, pd.DataFrame(), **asked)
    assert len(calls) == 1 and "recomputed" in note
    assert calls[0] == asked  # recomputed with what the reader asked for


def _probe_traces(folder):
    """What the probe cell below could leave in a full run's reports folder: its own files, and its entries in the
    files every notebook writes (which make test's other worker may be writing meanwhile, so not their bytes)."""
    metrics, errata = folder / "metrics" / "07_model_evaluation.json", folder / "errata.csv"
    return {"files": sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*07_probe*")
                            if "runs" not in p.relative_to(folder).parts),
            "metrics": metrics.exists() and '"probe"' in metrics.read_text(),
            "errata": errata.exists() and "9.9-probe" in errata.read_text()}


WRITING_CELL = """
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from rec_utils.figures.plots import save_figure
from rec_utils.runtime.errata import record_erratum
from rec_utils.runtime.results import save_metrics
from rec_utils.runtime.runs import artefact_dir
save_metrics("07_model_evaluation", {"probe": frac})
save_figure(plt.figure(), "07_probe")
record_erratum("9.9-probe", "9.9", "a", "b", "wrong", "07_model_evaluation")
(artefact_dir("07_model_evaluation") / "07_probe.csv").write_text("a\\n1\\n")
print(artefact_dir("07_model_evaluation"))
"""


def test_a_run_with_overrides_leaves_no_trace_in_the_full_runs_reports(folders, monkeypatch):
    """The writers a notebook uses, run in a kernel by the runner with -p: everything lands in the run's folder.
    (tests/results/test_sample_run_isolation.py checks byte for byte, with notebook 07, when nothing else runs.)"""
    notebooks = folders.parent / "notebooks"
    notebooks.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "interest-lab", "display_name": "Python (interest-lab)", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell("# 99 probe"), nbformat.v4.new_code_cell("frac = 1.0  # share"),
                nbformat.v4.new_code_cell(WRITING_CELL)]
    nb.cells[1].metadata["tags"] = ["parameters"]
    nbformat.write(nb, notebooks / "99_probe.ipynb")
    monkeypatch.setattr(runner, "NOTEBOOKS_DIR", notebooks)
    assert runner.main(["99", "-p", "frac", "0.5", "--no-html"]) == 0
    run = folders / "runs" / runs.run_tag({"frac": 0.5})
    assert _probe_traces(REPORTS_DIR) == {"files": [], "metrics": False, "errata": False}
    assert sorted(p.name for p in folders.iterdir()) == ["runs"]
    written = {p.relative_to(run).as_posix() for p in run.rglob("*") if p.is_file() and not p.name.endswith(".lock")}
    assert {"metrics/07_model_evaluation.json", "figures/07_probe.png", "errata.csv", "07_probe.csv"} <= written


def test_predictions_rebuilt_by_a_sample_run_go_to_its_own_folder(folders, monkeypatch):
    """Notebook 07 run with -p rebuilds 06's missing predictions: into its folder, not the full run's reports/."""
    from rec_utils.chapters.click_model import experiment, predictions

    run = folders / "runs" / runs.run_tag({"n_boot": 50})
    monkeypatch.setenv(runs.RUN_DIR_ENV, str(run))
    calls = []
    monkeypatch.setattr(experiment, "run_click_experiment", lambda config, path: calls.append(path))
    monkeypatch.setattr(predictions, "_read_predictions", lambda path: path)  # the fake run writes no file
    predictions.load_click_predictions()
    assert calls == [run / predictions.PREDICTIONS_NAME]


CHOICE_READERS = {"chosen_recommender", "protocol_headline", "load_choice"}


def test_notebooks_reading_07s_choice_pass_their_own_seed():
    """A `-p seed 1` run of notebook 11 or 13 alone used to read the full run's seed-42 choice without a word."""
    calls = []
    for path in sorted((REPORTS_DIR.parent / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            if cell.cell_type != "code" or not any(f"{name}(" in cell.source for name in CHOICE_READERS):
                continue
            for node in ast.walk(ast.parse(cell.source)):
                call = isinstance(node, ast.Call)
                name = getattr(node.func, "id", getattr(node.func, "attr", None)) if call else None
                if name in CHOICE_READERS:  # f(...) or ch.f(...)
                    calls.append((path.stem, name, {k.arg for k in node.keywords}))
    assert calls, "no notebook reads notebook 07's choice: the test looks for the wrong names"
    assert [(nb, fn) for nb, fn, keywords in calls if "seed" not in keywords] == []


NOTEBOOK_WRITES = {"to_csv", "to_parquet", "to_json", "savefig", "write_text", "write_bytes", "save", "dump"}


def test_notebook_cells_that_write_files_take_their_folder_from_artefact_dir():
    """The writer enumeration above reads rec_utils only: a notebook cell writing to ../reports/ directly would
    overwrite the full run's files from a -p run. Every cell that writes a file names artefact_dir."""
    offenders = []
    for path in sorted((REPORTS_DIR.parent / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        for number, cell in enumerate(nbformat.read(path, as_version=4).cells):
            if cell.cell_type != "code":
                continue
            tree = ast.parse(cell.source)
            writes = [node for node in ast.walk(tree) if isinstance(node, ast.Call)
                      and (_called_name(node)[0] in NOTEBOOK_WRITES and _called_name(node)[1]
                           or getattr(node.func, "id", None) == "open" and any(
                               isinstance(a, ast.Constant) and str(a.value)[:1] in "wax" for a in node.args[1:2]))]
            if writes and "artefact_dir(" not in cell.source:
                offenders.append(f"{path.stem} cell {number}")
    assert offenders == [], f"cells writing files without artefact_dir: {offenders}"
