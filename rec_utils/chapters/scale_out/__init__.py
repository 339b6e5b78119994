"""Notebook 14 (scale out): the pipeline on Apache Spark and what a second engine costs by data size.

    session        a checked local or cluster session, Java found or a named error, the JVM's log in a file
    spark          the Online Retail pipeline on Spark: reading, cleaning with accounting, the protocol's split
    spark_ranking  implicit ALS, top-k new items and ranking metrics on Spark
    spark_index    dense id numbering on Spark without moving every id into one partition
    scaling        timing and memory of both engines on growing replicated data, each run in its own process
    sweep_results  a logged sweep read back: where the engines cross, each stage's share
    sweep_text     the sweep's reading in words: steps per copy, intercepts, where lines meet, memory
    scaling_fit    what a sweep supports: fixed + per-copy cost, where two lines meet

Notebook 14 imports this package as its one namespace (`from rec_utils.chapters import scale_out as ch`): it
re-exports every name the notebook uses, from its modules and from the layers.
"""

from rec_utils.chapters.scale_out.scaling import ENGINES, GIB, PipelineSettings, memory_limit_bytes, sweep
from rec_utils.chapters.scale_out.scaling_fit import (
    break_even,
    can_fit_costs,
    cost_plot,
    engine_costs,
    per_copy_difference,
    share_ever_faster,
    size_reaching,
)
from rec_utils.chapters.scale_out.session import (
    JavaUnavailableError,
    java_major,
    java_version,
    session_conf,
    spark_session,
)
from rec_utils.chapters.scale_out.spark import spark_clean, spark_split, spark_transactions
from rec_utils.chapters.scale_out.spark_ranking import (
    collect_top_k,
    factor_matrix,
    fit_spark_als,
    spark_per_user_metrics,
    spark_ranking_metrics,
    spark_top_k,
)
from rec_utils.chapters.scale_out.sweep_results import crossover_factor, read_benchmark, stage_shares
from rec_utils.chapters.scale_out.sweep_text import (
    crossing_sentence,
    intercepts_sentence,
    memory_reading,
    per_copy_sentence,
    per_copy_steps,
    sweep_description,
)
from rec_utils.data.cleaning import accounting_balances, clean_transactions
from rec_utils.data.online_retail import load_online_retail
from rec_utils.evaluation.comparison import per_user_metrics, rank_users
from rec_utils.evaluation.probability import metrics_table
from rec_utils.evaluation.protocol import TASKS, Protocol, cut_date_rule
from rec_utils.evaluation.ranking import RANKING_METRICS
from rec_utils.evaluation.resampling import mean_table, paired_differences, paired_verdict
from rec_utils.figures.diagrams import spark_pipeline_diagram
from rec_utils.figures.plots import learning_curves, save_figure
from rec_utils.models.factorization import implicit_als
from rec_utils.models.jax_process import run_in_jax
from rec_utils.recommend.scorers import factor_scores
from rec_utils.runtime.benchmark_log import BENCHMARKS_PATH, cpu_description
from rec_utils.runtime.device import keras_backend, require_device
from rec_utils.runtime.parameters import Choice, Flag, Integer, ListOf, Number, Text, check_parameters
from rec_utils.runtime.results import headline_entry, json_records, none_for_nan, save_metrics

__all__ = [
    "accounting_balances",
    "BENCHMARKS_PATH",
    "break_even",
    "can_fit_costs",
    "check_parameters",
    "Choice",
    "clean_transactions",
    "collect_top_k",
    "cost_plot",
    "cpu_description",
    "crossing_sentence",
    "crossover_factor",
    "cut_date_rule",
    "engine_costs",
    "ENGINES",
    "factor_matrix",
    "factor_scores",
    "fit_spark_als",
    "Flag",
    "GIB",
    "headline_entry",
    "implicit_als",
    "Integer",
    "intercepts_sentence",
    "java_major",
    "java_version",
    "JavaUnavailableError",
    "json_records",
    "keras_backend",
    "learning_curves",
    "ListOf",
    "load_online_retail",
    "mean_table",
    "memory_limit_bytes",
    "memory_reading",
    "metrics_table",
    "none_for_nan",
    "Number",
    "paired_differences",
    "paired_verdict",
    "per_copy_difference",
    "per_copy_sentence",
    "per_copy_steps",
    "per_user_metrics",
    "PipelineSettings",
    "Protocol",
    "rank_users",
    "RANKING_METRICS",
    "read_benchmark",
    "require_device",
    "run_in_jax",
    "save_figure",
    "save_metrics",
    "session_conf",
    "share_ever_faster",
    "size_reaching",
    "spark_clean",
    "spark_per_user_metrics",
    "spark_pipeline_diagram",
    "spark_ranking_metrics",
    "spark_session",
    "spark_split",
    "spark_top_k",
    "spark_transactions",
    "stage_shares",
    "sweep",
    "sweep_description",
    "TASKS",
    "Text",
]
