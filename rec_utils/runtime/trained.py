"""Trained results kept by a fingerprint of the code, data and settings that produced them, so that a clean clone
reuses what was trained when the notebooks were last run instead of training it again, and never reuses it when
any of those changed.

    stored = train_once("06_click_model", "interest_full_lr0.003", settings={"config": ..., "data": checksum},
                        code=(deep_module,), train=lambda: (arrays, model), keep_model=True)
    stored.arrays, stored.model, stored.reused          # {name: np.ndarray}, keras.Model | None, bool

Files: data/trained/<folder>/<name>-<key>.npz (and <name>-<key>.keras when the model is kept), each with the
manifest of rec_utils.runtime.caches (what built it, the checksum of its bytes, the device that trained it). <key>
hashes the settings and the environment (Keras, its backend, numpy, pandas, scipy and scikit-learn and their
versions, CPU or GPU, the dtype policy); the code hash, over the given modules and every rec_utils module they import
(recursively), is recorded in the manifest only. So a code change retrains and rewrites the same file (git shows it
modified, to be committed with the change), while other parameters or another environment write files of their own
(ignored by git). INTEREST_LAB_RETRAIN=1 (`make reproduce RETRAIN=1`) trains everything anew and rewrites the files.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from rec_utils.runtime.caches import code_hash, read_cached, save_cached, stale_reason
from rec_utils.runtime.paths import DATA_DIR, relative

TRAINED_DIR: Path = DATA_DIR / "trained"
RETRAIN_VARIABLE = "INTEREST_LAB_RETRAIN"


@dataclass
class Stored:
    """What `train_once` returns: the arrays, the model (None unless kept), whether they were read from the store,
    and the file they are in."""

    arrays: dict[str, np.ndarray]
    model: Any
    reused: bool
    path: Path


def retrain_requested() -> bool:
    """True when the environment variable INTEREST_LAB_RETRAIN is 1/true/yes."""
    return os.environ.get(RETRAIN_VARIABLE, "0").lower() in {"1", "true", "yes"}


def code_closure(*modules: ModuleType) -> list[ModuleType]:
    """`modules` and every rec_utils module whose names they import, recursively, sorted by name."""
    found: dict[str, ModuleType] = {}
    pending = list(modules)
    while pending:
        module = pending.pop()
        if module.__name__ in found:
            continue
        found[module.__name__] = module
        for value in vars(module).values():
            owner = value if isinstance(value, ModuleType) else inspect.getmodule(value)
            if owner is not None and owner.__name__.split(".")[0] == "rec_utils" and owner.__name__ not in found:
                pending.append(owner)
    return [found[name] for name in sorted(found)]


def environment() -> dict[str, str]:
    """What besides the code decides a trained model's numbers: Keras, its backend and their versions, the libraries
    that prepare its inputs or fit the baselines (numpy, pandas, scipy, scikit-learn), the device kind and the dtype
    policy. (Not the number of cores: results reused on another machine are the stored ones, exactly.)"""
    import importlib

    import keras
    import pandas as pd
    import scipy
    import sklearn

    from rec_utils.runtime.device import keras_backend, visible_gpus

    backend = keras_backend()
    return {"keras": keras.__version__, "backend": backend,
            "backend_version": getattr(importlib.import_module(backend), "__version__", "?"),
            "numpy": np.__version__, "pandas": pd.__version__, "scipy": scipy.__version__,
            "scikit-learn": sklearn.__version__, "device": "gpu" if visible_gpus() else "cpu",
            "dtype_policy": keras.config.dtype_policy().name}


def _key(settings: Mapping, env: Mapping) -> str:
    text = json.dumps({"settings": settings, "environment": env}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:10]


def _read_arrays(path: Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as npz:
        return {name: npz[name] for name in npz.files}


def _shapes(arrays: Mapping[str, np.ndarray]) -> dict[str, list[int]]:
    return {name: list(np.shape(values)) for name, values in arrays.items()}


def _write_arrays(arrays: Mapping[str, np.ndarray]) -> Callable[[Path], None]:
    def write(tmp: Path) -> None:
        with open(tmp, "wb") as fh:
            np.savez_compressed(fh, **arrays)
    return write


def train_once(folder: str, name: str, settings: Mapping, code: tuple[ModuleType, ...],
               train: Callable[[], tuple[dict[str, np.ndarray], Any]], *, keep_model: bool = False,
               store: Path | None = None) -> Stored:
    """The arrays (and, with `keep_model`, the Keras model) that `train()` returns, read from
    <store>/<folder>/<name>-<key>.npz when that file was built from the same settings, environment and code and is
    whole (rec_utils.runtime.caches checks each); otherwise `train()` is called and its results stored. `name`
    is a short file-name stem; `settings` everything besides code and environment that decides the result (the
    experiment's parameters and a checksum of its data). `store` defaults to TRAINED_DIR."""
    import keras

    env = environment()
    stem = f"{name}-{_key(settings, env)}"  # `name` may hold dots (a learning rate): no with_suffix here
    arrays_path = (store or TRAINED_DIR) / folder / f"{stem}.npz"
    model_path = arrays_path.with_name(f"{stem}.keras")
    built_from = {"settings": settings, "environment": env, "code": code_hash(*code_closure(*code)),
                  "code_modules": [module.__name__ for module in code]}
    if not retrain_requested() and (not keep_model or stale_reason(model_path, built_from) is None):
        arrays = read_cached(arrays_path, _read_arrays, built_from, what="trained results",
                             describe=lambda a: {"shapes": _shapes(a), "device": env["device"]})
        model = None
        if arrays is not None and keep_model:
            model = read_cached(model_path, keras.saving.load_model, built_from, what="trained model")
        if arrays is not None and (model is not None or not keep_model):
            print(f"{name}: read from {relative(arrays_path.parent)} ({RETRAIN_VARIABLE}=1 trains it anew)")
            return Stored(arrays, model, True, arrays_path)
    arrays, model = train()
    arrays = {key: np.asarray(values) for key, values in arrays.items()}
    if keep_model:
        save_cached(model_path, model.save, built_from, details={"device": env["device"]})
    save_cached(arrays_path, _write_arrays(arrays), built_from,
                details={"shapes": _shapes(arrays), "device": env["device"]})
    return Stored(arrays, model if keep_model else None, False, arrays_path)

