"""How much log each model needs: validation AUC of the strongest baselines and the interest model trained on nested
subsets of the training users (the validation users are fixed; the test users are not looked at).

    curve = learning_curve(data, sizes=(300, 600, 1200, 2400), full=(trained full model))
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rec_utils.chapters.click_model.baselines import LOGISTIC, SUMMARY_NAMES, TREES, fit_baselines
from rec_utils.chapters.click_model.data import ClickData
from rec_utils.chapters.click_model.deep import FULL, ModelSpec, train_variant
from rec_utils.evaluation.grouped_auc import auc_log_loss_table
from rec_utils.runtime.progress import progress_bar

CURVE_MODELS = (f"{LOGISTIC}{SUMMARY_NAMES['full']}", f"{TREES}{SUMMARY_NAMES['full']}", FULL)


def learning_curve(data: ClickData, sizes: tuple[int, ...], learning_rate: float,
                   at_full_size: dict[str, np.ndarray], *, show_progress: bool | None = None) -> pd.DataFrame:
    """Validation ROC-AUC with 95% user-bootstrap intervals of CURVE_MODELS trained on the first `sizes` training
    users of a seeded order (nested subsets), and at the full training split from `at_full_size` ({model:
    validation predictions} of the models already trained on it). Returns one row per (training users, model):
    columns "training users", "model", "ROC-AUC", "ROC-AUC low", "ROC-AUC high"."""
    users = data.impressions["user_id"].to_numpy()
    train_users = np.unique(users[data.masks["train"]])
    order = np.random.default_rng(data.config.seed).permutation(train_users)
    sizes = sorted(s for s in sizes if s < len(train_users))
    validation = data.masks["validation"]
    groups, y = users[validation], data.y[validation]
    rows = []
    for size in progress_bar([*sizes, len(train_users)], desc="learning curve", unit="size", enabled=show_progress):
        if size == len(train_users):
            scores = {name: at_full_size[name] for name in CURVE_MODELS}
        else:
            subset = np.isin(users, order[:size]) & data.masks["train"]
            baselines, _ = fit_baselines(data, train_rows=subset, histories=("full",))
            deep = train_variant(data, ModelSpec(), learning_rate, train_rows=subset)
            scores = {**{name: p["validation"] for name, p in baselines.items()}, FULL: deep.predictions["validation"]}
        table = auc_log_loss_table(y, scores, groups=groups, n_boot=data.config.n_boot, seed=data.config.seed)
        rows += [{"training users": size, "model": name, **table.loc[name, ["ROC-AUC", "ROC-AUC low",
                                                                           "ROC-AUC high"]].to_dict()}
                 for name in CURVE_MODELS]
    return pd.DataFrame(rows)
