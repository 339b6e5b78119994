"""Stage times of the README's commands: recorded, merged or replaced, read back when the file is damaged, shown on
the front page slowest first, and wired into the Makefile's install and test."""

import json
import subprocess

import pytest

from rec_utils.runtime.paths import REPO_ROOT
from rec_utils.runtime.report import render_index
from rec_utils.runtime.stage_times import (
    ADDED_UP,
    STAGE_FILE,
    main,
    read_stage_times,
    record_stages,
    stage_html,
    stage_rows,
)


def test_a_run_replaces_the_commands_stages_and_a_step_merges_into_them(tmp_path):
    record_stages("make test", {"unit tests": 100.04, "nbval 06_click_model": 230.0}, tmp_path)
    record_stages("make test", {"unit tests": 90.0}, tmp_path)  # a new run: the notebook stage is gone
    assert read_stage_times(tmp_path)["make test"]["stages"] == {"unit tests": 90.0}
    record_stages("make install", {"pip: tensorflow and the pins": 61.0}, tmp_path)
    times = record_stages("make install", {"pip: jax": 12.0}, tmp_path, replace=False)
    assert times["make install"]["stages"] == {"pip: tensorflow and the pins": 61.0, "pip: jax": 12.0}
    assert set(json.loads((tmp_path / STAGE_FILE).read_text())) == {"make test", "make install"}
    with pytest.raises(ValueError, match="seconds"):
        record_stages("make test", {"unit tests": -1.0}, tmp_path)


def test_a_side_by_side_run_keeps_its_wall_time_and_a_merged_step_adds_to_it(tmp_path):
    record_stages("make test", {"unit tests": 300.0, "nbval 06": 200.0}, tmp_path, wall=320.0)
    times = record_stages("make test", {"results tests": 30.0}, tmp_path, replace=False)
    assert times["make test"]["wall"] == 350.0
    assert stage_rows(times)[-2:] == [("make test", ADDED_UP, 530.0), ("make test", "total", 350.0)]
    page = stage_html(times)
    assert page.index("unit tests") < page.index(ADDED_UP) < page.index("total</td><td>350.0")
    assert record_stages("make test", {"unit tests": 9.0}, tmp_path)["make test"]["wall"] == 9.0  # a new run
    record_stages("make install", {"pip: base": 60.0, "pip: jax": 10.0}, tmp_path)
    again = record_stages("make install", {"pip: jax": 12.0}, tmp_path, replace=False)  # the same step redone
    assert again["make install"]["wall"] == 72.0


def test_a_damaged_file_reads_as_empty_and_is_written_again(tmp_path):
    (tmp_path / STAGE_FILE).write_text("{not json")
    assert read_stage_times(tmp_path) == {}
    record_stages("make reproduce", {"00_environment": 5.0}, tmp_path)
    assert read_stage_times(tmp_path)["make reproduce"]["stages"] == {"00_environment": 5.0}


def test_rows_in_readme_order_with_totals_and_the_page_lists_the_slowest_first(tmp_path):
    times = {"make test": {"stages": {"unit tests": 10.0, "nbval 06": 30.0}, "finished": "t"},
             "make install": {"stages": {"pip": 5.0}, "finished": "t"}}
    assert stage_rows(times) == [("make install", "pip", 5.0), ("make install", "total", 5.0),
                                 ("make test", "unit tests", 10.0), ("make test", "nbval 06", 30.0),
                                 ("make test", "total", 40.0)]
    page = stage_html(times)
    assert page.index("nbval 06") < page.index("unit tests") < page.index("total</td><td>40.0")
    assert "No stage times" in stage_html({})
    record_stages("make test", {"unit tests": 10.0}, tmp_path)
    assert "Time per stage" in render_index({}, tmp_path, notebooks=[]) and "unit tests" in render_index(
        {}, tmp_path, notebooks=[])


def test_the_command_line_merges_one_stage_or_starts_afresh(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("rec_utils.runtime.stage_times.REPORTS_DIR", tmp_path)
    monkeypatch.setattr(record_stages, "__defaults__", (tmp_path,))
    assert main(["make install", "pip: jax", "12"]) == 0
    assert main(["--replace", "make install", "pip: base", "60"]) == 0
    assert main(["make install", "pip: torch", "30"]) == 0
    assert read_stage_times(tmp_path)["make install"]["stages"] == {"pip: base": 60.0, "pip: torch": 30.0}
    assert main(["make install", "pip"]) == 2 and "usage" in capsys.readouterr().err


def test_the_makefile_records_install_and_test_stages(tmp_path):
    def plan(*args):
        return subprocess.run(["make", "-n", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)

    install = plan("install", f"VENV={tmp_path / 'venv'}", "EXTRA_BACKENDS=jax")
    assert install.returncode == 0, install.stderr
    assert 'rec_utils.runtime.stage_times --replace "make install"' in install.stdout
    assert 'rec_utils.runtime.stage_times "make install" "pip: jax"' in install.stdout
    test = plan("test", "-W", "lint")
    assert 'INTEREST_LAB_STAGE_COMMAND="make test"' in test.stdout
    assert 'INTEREST_LAB_STAGE_COMMAND="make test" INTEREST_LAB_STAGE_MERGE=1' in test.stdout  # results tests
