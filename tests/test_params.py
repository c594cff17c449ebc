"""Tests of the declarative parameter check (vielfalt._params)."""

from __future__ import annotations

import math

import pytest

from vielfalt._params import Interval, Options, Predicate, check_param, validate_params
from vielfalt.exceptions import ConfigError


@validate_params(
    {
        "k": [Interval(int, 1, None)],
        "share": [Interval(float, 0, 1, closed="neither")],
        "method": [Options({"amean", "gmean"})],
        "seed": [int, None],
    }
)
def _f(df: object, *, k: int = 3, share: float = 0.5, method: str = "amean", seed: int | None = None) -> int:
    return k


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"k": 0}, "The 'k' parameter of _f must be an int in the range [1, inf). Got 0 instead."),
        ({"k": True}, "The 'k' parameter of _f must be an int in the range [1, inf). Got True instead."),
        ({"k": 2.0}, "The 'k' parameter of _f must be an int in the range [1, inf). Got 2.0 instead."),
        ({"share": 1}, "The 'share' parameter of _f must be a float in the range (0.0, 1.0). Got 1 instead."),
        (
            {"share": math.nan},
            "The 'share' parameter of _f must be a float in the range (0.0, 1.0). Got nan instead.",
        ),
        (
            {"method": "mean"},
            "The 'method' parameter of _f must be one of {'amean', 'gmean'}. Got 'mean' instead.",
        ),
        ({"seed": "1"}, "The 'seed' parameter of _f must be an int or None. Got '1' instead."),
    ],
)
def test_bad_values_get_the_one_message_shape(kwargs, message):
    """Every bad value raises ConfigError with scikit-learn's message shape, naming function and value."""
    with pytest.raises(ConfigError) as err:
        _f(None, **kwargs)
    assert str(err.value) == message


def test_good_values_pass_through_unchanged():
    """Values inside the constraints, including the interval's closed end and None, are accepted."""
    assert _f(None, k=1, share=0.25, method="gmean", seed=None) == 1
    assert _f(None, k=10**9, seed=7) == 10**9


def test_message_follows_the_functions_lang_argument():
    """A function with a ``lang`` parameter gets the message in that language."""

    @validate_params({"n": [Interval(int, 0, None)]})
    def g(*, n: int, lang: str = "de") -> int:
        return n

    with pytest.raises(ConfigError, match="Der Parameter „n“ von g muss eine ganze Zahl im Bereich"):
        g(n=-1, lang="de")


def test_options_do_not_confuse_bools_with_numbers():
    """``True`` is not the option ``1`` and ``1`` is not the option ``True``."""
    assert not Options({1, 2}).accepts(True)
    assert not Options({True}).accepts(1)
    assert Options({True, False}).accepts(False)


def test_predicate_and_check_param():
    """A predicate describes itself in the message; check_param returns the value it accepts."""
    even = Predicate(lambda v: isinstance(v, int) and v % 2 == 0, ("eine gerade Zahl", "an even int"))
    assert check_param("n", 4, [even], func="h") == 4
    with pytest.raises(ConfigError, match="must be an even int. Got 3 instead"):
        check_param("n", 3, [even], func="h")


def test_unknown_parameter_name_is_caught_when_decorating():
    """A constraint for a parameter the function does not have is a programming error."""
    with pytest.raises(TypeError, match="no parameters"):

        @validate_params({"x": [int]})
        def h(y: int) -> int:
            return y
