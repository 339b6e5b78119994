"""Notebook 06's experiment in one call, for a notebook that needs its predictions (07) and finds them missing.

    run_click_experiment(config, path)      # ceilings, baselines, the article's model, the interest model and its
                                            # ablation; predictions saved to path
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from rec_utils.chapters.click_model.article import ARTICLE, train_article_model
from rec_utils.chapters.click_model.baselines import fit_baselines
from rec_utils.chapters.click_model.ceilings import ceiling_predictions
from rec_utils.chapters.click_model.data import ClickExperimentConfig, prepare_click_data
from rec_utils.chapters.click_model.deep import FULL, ablation_specs, choose_learning_rate, train_variant
from rec_utils.chapters.click_model.predictions import save_click_predictions


def run_click_experiment(config: ClickExperimentConfig, path: Path | None = None) -> dict[str, dict[str, np.ndarray]]:
    """Every prediction notebook 06 saves (ceilings, baselines, the article's model, the interest model with its
    learning rate chosen on validation, and its ablation), saved to `path` (default: notebook 06's results folder).
    Returns {name: {"validation": p, "test": p}}."""
    data = prepare_click_data(config)
    ceilings, _ = ceiling_predictions(data)
    baselines, _ = fit_baselines(data)
    _, article = train_article_model(data)
    specs = ablation_specs()
    full, _ = choose_learning_rate(data, specs[FULL])
    trained = {FULL: full.predictions}
    for name, spec in specs.items():
        if name != FULL:
            trained[name] = train_variant(data, spec, full.learning_rate).predictions
    predictions = {**ceilings, **baselines, ARTICLE: article, **trained}
    save_click_predictions(data, predictions, baselines=list(baselines), path=path)
    return predictions
