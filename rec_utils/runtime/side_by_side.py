"""Running notebooks side by side (`make test`'s pytest workers, `make reproduce`'s runner threads): which notebook
must stay after another, and how many threads each process may use.

    sequence_of("08_personalized_recommendation")   # "06_click_model": 06, 07, 08, 11 and 13 run in this order
    sequences(["05_feature_extraction", "06_click_model", "07_model_evaluation"])
    # {"05_feature_extraction": ["05_feature_extraction"], "06_click_model": ["06_click_model", "07_model_evaluation"]}
    shared_cores(2)   # {"OMP_NUM_THREADS": "1", ...} on two cores

A reader finds its writer's file through rec_utils.runtime.runs.find_artefact; run before the writer, it would
recompute the result and print another sentence than its committed output. READER_FUNCTIONS names the calls that
read another notebook's results; a unit test checks that every notebook calling one, or load_metrics with another
notebook's name, is listed in READS_FROM (and that no notebook calls find_artefact itself).

Threads: two processes whose BLAS and OpenMP pools each spin on every core of a two-core machine run many times
slower than one (a cross-validation cell of notebook 07 took 15 times as long), so each gets its share of the
cores (rec_utils.runtime.threads says more). TensorFlow, JAX and Spark keep their own pools.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

CLICK_MODEL = "06_click_model"
MODEL_EVALUATION = "07_model_evaluation"

READER_FUNCTIONS: dict[str, str] = {  # a call in a notebook's code -> the notebook whose saved results it reads
    "load_click_predictions": CLICK_MODEL,           # rec_utils.chapters.click_model.predictions
    "chosen_recommender": MODEL_EVALUATION,          # rec_utils.evaluation.choice
    "load_choice": MODEL_EVALUATION,                 # rec_utils.evaluation.choice
    "protocol_headline": MODEL_EVALUATION,           # rec_utils.chapters.scenarios.recap
}

READS_FROM: dict[str, tuple[str, ...]] = {
    MODEL_EVALUATION: (CLICK_MODEL,),
    "08_personalized_recommendation": (MODEL_EVALUATION,),
    "11_application_scenarios": (MODEL_EVALUATION,),
    "13_interpretability_fairness": (MODEL_EVALUATION,),
}


def sequence_of(notebook: str) -> str:
    """The first notebook (in numeric order) of those `notebook` is linked to by READS_FROM, either way; a notebook
    that reads and writes nothing shared is its own sequence."""
    linked, frontier = {notebook}, [notebook]
    while frontier:
        current = frontier.pop()
        neighbours = set(READS_FROM.get(current, ())) | {r for r, writers in READS_FROM.items() if current in writers}
        frontier += sorted(neighbours - linked)
        linked |= neighbours
    return min(linked)


def sequences(notebooks: Iterable[str]) -> dict[str, list[str]]:
    """{first notebook: the notebooks of its sequence among `notebooks`, in numeric order}: each sequence runs on one
    worker in this order; different sequences may run side by side."""
    grouped: dict[str, list[str]] = {}
    for notebook in sorted(notebooks):
        grouped.setdefault(sequence_of(notebook), []).append(notebook)
    return grouped


THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def usable_cores() -> int:
    """The cores this process may run on: its CPU affinity where the system keeps one (Linux), else all of them."""
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity else os.cpu_count() or 1


def shared_cores(workers: int) -> dict[str, str]:
    """The thread variables that give each of `workers` processes side by side its share of this process's cores
    (at least one thread); a variable already set in the environment keeps its value."""
    threads = max(1, usable_cores() // max(1, workers))
    return {name: os.environ.get(name, str(threads)) for name in THREAD_VARIABLES}
