"""Models: what learns from features. Imports runtime, data, simulation and features only.

factorization (SVD, gradient-descent MF, implicit ALS), similarity (cosine: the worked example, item-item,
text), logistic (the formula, the propensity pipeline, exact contributions), click_model (the backend-agnostic
Keras click model), text_tower (a click model whose text tower reads frozen sentence embeddings).
"""
