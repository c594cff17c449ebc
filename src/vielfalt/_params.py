"""One declarative parameter check for public functions, in the spirit of scikit-learn's ``validate_params``.

A function declares what each parameter may be, once, next to its signature::

    @validate_params({"k": [Interval(int, 1, None)], "method": [Options({"amean", "gmean"})]})
    def rank(df, *, k=3, method="amean"): ...

Every bad value then gets the same message (``params.invalid`` in the catalogue), naming the parameter, the
function, what it must be and what it got, and raises :class:`~vielfalt.exceptions.ConfigError`. The message
is in the function's ``lang`` argument when it has one, else in English: a bad parameter is a programmer's
error (scikit-learn's wording, which the tests assert).

Examples
--------
>>> @validate_params({"k": [Interval(int, 1, None)]})
... def top(*, k: int = 3) -> int:
...     return k
>>> top(k=0)
Traceback (most recent call last):
...
vielfalt.exceptions.ConfigError: The 'k' parameter of top must be an int in the range [1, inf). Got 0 instead.
"""

from __future__ import annotations

import functools
import inspect
import math
import numbers
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from vielfalt.exceptions import ConfigError
from vielfalt.i18n import t

__all__ = ["Interval", "Options", "Predicate", "check_param", "validate_params"]

FuncT = TypeVar("FuncT", bound=Callable[..., Any])


@dataclass(frozen=True)
class Interval:
    """A number of ``type_`` (``int`` or ``float``) between ``left`` and ``right`` (``None``: unbounded).

    ``closed`` says which ends belong to it; bools are never numbers here, and ``float`` accepts ints but not
    NaN.
    """

    type_: type
    left: float | None
    right: float | None
    closed: Literal["left", "right", "both", "neither"] = "left"

    def accepts(self, value: Any) -> bool:
        """Return whether ``value`` lies in the interval and has the right type."""
        if isinstance(value, bool):
            return False
        if self.type_ is int and not isinstance(value, numbers.Integral):
            return False
        if self.type_ is float and not isinstance(value, numbers.Real):
            return False
        v = float(value)
        if math.isnan(v):
            return False
        below = self.left is not None and (
            v < self.left or (v == self.left and self.closed in ("right", "neither"))
        )
        above = self.right is not None and (
            v > self.right or (v == self.right and self.closed in ("left", "neither"))
        )
        return not (below or above)

    def describe(self, lang: str) -> str:
        """Return ``"an int in the range [1, inf)"`` (or its German form)."""
        what = t("params.an_int" if self.type_ is int else "params.a_float", lang)
        lo = "-inf" if self.left is None else _num(self.left, self.type_)
        hi = "inf" if self.right is None else _num(self.right, self.type_)
        left = "[" if self.closed in ("left", "both") and self.left is not None else "("
        right = "]" if self.closed in ("right", "both") and self.right is not None else ")"
        return t("params.in_range", lang, what=what, interval=f"{left}{lo}, {hi}{right}")


@dataclass(frozen=True)
class Options:
    """One of a fixed set of values (strings or other hashables)."""

    values: frozenset[Any]

    def __init__(self, values: Iterable[Any]) -> None:
        object.__setattr__(self, "values", frozenset(values))

    def accepts(self, value: Any) -> bool:
        """Return whether ``value`` is one of the options (a bool never equals 0 or 1 here)."""
        if isinstance(value, bool) or any(isinstance(v, bool) for v in self.values):
            return any(type(v) is type(value) and v == value for v in self.values)
        try:
            return value in self.values
        except TypeError:  # unhashable
            return False

    def describe(self, lang: str) -> str:
        """Return ``"one of {'a', 'b'}"`` with the options sorted."""
        return t("params.one_of", lang, options=", ".join(repr(v) for v in sorted(self.values, key=repr)))


@dataclass(frozen=True)
class Predicate:
    """Any value for which ``test`` is true, described as ``text`` (German, English)."""

    test: Callable[[Any], bool]
    text: tuple[str, str]

    def accepts(self, value: Any) -> bool:
        """Return ``test(value)``."""
        return bool(self.test(value))

    def describe(self, lang: str) -> str:
        """Return the description in ``lang``."""
        return self.text[0] if lang == "de" else self.text[1]


Constraint = Interval | Options | Predicate | type | None


def _num(value: float, type_: type) -> str:
    return str(int(value)) if type_ is int else repr(float(value))


def _accepts(constraint: Constraint, value: Any) -> bool:
    if constraint is None:
        return value is None
    if isinstance(constraint, Interval | Options | Predicate):
        return constraint.accepts(value)
    if constraint is bool:
        return isinstance(value, bool)
    if constraint is int:
        return isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if constraint is float:
        return isinstance(value, numbers.Real) and not isinstance(value, bool)
    return isinstance(value, constraint)


def _describe(constraint: Constraint, lang: str) -> str:
    if constraint is None:
        return t("params.none", lang)
    if isinstance(constraint, Interval | Options | Predicate):
        return constraint.describe(lang)
    simple = {bool: "params.a_bool", int: "params.an_int", float: "params.a_float", str: "params.a_str"}
    if constraint in simple:
        return t(simple[constraint], lang)
    return t("params.instance_of", lang, type=constraint.__name__)


def check_param(name: str, value: Any, constraints: list[Constraint], *, func: str, lang: str = "en") -> Any:
    """Return ``value`` when it meets one of ``constraints``, else raise ConfigError in the common shape.

    Parameters
    ----------
    name, value : str, object
        The parameter and the value it got.
    constraints : list
        Each an :class:`Interval`, :class:`Options`, :class:`Predicate`, a type or ``None`` (the value None).
    func : str
        The function's name, for the message.
    lang : {"de", "en"}, default "en"
        The message's language.

    Returns
    -------
    object
        ``value`` unchanged.
    """
    if any(_accepts(c, value) for c in constraints):
        return value
    expected = t("params.or", lang).join(_describe(c, lang) for c in constraints)
    msg = t("params.invalid", lang, name=name, func=func, expected=expected, value=value)
    raise ConfigError(msg)


def validate_params(constraints: dict[str, list[Constraint]]) -> Callable[[FuncT], FuncT]:
    """Decorate a function so that its parameters are checked against ``constraints`` on every call.

    Parameters
    ----------
    constraints : dict
        Parameter name → list of accepted constraints (see :func:`check_param`). Names that are not
        parameters of the function are a programming error and raise at decoration time.

    Returns
    -------
    callable
        The decorator.
    """

    def decorate(func: FuncT) -> FuncT:
        signature = inspect.signature(func)
        unknown = set(constraints) - set(signature.parameters)
        if unknown:
            msg = f"validate_params on {func.__qualname__}: no parameters {sorted(unknown)}."
            raise TypeError(msg)

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            bound = signature.bind(*args, **kwargs)
            lang = bound.arguments.get("lang", "en")
            lang = lang if lang in ("de", "en") else "en"
            for name, accepted in constraints.items():
                if name in bound.arguments:
                    check_param(name, bound.arguments[name], accepted, func=func.__name__, lang=lang)
            return func(*args, **kwargs)

        wrapper.__vielfalt_constraints__ = constraints  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate
