"""Progress bars for long work, switched off where outputs must be deterministic.

Set INTEREST_LAB_PROGRESS=0 (the test and notebook-refresh commands do) to hide them,
so executed notebooks hold no timing text that nbval would compare.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from tqdm import tqdm


def progress_enabled() -> bool:
    """True unless the environment variable INTEREST_LAB_PROGRESS is 0/false/no."""
    return os.environ.get("INTEREST_LAB_PROGRESS", "1").lower() not in {"0", "false", "no"}


def progress_bar(iterable: Iterable | None = None, *, enabled: bool | None = None, **kwargs) -> tqdm:
    """A tqdm bar, disabled when `enabled` is False or, if None, by the environment."""
    if enabled is None:
        enabled = progress_enabled()
    return tqdm(iterable, disable=not enabled, **kwargs)
