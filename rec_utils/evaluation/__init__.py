"""Evaluation: measuring models and lists, with intervals. Imports every layer before it.

ranking (precision/recall/NDCG/MAP/hit-rate@k per user, coverage, novelty, diversity, evaluate_ranking),
probability (ROC-AUC, PR-AUC, log-loss, Brier with bootstrap and paired intervals; thresholds; calibration),
grouped_bootstrap (the same customer-bootstrap intervals for many models at once, vectorised), concentration
(how concentrated purchases or exposure are).
"""
