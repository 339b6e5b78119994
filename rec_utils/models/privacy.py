"""Differential privacy for the counts behind popularity and item-kNN, and privacy accounting.

Neighbouring data sets: one has one customer more than the other, with all of that customer's purchases
("add or remove one customer", user-level DP). A customer's influence is bounded by *clipping*: at most
`max_items` distinct products per customer are kept (chosen at random, independently of every other
customer), so on the binary (customers, items) matrix B with at most m ones per row:

    popularity      n_i  = sum_u B_ui                    L1 sensitivity m,            L2 sensitivity sqrt(m)
    co-occurrence   C_ij = sum_u B_ui B_uj, i <= j      L1 sensitivity m(m+1)/2,     L2 sensitivity sqrt(m(m+1)/2)
                    (upper triangle with the diagonal, which is the popularity; the full symmetric matrix is
                    a copy of it, so releasing it costs nothing more)

Mechanisms: Laplace, noise Lap(0, b) with b = Δ1 / ε, gives ε-DP (Dwork & Roth 2014, Thm 3.6); Gaussian, noise
N(0, σ²) with σ = z Δ2 (z the noise multiplier), gives (ε, δ)-DP with ε from an accountant. Everything after
the noise (clipping negatives, cosine similarities, rankings) is post-processing and costs no privacy.

Noise sources: "seeded" draws the noise from numpy's generator seeded with the run's `seed`, so a run can be
repeated digit for digit, and so can the noise by anyone who knows the seed: a reader of a public notebook subtracts
it and recovers the exact counts. Seeded releases are teaching runs, not private. "secure" seeds the generator with
128 bits from the operating system's cryptographic source (`secrets`), used once and never stored, so nobody can
regenerate the draw (numpy's PCG64 is not itself a cryptographic generator; its seed is what stays secret). Floating-
point noise has known weaknesses of its own (Mironov 2012); production systems use discrete or snapped mechanisms.

Accounting is done by Google's `dp-accounting` library (pinned): its RDP accountant (Mironov 2017) and its
privacy-loss-distribution (PLD) accountant (Meiser & Mohammadi 2018; Koskela et al. 2020), and its analytic
Gaussian calibration (Balle & Wang 2018). DP-SGD (Abadi et al. 2016) is a Poisson-sampled Gaussian mechanism
composed over the training steps.
"""

from __future__ import annotations

import contextlib
import logging
import math
import secrets

import dp_accounting
import numpy as np
import scipy.sparse as sp
from dp_accounting import pld, rdp

NEIGHBOURING = "add or remove one customer (all of their purchases)"
STATISTICS = ("popularity", "cooccurrence")
MECHANISMS = ("laplace", "gaussian")
ACCOUNTANTS = ("rdp", "pld")
NOISE_SOURCES = ("seeded", "secure")
NOISE_SEED_OFFSET = 1  # a release's noise generator takes seed + this (its clipping takes seed itself)
NOISE_LABELS = {"seeded": "seeded (reproducible from the public seed: a teaching run, not private)",
                "secure": "secure (seeded from the operating system, never stored: private, not reproducible)"}
# Rényi orders for the RDP accountant: dp-accounting's defaults from 1.5 up. Its series for fractional orders
# below 1.5 does not converge at sampling rates above about 0.05 (it then logs a warning and drops the order);
# such orders are optimal only for epsilons far above any useful guarantee. With little noise (z below about 0.8)
# the series can fail at 1.5 and 1.75 too: the accountant then leaves those orders out, which keeps ε a valid
# (slightly looser) bound, and _quiet_rdp keeps its warning out of notebook outputs.
ACCOUNTANT_ORDERS = tuple(o for o in rdp.rdp_privacy_accountant.DEFAULT_RDP_ORDERS if o >= 1.5)
# The orders TensorFlow Privacy's tutorials use for the RDP accountant.
TF_PRIVACY_ORDERS = tuple([1 + x / 10.0 for x in range(1, 100)] + list(range(12, 64)))


