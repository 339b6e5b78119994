"""Explaining predictions: exact additive contributions of the logistic pipeline (per row and a global
summary), integrated gradients for Keras models with dense inputs, and permutation importance per input
(tower) for models whose inputs are integer tokens.

    contribution_matrix    (n_rows, n_terms) logit contributions value x coefficient; rows sum to the logit
    global_contributions   per term: mean contribution, mean |contribution|, share of the total |contribution|
    linear_shap            shap's LinearExplainer on a linear classifier with every background row: SHAP values
                           β_j (x_j - x̄_j) and the base value
    integrated_gradients   Sundararajan et al. (2017): (x - x') ∫₀¹ ∂f(x' + a (x - x'))/∂x da, by a Riemann or
                           trapezoid sum over `steps` points; completeness: Σ attributions ≈ f(x) - f(x')
    complete_rows          per row: does completeness hold within a tolerance of the row's own output change
    integrated_gradients_until_complete  doubles the steps until completeness holds for a share of the rows
    permutation_importance_by_input  drop of a metric when one input (or a group of inputs, a tower) is shuffled
                           across rows (Breiman 2001; Fisher et al. 2019), repeated with seeds
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence

import keras
import numpy as np
import pandas as pd
from keras import ops
from sklearn.pipeline import Pipeline

from rec_utils.models.logistic import contributions
from rec_utils.runtime.device import keras_backend

RULES = ("riemann_left", "riemann_right", "riemann_midpoint", "trapezoid")


def contribution_matrix(model: Pipeline, rows: pd.DataFrame) -> pd.DataFrame:
    """Logit contributions of a fitted models.logistic.logistic_pipeline for many rows at once.

    Same terms and names as models.logistic.contributions (features after preprocessing, plus 'intercept');
    each row sums to that row's logit z, and sigmoid(z) is model.predict_proba(rows)[:, 1].
    Returns a frame (len(rows), n_terms) indexed like `rows`.
    """
    if len(rows) == 0:
        raise ValueError("no rows to explain")
    names = contributions(model, rows.iloc[:1]).index  # the term names, from the one-row explanation
    values = np.asarray(model[:-1].transform(rows), dtype=float)
    classifier = model[-1]
    table = np.column_stack([values * classifier.coef_.ravel(), np.full(len(rows), classifier.intercept_[0])])
    return pd.DataFrame(table, index=rows.index, columns=names)


def global_contributions(matrix: pd.DataFrame) -> pd.DataFrame:
    """Global summary of a contribution_matrix: per term the mean contribution (its average push on the
    logit), the mean absolute contribution and its share of the sum of mean absolute contributions (the
    intercept left out of the share), sorted by mean |contribution|."""
    summary = pd.DataFrame({"mean": matrix.mean(), "mean_abs": matrix.abs().mean()})
    features = summary.index != "intercept"
    summary["share_abs"] = np.where(features, summary["mean_abs"] / summary.loc[features, "mean_abs"].sum(), np.nan)
    return summary.sort_values("mean_abs", ascending=False)


def linear_shap(classifier, background: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, float]:
    """(SHAP values (len(rows), n_features), base value) of a fitted linear classifier (coef_, intercept_) by shap's
    LinearExplainer with features taken as independent, on the classifier's own inputs (already preprocessed).

    The background is passed as an Independent masker holding all its rows: given a plain array, shap keeps 100 of
    them, and the means it explains against move with that draw. shap is imported here, its notices on import
    (Jupyter widgets for progress bars, matplotlib's colour-map API) silenced."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="IProgress not found")
        warnings.filterwarnings("ignore", category=PendingDeprecationWarning, module="shap")  # its colour maps
        import shap
    background = np.asarray(background, dtype=float)
    explainer = shap.LinearExplainer(classifier, shap.maskers.Independent(background, max_samples=len(background)))
    return np.asarray(explainer.shap_values(np.asarray(rows, dtype=float))), float(explainer.expected_value)


def _as_dict(model: keras.Model, inputs) -> dict:
    if isinstance(inputs, Mapping):
        return dict(inputs)
    names = [t.name.split(":")[0] for t in model.inputs]
    if len(names) != 1:
        raise ValueError(f"model {model.name} has inputs {names}: pass a dict")
    return {names[0]: inputs}


def _call(model: keras.Model, inputs: dict):
    return model(inputs if len(inputs) > 1 else next(iter(inputs.values())))


def _gradients(model: keras.Model, inputs: dict, names: Sequence[str], output_index: int) -> dict[str, np.ndarray]:
    """∂ output[:, output_index] / ∂ inputs[name] for each of `names`, with the backend's autodiff
    (the only backend-specific code in this module; the unit tests exercise the backend the environment
    was installed with)."""
    backend = keras_backend()
    if backend == "tensorflow":
        import tensorflow as tf
        tensors = {k: tf.convert_to_tensor(v) for k, v in inputs.items()}
        with tf.GradientTape() as tape:
            for name in names:
                tape.watch(tensors[name])
            total = tf.reduce_sum(_call(model, tensors)[:, output_index])
        grads = tape.gradient(total, [tensors[n] for n in names])
        return {n: g.numpy() for n, g in zip(names, grads)}
    if backend == "jax":
        import jax
        import jax.numpy as jnp

        fixed = {k: jnp.asarray(v) for k, v in inputs.items() if k not in names}  # Keras refuses numpy beside tracers

        def total(watched):
            return jnp.sum(_call(model, {**fixed, **watched})[:, output_index])

        grads = jax.grad(total)({n: jnp.asarray(inputs[n]) for n in names})
        return {n: np.asarray(g) for n, g in grads.items()}
    if backend == "torch":
        tensors = {k: ops.convert_to_tensor(v) for k, v in inputs.items()}
        for name in names:
            tensors[name] = tensors[name].detach().requires_grad_(True)
        _call(model, tensors)[:, output_index].sum().backward()
        return {n: tensors[n].grad.detach().cpu().numpy() for n in names}
    raise NotImplementedError(f"integrated gradients needs autodiff; backend {backend} has none")


def _path_weights(steps: int, rule: str) -> tuple[np.ndarray, np.ndarray]:
    """Points a in [0, 1] and weights w with Σ w g(a) ≈ ∫₀¹ g(a) da."""
    if steps < 1:
        raise ValueError(f"steps must be at least 1, got {steps}")
    if rule == "trapezoid":
        alphas = np.linspace(0.0, 1.0, steps + 1)
        weights = np.full(steps + 1, 1.0 / steps)
        weights[[0, -1]] /= 2
        return alphas, weights
    offsets = {"riemann_left": 0.0, "riemann_right": 1.0, "riemann_midpoint": 0.5}
    if rule not in offsets:
        raise ValueError(f"rule must be one of {RULES}, got {rule!r}")
    return (np.arange(steps) + offsets[rule]) / steps, np.full(steps, 1.0 / steps)


def _path_sum(model: keras.Model, inputs: dict, baseline: dict, names: Sequence[str], alphas: np.ndarray,
              weights: np.ndarray, output_index: int, batch_rows: int) -> dict[str, np.ndarray]:
    """Σ_s w_s ∂f(x' + a_s (x - x'))/∂x per input in `names` (float64, shaped like the input): the path points are
    stacked into batches of about `batch_rows` rows, so a long path costs few gradient calls."""
    n = len(next(iter(inputs.values())))
    per_call = max(1, batch_rows // max(n, 1))
    totals = {name: np.zeros(inputs[name].shape, dtype=float) for name in names}
    for start in range(0, len(alphas), per_call):
        chunk, chunk_weights = alphas[start:start + per_call], weights[start:start + per_call]
        point = {k: np.concatenate([v] * len(chunk)) for k, v in inputs.items() if k not in names}
        for name in names:
            shape = (len(chunk),) + (1,) * inputs[name].ndim
            path = baseline[name] + chunk.reshape(shape) * (inputs[name] - baseline[name])
            point[name] = path.astype(inputs[name].dtype).reshape((-1,) + inputs[name].shape[1:])
        for name, gradient in _gradients(model, point, names, output_index).items():
            stacked = gradient.reshape((len(chunk),) + inputs[name].shape).astype(float)
            totals[name] += np.tensordot(chunk_weights, stacked, axes=1)
    return totals


def _prepared(model: keras.Model, inputs, baseline, names: Sequence[str] | None) -> tuple[dict, dict, list[str]]:
    """(inputs, baseline, names) as dicts of arrays and a list; names default to the float inputs, the baseline to
    zeros."""
    inputs = {k: np.asarray(v) for k, v in _as_dict(model, inputs).items()}
    names = [k for k, v in inputs.items() if np.issubdtype(v.dtype, np.floating)] if names is None else list(names)
    if not names:
        raise ValueError("no float inputs to attribute: use permutation_importance_by_input for token inputs")
    if baseline is None:
        baseline = {n: np.zeros_like(inputs[n]) for n in names}
    baseline = {n: np.asarray(v, dtype=inputs[n].dtype) for n, v in _as_dict(model, baseline).items()}
    return inputs, baseline, names


def _result(model: keras.Model, inputs: dict, baseline: dict, totals: dict, output_index: int) -> dict:
    attributions = {n: (inputs[n] - baseline[n]) * totals[n] for n in totals}
    output = ops.convert_to_numpy(_call(model, inputs))[:, output_index]
    base_output = ops.convert_to_numpy(_call(model, {**inputs, **baseline}))[:, output_index]
    summed = sum(a.reshape(len(a), -1).sum(axis=1) for a in attributions.values())
    return {"attributions": attributions, "output": output, "baseline_output": base_output,
            "completeness_gap": summed - (output - base_output)}


def integrated_gradients(model: keras.Model, inputs, baseline=None, *, names: Sequence[str] | None = None,
                         steps: int = 64, rule: str = "trapezoid", output_index: int = 0,
                         batch_rows: int = 32768) -> dict:
    """Integrated gradients of output[:, output_index] with respect to the float inputs `names`.

    inputs: an array (one-input model) or a dict {input name: array (n, ...)}; baseline: same structure for
    the inputs in `names` (default zeros). Inputs not in `names` (e.g. token ids) stay at their values on the
    whole path. Attribution of input feature j of row r:
        IG_rj = (x_rj - x'_rj) Σ_s w_s ∂f(x' + a_s (x - x'))/∂x_rj     (the `rule`'s points a_s and weights w_s)
    batch_rows: about how many rows (path points x input rows) one gradient call takes.
    Returns {"attributions": {name: array like the input}, "output": f(x) (n,), "baseline_output": f(x') (n,),
    "completeness_gap": Σ attributions - (f(x) - f(x')) per row (n,)}.
    """
    inputs, baseline, names = _prepared(model, inputs, baseline, names)
    alphas, weights = _path_weights(steps, rule)
    totals = _path_sum(model, inputs, baseline, names, alphas, weights, output_index, batch_rows)
    return _result(model, inputs, baseline, totals, output_index)


def complete_rows(result: dict, *, tolerance: float = 0.05, floor: float = 0.01) -> np.ndarray:
    """(n,) bool: rows of an integrated_gradients result whose completeness gap is at most `tolerance` of the row's
    own output change |f(x) - f(x')| (Sundararajan et al. 2017 suggest 5%); a row whose output moves by less than
    `floor` is held to tolerance x floor instead, since its relative gap is round-off over a near-zero change."""
    change = np.maximum(np.abs(result["output"] - result["baseline_output"]), floor)
    return np.abs(result["completeness_gap"]) <= tolerance * change


def integrated_gradients_until_complete(model: keras.Model, inputs, baseline=None, *,
                                        names: Sequence[str] | None = None, steps: int = 32,
                                        tolerance: float = 0.05, share: float = 0.99, max_steps: int = 1024,
                                        floor: float = 0.01, output_index: int = 0,
                                        batch_rows: int = 32768) -> tuple[dict, pd.DataFrame]:
    """integrated_gradients (trapezoid rule) with steps, 2 steps, 4 steps, ... until complete_rows holds for at
    least `share` of the rows, or max_steps is reached. Each doubling evaluates the gradients only at the new
    midpoints: the trapezoid sum of 2m steps is the one of m steps with the m midpoints added, so the whole search
    costs the gradients of its last try. Returns (the last result, with "steps" added; one row per try: steps,
    share_complete, max_gap (largest |completeness gap|), reached (share_complete >= share))."""
    if not 0 < share <= 1 or max_steps < steps or steps < 1:
        raise ValueError(f"share must lie in (0, 1] and max_steps ({max_steps}) be at least steps ({steps}) >= 1")
    inputs, baseline, names = _prepared(model, inputs, baseline, names)
    path = (model, inputs, baseline, names)
    ends = _path_sum(*path, np.array([0.0, 1.0]), np.array([0.5, 0.5]), output_index, batch_rows)
    inner = _path_sum(*path, np.arange(1, steps) / steps, np.ones(steps - 1), output_index, batch_rows)
    tries = []
    while True:
        result = _result(model, inputs, baseline, {n: (ends[n] + inner[n]) / steps for n in names}, output_index)
        within = complete_rows(result, tolerance=tolerance, floor=floor).mean()
        tries.append({"steps": steps, "share_complete": float(within),
                      "max_gap": float(np.abs(result["completeness_gap"]).max()), "reached": bool(within >= share)})
        if within >= share or 2 * steps > max_steps:
            return {**result, "steps": steps}, pd.DataFrame(tries)
        midpoints = _path_sum(*path, (np.arange(steps) + 0.5) / steps, np.ones(steps), output_index, batch_rows)
        inner = {n: inner[n] + midpoints[n] for n in names}
        steps *= 2


def permutation_importance_by_input(predict: Callable[[dict], np.ndarray], inputs: Mapping[str, np.ndarray],
                                    y: np.ndarray, metric: Callable[[np.ndarray, np.ndarray], float], *,
                                    groups: Mapping[str, Sequence[str]] | None = None, n_repeats: int = 5,
                                    seed: int = 0) -> pd.DataFrame:
    """How much `metric(y, predict(inputs))` drops when the rows of one group of inputs are shuffled.

    inputs: {name: array (n, ...)} as the model takes them; groups: {label: [input names]} shuffled together
    with one permutation (a tower's inputs, e.g. {"text": ["query_tokens", "title_tokens"]}); default one
    group per input. scikit-learn's permutation_importance shuffles single columns of one 2-D X, so it cannot
    shuffle token matrices or dict inputs as a unit; this does. Returns one row per group: baseline score,
    mean and standard deviation of the drop over `n_repeats` permutations, sorted by mean drop.
    """
    inputs = {k: np.asarray(v) for k, v in inputs.items()}
    groups = {name: [name] for name in inputs} if groups is None else dict(groups)
    unknown = sorted({n for names in groups.values() for n in names} - set(inputs))
    if unknown:
        raise KeyError(f"groups name inputs that are not given: {unknown}")
    n = len(next(iter(inputs.values())))
    reference = float(metric(y, predict(inputs)))
    rng = np.random.default_rng(seed)
    rows = []
    for label, names in groups.items():
        drops = []
        for _ in range(n_repeats):
            order = rng.permutation(n)
            shuffled = {**inputs, **{name: inputs[name][order] for name in names}}
            drops.append(reference - float(metric(y, predict(shuffled))))
        rows.append({"group": label, "inputs": ", ".join(names), "baseline": reference,
                     "drop_mean": float(np.mean(drops)), "drop_std": float(np.std(drops, ddof=1)) if n_repeats > 1
                     else 0.0})
    return pd.DataFrame(rows).sort_values("drop_mean", ascending=False, ignore_index=True)
