"""The papermill runner: parameters checked against the notebook, its own kernel, a run log that survives
interruptions, damage and concurrent writers, and sample runs kept apart from the full run."""

import json
import multiprocessing
import os
import signal
import sys
import threading
import time

import nbformat
import pytest

from rec_utils.runtime import execution, runner, runs, side_by_side
from rec_utils.runtime.report import write_index
from rec_utils.runtime.runner import (
    RunResult,
    execute,
    find_notebooks,
    notebook_title,
    own_kernel_spec,
    parse_args,
    read_run_log,
    record_runs,
)


def _notebook(path, sources, title="# 99 Test notebook"):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "interest-lab", "display_name": "Python (interest-lab)", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell(title)]
    nb.cells += [nbformat.v4.new_code_cell(s) for s in sources]
    nb.cells[1].metadata["tags"] = ["parameters"]
    nbformat.write(nb, path)
    return path


@pytest.fixture
def project(tmp_path, monkeypatch):
    """notebooks/ and reports/ in tmp_path, as the runner's defaults."""
    (tmp_path / "notebooks").mkdir()
    monkeypatch.setattr(runner, "NOTEBOOKS_DIR", tmp_path / "notebooks")
    monkeypatch.setattr(runner, "SWEPT_DATA_DIRS", (tmp_path / "data" / "processed", tmp_path / "data" / "cache"))
    monkeypatch.setattr(runs, "REPORTS_DIR", tmp_path / "reports")
    monkeypatch.setattr(runs, "RUNS_DIR", tmp_path / "reports" / "runs")
    monkeypatch.delenv(runner.RUN_DIR_ENV, raising=False)
    return tmp_path


def test_selectors_pick_notebooks_in_numeric_order():
    names = [nb.name for nb in find_notebooks([])]
    assert names == sorted(names) and names[0].startswith("00_")
    assert find_notebooks(["01"])[0].name.startswith("01_")
    with pytest.raises(SystemExit, match="matches 0 notebooks"):
        find_notebooks(["77"])


def test_parameters_are_parsed_as_yaml():
    args = parse_args(["01", "-p", "sample_frac", "0.1", "-p", "name", "abc"])
    assert args.notebooks == ["01"] and args.parameter == [["sample_frac", "0.1"], ["name", "abc"]]


def test_failure_names_the_cell_and_parameters_override(tmp_path, capfd):
    nb = _notebook(tmp_path / "99_test.ipynb", ["x = 1  # a parameter", "assert x == 1, 'x changed'", "y = 2"])
    ok = RunResult(nb, tmp_path / "ok.ipynb", 1.0, None, "2026-01-01 00:00:00", "2026-01-01 00:00:01")
    failed = execute(nb, tmp_path / "failed.ipynb", {"x": 5})
    assert not failed.ok and failed.written and failed.status == "failed"
    assert "AssertionError: x changed" in failed.error
    assert failed.error.startswith("cell 3")  # markdown, parameters, injected parameters, failing cell
    record_runs([ok], reports_dir=tmp_path)
    entries = record_runs([failed], reports_dir=tmp_path)  # same notebook: the latest run replaces it
    assert len(entries) == 1 and entries[0]["error"] == failed.error and entries[0]["status"] == "failed"
    assert entries[0]["parameters"] == {"x": 5} and entries[0]["started"] <= entries[0]["finished"]
    page = write_index(entries, reports_dir=tmp_path).read_text()
    assert "FAILED" in page and "failed.html" in page and notebook_title(nb) == "99 Test notebook"
    assert "without encryption" not in capfd.readouterr().err  # no kernel transport warning on the console
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")) == [
        "99_test.ipynb", "failed.ipynb", "index.html", "run_log.json"]  # no temporary file left


