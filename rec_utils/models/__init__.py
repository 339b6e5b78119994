"""Models: what learns from features. Imports runtime, data, simulation and features only.

factorization (SVD, gradient-descent MF, implicit ALS), similarity (cosine: the worked example, item-item,
text), logistic (the formula, the propensity pipeline, exact contributions), click_model (the backend-agnostic
Keras click model), logged_click_model (the click model trained once on logged impressions, as a score table),
bandits (exploration policies: ε-greedy, UCB1, Thompson sampling, LinUCB, linear Thompson sampling).
"""
