"""The jury's self-contained HTML in Debian's chromium, opened from file:// with the network cut off."""

from __future__ import annotations

import time

import pytest

from tests.browser_helpers import block_network, browser_type_launch_args, skip_without_chromium  # noqa: F401
from tests.jury_helpers import demo_project, run_until_site_visits

skip_without_chromium()
pytestmark = pytest.mark.browser

HOSTILE = "<script>window.__pwned = 1</script> Hack & Co. KG"


@pytest.fixture(scope="module")
def page_file(tmp_path_factory):
    """The demo's jury page, with one organisation renamed to a name that carries a script tag."""
    from vielfalt.dashboard.static import write_jury_html
    from vielfalt import stages

    tmp = tmp_path_factory.mktemp("static")
    root = demo_project(tmp)
    run = run_until_site_visits(root, tmp / "run")
    stages.jury_stage(root, "demo2010", run)
    view = stages.jury_view(root, "demo2010", run)
    target = view.in_category("klein").index[1]
    view.final.loc[target, "name"] = HOSTILE
    path = write_jury_html(view, tmp / "jury.html")
    return path, view, target


@pytest.fixture
def opened(page, page_file):
    """The page loaded offline: every request that is not file:// or data: is aborted and recorded."""
    path, view, target = page_file
    blocked = block_network(page, ("file:", "data:"))
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))
    page.goto(path.as_uri())
    page.wait_for_selector("body[data-ready='1']")
    page.wait_for_function(
        "[...document.querySelectorAll('.js-plotly-plot')].length >= 4 && "
        "[...document.querySelectorAll('.js-plotly-plot')].every(d => d.querySelector('.main-svg'))"
    )
    return page, view, target, blocked, errors


def _visible_rows(page):
    return page.eval_on_selector_all(
        "#shortlist tbody tr:not([hidden])", "rs => rs.map(r => [r.dataset.entry, r.dataset.category])"
    )


def test_renders_offline_without_errors(opened):
    """No request leaves the file, no console error, every figure has its SVG."""
    page, _, _, blocked, errors = opened
    assert blocked == [] and errors == []
    n = page.eval_on_selector_all(
        ".js-plotly-plot", "ds => ds.filter(d => d.querySelector('.main-svg')).length"
    )
    assert n == page.locator(".js-plotly-plot").count() >= 4


def test_no_share_or_cloud_button(opened):
    """The modebar offers no upload to Plotly Cloud."""
    page = opened[0]
    page.hover("#vf-fig-profile .main-svg")
    titles = page.eval_on_selector_all(
        ".modebar-btn", "bs => bs.map(b => b.getAttribute('data-title') || '')"
    )
    assert titles and not [t for t in titles if "Cloud" in t or "Share" in t or "Teilen" in t]


def test_category_switch(opened):
    """Choosing another category shows only its rows and redraws its rank-interval figure."""
    page, view, _, _, _ = opened
    assert {c for _, c in _visible_rows(page)} == {"klein"}
    page.select_option("#vf-category", "gross")
    rows = _visible_rows(page)
    assert {c for _, c in rows} == {"gross"} and len(rows) == (view.final["category"] == "gross").sum()
    ticks = page.eval_on_selector_all("#vf-fig-ranks .ytick text", "ts => ts.map(t => t.textContent)")
    gross = view.in_category("gross").index
    assert ticks and all(any(e in t for e in gross) for t in ticks)


def test_sort_by_score_both_ways(opened):
    """Clicking the score heading sorts ascending, clicking again descending."""
    page = opened[0]
    head = page.locator("th[data-key='total_post']")

    def scores():
        return page.eval_on_selector_all(
            "#shortlist tbody tr:not([hidden]) td:nth-child(6)",
            "ts => ts.map(t => parseFloat(t.dataset.value))",
        )

    head.click()
    asc = scores()
    assert asc == sorted(asc) and head.get_attribute("aria-sort") == "ascending"
    head.click()
    assert scores() == sorted(asc, reverse=True) and head.get_attribute("aria-sort") == "descending"


def test_filter_by_text(opened):
    """Typing part of a name leaves only the matching rows of the category."""
    page, view, target, _, _ = opened
    other = view.in_category("klein").index[0]
    name = str(view.final.at[other, "name"])
    page.fill("#vf-filter", name[:8])
    assert [e for e, _ in _visible_rows(page)] == [other]
    page.fill("#vf-filter", "")
    assert len(_visible_rows(page)) == (view.final["category"] == "klein").sum()


def test_script_in_a_company_name_shows_as_text(opened):
    """The name with <script> is shown literally and never runs."""
    page, _, target, _, errors = opened
    cell = page.locator(f"#shortlist tr[data-entry='{target}'] td.name")
    assert cell.inner_text() == HOSTILE
    assert page.evaluate("window.__pwned") is None and errors == []
    page.click(f"#shortlist tr[data-entry='{target}'] td.name")
    assert HOSTILE in page.locator(f"section.detail[data-entry='{target}'] h3").inner_text()


def test_conflicted_entries_are_marked_and_excluded(opened):
    """J2 declared a conflict: choosing J2 strikes the entry out and disables its compare box."""
    page, view, _, _, _ = opened
    entry = view.conflicts["J2"][0]
    page.select_option("#vf-category", str(view.final.at[entry, "category"]))
    page.select_option("#vf-juror", "J2")
    row = page.locator(f"#shortlist tr[data-entry='{entry}']")
    assert "conflict" in (row.get_attribute("class") or "")
    assert row.locator("input.cmp").is_disabled()


def test_compare_two_entries(opened):
    """Ticking two entries shows exactly those two in the comparison figure."""
    page = opened[0]
    boxes = page.locator("#shortlist tbody tr:not([hidden]) input.cmp")
    boxes.nth(0).check()
    boxes.nth(1).check()
    visible = page.evaluate(
        "document.getElementById('vf-fig-compare').data.filter(t => t.visible === true).length"
    )
    assert visible == 2


def test_size_and_time_to_full_render(page, page_file, record_property):
    """Measure the page (recorded, not asserted as a speed target): bytes and ms until every figure is drawn."""
    path = page_file[0]
    block_network(page, ("file:", "data:"))
    t0 = time.perf_counter()
    page.goto(path.as_uri())
    page.wait_for_function(
        "document.body.dataset.ready === '1' && [...document.querySelectorAll('.js-plotly-plot')].length >= 4 && "
        "[...document.querySelectorAll('.js-plotly-plot')].every(d => d.querySelector('.main-svg'))"
    )
    ms = (time.perf_counter() - t0) * 1000
    size = path.stat().st_size
    record_property("jury_html_bytes", size)
    record_property("jury_html_render_ms", round(ms))
    print(f"\njury HTML: {size / 1e6:.2f} MB, full render {ms:.0f} ms")
    assert size > 3_000_000  # plotly.js is inside: the file works without the network
