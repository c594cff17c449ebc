"""Tests of the jury dashboard parts: pure figures, the static page's escaping, the widget wiring."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from vielfalt.dashboard import figures
from vielfalt.dashboard.figures import PLOTLY_CONFIG
from vielfalt.dashboard.serve import dashboard_notebook, voila_command, voila_env
from vielfalt.dashboard.static import build_jury_html, script_json
from vielfalt.dashboard.view import JuryView

HOSTILE = "<script>alert('x')</script> & Söhne GmbH"


def _view() -> JuryView:
    idx = pd.Index(["VG-1", "VG-2", "VG-3", "VG-4"], name="entry_id")
    final = pd.DataFrame(
        {
            "category": ["klein", "klein", "klein", "gross"],
            "total_pre": [70.0, 60.0, 50.0, 40.0],
            "total_post": [65.0, 60.0, 50.0, 40.0],
            "delta": [-5.0, 0.0, 0.0, 0.0],
            "recommended": [True, True, False, False],
            "visited": [True, False, False, False],
            "C_pre": [80.0, 60.0, 40.0, 30.0],
            "C_post": [60.0, 60.0, 40.0, 30.0],
            "F_pre": [60.0, 60.0, 60.0, 50.0],
            "F_post": [60.0, 60.0, 60.0, 50.0],
            "rank": [1, 2, 3, 1],
            "recommendation": ["Label empfohlen", "Label empfohlen", "nicht empfohlen", "nicht empfohlen"],
            "name": [HOSTILE, "Beta AG", "Gamma KG", "Delta e.V."],
            "Nominal": [1.0, 2.0, 3.0, 1.0],
            "Median": [1.0, 2.0, 3.0, 1.0],
            "Q5": [1.0, 1.0, 2.0, 1.0],
            "Q95": [2.0, 3.0, 3.0, 1.0],
            "P_topk": [1.0, 0.9, 0.1, 1.0],
            "status": ["clear", "borderline", "out", "clear"],
            "visit_rating": [3.0, float("nan"), float("nan"), float("nan")],
            "checks_text": ["1 geprüft", "", "", ""],
            "flags_text": ["", "", "", ""],
            "why": ["C (30.0)", "", "", ""],
        },
        index=idx,
    )
    return JuryView(
        edition="t2010",
        title="Test </title><script>",
        run_id="run-1",
        generated="2010-01-01 00:00 UTC",
        final=final,
        rank_stats=final[["category", "Nominal", "Median", "Q5", "Q95", "P_topk"]],
        categories=[("klein", "Klein"), ("gross", "Groß")],
        capacity={"klein": 2, "gross": 1},
        section_labels={"C": "C Maßnahmen", "F": "F Freitexte"},
        jury=[("J1", "Eine Jurorin"), ("J2", "Ein Juror")],
        conflicts={"J2": ["VG-2"]},
        weights={"klein": {"C": 35.0, "F": 30.0}, "gross": {"C": 35.0, "F": 30.0}},
        threshold=60.0,
        notes={"VG-1": [f"Besuch (G1): {HOSTILE}"]},
    )


def test_script_json_cannot_close_the_script():
    """<, > and & become \\u escapes, and the value survives a JSON round trip."""
    text = script_json({"n": "</script><!--&"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"n": "</script><!--&"}


def test_figures_escape_company_text():
    """Names enter plotly figures HTML-escaped, since plotly reads a subset of HTML in strings."""
    v = _view()
    fig = figures.entry_profile(v.final, "VG-1", section_labels=v.section_labels, labels=v.labels())
    names = [t.name for t in fig.data]
    assert any("&lt;script&gt;" in n for n in names) and not any("<script>" in n for n in names)


def test_profile_shows_category_mean_and_range():
    """The profile bars are the entry's sections; the marker is the category mean with min–max error bars."""
    v = _view()
    fig = figures.entry_profile(v.final, "VG-1")
    assert list(fig.data[0].y) == [60.0, 60.0]
    assert list(fig.data[1].y) == [pytest.approx(160 / 3, abs=0.05), 60.0]
    assert list(fig.data[1].error_y.array) == [pytest.approx(60 - 53.3, abs=0.05), 0.0]


def test_compare_shows_only_the_picked_entries():
    """Entries not picked are in the legend only."""
    v = _view()
    fig = figures.compare_entries(v.final, ["VG-1", "VG-2", "VG-3"], visible=["VG-3"])
    assert [t.visible for t in fig.data] == ["legendonly", "legendonly", True]


