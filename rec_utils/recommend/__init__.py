"""Recommend: turning models into ranked lists for customers. Imports every layer before it (not evaluation).

topk (batched top-K selection), scorers (score functions for popularity, item-kNN, factor models and the
propensity model; fitting a matrix recommender by name), baselines (all-time, recent and in-country popularity,
buy-again), recommenders (RecommenderSpec: every recommender by name with its hyper-parameters and search space),
interest (interest tags and recommendation reasons), cold_start (new customers, new products, by TF-IDF or
embeddings), search (free-text search, personalised with interest profiles), zero_shot_tags (readable interest
labels assigned by sentence-embedding similarity), launch (audiences for a new product: content profiles,
activity, random), private (popularity and item-kNN from differentially private counts).
"""
