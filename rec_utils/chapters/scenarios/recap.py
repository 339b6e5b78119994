"""Notebook 07's test-window headline under a protocol, for a later notebook that summarises it (notebook 11).

    rows, note = protocol_headline(protocol, transactions)   # the chosen recommender and the strongest baseline

Notebook 07 (07_model_evaluation) saves its choice with the protocol it was made under
(rec_utils.evaluation.choice) and every recommender's test-window scores to 07_ranking.csv, both in its results
folder. The rows are read from there when the saved choice matches `protocol` (and the budget and seed), the
ranking file beside it holds its row, and notebook 07's metrics beside it say that its intervals were drawn with
as many bootstrap resamples as asked (`n_boot_ranking`, recorded under "parameters"). Otherwise they are
recomputed by 07's own procedure (the choice rerun on the validation window, every baseline tuned on validation,
the test window scored once with the same customer bootstrap), and `note` says which happened.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from rec_utils.evaluation.choice import CHOICE_FILE, PRODUCER, chosen_recommender, load_choice
from rec_utils.evaluation.comparison import compare_recommenders
from rec_utils.evaluation.protocol import Protocol
from rec_utils.evaluation.tuning import DEFAULT_BUDGET, candidates_for, tune
from rec_utils.recommend.recommenders import BASELINES, LABELS
from rec_utils.runtime.paths import relative
from rec_utils.runtime.results import load_metrics, metrics_folder
from rec_utils.runtime.runs import find_artefact

RANKING_FILE = "07_ranking.csv"
COLUMNS = ["model", "kind", "metric", "k", "mean", "low", "high", "baseline", "diff_vs_best_baseline", "diff_low",
           "diff_high", "n_users"]


def _resamples_of(run_dir: Path) -> int | None:
    """The n_boot_ranking notebook 07 recorded in its metrics in `run_dir` (None: missing or unreadable)."""
    try:
        metrics = load_metrics(PRODUCER, metrics_dir=metrics_folder(run_dir))
        return int(metrics["parameters"]["n_boot_ranking"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _headline_rows(frame: pd.DataFrame, model: str) -> pd.DataFrame:
    """The row of `model` and the row of its strongest baseline, model first (one row when it is that baseline)."""
    row = frame[frame["model"] == model]
    rows = pd.concat([row, frame[frame["model"] == row["baseline"].iloc[0]]])
    return rows.drop_duplicates("model")[COLUMNS].reset_index(drop=True)


def protocol_headline(protocol: Protocol, transactions: pd.DataFrame, *, metric: str = "ndcg", k: int = 10,
                      n_boot: int = 1000, seed: int = 42, budget: int = DEFAULT_BUDGET) -> tuple[pd.DataFrame, str]:
    """Notebook 07's test-window result for `protocol.task` at `metric`@`k`: two rows (its chosen recommender,
    then the strongest baseline; one row when the choice is that baseline) with mean, low, high and the paired
    difference from that baseline, and a sentence saying where they come from. 07's saved choice is used only
    when it was made with `seed` and `budget`, and its scores only when drawn with `n_boot` resamples; `n_boot`,
    `seed` and `budget` are used when recomputing (07's defaults: 1000, 42, 8)."""
    spec, note = load_choice(protocol, budget=budget, seed=seed)
    path = find_artefact(CHOICE_FILE).parent / RANKING_FILE  # the ranking of the run the choice was read from
    resamples = _resamples_of(path.parent)
    if spec is not None and path.exists() and resamples != n_boot:
        note = (f"{relative(path)} was scored with {resamples or 'an unrecorded number of'} bootstrap resamples, "
                f"not {n_boot}")
    elif spec is not None and path.exists():
        ranking = pd.read_csv(path)
        frame = ranking[(ranking["task"] == protocol.task) & (ranking["metric"] == metric) & (ranking["k"] == k)]
        if LABELS[spec.name] in set(frame["model"]):
            return _headline_rows(frame, LABELS[spec.name]), f"{note}; test-window scores read from {relative(path)}"
        note = f"{relative(path)} has no {metric}@{k} row for {LABELS[spec.name]}"
    elif spec is not None:
        note = f"{relative(path)} (written by notebook 07, {PRODUCER}) is missing"
    spec, how = chosen_recommender(protocol, transactions, budget=budget, seed=seed)
    validation = protocol.split(transactions, "validation")
    recommenders = {LABELS[name]: tune(validation, name, budget=budget, seed=seed, k=k, fixed={"seed": seed},
                                       n_boot=n_boot).best
                    for name in candidates_for(protocol.task) if name in BASELINES}
    recommenders[LABELS[spec.name]] = spec
    frame = compare_recommenders(protocol.split(transactions, "test"), recommenders, metrics=(metric,), ks=(k,),
                                 baselines=[LABELS[n] for n in BASELINES if LABELS[n] in recommenders],
                                 validation=validation, n_boot=n_boot, seed=seed)
    return _headline_rows(frame, LABELS[spec.name]), (f"{note}: recomputed by notebook 07's procedure ({how}; "
                                                      "baselines tuned on validation, test window scored once)")
