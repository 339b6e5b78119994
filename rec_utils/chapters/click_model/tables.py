"""Notebook 06's tables: every model and ceiling on the test users with customer-bootstrap intervals, paired
differences, each model's gap to the ceiling for its own inputs, and the breakdowns by title and by history length.

    table = ablation_table(data, predictions, reference, reads)     # reads: {model: "none" | "clicked" | "full"}
    compare(data, predictions, a, b)                                # paired test AUC difference a - b
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.linear_model import LinearRegression

from rec_utils.chapters.click_model.ceilings import CEILING_FULL, CEILING_NONE, CEILING_OF, CEILINGS, ORACLE
from rec_utils.chapters.click_model.data import ClickData
from rec_utils.evaluation.claims import supported
from rec_utils.evaluation.grouped_auc import auc_log_loss_table
from rec_utils.runtime.device import keras_backend, visible_gpus
from rec_utils.simulation.clicks import title_class_word

Predictions = dict[str, dict[str, np.ndarray]]  # {model: {"validation": p, "test": p}}


def ablation_table(data: ClickData, predictions: Predictions, reference: str, reads: dict[str, str],
                   deep: tuple[str, ...] = ()) -> pd.DataFrame:
    """Test ROC-AUC and log-loss of every model and ceiling with customer-bootstrap 95% intervals, the paired AUC
    difference against `reference`, what each model reads of the past (`reads`), the ceiling for those inputs and
    the model's gap to it, and the image features and device behind each row (`deep`: the Keras models)."""
    test = data.masks["test"]
    table = auc_log_loss_table(data.y[test], {name: p["test"] for name, p in predictions.items()},
                               groups=data.impressions.loc[test, "user_id"].to_numpy(), reference=reference,
                               n_boot=data.config.n_boot, seed=data.config.seed)
    table["reads of the past"] = [reads.get(name, "-") for name in table.index]
    table["ceiling for its inputs"] = [CEILING_OF.get(reads.get(name), "-") for name in table.index]
    table["gap to that ceiling"] = [table.loc[CEILING_OF[reads[name]], "ROC-AUC"] - table.loc[name, "ROC-AUC"]
                                    if name in reads else np.nan for name in table.index]
    table["image features"] = ["-" if name in CEILINGS or "without image" in name else data.encoded.label
                               for name in table.index]
    device = "GPU" if visible_gpus() else "CPU"
    computed = {ORACLE: "simulator (exact)", CEILING_NONE: "simulator (quadrature)",
                CEILING_FULL: "simulator (importance sampling)"}
    table["computed by"] = [computed.get(name, f"{device}, Keras {keras_backend()}" if name in deep
                                         else "CPU, scikit-learn") for name in table.index]
    return table


def ablation_records(table: pd.DataFrame) -> dict[str, dict[str, float | str]]:
    """The ablation table as {row: {column: value}} for save_metrics: the display-only columns dropped and each
    empty cell (a ceiling has no gap to a ceiling) left out rather than saved as NaN."""
    shown = table.drop(columns=["image features", "computed by", "ceiling for its inputs"])
    return {name: {column: value for column, value in row.items() if not (isinstance(value, float) and np.isnan(value))}
            for name, row in shown.to_dict(orient="index").items()}


def compare(data: ClickData, predictions: Predictions, a: str, b: str, rows: np.ndarray | None = None
            ) -> dict[str, float]:
    """Paired test AUC difference a − b over customer resamples (restricted to test `rows`, a boolean mask over the
    test impressions, when given): {"difference", "low", "high", "auc_a", "auc_b", "impressions"}."""
    test = data.masks["test"]
    rows = np.ones(test.sum(), dtype=bool) if rows is None else rows
    table = auc_log_loss_table(data.y[test][rows], {a: predictions[a]["test"][rows], b: predictions[b]["test"][rows]},
                               groups=data.impressions.loc[test, "user_id"].to_numpy()[rows], reference=b,
                               n_boot=data.config.n_boot, seed=data.config.seed)
    return {"difference": float(table.loc[a, "Δ AUC vs reference"]), "low": float(table.loc[a, "Δ low"]),
            "high": float(table.loc[a, "Δ high"]), "auc_a": float(table.loc[a, "ROC-AUC"]),
            "auc_b": float(table.loc[b, "ROC-AUC"]), "impressions": int(rows.sum())}