def test_unknown_parameter_stops_before_running_and_lists_valid_names(project):
    _notebook(project / "notebooks" / "99_test.ipynb", ["sample_frac = 1.0  # share\nseed = 42  # seed", "z = 1"])
    with pytest.raises(SystemExit, match=r"unknown parameter smaple_frac .*99_test: sample_frac, seed"):
        runner.main(["99", "-p", "smaple_frac", "0.1"])
    assert not (project / "reports").exists()


def test_sample_run_is_kept_apart_from_the_full_run(project):
    nb = _notebook(project / "notebooks" / "99_test.ipynb",
                   ["frac = 1.0  # share", "import os\nprint(os.environ.get('INTEREST_LAB_RUN_DIR'))"])
    assert runner.main(["99", "-p", "frac", "0.5"]) == 0
    assert runner.RUN_DIR_ENV not in os.environ  # the caller's environment is as it was
    full, sample = project / "reports", project / "reports" / "runs" / runs.run_tag({"frac": 0.5})
    assert sorted(p.name for p in full.iterdir()) == ["runs"]  # nothing written over the full run's reports
    entry = json.loads((sample / "run_log.json").read_text())["99_test"]
    assert entry["parameters"] == {"frac": 0.5} and entry["status"] == "ok"
    assert entry["kernel"] == f"interest-lab ({execution.interpreter_shown(sys.executable)})"
    assert (sample / "99_test.html").exists()
    executed = nbformat.read(sample / nb.name, as_version=4)
    assert executed.cells[-1].outputs[0]["text"].strip() == str(sample)  # the kernel knows the run's folder


def test_interrupted_run_records_what_finished_and_skips_the_rest(project, monkeypatch):
    for n in ("97", "98", "99"):
        _notebook(project / "notebooks" / f"{n}_t.ipynb", ["a = 1  # p"], title=f"# {n} T")
    calls = []

    def fake_execute(notebook, output, parameters):
        calls.append(notebook.name)
        if notebook.name.startswith("98"):
            raise KeyboardInterrupt
        output.write_text("{}")
        return RunResult(notebook, output, 0.1, None, "2026-01-01 00:00:00", "2026-01-01 00:00:01")

    monkeypatch.setattr(runner, "execute", fake_execute)
    assert runner.main(["--no-html"]) == 130
    log = json.loads((project / "reports" / "run_log.json").read_text())
    assert calls == ["97_t.ipynb", "98_t.ipynb"]
    assert [log[k]["status"] for k in sorted(log)] == ["ok", "failed", "skipped"]
    assert "interrupted" in log["98_t"]["error"]
    page = (project / "reports" / "index.html").read_text()
    assert all(f"{n} T" in page for n in ("97", "98", "99")) and "<span class='status'>skipped</span>" in page


def test_unreadable_run_log_is_started_afresh_with_a_warning(tmp_path, capsys):
    (tmp_path / "run_log.json").write_text('{"01_x": {"title": "trunc')
    assert read_run_log(tmp_path / "run_log.json") == {}
    assert "run_log.json is unreadable (JSONDecodeError); starting a new run log" in capsys.readouterr().err
    (tmp_path / "run_log.json").write_text("[]")
    assert read_run_log(tmp_path / "run_log.json") == {}


def _record_many(folder, prefix, n):
    nb = folder / f"{prefix}_x.ipynb"
    for i in range(n):
        record_runs([RunResult(nb.with_name(f"{prefix}{i:03d}_x.ipynb"), nb, 1.0)], reports_dir=folder)


def test_concurrent_runs_update_the_log_without_losing_entries(tmp_path):
    _notebook(tmp_path / "x.ipynb", ["a = 1"])
    for p in ("a", "b"):
        for i in range(25):
            (tmp_path / f"{p}{i:03d}_x.ipynb").write_bytes((tmp_path / "x.ipynb").read_bytes())
    workers = [multiprocessing.Process(target=_record_many, args=(tmp_path, p, 25)) for p in ("a", "b")]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert [w.exitcode for w in workers] == [0, 0]
    assert len(json.loads((tmp_path / "run_log.json").read_text())) == 50


def test_kernel_spec_must_belong_to_this_interpreter(tmp_path):
    with pytest.raises(SystemExit, match=r"no 'interest-lab' kernel is installed for this interpreter .*make install"):
        own_kernel_spec(tmp_path)
    foreign = tmp_path / "interest-lab"
    foreign.mkdir()
    (foreign / "kernel.json").write_text(json.dumps({
        "argv": ["/opt/other-env/bin/python", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "other", "language": "python"}))
    with pytest.raises(SystemExit, match=r"starts '/opt/other-env/bin/python', not this interpreter"):
        own_kernel_spec(tmp_path)
    assert own_kernel_spec().argv[0] == sys.executable


def test_a_same_named_kernel_elsewhere_on_the_jupyter_path_is_not_used(tmp_path, monkeypatch):
    """A user-level interest-lab kernel from another environment would win papermill's lookup by name."""
    foreign = tmp_path / "jupyter" / "kernels" / "interest-lab"
    foreign.mkdir(parents=True)
    (foreign / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-c", "raise SystemExit(3)", "{connection_file}"],
        "display_name": "foreign", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    nb = _notebook(tmp_path / "99_test.ipynb", ["a = 1", "import sys\nprint(sys.prefix)"])
    result = execute(nb, tmp_path / "out.ipynb", {})
    assert result.ok, result.error
    assert nbformat.read(tmp_path / "out.ipynb", as_version=4).cells[-1].outputs[0]["text"].strip() == sys.prefix


CHECKING_NOTEBOOK = ["cut_date = '2011-11-10'  # cut\nfrac = 1.0  # share\ndevice = 'auto'  # where",
                     "from rec_utils.evaluation.protocol import cut_date_rule\n"
                     "from rec_utils.runtime.parameters import Number, Text, check_parameters\n"
                     "check_parameters(globals(), cut_date=cut_date_rule(30, 30), frac=Number(0, 1), device=Text())\n"
                     "print(repr(cut_date), repr(device))"]


def test_values_are_typed_by_the_notebooks_defaults(project):
    nb = _notebook(project / "notebooks" / "99_test.ipynb", CHECKING_NOTEBOOK)
    pairs = [["cut_date", "2011-11-10"], ["frac", "0.5"], ["device", "1"], ["grid", "[2011-01-01, 3]"]]
    assert runner.typed_parameters(pairs, [nb]) == {"cut_date": "2011-11-10", "frac": 0.5, "device": "1",
                                                    "grid": ["2011-01-01", 3]}
    with pytest.raises(SystemExit, match=r"-p frac '\[1, 2' is not a YAML value"):
        runner.typed_parameters([["frac", "[1, 2"]], [nb])
    with pytest.raises(SystemExit, match=r"-p frac '!!binary aGk=': YAML reads a bytes, which no notebook parameter"):
        runner.typed_parameters([["frac", "!!binary aGk="]], [nb])


def test_a_date_override_runs_and_a_bad_cut_stops_at_the_parameters_cell(project, capsys):
    """-p cut_date 2011-11-10 used to crash the runner with a raw TypeError (YAML reads a date)."""
    _notebook(project / "notebooks" / "99_test.ipynb", CHECKING_NOTEBOOK)
    assert runner.main(["99", "-p", "cut_date", "2011-11-10", "--no-html"]) == 0
    run = project / "reports" / "runs" / runs.run_tag({"cut_date": "2011-11-10"})
    assert json.loads((run / "run_log.json").read_text())["99_test"]["parameters"] == {"cut_date": "2011-11-10"}
    executed = nbformat.read(run / "99_test.ipynb", as_version=4)
    assert executed.cells[-1].outputs[0]["text"].strip() == "'2011-11-10' 'auto'"
    for bad in ("2030-01-01", "abc"):
        assert runner.main(["99", "-p", "cut_date", bad, "--no-html"]) == 1
        assert not (project / "reports" / "runs" / runs.run_tag({"cut_date": bad})).exists()  # no folder left
    err = capsys.readouterr().err
    assert "ParameterError: cut_date must be a date 'YYYY-MM-DD' from 2011-01-01 to 2011-11-10" in err
    assert sorted(p.name for p in (project / "reports" / "runs").iterdir()) == [run.name]


def test_the_run_log_marks_a_notebook_running_before_it_starts(project, monkeypatch):
    _notebook(project / "notebooks" / "99_test.ipynb", ["a = 1  # p"])
    seen = []

    def fake_execute(notebook, output, parameters):
        seen.append(read_run_log(project / "reports" / "run_log.json")["99_test"])
        output.write_text("{}")
        return RunResult(notebook, output, 0.1, None, "2026-01-01 00:00:00", "2026-01-01 00:00:01")

    monkeypatch.setattr(runner, "execute", fake_execute)
    assert runner.main(["99", "--no-html"]) == 0
    assert seen[0]["status"] == "running" and seen[0]["pid"] == os.getpid() and seen[0]["error"] is None
    entry = read_run_log(project / "reports" / "run_log.json")["99_test"]
    assert entry["status"] == "ok" and "pid" not in entry


def _killed_while_running(notebook, folder):
    record_runs([RunResult(notebook, folder / notebook.name, 0.0, running=True)], folder)
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_runner_killed_outright_leaves_its_notebook_interrupted(tmp_path):
    """kill -9 used to leave the previous run's "ok" for a notebook whose rerun was killed."""
    nb = _notebook(tmp_path / "99_test.ipynb", ["a = 1"])
    record_runs([RunResult(nb, nb, 1.0, None, "2026-01-01 00:00:00", "2026-01-01 00:00:01")], tmp_path)
    killed = multiprocessing.Process(target=_killed_while_running, args=(nb, tmp_path))
    killed.start()
    killed.join(30)
    assert json.loads((tmp_path / "run_log.json").read_text())["99_test"]["status"] == "running"
    entry = read_run_log(tmp_path / "run_log.json")["99_test"]
    assert entry["status"] == "failed" and entry["error"].startswith("interrupted: the run was killed")
    assert f"runner process {killed.pid} is gone" in entry["error"]


def test_start_up_removes_what_killed_writers_left(project, monkeypatch, capsys):
    """A leftover .NN_x.ipynb.tmp*.ipynb in notebooks/ used to be collected by nbval as one more notebook."""
    nb = _notebook(project / "notebooks" / "99_test.ipynb", ["a = 1  # p"])
    dead = multiprocessing.Process(target=int)
    dead.start()
    dead.join()
    leftovers = [project / "notebooks" / f".99_test.ipynb.tmp{dead.pid}-x1.ipynb",
                 project / "reports" / f".99_test.html.tmp{dead.pid}-x2.html",
                 project / "reports" / "metrics" / f".99_test.json.tmp{dead.pid}-x3.json",
                 project / "reports" / "figures" / f".99_test.png.tmp{dead.pid}-x4.png",
                 project / "data" / "processed" / f".transactions.parquet.tmp{dead.pid}-x5.parquet",
                 project / "data" / "cache" / f".embeddings.npy.tmp{dead.pid}-x6.npy"]
    for path in leftovers:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{")
    monkeypatch.setattr(runner, "execute", lambda notebook, output, parameters: RunResult(notebook, output, 0.1))
    assert runner.main(["99", "--no-html"]) == 0
    assert not any(path.exists() for path in leftovers) and nb.exists()
    assert capsys.readouterr().out.count("removed 1 temporary file(s) left by interrupted writers") == 6


def test_a_full_run_records_each_notebooks_seconds_as_make_reproduces_stages(project, monkeypatch):
    for n in ("97", "98"):
        _notebook(project / "notebooks" / f"{n}_t.ipynb", ["a = 1  # p"], title=f"# {n} T")

    def fake_execute(notebook, output, parameters):
        output.write_text("{}")
        return RunResult(notebook, output, 2.5, None, "2026-01-01 00:00:00", "2026-01-01 00:00:01")

    monkeypatch.setattr(runner, "execute", fake_execute)
    reports = project / "reports"
    assert runner.main(["97", "--no-html"]) == 0
    assert not (reports / "stage_times.json").exists()  # one notebook is not make reproduce
    assert runner.main(["--no-html"]) == 0
    times = json.loads((reports / "stage_times.json").read_text())
    assert times["make reproduce"]["stages"] == {"97_t": 2.5, "98_t": 2.5}
    assert "Time per stage" in (reports / "index.html").read_text()


def _ok(notebook, output, seconds=1.0):
    output.write_text("{}")
    return RunResult(notebook, output, seconds, None, "2026-01-01 00:00:00", "2026-01-01 00:00:01")


def test_side_by_side_a_reader_runs_after_its_writer_on_its_thread(project, monkeypatch):
    for n in ("96", "97", "98", "99"):
        _notebook(project / "notebooks" / f"{n}_t.ipynb", ["a = 1  # p"], title=f"# {n} T")
    monkeypatch.setattr(side_by_side, "READS_FROM", {"99_t": ("97_t",)})
    for name in side_by_side.THREAD_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    share = side_by_side.shared_cores(2)["OMP_NUM_THREADS"]
    calls = []

    def fake_execute(notebook, output, parameters):
        calls.append((threading.current_thread().name, notebook.stem, os.environ.get("OMP_NUM_THREADS")))
        time.sleep(0.1)
        return _ok(notebook, output)

    monkeypatch.setattr(runner, "execute", fake_execute)
    assert runner.main(["--no-html", "--jobs", "2"]) == 0
    order = [stem for _, stem, _ in calls]
    thread_of = {stem: thread for thread, stem, _ in calls}
    assert sorted(order) == ["96_t", "97_t", "98_t", "99_t"] and order.index("97_t") < order.index("99_t")
    assert thread_of["97_t"] == thread_of["99_t"] and len(set(thread_of.values())) == 2
    assert {threads for _, _, threads in calls} == {share} and "OMP_NUM_THREADS" not in os.environ
    log = json.loads((project / "reports" / "run_log.json").read_text())
    assert sorted(log) == sorted(order) and {entry["status"] for entry in log.values()} == {"ok"}
    times = json.loads((project / "reports" / "stage_times.json").read_text())["make reproduce"]
    assert sum(times["stages"].values()) == 4.0 and times["wall"] < 4.0  # measured, not the stages added up
    with pytest.raises(SystemExit):
        runner.parse_args(["--jobs", "0"])


def test_side_by_side_an_interrupt_stops_the_running_kernels_and_skips_the_rest(project, monkeypatch):
    for n in ("97", "98", "99"):
        _notebook(project / "notebooks" / f"{n}_t.ipynb", ["a = 1  # p"], title=f"# {n} T")
    monkeypatch.setattr(side_by_side, "READS_FROM", {"99_t": ("98_t",)})  # 98 then 99 on one thread, 97 beside
    stopped, finished_97 = threading.Event(), threading.Event()
    monkeypatch.setattr(runner, "stop_kernels", stopped.set)

    def fake_execute(notebook, output, parameters):
        if notebook.stem == "97_t":
            finished_97.set()
            return _ok(notebook, output)
        finished_97.wait(10)
        os.kill(os.getpid(), signal.SIGTERM)  # `kill <runner>` while 98 runs
        stopped.wait(10)  # its kernel stopped: the notebook ends with an error
        return RunResult(notebook, output, 1.0, "DeadKernelError: Kernel died")

    monkeypatch.setattr(runner, "execute", fake_execute)
    assert runner.main(["--no-html", "--jobs", "2"]) == 130
    log = json.loads((project / "reports" / "run_log.json").read_text())
    assert [log[k]["status"] for k in sorted(log)] == ["ok", "failed", "skipped"]
    assert "interrupted" in log["98_t"]["error"] and stopped.is_set()
