"""Notebook 06's data: a simulated click log on real product photos, users split 60/20/20, image features, the full
behaviour history of every impression and every model's inputs.

    config = ClickExperimentConfig()         # the notebook's defaults (its parameters of the same names)
    data = prepare_click_data(config)        # ClickData
    data.part("train", history="clicked")    # one split's model inputs, with the clicks-only history
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
from sklearn.decomposition import PCA

from rec_utils.data.fashion import CLASS_NAMES, FASHION_MNIST_SHA256, load_fashion_mnist
from rec_utils.data.split import split_groups
from rec_utils.features.attributes import ItemTables, encode_attributes, interest_model_inputs, item_tables, query_ids
from rec_utils.features.behaviour import BehaviourHistory, behaviour_history
from rec_utils.features.image_encoder import EncodedImages, encode_images, parse_image_encoder
from rec_utils.features.text import Tokenizer
from rec_utils.runtime.threads import single_threaded
from rec_utils.simulation.clicks import Simulation, SimulatorConfig, simulate

SPLITS = ("train", "validation", "test")
HISTORIES = ("none", "clicked", "full")  # what a model reads of the user's past: nothing, clicked ids, the full log
EVALUATION_ONLY = ("n_boot", "is_samples", "learning_rates")  # settings that change no trained model


@dataclass(frozen=True)
class ClickExperimentConfig:
    """Every setting of the experiment (notebook 06's parameters of the same names)."""

    seed: int = 42
    n_items: int = 2000
    n_users: int = 8000
    sessions_per_user: int = 6
    image_encoder: str = "catalog-pretrained"
    image_size: int = 32
    encoder_epochs: int = 2
    image_components: int = 16
    epochs: int = 12
    batch_size: int = 2048
    patience: int = 2
    learning_rates: tuple[float, ...] = (3e-3, 1e-2)
    n_boot: int = 200
    is_samples: int = 1000

    @property
    def history_len(self) -> int:
        """N: every earlier impression of a user's last session (sessions_per_user - 1 sessions of 8 items)."""
        return (self.sessions_per_user - 1) * SimulatorConfig.items_per_session

    def simulator(self) -> SimulatorConfig:
        return SimulatorConfig(n_items=self.n_items, n_users=self.n_users, sessions_per_user=self.sessions_per_user,
                               seed=self.seed)


@dataclass
class ClickData:
    """The prepared experiment: the simulation, user splits (boolean masks over impressions), the image features
    (encoded, then `image_components` standardised principal components fitted on training items), item
    attributes, the tokenizer, item tables, the full behaviour history, every model input and the labels."""

    config: ClickExperimentConfig
    simulation: Simulation
    masks: dict[str, np.ndarray]
    encoded: EncodedImages
    image: np.ndarray
    attributes: np.ndarray
    tokenizer: Tokenizer
    tables: ItemTables
    history: BehaviourHistory
    inputs: dict[str, np.ndarray]
    y: np.ndarray
    _clicked_inputs: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    @property
    def impressions(self) -> pd.DataFrame:
        return self.simulation.impressions

    @property
    def item_class(self) -> np.ndarray:
        """(n_items,) the class of every catalogue item."""
        return self.simulation.catalog["category"].to_numpy()

    def fingerprint(self) -> dict:
        """What decides the models trained on this log besides the code: the experiment's settings (less those that
        only evaluate: n_boot, is_samples, and the list of learning rates, each model being keyed by its own) and
        the pinned checksums of the photos (for rec_utils.runtime.trained's keys)."""
        config = {k: v for k, v in asdict(self.config).items() if k not in EVALUATION_ONLY}
        return {"config": json.loads(json.dumps(config)), "fashion_mnist": dict(FASHION_MNIST_SHA256)}

    def history_of(self, kind: str) -> BehaviourHistory | None:
        """The history a model of kind "none" | "clicked" | "full" reads (None for "none")."""
        if kind not in HISTORIES:
            raise ValueError(f"history must be one of {HISTORIES}, got {kind!r}")
        return None if kind == "none" else self.history if kind == "full" else self.history.clicked_only()

    def part(self, split: str, history: str = "full") -> dict[str, np.ndarray]:
        """The model inputs of one split ("train", "validation", "test") with the history of kind `history`."""
        inputs = self.inputs
        if history == "clicked":
            if not self._clicked_inputs:
                self._clicked_inputs.update(interest_model_inputs(
                    self.impressions, self.tokenizer, self.history_of("clicked"), self.item_class, len(CLASS_NAMES)))
            inputs = self._clicked_inputs
        elif history not in HISTORIES:
            raise ValueError(f"history must be one of {HISTORIES}, got {history!r}")
        return {name: values[self.masks[split]] for name, values in inputs.items()
                if history != "none" or not name.startswith("history")}


def prepare_click_data(config: ClickExperimentConfig = ClickExperimentConfig()) -> ClickData:
    """Simulate on the Fashion-MNIST test photos, split users 60/20/20, encode the product photos with
    `config.image_encoder` (training it on the train split when needed) and assemble every input."""
    images, labels, _ = load_fashion_mnist("test")
    simulation = simulate(images, labels, config.simulator())
    impressions, catalog = simulation.impressions, simulation.catalog
    masks = dict(zip(SPLITS, split_groups(impressions["user_id"].to_numpy(), (0.6, 0.2, 0.2), seed=config.seed)))
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
    history = behaviour_history(impressions, query_ids(impressions, tokenizer), config.history_len)
    inputs = interest_model_inputs(impressions, tokenizer, history, catalog["category"].to_numpy(), len(CLASS_NAMES))
    return ClickData(config=config, simulation=simulation, masks=masks, encoded=encoded, image=image,
                     attributes=attributes, tokenizer=tokenizer,
                     tables=item_tables(catalog, tokenizer, image, attributes), history=history, inputs=inputs,
                     y=impressions["clicked"].to_numpy())
