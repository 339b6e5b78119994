"""The `-p NAME VALUE` overrides of `python -m rec_utils.run`, typed and checked against the notebooks before
anything runs (see rec_utils.runtime.runner).

    parameters = typed_parameters([["cut_date", "2011-11-10"]], notebooks)   # {"cut_date": "2011-11-10"}
    overrides = overrides_per_notebook(notebooks, parameters)               # {notebook: what it declares}
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import papermill as pm
import yaml

from rec_utils.runtime.runs import parameter_defaults


def _iso_dates(value: object) -> object:
    """`value` with every date or datetime (YAML reads `2011-11-10` as one) written as ISO text."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return [_iso_dates(v) for v in value]
    if isinstance(value, dict):
        return {k: _iso_dates(v) for k, v in value.items()}
    return value


def typed_parameters(pairs: list[list[str]], notebooks: list[Path]) -> dict[str, object]:
    """{name: value} of the `-p NAME VALUE` pairs as the notebooks will check them: VALUE read as YAML, dates as
    ISO text, and where a notebook's default for NAME is text, a value YAML reads as a number or flag kept as
    the text typed. SystemExit naming the parameter for bad YAML or a value no notebook parameter can hold."""
    defaults: dict[str, object] = {}
    for nb in reversed(notebooks):  # the first notebook declaring a name wins
        defaults.update(parameter_defaults(nb))
    typed = {}
    for name, text in pairs:
        try:
            value = _iso_dates(yaml.safe_load(text))
        except yaml.YAMLError as error:
            raise SystemExit(f"-p {name} {text!r} is not a YAML value ({type(error).__name__}); nothing was run")
        if isinstance(defaults.get(name), str) and isinstance(value, (bool, int, float)):
            value = text.strip()
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            raise SystemExit(f"-p {name} {text!r}: YAML reads a {type(value).__name__}, which no notebook parameter "
                             "can hold (use a number, text, true/false, a list or a mapping); nothing was run")
        typed[name] = value
    return typed


def overrides_per_notebook(notebooks: list[Path], parameters: dict) -> dict[Path, dict]:
    """{notebook: the overrides among `parameters` that it declares}; SystemExit naming the valid names
    when a name is a parameter of none of the notebooks (papermill would otherwise ignore it silently)."""
    if not parameters:
        return {nb: {} for nb in notebooks}
    declared = {nb: list(pm.inspect_notebook(str(nb))) for nb in notebooks}
    unknown = [name for name in parameters if not any(name in names for names in declared.values())]
    if unknown:
        valid = "; ".join(f"{nb.stem}: {', '.join(names) or '(none)'}" for nb, names in declared.items())
        raise SystemExit(f"unknown parameter {', '.join(unknown)} (nothing was run). Valid names: {valid}")
    return {nb: {k: v for k, v in parameters.items() if k in names} for nb, names in declared.items()}
