"""Models: what learns from features. Imports runtime, data, simulation and features only.

factorization (SVD, gradient-descent MF, implicit ALS), similarity (cosine: the worked example, item-item,
text), logistic (the formula, the propensity pipeline, exact contributions), trees (gradient-boosted trees on the
same propensity features), propensity_words (that pipeline
with the description's words), click_model (the backend-agnostic Keras click model of the article), interest
(the click model with a user-interest tower: DIN attention or mean pooling over earlier clicks), text_tower (a
click model whose text tower reads frozen sentence embeddings), logged_click_model (the click model trained once
on logged impressions, as a score table), bandits (exploration policies: ε-greedy, UCB1, Thompson sampling),
linear_bandits (LinUCB, linear Thompson sampling), privacy (contribution clipping, Laplace/Gaussian mechanisms on
item counts, dp-accounting accountants), private_training (the logistic model in Keras ops: SGD, DP-SGD, federated
averaging), association (association rules on baskets by sparse pair counts), distributed (data-parallel
training of the click model with keras.distribution).
"""
