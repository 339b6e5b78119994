"""Countries as markets (the nearest honest analogue of cross-channel in Online Retail, which has one channel):
a recommender trained on a source market (the United Kingdom) evaluated on another market's customers,
against the same recommender trained on that market alone and on all markets.

Setting, for a cut date: items = every product sold before the cut; a customer's market is the country of
most of their lines before the cut. For a target market, its customers' purchases before the cut are their
history, and the products they buy after the cut that they had not bought before are the relevant items
(customers with none are not evaluated). Models, each trained on the pre-cut purchases of the training market:
    popularity     how many of the training market's customers bought each item
    item_knn       item-item cosine of the training market, applied to the target customer's own history
    truncated_svd  item factors V of the training market; a target customer's history x is folded in as
                   scores x V Vᵀ (exact for PureSVD, whose user factors are X V)
Per-user NDCG@k with customer-bootstrap intervals, and the paired difference source-trained - local.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp

from rec_utils.evaluation.ranking import ndcg_at_k
from rec_utils.evaluation.resampling import mean_interval, paired_difference
from rec_utils.models.factorization import truncated_svd_factors
from rec_utils.models.similarity import item_cosine_similarity
from rec_utils.recommend.scorers import item_knn_scores, popularity_scores
from rec_utils.recommend.topk import ScoreFn, check_user_ids, top_k

MARKET_MODELS = ("popularity", "item_knn", "truncated_svd")


def customer_markets(history: pd.DataFrame) -> pd.Series:
    """Country of most of each customer's lines (ties: alphabetical), indexed by CustomerID."""
    counts = history.groupby(["CustomerID", "Country"], observed=True).size().rename("n").reset_index()
    counts = counts.sort_values(["CustomerID", "n", "Country"], ascending=[True, False, True])
    return counts.drop_duplicates("CustomerID").set_index("CustomerID")["Country"].astype(str)


def purchase_matrix(lines: pd.DataFrame, customers: pd.Index, items: pd.Index) -> sp.csr_matrix:
    """Binary (customers, items): 1 where the customer bought the item in `lines` (others ignored)."""
    pairs = lines[["CustomerID", "StockCode"]].drop_duplicates()
    rows, cols = customers.get_indexer(pairs["CustomerID"]), items.get_indexer(pairs["StockCode"])
    keep = (rows >= 0) & (cols >= 0)
    return sp.csr_matrix((np.ones(keep.sum()), (rows[keep], cols[keep])), shape=(len(customers), len(items)))


def market_scorer(model: str, train: sp.csr_matrix, target_history: sp.csr_matrix, *, n_factors: int = 32,
                  seed: int = 0) -> ScoreFn:
    """Score function over the target customers' rows for `model` (MARKET_MODELS) trained on `train`
    (training market's customers x items); target_history: the target customers' binary histories."""
    if model == "popularity":
        return popularity_scores(train)
    if model == "item_knn":
        return item_knn_scores(target_history, item_cosine_similarity(train))
    if model == "truncated_svd":
        factors = max(1, min(n_factors, min(train.shape) - 1))
        _, items = truncated_svd_factors(train, factors, seed=seed)
        return lambda batch: (target_history[check_user_ids(batch, target_history.shape[0])] @ items) @ items.T
    raise ValueError(f"unknown model {model!r}; choose one of {', '.join(MARKET_MODELS)}")


def cross_market_ndcg(before: pd.DataFrame, after: pd.DataFrame, target: str | tuple[str, ...], *,
                      source: str = "United Kingdom",
                      models: tuple[str, ...] = MARKET_MODELS, k: int = 10,
                      n_factors: int | Mapping[str, int] = 32, seed: int = 0) -> pd.DataFrame:
    """Per-user NDCG@k on `target`'s customers for each model trained on `source`, on `target` itself
    ("local") and on every market ("all"). `target`: one country, or several pooled into one market.
    n_factors: one value, or one per training market {"source": f, "local": f, "all": f} (tune_market_factors).
    Returns a frame (evaluated customers, one column "model|trained_on" per model and training market)
    indexed by CustomerID."""
    items = pd.Index(np.sort(before["StockCode"].unique()))
    market = customer_markets(before)
    targets = (target,) if isinstance(target, str) else tuple(target)
    customers = pd.Index(np.sort(market.index[market.isin(targets)]))
    if customers.empty:
        raise ValueError(f"no customer of market {target!r} before the cut")
    history = purchase_matrix(before, customers, items)
    relevant = purchase_matrix(after, customers, items)
    relevant = (relevant - relevant.multiply(history)).tocsr()
    relevant.eliminate_zeros()
    users = np.flatnonzero(np.diff(relevant.indptr) > 0)
    trained_on = {"source": (source,), "local": targets, "all": None}
    columns = {}
    for name, countries in trained_on.items():
        owners = market.index if countries is None else market.index[market.isin(countries)]
        train = purchase_matrix(before, pd.Index(np.sort(owners)), items)
        for model in models:
            factors = n_factors[name] if isinstance(n_factors, Mapping) else n_factors
            score = market_scorer(model, train, history, n_factors=factors, seed=seed)
            recommended = top_k(score, len(customers), k, exclude=history, users=users)
            columns[f"{model}|{name}"] = ndcg_at_k(recommended, relevant[users], k)
    return pd.DataFrame(columns, index=customers[users])


def cross_market_table(per_user: pd.DataFrame, *, n_boot: int = 200, seed: int = 0) -> pd.DataFrame:
    """Mean NDCG with customer-bootstrap intervals per model and training market, and the paired differences
    source - local and source - all (same customers, same resamples), from cross_market_ndcg."""
    rows = []
    options = {"n_boot": n_boot, "seed": seed}
    for column in per_user.columns:
        model, trained_on = column.split("|")
        mean, low, high = mean_interval(per_user[column], **options)
        row = {"model": model, "trained_on": trained_on, "ndcg": mean, "low": low, "high": high,
               "n_users": len(per_user)}
        if trained_on == "source":
            for other in ("local", "all"):
                if f"{model}|{other}" in per_user:
                    diff = paired_difference(per_user[column], per_user[f"{model}|{other}"], **options)
                    row.update({f"minus_{other}": diff["difference"], f"minus_{other}_low": diff["low"],
                                f"minus_{other}_high": diff["high"]})
        rows.append(row)
    return pd.DataFrame(rows)


def tune_market_factors(before: pd.DataFrame, window: pd.DataFrame, target: str | tuple[str, ...], *,
                        candidates: Sequence[int] = (8, 16, 32, 64), source: str = "United Kingdom", k: int = 10,
                        seed: int = 0) -> tuple[dict[str, int], pd.DataFrame]:
    """Validation search of truncated SVD's n_factors for each training market (source, local, all), scored
    by mean NDCG@k on `target`'s customers in `window` (the validation window; `before` ends where it
    starts). Returns ({trained_on: best n_factors}, one row per (trained_on, n_factors): ndcg, chosen)."""
    rows = []
    for factors in candidates:
        per_user = cross_market_ndcg(before, window, target, source=source, models=("truncated_svd",), k=k,
                                     n_factors=factors, seed=seed)
        for column in per_user.columns:
            rows.append({"trained_on": column.split("|")[1], "n_factors": factors,
                         "ndcg": float(per_user[column].mean()), "n_users": len(per_user)})
    table = pd.DataFrame(rows)
    best = table.loc[table.groupby("trained_on", sort=False)["ndcg"].idxmax()]
    table["chosen"] = table.index.isin(best.index)
    return dict(zip(best["trained_on"], best["n_factors"].astype(int))), table
