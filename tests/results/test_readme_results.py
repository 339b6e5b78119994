"""README's results and errata sections state what the code computes: each number lies inside the 95% interval that
the run before these tests computed for it (or equals it to the printed precision when it has no interval), and each
erratum's verdict is the run's."""

import math

import pytest

from rec_utils.runtime.device import keras_backend
from rec_utils.runtime.errata import load_errata
from rec_utils.runtime.paths import NOTEBOOKS_DIR
from rec_utils.runtime.readme import headlines, readme_backend, readme_errata, readme_values

NOTEBOOKS = [p.stem for p in sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))]


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_readme_results_match_this_run(notebook):
    if readme_backend() != keras_backend():
        pytest.skip(f"README's results come from a {readme_backend()} run, this run used {keras_backend()}: models "
                    "start from other seeded weights, so tests/results compares it with tolerances instead")
    rows, written = headlines()[notebook], readme_values().get(notebook, [])
    assert len(written) == len(rows), (f"README lists {len(written)} results of {notebook}, the run saved "
                                       f"{len(rows)}: rewrite the block with `make readme`")
    for row, value in zip(rows, written):
        low, high = row.get("low"), row.get("high")
        if low is not None and high is not None:
            assert low - 1e-4 <= value <= high + 1e-4, (f"{notebook}: {row['name']} is {value} in README, outside "
                                                        f"this run's interval [{low}, {high}]: run `make readme`")
        else:
            assert math.isclose(value, row["value"], rel_tol=5e-3, abs_tol=5e-4), \
                f"{notebook}: {row['name']} is {value} in README, {row['value']} in this run: run `make readme`"


def test_readme_errata_match_this_run():
    run = load_errata().set_index("claim_id")["status"].to_dict()
    assert readme_errata() == run, "README's errata block differs from this run's reports/errata.csv: run `make readme`"
