"""Notebook parameter checks: one named error that says what each bad parameter must be."""

import pytest

from rec_utils.runtime.parameters import (
    Choice,
    Flag,
    Integer,
    ListOf,
    Number,
    OrNone,
    ParameterError,
    Text,
    check_parameters,
)


def test_good_values_pass_and_are_returned():
    values = {"sample_frac": 0.5, "seed": 0, "device": "cpu", "save": True, "grid": [8, 16], "top_n": None,
              "name": "x"}
    checked = check_parameters(values, sample_frac=Number(0, 1, low_open=True), seed=Integer(minimum=0),
                               device=Choice("auto", "cpu", "gpu"), save=Flag(), grid=ListOf(Integer(minimum=1)),
                               top_n=OrNone(Integer(minimum=1)), name=Text())
    assert checked == values


@pytest.mark.parametrize("value, rule, message", [
    (7, Integer(minimum=32), "image_size must be an integer >= 32, got 7"),
    (True, Integer(), "image_size must be an integer, got True"),
    ("abc", Number(0, 1, low_open=True), "must be a number in (0, 1], got 'abc'"),
    (0, Number(0, 1, low_open=True), "must be a number in (0, 1], got 0"),
    (float("nan"), Number(0, 1), "got nan"),
    ("yes", Flag(), "must be true or false, got 'yes'"),
    ("tpu", Choice("auto", "cpu", "gpu"), "must be one of 'auto', 'cpu', 'gpu', got 'tpu'"),
    ([8, 0], ListOf(Integer(minimum=1)), "each an integer >= 1, got [8, 0]"),
    ([], ListOf(Integer()), "at least 1 items"),
    ("", Text(), "must be a non-empty text"),
])
def test_bad_values_name_the_parameter_and_the_rule(value, rule, message):
    with pytest.raises(ParameterError) as error:
        check_parameters({"image_size": value}, image_size=rule)
    assert message in str(error.value)


def test_every_problem_is_reported_at_once_and_missing_names_too():
    with pytest.raises(ParameterError, match=r"a must be .*; b is not defined"):
        check_parameters({"a": -1}, a=Integer(minimum=0), b=Flag())
