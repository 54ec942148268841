"""Every chart each page draws is valid Vega-Lite. The app builds charts with Altair's
checks-as-you-build turned off (``feedback.charts.altair``: they cost about half a second of
each audits page run), so the whole spec each page sends is checked here instead."""

from __future__ import annotations

import json

import pytest
from altair.utils.schemapi import validate_jsonschema

from feedback import charts
from tests.test_pages_survey import app  # noqa: F401 - the shared app fixture

CHARTED_PAGES = ["pages/results.py", "pages/compare.py", "pages/trends.py", "pages/roundtables.py",
                 "pages/tracker.py", "pages/audits.py", "pages/annex.py"]


def test_altair_checks_as_you_build_are_off_and_a_whole_spec_is_still_checked():
    alt = charts.altair()
    assert alt.utils.schemapi.DEBUG_MODE is False
    bad = alt.Chart({"values": [{"a": 1}]}).mark_bar().encode(x="a:Q").to_dict(validate=False)
    bad["mark"] = {"type": "no such mark"}
    assert validate_jsonschema(bad, alt.vegalite.v6.schema.load_schema(), raise_error=False) is not None


@pytest.mark.parametrize("page", CHARTED_PAGES)
def test_every_chart_on_the_page_is_valid_vega_lite(app, page):
    schema = charts.altair().vegalite.v6.schema.load_schema()
    app.switch_page(page).run()
    assert not app.exception
    specs = [json.loads(chart.proto.spec) for chart in app.get("vega_lite_chart")]
    if page != "pages/annex.py":
        assert specs, f"{page} drew no chart on the sample data"
    for spec in specs:
        error = validate_jsonschema(spec, schema, raise_error=False)
        assert error is None, f"{page}: {spec.get('title')}: {error}"
