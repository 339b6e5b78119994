"""The benchmark scripts keep working (tiny sizes; their timings are not tested)."""

import json
import subprocess
import sys

import pandas as pd
import pytest

from rec_utils.runtime.device import keras_backend
from rec_utils.runtime.paths import REPO_ROOT


def _run(script: str, *args: str, output) -> pd.DataFrame:
    subprocess.run([sys.executable, str(REPO_ROOT / "benchmarks" / script), *args, "--output", str(output)],
                   check=True, capture_output=True, text=True, timeout=600)
    return pd.read_csv(output)


@pytest.mark.slow
def test_click_model_benchmark_appends_rows(tmp_path):
    # 64 examples: fine-tuning block 5 runs at tens of examples/s on JAX's CPU backend
    rows = _run("click_model.py", "--n-images", "8", "--vgg-batch-size", "8", "--n-examples", "64",
                "--batch-size", "32", "--fine-tune", output=tmp_path / "b.csv")
    assert set(rows["metric"]) == {"vgg16_images_per_s", "train_examples_per_s", "finetune_train_examples_per_s"}
    assert (rows["value"] > 0).all() and rows["backend"].iloc[0] == keras_backend()  # the subprocess's is ours


def test_topk_benchmark_appends_rows(tmp_path):
    rows = _run("topk.py", "--sizes", "300x200", "--factors", "8", "--batch-size", "64", "--repeats", "1",
                output=tmp_path / "t.csv")
    assert set(rows["metric"]) == {"topk_seconds", "floor_seconds", "ratio_to_floor"}
    assert (rows["value"] > 0).all()


def test_metrics_benchmark_checks_agreement_with_scikit_learn(tmp_path):
    rows = _run("metrics.py", "--users", "500", "--items", "40", "--repeats", "1", output=tmp_path / "m.csv")
    difference = rows.set_index("metric").loc["ndcg_abs_difference", "value"]
    assert difference <= 1e-9


BENCH_PYTHON = REPO_ROOT / ".venv-bench" / "bin" / "python"


@pytest.mark.slow
@pytest.mark.parametrize("reference", ["none", "implicit"])
def test_als_benchmark_appends_rows_for_every_solver(tmp_path, reference):
    if reference == "implicit" and not BENCH_PYTHON.exists():
        pytest.skip("no .venv-bench (requirements-bench.txt): the implicit library is not installed")
    python = "none" if reference == "none" else str(BENCH_PYTHON)
    rows = _run("als.py", "--seeds", "0", "1", "--iterations", "1", "--factors", "4", "--reference-python", python,
                output=tmp_path / "a.csv")
    solvers = {"rec_utils CG", "rec_utils normal equations"}
    if reference == "implicit":
        unversioned = set(rows["backend"].str.replace(r" [\d.]+$", "", regex=True))  # "implicit CG 0.7.3"
        assert unversioned == solvers | {"implicit CG", "implicit Cholesky"}
    else:
        assert set(rows["backend"]) == solvers
    assert (rows.loc[rows["metric"] == "cpu_s_best", "value"] > 0).all()
    assert rows.loc[rows["metric"] == "ndcg@10_mean", "value"].between(0, 1).all()


@pytest.mark.parametrize("reference", ["none", "obp"])
def test_off_policy_benchmark_agrees_with_open_bandit_pipeline(tmp_path, reference):
    if reference == "obp" and not BENCH_PYTHON.exists():
        pytest.skip("no .venv-bench (requirements-bench.txt): Open Bandit Pipeline is not installed")
    python = "none" if reference == "none" else str(BENCH_PYTHON)
    rows = _run("off_policy.py", "--rounds", "2000", "--repeats", "1", "--reference-python", python,
                output=tmp_path / "o.csv")  # _run fails if the values differ by more than 1e-12 (exit code 1)
    ours = rows[rows["backend"] == "rec_utils"].set_index("metric")["value"]
    assert {f"{e}_cpu_s" for e in ("ips", "snips", "dm", "dr")} <= set(ours.index)
    if reference == "obp":
        assert (ours[ours.index.str.endswith("_abs_difference_to_obp")] <= 1e-12).all()
        assert rows["backend"].str.startswith("obp ").any()


def _clone_with_metrics(folder, setting: str, log: str, metrics: dict) -> None:
    (folder / "reports" / "metrics").mkdir(parents=True)
    for notebook, values in metrics.items():
        (folder / "reports" / "metrics" / f"{notebook}.json").write_text(json.dumps(values))
    (folder / "make-test.log").write_text(log)
    subprocess.run([sys.executable, str(REPO_ROOT / "benchmarks" / "portability.py"), "record", setting,
                    str(folder), "--log", str(folder / "make-test.log"), "--seconds", "12.5", "--rc", "0"],
                   check=True, capture_output=True, text=True, timeout=120)


def test_portability_records_counts_and_the_largest_metric_difference(tmp_path):
    _clone_with_metrics(tmp_path / "a", "default", "collected\n=== 3 failed, 848 passed, 1 skipped in 10.0s ===\n",
                        {"06_x": {"auc": 0.75, "ok": True, "rows": [{"d": 0.01}, {"d": 0.02}]}, "07_y": {"n": 5}})
    _clone_with_metrics(tmp_path / "b", "threads-1", "=== 852 passed in 11.0s ===\n",
                        {"06_x": {"auc": 0.753, "ok": False, "rows": [{"d": 0.01}, {"d": 0.025}]}})
    record = json.loads((tmp_path / "a" / "portability.json").read_text())
    assert (record["passed"], record["failed"], record["skipped"], record["seconds"]) == (848, 3, 1, 12.5)
    output = tmp_path / "p.csv"
    subprocess.run([sys.executable, str(REPO_ROOT / "benchmarks" / "portability.py"), "compare",
                    str(tmp_path / "a"), str(tmp_path / "b"), "--output", str(output)],
                   check=True, capture_output=True, text=True, timeout=120)
    rows = pd.read_csv(output)
    difference = rows[rows["metric"] == "largest_metric_abs_difference"]
    assert len(difference) == 1  # 07_y is in one clone only: nothing to compare
    assert difference["value"].iloc[0] == pytest.approx(0.005)  # rows/1/d moved most (auc 0.003; booleans ignored)
    assert json.loads(difference["parameters"].iloc[0])["key"] == "rows/1/d"
    assert rows.loc[rows["metric"] == "metrics_differing", "value"].iloc[0] == 2
    assert sorted(rows.loc[rows["metric"] == "tests_passed", "value"]) == [848, 852]


def test_stage_times_come_into_the_benchmarks_file_with_a_total_per_command(tmp_path):
    record = tmp_path / "reports" / "stage_times.json"
    record.parent.mkdir()
    record.write_text(json.dumps({"make test": {"finished": "t", "stages": {"unit tests": 400.0, "nbval 06": 780.0}}}))
    rows = _run("stage_times.py", "--record", str(record), "--commit", "abc1234", "--clean-clone",
                output=tmp_path / "s.csv")
    assert dict(zip(rows["metric"], rows["value"])) == {"make test: unit tests": 400.0, "make test: nbval 06": 780.0,
                                                        "make test: total": 1180.0}
    assert json.loads(rows["parameters"].iloc[0])["commit"] == "abc1234" and (rows["benchmark"] == "stage_times").all()
