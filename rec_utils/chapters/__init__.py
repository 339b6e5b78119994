"""Chapters: one package per notebook, so that the notebook stays a lesson of short calls. Each holds the code only
its notebook runs and re-exports every name the notebook uses; the notebook imports it as one namespace
(`from rec_utils.chapters import click_model as ch`).

A chapter may import every layer (runtime, data, simulation, features, models, recommend, evaluation, figures); no
layer imports a chapter, and no chapter imports another (what two notebooks share belongs in a layer).

    environment, data_preparation, matrix_factorization, cosine_similarity, logistic_regression,
    feature_extraction   notebooks 00-05: namespaces of the layers' names (their methods are the layers' own)
    click_model      notebook 06: the click log, ceilings by inputs, baselines, the user-interest model and its
                     ablation, the learning curve, predictions for notebook 07
    model_evaluation notebook 07: a namespace of the evaluation layer's names (06's predictions come from
                     click_model, which the notebook imports itself)
    personalized     notebook 08: a namespace of the layers' names (tags, top-K with reasons, cold start)
    language_model   notebook 09: the pretrained language model's search benchmarks, personalised search, new
                     products, tag stability; the text-tower comparison of benchmarks/text_encoder_uses.py
    explore_exploit  notebook 10: result tables of bandit runs over seeds, curves over rounds, the taste drift
    scenarios        notebook 11: association rules, profiles, launch audiences, markets, notebook 07's recap,
                     the summary's lesson for each verdict
    privacy          notebook 12: the privacy-utility sweep and its readings in words
    interpretability_fairness
                     notebook 13: the readings of its explanation and fairness rows in words
    scale_out        notebook 14: the Spark pipeline, its session, the scaling sweep and what it supports
"""
