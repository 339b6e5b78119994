"""Notebook 14's reading of a scaling sweep in words: which sweep, what each copy costs between the sizes measured,
the fitted intercepts, whether the two fitted lines meet, and what the memory lines say against this machine.

Every sentence is built from the fitted numbers it is given (scaling_fit's engine_costs, break_even,
per_copy_difference, share_ever_faster, size_reaching), never typed by hand.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd


def sweep_description(measured: pd.DataFrame, source: str, machine: str) -> str:
    """'<source> (1x, 10x, 50x, measured <time>, on <device>)': which sweep the fits come from."""
    when = f", measured {measured['timestamp'].max()}" if "timestamp" in measured else ""
    sizes = ", ".join(f"{f}x" for f in sorted(measured["factor"].unique()))
    device = ", ".join(measured["device"].unique()) if "device" in measured else machine
    return f"{source} ({sizes}{when}, on {device})"


def per_copy_steps(measured: pd.DataFrame) -> list[str]:
    """For each engine, the seconds each extra copy cost between consecutive sizes of its successful runs."""
    lines = []
    for engine, rows in measured[measured["status"] == "ok"].sort_values("factor").groupby("engine"):
        sizes, seconds = rows["factor"].to_numpy(), rows["wall_s"].to_numpy()
        steps = np.diff(seconds) / np.diff(sizes)
        lines.append(f"{engine}: seconds per copy between the sizes measured: " + ", ".join(
            f"{step:.1f} ({a}x to {b}x)" for step, a, b in zip(steps, sizes[:-1], sizes[1:])))
    return lines


def intercepts_sentence(costs: pd.DataFrame) -> str:
    """The fitted intercepts of both engines with their intervals, and what an intercept is not."""
    p, s = costs.loc["pandas"], costs.loc["spark"]
    return (f"Intercepts a: Spark {s['fixed_s']:.0f} s [{s['fixed_low']:.0f}, {s['fixed_high']:.0f}], pandas/numpy "
            f"{p['fixed_s']:.0f} s [{p['fixed_low']:.0f}, {p['fixed_high']:.0f}]. Where an engine's seconds per copy "
            "change between sizes, its line is only a summary, and the intercept is not its start-up time (section 7 "
            "prints that); an interval reaching below 0 means the sweep cannot tell that intercept from 0.")


def per_copy_sentence(per_copy: dict) -> str:
    """Spark's cost per copy minus pandas/numpy's, with what its interval covers."""
    return (f"Spark's cost per copy minus pandas/numpy's: {per_copy['difference']:+.2f} s "
            f"[{per_copy['low']:+.2f}, {per_copy['high']:+.2f}]. The intervals show how far this sweep's points "
            "scatter about each line, not how much another sweep on a busier or quieter machine would differ.")


def crossing_sentence(costs: pd.DataFrame, meet: dict, spark_can_win: float, largest: int) -> str:
    """Where the fitted time lines meet (inside or beyond the `largest` size measured), or that they never do."""
    p, s = costs.loc["pandas"], costs.loc["spark"]
    if not math.isnan(meet["size"]):
        inside = meet["size"] <= largest
        faster_after = "Spark" if s["per_copy_s"] < p["per_copy_s"] else "pandas/numpy"
        return (f"the fitted lines meet at about {meet['size']:.0f}x [{meet['low']:.0f}, {meet['high']:.0f}], "
                f"{'within the sizes measured' if inside else 'beyond the sizes measured (an extrapolation)'}"
                f"; {faster_after} is the faster beyond it")
    if s["fixed_s"] >= p["fixed_s"] and s["per_copy_s"] >= p["per_copy_s"]:
        return (f"Spark's fitted line lies above pandas/numpy's at every size, and {spark_can_win:.0%} of "
                "the bootstrap draws leave Spark room to be faster at some size")
    return (f"Spark's fitted line lies below pandas/numpy's at every size ({spark_can_win:.0%} of the "
            "bootstrap draws agree that it can be faster somewhere)")


def memory_reading(memory: pd.DataFrame, memory_gap: dict, at_limit: dict, limit_gib: float,
                   measured: pd.DataFrame, driver_memory: str, machine: str) -> tuple[str, str, str]:
    """(lighter, reach, text): how Spark's fitted peak memory grows per copy against pandas/numpy's, where
    pandas/numpy's memory line reaches this machine's `limit_gib`, and the whole reading as one clause."""
    mp, ms = memory.loc["pandas"], memory.loc["spark"]
    lighter = ("grows more slowly per copy" if memory_gap["high"] < 0 else "grows faster per copy"
               if memory_gap["low"] > 0 else "is not separated from pandas/numpy's per copy (the interval includes 0)")
    reach = ("never reaches it" if math.isnan(at_limit["size"]) else
             f"reaches it at about {at_limit['size']:.0f}x [{at_limit['low']:.0f}, {at_limit['high']:.0f}], a straight "
             f"line extended beyond the {measured['factor'].max()}x measured")
    against = "The sweep's rows do not record its machine's memory; against" if "device" in measured else "Against"
    heap = ", ".join(measured["driver_memory"].unique()) if "driver_memory" in measured else driver_memory
    text = (f"peak memory per copy is {mp['per_copy_s']:.2f} GiB [{mp['per_copy_low']:.2f}, "
            f"{mp['per_copy_high']:.2f}] for pandas/numpy and {ms['per_copy_s']:.2f} GiB "
            f"[{ms['per_copy_low']:.2f}, {ms['per_copy_high']:.2f}] for Spark (driver heap {heap}); Spark "
            f"minus pandas/numpy is {memory_gap['difference']:+.2f} GiB per copy [{memory_gap['low']:+.2f}, "
            f"{memory_gap['high']:+.2f}], so Spark's fitted peak memory {lighter}. {against} the "
            f"{limit_gib:.0f} GiB of the machine running this notebook ({machine}), pandas/numpy's "
            f"fitted line {reach}")
    return lighter, reach, text
