"""Notebook 13's explanations and fairness results read in words, from the run's own numbers.

    rows_of(inputs, test_mask)                          # the click model's named inputs, rows of one split
    group_verdict(low, high)                            # a group against the other customers
    responsibility_lesson(measured_row, unpaired=[...], gap_before=0.44, gap_after=0.24, gap_quota=0.05)
    bucket_line(bucket_tables, "tail")                  # one popularity bucket's exposure under each mitigation
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import numpy as np
import pandas as pd

from rec_utils.evaluation.claims import direction


def rows_of(inputs: Mapping[str, np.ndarray], mask: np.ndarray) -> dict[str, np.ndarray]:
    """{input name: its rows where `mask` is true} of a model's named inputs (every array has the same rows)."""
    return {name: values[mask] for name, values in inputs.items()}


def group_verdict(low: float, high: float) -> str:
    """The direction a group-vs-rest interval supports; group and rest share no customer and are resampled apart."""
    sign = direction(low, high)
    return {1: "this group is above the other customers", -1: "this group is below the other customers",
            0: "the data do not separate this group from the other customers"}[sign] + (
        " (95% interval from independent resamples of the group and the rest "
        f"{'includes' if sign == 0 else 'excludes'} 0)")


def responsibility_lesson(row: dict, *, unpaired: Collection[str], gap_before: float, gap_after: float,
                          gap_quota: float) -> str:
    """What the interval of one measured row of notebook 13 supports, in words: the click model against its oracle,
    integrated gradients on the taste components, a group against the rest (measures in `unpaired`: resampled
    apart), a group criterion against equal treatment, the exposure-aware re-ranking and the exposure quota against
    it (their exposure gaps, before, after re-ranking and under the quota, are point estimates)."""
    sign, diff, value, measure = (direction(row["diff_low"], row["diff_high"]), row["difference"], row["value"],
                                  row["measure"])
    if measure.startswith("click model"):
        return (f"the model goes {(value - 0.5) / (value - diff - 0.5):.0%} of the way from chance (AUC 0.5) to the "
                "oracle that reads the simulated taste, which no model of these inputs can reach")
    if measure.startswith("IG"):
        return {1: "integrated gradients weigh the simulated taste's components more than the other image "
                   "components; that is not yet recovering the taste itself",
                -1: "integrated gradients weigh the taste components less than the others",
                0: "integrated gradients are not shown to single out the taste components"}[sign]
    if measure.startswith("equalized-odds"):
        return (f"the decision's true- or false-positive rate differs between activity groups by {value:.3f}: "
                "equalized odds does not hold at this threshold" if sign > 0
                else "the data do not show the activity groups' error rates to differ")
    if "exposure quota" in measure:
        return {1: "the quota keeps more NDCG than the soft re-ranking",
                0: "the quota and the soft re-ranking are not separated in NDCG",
                -1: f"the quota costs {-diff:.4f} more NDCG than the soft re-ranking"}[sign] + (
            f", for an exposure gap of {gap_quota:.3f} against the soft re-ranking's {gap_after:.3f} "
            "(point estimates)")
    if measure in unpaired:  # "<metric>, <model>: low-activity customers"
        metric, model = measure.split(":")[0].split(", ")
        return (f"{metric} of the {model} model is {'higher' if sign > 0 else 'lower'} for low-activity customers "
                "than for the others" if sign else f"low-activity customers are not shown to differ by {metric}")
    return {1: "re-ranking for exposure raises NDCG", 0: "re-ranking for exposure is not shown to cost NDCG",
            -1: f"re-ranking for exposure costs {-diff:.4f} of NDCG ({-diff / (value - diff):.0%} of it), for an "
                f"exposure gap of {gap_before:.3f} before and {gap_after:.3f} after (point estimates)"}[sign]


def bucket_line(tables: Mapping[str, pd.DataFrame], bucket: str) -> str:
    """One popularity bucket's share of exposure under each list set ({name: exposure_table}) against its share of
    merit, in words (point estimates)."""
    merit = next(iter(tables.values())).loc[bucket, "merit_share"]
    shares = ", ".join(f"{table.loc[bucket, 'exposure_share']:.0%} {name}" for name, table in tables.items())
    return f"the {bucket} bucket holds {merit:.0%} of the merit; its share of exposure: {shares} (point estimates)"
