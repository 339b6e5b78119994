"""Evaluation: measuring models and lists, with intervals. Imports every layer before it.

ranking (precision/recall/NDCG/MAP/hit-rate@k per user, coverage, novelty, diversity, evaluate_ranking),
protocol (the frozen evaluation protocol: one global time cut, validation and test windows, tasks new_items and
next_basket, cold-start customers apart), comparison (compare_recommenders: per-customer metrics, customer-bootstrap
intervals, paired differences from the strongest baseline), tuning (seeded search within a budget on validation
only; the validation procedure that chooses a recommender), choice (notebook 07's saved choice, recomputed when
missing), probability (ROC-AUC, PR-AUC, log-loss, Brier with bootstrap and paired intervals; thresholds;
calibration), concentration (how concentrated purchases or exposure are), resampling (customer-bootstrap intervals
of means, pooled ratios and paired differences), per_customer (means and paired differences of per-customer values
with customer-bootstrap intervals), explain (logistic contributions, integrated gradients, permutation importance
per input), fairness (exposure by item group vs merit, metrics by customer group, exposure-aware re-ranking), rules
(association rules evaluated forward in time), profiles (precision of interest tags), launch (new-product
targeting), markets (countries as markets: transfer vs local models), recap (notebook 07's protocol headline, read
or recomputed), claims (what a paired interval supports; the "what we measured" table), purchase_pairs (the
purchase-propensity task on the protocol's windows), privacy_utility (accuracy of private models against ε under
the protocol), text_retrieval (search and new-product cold
start on a time cut, per text representation), tag_stability (chance-corrected stability of interest tags across
a cut), text_tower (learned vs frozen text embeddings in the click model), off_policy (IPS, SNIPS, direct method,
doubly robust, replay), bandit_results (bandit runs over seeds: intervals, horizon tables, leaders).
"""
