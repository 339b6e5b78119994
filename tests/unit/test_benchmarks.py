"""The benchmark scripts keep working (tiny sizes; their timings are not tested)."""

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
