"""Evaluation: measuring models and lists, with intervals. Imports every layer before it.

ranking (precision/recall/NDCG/MAP/hit-rate@k per user, coverage, novelty, diversity, evaluate_ranking),
protocol (the frozen evaluation protocol: one global time cut, validation and test windows, tasks new_items and
next_basket, cold-start customers apart), comparison (compare_recommenders: per-customer metrics, customer-bootstrap
intervals, paired differences from the strongest baseline), tuning (seeded search within a budget on validation
only; the validation procedure that chooses a recommender), choice (notebook 07's saved choice, recomputed when
missing), probability (ROC-AUC, PR-AUC, log-loss, Brier with bootstrap and paired intervals; thresholds;
calibration), concentration (how concentrated purchases or exposure are).
"""
