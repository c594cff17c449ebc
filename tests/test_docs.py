"""The project's own documentation: README.md and docs/*.md link only to files in the repository."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PACKAGE = ROOT / "src" / "vielfalt"


def _pages() -> list[Path]:
    """README.md and every Markdown page in docs/."""
    return [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]


_FENCED = re.compile(r"^[ \t]*(`{3,}|~{3,})[^\n]*\n.*?^[ \t]*\1[^\n]*$", re.MULTILINE | re.DOTALL)
_CODE_SPAN = re.compile(r"``.+?``|`[^`\n]*`", re.DOTALL)
_INLINE_LINK = re.compile(r"!?\[(?:[^\[\]\n]|\[[^\[\]\n]*\])*\]\(\s*<?([^()\s<>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_REFERENCE_LINK = re.compile(r"^[ ]{0,3}\[[^\]\n]+\]:\s*<?(\S+?)>?(?:\s|$)", re.MULTILINE)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


def _prose(text: str) -> str:
    """The text without fenced code blocks and code spans, where brackets are not links."""
    return _CODE_SPAN.sub("", _FENCED.sub("", text))


def _relative_links(page: Path) -> list[str]:
    """Targets of the relative links of a page (URLs with a scheme and pure #anchors left out)."""
    text = _prose(page.read_text(encoding="utf-8"))
    targets = _INLINE_LINK.findall(text) + _REFERENCE_LINK.findall(text)
    return [t for t in targets if not _SCHEME.match(t) and not t.startswith("#")]


def _resolve(page: Path, target: str) -> Path:
    """The file a relative link of `page` points to (query and anchor removed)."""
    path = unquote(target.split("#", 1)[0].split("?", 1)[0])
    return (page.parent / path).resolve()


def test_documentation_pages_exist():
    """docs/ holds the index page and the three pages on architecture, methods and domain."""
    for name in ("README.md", "architecture.md", "methods.md", "domain.md"):
        assert (DOCS / name).is_file(), f"docs/{name} is missing"


def test_link_extraction_finds_links_and_skips_code():
    """The link finder sees Markdown links and ignores brackets inside code and URLs with a scheme."""
    page = DOCS / "_probe.md"
    text = "See [a](a.md), ![fig](img/x.png), [b][r], `[c](c.md)` and [web](https://example.org).\n\n"
    text += "[r]: b.md\n```\n[d](d.md)\n```\n"
    found = _INLINE_LINK.findall(_prose(text)) + _REFERENCE_LINK.findall(_prose(text))
    assert sorted(t for t in found if not _SCHEME.match(t)) == ["a.md", "b.md", "img/x.png"]
    assert _resolve(page, "a.md#section") == (DOCS / "a.md").resolve()


@pytest.mark.parametrize("page", _pages(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_relative_links_point_to_existing_files_in_the_repository(page):
    """Every relative link of the page points to a file or folder that exists inside the repository."""
    for target in _relative_links(page):
        path = _resolve(page, target)
        assert path.is_relative_to(ROOT), f"{page.name}: link {target!r} leaves the repository"
        assert path.exists(), f"{page.name}: link {target!r} points to {path}, which does not exist"


def test_readme_links_the_documentation():
    """README.md links the documentation index and every documentation page."""
    targets = {_resolve(ROOT / "README.md", t) for t in _relative_links(ROOT / "README.md")}
    for name in ("README.md", "architecture.md", "methods.md", "domain.md"):
        assert (DOCS / name).resolve() in targets, f"README.md does not link docs/{name}"


@pytest.mark.parametrize("page", _pages(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_page_sends_the_reader_to_the_folder_beside_the_repository(page):
    """No page names or links ../shared/, which a user who clones the repository does not have."""
    text = page.read_text(encoding="utf-8")
    hits = re.findall(r"\.\.[/\\]shared\b", text)
    assert not hits, f"{page.name} mentions ../shared ({len(hits)} times)"


def _subpackages() -> list[str]:
    """Names of the top-level subpackages of vielfalt: folders under src/vielfalt/ with an __init__.py."""
    return sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").is_file())


def test_architecture_lists_every_subpackage_of_the_code():
    """docs/architecture.md has a layout line `<name>/` for every subpackage now under src/vielfalt/."""
    text = (DOCS / "architecture.md").read_text(encoding="utf-8")
    names = _subpackages()
    assert names, "no subpackage found under src/vielfalt/"
    missing = [n for n in names if not re.search(rf"^\s*{re.escape(n)}/\s", text, re.MULTILINE)]
    assert not missing, f"docs/architecture.md does not list the subpackages {missing}"
