"""Parameter checks shared by the sensitivity modules (through :mod:`vielfalt._params`).

The statistics speak to researchers and programmers, so their messages are emitted in English (:data:`LANG`),
like those of :mod:`vielfalt._params`; the texts live in ``vielfalt/messages/sensitivity.yaml``.
"""

from __future__ import annotations

from collections.abc import Callable
from numbers import Integral
from typing import Any

import numpy as np

from vielfalt._params import Interval, Predicate, check_param
from vielfalt.i18n import LANGUAGES, t

#: The language of the statistics' messages.
LANG = "en"


def message(key: str, **values: Any) -> str:
    """Return the sensitivity message ``key`` in :data:`LANG`."""
    return t(f"sensitivity.{key}", LANG, **values)


def described(key: str, test: Callable[[Any], bool], **values: Any) -> Predicate:
    """A constraint accepting what ``test`` accepts, described by the sensitivity message ``key``."""
    de, en = (t(f"sensitivity.{key}", lang, **values) for lang in LANGUAGES)
    return Predicate(test, (de, en))


def check_int(value: Any, param: str, func: str, low: int) -> int:
    """Return ``value`` as an int in [low, inf), else raise ConfigError in scikit-learn's message shape."""
    check_param(param, value, [Interval(int, low, None)], func=func)
    return int(value)


def _is_seed(seed: Any) -> bool:
    if seed is None or isinstance(seed, np.random.Generator):
        return True
    return isinstance(seed, Integral) and not isinstance(seed, bool)


def rng(seed: Any, func: str) -> np.random.Generator:
    """Turn an int, Generator or None into a Generator; anything else is a ConfigError."""
    check_param("seed", seed, [described("seed_expected", _is_seed)], func=func)
    if isinstance(seed, Integral):
        return np.random.default_rng(int(seed))
    return np.random.default_rng(seed)
