"""The line a result kept by rec_utils.runtime.trained prints when it was computed rather than read back, so that a
cell says either way where its result lives (train_once prints the read-back line itself):

    name: read from data/trained/<folder> (INTEREST_LAB_RETRAIN=1 trains it anew)      # train_once, reused
    name: computed and kept in data/trained/<folder> (INTEREST_LAB_RETRAIN=1 trains it anew)   # say_if_computed

tests/nbval_sanitize.cfg reads both as one, so a notebook recomputed on purpose (make test-portable) compares with
its committed outputs.
"""

from __future__ import annotations

from rec_utils.runtime.paths import relative
from rec_utils.runtime.trained import RETRAIN_VARIABLE, Stored


def say_if_computed(stored: Stored, name: str) -> Stored:
    """Print `name`'s computed-and-kept line unless `stored` was read back; returns `stored`."""
    if not stored.reused:
        print(f"{name}: computed and kept in {relative(stored.path.parent)} ({RETRAIN_VARIABLE}=1 trains it anew)")
    return stored
