"""What a reader of a public notebook can do with a seeded "private" release: regenerate its noise and subtract it.

    release, info = private_item_counts(bought, "popularity", max_items=10, mechanism="laplace", epsilon=1.0, seed=42)
    result = seeded_noise_attack(release, info, seed=42)   # the seed, mechanism and scale are all in the notebook

The attacker draws the same noise as models.privacy.private_item_counts (noise_generator("seeded", seed +
NOISE_SEED_OFFSET), count_noise with the release's mechanism and scale) and subtracts it. Every count the release
did not clip at 0 comes back exactly (rounded to the integer it is); a count released as 0 is only bounded from
above, by minus its noise. On a release with "secure" noise the same steps subtract noise that was never drawn, and
the exact counts stay hidden.
"""

from __future__ import annotations

import numpy as np

from rec_utils.models.privacy import NOISE_SEED_OFFSET, count_noise, noise_generator


def seeded_noise_attack(release: np.ndarray, info: dict, *, seed: int) -> dict:
    """Counts recovered from a count release by regenerating seeded noise. release: the noisy counts, info: the
    settings private_item_counts returned with them (statistic, mechanism, noise_scale). Returns {"recovered": the
    counts (NaN where the release was clipped at 0), "upper_bound": minus the regenerated noise where it was
    (the count lies between 0 and it), "unclipped": the share of cells released above 0}."""
    noise = count_noise(noise_generator("seeded", seed + NOISE_SEED_OFFSET), info["statistic"], info["mechanism"],
                        info["noise_scale"], release.shape)
    above = release > 0
    return {"recovered": np.where(above, np.round(release - noise), np.nan),
            "upper_bound": np.where(above, np.nan, -noise), "unclipped": float(above.mean())}


def attack_summary(result: dict, exact: np.ndarray) -> dict:
    """How much of the exact counts an attack recovered: {"cells", "unclipped" (released above 0), "exact" (share
    of the unclipped cells recovered exactly), "median_error" (median |recovered - exact| over them)}."""
    above = ~np.isnan(result["recovered"])
    error = np.abs(result["recovered"][above] - exact[above])
    return {"cells": int(exact.size), "unclipped": int(above.sum()), "exact": float((error == 0).mean()),
            "median_error": float(np.median(error)) if error.size else float("nan")}