def clip_items_per_customer(bought: sp.spmatrix, max_items: int, seed: int = 0) -> sp.csr_matrix:
    """Binary (customers, items) matrix keeping at most `max_items` of each customer's items.

    Which items are kept is drawn uniformly at random per customer (a random key per nonzero, the
    `max_items` smallest keys of each row win), so the choice for one customer depends on nobody else's
    data: that is what makes the sensitivity bound hold. bought: any (n_customers, n_items) sparse matrix;
    nonzero = bought.
    """
    if max_items < 1:
        raise ValueError(f"max_items must be at least 1, got {max_items}")
    binary = (sp.csr_matrix(bought) != 0).astype(np.float64).tocsr()
    binary.sort_indices()
    rows = np.repeat(np.arange(binary.shape[0]), np.diff(binary.indptr))
    keys = np.random.default_rng(seed).random(binary.nnz)
    order = np.lexsort((keys, rows))  # by row, then by random key
    rank = np.empty(binary.nnz, dtype=np.int64)
    rank[order] = np.arange(binary.nnz) - binary.indptr[rows[order]]
    keep = rank < max_items
    return sp.csr_matrix((binary.data[keep], (rows[keep], binary.indices[keep])), shape=binary.shape)


def count_sensitivity(statistic: str, max_items: int, norm: int) -> float:
    """L1 (norm=1) or L2 (norm=2) sensitivity of `statistic` ("popularity" or "cooccurrence", see the
    module docstring) when one customer with at most `max_items` items is added or removed."""
    if statistic not in STATISTICS:
        raise ValueError(f"statistic must be one of {STATISTICS}, got {statistic!r}")
    if norm not in (1, 2):
        raise ValueError(f"norm must be 1 or 2, got {norm}")
    cells = max_items if statistic == "popularity" else max_items * (max_items + 1) / 2  # entries that move by 1
    return float(cells if norm == 1 else math.sqrt(cells))


def laplace_scale(l1_sensitivity: float, epsilon: float) -> float:
    """Scale b = Δ1 / ε of the Laplace mechanism (ε-DP)."""
    if epsilon <= 0:
        raise ValueError(f"epsilon must be positive, got {epsilon}")
    return l1_sensitivity / epsilon


def gaussian_noise_multiplier(epsilon: float, delta: float) -> float:
    """Noise multiplier z (σ / Δ2) of the Gaussian mechanism that is exactly (ε, δ)-DP in one release:
    dp-accounting's analytic Gaussian calibration (Balle & Wang 2018), tighter than the classical
    sqrt(2 ln(1.25/δ)) / ε."""
    if epsilon <= 0 or not 0 < delta < 1:
        raise ValueError(f"need epsilon > 0 and 0 < delta < 1, got {epsilon}, {delta}")
    return float(dp_accounting.get_sigma_gaussian(epsilon, delta))


def gaussian_epsilon(noise_multiplier: float, delta: float, *, count: int = 1, accountant: str = "pld") -> float:
    """ε of `count` releases of a Gaussian mechanism with noise multiplier z at `delta`, from dp-accounting."""
    event = dp_accounting.GaussianDpEvent(noise_multiplier)
    if count > 1:
        event = dp_accounting.SelfComposedDpEvent(event, count)
    return _epsilon(event, delta, accountant)


@contextlib.contextmanager
def _quiet_rdp():
    """Silence dp-accounting's 'failed to converge ... Excluding this order' warnings (absl logger) while the
    RDP accountant runs: the order is left out and ε stays a valid bound over the remaining orders."""
    logger = logging.getLogger("absl")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _epsilon(event: dp_accounting.DpEvent, delta: float, accountant: str) -> float:
    if accountant == "rdp":
        account = rdp.RdpAccountant(list(ACCOUNTANT_ORDERS))
    elif accountant == "pld":
        account = pld.PLDAccountant()
    else:
        raise ValueError(f"accountant must be one of {ACCOUNTANTS}, got {accountant!r}")
    with _quiet_rdp():
        return float(account.compose(event).get_epsilon(delta))


