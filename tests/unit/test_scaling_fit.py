"""The fixed + per-copy cost fit recovers known lines from synthetic sweeps, its intervals cover them, and the
break-even size is where two known lines meet."""

import numpy as np
import pandas as pd
import pytest

from rec_utils.chapters.scale_out.scaling_fit import (
    break_even,
    can_fit_costs,
    cost_plot,
    engine_costs,
    fit_linear_cost,
    per_copy_difference,
    share_ever_faster,
    size_reaching,
)
from rec_utils.chapters.scale_out.sweep_text import crossing_sentence, memory_reading, per_copy_steps

SIZES = np.repeat([1, 2, 5, 10, 20, 50], 3)


def _sweep(fixed, per_copy, noise, seed):
    rng = np.random.default_rng(seed)
    return fixed + per_copy * SIZES + rng.normal(0, noise, SIZES.size)


def test_exact_points_give_the_line_and_zero_width_intervals():
    fit = fit_linear_cost([1, 10, 50], [-0.8 + 2.82, -0.8 + 28.2, -0.8 + 141.0], n_boot=200)
    assert (fit.fixed_s, fit.per_copy_s) == pytest.approx((-0.8, 2.82), abs=1e-9)
    interval = fit.interval()
    assert interval["per_copy_high"] - interval["per_copy_low"] == pytest.approx(0, abs=1e-9)
    assert fit.seconds_at(100) == pytest.approx(-0.8 + 282.0)


def test_noisy_sweeps_recover_the_coefficients_and_the_intervals_cover_them():
    covered = []
    for seed in range(40):
        fit = fit_linear_cost(SIZES, _sweep(44.8, 3.79, 2.0, seed), n_boot=400, seed=seed)
        interval = fit.interval(0.9)
        covered.append(interval["fixed_low"] <= 44.8 <= interval["fixed_high"]
                       and interval["per_copy_low"] <= 3.79 <= interval["per_copy_high"])
        assert fit.per_copy_s == pytest.approx(3.79, abs=0.15) and fit.fixed_s == pytest.approx(44.8, abs=3)
    assert np.mean(covered) >= 0.7  # two 90% intervals hold together in most sweeps


def test_engine_costs_fit_each_engine_on_its_successful_rows():
    rows = [{"engine": e, "factor": s, "wall_s": w, "status": "ok"} for e, f, c in
            (("pandas", -0.8, 2.82), ("spark", 44.8, 3.79)) for s, w in zip(SIZES, _sweep(f, c, 0.5, 1))]
    rows.append({"engine": "pandas", "factor": 200, "wall_s": 1e6, "status": "failed: killed"})
    table, fits = engine_costs(pd.DataFrame(rows), n_boot=300)
    assert table.loc["pandas", "per_copy_s"] == pytest.approx(2.82, abs=0.05)
    assert table.loc["spark", "fixed_s"] == pytest.approx(44.8, abs=1)
    assert table.loc["pandas", "n_points"] == SIZES.size
    # Spark costs more per copy and more to start: the lines never meet
    assert np.isnan(break_even(fits["pandas"], fits["spark"])["size"])
    with pytest.raises(ValueError, match="columns"):
        engine_costs(pd.DataFrame(rows).drop(columns="wall_s"))


def test_break_even_is_where_two_known_lines_meet():
    cheap_start = fit_linear_cost(SIZES, _sweep(1.0, 3.0, 0.3, 2), n_boot=500)
    cheap_copies = fit_linear_cost(SIZES, _sweep(41.0, 1.0, 0.3, 3), n_boot=500)  # meet at 40 / 2 = 20 copies
    meeting = break_even(cheap_start, cheap_copies)
    assert meeting["size"] == pytest.approx(20, rel=0.05)
    assert meeting["low"] < 20 < meeting["high"] and meeting["share_meeting"] == 1.0


@pytest.mark.parametrize("sizes, seconds, match", [([1, 1, 1], [1, 2, 3], "2 or more sizes"),
                                                   ([1, 2], [1, 2], "at least 3"),
                                                   ([1, 2, np.nan], [1, 2, 3], "finite"),
                                                   ([1, 2, 3], [1, 2], "equally long")])
def test_unfittable_measurements_are_refused_by_name(sizes, seconds, match):
    with pytest.raises(ValueError, match=match):
        fit_linear_cost(sizes, seconds)


def test_size_reaching_a_level_is_where_the_line_crosses_it():
    memory = fit_linear_cost(SIZES, _sweep(0.5, 0.16, 0.01, 4), n_boot=500)  # 24 GiB at (24 - 0.5) / 0.16
    reached = size_reaching(memory, 24.0)
    assert reached["size"] == pytest.approx(23.5 / 0.16, rel=0.03)
    assert reached["low"] < reached["size"] < reached["high"] and reached["share_meeting"] == 1.0
    shrinking = fit_linear_cost([1, 10, 50], [2.99, 2.9, 2.5], n_boot=200)  # 3 - 0.01 n never reaches 24
    assert np.isnan(size_reaching(shrinking, 24.0)["size"]) and size_reaching(shrinking, 24.0)["share_meeting"] == 0


