"""The recommender chosen by the protocol's validation procedure, as notebook 07 (07_model_evaluation) saves it,
and how a later notebook gets it without reading 07's files directly.

    save_choice(protocol, choice)                            # notebook 07, once per task
    spec, note = chosen_recommender(protocol, transactions)  # notebook 08: 07's choice, or the same procedure rerun

The file 07_recommender_choice.json holds, per task, the protocol, the chosen RecommenderSpec, the search budget
and seed, and its validation score. Notebook 07 writes it into its results folder (rec_utils.runtime.runs:
reports/ for the full run, the run's own folder for a run with other parameters, so a sample run never replaces
the full run's choice). A reader takes the copy in its own run's folder, else the full run's, and uses it only
when everything that shaped the choice matches: the protocol and, where the reader states them, the budget, the
seed and the selection metric@k. Otherwise the choice is recomputed with `choose_recommender` (the procedure 07
runs) and `note` says why.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from rec_utils.evaluation.protocol import Protocol
from rec_utils.evaluation.tuning import Choice, choose_recommender
from rec_utils.recommend.recommenders import RecommenderSpec
from rec_utils.runtime.io import file_lock, read_cache, write_text_atomic
from rec_utils.runtime.paths import relative
from rec_utils.runtime.runs import artefact_dir, find_artefact

PRODUCER = "07_model_evaluation"
CHOICE_FILE = "07_recommender_choice.json"


def save_choice(protocol: Protocol, choice: Choice, path: Path | None = None) -> Path:
    """Record `choice` for `protocol.task` (other tasks' entries are kept), atomically and under a file lock, in
    `path` (default: CHOICE_FILE in notebook 07's results folder, rec_utils.runtime.runs.artefact_dir).
    Returns the path."""
    path = artefact_dir(PRODUCER) / CHOICE_FILE if path is None else Path(path)
    result = choice.results[choice.best.name]
    score = result.table[result.table["chosen"]].iloc[0]
    entry = {"protocol": protocol.as_dict(), "recommender": {"name": choice.best.name, "params": choice.best.settings},
             "described": choice.best.describe(), "budget": result.budget, "seed": result.seed,
             "validation": {"metric": f"{result.metric}@{result.k}", "mean": float(score["mean"]),
                            "low": float(score["low"]), "high": float(score["high"])}}
    with file_lock(path):
        stored = read_cache(path, lambda p: json.loads(p.read_text()), what="recommender choice") or {}
        choices = stored.get("choices", {}) if isinstance(stored, dict) else {}
        choices[protocol.task] = entry
        return write_text_atomic(path, json.dumps({"producer": PRODUCER, "choices": choices}, indent=2,
                                                  sort_keys=True) + "\n")


def _mismatch(entry: dict, protocol: Protocol, budget: int | None, seed: int | None, k: int | None) -> str | None:
    """What differs between the saved entry and what the reader asks for (None: nothing)."""
    if entry.get("protocol") != protocol.as_dict():
        return f"another protocol ({entry.get('protocol')})"
    asked = {"budget": budget, "seed": seed}
    differing = [f"{name} {entry.get(name)!r}, not {value!r}" for name, value in asked.items()
                 if value is not None and entry.get(name) != value]
    metric = str(entry.get("validation", {}).get("metric", ""))
    if k is not None and not metric.endswith(f"@{k}"):
        differing.append(f"selection metric {metric!r}, not @{k}")
    return f"other parameters ({'; '.join(differing)})" if differing else None


def load_choice(protocol: Protocol, path: Path | None = None, *, budget: int | None = None, seed: int | None = None,
                k: int | None = None) -> tuple[RecommenderSpec | None, str]:
    """(spec, note) from the saved choice for `protocol`, or (None, why it cannot be used). `path` defaults to the
    copy in this run's folder, else the full run's (rec_utils.runtime.runs.find_artefact); `budget`, `seed` and
    the selection `k`, when given, must be those the choice was made with."""
    path = find_artefact(CHOICE_FILE) if path is None else Path(path)
    where = f"{relative(path)} (written by notebook 07, {PRODUCER})"
    stored = read_cache(path, lambda p: json.loads(p.read_text()), what="recommender choice")
    if stored is None:
        return None, f"{where} is missing or unreadable"
    entry = stored.get("choices", {}).get(protocol.task) if isinstance(stored, dict) else None
    if entry is None:
        return None, f"{where} holds no choice for task {protocol.task!r}"
    mismatch = _mismatch(entry, protocol, budget, seed, k)
    if mismatch:
        return None, f"{where} was made under {mismatch}"
    try:
        spec = RecommenderSpec.of(entry["recommender"]["name"], **entry["recommender"]["params"])
        score = entry["validation"]
        note = (f"notebook 07 ({PRODUCER}) chose {spec.describe()} on validation {score['metric']} "
                f"{score['mean']:.4f} [{score['low']:.4f}, {score['high']:.4f}]; read from {relative(path)}")
    except (KeyError, TypeError, ValueError) as error:
        return None, f"{where} is not a valid choice ({type(error).__name__}: {error})"
    return spec, note


def chosen_recommender(protocol: Protocol, transactions: pd.DataFrame, *, path: Path | None = None,
                       budget: int | None = None, seed: int | None = None, k: int | None = None
                       ) -> tuple[RecommenderSpec, str]:
    """The recommender notebook 07 chose for `protocol`, read from its saved choice when present, valid and made
    with the `budget`, `seed` and selection `k` given (None: any), otherwise recomputed by the same validation
    procedure (choose_recommender with `budget`, `seed` and `k` where given, its defaults otherwise).
    Returns (spec, a sentence saying where the choice came from)."""
    spec, note = load_choice(protocol, path, budget=budget, seed=seed, k=k)
    if spec is not None:
        return spec, note
    asked = {name: value for name, value in {"budget": budget, "seed": seed, "k": k}.items() if value is not None}
    choice = choose_recommender(protocol.split(transactions, "validation"), **asked)
    made = choice.results[choice.best.name]
    return choice.best, (f"{note}: recomputed by notebook 07's validation procedure "
                         f"(budget {made.budget}, seed {made.seed}): {choice.best.describe()}")
