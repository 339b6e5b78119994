"""How concentrated a distribution is (purchases over products, exposure over items)."""

from __future__ import annotations

import numpy as np


def lorenz_share(counts: np.ndarray, top_fraction: float) -> float:
    """Share of the total held by the `top_fraction` largest entries of `counts`."""
    counts = np.sort(np.asarray(counts, dtype=float))[::-1]
    top = max(1, int(round(top_fraction * len(counts))))
    return float(counts[:top].sum() / counts.sum())