def test_site_visit_changes_shows_only_visited_entries():
    """One before/after pair per visited entry."""
    fig = figures.site_visit_changes(_view().final)
    assert list(fig.data[-1].x) == [65.0] and list(fig.data[-2].x) == [70.0]


def test_static_page_escapes_every_company_text():
    """The hostile name and title never appear raw in the page, in HTML or in embedded JSON."""
    page = build_jury_html(_view())
    body = page[page.index("</head>") :]
    assert "<script>alert" not in page and "</title><script>" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Söhne GmbH" in body
    assert page.count("<script") == 4  # plotly.js, two JSON blocks, the page's own code


def test_static_page_marks_conflicts_and_has_no_cloud_button():
    """The conflicted member is listed on the row; every figure gets showSendToCloud false."""
    page = build_jury_html(_view())
    assert 'data-entry="VG-2" data-category="klein" data-recommended="1" data-conflicts="J2"' in page
    meta = json.loads(page.split('id="vf-meta">', 1)[1].split("</script>", 1)[0])
    assert meta["config"] == PLOTLY_CONFIG and meta["config"]["showSendToCloud"] is False


def test_static_page_header_has_edition_run_and_time():
    """Edition, run id and the run's start time (not now) are in the header."""
    page = build_jury_html(_view())
    assert (
        "<code id='vf-run'>run-1</code>" in page
        and "<time id='vf-generated'>2010-01-01 00:00 UTC</time>" in page
    )


def test_what_if_a_weight_were_higher_by_hand():
    """Doubling C's points in klein: VG-1 = (70·60 + 30·60)/100 = 60, VG-3 = (70·40 + 30·60)/100 = 46."""
    from vielfalt.dashboard.widgets import what_if_totals

    totals = what_if_totals(_view(), "klein", {"C": 70.0, "F": 30.0})
    assert totals["VG-1"] == pytest.approx(60.0) and totals["VG-3"] == pytest.approx(46.0)


def test_widgets_category_change_updates_figures(capsys):
    """Switching the category redraws the ranking and profile for that category's entries."""
    from vielfalt.dashboard.widgets import JuryApp

    app = JuryApp(_view())
    assert app.entry.value == "VG-1" and len(app.figures["ranking"].data[0].y) == 3
    app.category.value = "gross"
    assert app.entry.value == "VG-4" and len(app.figures["ranking"].data[0].y) == 1
    assert app.sliders["C"].value == 35.0


def test_widgets_conflict_excludes_from_comparison(capsys):
    """A juror with a conflict sees the entry struck out and it is left out of the comparison."""
    from vielfalt.dashboard.widgets import JuryApp

    app = JuryApp(_view())
    app.compare.value = ("VG-1", "VG-2")
    assert [t.visible for t in app.figures["comparison"].data] == [True, True, "legendonly"]
    app.juror.value = "J2"
    assert [t.visible for t in app.figures["comparison"].data] == [True, "legendonly", "legendonly"]
    assert "befangen" in app.table.value and "line-through" in app.table.value
    assert "&lt;script&gt;" in app.table.value and "<script>" not in app.table.value


def test_widgets_slider_changes_the_what_if_ranking(capsys):
    """Moving the C slider recomputes the totals shown, the edition's totals stay as reference marks."""
    from vielfalt.dashboard.widgets import JuryApp

    app = JuryApp(_view())
    app.sliders["C"].value = 0.0
    bars = dict(zip(app.figures["ranking"].data[0].y, app.figures["ranking"].data[0].x, strict=True))
    assert all(v == pytest.approx(60.0) for v in bars.values())
    assert "Rang ändert sich" in app.whatif_note.value


def test_dashboard_notebook_injects_live_parameters(tmp_path, project_root):
    """The Voilà notebook is 06_jury with the run's parameters and live=True injected after the parameters."""
    import nbformat

    nb_path = dashboard_notebook(project_root, "demo2010", tmp_path / "run", tmp_path / "out")
    nb = nbformat.read(nb_path, as_version=4)
    tags = [c.metadata.get("tags", []) for c in nb.cells]
    i = next(k for k, t in enumerate(tags) if "parameters" in t)
    assert "injected-parameters" in tags[i + 1] and "live = True" in nb.cells[i + 1].source
    assert nb.metadata["kernelspec"]["name"] == "vielfalt"


def test_voila_command_is_local_with_our_template():
    """Voilà binds 127.0.0.1, uses the template without CDN links, and finds it through JUPYTER_PATH."""
    cmd = voila_command("x.ipynb", 8123)
    assert "--Voila.ip=127.0.0.1" in cmd and "--port=8123" in cmd and "--template=vielfalt" in cmd
    env = voila_env({"JUPYTER_PATH": "/a"})
    first = env["JUPYTER_PATH"].split(":")[0]
    from pathlib import Path

    tpl = Path(first) / "voila" / "templates" / "vielfalt" / "index.html.j2"
    assert tpl.is_file() and "fontawesome" in tpl.read_text(encoding="utf-8")
    assert env["JUPYTER_PATH"].endswith(":/a")


