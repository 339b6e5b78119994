"""The recommender chosen by the protocol's validation procedure, as notebook 07 (07_model_evaluation) saves it,
and how a later notebook gets it without reading 07's files directly.

    save_choice(protocol, choice)                            # notebook 07, once per task
    spec, note = chosen_recommender(protocol, transactions)  # notebook 08: 07's choice, or the same procedure rerun

The file reports/07_recommender_choice.json holds, per task, the protocol, the chosen RecommenderSpec and its
validation score. It is used only when it was written for the same protocol and names a valid recommender;
otherwise the choice is recomputed with `choose_recommender` (the procedure 07 runs) and `note` says why.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from rec_utils.evaluation.protocol import Protocol
from rec_utils.evaluation.tuning import DEFAULT_BUDGET, Choice, choose_recommender
from rec_utils.recommend.recommenders import RecommenderSpec
from rec_utils.runtime.io import read_cache, write_text_atomic
from rec_utils.runtime.paths import REPORTS_DIR, relative

PRODUCER = "07_model_evaluation"
CHOICE_PATH: Path = REPORTS_DIR / "07_recommender_choice.json"


def save_choice(protocol: Protocol, choice: Choice, path: Path = CHOICE_PATH) -> Path:
    """Record `choice` for `protocol.task` (other tasks' entries are kept); written atomically. Returns the path."""
    path = Path(path)
    result = choice.results[choice.best.name]
    score = result.table[result.table["chosen"]].iloc[0]
    entry = {"protocol": protocol.as_dict(), "recommender": {"name": choice.best.name, "params": choice.best.settings},
             "described": choice.best.describe(), "budget": result.budget, "seed": result.seed,
             "validation": {"metric": f"{result.metric}@{result.k}", "mean": float(score["mean"]),
                            "low": float(score["low"]), "high": float(score["high"])}}
    stored = read_cache(path, lambda p: json.loads(p.read_text()), what="recommender choice") or {}
    choices = stored.get("choices", {}) if isinstance(stored, dict) else {}
    choices[protocol.task] = entry
    return write_text_atomic(path, json.dumps({"producer": PRODUCER, "choices": choices}, indent=2, sort_keys=True)
                             + "\n")


def load_choice(protocol: Protocol, path: Path = CHOICE_PATH) -> tuple[RecommenderSpec | None, str]:
    """(spec, note) from the saved choice for `protocol`, or (None, why it cannot be used)."""
    path = Path(path)
    where = f"{relative(path)} (written by notebook 07, {PRODUCER})"
    stored = read_cache(path, lambda p: json.loads(p.read_text()), what="recommender choice")
    if stored is None:
        return None, f"{where} is missing or unreadable"
    entry = stored.get("choices", {}).get(protocol.task) if isinstance(stored, dict) else None
    if entry is None:
        return None, f"{where} holds no choice for task {protocol.task!r}"
    if entry.get("protocol") != protocol.as_dict():
        return None, f"{where} was made under another protocol ({entry.get('protocol')})"
    try:
        spec = RecommenderSpec.of(entry["recommender"]["name"], **entry["recommender"]["params"])
        score = entry["validation"]
        note = (f"notebook 07 ({PRODUCER}) chose {spec.describe()} on validation {score['metric']} "
                f"{score['mean']:.4f} [{score['low']:.4f}, {score['high']:.4f}]; read from {relative(path)}")
    except (KeyError, TypeError, ValueError) as error:
        return None, f"{where} is not a valid choice ({type(error).__name__}: {error})"
    return spec, note


def chosen_recommender(protocol: Protocol, transactions: pd.DataFrame, *, path: Path = CHOICE_PATH,
                       budget: int = DEFAULT_BUDGET, seed: int = 0) -> tuple[RecommenderSpec, str]:
    """The recommender notebook 07 chose for `protocol`, read from its saved choice when present and valid,
    otherwise recomputed by the same validation procedure (choose_recommender with `budget` and `seed`).
    Returns (spec, a sentence saying where the choice came from)."""
    spec, note = load_choice(protocol, path)
    if spec is not None:
        return spec, note
    choice = choose_recommender(protocol.split(transactions, "validation"), budget=budget, seed=seed)
    return choice.best, (f"{note}: recomputed by notebook 07's validation procedure "
                         f"(budget {budget}, seed {seed}): {choice.best.describe()}")
