"""Hostile markup in every free-text and name field, opened in chromium: every HTML page of a full papermill
run (stage reports, the jury page, the feedback letters) and the live Voilà dashboard run none of it and show
it as text."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import hostile_helpers
from tests.browser_helpers import (  # noqa: F401
    block_network,
    browser_type_launch_args,
    skip_without_chromium,
    voila_server,
)

skip_without_chromium()
pytestmark = pytest.mark.browser

# what the page shows when the markup is inert text (the script and the image handler call alert)
SHOWN = ('<script>alert("vielfalt-xss")</script>', "<img src=x onerror=alert(2)>")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(project root, run dir) of the hostile demo inputs run through every stage."""
    return hostile_helpers.hostile_run(tmp_path_factory.mktemp("hostile-browser"))


def _watch(page) -> tuple[list[str], list[str]]:
    """Record every dialog (an alert means injected code ran) and every uncaught page error."""
    dialogs: list[str] = []
    errors: list[str] = []

    def on_dialog(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda err: errors.append(str(err)))
    return dialogs, errors


def _shows_markup(text: str) -> bool:
    return any(s in text for s in SHOWN)


def test_every_html_page_of_a_hostile_run_runs_none_of_it(page, hostile) -> None:
    """Reports, jury page and letters: no alert, no page error, no request beyond the file itself, the
    markup visible as text on the jury page and in the letters."""
    _, run = hostile
    pages = sorted(run.rglob("*.html"))
    letters = [p for p in pages if p.parent.name == "letters"]
    jury = [p for p in pages if p.parent.name == "jury"]
    assert len([p for p in pages if p.parent == run]) >= 7 and letters and jury
    dialogs, errors = _watch(page)
    blocked = block_network(page, ("file://", "data:", "blob:"))
    shown: dict[str, bool] = {}
    for path in pages:
        page.goto(path.as_uri(), wait_until="load")
        if page.locator(".js-plotly-plot").count():
            page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
        page.wait_for_timeout(100)  # an image error handler fires after the load event
        shown[path.relative_to(run).as_posix()] = _shows_markup(page.inner_text("body"))
    assert dialogs == [], dialogs
    assert errors == [], errors
    # nothing but the page itself and what it embeds is loaded (no script reached for the network)
    assert blocked == [], blocked
    assert any(shown[p.relative_to(run).as_posix()] for p in letters)
    assert all(shown[p.relative_to(run).as_posix()] for p in jury)


def test_voila_dashboard_of_a_hostile_run_runs_none_of_it(page, hostile, tmp_path: Path) -> None:
    """The live dashboard over the hostile run: no alert, no page error; the names show their markup as text
    in the table of some category."""
    from vielfalt.dashboard.serve import dashboard_notebook

    root, run = hostile
    out = tmp_path / "dashboard"
    nb = dashboard_notebook(root, "demo2010", run, out)
    with voila_server(nb, out, tmp_path / "voila.log") as (url, port):
        dialogs, errors = _watch(page)
        blocked = block_network(
            page, (f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}", "data:", "blob:")
        )
        page.goto(url, timeout=120_000)
        page.wait_for_selector(".vf-jury-app", timeout=120_000)
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=120_000)
        select = page.locator(".vf-jury-app select").first
        shown = []
        for label in select.locator("option").all_inner_texts():
            select.select_option(label=label)
            page.wait_for_timeout(700)
            shown.append(_shows_markup(page.inner_text(".vf-jury-app")))
        assert dialogs == [], dialogs
        assert errors == [], errors
        assert blocked == [], blocked
        assert any(shown), shown
