"""Notebook 06's click-model experiment as functions, so that other notebooks can load or rebuild its predictions.

    config = ClickExperimentConfig()                 # the defaults of notebook 06
    data = prepare_click_data(config)                # simulated log, splits by user, image features, inputs
    ceilings = ceiling_predictions(data)             # oracle, E[p|inputs] with and without history
    baselines, tuning = fit_baselines(data)          # logistic regression and boosted trees, tuned on validation
    trained = train_cells(data, cells())             # the Keras factorial ablation and the mean-pool variant
    save_click_predictions(data, {**ceilings, **baselines, **trained})

    load_click_predictions()                         # what notebook 07 calls: the saved file when it is valid
                                                     # for the config, else the experiment is run again

Predictions: one row per validation and test impression (columns ID_COLUMNS, then one column per model or
ceiling, probabilities). The file reports/06_click_predictions.parquet carries the config, the image
encoder's label and the device in its metadata. `retail_comparison` is the notebook's real-data part.

Top-level module (it uses every layer): simulation, features, models and evaluation.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from itertools import combinations
from pathlib import Path

import keras
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from sklearn.decomposition import PCA
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from rec_utils.data.fashion import CLASS_NAMES, load_fashion_mnist
from rec_utils.data.split import split_by_customer, split_groups
from rec_utils.evaluation.resampling import auc_log_loss_table
from rec_utils.features.attributes import (
    ItemTables,
    click_model_inputs,
    encode_attributes,
    interest_model_inputs,
    item_tables,
)
from rec_utils.features.click_features import ClickFeatures
from rec_utils.features.image_encoder import EncodedImages, encode_images, parse_image_encoder
from rec_utils.features.propensity import CATEGORICAL_FEATURES, NUMERIC_FEATURES, propensity_dataset
from rec_utils.features.propensity_sampling import propensity_dataset_by_popularity
from rec_utils.features.text import Tokenizer
from rec_utils.models.click_model import build_click_model, predict, train_click_model
from rec_utils.models.interest import build_interest_model
from rec_utils.models.logistic import logistic_pipeline
from rec_utils.models.propensity_words import logistic_words_pipeline
from rec_utils.runtime.device import keras_backend, seed_everything, visible_gpus
from rec_utils.runtime.io import atomic_path, read_cache
from rec_utils.runtime.paths import relative
from rec_utils.runtime.progress import progress_bar
from rec_utils.runtime.runs import artefact_dir, find_artefact
from rec_utils.runtime.threads import single_threaded
from rec_utils.simulation.ceilings import achievable_probability, history_probability, monte_carlo_achievable
from rec_utils.simulation.clicks import Simulation, SimulatorConfig, simulate, title_class_word

PREDICTIONS_NAME = "06_click_predictions.parquet"  # under reports/ (or a non-default run's own folder)
PRODUCER = "06_click_model"
ID_COLUMNS = ["user_id", "session_id", "search_keywords", "item_id", "clicked", "history_length", "split"]
ORACLE = "oracle: true p (knows the hidden taste)"
ACHIEVABLE_HISTORY = "achievable with history: E[p | query, item, earlier sessions]"
ACHIEVABLE = "achievable without history: E[p | query, item]"
CEILINGS = (ORACLE, ACHIEVABLE_HISTORY, ACHIEVABLE)
ARTICLE = "article's model, made runnable (text + image + attributes)"
FUSED = "text + image + attributes"
INTEREST = "text + image + attributes + history"
MEAN_POOL = "text + image + attributes + history (mean pool)"
PARTS = ("text", "image", "attributes", "history")
LOGISTIC, LOGISTIC_HISTORY = "logistic regression", "logistic regression + history"
TREES, TREES_HISTORY = "gradient-boosted trees", "gradient-boosted trees + history"
BASELINES = (LOGISTIC, LOGISTIC_HISTORY, TREES, TREES_HISTORY)


@dataclass(frozen=True)
class ClickExperimentConfig:
    """Every setting of the experiment (notebook 06's parameters of the same names)."""

    seed: int = 42
    n_items: int = 2000
    n_users: int = 800
    sessions_per_user: int = 6
    history_len: int = 10
    image_encoder: str = "catalog-pretrained"
    image_size: int = 32
    encoder_epochs: int = 2
    image_components: int = 16
    epochs: int = 20
    batch_size: int = 512
    patience: int = 3
    n_boot: int = 200
    is_samples: int = 1000

    def simulator(self) -> SimulatorConfig:
        return SimulatorConfig(n_items=self.n_items, n_users=self.n_users, sessions_per_user=self.sessions_per_user,
                               history_length=self.history_len, seed=self.seed)


@dataclass
class ClickData:
    """The prepared experiment: the simulation, user splits (boolean masks over impressions), the image
    features (encoded and reduced to `image_components` standardised principal components fitted on training
    items), item attributes, the tokenizer, item tables, every model input and the labels."""

    config: ClickExperimentConfig
    simulation: Simulation
    masks: dict[str, np.ndarray]
    encoded: EncodedImages
    image: np.ndarray
    attributes: np.ndarray
    tokenizer: Tokenizer
    tables: ItemTables
    inputs: dict[str, np.ndarray]
    y: np.ndarray
    baseline_features: dict[bool, ClickFeatures] = field(default_factory=dict)

    @property
    def impressions(self) -> pd.DataFrame:
        return self.simulation.impressions

    def part(self, split: str) -> dict[str, np.ndarray]:
        """The model inputs of one split ("train", "validation", "test")."""
        return {name: values[self.masks[split]] for name, values in self.inputs.items()}


def prepare_click_data(config: ClickExperimentConfig = ClickExperimentConfig()) -> ClickData:
    """Simulate on the Fashion-MNIST test photos, split users 60/20/20, encode the product photos with
    `config.image_encoder` (training it on the train split when needed) and assemble every input."""
    images, labels, _ = load_fashion_mnist("test")
    simulation = simulate(images, labels, config.simulator())
    impressions, catalog = simulation.impressions, simulation.catalog
    masks = dict(zip(("train", "validation", "test"),
                     split_groups(impressions["user_id"].to_numpy(), (0.6, 0.2, 0.2), seed=config.seed)))
    photos = catalog["image_index"].to_numpy()
    needs_training = parse_image_encoder(config.image_encoder).kind in {"catalog-pretrained", "vgg16-finetuned"}
    encoded = encode_images(images[photos], config.image_encoder, labels=labels[photos],
                            train_split=load_fashion_mnist("train")[:2] if needs_training else None,
                            image_size=config.image_size, seed=config.seed, epochs=config.encoder_epochs)
    train_items = np.unique(impressions.loc[masks["train"], "item_id"])
    standardised = (encoded.features - encoded.features[train_items].mean(axis=0)) / (
        encoded.features[train_items].std(axis=0) + 1e-6)
    with single_threaded():  # LAPACK's last digits must not depend on the machine's thread count
        image = PCA(n_components=config.image_components, random_state=config.seed).fit(
            standardised[train_items]).transform(standardised)
    image = (image / image[train_items].std(axis=0)).astype(np.float32)
    attributes, _ = encode_attributes(catalog["price"], catalog["category"], len(CLASS_NAMES))
    train_rows = impressions[masks["train"]]
    tokenizer = Tokenizer.fit(pd.concat([train_rows["search_keywords"], train_rows["product_description"]]),
                              max_len=4)
    return ClickData(config=config, simulation=simulation, masks=masks, encoded=encoded, image=image,
                     attributes=attributes, tokenizer=tokenizer,
                     tables=item_tables(catalog, tokenizer, image, attributes),
                     inputs=interest_model_inputs(impressions, tokenizer, config.history_len),
                     y=impressions["clicked"].to_numpy())


def split_predictions(data: ClickData, values: np.ndarray) -> dict[str, np.ndarray]:
    """{"validation": ..., "test": ...} of a per-impression array."""
    return {split: np.asarray(values)[data.masks[split]] for split in ("validation", "test")}


def ceiling_predictions(data: ClickData) -> tuple[dict[str, dict[str, np.ndarray]], dict[str, float]]:
    """The three ceilings for validation and test impressions, and diagnostics of their Monte Carlo error.

    Diagnostics: quadrature vs forward Monte Carlo on a sample of impressions (largest |z|, mean |difference|,
    mean standard error), the importance sampling's mean standard error and median effective sample size, and
    the test AUC of the history ceiling recomputed with an independent seed.
    """
    with single_threaded():  # repeatable last digits (BLAS in the Monte Carlo matrix products)
        return _ceiling_predictions(data)


def _ceiling_predictions(data: ClickData) -> tuple[dict[str, dict[str, np.ndarray]], dict[str, float]]:
    simulation, config = data.simulation, data.config
    achievable = achievable_probability(simulation)
    rows = np.flatnonzero(data.masks["test"])[::25]
    monte_carlo, error = monte_carlo_achievable(simulation, rows, n_samples=40_000, seed=config.seed)
    users = np.unique(data.impressions.loc[data.masks["validation"] | data.masks["test"], "user_id"])
    estimate = history_probability(simulation, users, n_samples=config.is_samples, seed=config.seed)
    with_history = np.full(len(data.y), np.nan)
    with_history[estimate.rows] = estimate.probability
    repeat = history_probability(simulation, np.unique(data.impressions.loc[data.masks["test"], "user_id"]),
                                 n_samples=config.is_samples, seed=config.seed + 1)
    diagnostics = {
        "quadrature_vs_monte_carlo_max_abs_z": float(np.max(np.abs(achievable[rows] - monte_carlo) / error)),
        "quadrature_vs_monte_carlo_mean_abs_diff": float(np.mean(np.abs(achievable[rows] - monte_carlo))),
        "monte_carlo_mean_se": float(error.mean()), "monte_carlo_rows": int(len(rows)),
        "history_mean_se": float(estimate.standard_error.mean()),
        "history_median_ess": float(np.median(estimate.effective_samples)),
        "history_test_auc_seed_a": float(roc_auc_score(data.y[repeat.rows], with_history[repeat.rows])),
        "history_test_auc_seed_b": float(roc_auc_score(data.y[repeat.rows], repeat.probability)),
    }
    oracle = data.impressions["p_click"].to_numpy()
    return ({ORACLE: split_predictions(data, oracle), ACHIEVABLE_HISTORY: split_predictions(data, with_history),
             ACHIEVABLE: split_predictions(data, achievable)}, diagnostics)


def _baseline_features(data: ClickData, history: bool) -> ClickFeatures:
    if history not in data.baseline_features:
        train_rows = data.impressions[data.masks["train"]]
        data.baseline_features[history] = ClickFeatures(
            data.attributes, data.image, history_len=data.config.history_len if history else 0).fit(train_rows)
    return data.baseline_features[history]


def fit_baselines(data: ClickData, *, logistic_c: tuple[float, ...] = (0.1, 1.0),
                  tree_settings: tuple[tuple[float, int], ...] = ((0.1, 100), (0.05, 300))
                  ) -> tuple[dict[str, dict[str, np.ndarray]], pd.DataFrame]:
    """Logistic regression (query one-hot, title words, query x class crosses, price, class, image components)
    and gradient-boosted trees on the same information, each without and with the history summary; each
    tuned on validation AUC (C; learning rate and iterations). Returns ({name: {split: p}}, tuning table)."""
    with single_threaded():  # repeatable last digits, and no thread spinning on shared cores
        return _fit_baselines(data, logistic_c, tree_settings)


def _fit_baselines(data: ClickData, logistic_c: tuple[float, ...], tree_settings: tuple[tuple[float, int], ...]
                   ) -> tuple[dict[str, dict[str, np.ndarray]], pd.DataFrame]:
    y, rows = data.y, data.impressions
    predictions, tuning = {}, []
    for history, (lr_name, tree_name) in ((False, (LOGISTIC, TREES)), (True, (LOGISTIC_HISTORY, TREES_HISTORY))):
        features = _baseline_features(data, history)
        X = {split: features.transform(rows[mask]) for split, mask in data.masks.items()}
        candidates = {}
        for c in logistic_c:
            model = LogisticRegression(C=c, max_iter=3000).fit(X["train"], y[data.masks["train"]])
            candidates[(lr_name, f"C={c:g}")] = {s: model.predict_proba(X[s])[:, 1] for s in ("validation", "test")}
        T = {split: features.tree_features(rows[mask]) for split, mask in data.masks.items()}
        for rate, iterations in tree_settings:
            model = HistGradientBoostingClassifier(learning_rate=rate, max_iter=iterations, early_stopping=False,
                                                   categorical_features=T["train"][1], random_state=data.config.seed)
            model.fit(T["train"][0], y[data.masks["train"]])
            candidates[(tree_name, f"learning rate {rate:g}, {iterations} trees")] = {
                s: model.predict_proba(T[s][0])[:, 1] for s in ("validation", "test")}
        for name in (lr_name, tree_name):
            scored = {setting: roc_auc_score(y[data.masks["validation"]], p["validation"])
                      for (model_name, setting), p in candidates.items() if model_name == name}
            best = max(scored, key=scored.get)
            predictions[name] = candidates[(name, best)]
            tuning += [{"baseline": name, "setting": s, "validation AUC": a, "chosen": s == best}
                       for s, a in scored.items()]
    return predictions, pd.DataFrame(tuning)


def strongest_baseline(data: ClickData, baselines: dict[str, dict[str, np.ndarray]]) -> str:
    """The baseline with the highest validation AUC (the test set is not looked at)."""
    y = data.y[data.masks["validation"]]
    return max(baselines, key=lambda name: roc_auc_score(y, baselines[name]["validation"]))


def cell_name(parts: tuple[str, ...]) -> str:
    """('text', 'image') -> 'text + image' (parts in the order of PARTS)."""
    return " + ".join(p for p in PARTS if p in parts)


def cells() -> dict[str, dict]:
    """The factorial ablation over PARTS (every non-empty subset whose items have a representation, i.e. all but
    'history' alone) plus the mean-pool variant of the full model: {name: build_interest_model keywords}."""
    chosen = {}
    for size in range(1, len(PARTS) + 1):
        for parts in combinations(PARTS, size):
            if parts == ("history",):
                continue
            chosen[cell_name(parts)] = dict(use_text="text" in parts, use_image="image" in parts,
                                            use_attributes="attributes" in parts,
                                            history="attention" if "history" in parts else None)
    chosen[MEAN_POOL] = dict(use_text=True, use_image=True, use_attributes=True, history="mean")
    return chosen


def train_cell(data: ClickData, name: str, settings: dict) -> tuple[keras.Model, keras.callbacks.History]:
    """Build and train one interest-model variant (seeded), early stopping on validation loss."""
    seed_everything(data.config.seed)
    model = build_interest_model(data.tables, vocab_size=data.tokenizer.size, query_len=data.tokenizer.max_len,
                                 history_len=data.config.history_len,
                                 name=name.replace(" + ", "_").replace(" ", "_").replace("(", "").replace(")", ""),
                                 **settings)
    history = train_click_model(model, data.part("train"), data.y[data.masks["train"]], data.part("validation"),
                                data.y[data.masks["validation"]], epochs=data.config.epochs,
                                batch_size=data.config.batch_size, patience=data.config.patience)
    return model, history


def train_cells(data: ClickData, chosen: dict[str, dict], *, show_progress: bool | None = None
                ) -> tuple[dict[str, dict[str, np.ndarray]], dict[str, keras.Model], dict[str, int]]:
    """Train every cell: ({name: {split: p}}, {name: model}, {name: epochs run})."""
    predictions, models, epochs = {}, {}, {}
    for name, settings in progress_bar(chosen.items(), desc="click models", unit="model", enabled=show_progress):
        model, history = train_cell(data, name, settings)
        predictions[name] = {s: predict(model, data.part(s)) for s in ("validation", "test")}
        models[name], epochs[name] = model, len(history.history["loss"])
    return predictions, models, epochs


def train_article_model(data: ClickData, *, block4_table: np.ndarray | None = None, vgg: keras.Model | None = None,
                        name: str = "article_model") -> tuple[keras.Model, keras.callbacks.History, dict]:
    """The article's fused model made runnable (rec_utils.models.click_model.build_click_model: text, image and
    attribute towers on per-impression inputs, concatenated, MLP, sigmoid), trained like the cells. With
    `block4_table` and `vgg` its image tower fine-tunes VGG16's block 5 instead. Returns (model, history,
    {split: p})."""
    inputs = click_model_inputs(data.impressions, data.tokenizer, data.image, data.attributes)
    part = {split: {k: v[mask] for k, v in inputs.items()} for split, mask in data.masks.items()}
    seed_everything(data.config.seed)
    model = build_click_model(vocab_size=data.tokenizer.size, max_len=data.tokenizer.max_len,
                              image_dim=0 if block4_table is not None else data.image.shape[1],
                              n_attributes=data.attributes.shape[1], block4_table=block4_table, vgg=vgg, name=name)
    history = train_click_model(model, part["train"], data.y[data.masks["train"]], part["validation"],
                                data.y[data.masks["validation"]], epochs=data.config.epochs,
                                batch_size=data.config.batch_size, patience=data.config.patience)
    return model, history, {s: predict(model, part[s]) for s in ("validation", "test")}


def ablation_table(data: ClickData, predictions: dict[str, dict[str, np.ndarray]], reference: str) -> pd.DataFrame:
    """Test ROC-AUC and log-loss of every model and ceiling with customer-bootstrap 95% intervals, the paired
    AUC difference against `reference`, and the image features and device behind each row."""
    test = data.masks["test"]
    table = auc_log_loss_table(data.y[test], {name: p["test"] for name, p in predictions.items()},
                           groups=data.impressions.loc[test, "user_id"].to_numpy(), reference=reference,
                           n_boot=data.config.n_boot, seed=data.config.seed)
    device = "GPU" if visible_gpus() else "CPU"
    uses_image = [name not in CEILINGS and ("image" in name or name in BASELINES) for name in table.index]
    table["image features"] = np.where(uses_image, data.encoded.label, "-")
    computed = {ORACLE: "simulator (exact)", ACHIEVABLE: "simulator (quadrature)",
                ACHIEVABLE_HISTORY: "simulator (importance sampling)"}
    table["computed by"] = [computed.get(name, "CPU, scikit-learn" if name in BASELINES
                                         else f"{device}, Keras {keras_backend()}") for name in table.index]
    return table


def compare(data: ClickData, predictions: dict[str, dict[str, np.ndarray]], a: str, b: str,
            rows: np.ndarray | None = None) -> dict[str, float]:
    """Paired test AUC difference a − b over customer resamples (restricted to test `rows`, a boolean mask over
    the test impressions, when given): {"difference", "low", "high", "auc_a", "auc_b", "impressions"}."""
    test = data.masks["test"]
    rows = np.ones(test.sum(), dtype=bool) if rows is None else rows
    table = auc_log_loss_table(data.y[test][rows], {a: predictions[a]["test"][rows], b: predictions[b]["test"][rows]},
                           groups=data.impressions.loc[test, "user_id"].to_numpy()[rows], reference=b,
                           n_boot=data.config.n_boot, seed=data.config.seed)
    return {"difference": float(table.loc[a, "Δ AUC vs reference"]), "low": float(table.loc[a, "Δ low"]),
            "high": float(table.loc[a, "Δ high"]), "auc_a": float(table.loc[a, "ROC-AUC"]),
            "auc_b": float(table.loc[b, "ROC-AUC"]), "impressions": int(rows.sum())}


def image_gain_by_title(data: ClickData, predictions: dict[str, dict[str, np.ndarray]],
                        pairs: tuple[tuple[str, str], ...] = (("text + image", "text"),
                                                              (FUSED, "text + attributes"))) -> pd.DataFrame:
    """Where do images add signal? For each (with image, without) pair, the paired test AUC difference on
    impressions whose title has its own class word, none, or a wrong one."""
    status = title_class_word(data.simulation.catalog).to_numpy()[data.impressions.loc[data.masks["test"],
                                                                                       "item_id"].to_numpy()]
    rows = []
    for with_image, without in pairs:
        for title in ("own class word", "no class word", "wrong class word"):
            result = compare(data, predictions, with_image, without, rows=status == title)
            rows.append({"comparison": f"{with_image} − {without}", "title": title, **result})
    return pd.DataFrame(rows).set_index(["comparison", "title"])


def history_length_table(data: ClickData, predictions: dict[str, dict[str, np.ndarray]], without: str, with_: str,
                         bins: tuple[tuple[int, int], ...] = ((0, 0), (1, 2), (3, 5), (6, 10**6))) -> pd.DataFrame:
    """Test AUC by the number of earlier clicks: the models `without` and `with_` history, the ceilings, the
    share of the gap between `without` and the oracle that `with_` closes, (AUC_with − AUC_without) /
    (AUC_oracle − AUC_without), with the paired interval of AUC_with − AUC_without, and the share the history
    ceiling closes between the two other ceilings (what history can give at most)."""
    test = data.masks["test"]
    length = data.impressions.loc[test, "previous_clicks"].map(len).to_numpy()
    users = data.impressions.loc[test, "user_id"].to_numpy()
    rows = []
    for low, high in bins:
        inside = (length >= low) & (length <= high)
        names = [without, with_, ACHIEVABLE, ACHIEVABLE_HISTORY, ORACLE]
        table = auc_log_loss_table(data.y[test][inside], {n: predictions[n]["test"][inside] for n in names},
                               groups=users[inside], reference=without, n_boot=data.config.n_boot,
                               seed=data.config.seed)
        auc = table["ROC-AUC"]
        label = f"{low}" if low == high else (f"{low}-{high}" if high < 10**6 else f"{low}+")
        rows.append({"earlier clicks": label, "impressions": int(inside.sum()),
                     **{n: auc[n] for n in names},
                     "gain": table.loc[with_, "Δ AUC vs reference"], "gain low": table.loc[with_, "Δ low"],
                     "gain high": table.loc[with_, "Δ high"],
                     "share of gap to oracle closed": (auc[with_] - auc[without]) / (auc[ORACLE] - auc[without]),
                     "share the history ceiling closes": (auc[ACHIEVABLE_HISTORY] - auc[ACHIEVABLE])
                     / (auc[ORACLE] - auc[ACHIEVABLE])})
    return pd.DataFrame(rows).set_index("earlier clicks")


def predictions_frame(data: ClickData, predictions: dict[str, dict[str, np.ndarray]]) -> pd.DataFrame:
    """Validation and test impressions (ID_COLUMNS) with one probability column per model and ceiling."""
    parts = []
    for split in ("validation", "test"):
        rows = data.impressions.loc[data.masks[split], ["user_id", "session_id", "search_keywords", "item_id",
                                                        "clicked"]]
        rows = rows.assign(history_length=data.impressions.loc[data.masks[split], "previous_clicks"].map(len),
                           split=split)
        parts.append(rows.assign(**{name: p[split] for name, p in predictions.items()}))
    return pd.concat(parts, ignore_index=True)


def _metadata(data: ClickData) -> dict:
    return {"producer": PRODUCER, "config": asdict(data.config), "image_features": data.encoded.label,
            "device": "gpu" if visible_gpus() else "cpu", "backend": keras_backend(), "ceilings": list(CEILINGS),
            "baselines": list(BASELINES)}


def save_click_predictions(data: ClickData, predictions: dict[str, dict[str, np.ndarray]],
                           path: Path | None = None) -> pd.DataFrame:
    """Write `predictions_frame` atomically to `path` (default: PREDICTIONS_NAME in notebook 06's results folder,
    rec_utils.runtime.runs.artefact_dir) with the experiment's metadata; return the frame."""
    path = artefact_dir(PRODUCER) / PREDICTIONS_NAME if path is None else path
    frame = predictions_frame(data, predictions)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}),
                                           b"interest_lab": json.dumps(_metadata(data)).encode()})
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp)
    return frame


