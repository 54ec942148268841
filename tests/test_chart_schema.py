"""Every chart each page draws is valid Vega-Lite. The app builds charts with Altair's
checks-as-you-build turned off (``feedback.charts.altair``: they cost about half a second of
each audits page run), so the whole spec each page sends is checked here instead."""

from __future__ import annotations

import json

import pytest
from altair.utils.schemapi import validate_jsonschema

from feedback import charts

CHARTED_PAGES = ["pages/results.py", "pages/compare.py", "pages/trends.py", "pages/roundtables.py",
                 "pages/tracker.py", "pages/audits.py", "pages/annex.py"]


def test_altair_checks_as_you_build_are_off_and_a_whole_spec_is_still_checked():
    alt = charts.altair()
    assert alt.utils.schemapi.DEBUG_MODE is False
    bad = alt.Chart({"values": [{"a": 1}]}).mark_bar().encode(x="a:Q").to_dict(validate=False)
    bad["mark"] = {"type": "no such mark"}
    assert validate_jsonschema(bad, alt.vegalite.v6.schema.load_schema(), raise_error=False) is not None


def tab_bars(app) -> list[tuple[str, list[str]]]:
    """The page's tab bars kept in the address: (query parameter, tab labels). Only the open tab
    of such a bar is drawn, so a test opens each in turn through the address. Every keyed tab
    bar in the app is kept in the address (``common.KEPT_IN_ADDRESS``), under its key."""
    return [(bar.key, [tab.label for tab in bar.children.values()]) for bar in app.get("tab_container") if bar.key]


def specs(app) -> list[dict]:
    """The Vega-Lite spec of every chart drawn (AppTest gives an element's parameters as its attributes)."""
    return [json.loads(chart.spec) for chart in app.get("vega_lite_chart")]


def charts_on_every_tab(app, page) -> list[dict]:
    """Every chart spec the page sends, with each tab of each bar kept in the address opened."""
    app.switch_page(page).run()
    assert not app.exception
    drawn = specs(app)
    for key, labels in tab_bars(app):
        for label in labels[1:]:
            app.query_params[key] = label
            app.run()
            assert not app.exception, f"{page}, tab {label}: {[e.value for e in app.exception]}"
            drawn += specs(app)
        app.query_params.pop(key)
    return drawn


def test_tabs_draw_only_while_open_and_each_opens_from_the_address(app):
    """The audits page's figures tabs are drawn only while open; its forms in every run."""
    app.switch_page("pages/audits.py").run()
    (key, labels), = tab_bars(app)
    assert key == "aud_tab" and labels[0] == "Summary"
    summary_charts = len(app.get("vega_lite_chart"))
    assert summary_charts == 1 and app.get("form"), "the Summary chart, and the entry forms on their hidden tabs"
    app.query_params[key] = "Themes"
    app.run()
    assert len(app.get("vega_lite_chart")) == 2  # the two coded lists, and no Summary chart
    assert [form.key for form in app.form], "the forms are still there"


@pytest.mark.parametrize("page", CHARTED_PAGES)
def test_every_chart_on_the_page_is_valid_vega_lite(app, page):
    schema = charts.altair().vegalite.v6.schema.load_schema()
    drawn = charts_on_every_tab(app, page)
    if page != "pages/annex.py":
        assert drawn, f"{page} drew no chart on the sample data"
    for spec in drawn:
        error = validate_jsonschema(spec, schema, raise_error=False)
        assert error is None, f"{page}: {spec.get('title')}: {error}"