def test_plotly_config_is_one_object():
    """The static page, the widgets and the notebooks all use the one PLOTLY_CONFIG of figures."""
    from pathlib import Path

    import vielfalt.dashboard as dashboard
    from vielfalt.dashboard import static, widgets

    assert static.PLOTLY_CONFIG is figures.PLOTLY_CONFIG is widgets.PLOTLY_CONFIG
    defining = [
        p.name for p in Path(dashboard.__file__).parent.rglob("*.py") if "PLOTLY_CONFIG = " in p.read_text()
    ]
    assert defining == ["_style.py"]


def test_static_page_inlines_its_css_js_and_plotly_once():
    """The page's CSS and JS files and plotly.js are inside the page exactly once, and nothing is linked."""
    from importlib import resources

    from plotly.offline import get_plotlyjs

    page = build_jury_html(_view())
    folder = resources.files("vielfalt.dashboard") / "static"
    for name in ("jury.css", "jury.js"):
        assert page.count(folder.joinpath(name).read_text(encoding="utf-8")) == 1
    assert page.count(get_plotlyjs()) == 1
    assert "<link" not in page and "src=" not in page.replace(get_plotlyjs(), "")


def test_static_page_json_escapes_line_separators():
    """U+2028/2029 in a name are written as \\u escapes inside the page's JSON, never raw."""
    v = _view()
    v.final.loc["VG-2", "name"] = "Beta\u2028AG\u2029</script>"
    page = build_jury_html(v)
    blocks = [page.split(f'id="{i}">', 1)[1].split("</script>", 1)[0] for i in ("vf-figures", "vf-meta")]
    assert all("\u2028" not in b and "\u2029" not in b for b in blocks)
    assert "Beta\\u2028AG\\u2029" in blocks[0] and "</script>" not in blocks[0]


def test_static_page_speaks_english_from_the_catalogue():
    """With lang="en" the headings, statuses and controls are English, with no German label left."""
    v = _view()
    v.lang = "en"
    page = build_jury_html(v)
    body = page[page.index("<body>") : page.index('<script type="application/json"')]
    for text in (
        "Jury dashboard",
        "Score after",
        "Conflict",
        "not visited (not selected)",
        "— show all entries —",
    ):
        assert text in body
    for german in ("Punkte nachher", "Befangen", "nicht besucht", "Empfehlung", "Vergleich"):
        assert german not in body


def test_widgets_speak_the_view_language(capsys):
    """The live dashboard's controls, tabs and table headings follow the view's language."""
    from vielfalt.dashboard.widgets import JuryApp

    v = _view()
    v.lang = "en"
    app = JuryApp(v)
    tabs = app.widget.children[1]
    assert [tabs.get_title(i) for i in range(5)] == [
        "Ranking",
        "Profile",
        "Comparison",
        "Rank intervals",
        "Site visits",
    ]
    assert app.category.description == "Category" and app.juror.options[0][0] == "— all —"
    assert "<th>Score after</th>" in app.table.value and "<td>yes</td>" in app.table.value


def test_figures_split_keeps_every_name_and_small_modules():
    """figures.<name> works for every exported figure, and no figures module is over 600 lines."""
    from pathlib import Path

    assert all(callable(getattr(figures, n)) for n in figures.__all__ if n != "PLOTLY_CONFIG")
    for p in Path(figures.__file__).parent.glob("*.py"):
        assert len(p.read_text(encoding="utf-8").splitlines()) < 600, p.name


def test_dashboard_names_no_questionnaire_code():
    """No module or template of vielfalt.dashboard names a questionnaire code or scale id."""
    import re
    from pathlib import Path

    import vielfalt.dashboard as dashboard

    # Q5/Q95 are the rank quantiles of robustness/rank_stats, not items
    code = re.compile(r"""["'`](?!Q95\b)[A-Z]\d{2}\b|\brubric\d|Abschnitt [A-Z]\b|["'][A-H]_(pre|post)["']""")
    root = Path(dashboard.__file__).parent
    hits = [
        f"{p.relative_to(root)}: {m.group(0)}"
        for p in root.rglob("*")
        if p.suffix in {".py", ".j2", ".js", ".css"}
        for m in code.finditer(p.read_text(encoding="utf-8"))
    ]
    assert hits == []
