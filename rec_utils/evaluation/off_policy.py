"""Off-policy evaluation: a target policy's value estimated from a log collected by another (logging) policy.

Data layout, n logged visits × M candidates (k = 1 with M actions is the classic contextual bandit):

    rewards (n, M)   click of each shown candidate (entries of candidates not shown are ignored)
    shown   (n, M)   bool, the candidates the logging policy showed
    logging (n, M)   ρ₀(i | x): probability that the logging policy shows candidate i in visit x
    target  (n, M)   ρ(i | x): the same for the policy being evaluated
    predicted (n, M) r̂(x, i): a reward model's predicted click probability (direct method)

The value V(π) = E_x Σ_i ρ(i | x) E[r | x, i] is the expected number of clicks per visit. When
clicks of the items in a slate are independent given the visit (no position effect, as in the
simulator), each shown item can be weighted by its own inclusion probability, w = ρ / ρ₀:

    IPS     V̂ = (1/n) Σ_x Σ_{i shown} w r
    SNIPS   V̂ = (1/n) Σ_x Σ_i ρ  ·  Σ w r / Σ w             (self-normalised; ratio, slightly biased)
    DM      V̂ = (1/n) Σ_x Σ_i ρ r̂                          (biased when r̂ is)
    DR      V̂ = DM + (1/n) Σ_x Σ_{i shown} w (r − r̂)        (unbiased if ρ₀ is right, Dudík et al. 2011)
    replay  on uniformly random logging only: V̂ = (1/n) Σ_x Σ_i ρ · (mean click of the shown
            items the target would also show, weighted by ρ)   (Li et al. 2011)

A logged item with ρ₀ = 0 cannot have been logged by that policy: the propensities are wrong,
and every estimator here refuses them with ZeroPropensityError.
"""

from __future__ import annotations

import numpy as np


class ZeroPropensityError(ValueError):
    """A logged (shown) action has logging propensity 0 (or not in (0, 1]): the log or its propensities are wrong."""


def _weights(shown: np.ndarray, logging: np.ndarray, target: np.ndarray) -> np.ndarray:
    """w = ρ / ρ₀ on shown entries, 0 elsewhere: (n, M); checks shapes and propensities."""
    shown = np.asarray(shown, dtype=bool)
    logging, target = np.asarray(logging, dtype=float), np.asarray(target, dtype=float)
    if not shown.shape == logging.shape == target.shape or shown.ndim != 2:
        raise ValueError(f"shown, logging and target must share one (n, M) shape, got "
                         f"{shown.shape}, {logging.shape}, {target.shape}")
    bad = shown & ~((logging > 0) & (logging <= 1))
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise ZeroPropensityError(f"{int(bad.sum())} logged actions have a logging propensity outside (0, 1], "
                                  f"e.g. visit {row}, candidate {col}: {logging[row, col]!r}")
    if np.any((target < 0) | (target > 1)):
        raise ValueError("target propensities must lie in [0, 1]")
    return np.where(shown, target / np.where(shown, logging, 1.0), 0.0)


def ips(rewards: np.ndarray, shown: np.ndarray, logging: np.ndarray, target: np.ndarray) -> float:
    """Inverse propensity scoring (Horvitz-Thompson): unbiased when ρ₀ > 0 wherever ρ > 0."""
    w = _weights(shown, logging, target)
    return float(np.mean(np.sum(w * np.nan_to_num(rewards), axis=1)))


def snips(rewards: np.ndarray, shown: np.ndarray, logging: np.ndarray, target: np.ndarray) -> float:
    """Self-normalised IPS: the weighted mean click, times the target's expected slate size."""
    w = _weights(shown, logging, target)
    if w.sum() == 0:
        raise ValueError("no logged action has a positive target propensity: SNIPS is undefined")
    slate = np.mean(np.sum(np.asarray(target, dtype=float), axis=1))
    return float(slate * np.sum(w * np.nan_to_num(rewards)) / np.sum(w))


def direct_method(predicted: np.ndarray, target: np.ndarray) -> float:
    """The target's value under a reward model: (1/n) Σ_x Σ_i ρ r̂."""
    return float(np.mean(np.sum(np.asarray(target, dtype=float) * np.asarray(predicted, dtype=float), axis=1)))


def doubly_robust(rewards: np.ndarray, shown: np.ndarray, logging: np.ndarray, target: np.ndarray,
                  predicted: np.ndarray) -> float:
    """Direct method plus the IPS-weighted residuals of the reward model on the logged actions."""
    w = _weights(shown, logging, target)
    residual = np.nan_to_num(rewards) - np.asarray(predicted, dtype=float)
    return direct_method(predicted, target) + float(np.mean(np.sum(w * residual, axis=1)))


def replay(rewards: np.ndarray, shown: np.ndarray, logging: np.ndarray, target: np.ndarray) -> float:
    """Replay (rejection sampling) on a uniformly random log: the mean click of the logged items the target
    would show, times its slate size (= SNIPS with constant ρ₀). Raises ValueError when a visit's logging was
    not uniform over its candidates (replay is unsound then), ZeroPropensityError for zero propensities."""
    _weights(shown, logging, target)  # shapes and propensities first
    logging = np.asarray(logging, dtype=float)
    if not np.allclose(logging, logging[:, :1]):
        raise ValueError("replay needs uniformly random logging (equal propensities within each visit); "
                         "use IPS, SNIPS or DR for other logging policies")
    return snips(rewards, shown, logging, target)
