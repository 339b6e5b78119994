"""Evaluation: measuring models and lists, with intervals. Imports every layer before it.

ranking (precision/recall/NDCG/MAP/hit-rate@k per user, coverage, novelty, diversity, evaluate_ranking),
probability (ROC-AUC, PR-AUC, log-loss, Brier with bootstrap and paired intervals; thresholds; calibration),
concentration (how concentrated purchases or exposure are: top shares, Gini), off_policy (IPS, SNIPS, direct
method, doubly robust, replay), bandit_results (bandit runs over seeds: intervals, horizon tables, leaders).
"""