@dataclass(frozen=True)
class ClickPredictions:
    """Notebook 06's validation and test predictions: frame (ID_COLUMNS + one column per model), the learned
    models' column names, the ceilings' and the baselines' names, and the metadata of the run."""

    frame: pd.DataFrame
    models: list[str]
    ceilings: list[str]
    baselines: list[str]
    metadata: dict


def _read_predictions(path) -> ClickPredictions:
    table = pq.read_table(path)
    metadata = json.loads(table.schema.metadata[b"interest_lab"])
    frame = table.to_pandas()
    missing = [c for c in ID_COLUMNS + list(CEILINGS) + [FUSED] if c not in frame.columns]
    if missing:
        raise ValueError(f"columns missing: {missing}")
    models = [c for c in frame.columns if c not in ID_COLUMNS and c not in CEILINGS]
    return ClickPredictions(frame, models, list(CEILINGS), list(metadata["baselines"]), metadata)


def run_click_experiment(config: ClickExperimentConfig = ClickExperimentConfig(), path: Path | None = None
                         ) -> ClickPredictions:
    """Everything notebook 06 computes for its predictions file (ceilings, baselines, the Keras cells), saved to
    `path`; the notebook itself also shows the tables, plots and the real-data comparison."""
    data = prepare_click_data(config)
    ceilings, _ = ceiling_predictions(data)
    baselines, _ = fit_baselines(data)
    _, _, article = train_article_model(data)
    trained, _, _ = train_cells(data, cells())
    path = artefact_dir(PRODUCER) / PREDICTIONS_NAME if path is None else path
    save_click_predictions(data, {**ceilings, **baselines, ARTICLE: article, **trained}, path)
    return _read_predictions(path)


