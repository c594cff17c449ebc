"""The one message catalogue: everything a person reads, in German (default) and English.

Messages live as data in ``vielfalt/messages/<namespace>.yaml``, one file per subpackage, each key with a
``de`` and an ``en`` text. A key is ``<namespace>.<name>``; :func:`t` loads a namespace on first use.
``str.format`` placeholders (``{value}``, ``{name!r}``) are filled from the keyword arguments; both languages
of a key must use the same placeholders (a test checks every key).

Examples
--------
>>> t("common.missing", "de")
'–'
>>> t("params.invalid", "en", name="k", func="f", expected="an int", value=0)
"The 'k' parameter of f must be an int. Got 0 instead."
"""

from __future__ import annotations

import string
from functools import cache
from importlib import resources
from typing import Any

import yaml

__all__ = ["LANGUAGES", "catalogue", "label", "namespaces", "placeholders", "t"]

#: The languages every message exists in; the first is the default.
LANGUAGES: tuple[str, ...] = ("de", "en")


def namespaces() -> list[str]:
    """Return the namespaces of the catalogue (the YAML files in ``vielfalt/messages``), sorted."""
    folder = resources.files("vielfalt") / "messages"
    return sorted(p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml"))


@cache
def _namespace(name: str) -> dict[str, dict[str, str]]:
    if not name.isidentifier():
        msg = f"Message namespace {name!r} is not an identifier."
        raise LookupError(msg)
    source = resources.files("vielfalt") / "messages" / f"{name}.yaml"
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        msg = f"There is no message namespace {name!r} (vielfalt/messages/{name}.yaml)."
        raise LookupError(msg) from None
    table = yaml.safe_load(text) or {}
    if not isinstance(table, dict):
        msg = f"vielfalt/messages/{name}.yaml must map keys to {{de: …, en: …}}."
        raise LookupError(msg)
    out: dict[str, dict[str, str]] = {}
    for key, texts in table.items():
        if not isinstance(key, str) or not isinstance(texts, dict):
            # YAML 1.1 reads an unquoted yes/no/on/off key as a bool: quote such keys
            msg = f"vielfalt/messages/{name}.yaml: key {key!r} must be a string mapping to {{de: …, en: …}}."
            raise LookupError(msg)
        out[key] = {str(lang): str(text) for lang, text in texts.items()}
    return out


def catalogue() -> dict[str, dict[str, str]]:
    """Return the whole catalogue as ``{"namespace.key": {"de": …, "en": …}}`` (for tests and tools)."""
    return {f"{ns}.{k}": v for ns in namespaces() for k, v in _namespace(ns).items()}


def t(key: str, lang: str = "de", /, **values: Any) -> str:
    """Return the message ``key`` in ``lang`` with ``values`` filled in.

    Parameters
    ----------
    key : str
        ``"<namespace>.<name>"``, e.g. ``"intake.not_integer"``.
    lang : {"de", "en"}, default "de"
        The reader's language; any other value falls back to German.
    **values
        The placeholders of the message.

    Returns
    -------
    str
        The filled-in message.
    """
    ns, _, name = key.partition(".")
    table = _namespace(ns)
    try:
        texts = table[name]
    except KeyError:
        msg = f"The message catalogue has no key {key!r} (vielfalt/messages/{ns}.yaml)."
        raise LookupError(msg) from None
    text = texts[lang] if lang in texts else texts[LANGUAGES[0]]
    return text.format(**values) if values else text


def label(key: str, lang: str = "de") -> str:
    """Return a fixed label (no placeholders) from the catalogue: ``label("common.yes", "en") == "yes"``."""
    return t(key, lang)


def placeholders(text: str) -> set[str]:
    """Return the names of the ``str.format`` placeholders in ``text`` (``"{a!r} {b}"`` → ``{"a", "b"}``)."""
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}
