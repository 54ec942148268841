"""The roundtables page in Streamlit's AppTest: it opens on the sample with totals that
reconcile to the published 10 events, 448 attendees and 148 partnerships, and follows
the region chosen in the sidebar (the browser test covers import and recoding)."""

import pytest


@pytest.fixture
def app(page_app):
    return page_app("roundtables.py")


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_opens_on_the_sample_with_the_published_totals(app):
    shown = metrics(app)
    assert (shown["Events"], shown["Attendees"], shown["Partnerships"]) == ("10", "448", "148")


def test_region_from_the_sidebar_narrows_the_totals(app):
    app.session_state["region"] = "London"
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    shown = metrics(app)
    assert shown["Events"] == "2"  # London held two of the ten events
    assert int(shown["Attendees"]) < 448
