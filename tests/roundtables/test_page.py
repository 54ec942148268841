"""The roundtables page in Streamlit's AppTest: it opens on the sample with totals that
reconcile to the published 10 events, 448 attendees and 148 partnerships, and follows
the region chosen in the sidebar (the browser test covers import and recoding)."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "roundtables.py")


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("FEEDBACK_DATABASE_URL", f"sqlite:///{tmp_path / 'page.sqlite3'}")
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["editor_name"] = "Page tester"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    yield at
    from pages.common import db_engine

    db_engine.clear()


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