def test_can_fit_costs_needs_three_points_at_two_sizes_for_every_engine():
    rows = [("pandas", 1), ("pandas", 10), ("pandas", 50), ("spark", 1), ("spark", 10), ("spark", 50)]
    table = pd.DataFrame(rows, columns=["engine", "factor"]).assign(status="ok", wall_s=1.0)
    assert can_fit_costs(table)
    assert not can_fit_costs(table.iloc[:5])  # Spark has two sizes only
    assert not can_fit_costs(table.assign(status=["ok"] * 5 + ["failed: killed"]))
    assert not can_fit_costs(table[table["engine"] == "pandas"])


def test_cost_plot_draws_points_lines_bands_and_the_limit():
    rows = [{"engine": e, "factor": s, "wall_s": w, "peak_gib": 0.1 * w, "status": "ok"} for e, f, c in
            (("pandas", -0.8, 2.82), ("spark", 44.8, 3.79)) for s, w in zip(SIZES, _sweep(f, c, 0.5, 1))]
    table = pd.DataFrame(rows)
    _, time_fits = engine_costs(table, n_boot=200)
    _, memory_fits = engine_costs(table, seconds="peak_gib", n_boot=200)
    fig = cost_plot(table, {"wall time (s)": ("wall_s", time_fits), "peak memory (GiB)": ("peak_gib", memory_fits)},
                    limits={"peak memory (GiB)": 24.0})
    time_axis, memory_axis = fig.axes
    assert len(time_axis.get_lines()) == 4 and len(time_axis.collections) == 2  # points + line per engine, bands
    assert any(np.allclose(line.get_ydata(), 24.0) for line in memory_axis.get_lines())


def test_per_copy_difference_covers_the_true_difference():
    pandas = fit_linear_cost(SIZES, _sweep(-0.8, 2.82, 0.5, 5), n_boot=500)
    spark = fit_linear_cost(SIZES, _sweep(44.8, 3.79, 0.5, 6), n_boot=500)
    difference = per_copy_difference(pandas, spark)
    assert difference["difference"] == pytest.approx(spark.per_copy_s - pandas.per_copy_s)
    assert difference["low"] < 0.97 < difference["high"] and difference["low"] > 0


def test_share_ever_faster_asks_for_a_smaller_fixed_or_per_copy_cost():
    cheap = fit_linear_cost([1, 10, 50], [3.0, 30.0, 150.0], n_boot=200)       # 0 + 3 per copy, exactly
    slow_start = fit_linear_cost([1, 10, 50], [102.0, 120.0, 200.0], n_boot=200)  # 100 + 2 per copy
    worse = fit_linear_cost([1, 10, 50], [104.0, 140.0, 300.0], n_boot=200)      # 100 + 4 per copy
    assert share_ever_faster(cheap, slow_start) == 1.0  # cheaper per copy: faster beyond 100 copies
    assert share_ever_faster(cheap, worse) == 0.0       # dearer to start and per copy: never faster
    assert share_ever_faster(slow_start, cheap) == 1.0


def test_the_sweep_is_read_in_words_from_its_numbers():
    measured = pd.DataFrame({"engine": ["pandas", "pandas", "spark", "spark"], "factor": [1, 11, 1, 11],
                             "wall_s": [2.0, 32.0, 40.0, 90.0], "status": "ok"})
    assert per_copy_steps(measured) == ["pandas: seconds per copy between the sizes measured: 3.0 (1x to 11x)",
                                        "spark: seconds per copy between the sizes measured: 5.0 (1x to 11x)"]
    costs = pd.DataFrame({"fixed_s": [0.0, 40.0], "per_copy_s": [3.0, 5.0]}, index=["pandas", "spark"])
    never = {"size": float("nan"), "low": float("nan"), "high": float("nan")}
    assert crossing_sentence(costs, never, 0.0, 11).startswith("Spark's fitted line lies above pandas/numpy's")
    meet = {"size": 20.0, "low": 15.0, "high": 30.0}
    assert "beyond the sizes measured (an extrapolation)" in crossing_sentence(costs, meet, 0.5, 11)
    memory = pd.DataFrame({"per_copy_s": [0.16, 0.04], "per_copy_low": [0.15, 0.0], "per_copy_high": [0.17, 0.07]},
                          index=["pandas", "spark"])
    lighter, reach, text = memory_reading(memory, {"difference": -0.12, "low": -0.17, "high": -0.08},
                                          {"size": 143.0, "low": 135.0, "high": 150.0}, 24.0, measured, "4g", "cpu")
    assert lighter == "grows more slowly per copy" and reach.startswith("reaches it at about 143x")
    assert "driver heap 4g" in text and "24 GiB" in text
