"""Product search benchmarks that can tell lexical from semantic matching: three kinds of query, four methods.

Query sets (each has a validation and a test part; the searchable products are those sold before the part's window):
    lexical recovery   each customer's pseudo-query: two words of a product of their first window invoice (the
                       product is the one relevant result). The words come from the target's own description, so this
                       set measures exact-word recovery and favours lexical matching by construction.
    shopper intent     queries written in a shopper's words before any scoring, relevance decided by a rule on the
                       description (data/search/intent_queries.csv, rec_utils.data.intent_queries); split 40/60 into
                       validation and test queries by a seeded draw.
    co-purchase        a product bought in the window as the query (its description), relevance = the other products
                       bought on the same invoices in the window (the query product itself is not ranked).

Methods: TF-IDF cosine, BM25 (rec_utils.features.bm25, the strongest plain lexical ranker), MiniLM sentence-embedding
cosine, and a hybrid (1 - w) · BM25 / max_i BM25 + w · cos_MiniLM with w chosen on the validation queries of each set.
Equal scores are ordered by popularity (customers before the window), as in notebook 09's personalised search, so that
the two tables of pseudo-queries agree on TF-IDF.

    benchmark = search_benchmark(transactions, catalog, protocol)       # {set: SearchResult}
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from rec_utils.chapters.language_model.text_retrieval import search_queries, searchable
from rec_utils.data.intent_queries import load_intent_queries, relevant_items
from rec_utils.evaluation.protocol import Protocol
from rec_utils.evaluation.ranking import hit_rate_at_k, ndcg_at_k
from rec_utils.evaluation.resampling import mean_table, paired_differences
from rec_utils.features.bm25 import bm25_scorer
from rec_utils.features.text_vectors import cosine_similarity, text_vectorizer
from rec_utils.recommend.search import combine_scores
from rec_utils.recommend.topk import top_k_from_scores

QUERY_SETS = ("lexical recovery", "shopper intent", "co-purchase")
LEXICAL = ("TF-IDF", "BM25")
METHODS = (*LEXICAL, "MiniLM", "hybrid")
MIX_WEIGHTS = tuple(np.round(np.linspace(0, 1, 11), 1))


@dataclass(frozen=True)
class Queries:
    """One query set's part: texts (n,), relevant (n, n_items) binary csr, excluded (n,) item index or -1 (a
    product that must not be ranked for its query), items (the searchable StockCodes), popularity (n_items,)
    customers per item before the window (orders equal scores), and what it is in words."""

    texts: list[str]
    relevant: sp.csr_matrix
    excluded: np.ndarray
    items: pd.Index
    popularity: np.ndarray
    described: str


@dataclass
class SearchResult:
    """A query set on its test part: table (method -> mean NDCG@k and hit-rate@k with 95% intervals over queries),
    paired (differences against the strongest lexical method and between MiniLM and the hybrid), per_query (the
    values behind them), chosen (the lexical baseline and the hybrid's weight, both from the validation queries),
    described (the queries in words)."""

    table: pd.DataFrame
    paired: pd.DataFrame
    per_query: pd.DataFrame
    chosen: dict
    described: str


def lexical_recovery(history: pd.DataFrame, window: pd.DataFrame, descriptions: pd.Series, *, seed: int
                     ) -> Queries:
    """One pseudo-query per customer with a history and a window purchase (text_retrieval.search_queries)."""
    items, popularity = searchable(history)
    queries = search_queries(history, window, items, descriptions, n_words=2, seed=seed)
    targets = items.get_indexer(queries["StockCode"])
    relevant = sp.csr_matrix((np.ones(len(queries)), (np.arange(len(queries)), targets)),
                             shape=(len(queries), len(items)))
    return Queries(queries["query"].tolist(), relevant, np.full(len(queries), -1), items, popularity,
                   f"{len(queries):,} pseudo-queries (two words of the target's own description)")


def shopper_intent(history: pd.DataFrame, descriptions: pd.Series, part: str, *, seed: int) -> Queries:
    """The intent queries of one part ("validation": a seeded 40%, "test": the rest) whose rule matches at least one
    product sold before the window."""
    items, popularity = searchable(history)
    queries = load_intent_queries()
    in_validation = np.random.default_rng(seed).random(len(queries)) < 0.4
    queries = queries[in_validation if part == "validation" else ~in_validation].reset_index(drop=True)
    catalog = pd.DataFrame({"StockCode": items, "Description": descriptions.reindex(items).to_numpy()})
    matched = relevant_items(queries, catalog)
    keep = [i for i, query_id in enumerate(queries["query_id"]) if len(matched[query_id])]
    rows = np.repeat(np.arange(len(keep)), [len(matched[queries["query_id"][i]]) for i in keep])
    cols = np.concatenate([matched[queries["query_id"][i]] for i in keep])
    relevant = sp.csr_matrix((np.ones(len(cols)), (rows, cols)), shape=(len(keep), len(items)))
    return Queries(queries["query"].iloc[keep].tolist(), relevant, np.full(len(keep), -1), items, popularity,
                   f"{len(keep)} shopper-intent queries (written before scoring; relevance by rule)")


def co_purchase(history: pd.DataFrame, window: pd.DataFrame, descriptions: pd.Series, *, max_queries: int,
                seed: int) -> Queries:
    """Up to `max_queries` products of the window's invoices as queries (their descriptions); relevant: the other
    products of the same invoices; both among the products sold before the window."""
    items, popularity = searchable(history)
    lines = window[window["StockCode"].isin(items)][["InvoiceNo", "StockCode"]].drop_duplicates()
    baskets = lines.groupby("InvoiceNo", observed=True)["StockCode"].transform("size")
    lines = lines[baskets >= 2]
    products = np.sort(lines["StockCode"].unique())
    chosen = np.sort(np.random.default_rng(seed).choice(products, size=min(max_queries, len(products)),
                                                        replace=False))
    basket_items = lines.merge(lines[lines["StockCode"].isin(chosen)].rename(columns={"StockCode": "query"}),
                               on="InvoiceNo")
    basket_items = basket_items[basket_items["StockCode"] != basket_items["query"]].drop_duplicates(
        ["query", "StockCode"])
    query_index = pd.Index(chosen)
    relevant = sp.csr_matrix((np.ones(len(basket_items)), (query_index.get_indexer(basket_items["query"]),
                                                           items.get_indexer(basket_items["StockCode"]))),
                             shape=(len(chosen), len(items)))
    return Queries(descriptions.reindex(chosen).fillna("").tolist(), relevant, items.get_indexer(chosen), items,
                   popularity,
                   f"{len(chosen)} products of the window as queries (relevant: what was bought with them)")


def method_scores(queries: Queries, descriptions: pd.Series, minilm: Callable, weights: tuple[float, ...]
                  ) -> dict[str, np.ndarray]:
    """Scores (n_queries, n_items) of TF-IDF, BM25 and MiniLM, and of the hybrid at each weight (keys
    "hybrid w=..."); equal scores are ordered by popularity (recommend.search.combine_scores); the excluded product
    of each query gets -inf."""
    texts = descriptions.reindex(queries.items).fillna("").tolist()
    tfidf = text_vectorizer("tfidf", texts)
    bm25 = bm25_scorer(texts)(queries.texts)
    semantic = cosine_similarity(minilm(queries.texts), minilm(texts))
    scaled = bm25 / np.maximum(bm25.max(axis=1, keepdims=True), 1e-12)
    scores = {"TF-IDF": cosine_similarity(tfidf(queries.texts), tfidf(texts)), "BM25": bm25, "MiniLM": semantic,
              **{f"hybrid w={w:.1f}": (1 - w) * scaled + w * semantic for w in weights}}
    scores = {method: combine_scores(values, None, 0.0, queries.popularity) for method, values in scores.items()}
    rows = np.flatnonzero(queries.excluded >= 0)
    for values in scores.values():
        values[rows, queries.excluded[rows]] = -np.inf
    return scores


def per_query(scores: dict[str, np.ndarray], relevant: sp.csr_matrix, k: int) -> pd.DataFrame:
    """NDCG@k and hit-rate@k of every method for every query: columns (metric, method)."""
    columns = {}
    for method, values in scores.items():
        top = top_k_from_scores(values, k)
        columns[(f"ndcg@{k}", method)] = ndcg_at_k(top, relevant, k)
        columns[(f"hit_rate@{k}", method)] = hit_rate_at_k(top, relevant, k)
    return pd.DataFrame(columns)


def _parts(name: str, transactions: pd.DataFrame, protocol: Protocol, descriptions: pd.Series, *,
           max_queries: int, seed: int) -> dict[str, Queries]:
    parts = {}
    for stage in ("validation", "test"):
        history, window = protocol.history_and_window(transactions, stage)
        if name == "lexical recovery":
            parts[stage] = lexical_recovery(history, window, descriptions, seed=seed)
        elif name == "shopper intent":
            parts[stage] = shopper_intent(history, descriptions, stage, seed=seed)
        else:
            parts[stage] = co_purchase(history, window, descriptions, max_queries=max_queries, seed=seed)
    return parts


def search_benchmark(transactions: pd.DataFrame, catalog: pd.DataFrame, protocol: Protocol, *, k: int = 10,
                     max_queries: int = 400, n_boot: int = 1000, seed: int = 0,
                     **encode_kwargs) -> dict[str, SearchResult]:
    """Every query set of QUERY_SETS with every method of METHODS under `protocol`: the strongest lexical method
    and the hybrid's weight are chosen on the validation part (mean NDCG@k), the test part is scored once.
    encode_kwargs: for the MiniLM encoder (device, batch_size). Returns {query set: SearchResult}."""
    descriptions = catalog.set_index("StockCode")["Description"].fillna("")
    minilm = text_vectorizer("minilm", catalog["Description"].fillna(""), **encode_kwargs)
    metric = f"ndcg@{k}"
    results = {}
    for name in QUERY_SETS:
        parts = _parts(name, transactions, protocol, descriptions, max_queries=max_queries, seed=seed)
        validation = per_query(method_scores(parts["validation"], descriptions, minilm, MIX_WEIGHTS),
                               parts["validation"].relevant, k)[metric].mean()
        lexical = max(LEXICAL, key=lambda method: validation[method])
        weight = max(MIX_WEIGHTS, key=lambda w: validation[f"hybrid w={w:.1f}"])
        test = per_query(method_scores(parts["test"], descriptions, minilm, (weight,)), parts["test"].relevant, k)
        test = test.rename(columns={f"hybrid w={weight:.1f}": "hybrid"})
        values = {method: test[(metric, method)].to_numpy() for method in METHODS}
        hits = {method: test[(f"hit_rate@{k}", method)].to_numpy() for method in METHODS}
        table = mean_table(values, n_boot=n_boot, seed=seed).add_prefix(f"{metric} ").join(
            mean_table(hits, n_boot=n_boot, seed=seed).drop(columns="n").add_prefix(f"hit_rate@{k} "))
        pairs = [(method, lexical) for method in METHODS if method != lexical] + [("hybrid", "MiniLM")]
        results[name] = SearchResult(table.rename(columns={f"{metric} n": "queries"}),
                                     paired_differences(values, pairs, n_boot=n_boot, seed=seed), test,
                                     {"lexical baseline": lexical, "hybrid weight": float(weight)},
                                     f"{name}: {parts['test'].described}, among the {len(parts['test'].items):,} "
                                     f"products sold before the window; {protocol.describe_stage('test')}")
    return results
