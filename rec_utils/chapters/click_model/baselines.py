"""Notebook 06's baselines: logistic regression and gradient-boosted trees, each reading the user's past through a
fixed hand-made summary: none, the clicked ids (rec_utils.features.history.history_summary) or the full behaviour
history (rec_utils.features.behaviour.full_history_summary). Each is tuned on the validation users only.

    baselines, tuning = fit_baselines(data)          # {name: {"validation": p, "test": p}}, the tuning table
    strongest_baseline(data, baselines)              # the name with the highest validation AUC

Their predictions and tuning are kept in data/trained/06_click_model/ by a fingerprint of the code, the settings and
the data (rec_utils.runtime.trained), like the networks': a run with the same ones reads them.
"""

from __future__ import annotations

import hashlib
import sys

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from rec_utils.chapters.click_model.data import ClickData
from rec_utils.data.fashion import CLASS_NAMES
from rec_utils.features.attributes import query_ids
from rec_utils.features.behaviour import full_history_summary, query_class_profile
from rec_utils.features.click_features import ClickFeatures, Summary
from rec_utils.features.history import history_summary
from rec_utils.runtime.threads import single_threaded
from rec_utils.runtime.trained import train_once

LOGISTIC, TREES = "logistic regression", "gradient-boosted trees"
SUMMARY_NAMES = {"none": "", "clicked": " + clicked-ids summary", "full": " + full-history summary"}
STORE_FOLDER = "06_click_model"  # data/trained/06_click_model/, beside the networks
TUNING_COLUMNS = ["baseline", "setting", "validation AUC", "chosen"]
TREE_HISTORIES = ("none", "full")  # the trees' cost is most of the baselines'; the clicked ids get the regression
BASELINES = tuple(f"{model}{SUMMARY_NAMES[h]}" for h in SUMMARY_NAMES for model in (LOGISTIC, TREES)
                  if model == LOGISTIC or h in TREE_HISTORIES)


def summary_kind(name: str) -> str:
    """Which history a baseline of this name reads: "none", "clicked" or "full"."""
    return next((kind for kind, suffix in SUMMARY_NAMES.items() if suffix and name.endswith(suffix)), "none")


def history_block(data: ClickData, kind: str, rows: np.ndarray | None = None) -> Summary | None:
    """The baselines' history summary of kind "none" | "clicked" | "full" for the impressions `rows` (a boolean
    mask or indices; default all): None, or (features (n, s), names). The full summary's query → class profile is
    estimated on training impressions only."""
    if kind == "none":
        return None
    history = data.history_of(kind)
    rows = np.arange(len(data.y)) if rows is None else rows
    items = data.impressions["item_id"].to_numpy()[rows]
    if kind == "clicked":
        one_hot = data.attributes[:, 1:]
        return history_summary(history.items[rows], items, one_hot, data.image, data.attributes[:, 0])
    train = data.masks["train"]
    profile = query_class_profile(query_ids(data.impressions[train], data.tokenizer), data.item_class[
        data.impressions.loc[train, "item_id"].to_numpy()], data.y[train], data.tokenizer.size, len(CLASS_NAMES))
    return full_history_summary(history.rows(rows), items, data.item_class, len(CLASS_NAMES), data.image,
                                data.attributes[:, 0], profile)


def fit_baselines(data: ClickData, *, logistic_c: tuple[float, ...] = (0.1, 1.0), tree_rate: float = 0.1,
                  max_trees: int = 200, tree_step: int = 25, train_rows: np.ndarray | None = None,
                  histories: tuple[str, ...] = tuple(SUMMARY_NAMES)
                  ) -> tuple[dict[str, dict[str, np.ndarray]], pd.DataFrame]:
    """Logistic regression (query one-hot, title words, query × class crosses, price, class, image components, the
    history summary, standardised) for each history kind, and gradient-boosted trees on the same information for the
    kinds of TREE_HISTORIES. Tuned on validation AUC: C for the regression; the number of trees (every `tree_step`
    up to `max_trees`, one fit read at each stage) for the trees. `train_rows` (boolean over impressions; default:
    the training split) trains on fewer users (the learning curve). Returns ({name: {"validation": p, "test": p}},
    tuning table). The regressions run on one thread (repeatable last digits); the trees use every core. Read from
    data/trained/ when this code fitted them on the same settings and data (rec_utils.runtime.trained)."""
    rows = data.masks["train"] if train_rows is None else train_rows
    stem = "baselines-" + "+".join(histories)
    if train_rows is not None:
        stem += f"-{np.unique(data.impressions['user_id'].to_numpy()[train_rows]).size}users"
    settings = {**data.fingerprint(), "logistic_c": list(logistic_c), "tree_rate": tree_rate, "max_trees": max_trees,
                "tree_step": tree_step, "histories": list(histories),
                "train_rows": hashlib.sha256(np.packbits(rows).tobytes()).hexdigest()[:16]}
    stored = train_once(STORE_FOLDER, stem, settings, (sys.modules[__name__],), lambda: (_as_arrays(*_fit_baselines(
        data, logistic_c, tree_rate, max_trees, tree_step, rows, histories)), None))
    return _from_arrays(stored.arrays)


