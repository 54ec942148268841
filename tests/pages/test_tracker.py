"""The tracker pages in Streamlit's AppTest (no browser): they render on the sample data,
a form edit lands with history, and an edit made meanwhile by someone else is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from feedback import db
from feedback.tracker import service
from feedback.tracker.models import Action

pytestmark = pytest.mark.timeout(300)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app_db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'app.sqlite3'}"
    monkeypatch.setenv(db.ENV_VAR, url)
    import streamlit as st

    st.cache_resource.clear()  # ui.common.db_engine is cached per process
    yield db.get_engine(url)
    st.cache_resource.clear()


def _tracker(name: str = "Tess"):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages" / "tracker.py"), default_timeout=120)
    at.session_state["editor_name"] = name
    return at.run()


def test_tracker_page_renders_the_sample(app_db):
    at = _tracker()
    assert not at.exception
    assert [m.value for m in at.metric][:1] == ["37"]
    assert [t.label for t in at.tabs] == ["Items, responses and history", "Edit actions in a grid", "Dashboard",
                                          "Public record"]


def test_public_record_tab_previews_and_offers_the_three_files(app_db):
    at = _tracker()
    at.query_params["tracker_tab"] = "Public record"
    at.run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Published points"] == "15"  # Annex C's nine, chapter 6's three, chapter 11's three
    labels = [b.label for b in at.get("download_button")]
    assert labels[-4:] == ["The page (HTML)", "Open data (CSV)", "Open data (ODS)", "All three (ZIP)"]
    (frame,) = at.get("iframe")
    import base64

    page = base64.b64decode(frame.src.split(",", 1)[1]).decode()
    assert "<h1>You said, we did" in page and "AC-09" in page and "<script" not in page


def test_form_edit_saves_and_a_stale_form_is_refused(app_db):
    at = _tracker()
    at.text_input(key="ac_owner_1_1").set_value("Owner from the page")
    at.text_input(key="ac_reason_1_1").set_value("test")
    next(b for b in at.button if b.label == "Save action").click().run()
    assert [s.value.replace("\\", "") for s in at.success] == ["Saved: owner."]
    # The form has reopened on version 2. Someone else now saves version 3 directly.
    with db.session_scope(app_db) as session:
        action = session.get(Action, 1)
        service.edit(session, action, 2, {"owner": "Owner from elsewhere"}, "Other Person")
    at.text_input(key="ac_owner_1_2").set_value("Owner that must not land")
    next(b for b in at.button if b.label == "Save action").click().run()
    errors = " ".join(e.value for e in at.error)
    assert "was changed by Other Person" in errors and "not saved" in errors
    with db.session_scope(app_db) as session:
        assert session.scalar(select(Action.owner).where(Action.id == 1)) == "Owner from elsewhere"
    # The newer value is shown beside the refused change; the form, now on version 3, still holds
    # what the person typed, so they can apply it again after seeing the newer value.
    comparison = next(d.value for d in at.dataframe if "your change (not saved)" in d.value.columns)
    assert comparison.iloc[0]["now in the tracker"] == "Owner from elsewhere"
    assert at.text_input(key="ac_owner_1_3").value == "Owner that must not land"
    at.text_input(key="ac_reason_1_3").set_value("seen theirs; mine stands")
    next(b for b in at.button if b.label == "Save action").click().run()
    assert [s.value.replace("\\", "") for s in at.success] == ["Saved: owner."]
    with db.session_scope(app_db) as session:
        assert session.scalar(select(Action.owner).where(Action.id == 1)) == "Owner that must not land"
    assert at.text_input(key="ac_owner_1_4").value == "Owner that must not land"


def test_data_page_reports_every_bad_row_and_changes_nothing(app_db):
    import io

    import openpyxl
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages" / "tracker_data.py"), default_timeout=120)
    at.session_state["editor_name"] = "Tess"
    at.run()
    with db.session_scope(app_db) as session:
        from feedback.tracker.spreadsheet import export_workbook
        content = export_workbook(session)
    wb = openpyxl.load_workbook(io.BytesIO(content))
    wb["Actions"]["G2"] = "finished"
    wb["Items"]["C3"] = "rumour"
    buf = io.BytesIO()
    wb.save(buf)
    at.file_uploader[0].set_value(("**bad**.xlsx", buf.getvalue(), "application/octet-stream")).run()
    at.button[0].click().run()
    assert "nothing was imported, because of 2 problem(s)" in at.error[0].value
    assert at.error[0].value.startswith("\\*\\*bad\\*\\*")  # a file name is never Markdown
    listed = " ".join(m.value for m in at.markdown)
    assert "status 'finished'" in listed.replace("\\", "") and "source 'rumour'" in listed.replace("\\", "")


def test_sidebar_region_narrows_the_tracker(app_db):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages" / "tracker.py"), default_timeout=120)
    at.session_state["region"] = "London"
    at.run()
    assert not at.exception
    assert at.metric[0].value == "35"  # 34 national items + the London sample item
    at.toggle(key="tracker_f_national").set_value(False).run()
    assert at.metric[0].value == "1"
