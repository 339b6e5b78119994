"""Evaluation: measuring models and lists, with intervals. Imports every layer before it.

The protocol and its comparisons
    protocol          the frozen evaluation protocol: one global time cut, validation and test windows,
                      tasks new_items and next_basket, cold-start customers apart
    comparison        compare_recommenders: per-customer metrics, intervals, paired differences from the
                      strongest baseline
    tuning            seeded search within a budget on validation only; the procedure that chooses a recommender
    choice, recap     notebook 07's saved choice and headline, read or recomputed by the same procedure
    resampling        the one customer-bootstrap engine: resamples, intervals of means, ratios, paired
                      differences; exact fast customer-bootstrap ROC-AUC and log-loss for many models at once
    claims            the wording a paired interval supports; the "what we measured" table
Metrics
    ranking           precision/recall/NDCG/MAP/hit-rate@k per user, coverage, novelty, diversity
    probability       ROC-AUC, PR-AUC, log-loss, Brier with bootstrap and paired intervals; thresholds;
                      calibration
    concentration     how concentrated purchases or exposure are (top shares, Gini)
Studies
    text_retrieval, tag_stability, text_tower    the pretrained text encoder against bag-of-words
    rules, profiles, launch, markets, purchase_pairs    the application scenarios (notebook 10)
    explain, fairness, privacy_utility           interpretability, exposure fairness, utility against ε (notebook 11)
    off_policy, bandit_results                   off-policy estimators; bandit runs over seeds (notebook 09)
"""
