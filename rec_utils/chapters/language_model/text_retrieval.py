"""Search and new-product cold start under the evaluation protocol (rec_utils.evaluation.protocol.Protocol), for
any text representation (TF-IDF, MiniLM).

Search: each customer with a history before the stage's window and a purchase in the window types a
pseudo-query, a few content words of one product of their first invoice in the window (never the whole
description); the product is the one relevant result among every product sold before the window. Methods:
the query alone (cos(q, v_i)) and personalised (+ w · cos(p_u, v_i), rec_utils.recommend.search), w chosen on
validation.

New products: products first sold in the window are ranked for each customer with a history who bought at
least one of them, by rec_utils.recommend.cold_start.new_item_scores (neighbourhood size chosen on
validation); relevant: the new products the customer bought in the window.

Both report NDCG@k and hit-rate@k per customer (rec_utils.evaluation.ranking) with customer-bootstrap
intervals and paired differences (rec_utils.evaluation.resampling). Settings are chosen on the protocol's
validation stage (its window ends at the cut); the test stage (history before the cut, the test window after
it) is scored once with them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from rec_utils.evaluation.protocol import Protocol
from rec_utils.evaluation.ranking import hit_rate_at_k, ndcg_at_k
from rec_utils.evaluation.resampling import Comparison, mean_table, paired_differences
from rec_utils.features.text_vectors import Vectorizer, combined_vectorizer, cosine_similarity, text_vectorizer
from rec_utils.recommend.cold_start import new_item_scores
from rec_utils.recommend.search import combine_scores, customer_profiles
from rec_utils.recommend.topk import top_k_from_scores

RANDOM = "random order (no content)"  # the new-product baseline: nothing about a new product is known but its text

VectorizerFactory = Callable[[Sequence[str]], Vectorizer]  # corpus -> vectorizer


def default_vectorizers(catalog: pd.DataFrame, **encode_kwargs) -> dict[str, VectorizerFactory]:
    """{"TF-IDF": fitted on the corpus it is given (the bag-of-words baseline), "MiniLM": pretrained, with
    the whole catalogue's descriptions encoded once, "blend": the mean of both cosines (weight fixed at
    1/2, not tuned; notebook 09's search benchmark tunes its BM25/MiniLM "hybrid" instead)}. The first is the
    baseline every other one is compared with. encode_kwargs: for rec_utils.features.text_encoder.encode_texts
    (device, batch_size, ...)."""
    minilm = text_vectorizer("minilm", catalog["Description"].fillna(""), **encode_kwargs)
    return {"TF-IDF": lambda corpus: text_vectorizer("tfidf", corpus), "MiniLM": lambda corpus: minilm,
            "blend": lambda corpus: combined_vectorizer(text_vectorizer("tfidf", corpus), minilm)}


def pseudo_query(description: str, n_words: int, rng: np.random.Generator) -> str:
    """`n_words` content words (3+ letters, no stop word) of `description`, lower case, in their order;
    at most all but one of them, so the query never repeats the whole description."""
    words = [w for w in description.lower().replace("-", " ").split()
             if len(w) >= 3 and w.isalpha() and w not in ENGLISH_STOP_WORDS]
    if not words:
        return description.lower()
    take = max(1, min(n_words, len(words) - 1))
    return " ".join(words[i] for i in np.sort(rng.choice(len(words), size=take, replace=False)))


def _bought(frame: pd.DataFrame, customers: pd.Index, items: pd.Index) -> sp.csr_matrix:
    """(customers, items) distinct invoices per pair; rows/columns not in the indexes are dropped."""
    rows, cols = customers.get_indexer(frame["CustomerID"]), items.get_indexer(frame["StockCode"])
    keep = (rows >= 0) & (cols >= 0)
    pairs = pd.DataFrame({"r": rows[keep], "c": cols[keep], "inv": frame["InvoiceNo"].to_numpy()[keep]})
    counts = pairs.drop_duplicates().groupby(["r", "c"]).size()
    return sp.csr_matrix((counts.to_numpy(float), (counts.index.get_level_values(0), counts.index.get_level_values(1))),
                         shape=(len(customers), len(items)))


def searchable(history: pd.DataFrame) -> tuple[pd.Index, np.ndarray]:
    """The products sold before the window (sorted StockCodes) and their popularity (customers who bought each)."""
    items = pd.Index(np.sort(history["StockCode"].unique()))
    popularity = history.groupby("StockCode", observed=True)["CustomerID"].nunique().reindex(items)
    return items, popularity.to_numpy(float)


def search_queries(history: pd.DataFrame, window: pd.DataFrame, items: pd.Index, descriptions: pd.Series, *,
                   n_words: int = 2, seed: int = 0) -> pd.DataFrame:
    """One pseudo-query per customer with a history and a window purchase of a product in `items`:
    CustomerID, StockCode (the target, from their first window invoice, chosen at random), query.
    history, window: transaction lines before and inside the window (Protocol.history_and_window)."""
    known = window[window["CustomerID"].isin(history["CustomerID"]) & window["StockCode"].isin(items)]
    first = known.sort_values(["InvoiceDate", "InvoiceNo"]).groupby("CustomerID", observed=True)["InvoiceNo"].first()
    lines = known[known["InvoiceNo"].isin(first.to_numpy())].drop_duplicates(["CustomerID", "StockCode"])
    lines = lines.sort_values(["CustomerID", "StockCode"])
    rng = np.random.default_rng(seed)
    picked = lines.groupby("CustomerID", observed=True)["StockCode"].agg(lambda s: s.iloc[rng.integers(len(s))])
    queries = picked.rename("StockCode").reset_index()
    queries["query"] = [pseudo_query(descriptions[code], n_words, rng) for code in queries["StockCode"]]
    return queries


def _per_customer(scores: np.ndarray, relevant: sp.csr_matrix, k: int) -> dict[str, np.ndarray]:
    recommended = top_k_from_scores(scores, k)
    return {f"ndcg@{k}": ndcg_at_k(recommended, relevant, k), f"hit_rate@{k}": hit_rate_at_k(recommended, relevant, k)}


def _descriptions(catalog: pd.DataFrame) -> pd.Series:
    return catalog.set_index("StockCode")["Description"].fillna("")


def search_metrics(history: pd.DataFrame, window: pd.DataFrame, catalog: pd.DataFrame,
                   vectorizers: dict[str, VectorizerFactory], interest_weights: Sequence[float], *, k: int = 10,
                   n_words: int = 2, seed: int = 0) -> pd.DataFrame:
    """Per-customer NDCG@k and hit-rate@k of search with queries from `window` among the products of
    `history`, for every vectorizer and interest weight.

    Returns a frame indexed by CustomerID with columns (metric, vectorizer, weight).
    """
    descriptions = _descriptions(catalog)
    items, popularity = searchable(history)
    queries = search_queries(history, window, items, descriptions, n_words=n_words, seed=seed)
    customers = pd.Index(queries["CustomerID"])
    targets = items.get_indexer(queries["StockCode"])
    relevant = sp.csr_matrix((np.ones(len(queries)), (np.arange(len(queries)), targets)),
                             shape=(len(queries), len(items)))
    bought = _bought(history, customers, items)
    item_texts = descriptions.reindex(items).tolist()
    columns = {}
    for name, factory in vectorizers.items():
        vectorize = factory(item_texts)
        item_vectors = vectorize(item_texts)
        query_vectors = vectorize(queries["query"].tolist())
        match = cosine_similarity(query_vectors, item_vectors)
        interest = cosine_similarity(customer_profiles(bought, item_vectors), item_vectors)
        for weight in interest_weights:
            scores = combine_scores(match, interest, weight, popularity)
            for metric, values in _per_customer(scores, relevant, k).items():
                columns[(metric, name, weight)] = values
    return pd.DataFrame(columns, index=customers)


def _first_sold_in(window: pd.DataFrame, history: pd.DataFrame) -> pd.Index:
    """StockCodes sold in `window` and never in `history`, sorted."""
    return pd.Index(np.sort(np.setdiff1d(window["StockCode"].unique(), history["StockCode"].unique())))


def new_product_metrics(history: pd.DataFrame, window: pd.DataFrame, catalog: pd.DataFrame,
                        vectorizers: dict[str, VectorizerFactory], neighbourhoods: Sequence[int], *,
                        k: int = 10, seed: int = 0) -> pd.DataFrame:
    """Per-customer NDCG@k and hit-rate@k of ranking the window's new products by content similarity to each
    customer's history, for every vectorizer and neighbourhood size: columns (metric, vectorizer, n_neighbours);
    and of a seeded random order of the new products, the baseline without content: columns (metric, RANDOM, 0)."""
    descriptions = _descriptions(catalog)
    old = pd.Index(np.sort(history["StockCode"].unique()))
    new = _first_sold_in(window, history)
    if len(new) < k:
        raise ValueError(f"only {len(new)} products were first sold in the window; k={k} needs more")
    buyers = window[window["StockCode"].isin(new) & window["CustomerID"].isin(history["CustomerID"])]
    customers = pd.Index(np.sort(buyers["CustomerID"].unique()), name="CustomerID")
    relevant = (_bought(buyers, customers, new) > 0).astype(float).tocsr()
    bought = _bought(history, customers, old)
    old_texts, new_texts = descriptions.reindex(old).tolist(), descriptions.reindex(new).tolist()
    columns = {}
    for name, factory in vectorizers.items():
        vectorize = factory(old_texts + new_texts)  # the new products' descriptions are known at launch
        old_vectors, new_vectors = vectorize(old_texts), vectorize(new_texts)
        for n in neighbourhoods:
            scores = new_item_scores(bought, old_vectors, new_vectors, n_neighbours=n)
            for metric, values in _per_customer(scores, relevant, k).items():
                columns[(metric, name, n)] = values
    random_scores = np.random.default_rng(seed).random((len(customers), len(new)))
    for metric, values in _per_customer(random_scores, relevant, k).items():
        columns[(metric, RANDOM, 0)] = values
    return pd.DataFrame(columns, index=customers)


def _choose(validation: pd.DataFrame, metric: str) -> dict[str, object]:
    """For each vectorizer, the setting with the best mean `metric` on validation (ties: the first)."""
    means = validation[metric].mean()
    return {name: means[name].idxmax() for name in means.index.get_level_values(0).unique()}


def _plain(value: object) -> object:
    """numpy scalars as Python numbers (for printing and JSON)."""
    return value.item() if isinstance(value, np.generic) else value


def _comparison(test: pd.DataFrame, columns: dict[str, tuple[str, object]], pairs: list[tuple[str, str]],
                metric: str, n_boot: int, seed: int, chosen: dict, protocol: str) -> Comparison:
    values = {label: test[(metric, name, setting)].to_numpy() for label, (name, setting) in columns.items()}
    per_customer = pd.DataFrame(values, index=test.index)
    hits = {label: test[(metric.replace("ndcg", "hit_rate"), name, setting)].to_numpy()
            for label, (name, setting) in columns.items()}
    table = mean_table(values, n_boot=n_boot, seed=seed).add_prefix(f"{metric} ")
    table = table.join(mean_table(hits, n_boot=n_boot, seed=seed).drop(columns="n")
                       .add_prefix(f"{metric.replace('ndcg', 'hit_rate')} "))
    return Comparison(table.rename(columns={f"{metric} n": "customers"}),
                      paired_differences(values, pairs, n_boot=n_boot, seed=seed), per_customer, chosen, protocol)


def search_comparison(transactions: pd.DataFrame, catalog: pd.DataFrame, protocol: Protocol,
                      vectorizers: dict[str, VectorizerFactory] | None = None, *,
                      interest_weights: Sequence[float] = (0.0, 0.1, 0.25, 0.5, 1.0, 2.0), k: int = 10,
                      n_words: int = 2, n_boot: int = 1000, seed: int = 0) -> Comparison:
    """Search with each vectorizer, plain and personalised, under `protocol`: the interest weight is chosen on
    the validation stage, the test stage is scored once. table: NDCG@k and hit-rate@k with 95% intervals;
    paired: NDCG@k differences (each vectorizer - the first, plain and personalised; personalised - plain for
    each); chosen: {"interest_weight": {vectorizer: weight}}."""
    vectorizers = default_vectorizers(catalog) if vectorizers is None else vectorizers
    validation = search_metrics(*protocol.history_and_window(transactions, "validation"), catalog, vectorizers,
                                interest_weights, k=k, n_words=n_words, seed=seed)
    metric = f"ndcg@{k}"
    chosen = {name: _plain(value) for name, value in _choose(validation, metric).items()}
    history, window = protocol.history_and_window(transactions, "test")
    test = search_metrics(history, window, catalog, vectorizers, sorted({0.0, *chosen.values()}), k=k,
                          n_words=n_words, seed=seed)
    names = list(vectorizers)
    columns = {}
    for name in names:
        columns[name] = (name, 0.0)
        columns[f"{name} + interest"] = (name, chosen[name])
    pairs = [(f"{other}{s}", f"{names[0]}{s}") for other in names[1:] for s in ("", " + interest")]
    pairs += [(f"{n} + interest", n) for n in names]
    described = (f"search, {protocol.describe_stage('test')}; {len(test):,} customers, one pseudo-query each "
                 f"({n_words} words of a product in their first window invoice) among the "
                 f"{history['StockCode'].nunique():,} products sold before the cut; interest weight chosen on the "
                 f"validation window: {chosen}")
    return _comparison(test, columns, pairs, metric, n_boot, seed, {"interest_weight": chosen}, described)


def new_product_comparison(transactions: pd.DataFrame, catalog: pd.DataFrame, protocol: Protocol,
                           vectorizers: dict[str, VectorizerFactory] | None = None, *,
                           neighbourhoods: Sequence[int] = (5, 20, 100), k: int = 10, n_boot: int = 1000,
                           seed: int = 0) -> Comparison:
    """New-product cold start with each vectorizer under `protocol`: the neighbourhood size is chosen on the
    validation stage, the test stage is scored once. table: NDCG@k and hit-rate@k with 95% intervals; paired:
    NDCG@k differences of each vectorizer - the first, and of the first - a random order (RANDOM, the baseline
    without content: no purchase of a new product is known at launch); chosen: {"n_neighbours": {vectorizer: size}}."""
    vectorizers = default_vectorizers(catalog) if vectorizers is None else vectorizers
    validation = new_product_metrics(*protocol.history_and_window(transactions, "validation"), catalog,
                                     vectorizers, neighbourhoods, k=k, seed=seed)
    metric = f"ndcg@{k}"
    chosen = {name: _plain(value) for name, value in _choose(validation, metric).items() if name != RANDOM}
    history, window = protocol.history_and_window(transactions, "test")
    test = new_product_metrics(history, window, catalog, vectorizers, sorted(set(chosen.values())), k=k, seed=seed)
    names = list(vectorizers)
    columns = {**{name: (name, chosen[name]) for name in names}, RANDOM: (RANDOM, 0)}
    described = (f"new products, {protocol.describe_stage('test')}; {len(_first_sold_in(window, history)):,} "
                 f"products first sold in the window, ranked for the {len(test):,} customers with a history who "
                 f"bought one; neighbourhood size chosen on the validation window: {chosen}")
    return _comparison(test, columns, [(other, names[0]) for other in names[1:]] + [(names[0], RANDOM)], metric,
                       n_boot, seed, {"n_neighbours": chosen}, described)
