"""Checks shared by the ranking notebooks' results tests (02, 03, 07, 08).

A stored number is the value a committed run printed, with its 95% interval. A new run passes when its value
stays inside that interval (the tolerance the data themselves give), and a comparison's direction is checked
only where the committed paired interval excluded zero.
"""

from __future__ import annotations


def assert_headline(metrics: dict, expected: dict[str, tuple[float, float, float]]) -> None:
    """Every headline named in `expected` ({name: (value, low, high)} of the committed run) is present and its
    new value lies inside the committed interval."""
    found = {h["name"]: h for h in metrics["headline"]}
    missing = sorted(set(expected) - set(found))
    assert not missing, f"headlines missing (did the choice on validation change?): {missing}; got {sorted(found)}"
    for name, (value, low, high) in expected.items():
        new = found[name]["value"]
        assert low <= new <= high, f"{name} = {new:.4f} left the committed run's interval [{low:.4f}, {high:.4f}]"


def assert_directions(rows: list[dict], directions: dict[tuple[str, str, int], int]) -> None:
    """For each (model, metric, k) whose committed paired interval against the strongest baseline excluded zero
    (sign +1 above, -1 below), the new run's paired interval still excludes zero on the same side."""
    by_key = {(r["model"], r["metric"], r["k"]): r for r in rows}
    for key, sign in directions.items():
        assert key in by_key, f"no row for {key}"
        r = by_key[key]
        bound = r["diff_low"] if sign > 0 else -r["diff_high"]
        assert bound > 0, (f"{key}: difference from {r['baseline']} {r['diff_vs_best_baseline']:+.4f} "
                           f"[{r['diff_low']:+.4f}, {r['diff_high']:+.4f}] no longer excludes zero on the "
                           f"{'positive' if sign > 0 else 'negative'} side")


def assert_within_intervals(table: dict, expected: dict[str, tuple[float, float, float]], column: str) -> None:
    """table: {row: {column: value, ...}} of a saved rec_utils.evaluation.resampling.Comparison table. Each row
    named in `expected` ({row: (value, low, high)} of the committed run) has its new `column` inside the committed
    interval (for numbers that differ in the last digits between CPUs, e.g. from MiniLM embeddings)."""
    missing = sorted(set(expected) - set(table))
    assert not missing, f"rows missing: {missing}; got {sorted(table)}"
    for row, (value, low, high) in expected.items():
        new = table[row][column]
        assert low <= new <= high, (f"{row} {column} = {new:.4f} left the committed run's interval "
                                    f"[{low:.4f}, {high:.4f}]")


def assert_paired_directions(paired: dict, directions: dict[str, int]) -> None:
    """paired: {"a - b": {"difference", "low", "high", ...}} of a saved paired_differences table. Each row named in
    `directions` (+1: the committed interval was above zero, -1: below) still excludes zero on that side."""
    for row, sign in directions.items():
        assert row in paired, f"no paired row {row!r}; got {sorted(paired)}"
        r = paired[row]
        bound = r["low"] if sign > 0 else -r["high"]
        assert bound > 0, (f"{row}: {r['difference']:+.4f} [{r['low']:+.4f}, {r['high']:+.4f}] no longer excludes "
                           f"zero on the {'positive' if sign > 0 else 'negative'} side")
