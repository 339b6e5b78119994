"""Models: what learns from features. Imports runtime, data, simulation and features only.

factorization (SVD, gradient-descent MF, implicit ALS), similarity (cosine: the worked example, item-item,
text), logistic (the formula, the propensity pipeline, exact contributions), propensity_words (that pipeline
with the description's words), click_model (the backend-agnostic Keras click model of the article), interest
(the click model with a user-interest tower: DIN attention or mean pooling over earlier clicks).
"""