def dp_sgd_event(sampling_probability: float, noise_multiplier: float, steps: int) -> dp_accounting.DpEvent:
    """DP-SGD as a dp-accounting event: `steps` compositions of a Poisson-sampled Gaussian mechanism."""
    if not 0 < sampling_probability <= 1 or steps < 1:
        raise ValueError(f"need 0 < sampling_probability <= 1 and steps >= 1, got {sampling_probability}, {steps}")
    return dp_accounting.SelfComposedDpEvent(
        dp_accounting.PoissonSampledDpEvent(sampling_probability, dp_accounting.GaussianDpEvent(noise_multiplier)),
        steps)


def dp_sgd_epsilon(sampling_probability: float, noise_multiplier: float, steps: int, delta: float, *,
                   accountant: str = "rdp") -> float:
    """ε of DP-SGD (q = expected batch / n examples, z, steps) at `delta`, by dp-accounting's RDP accountant
    (with its tight RDP-to-(ε, δ) conversion) or its PLD accountant (tighter still)."""
    return _epsilon(dp_sgd_event(sampling_probability, noise_multiplier, steps), delta, accountant)


def dp_sgd_noise_multiplier(target_epsilon: float, sampling_probability: float, steps: int, delta: float, *,
                            accountant: str = "rdp") -> float:
    """The smallest noise multiplier whose DP-SGD ε at `delta` is at most `target_epsilon`
    (dp-accounting's calibrate_dp_mechanism, a bisection on the accountant's ε)."""
    make = {"rdp": lambda: rdp.RdpAccountant(list(ACCOUNTANT_ORDERS)), "pld": pld.PLDAccountant}
    if accountant not in make:
        raise ValueError(f"accountant must be one of {ACCOUNTANTS}, got {accountant!r}")
    with _quiet_rdp():
        return float(dp_accounting.calibrate_dp_mechanism(
            make[accountant], lambda z: dp_sgd_event(sampling_probability, z, steps), target_epsilon, delta,
            dp_accounting.LowerEndpointAndGuess(1e-3, 1.0)))


def rdp_curve(event: dp_accounting.DpEvent, orders: tuple[float, ...] = TF_PRIVACY_ORDERS
              ) -> tuple[np.ndarray, np.ndarray]:
    """(orders, Rényi DP of `event` at each order) from dp-accounting's RDP accountant."""
    accountant = rdp.RdpAccountant(list(orders)).compose(event)
    return np.asarray(accountant.orders, dtype=float), np.asarray(accountant.rdp, dtype=float)


def classic_rdp_epsilon(orders: np.ndarray, rdp_values: np.ndarray, delta: float) -> float:
    """The classic RDP-to-(ε, δ) conversion ε = min_α RDP(α) + ln(1/δ) / (α - 1) (Mironov 2017, Prop. 3),
    the one TensorFlow Privacy's published tables used. dp-accounting's own conversion is tighter."""
    orders, rdp_values = np.asarray(orders, dtype=float), np.asarray(rdp_values, dtype=float)
    return float(np.min(rdp_values + np.log(1 / delta) / (orders - 1)))


def item_counts(bought: sp.spmatrix, statistic: str) -> np.ndarray:
    """Exact counts of a binary (customers, items) matrix: popularity (n_items,) or the symmetric
    co-occurrence matrix BᵀB (n_items, n_items), dense, whose diagonal is the popularity."""
    binary = (sp.csr_matrix(bought) != 0).astype(np.float64)
    if statistic == "popularity":
        return np.asarray(binary.sum(axis=0)).ravel()
    if statistic == "cooccurrence":
        return (binary.T @ binary).toarray()
    raise ValueError(f"statistic must be one of {STATISTICS}, got {statistic!r}")


def noise_generator(noise: str, seed: int) -> np.random.Generator:
    """The generator a release draws its noise from (see the module docstring): "seeded", numpy's generator seeded
    with `seed`, reproducible and so not private; "secure", seeded with 128 bits from `secrets`, never stored."""
    if noise == "seeded":
        return np.random.default_rng(seed)
    if noise == "secure":
        return np.random.default_rng(secrets.randbits(128))
    raise ValueError(f"noise must be one of {NOISE_SOURCES}, got {noise!r}")


