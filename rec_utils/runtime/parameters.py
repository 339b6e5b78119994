"""Checking a notebook's parameters (the papermill `-p` values) at the top of the notebook, with one named error.

In the cell after `parameters`:

    check_parameters(globals(), sample_frac=Number(0, 1, low_open=True), seed=Integer(minimum=0),
                     device=Choice("auto", "cpu", "gpu"), save_figures=Flag())

raises `ParameterError: image_size must be an integer >= 32, got 7` before any work starts. A name set in the
parameters cells just run (papermill's `-p`, or a line added in JupyterLab) that no check_parameters call of the
cell validates stops the run as well, listing the valid names (rec_utils.runtime.parameter_names).
`checked_parameters()` returns the values of the last successful check: save_metrics records them, and
rec_utils.runtime.runs compares them with the notebook's defaults to keep sample runs apart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Integral, Real

from rec_utils.runtime.parameter_names import undeclared_parameters


class ParameterError(ValueError):
    """A notebook parameter has the wrong type or lies outside its allowed range."""


_last_checked: dict[str, object] = {}


class Rule:
    """What a parameter value must be; `describe()` says it in words, `accepts(value)` checks it."""

    def describe(self) -> str:
        raise NotImplementedError

    def accepts(self, value: object) -> bool:
        raise NotImplementedError


def _is_int(value: object) -> bool:
    return isinstance(value, Integral) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)


@dataclass(frozen=True)
class Integer(Rule):
    """An int (not a bool) with optional inclusive bounds."""

    minimum: int | None = None
    maximum: int | None = None

    def describe(self) -> str:
        bounds = []
        if self.minimum is not None:
            bounds.append(f">= {self.minimum}")
        if self.maximum is not None:
            bounds.append(f"<= {self.maximum}")
        return " ".join(["an integer", " and ".join(bounds)]).strip()

    def accepts(self, value: object) -> bool:
        return (_is_int(value) and (self.minimum is None or value >= self.minimum)
                and (self.maximum is None or value <= self.maximum))


@dataclass(frozen=True)
class Number(Rule):
    """A real number (ints allowed, bools not) in [low, high]; `low_open`/`high_open` exclude an end."""

    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False

    def describe(self) -> str:
        if self.low is None and self.high is None:
            return "a number"
        left = "(" if self.low_open else "["
        right = ")" if self.high_open else "]"
        low = "-inf" if self.low is None else f"{self.low:g}"
        high = "inf" if self.high is None else f"{self.high:g}"
        return f"a number in {left}{low}, {high}{right}"

    def accepts(self, value: object) -> bool:
        if not _is_number(value) or value != value:  # NaN fails every comparison
            return False
        above = self.low is None or (value > self.low if self.low_open else value >= self.low)
        below = self.high is None or (value < self.high if self.high_open else value <= self.high)
        return above and below


@dataclass(frozen=True)
class Flag(Rule):
    """True or False."""

    def describe(self) -> str:
        return "true or false"

    def accepts(self, value: object) -> bool:
        return isinstance(value, bool)


@dataclass(frozen=True)
class Text(Rule):
    """A non-empty string."""

    def describe(self) -> str:
        return "a non-empty text"

    def accepts(self, value: object) -> bool:
        return isinstance(value, str) and bool(value.strip())


@dataclass(frozen=True)
class Date(Rule):
    """A date written as text 'YYYY-MM-DD', optionally within [earliest, latest] (inclusive; ISO texts too);
    `why` says where the bounds come from."""

    earliest: str | None = None
    latest: str | None = None
    why: str = ""

    def describe(self) -> str:
        text = "a date 'YYYY-MM-DD'"
        if self.earliest is not None:
            text += f" from {self.earliest}"
        if self.latest is not None:
            text += f" to {self.latest}"
        return text + (f" ({self.why})" if self.why else "")

    def accepts(self, value: object) -> bool:
        try:
            day = dt.date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
        except ValueError:
            return False
        return (day is not None and (self.earliest is None or day >= dt.date.fromisoformat(self.earliest))
                and (self.latest is None or day <= dt.date.fromisoformat(self.latest)))


class Choice(Rule):
    """One of the given values."""

    def __init__(self, *options: object):
        self.options = options

    def describe(self) -> str:
        return "one of " + ", ".join(repr(o) for o in self.options)

    def accepts(self, value: object) -> bool:
        return any(value == o and type(value) is type(o) for o in self.options)


@dataclass(frozen=True)
class ListOf(Rule):
    """A list (or tuple) whose every item satisfies `item`, with at least `min_length` items."""

    item: Rule
    min_length: int = 1

    def describe(self) -> str:
        return f"a list of at least {self.min_length} items, each {self.item.describe()}"

    def accepts(self, value: object) -> bool:
        return (isinstance(value, (list, tuple)) and len(value) >= self.min_length
                and all(self.item.accepts(v) for v in value))


@dataclass(frozen=True)
class OrNone(Rule):
    """None, or a value satisfying `rule`."""

    rule: Rule

    def describe(self) -> str:
        return f"None or {self.rule.describe()}"

    def accepts(self, value: object) -> bool:
        return value is None or self.rule.accepts(value)


def check_parameters(namespace: Mapping[str, object], **rules: Rule) -> dict[str, object]:
    """Check each named parameter in `namespace` (a notebook's `globals()`) against its rule.

    Raises ParameterError naming every parameter that fails (or is missing), what it must be and what
    it got, and every name the parameters cells just run set although no check_parameters call of the running
    cell validates it (with the valid names). Returns {name: value} of the checked parameters.
    """
    problems = []
    unknown, valid = undeclared_parameters(namespace)
    if unknown:
        problems.append(f"unknown parameter {', '.join(unknown)} (set by papermill -p or the parameters cell, but "
                        f"not a parameter of this notebook). Valid names: {', '.join(valid)}")
    for name, rule in rules.items():
        if name not in namespace:
            problems.append(f"{name} is not defined (expected {rule.describe()})")
        elif not rule.accepts(namespace[name]):
            problems.append(f"{name} must be {rule.describe()}, got {namespace[name]!r}")
    if problems:
        raise ParameterError("; ".join(problems))
    checked = {name: namespace[name] for name in rules}
    _last_checked.clear()
    _last_checked.update(checked)
    return checked


def checked_parameters() -> dict[str, object]:
    """{name: value} of the last successful check_parameters call in this process (empty before one)."""
    return dict(_last_checked)
