"""Notebook 12's privacy results read in words, from the run's own numbers, and the small reshapes its cells need.

    X, y, customers = pair_arrays(pairs, preprocess, features)      # a fitted scaler applied to labelled pairs
    band = utility_band(curve, "ndcg", "low", "high")               # one line of the utility-against-ε figure
    clipping_note(clipped_alone, release_row, seed=42)              # why a private release can beat exact counts
    privacy_lesson(measured_row, clip_notes)                        # what one measured row's interval supports
    guarantee_strength(16.0)                                        # what an ε bounds, and whether that is strong
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rec_utils.evaluation.claims import direction, interval_text


def pair_arrays(pairs: pd.DataFrame, preprocess, features: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(X (n, d) scaled by the fitted `preprocess`, labels (n,) as floats, customer ids (n,)) of labelled pairs."""
    return preprocess.transform(pairs[features]), pairs["label"].to_numpy(float), pairs["CustomerID"].to_numpy()


def utility_band(curve: pd.DataFrame, value: str, low: str, high: str) -> pd.DataFrame:
    """Columns epsilon, value, low, high of a utility curve, the shape figures.plots.interval_lines_plot draws."""
    return pd.DataFrame({"epsilon": curve["epsilon"], "value": curve[value], "low": curve[low], "high": curve[high]})


def clipping_note(clipped_alone: pd.DataFrame, release: pd.Series, *, seed: int) -> str:
    """Where a private count release scores above the exact counts: what clipping alone to its m does (a row of
    `clipped_alone` with the same max_items) and what the noise on top of it does (its paired difference against
    clipping alone)."""
    alone = clipped_alone[clipped_alone["max_items"] == release["max_items"]].iloc[0]
    noise = direction(release["diff_clipped_low"], release["diff_clipped_high"])
    return (f"not privacy's gain: clipping alone to m = {release['max_items']:g}, no noise, is "
            f"{interval_text(alone['diff'], alone['diff_low'], alone['diff_high'], 4)} against exact counts, and the "
            "noise on top of it "
            f"{interval_text(release['diff_clipped'], release['diff_clipped_low'], release['diff_clipped_high'], 4)}"
            + {0: " (not separated from 0): the gain is clipping's",
               -1: ": the gain is clipping's, and the noise takes part of it back",
               1: ": noise is drawn independently of the data, so that part is the luck of one draw "
                  f"(seed {seed}), which a customer-bootstrap interval does not cover"}[noise])


STRONG_EPSILON = 1.0  # at most: a factor of e ≈ 2.7 on the odds, the range usually called a strong guarantee
WEAK_EPSILON = 10.0  # above: a factor of more than 22,000, a guarantee that says little about one customer


def guarantee_strength(epsilon: float) -> str:
    """What ε bounds, in words: an attacker's odds on any statement about one customer (are they in the data, did
    they buy this) grow by at most e^ε after seeing the release; strong up to STRONG_EPSILON, weak above
    WEAK_EPSILON (δ aside)."""
    label = ("a strong guarantee" if epsilon <= STRONG_EPSILON else "a weak guarantee that says little about one "
             "customer" if epsilon > WEAK_EPSILON else "a moderate guarantee")
    factor = np.exp(epsilon)
    factor_text = f"{factor:,.0f}" if factor >= 100 else f"{factor:.3g}"
    return (f"ε = {epsilon:g} lets the release multiply an attacker's odds about one customer by up to "
            f"{factor_text}: {label}")


def dp_sgd_ndcg_note(dp_sgd: pd.DataFrame, plain: pd.Series, ndcg_plain: float, k: int) -> str:
    """A sentence on DP-SGD's NDCG@k where it lies above the non-private model's ('' where it never does): by how
    much, against its AUC and against plain SGD (`plain`: the z = 0 row). dp_sgd: the private rows of the curve."""
    above = dp_sgd[dp_sgd["ndcg_diff_low"] > 0]
    if above.empty:
        return ""
    gain, zs = above["ndcg_diff_difference"].max(), ", ".join(f"{z:g}" for z in above["noise_multiplier"])
    return (f"DP-SGD's NDCG@{k} is above the non-private model's at z = {zs} (by at most {gain:.4f}, "
            f"{gain / ndcg_plain:.0%} of its {ndcg_plain:.4f}; "
            f"{'not separated' if (dp_sgd['ndcg_diff_high'] >= 0).all() else 'not above'} at the other z), while its "
            f"AUC is below at {int((dp_sgd['diff_high'] < 0).sum())} of {len(dp_sgd)} z, and plain SGD without "
            "clipping or noise (z = 0) differs by "
            f"{interval_text(*plain[['ndcg_diff_difference', 'ndcg_diff_low', 'ndcg_diff_high']], 4)}: a small "
            "reordering of the top lists, not a better purchase model; clipping and noise acting as a regulariser "
            "would fit it, which this run does not test")


def privacy_lesson(row: dict, clip_notes: dict[str, str]) -> str:
    """What the interval of one measured row of notebook 12 supports, in words (clip_notes: measure -> the
    clipping_note of a release that scored above the exact counts)."""
    sign, diff, value, measure = (direction(row["diff_low"], row["diff_high"]), row["difference"], row["value"],
                                  row["measure"])
    if "no noise" in measure:
        return {1: "capping each customer's vote at m products lifts popularity's NDCG by itself: that part of a "
                   "private release's gain is its clipping's, not its privacy's",
                -1: "capping each customer's vote at m products costs NDCG before any noise is added",
                0: "clipping alone is not shown to change popularity's NDCG"}[sign]
    if measure.startswith(("popularity", "item-kNN")):  # a private count release against the exact counts
        return {1: clip_notes.get(measure, "not privacy's gain"), 0: "at this ε privacy is not shown to cost NDCG",
                -1: f"at this ε the release keeps {value / (value - diff):.0%} of the exact-count NDCG"}[sign]
    if measure.startswith("DP-SGD"):
        return {1: "the private model's AUC is higher in this run", 0: "the guarantee is not shown to cost AUC",
                -1: f"the guarantee costs {-diff:.4f} of ROC-AUC"}[sign]
    return {1: "federated averaging beats central training in this run",
            0: "keeping pairs on their country's client is not shown to cost AUC",
            -1: f"keeping pairs on their country's client costs {-diff:.4f} of ROC-AUC against central training "
                "(and is no formal privacy by itself)"}[sign]
