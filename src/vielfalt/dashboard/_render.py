"""The jinja2 environment of the dashboard's HTML: templates in ``dashboard/templates``, autoescape on.

Every value a template writes is HTML-escaped unless it is :class:`markupsafe.Markup` (the page's own CSS,
JS and plotly.js). JSON inside ``<script>`` goes through the ``script_json`` filter (:func:`script_json`).
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import jinja2
from markupsafe import Markup

__all__ = ["environment", "script_json"]


def script_json(obj: Any) -> str:
    """JSON that is safe inside ``<script>``: ``<``, ``>``, ``&`` and the JS line separators escaped.

    Parameters
    ----------
    obj : JSON-serialisable object
        Keys are sorted; NaN is refused.

    Returns
    -------
    str

    Examples
    --------
    >>> script_json({"name": "</script><b>"})
    '{"name": "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e"}'
    """
    text = json.dumps(obj, ensure_ascii=False, sort_keys=True, allow_nan=False, separators=(", ", ": "))
    return (
        text.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


@cache
def environment() -> jinja2.Environment:
    """Return the jinja2 environment of ``dashboard/templates`` (autoescape, undefined names are errors)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("vielfalt", "dashboard/templates"),
        autoescape=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["script_json"] = lambda obj: Markup(script_json(obj))
    return env