def count_noise(rng: np.random.Generator, statistic: str, mechanism: str, scale: float,
                shape: tuple[int, ...]) -> np.ndarray:
    """The noise of one count release: Laplace of scale b or Gaussian of standard deviation σ (`scale`) for every
    cell, one draw per unordered pair for co-occurrence counts (mirrored, so the noisy matrix stays symmetric)."""
    noise = rng.laplace(0.0, scale, size=shape) if mechanism == "laplace" else rng.normal(0.0, scale, size=shape)
    if statistic == "cooccurrence":
        noise = np.triu(noise) + np.triu(noise, 1).T
    return noise


def private_item_counts(bought: sp.spmatrix, statistic: str, *, max_items: int, mechanism: str = "gaussian",
                        epsilon: float, delta: float = 1e-6, seed: int = 0,
                        noise: str = "seeded") -> tuple[np.ndarray, dict]:
    """Release popularity or co-occurrence counts with (ε, δ)-DP (Laplace: δ = 0) under NEIGHBOURING.

    Clips each customer to `max_items` items (seeded by `seed`: a per-customer choice that needs no secret), computes
    the counts, adds Laplace noise of scale Δ1/ε or Gaussian noise of standard deviation z Δ2 (z calibrated by
    gaussian_noise_multiplier) to every cell (count_noise), then clips the result at 0. The noise comes from
    noise_generator(noise, seed + NOISE_SEED_OFFSET): "seeded" can be regenerated by anyone who knows the seed (not
    private), "secure" cannot. Returns (noisy counts, same shape as item_counts, and a dict with the mechanism's
    settings).
    """
    if mechanism not in MECHANISMS:
        raise ValueError(f"mechanism must be one of {MECHANISMS}, got {mechanism!r}")
    rng = noise_generator(noise, seed + NOISE_SEED_OFFSET)
    clipped = clip_items_per_customer(bought, max_items, seed=seed)
    counts = item_counts(clipped, statistic)
    if mechanism == "laplace":
        sensitivity = count_sensitivity(statistic, max_items, 1)
        scale = laplace_scale(sensitivity, epsilon)
        info = {"delta": 0.0, "l1_sensitivity": sensitivity, "laplace_scale": scale}
    else:
        sensitivity = count_sensitivity(statistic, max_items, 2)
        multiplier = gaussian_noise_multiplier(epsilon, delta)
        scale = multiplier * sensitivity
        info = {"delta": delta, "l2_sensitivity": sensitivity, "noise_multiplier": multiplier, "gaussian_sigma": scale}
    info = {"statistic": statistic, "mechanism": mechanism, "epsilon": epsilon, "max_items": max_items,
            "neighbouring": NEIGHBOURING, "kept_share": clipped.nnz / max(sp.csr_matrix(bought).nnz, 1),
            "noise": noise, "noise_scale": scale, **info}
    return np.maximum(counts + count_noise(rng, statistic, mechanism, scale, counts.shape), 0.0), info


def similarity_from_counts(cooccurrence: np.ndarray, *, min_count: float = 0.0) -> np.ndarray:
    """Item-item cosine C_ij / sqrt(C_ii C_jj) of binary purchase columns from their co-occurrence counts
    (noisy ones included: this is post-processing), diagonal zeroed.

    Counts below `min_count` are treated as 0 first: with noisy counts a threshold of a few noise standard
    deviations keeps noise alone from making two rarely bought items similar (on Online Retail, 3 sigma
    lifts DP item-kNN's NDCG@10 several-fold; see benchmarks/responsible_smoke.py). Items with a zero
    diagonal get similarity 0. cooccurrence: (n_items, n_items). Returns a dense array in [0, 1].
    """
    counts = np.asarray(cooccurrence, dtype=float)
    counts = np.where(counts >= max(min_count, 0.0), np.maximum(counts, 0.0), 0.0)
    diagonal = np.sqrt(np.diag(counts))
    with np.errstate(invalid="ignore", divide="ignore"):
        similarity = counts / np.outer(diagonal, diagonal)
    similarity[~np.isfinite(similarity)] = 0.0
    np.fill_diagonal(similarity, 0.0)
    return np.minimum(similarity, 1.0)
