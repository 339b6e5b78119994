"""Recommend: turning models into ranked lists for customers. Imports every layer before it (not evaluation).

topk (batched top-K selection), scorers (score functions for popularity, item-kNN, factor models and the
propensity model; fitting a recommender by name), interest (interest tags and recommendation reasons),
cold_start (new customers, new products), launch (audiences for a new product: content profiles, activity,
random).
"""
