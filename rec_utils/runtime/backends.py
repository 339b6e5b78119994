"""Which Keras 3 backends are installed here, and the versions of the packages behind each (nothing is imported).

    installed_backends()        e.g. ["tensorflow", "jax"]: backends whose Python package is present
    backend_packages("jax")     e.g. {"jax": "0.10.2", "jaxlib": "0.10.2"}: the distributions that provide it,
                                by their normalised names ("tensorflow-cpu" or "tensorflow", "jax-cuda12-plugin")

The backend Keras actually loaded is `rec_utils.runtime.device.keras_backend()`.
"""

from __future__ import annotations

import importlib.util
import re
from importlib.metadata import distribution, packages_distributions

KERAS_BACKENDS = ("tensorflow", "jax", "torch")
# Top-level modules of each backend; the first one is the backend itself, the others travel with it
# (JAX's compiled library and its GPU plug-ins).
BACKEND_MODULES = {"tensorflow": ("tensorflow",), "jax": ("jax", "jaxlib", "jax_plugins"), "torch": ("torch",)}


def installed_backends() -> list[str]:
    """The Keras backends (of KERAS_BACKENDS, in that order) whose package can be imported here."""
    return [b for b in KERAS_BACKENDS if importlib.util.find_spec(BACKEND_MODULES[b][0]) is not None]


def backend_packages(backend: str) -> dict[str, str]:
    """{distribution name: version} of the installed packages that provide `backend`; {} when it is absent.

    Raises ValueError for a name that is not one of KERAS_BACKENDS.
    """
    if backend not in BACKEND_MODULES:
        raise ValueError(f"backend must be one of {KERAS_BACKENDS}, got {backend!r}")
    providers = packages_distributions()
    versions = {}
    for module in BACKEND_MODULES[backend]:
        for name in providers.get(module, []):
            dist = distribution(name)
            versions[re.sub(r"[-_.]+", "-", dist.metadata["Name"]).lower()] = dist.version
    return dict(sorted(versions.items()))