def gap_to_ceiling(data: ClickData, predictions: Predictions, reads: dict[str, str]) -> pd.DataFrame:
    """For every model, its ceiling's AUC minus its own with the paired interval over test users."""
    rows = {name: compare(data, predictions, CEILING_OF[kind], name) for name, kind in reads.items()}
    return pd.DataFrame(rows).T.rename(columns={"auc_a": "ceiling AUC", "auc_b": "model AUC"})


def image_gain_by_title(data: ClickData, predictions: Predictions, with_image: str, without: str) -> pd.DataFrame:
    """Where do images add signal? The paired test AUC difference with − without the image part, on impressions
    whose title has its own class word, none, or a wrong one."""
    items = data.impressions.loc[data.masks["test"], "item_id"].to_numpy()
    status = title_class_word(data.simulation.catalog).to_numpy()[items]
    return pd.DataFrame({title: compare(data, predictions, with_image, without, rows=status == title)
                         for title in ("own class word", "no class word", "wrong class word")}).T


MIN_SPAN = 0.005  # AUC; below it the two ceilings nearly coincide and a share of their gap is noise


def history_length_table(data: ClickData, predictions: Predictions, models: list[str]) -> pd.DataFrame:
    """Test AUC by the number of earlier sessions of the user (0 to sessions_per_user - 1): the `models` and the
    ceilings, and the share of the gap between the two ceilings that each model closes,
    (AUC_model - AUC_none) / (AUC_full - AUC_none), where AUC_none is the ceiling without history; NaN where the
    gap is below MIN_SPAN (with no earlier session the two ceilings are the same probability)."""
    test = data.masks["test"]
    earlier = (data.history.mask[test].sum(axis=1) // data.simulation.config.items_per_session)
    users = data.impressions.loc[test, "user_id"].to_numpy()
    rows = []
    for sessions in np.unique(earlier):
        inside = earlier == sessions
        names = [*models, CEILING_NONE, CEILING_FULL, ORACLE]
        table = auc_log_loss_table(data.y[test][inside], {n: predictions[n]["test"][inside] for n in names},
                                   groups=users[inside], n_boot=data.config.n_boot, seed=data.config.seed)
        auc = table["ROC-AUC"]
        span = auc[CEILING_FULL] - auc[CEILING_NONE]
        rows.append({"earlier sessions": int(sessions), "impressions": int(inside.sum()), **auc.to_dict(),
                     **{f"share closed: {n}": (auc[n] - auc[CEILING_NONE]) / span if span > MIN_SPAN else np.nan
                        for n in models}})
    return pd.DataFrame(rows).set_index("earlier sessions")


def taste_coordinates_recovered(data: ClickData) -> float:
    """R² of the simulator's pixel components z (the coordinates the visual taste acts on) regressed linearly on the
    models' image features, over the catalogue: how much of what the ceiling knows about an item's look the models
    can read from its features."""
    z = data.simulation.components
    return float(LinearRegression().fit(data.image, z).score(data.image, z))


def comparison_sentence(result: dict[str, float], a: str, b: str) -> str:
    """'AUC(a) - AUC(b) = +0.005 [+0.003, +0.007]: a is above b (...)' from a `compare` result: only what the paired
    interval supports."""
    digits = 4 if min(abs(result["low"]), abs(result["high"])) >= 5e-5 else 5  # a bound never prints as ±0.0000
    interval = f"{result['difference']:+.{digits}f} [{result['low']:+.{digits}f}, {result['high']:+.{digits}f}]"
    return f"AUC({a}) - AUC({b}) = {interval}: {supported(result['low'], result['high'], a, b)}"
