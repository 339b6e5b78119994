"""Every results test checks a full run: metrics saved with parameters other than the notebook's defaults
(a sample run, or defaults changed since the metrics were saved) are refused with a clear message."""

import json

import pytest

from rec_utils.runtime.paths import METRICS_DIR
from rec_utils.runtime.runs import notebook_file, parameter_defaults


@pytest.fixture(autouse=True)
def metrics_come_from_a_default_run(request):
    """For tests/results/test_NN_name.py: reports/metrics/NN_name.json must record the notebook's defaults."""
    notebook = request.module.__name__.rpartition(".")[2].removeprefix("test_")
    path, source = METRICS_DIR / f"{notebook}.json", notebook_file(notebook)
    if source is None or not path.exists():
        return  # nothing to compare (the test itself reports a missing file)
    recorded = json.loads(path.read_text()).get("parameters", {})
    defaults = parameter_defaults(source)
    changed = {k: v for k, v in recorded.items() if k in defaults and v != defaults[k]}
    if changed:
        pytest.fail(f"{path.name} was saved by a run with {changed}, not the defaults of {source.name} "
                    f"({ {k: defaults[k] for k in changed} }): rerun `python -m rec_utils.run {notebook[:2]}`")


@pytest.fixture(scope="module")
def measured(m):
    """{measure: row} of the "what we measured" table that notebooks 11, 12 and 13 save (needs the module's `m`)."""
    return {row["measure"]: row for row in m["measured"]}
