"""Chapters: the experiment code of one notebook each, so that the notebook stays a lesson of short calls.

A chapter module may import every layer (runtime, data, simulation, features, models, recommend, evaluation); no layer
imports a chapter, and no chapter imports another (what two notebooks share belongs in a layer).

    click_model     notebook 06: the click log, ceilings by inputs, baselines, the user-interest model and its
                    ablation, the learning curve, predictions for notebook 07
"""
