"""Every issue-15 function once on the embedded Online Retail data, with the numbers it gives and how long it takes.

    python benchmarks/responsible_smoke.py                   # cut 2011-09-01, all sections (a few minutes)
    python benchmarks/responsible_smoke.py --quick           # smaller grids, one market, fewer resamples
    python benchmarks/responsible_smoke.py --sections privacy fairness

Sections: scenarios (categories, association rules forward in time, RFM and tags, launch targeting,
countries as markets), privacy (DP counts for popularity and item-kNN, DP-SGD and federated averaging of the
logistic model), explain (logistic contributions, integrated gradients, permutation importance per input),
fairness (exposure by item group vs merit, NDCG and AUC by customer group, exposure-aware re-ranking).
One time cut: transactions before it train, the products customers buy after it (new to them) are relevant.
Intervals are 95% customer-bootstrap intervals. Seconds are wall time on this machine (noisy under load).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np
import pandas as pd
import scipy.sparse as sp

SECTIONS = ("scenarios", "privacy", "explain", "fairness")


def _say(title: str, table=None, started: float | None = None) -> None:
    elapsed = f"  [{time.perf_counter() - started:.1f} s]" if started is not None else ""
    print(f"\n== {title}{elapsed}")
    if table is not None:
        print(table.round(4).to_string() if hasattr(table, "round") else table)


def scenarios(t: pd.DataFrame, catalog: pd.DataFrame, cut: pd.Timestamp, quick: bool, n_boot: int) -> None:
    from rec_utils.chapters.scenarios.launch import launch_targeting, new_products
    from rec_utils.chapters.scenarios.markets import cross_market_ndcg, cross_market_table
    from rec_utils.chapters.scenarios.profiles import categories_bought, tag_precision_table
    from rec_utils.chapters.scenarios.rules import evaluate_rules, hit_rate_table, seed_baskets
    from rec_utils.features.categories import (
        UNCATEGORISED,
        categorize,
        category_coverage,
        category_profiles,
        category_tags,
    )
    from rec_utils.features.segments import rfm_segments
    from rec_utils.models.association import mine_rules, value_support
    from rec_utils.recommend.launch import tfidf_embedder

    start = time.perf_counter()
    categories = categorize(catalog["Description"])
    _say(f"categories: {category_coverage(categories):.3f} of products, "
         f"{category_coverage(categories, catalog['n_invoices']):.3f} of invoice lines covered",
         categories.value_counts(), start)
    product_category = pd.Series(categories.astype(str).to_numpy(), index=catalog["StockCode"])
    t = t.assign(category=t["StockCode"].map(product_category).to_numpy())
    before, after = t[t["InvoiceDate"] < cut], t[t["InvoiceDate"] >= cut]
    for column, min_support in (("StockCode", 0.005), ("category", 0.01)):
        start = time.perf_counter()
        b, a = before, after
        if column == "category":
            b, a = b[b["category"] != UNCATEGORISED], a[a["category"] != UNCATEGORISED]
        rules = mine_rules(b, column, min_support=min_support, min_confidence=0.1)
        evaluated = evaluate_rules(rules, seed_baskets(a, column, seed=0), value_support(b, column), n=3)
        table = hit_rate_table(evaluated, n_boot=n_boot)
        _say(f"rules on {column}: {len(rules)} rules (support >= {min_support}, confidence >= 0.1); "
             f"hit rate@3 on {table.attrs['n_baskets']} baskets after the cut", table, start)
        print(rules.head(5).round(3).to_string())
    start = time.perf_counter()
    segments = rfm_segments(t, cut)
    _say("RFM segments before the cut (median recency, frequency, monetary)",
         segments.groupby("segment")[["recency_days", "frequency", "monetary"]].median().assign(
             customers=segments["segment"].value_counts()), start)
    start = time.perf_counter()
    tags = category_tags(category_profiles(before, product_category, reference_date=cut), 2)
    common = [c for c in before["category"].value_counts().index if c != UNCATEGORISED]
    table = tag_precision_table(tags, categories_bought(after[after["category"] != UNCATEGORISED]), common,
                                n_boot=n_boot)
    _say(f"precision of 2 category tags before the cut on categories bought after ({table.attrs['n_customers']} "
         "customers)", table, start)
    start = time.perf_counter()
    launches = new_products(t, cut, window_days=30)
    embed = tfidf_embedder(pd.concat([before["Description"], launches["Description"]]).astype(str).unique())
    for top_n in ((100,) if quick else (50, 100, 200)):
        table = launch_targeting(before, launches, embed, top_n=top_n, n_boot=n_boot)
        _say(f"launch targeting, top {top_n} of {table.attrs['n_customers']} customers: share of first buyers "
             f"reached ({table.attrs['n_products']} new products, {table.attrs['n_first_purchases']} first "
             f"purchases; random expects {table.attrs['random_expected']:.4f})", table, start)
    for target in (("Germany",) if quick else ("Germany", "France", ("Belgium", "Spain", "Switzerland",
                                                                       "Portugal", "Netherlands", "Italy"))):
        start = time.perf_counter()
        table = cross_market_table(cross_market_ndcg(before, after, target, k=10, n_factors=32), n_boot=n_boot)
        _say(f"cross-market NDCG@10 on {target}: trained on United Kingdom (source), locally, on all", table, start)


def _cut_interactions(t: pd.DataFrame, cut: pd.Timestamp):
    from rec_utils.data.interactions import build_interactions
    return build_interactions(t[t["InvoiceDate"] < cut], t[t["InvoiceDate"] >= cut])


def privacy(t: pd.DataFrame, cut: pd.Timestamp, quick: bool, n_boot: int) -> None:
    from sklearn.metrics import roc_auc_score

    from rec_utils.data.split import split_by_customer
    from rec_utils.evaluation.probability import bootstrap_ci
    from rec_utils.evaluation.ranking import ndcg_at_k
    from rec_utils.evaluation.resampling import mean_interval
    from rec_utils.features.propensity import propensity_dataset
    from rec_utils.models.logistic import logistic_pipeline
    from rec_utils.models.privacy import (
        clip_items_per_customer,
        dp_sgd_epsilon,
        item_counts,
        private_item_counts,
        similarity_from_counts,
    )
    from rec_utils.models.private_training import federated_averaging, predict_logistic, train_logistic_sgd
    from rec_utils.models.similarity import keep_top_n_per_row
    from rec_utils.recommend.scorers import item_knn_scores
    from rec_utils.recommend.topk import top_k

    data = _cut_interactions(t, cut)
    users = data.test_users

    def ndcg(score):
        recommended = top_k(score, data.train.shape[0], 10, exclude=data.train, users=users)
        return mean_interval(ndcg_at_k(recommended, data.test[users], 10), n_boot=n_boot)

    rows = []
    start = time.perf_counter()
    exact_pop = np.asarray((data.train > 0).sum(axis=0)).ravel().astype(float)
    rows.append(("popularity", "non-private", np.inf, *ndcg(lambda b: np.broadcast_to(exact_pop, (len(b),
                                                                                              exact_pop.size)))))
    for epsilon in ((1.0,) if quick else (0.1, 0.5, 1.0, 4.0)):
        for mechanism in ("laplace", "gaussian"):
            noisy, info = private_item_counts(data.train, "popularity", max_items=50, mechanism=mechanism,
                                              epsilon=epsilon, delta=1e-6, seed=0)
            rows.append(("popularity", f"{mechanism} m=50", epsilon,
                         *ndcg(lambda b, v=noisy: np.broadcast_to(v, (len(b), v.size)))))
    def knn(counts, min_count=0.0):  # cosine from counts, each item's 50 nearest neighbours (post-processing)
        similarity = similarity_from_counts(counts, min_count=min_count)
        return item_knn_scores(data.train, keep_top_n_per_row(sp.csr_matrix(similarity), 50))

    rows.append(("item_knn", "non-private", np.inf, *ndcg(knn(item_counts(data.train, "cooccurrence")))))
    rows.append(("item_knn", "clipped m=20, no noise", np.inf,
                 *ndcg(knn(item_counts(clip_items_per_customer(data.train, 20, seed=0), "cooccurrence")))))
    for epsilon in ((4.0,) if quick else (1.0, 4.0, 16.0)):
        noisy, info = private_item_counts(data.train, "cooccurrence", max_items=20, mechanism="gaussian",
                                          epsilon=epsilon, delta=1e-6, seed=0)
        rows.append(("item_knn", "gaussian m=20", epsilon, *ndcg(knn(noisy))))
        rows.append(("item_knn", "gaussian m=20, counts < 3 sigma -> 0", epsilon,
                     *ndcg(knn(noisy, 3 * info["gaussian_sigma"]))))
    _say(f"DP counts: NDCG@10 of {len(users)} customers after the cut vs epsilon (delta 1e-6 for Gaussian; "
         f"clipping keeps {info['kept_share']:.3f} of purchases at m=20)",
         pd.DataFrame(rows, columns=["model", "release", "epsilon", "ndcg", "low", "high"]), start)

    start = time.perf_counter()
    pairs = propensity_dataset(t, label_days=28, seed=0)
    train, test = split_by_customer(pairs, 0.25, seed=0)
    pipeline = logistic_pipeline().fit(train, train["label"])
    X_train, X_test = pipeline[:-1].transform(train), pipeline[:-1].transform(test)
    y_train, y_test = train["label"].to_numpy(float), test["label"].to_numpy(float)

    def auc(p):
        return bootstrap_ci(y_test, p, roc_auc_score, n_boot=n_boot, groups=test["CustomerID"].to_numpy())

    rows = [("scikit-learn LogisticRegression", np.inf, *auc(pipeline.predict_proba(test)[:, 1]))]
    epochs, batch = 3, 256
    model, info = train_logistic_sgd(X_train, y_train, epochs=epochs, batch_size=batch, learning_rate=0.5, seed=0,
                                     show_progress=False)
    rows.append(("Keras SGD", np.inf, *auc(predict_logistic(model, X_test))))
    for z in ((1.0,) if quick else (0.6, 1.0, 2.0)):
        model, info = train_logistic_sgd(X_train, y_train, epochs=epochs, batch_size=batch, learning_rate=0.5,
                                         l2_norm_clip=1.0, noise_multiplier=z, seed=0, show_progress=False)
        epsilon = dp_sgd_epsilon(info["sampling_probability"], z, info["steps"], 1e-5)
        rows.append((f"DP-SGD per pair z={z} C=1 ({info['steps']} steps, q={info['sampling_probability']:.4f})",
                     epsilon, *auc(predict_logistic(model, X_test))))
    customers = train["CustomerID"].to_numpy()
    for z in ((1.0,) if quick else (0.8, 1.0, 2.0, 4.0)):
        model, info = train_logistic_sgd(X_train, y_train, epochs=10, batch_size=64, learning_rate=2.0,
                                         l2_norm_clip=1.0, noise_multiplier=z, groups=customers, seed=0,
                                         show_progress=False)
        epsilon = dp_sgd_epsilon(info["sampling_probability"], z, info["steps"], 1e-5)
        rows.append((f"DP-SGD per customer z={z} C=1 ({info['steps']} steps, q={info['sampling_probability']:.4f})",
                     epsilon, *auc(predict_logistic(model, X_test))))
    _say(f"DP-SGD on {len(X_train)} pairs of {info['n_units']} customers, delta = 1e-5; epsilon protects one pair "
         "or one customer (all their pairs): test ROC-AUC", pd.DataFrame(rows, columns=["model", "epsilon", "auc",
                                                                                      "low", "high"]), start)

    start = time.perf_counter()
    country = train["country"].where(train["country"].isin(train["country"].value_counts().index[:5]), "other")
    masks = {c: (country == c).to_numpy() for c in sorted(set(country))}
    clients = {c: (X_train[mask], y_train[mask]) for c, mask in masks.items()}
    rounds = 3 if quick else 5
    _, history = federated_averaging(clients, rounds=rounds, local_epochs=1, batch_size=256, learning_rate=0.5,
                                     evaluate=lambda m: {"auc": roc_auc_score(y_test, predict_logistic(m, X_test))})
    central, _ = train_logistic_sgd(X_train, y_train, epochs=rounds, batch_size=256, learning_rate=0.5, seed=0,
                                    show_progress=False)
    _say(f"federated averaging over {len(clients)} country clients ({', '.join(clients)}) vs central SGD with "
         f"the same epochs: central AUC {roc_auc_score(y_test, predict_logistic(central, X_test)):.4f}",
         pd.DataFrame(history), start)


def explain(t: pd.DataFrame, quick: bool) -> None:
    import keras
    from sklearn.metrics import roc_auc_score

    from rec_utils.data.split import split_by_customer
    from rec_utils.evaluation.explain import (
        contribution_matrix,
        global_contributions,
        integrated_gradients,
        permutation_importance_by_input,
    )
    from rec_utils.features.propensity import propensity_dataset
    from rec_utils.features.text import Tokenizer
    from rec_utils.models.logistic import logistic_pipeline

    start = time.perf_counter()
    pairs = propensity_dataset(t, label_days=28, seed=0)
    train, test = split_by_customer(pairs, 0.25, seed=0)
    pipeline = logistic_pipeline().fit(train, train["label"])
    matrix = contribution_matrix(pipeline, test)
    gap = np.abs(matrix.sum(axis=1) - pipeline.decision_function(test)).max()
    _say(f"logistic contributions on {len(test)} test pairs (max |sum - logit| = {gap:.1e})",
         global_contributions(matrix), start)

    start = time.perf_counter()
    keras.utils.set_random_seed(0)
    descriptions = t.groupby("StockCode", observed=True)["Description"].first()
    tokenizer = Tokenizer.fit(descriptions.astype(str), max_len=6)

    def inputs(frame):
        return {"features": pipeline[:-1].transform(frame).astype("float32"),
                "title_tokens": tokenizer.transform(frame["StockCode"].map(descriptions).astype(str))}

    train_inputs, test_inputs = inputs(train), inputs(test)
    feature_in = keras.Input((train_inputs["features"].shape[1],), name="features")
    token_in = keras.Input((6,), dtype="int32", name="title_tokens")
    text = keras.layers.GlobalAveragePooling1D()(keras.layers.Embedding(tokenizer.size, 8)(token_in))
    hidden = keras.layers.Dense(16, activation="relu")(keras.layers.Concatenate()([feature_in, text]))
    model = keras.Model({"features": feature_in, "title_tokens": token_in},
                        keras.layers.Dense(1, activation="sigmoid")(hidden))
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.fit(train_inputs, train["label"].to_numpy(), epochs=1 if quick else 2, batch_size=512, verbose=0)
    sample = {k: v[:200] for k, v in test_inputs.items()}
    result = integrated_gradients(model, sample, steps=32)
    names = list(pipeline[:-1].get_feature_names_out())
    mean_abs = pd.Series(np.abs(result["attributions"]["features"]).mean(axis=0), index=names)
    _say(f"integrated gradients (32 trapezoid steps, zero baseline) on 200 test pairs of a small Keras model: "
         f"max |completeness gap| = {np.abs(result['completeness_gap']).max():.2e}",
         mean_abs.sort_values(ascending=False).head(8), start)
    start = time.perf_counter()

    def predict(batch):
        return model.predict(batch, batch_size=4096, verbose=0).ravel()

    table = permutation_importance_by_input(predict, test_inputs, test["label"].to_numpy(), roc_auc_score,
                                            n_repeats=2 if quick else 5)
    _say("permutation importance per input (ROC-AUC drop)", table, start)


def fairness(t: pd.DataFrame, catalog: pd.DataFrame, cut: pd.Timestamp, quick: bool, n_boot: int) -> None:
    from rec_utils.evaluation.fairness import (
        disparate_treatment_ratio,
        exposure_table,
        exposure_target,
        item_exposure,
        mean_by_group,
        popularity_buckets,
        rerank_for_exposure,
    )
    from rec_utils.evaluation.ranking import ndcg_at_k
    from rec_utils.features.segments import customer_groups
    from rec_utils.recommend.scorers import fit_recommender
    from rec_utils.recommend.topk import top_k

    data = _cut_interactions(t, cut)
    users = data.test_users
    n_items = data.train.shape[1]
    popularity = np.asarray((data.train > 0).sum(axis=0)).ravel()
    merit = np.asarray(data.test[users].sum(axis=0)).ravel()
    buckets = popularity_buckets(popularity)
    first_seen = catalog.set_index("StockCode")["first_seen"].reindex(data.items)
    newness = np.where(first_seen >= cut - pd.Timedelta(days=90), "new (<90 days)", "established")
    groups = customer_groups(t, cut).reindex(data.users[users])
    for name in (("popularity", "item_knn") if quick else ("popularity", "item_knn", "truncated_svd")):
        start = time.perf_counter()
        score = fit_recommender(name, data.train, n_factors=32, seed=0)
        candidates = top_k(score, data.train.shape[0], 100, exclude=data.train, users=users)
        ndcg = ndcg_at_k(candidates, data.test[users], 10)
        exposure = item_exposure(candidates[:, :10], n_items)
        for label, item_groups in (("popularity bucket", buckets), ("newness", newness)):
            table = exposure_table(exposure, merit, item_groups)
            _say(f"{name}: exposure by {label} (top 10; merit = purchases after the cut; TV gap "
                 f"{table.attrs['gap']:.3f})", table[["n_items", "exposure_share", "merit_share",
                                                      "exposure_to_merit"]], start)
            if label == "popularity bucket":
                print(f"disparate treatment ratio tail/head: {disparate_treatment_ratio(table, 'tail', 'head'):.3f}")
        for column in ("country", "activity", "tenure"):
            print(f"-- NDCG@10 by {column}")
            print(mean_by_group(ndcg, groups[column].to_numpy(), n_boot=n_boot).round(4).to_string())
        target = exposure_target(t[t["InvoiceDate"] < cut], data.items, buckets, cut)  # known before the cut
        rows = []
        for strength in ((0.0, 0.5) if quick else (0.0, 0.1, 0.25, 0.5, 1.0)):
            reranked = rerank_for_exposure(candidates, buckets, 10, strength, target)
            gap = exposure_table(item_exposure(reranked, n_items), merit, buckets).attrs["gap"]
            rows.append({"strength": strength, "ndcg@10": np.nanmean(ndcg_at_k(reranked, data.test[users], 10)),
                         "exposure_gap": gap})
        _say(f"{name}: exposure-aware re-ranking of the top 100 to 10 (target = each bucket's share of the "
             "buyers in the 30 days before the cut)",
             pd.DataFrame(rows), start)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cut", default="2011-09-01", help="time cut (YYYY-MM-DD)")
    parser.add_argument("--sections", nargs="+", choices=SECTIONS, default=list(SECTIONS))
    parser.add_argument("--quick", action="store_true", help="smaller grids and fewer resamples")
    args = parser.parse_args(argv)
    os.environ.setdefault("INTEREST_LAB_PROGRESS", "0")
    from rec_utils.data.tables import load_processed

    pd.set_option("display.width", 200)
    t, catalog = load_processed("transactions"), load_processed("catalog")
    cut, n_boot = pd.Timestamp(args.cut), 50 if args.quick else 200
    for section in args.sections:
        started = time.perf_counter()
        if section == "scenarios":
            scenarios(t, catalog, cut, args.quick, n_boot)
        elif section == "privacy":
            privacy(t, cut, args.quick, n_boot)
        elif section == "explain":
            explain(t, args.quick)
        else:
            fairness(t, catalog, cut, args.quick, n_boot)
        print(f"\n#### section {section}: {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
