"""The live jury dashboard: notebook 06_jury served by Voilà on a free local port, driven in chromium."""

from __future__ import annotations

import pytest

from tests.browser_helpers import (  # noqa: F401
    block_network,
    browser_type_launch_args,
    skip_without_chromium,
    voila_server,
)
from tests.jury_helpers import demo_project, run_until_site_visits

skip_without_chromium()
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def voila_url(tmp_path_factory):
    """Voilà serving the dashboard notebook of an in-process demo run; stopped after the module."""
    from vielfalt.dashboard.serve import dashboard_notebook
    from vielfalt import stages

    tmp = tmp_path_factory.mktemp("voila")
    root = demo_project(tmp)
    run = run_until_site_visits(root, tmp / "run")
    stages.jury_stage(root, "demo2010", run)
    out = tmp / "dashboard"
    nb = dashboard_notebook(root, "demo2010", run, out)
    with voila_server(nb, out, tmp / "voila.log") as served:
        yield served


@pytest.fixture
def app(page, voila_url):
    """The app loaded with every request outside 127.0.0.1 aborted; waits until a figure is drawn."""
    url, port = voila_url
    local = (f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}", "data:", "blob:")
    blocked = block_network(page, local)
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.goto(url, timeout=120_000)
    page.wait_for_selector(".vf-jury-app", timeout=120_000)
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=120_000)
    return page, blocked, sockets, port


def _ranking_ticks(page):
    return page.eval_on_selector_all(
        ".vf-jury-app .js-plotly-plot .ytick text", "ts => ts.map(t => t.textContent)"
    )


def test_widgets_appear_and_nothing_leaves_localhost(app):
    """The dropdowns, sliders and a drawn figure appear; no request or socket goes beyond 127.0.0.1."""
    page, blocked, sockets, port = app
    assert page.locator(".vf-jury-app select").count() >= 3
    assert page.locator(".vf-jury-app .widget-slider").count() >= 4
    page.wait_for_timeout(1500)
    assert blocked == []
    assert sockets and all(s.startswith(f"ws://127.0.0.1:{port}/") for s in sockets)


def test_category_change_updates_the_figures(app):
    """Choosing another category redraws the ranking with that category's entries."""
    page = app[0]
    page.wait_for_function("document.querySelectorAll('.vf-jury-app .js-plotly-plot .ytick').length > 0")
    before = _ranking_ticks(page)
    select = page.locator(".vf-jury-app select").first
    labels = select.locator("option").all_inner_texts()
    select.select_option(label=labels[-1])
    page.wait_for_function(
        "(prev) => { const t = [...document.querySelectorAll('.vf-jury-app .js-plotly-plot .ytick text')]"
        ".map(x => x.textContent); return t.length > 0 && JSON.stringify(t) !== JSON.stringify(prev); }",
        arg=before,
        timeout=60_000,
    )
    after = _ranking_ticks(page)
    assert after != before and after
    assert app[1] == []
