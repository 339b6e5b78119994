"""Where Spark starts to pay off: the same pipeline on pandas/numpy and on Spark, timed on growing data.

    table = sweep([1, 2], ["pandas", "spark"], PipelineSettings())   # one fresh process per engine and size
    (reading a logged sweep back, where the engines cross, stage shares: rec_utils.chapters.scale_out.sweep_results;
    what a sweep supports, as fixed + per-copy cost: rec_utils.chapters.scale_out.scaling_fit)

The pipeline, identical in meaning on both engines: read the Parquet file and type it, clean it with the
per-reason accounting, split it by the test stage of rec_utils.evaluation.protocol.Protocol (history
before the global cut, the test window after it), build the purchase matrix, fit implicit ALS, rank the
top-k items of the protocol's task for every ranked customer and compute NDCG@k. (The pandas path's
protocol split also records each customer's country and the cold-start customers, which the Spark path
does not need: a small share of its 'matrix' stage.) Each (engine, size) runs in its own process
(`python -m rec_utils.chapters.scale_out.scaling ...`), so its peak memory is its own: the resident memory summed
over the process and its children (for Spark: the driver JVM and its Python workers), sampled every 0.1 s. The
data for n x is written once by rec_utils.data.replicate under data/cache/scale/.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd
import psutil
import pyarrow.parquet as pq

from rec_utils.chapters.scale_out.session import spark_session
from rec_utils.chapters.scale_out.spark import spark_clean, spark_split, spark_transactions
from rec_utils.chapters.scale_out.spark_ranking import fit_spark_als, spark_ranking_metrics, spark_top_k
from rec_utils.data.cleaning import clean_transactions
from rec_utils.data.online_retail import ONLINE_RETAIL_PATH, load_online_retail
from rec_utils.data.replicate import write_replicated
from rec_utils.evaluation.protocol import Protocol
from rec_utils.evaluation.ranking import ranking_report
from rec_utils.models.factorization import implicit_als
from rec_utils.recommend.scorers import factor_scores
from rec_utils.recommend.topk import top_k
from rec_utils.runtime.io import write_text_atomic
from rec_utils.runtime.paths import CACHE_DIR

ENGINES = ("pandas", "spark")
SCALE_DIR: Path = CACHE_DIR / "scale"
SCORES_BUDGET = 2 ** 24  # scores held at once by top-k (128 MiB of float64), on both engines
GIB = 2 ** 30


@dataclass(frozen=True)
class PipelineSettings:
    """What both engines run: the protocol's test stage (global cut, test window, task), list length and
    the implicit-ALS hyper-parameters; for Spark also where it runs (master), the driver's memory and the
    shuffle partitions / ALS blocks."""

    cut_date: str = "2011-11-10"
    test_days: int = 30
    task: str = "new_items"
    k: int = 10
    rank: int = 16
    alpha: float = 10.0
    regularization: float = 0.1
    n_iterations: int = 5
    seed: int = 0
    master: str = "local[2]"
    driver_memory: str = "2g"
    partitions: int = 4

    @property
    def protocol(self) -> Protocol:
        """The evaluation protocol whose test stage both engines score."""
        return Protocol(self.cut_date, test_days=self.test_days, task=self.task)


@dataclass
class _Stopwatch:
    seconds: dict[str, float] = field(default_factory=dict)
    last: float = field(default_factory=time.perf_counter)

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.seconds[stage] = now - self.last
        self.last = now


def run_pandas(path: Path, settings: PipelineSettings) -> dict:
    """The single-process pipeline (pandas, numpy, scipy) on one Parquet file; sizes, NDCG@k, stage seconds."""
    watch = _Stopwatch()
    clean, accounting = clean_transactions(load_online_retail(path))
    watch.lap("read_clean")
    split = settings.protocol.split(clean, "test")
    data = split.data
    watch.lap("matrix")
    U, V = implicit_als(data.train, settings.rank, alpha=settings.alpha, regularization=settings.regularization,
                        n_iterations=settings.n_iterations, seed=settings.seed, show_progress=False)
    watch.lap("als")
    users = split.users
    recommended = top_k(factor_scores(U, V), data.train.shape[0], settings.k, exclude=split.exclude, users=users,
                        batch_size=max(1, SCORES_BUDGET // data.train.shape[1]), show_progress=False)
    ndcg = ranking_report(recommended, data.test[users], settings.k, ("ndcg",))[f"ndcg@{settings.k}"]
    watch.lap("topk_metrics")
    return {"rows_in": int(accounting.loc["rows_in", "rows"]), "rows_kept": int(accounting.loc["kept", "rows"]),
            "n_users": data.train.shape[0], "n_items": data.train.shape[1], "n_train_pairs": int(data.train.nnz),
            "n_test_users": len(users), "ndcg": ndcg, "seconds": watch.seconds}


def run_spark(path: Path, settings: PipelineSettings) -> dict:
    """The same pipeline on Spark (rec_utils.chapters.scale_out.spark), session start-up included; same output as
    run_pandas."""
    watch = _Stopwatch()
    with spark_session(settings.master, driver_memory=settings.driver_memory, partitions=settings.partitions) as spark:
        watch.lap("start")
        clean, accounting = spark_clean(spark_transactions(spark, path, verify=False))
        watch.lap("read_clean")
        data = spark_split(settings.protocol, clean, "test")
        n_train_pairs = data.train.count()
        watch.lap("matrix")
        model = fit_spark_als(data.train, rank=settings.rank, alpha=settings.alpha,
                              regularization=settings.regularization, n_iterations=settings.n_iterations,
                              seed=settings.seed, blocks=settings.partitions)
        watch.lap("als")
        lists = spark_top_k(data, model.userFactors, model.itemFactors, settings.k, scores_budget=SCORES_BUDGET).cache()
        metrics = spark_ranking_metrics(lists, data.test, settings.k, ("ndcg",))
        n_test_users = lists.count()
        watch.lap("topk_metrics")
        return {"rows_in": int(accounting.loc["rows_in", "rows"]), "rows_kept": int(accounting.loc["kept", "rows"]),
                "n_users": data.n_users, "n_items": data.n_items, "n_train_pairs": n_train_pairs,
                "n_test_users": n_test_users, "ndcg": metrics[f"ndcg@{settings.k}"], "seconds": watch.seconds}


def scaled_data(factor: int, scale_dir: Path = SCALE_DIR, source: Path = ONLINE_RETAIL_PATH,
                catalogues: int | None = None) -> Path:
    """Path of `source` (default: Online Retail) x `factor`, written on first use; 1 = the source itself.
    catalogues: None, a catalogue per replica (disjoint shops); 1, new customers of the same shop (the density
    kept); see rec_utils.data.replicate."""
    if factor == 1:
        return Path(source)
    name = "online_retail" if Path(source) == ONLINE_RETAIL_PATH else Path(source).stem
    shared = "" if catalogues is None else f"_c{catalogues}"
    return write_replicated(Path(scale_dir) / f"{name}_x{factor}{shared}.parquet", factor, source,
                            catalogues=catalogues)


def _tree(process: subprocess.Popen) -> list[psutil.Process]:
    root = psutil.Process(process.pid)
    return [root, *root.children(recursive=True)]


def peak_tree_rss(process: subprocess.Popen, *, interval: float = 0.1, timeout_s: float | None = None) -> int:
    """Wait for `process` and return the largest resident memory (bytes) of it and all its descendants
    together, sampled every `interval` seconds; after `timeout_s` the whole tree is killed."""
    peak = 0
    deadline = None if timeout_s is None else time.perf_counter() + timeout_s
    while process.poll() is None:
        try:
            members = _tree(process)
        except psutil.NoSuchProcess:
            break
        total = 0
        for member in members:
            try:
                total += member.memory_info().rss
            except psutil.NoSuchProcess:
                continue
        peak = max(peak, total)
        if deadline is not None and time.perf_counter() > deadline:
            for member in reversed(members):
                with contextlib.suppress(psutil.NoSuchProcess):
                    member.kill()
        time.sleep(interval)
    process.wait()
    return peak


def _children_cpu_s() -> float:
    """CPU seconds (user + system) of every finished child of this process and their waited-for children."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(engine: str, path: Path, settings: PipelineSettings, *, timeout_s: float | None = None) -> dict:
    """Run one engine's pipeline on `path` in a fresh process: wall seconds, CPU seconds (all cores, so on
    an idle machine with c cores wall >= cpu / c), peak memory (GiB), the pipeline's own report (sizes,
    NDCG, stage seconds) and status ("ok" or why it failed)."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
    with tempfile.TemporaryDirectory(prefix="interest-lab-scale-") as folder:
        report_path = Path(folder) / "report.json"
        command = [sys.executable, "-m", "rec_utils.chapters.scale_out.scaling", "--engine", engine,
                   "--data", str(path), "--settings", json.dumps(asdict(settings)), "--report", str(report_path)]
        env = {**os.environ, "INTEREST_LAB_PROGRESS": "0"}
        cpu_before = _children_cpu_s()
        start = time.perf_counter()
        with open(Path(folder) / "stderr.txt", "w+") as errors:
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors, env=env)
            try:
                peak = peak_tree_rss(process, timeout_s=timeout_s)
            finally:
                if process.poll() is None:
                    process.kill()
                    process.wait()
            seconds = time.perf_counter() - start
            cpu = _children_cpu_s() - cpu_before
            errors.seek(0)
            tail = errors.read()[-2000:]
        result = {"engine": engine, "wall_s": seconds, "cpu_s": cpu, "peak_gib": peak / GIB}
        if process.returncode == 0 and report_path.exists():
            return {**result, "status": "ok", **json.loads(report_path.read_text())}
        why = "killed (out of memory or time)" if process.returncode < 0 else f"exit code {process.returncode}"
        return {**result, "status": f"failed: {why}", "error": tail}


def sweep(factors: list[int], engines: list[str], settings: PipelineSettings, *, timeout_s: float | None = None,
          scale_dir: Path = SCALE_DIR, source: Path = ONLINE_RETAIL_PATH, catalogues: int | None = None
          ) -> pd.DataFrame:
    """measure() for every size (replicas with `catalogues`, see scaled_data) and engine: one row each with
    factor, rows_in (lines in the file), engine, wall_s, peak_gib, status, the run's sizes and NDCG, and its
    stage seconds (columns '<stage>_s')."""
    rows = []
    for factor in factors:
        path = scaled_data(factor, scale_dir, source, catalogues)
        for engine in engines:
            result = measure(engine, path, settings, timeout_s=timeout_s)
            stages = {f"{stage}_s": s for stage, s in result.pop("seconds", {}).items()}
            rows.append({"factor": factor, **result, "rows_in": pq.ParquetFile(path).metadata.num_rows, **stages})
    return pd.DataFrame(rows)


def memory_limit_bytes() -> int:
    """Memory one process tree can use here: the machine's RAM, or the cgroup limit when lower."""
    limit = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    try:
        cgroup = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        if cgroup.isdigit():
            limit = min(limit, int(cgroup))
    except OSError:
        pass
    return int(limit)


def main(argv: list[str] | None = None) -> int:
    """`python -m rec_utils.chapters.scale_out.scaling --engine pandas|spark --data FILE --settings JSON
    --report OUT.json`: one pipeline run (what `measure` starts); writes the run's report as JSON."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--engine", choices=ENGINES, required=True)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--settings", default="{}", help="PipelineSettings fields as JSON")
    parser.add_argument("--report", type=Path, required=True)
    args = parser.parse_args(argv)
    settings = PipelineSettings(**json.loads(args.settings))
    report = (run_pandas if args.engine == "pandas" else run_spark)(args.data, settings)
    write_text_atomic(args.report, json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
