"""rec_utils.runtime.trained: trained results are reused only when settings, environment and code are the same and
the stored file is whole."""

import importlib
import json
import subprocess
import sys

import keras
import numpy as np
import pytest

from rec_utils.features import image_encoder
from rec_utils.runtime import trained
from rec_utils.runtime.caches import MANIFEST_SUFFIX, code_hash
from rec_utils.runtime.paths import REPO_ROOT
from rec_utils.runtime.trained import code_closure, train_once

SOURCE = "def step(x):\n    return x + {}\n"


@pytest.fixture
def module(tmp_path, monkeypatch):
    """A throw-away module whose source the test can change."""
    (tmp_path / "toy_training.py").write_text(SOURCE.format(1))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield importlib.import_module("toy_training")
    sys.modules.pop("toy_training", None)


def _counting(calls: list, value: float = 1.0):
    def train():
        calls.append(1)
        return {"test": np.full(3, value, dtype="float32"), "epochs": np.ones((2, 4))}, None
    return train


def test_the_second_call_reads_what_the_first_trained(tmp_path, module):
    calls = []
    first = train_once("nb", "model", {"seed": 1}, (module,), _counting(calls), store=tmp_path)
    second = train_once("nb", "model", {"seed": 1}, (module,), _counting(calls, 2.0), store=tmp_path)
    assert len(calls) == 1 and not first.reused and second.reused and second.path == first.path
    np.testing.assert_array_equal(second.arrays["test"], first.arrays["test"])
    assert second.arrays["epochs"].shape == (2, 4)


def test_other_settings_train_again_into_their_own_file(tmp_path, module):
    calls = []
    first = train_once("nb", "model-lr0.003", {"seed": 1}, (module,), _counting(calls), store=tmp_path)
    second = train_once("nb", "model-lr0.003", {"seed": 2}, (module,), _counting(calls), store=tmp_path)
    third = train_once("nb", "model-lr0.01", {"seed": 2}, (module,), _counting(calls), store=tmp_path)
    assert len(calls) == 3 and len({first.path, second.path, third.path}) == 3 and first.path.exists()
    assert first.path.name.startswith("model-lr0.003-") and first.path.suffix == ".npz"


def test_changed_code_trains_again_into_the_same_file(tmp_path, module, capsys):
    calls = []
    first = train_once("nb", "model", {}, (module,), _counting(calls), store=tmp_path)
    (tmp_path / "toy_training.py").write_text(SOURCE.format(2))
    changed = importlib.reload(module)
    second = train_once("nb", "model", {}, (changed,), _counting(calls, 2.0), store=tmp_path)
    assert len(calls) == 2 and second.path == first.path and not second.reused
    assert "other inputs or code (differs in: code)" in capsys.readouterr().out
    np.testing.assert_array_equal(np.load(second.path)["test"], np.full(3, 2.0, dtype="float32"))


def test_a_damaged_file_or_a_retrain_request_trains_again(tmp_path, module, monkeypatch):
    calls = []
    path = train_once("nb", "model", {}, (module,), _counting(calls), store=tmp_path).path
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    path.write_bytes(bytes(raw))
    assert not train_once("nb", "model", {}, (module,), _counting(calls), store=tmp_path).reused
    assert train_once("nb", "model", {}, (module,), _counting(calls), store=tmp_path).reused
    monkeypatch.setenv(trained.RETRAIN_VARIABLE, "1")
    assert not train_once("nb", "model", {}, (module,), _counting(calls), store=tmp_path).reused
    assert len(calls) == 3


def test_a_kept_model_comes_back_and_predicts_as_it_did(tmp_path, module):
    x = np.linspace(-1, 1, 8, dtype="float32").reshape(4, 2)

    def train():
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        return {"test": model.predict(x, verbose=0)}, model

    first = train_once("nb", "model", {}, (module,), train, keep_model=True, store=tmp_path)
    second = train_once("nb", "model", {}, (module,), train, keep_model=True, store=tmp_path)
    assert second.reused and second.model is not first.model
    np.testing.assert_allclose(second.model.predict(x, verbose=0), first.arrays["test"], atol=1e-6)
    # the arrays alone are not enough when the model is asked for
    first.path.with_name(first.path.name.replace(".npz", ".keras")).unlink()
    assert not train_once("nb", "model", {}, (module,), train, keep_model=True, store=tmp_path).reused


def test_the_code_hash_follows_the_rec_utils_modules_a_module_imports():
    from rec_utils.chapters.click_model import deep

    names = {module.__name__ for module in code_closure(deep)}
    assert {"rec_utils.chapters.click_model.deep", "rec_utils.models.interest", "rec_utils.models.interest_layers",
            "rec_utils.chapters.click_model.data", "rec_utils.simulation.clicks"} <= names
    assert not any(name.startswith(("keras", "numpy")) for name in names)


def test_the_committed_store_was_trained_by_this_code():
    """A store trained by older code or pins is retrained, never misused, but then every clean clone pays for the
    training (about 12 minutes of notebook 06): after changing a network's code or a pin, run its notebook and
    commit the files it wrote (git add -f data/trained; git rm the ones a pin change left behind)."""
    listed = subprocess.run(["git", "ls-files", "data/trained"], cwd=REPO_ROOT, capture_output=True, text=True)
    if listed.returncode != 0:
        pytest.skip("not a git checkout")
    pins = dict(line.split("==") for line in (REPO_ROOT / "requirements.txt").read_text().split() if "==" in line)
    pinned = {"keras": pins["keras"], "backend": "tensorflow", "backend_version": pins["tensorflow-cpu"],
              "numpy": pins["numpy"], "pandas": pins["pandas"], "scipy": pins["scipy"],
              "scikit-learn": pins["scikit-learn"], "device": "cpu", "dtype_policy": "float32"}
    stale = []
    for name in listed.stdout.split():
        if name.endswith(MANIFEST_SUFFIX):
            built_from = json.loads((REPO_ROOT / name).read_text(encoding="utf-8"))["built_from"]
            if built_from.get("environment", pinned) != pinned:  # make install's environment would not read it
                stale.append(name)
            if "code_modules" in built_from:  # written by train_once
                code = code_hash(*code_closure(*map(importlib.import_module, built_from["code_modules"])))
            else:  # the catalogue encoder, cached by rec_utils.features.image_encoder itself
                code = code_hash(image_encoder, image_encoder.vgg16_module)
            if built_from["code"] != code:
                stale.append(name)
    assert not stale, f"trained by other code (run the notebook, commit what it rewrites): {stale}"


def test_a_kept_result_says_where_it_is_read_or_computed_and_the_sanitizer_reads_both_as_one(module, capsys):
    import configparser
    import re

    from rec_utils.runtime.store_notes import say_if_computed

    for value in (1.0, 2.0):  # computed, then read back
        say_if_computed(train_once("nb", "toy-lr0.1+x", {"seed": 1}, (module,), _counting([], value)), "toy-lr0.1+x")
    computed, read = (line.replace(str(trained.TRAINED_DIR), "data/trained")  # the tests' store is a temporary one
                      for line in capsys.readouterr().out.splitlines())
    assert "computed and kept in" in computed and "read from" in read
    rules = configparser.ConfigParser()
    rules.read(REPO_ROOT / "tests" / "nbval_sanitize.cfg")
    rule = rules["kept results read back or computed"]
    sanitized = {re.sub(rule["regex"], rule["replace"], line) for line in (computed, read)}
    assert len(sanitized) == 1 and sanitized.pop().startswith("toy-lr0.1+x: kept in ")
