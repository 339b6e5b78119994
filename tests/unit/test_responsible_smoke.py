"""benchmarks/responsible_smoke.py keeps running on the embedded data (quick grids; its numbers are not tested)."""

import subprocess
import sys

import pytest

from rec_utils.runtime.paths import REPO_ROOT


@pytest.mark.slow
def test_smoke_script_runs_its_quick_sections():
    done = subprocess.run([sys.executable, str(REPO_ROOT / "benchmarks" / "responsible_smoke.py"), "--quick",
                           "--sections", "scenarios", "fairness", "explain"],
                          check=True, capture_output=True, text=True, timeout=900)
    for heading in ("rules on StockCode", "launch targeting", "cross-market NDCG@10", "exposure by popularity bucket",
                    "integrated gradients", "permutation importance"):
        assert heading in done.stdout
