"""Chapters: the experiment code of one notebook each, so that the notebook stays a lesson of short calls.

A chapter may import every layer (runtime, data, simulation, features, models, recommend, evaluation, figures); no
layer imports a chapter, and no chapter imports another (what two notebooks share belongs in a layer).

    click_model      notebook 06: the click log, ceilings by inputs, baselines, the user-interest model and its
                     ablation, the learning curve, predictions for notebook 07
    language_model   notebook 08's pretrained-language-model part: search benchmarks, personalised search, new
                     products, tag stability; the text-tower comparison of benchmarks/text_encoder_uses.py
    explore_exploit  notebook 09: result tables of bandit runs over seeds, curves over rounds, the taste drift
    scenarios        notebook 10: association rules, profiles, launch audiences, markets, notebook 07's recap,
                     the summary's lesson for each verdict
    privacy          notebook 11: the privacy-utility sweep and its purchase pairs
    scale_out        notebook 12: the Spark pipeline, its session, the scaling sweep and what it supports
"""
