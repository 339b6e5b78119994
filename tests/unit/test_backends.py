"""The claim "backend-agnostic Keras 3": the click model builds, trains, saves, reloads and predicts on every
installed Keras backend, each in its own process (Keras fixes its backend at import). A backend that is not
installed is skipped, naming the command that installs it; CI installs JAX beside TensorFlow (.ci/run)."""

import json
import os
import subprocess
import sys

import pytest

from rec_utils.runtime.backends import KERAS_BACKENDS, backend_packages, installed_backends
from rec_utils.runtime.paths import REPO_ROOT

# Run in a fresh interpreter per backend: a learnable toy task (click when the first attribute is positive),
# three epochs, then the saved .keras file reloaded and its predictions compared with the trained model's.
ROUND_TRIP = """
import json, sys
import numpy as np
import keras
from sklearn.metrics import roc_auc_score
from rec_utils.models.click_model import build_click_model, predict, train_click_model
from rec_utils.runtime.device import keras_backend, require_device, seed_everything

device = require_device("cpu")
seed_everything(0)
rng = np.random.default_rng(0)
n, vocab = 512, 20
inputs = {"query_tokens": rng.integers(0, vocab, (n, 8)).astype("int32"),
          "title_tokens": rng.integers(0, vocab, (n, 8)).astype("int32"),
          "image_features": rng.standard_normal((n, 16)).astype("float32"),
          "attributes": rng.standard_normal((n, 3)).astype("float32")}
clicks = (inputs["attributes"][:, 0] > 0).astype("float32")
model = build_click_model(vocab_size=vocab, max_len=8, image_dim=16, n_attributes=3)
history = train_click_model(model, inputs, clicks, inputs, clicks, epochs=3, batch_size=64)
before = predict(model, inputs)
path = sys.argv[1]
model.save(path)
after = predict(keras.models.load_model(path), inputs)
print(json.dumps({"backend": keras_backend(), "device": device, "loss": history.history["loss"],
                  "auc": float(roc_auc_score(clicks, after)), "reload_difference": float(np.abs(before - after).max()),
                  "in_unit_interval": bool(((after > 0) & (after < 1)).all())}))
"""


def _skip_unless_installed(backend: str) -> None:
    if backend not in installed_backends():
        how = ("a .venv made by plain `make install`" if backend == "tensorflow"
               else f"make install BACKEND={backend}, or EXTRA_BACKENDS={backend} beside the default")
        pytest.skip(f"Keras backend {backend} is not installed here ({how})")


@pytest.mark.slow
@pytest.mark.parametrize("backend", KERAS_BACKENDS)
def test_click_model_trains_saves_reloads_and_predicts(backend, tmp_path):
    _skip_unless_installed(backend)
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run([sys.executable, "-c", ROUND_TRIP, str(tmp_path / "click.keras")], env=env, cwd=REPO_ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["backend"] == backend and out["device"] == "cpu"
    assert out["loss"][-1] < out["loss"][0], "training did not lower the loss"
    assert out["reload_difference"] <= 1e-6, "the reloaded model predicts differently"
    assert out["in_unit_interval"] and out["auc"] > 0.8, out


def test_backend_packages_match_the_pins_of_the_installed_backends():
    pins = {"tensorflow": "requirements.txt", "jax": "requirements-jax.txt", "torch": "requirements-torch.txt"}
    assert installed_backends(), "no Keras backend is installed"
    for backend in installed_backends():
        lines = [line.split("#")[0].strip() for line in (REPO_ROOT / pins[backend]).read_text().splitlines()]
        pinned = dict(line.split("==") for line in lines if "==" in line)
        found = backend_packages(backend)
        main = next(name for name in found if name.startswith(backend))  # tensorflow-cpu, jax, torch
        assert found[main].split("+")[0] == pinned[main], (backend, found, pinned[main])


def test_absent_and_unknown_backends():
    for backend in set(KERAS_BACKENDS) - set(installed_backends()):
        assert backend_packages(backend) == {}
    with pytest.raises(ValueError, match="backend must be one of"):
        backend_packages("theano")