def load_click_predictions(config: ClickExperimentConfig | None = None, *, path: Path | None = None,
                           rebuild: bool = True) -> ClickPredictions:
    """Notebook 06's predictions from `path` when the file is readable and was made with `config` (default: the
    notebook's defaults); otherwise, with `rebuild`, run notebook 06's experiment (`run_click_experiment`, minutes
    on a CPU) and save it. Without `rebuild`, a missing or stale file raises FileNotFoundError naming notebook 06.
    """
    config = config or ClickExperimentConfig()
    path = find_artefact(PREDICTIONS_NAME) if path is None else path
    found = read_cache(path, _read_predictions, what="notebook 06's predictions")
    if found is not None and found.metadata.get("config") == asdict(config):
        return found
    reason = "missing" if found is None else "made with other parameters"
    if not rebuild:
        raise FileNotFoundError(f"{relative(path)} is {reason}: run notebook 06 first (python -m rec_utils.run 06)")
    print(f"{relative(path)} is {reason}: running notebook 06's experiment (rec_utils.click_experiment) to rebuild it")
    return run_click_experiment(config, path)


def retail_comparison(transactions: pd.DataFrame, catalog: pd.DataFrame, *, sampling: str = "uniform",
                      seed: int = 42, epochs: int = 15, batch_size: int = 256, patience: int = 3, n_boot: int = 200,
                      logistic_c: tuple[float, ...] = (0.1, 1.0)) -> tuple[pd.DataFrame, dict]:
    """Notebook 04's purchase-propensity task, like for like: popularity alone, notebook 04's logistic regression,
    the same with the product descriptions' words, and the Keras click model (description words + the same
    features). Negatives drawn "uniform" (rec_utils.features.propensity) or by "popularity". Customers split
    75/25 (test), the training customers again 80/20 for validation (C, early stopping). Returns (the test
    interval table with paired AUC differences against the logistic regression with words, facts)."""
    if sampling not in {"uniform", "popularity"}:
        raise ValueError(f"sampling must be 'uniform' or 'popularity', got {sampling!r}")
    build = propensity_dataset if sampling == "uniform" else propensity_dataset_by_popularity
    pairs = build(transactions, label_days=28, negatives_per_positive=4, seed=seed)
    descriptions = catalog.set_index("StockCode")["Description"]
    pairs["Description"] = descriptions.reindex(pairs["StockCode"]).fillna("").to_numpy()
    fit_part, test_part = split_by_customer(pairs, test_fraction=0.25, seed=seed)
    train_part, val_part = split_by_customer(fit_part, test_fraction=0.2, seed=seed)
    features = NUMERIC_FEATURES + CATEGORICAL_FEATURES
    with single_threaded():
        logistic = logistic_pipeline().fit(fit_part[features], fit_part["label"])
        scored = {c: logistic_words_pipeline(C=c).fit(train_part[features + ["Description"]], train_part["label"])
                  for c in logistic_c}
        best_c = max(scored, key=lambda c: roc_auc_score(val_part["label"], scored[c].predict_proba(
            val_part[features + ["Description"]])[:, 1]))
        words = logistic_words_pipeline(C=best_c).fit(fit_part[features + ["Description"]], fit_part["label"])
        popularity = LogisticRegression().fit(fit_part[["log_popularity"]], fit_part["label"])  # same order
    preprocess = logistic[:-1]
    tokenizer = Tokenizer.fit(train_part["Description"], max_len=8)

    def inputs(frame: pd.DataFrame) -> dict[str, np.ndarray]:
        return {"title_tokens": tokenizer.transform(frame["Description"]),
                "attributes": np.asarray(preprocess.transform(frame[features]), dtype="float32")}

    seed_everything(seed)
    model = build_click_model(vocab_size=tokenizer.size, max_len=8, use_query=False,
                              n_attributes=inputs(train_part.iloc[:1])["attributes"].shape[1],
                              name=f"retail_{sampling}")
    train_click_model(model, inputs(train_part), train_part["label"].to_numpy(), inputs(val_part),
                      val_part["label"].to_numpy(), epochs=epochs, batch_size=batch_size, patience=patience)
    scores = {
        "popularity only": popularity.predict_proba(test_part[["log_popularity"]])[:, 1],
        "logistic regression (notebook 04)": logistic.predict_proba(test_part[features])[:, 1],
        "logistic regression + description words": words.predict_proba(test_part[features + ["Description"]])[:, 1],
        "Keras: description words + the same features": predict(model, inputs(test_part)),
    }
    table = auc_log_loss_table(test_part["label"].to_numpy(), scores, groups=test_part["CustomerID"].to_numpy(),
                           reference="logistic regression + description words", n_boot=n_boot, seed=seed)
    facts = {"pairs": len(pairs), "test_pairs": len(test_part),
             "test_customers": int(test_part["CustomerID"].nunique()), "positive_rate": float(pairs["label"].mean()),
             "logistic_words_C": best_c}
    return table, facts
