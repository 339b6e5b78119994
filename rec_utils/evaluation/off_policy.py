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

The estimators read rewards, propensities and predictions only at the shown entries (found once with
flatnonzero) and check them there, and read the target's full array only where the formula needs it (the slate
size of SNIPS, which also checks its range, and the direct method), so a log of 10⁶ visits builds no (n, M)
temporaries (benchmarks/off_policy.py times them against Open Bandit Pipeline's).
"""

from __future__ import annotations

import numpy as np


class ZeroPropensityError(ValueError):
    """A logged (shown) action has logging propensity 0 (or not in (0, 1]): the log or its propensities are wrong."""


def _logged(shown: np.ndarray, logging: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """(flat positions of the shown entries, their weights w = ρ / ρ₀, n visits); checks shapes and propensities."""
    shown, logging, target = np.asarray(shown), np.asarray(logging), np.asarray(target)
    if not shown.shape == logging.shape == target.shape or shown.ndim != 2:
        raise ValueError(f"shown, logging and target must share one (n, M) shape, got "
                         f"{shown.shape}, {logging.shape}, {target.shape}")
    if shown.shape[0] == 0:
        raise ValueError("the log is empty: shown, logging and target have no visits")
    flat = np.flatnonzero(shown)
    propensity = np.take(logging, flat).astype(float, copy=False)
    if flat.size and not (propensity.min() > 0 and propensity.max() <= 1):  # NaN fails the first test
        bad = ~((propensity > 0) & (propensity <= 1))
        row, col = divmod(int(flat[np.argmax(bad)]), shown.shape[1])
        raise ZeroPropensityError(f"{int(bad.sum())} logged actions have a logging propensity outside (0, 1], "
                                  f"e.g. visit {row}, candidate {col}: {logging[row, col]!r}")
    target_shown = np.take(target, flat).astype(float, copy=False)
    _check_target(target_shown)
    return flat, np.divide(target_shown, propensity, out=target_shown), shown.shape[0]


def _check_target(target: np.ndarray) -> None:
    if target.size and (target.min() < 0 or target.max() > 1):
        raise ValueError("target propensities must lie in [0, 1]")


def _at(values: np.ndarray, flat: np.ndarray, shape: tuple[int, int], name: str) -> np.ndarray:
    """`values` (n, M) at the flat positions, as a new float array."""
    values = np.asarray(values)
    if values.shape != shape:
        raise ValueError(f"{name} must have the (n, M) shape {shape} of shown, got {values.shape}")
    return np.take(values, flat).astype(float, copy=False)


def _weighted_rewards(rewards: np.ndarray, shown: np.ndarray, logging: np.ndarray, target: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray, int]:
    """(w, w·r at the shown entries, n); a missing (NaN) reward counts as 0, as in nan_to_num."""
    flat, w, n = _logged(shown, logging, target)
    rewards = np.nan_to_num(_at(rewards, flat, np.shape(shown), "rewards"), copy=False)
    return w, np.multiply(w, rewards, out=rewards), n


def ips(rewards: np.ndarray, shown: np.ndarray, logging: np.ndarray, target: np.ndarray) -> float:
    """Inverse propensity scoring (Horvitz-Thompson): unbiased when ρ₀ > 0 wherever ρ > 0."""
    _, weighted, n = _weighted_rewards(rewards, shown, logging, target)
    return float(weighted.sum() / n)


def snips(rewards: np.ndarray, shown: np.ndarray, logging: np.ndarray, target: np.ndarray) -> float:
    """Self-normalised IPS: the weighted mean click, times the target's expected slate size."""
    w, weighted, n = _weighted_rewards(rewards, shown, logging, target)
    total = w.sum()
    if total == 0:
        raise ValueError("no logged action has a positive target propensity: SNIPS is undefined")
    target = np.asarray(target)
    _check_target(target)  # SNIPS reads every entry of the target: its expected slate size
    slate = float(np.sum(target, dtype=float)) / n
    return float(slate * weighted.sum() / total)


def direct_method(predicted: np.ndarray, target: np.ndarray) -> float:
    """The target's value under a reward model: (1/n) Σ_x Σ_i ρ r̂ (one dot product, no (n, M) temporary)."""
    predicted, target = np.asarray(predicted, dtype=float), np.asarray(target, dtype=float)
    if predicted.shape != target.shape or target.ndim != 2 or not len(target):
        raise ValueError(f"predicted and target must share one non-empty (n, M) shape, got "
                         f"{predicted.shape}, {target.shape}")
    return float(np.dot(target.ravel(), predicted.ravel()) / target.shape[0])


def doubly_robust(rewards: np.ndarray, shown: np.ndarray, logging: np.ndarray, target: np.ndarray,
                  predicted: np.ndarray) -> float:
    """Direct method plus the IPS-weighted residuals of the reward model on the logged actions."""
    flat, w, n = _logged(shown, logging, target)
    shape = np.shape(shown)
    residual = np.nan_to_num(_at(rewards, flat, shape, "rewards"), copy=False)
    residual -= _at(predicted, flat, shape, "predicted")
    return direct_method(predicted, target) + float(np.dot(w, residual) / n)


def replay(rewards: np.ndarray, shown: np.ndarray, logging: np.ndarray, target: np.ndarray) -> float:
    """Replay (rejection sampling) on a uniformly random log: the mean click of the logged items the target
    would show, times its slate size (= SNIPS with constant ρ₀). Raises ValueError when a visit's logging was
    not uniform over its candidates (replay is unsound then), ZeroPropensityError for zero propensities."""
    _logged(shown, logging, target)  # shapes and propensities first
    logging = np.asarray(logging, dtype=float)
    if not np.allclose(logging, logging[:, :1]):
        raise ValueError("replay needs uniformly random logging (equal propensities within each visit); "
                         "use IPS, SNIPS or DR for other logging policies")
    return snips(rewards, shown, logging, target)
