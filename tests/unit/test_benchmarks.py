"""The benchmark scripts keep working (tiny sizes; their timings are not tested)."""

import subprocess
import sys

import pandas as pd

from rec_utils.paths import REPO_ROOT


def _run(script: str, *args: str, output) -> pd.DataFrame:
    subprocess.run([sys.executable, str(REPO_ROOT / "benchmarks" / script), *args, "--output", str(output)],
                   check=True, capture_output=True, text=True, timeout=300)
    return pd.read_csv(output)


def test_click_model_benchmark_appends_rows(tmp_path):
    rows = _run("click_model.py", "--n-images", "8", "--vgg-batch-size", "8", "--n-examples", "256",
                "--batch-size", "64", output=tmp_path / "b.csv")
    assert set(rows["metric"]) == {"vgg16_images_per_s", "train_examples_per_s"}
    assert (rows["value"] > 0).all() and rows["backend"].iloc[0] == "tensorflow"
