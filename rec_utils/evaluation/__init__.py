"""Evaluation: measuring models and lists, with intervals. Imports every layer before it.

The protocol and its comparisons
    protocol          the frozen evaluation protocol: one global time cut, validation and test windows,
                      tasks new_items and next_basket, cold-start customers apart
    comparison        compare_recommenders: per-customer metrics, intervals, paired differences from the
                      strongest baseline
    tuning            seeded search within a budget on validation only; the procedure that chooses a recommender
    choice            notebook 07's saved choice, read or recomputed by the same procedure
    purchase_pairs    the purchase-propensity pairs laid on the protocol's windows (notebooks 12 and 13)
    resampling        the one customer-bootstrap engine: resamples, intervals of means, ratios, paired
                      differences
    grouped_auc       exact fast customer-bootstrap ROC-AUC and log-loss for many models at once
    claims            the wording a paired interval supports; the "what we measured" table
Metrics
    ranking           precision/recall/NDCG/MAP/hit-rate@k per user, coverage, novelty, diversity
    probability       ROC-AUC, PR-AUC, log-loss, Brier with bootstrap and paired intervals; thresholds;
                      calibration
    concentration     how concentrated purchases or exposure are (top shares, Gini)
Measures of responsibility and of logged decisions
    explain           integrated gradients and their completeness check
    fairness          exposure under position bias, group metrics, an exposure-aware re-ranker
    off_policy        IPS, SNIPS, DM and DR estimators of a policy's value from a logged run

The experiments that only one notebook runs live in rec_utils.chapters, not here.
"""