def _as_arrays(predictions: dict[str, dict[str, np.ndarray]], tuning: pd.DataFrame) -> dict[str, np.ndarray]:
    """fit_baselines' results as plain arrays (no pickled objects): the names, p<i>_<split> (float32, as the networks'
    predictions: half the bytes; the AUCs move by about 1e-8), tuning_<column>."""
    arrays = {"names": np.array(list(predictions))}
    for i, scores in enumerate(predictions.values()):
        arrays.update({f"p{i}_{split}": scores[split].astype(np.float32) for split in ("validation", "test")})
    return {**arrays, **{f"tuning_{column}": np.array(tuning[column].tolist()) for column in TUNING_COLUMNS}}


def _from_arrays(arrays: dict[str, np.ndarray]) -> tuple[dict[str, dict[str, np.ndarray]], pd.DataFrame]:
    predictions = {str(name): {split: arrays[f"p{i}_{split}"] for split in ("validation", "test")}
                   for i, name in enumerate(arrays["names"])}
    return predictions, pd.DataFrame({column: arrays[f"tuning_{column}"].tolist() for column in TUNING_COLUMNS})


def _fit_baselines(data: ClickData, logistic_c: tuple[float, ...], tree_rate: float, max_trees: int, tree_step: int,
                   train_rows: np.ndarray, histories: tuple[str, ...]
                   ) -> tuple[dict[str, dict[str, np.ndarray]], pd.DataFrame]:
    rows = {"train": train_rows, "validation": data.masks["validation"], "test": data.masks["test"]}
    y = {split: data.y[mask] for split, mask in rows.items()}
    features = ClickFeatures(data.attributes, data.image).fit(data.impressions[rows["train"]])
    base = {split: features.transform(data.impressions[mask]) for split, mask in rows.items()}  # shared by kinds
    tree_base = {split: features.tree_features(data.impressions[mask]) for split, mask in rows.items()
                 } if set(histories) & set(TREE_HISTORIES) else {}
    predictions, tuning = {}, []
    for kind in histories:
        block = _standardised({split: history_block(data, kind, mask) for split, mask in rows.items()})
        X = {split: features.with_history(base[split], block[split]) for split in rows}
        name = f"{LOGISTIC}{SUMMARY_NAMES[kind]}"
        scored = {}
        with single_threaded():
            for c in logistic_c:
                model = LogisticRegression(C=c, max_iter=3000).fit(X["train"], y["train"])
                scored[f"C={c:g}"] = {s: model.predict_proba(X[s])[:, 1] for s in ("validation", "test")}
        _choose(name, scored, y["validation"], predictions, tuning)
        if kind not in TREE_HISTORIES:
            continue
        T = {split: features.tree_with_history(tree_base[split], block[split]) for split in rows}
        trees = HistGradientBoostingClassifier(learning_rate=tree_rate, max_iter=max_trees, early_stopping=False,
                                               categorical_features=T["train"][1], random_state=data.config.seed)
        trees.fit(T["train"][0], y["train"])
        scored: dict[str, dict[str, np.ndarray]] = {}
        for split in ("validation", "test"):
            for n, p in enumerate(trees.staged_predict_proba(T[split][0]), start=1):
                if n % tree_step == 0:
                    scored.setdefault(f"{n} trees", {})[split] = p[:, 1]
        _choose(f"{TREES}{SUMMARY_NAMES[kind]}", scored, y["validation"], predictions, tuning)
    return predictions, pd.DataFrame(tuning)


def _standardised(blocks: dict[str, Summary | None]) -> dict[str, Summary | None]:
    """Each summary column centred and scaled by its training mean and standard deviation (the regression's solver
    converges in far fewer steps; the trees are unaffected)."""
    if blocks["train"] is None:
        return blocks
    mean, std = blocks["train"][0].mean(axis=0), blocks["train"][0].std(axis=0) + 1e-6
    return {split: ((values - mean) / std, names) for split, (values, names) in blocks.items()}


def _choose(name: str, scored: dict[str, dict[str, np.ndarray]], y_validation: np.ndarray,
            predictions: dict, tuning: list) -> None:
    """Keep the setting of `scored` with the highest validation AUC under `name`; record every setting tried."""
    auc = {setting: roc_auc_score(y_validation, p["validation"]) for setting, p in scored.items()}
    best = max(auc, key=auc.get)
    predictions[name] = scored[best]
    tuning += [{"baseline": name, "setting": s, "validation AUC": a, "chosen": s == best} for s, a in auc.items()]


def strongest_baseline(data: ClickData, baselines: dict[str, dict[str, np.ndarray]]) -> str:
    """The baseline with the highest validation AUC (the test users are not looked at)."""
    y = data.y[data.masks["validation"]]
    return max(baselines, key=lambda name: roc_auc_score(y, baselines[name]["validation"]))
