"""The fixed + per-copy cost fit recovers known lines from synthetic sweeps, its intervals cover them, and the
break-even size is where two known lines meet."""

import numpy as np
import pandas as pd
import pytest

from rec_utils.scaling_fit import break_even, engine_costs, fit_linear_cost

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
