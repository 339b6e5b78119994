"""Ranking on Spark, the second half of notebook 14's pipeline: implicit ALS (pyspark.ml), top-k new items per user
with the same kernel as the numpy path, and ranking metrics (Spark's RankingEvaluator plus the hit rate), on the
interactions rec_utils.chapters.scale_out.spark builds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from pyspark.ml.evaluation import RankingEvaluator
from pyspark.ml.recommendation import ALS, ALSModel
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from rec_utils.chapters.scale_out.spark import SparkInteractions
from rec_utils.recommend.topk import top_k


def fit_spark_als(train: DataFrame, *, rank: int = 32, alpha: float = 10.0, regularization: float = 0.1,
                  n_iterations: int = 10, seed: int = 0, blocks: int | None = None) -> ALSModel:
    """pyspark.ml ALS with implicitPrefs=True on the purchase counts.

    The rating given to Spark is log1p(n_invoices), so Spark's confidence 1 + alpha * rating is
    c = 1 + alpha * log1p(count), the confidence of rec_utils.models.factorization.implicit_als, and the
    preference is 1 for every bought item. Spark weights the regularisation of each user (item) by its
    number of purchases (ALS-WR), which the numpy solver does not: the two optimise different objectives
    at the same `regularization`. blocks: user and item blocks (default: Spark's, 10).
    """
    ratings = train.select("user", "item", F.log1p(F.col("n_invoices").cast("double")).alias("rating"))
    als = ALS(userCol="user", itemCol="item", ratingCol="rating", implicitPrefs=True, rank=rank, alpha=alpha,
              regParam=regularization, maxIter=n_iterations, seed=seed, coldStartStrategy="drop", nonnegative=False)
    if blocks is not None:
        als = als.setNumUserBlocks(blocks).setNumItemBlocks(blocks)
    return als.fit(ratings)


def factor_matrix(factors: DataFrame, n_rows: int) -> np.ndarray:
    """An ALS factor table (id, features) as a dense float64 array (n_rows, rank); absent ids are zero rows."""
    rows = factors.select("id", "features").collect()
    if not rows:
        raise ValueError("the factor table is empty")
    out = np.zeros((n_rows, len(rows[0]["features"])))
    ids = np.array([r["id"] for r in rows])
    out[ids] = np.array([r["features"] for r in rows], dtype=float)
    return out


def spark_top_k(data: SparkInteractions, user_factors: DataFrame, item_factors: DataFrame, k: int = 10,
                *, scores_budget: int = 2 ** 24) -> DataFrame:
    """Top-k items for every test user: (user, items array<int>, scores array<double>), best first.

    The item factors are broadcast to the executors; each partition of test users scores the whole
    catalogue (U_b · Vᵀ in float64), sets the user's training purchases to -inf when
    `data.new_items_only` (the protocol's exclusions) and selects with rec_utils.recommend.topk.top_k,
    batches of at most `scores_budget` scores at a time. (Spark's own recommendForUserSubset cannot
    leave out already-bought items.)
    """
    item_matrix = factor_matrix(item_factors, data.n_items)
    if not 1 <= k <= data.n_items:
        raise ValueError(f"k must be between 1 and {data.n_items}, got {k}")
    spark = data.train.sparkSession
    broadcast = spark.sparkContext.broadcast(item_matrix)
    batch_size = max(1, scores_budget // data.n_items)
    users = (data.test.select("user").distinct()
             .join(user_factors.select(F.col("id").alias("user"), "features"), "user"))
    exclude_bought = data.new_items_only
    if exclude_bought:
        users = users.join(data.train.groupBy("user").agg(F.collect_list("item").alias("bought")), "user", "left")

    def rank(batches):
        items = broadcast.value
        for batch in batches:
            factors = np.stack(batch["features"].to_numpy()).astype(float)
            exclude = None
            if exclude_bought:
                history = [np.asarray(b if b is not None else [], dtype=np.int64) for b in batch["bought"]]
                exclude = sp.csr_matrix((np.ones(sum(len(h) for h in history)),
                                         np.concatenate([np.zeros(0, np.int64), *history]),
                                         np.concatenate([[0], np.cumsum([len(h) for h in history])])),
                                        shape=(len(batch), len(items)))
            chosen, scores = top_k(lambda rows: factors[rows] @ items.T, len(batch), k, exclude=exclude,
                                   batch_size=batch_size, show_progress=False, with_scores=True)
            yield pd.DataFrame({"user": batch["user"].to_numpy(np.int32), "items": list(chosen.astype(np.int32)),
                                "scores": list(scores)})

    return users.mapInPandas(rank, "user int, items array<int>, scores array<double>")


def _per_user_columns(k: int) -> dict[str, F.Column]:
    """Per-user ranking metrics at k from columns `prediction` (items, best first) and `label` (relevant items),
    with the definitions of rec_utils.evaluation.ranking."""
    hits = f"transform(slice(prediction, 1, {k}), x -> IF(array_contains(label, x), 1D, 0D))"
    positions = f"sequence(1, size({hits}))"
    n_hits = f"aggregate({hits}, 0D, (acc, h) -> acc + h)"
    dcg = f"aggregate(zip_with({hits}, {positions}, (h, i) -> h / log2(i + 1)), 0D, (acc, x) -> acc + x)"
    ideal = f"aggregate(transform(sequence(1, least(size(label), {k})), i -> 1D / log2(i + 1)), 0D, (a, x) -> a + x)"
    cumulative = f"transform({hits}, (h, i) -> aggregate(slice({hits}, 1, i + 1), 0D, (acc, x) -> acc + x))"
    precision_sum = (f"aggregate(zip_with(zip_with({hits}, {cumulative}, (h, c) -> h * c), {positions}, "
                     f"(hc, i) -> hc / i), 0D, (acc, x) -> acc + x)")
    return {
        "precision": F.expr(f"{n_hits} / {k}"),
        "recall": F.expr(f"{n_hits} / size(label)"),
        "ndcg": F.expr(f"{dcg} / {ideal}"),
        "map": F.expr(f"{precision_sum} / least(size(label), {k})"),
        "hit_rate": F.expr(f"IF({n_hits} > 0, 1D, 0D)"),
    }


def _ranked_with_labels(recommended: DataFrame, test: DataFrame) -> DataFrame:
    labels = test.groupBy("user").agg(F.collect_list(F.col("item").cast("double")).alias("label"))
    return (recommended.select("user", F.transform("items", lambda x: x.cast("double")).alias("prediction"))
            .join(labels, "user"))


def spark_per_user_metrics(recommended: DataFrame, test: DataFrame, k: int = 10) -> pd.DataFrame:
    """Per-user precision, recall, NDCG, MAP and hit rate at k, computed in Spark: a pandas frame indexed by
    user (users with at least one relevant item and a list), as rec_utils.evaluation.ranking defines them."""
    ranked = _ranked_with_labels(recommended, test)
    columns = _per_user_columns(k)
    frame = ranked.select("user", *[c.alias(name) for name, c in columns.items()]).toPandas()
    return frame.set_index("user").sort_index()


_EVALUATOR_METRICS = {"precision": "precisionAtK", "recall": "recallAtK", "ndcg": "ndcgAtK",
                      "map": "meanAveragePrecisionAtK"}


def spark_ranking_metrics(recommended: DataFrame, test: DataFrame, k: int = 10,
                          metrics: tuple[str, ...] = ("precision", "recall", "ndcg", "map", "hit_rate")
                          ) -> dict[str, float]:
    """Mean metrics at k over users with at least one relevant item: {'ndcg@10': ...}.

    Precision, recall, NDCG and MAP come from pyspark.ml.evaluation.RankingEvaluator; the hit rate,
    which it does not offer, from an aggregation of the same lists.
    """
    unknown = [m for m in metrics if m not in _EVALUATOR_METRICS and m != "hit_rate"]
    if unknown:
        raise ValueError(f"unknown metrics {unknown}; choose from {(*_EVALUATOR_METRICS, 'hit_rate')}")
    ranked = _ranked_with_labels(recommended, test).cache()
    out = {}
    for name in metrics:
        if name == "hit_rate":
            out[f"hit_rate@{k}"] = ranked.select(F.avg(_per_user_columns(k)["hit_rate"])).first()[0]
        else:
            evaluator = RankingEvaluator(predictionCol="prediction", labelCol="label",
                                         metricName=_EVALUATOR_METRICS[name], k=k)
            out[f"{name}@{k}"] = evaluator.evaluate(ranked)
    ranked.unpersist()
    return out


def collect_top_k(recommended: DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(users (n,), items (n, k), scores (n, k)) of spark_top_k's output, sorted by user."""
    frame = recommended.toPandas().sort_values("user")
    return (frame["user"].to_numpy(np.int64), np.stack(frame["items"].to_numpy()).astype(np.int64),
            np.stack(frame["scores"].to_numpy()))
