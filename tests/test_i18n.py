"""Tests of the one message catalogue (vielfalt.i18n)."""

from __future__ import annotations

import pytest

from vielfalt.i18n import LANGUAGES, catalogue, namespaces, placeholders, t


def test_every_key_has_every_language_with_the_same_placeholders():
    """Each message exists in German and English (non-empty in German), with identical placeholder names."""
    problems = []
    for key, texts in catalogue().items():
        missing = [lang for lang in LANGUAGES if lang not in texts or texts["de"] == ""]
        if missing:
            problems.append(f"{key}: no {missing}")
            continue
        extra = set(texts) - set(LANGUAGES)
        if extra:
            problems.append(f"{key}: unknown languages {sorted(extra)}")
        if placeholders(texts["de"]) != placeholders(texts["en"]):
            problems.append(f"{key}: placeholders differ {texts}")
    assert not problems, "\n".join(problems)


def test_catalogue_has_the_shared_namespaces():
    """The namespaces every layer relies on are present."""
    assert {"common", "params"} <= set(namespaces())


def test_t_fills_values_and_falls_back_to_german():
    """Values are filled in; an unknown language gives the German text."""
    assert t("params.invalid", "en", name="k", func="f", expected="an int", value=0) == (
        "The 'k' parameter of f must be an int. Got 0 instead."
    )
    assert t("common.yes", "fr") == t("common.yes", "de") == "ja"


def test_unknown_key_and_namespace_raise_lookup_error_naming_them():
    """A typo in a key is a programming error that names the key and the file."""
    with pytest.raises(LookupError, match=r"no key 'common\.nope'"):
        t("common.nope")
    with pytest.raises(LookupError, match="no message namespace 'nope'"):
        t("nope.key")
