"""Checks of the keys every notebook's metrics file holds for the report's front page (conventions: headline,
figure, device, backend) and of the protocol a results file was made under."""

from __future__ import annotations

from rec_utils.runtime.paths import FIGURES_DIR

DEFAULT_PROTOCOL = {"cut_date": "2011-11-10", "validation_days": 30, "test_days": 30, "task": "new_items"}


def assert_front_page(metrics: dict, *, keras: bool = True, protocol: dict | None = None) -> None:
    """1-3 headlines each inside its own interval, the key figure saved, device and backend named for notebooks
    that run Keras models, and (when given) the protocol the numbers were made under."""
    assert 1 <= len(metrics["headline"]) <= 3
    for entry in metrics["headline"]:
        assert entry["low"] <= entry["value"] <= entry["high"], entry
    assert (FIGURES_DIR / f"{metrics['figure']}.png").exists()
    if keras:
        assert metrics["device"] in {"cpu", "gpu"} and metrics["backend"]
    if protocol is not None:
        assert metrics["protocol"] == protocol
