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


def test_import_preview_says_what_each_line_is_and_records_the_responses(app):
    """The Annex C layout uploaded on the page: the counts by role, what the reader is unsure of, only
    the feedback column imported, and the responses recorded on tracker items."""
    from feedback import db
    from feedback.roundtables import store
    from feedback.tracker import service
    from tests.roundtables.helpers import CORPUS
    from ui import common

    engine = common.db_engine()
    before = store.load_frames(engine)
    content = (CORPUS / "bullets_then_response.docx").read_bytes()
    app.file_uploader(key="rt_upload_0").set_value([("bullets_then_response.docx", content,
                                                     "application/octet-stream")]).run()
    assert not app.exception, [e.value for e in app.exception]
    texts = [t.value for t in app.text]
    assert ("bullets_then_response.docx: read 16 line(s): 3 feedback point(s), 2 Panel response(s), 7 event "
            "detail(s), 0 action(s), 4 heading(s), 0 skipped.") in texts
    assert "To import: 3 feedback point(s)." in texts
    assert "Other details (kept in the event's note): Venue: online (Teams)" in texts
    from feedback.validation import markdown_literal

    unsure = markdown_literal("Unsure of 1 line(s): line 12 (Panel response): answers the 2 points above it")
    assert any(w.value.startswith(unsure) for w in app.warning), [w.value for w in app.warning]
    next(b for b in app.button if b.label == "Import 1 file(s)").click().run()
    assert not app.exception, [e.value for e in app.exception]
    after = store.load_frames(engine)
    assert len(after.events) == len(before.events) + 1 and len(after.points) == len(before.points) + 3
    new = after.points[~after.points["point_id"].isin(before.points["point_id"])]
    assert new["tracker_item_id"].notna().all()
    with db.session_scope(engine) as session:
        items = [i for i in service.all_items(session) if i.id in set(new["tracker_item_id"].astype(int))]
        assert sorted(i.response.text[:20] for i in items) == ["The Panel is keen to", "The Panel recognise ",
                                                               "The Panel recognise "]
        assert {i.response.decision for i in items} == {"noted"}


def test_suggestions_are_shown_as_text_and_only_saved_when_the_person_saves(app):
    """The first point's suggestions shown with score and reason; starting from them fills the form but
    saves nothing; the person removes one (changes), saves, and only then is there a coding by them;
    the suggester recorded as a coder changes no count."""
    from feedback.roundtables import store
    from feedback.roundtables.coding import SUGGESTER_CODER
    from ui import common

    engine = common.db_engine()
    texts = [t.value for t in app.text]
    assert any(t.startswith("1. Rapid review timescales: score 1.00, suggested. Why: the codebook's words:")
               for t in texts), texts
    before = store.load_frames(engine)
    point_id = int(before.points.sort_values(["event_id", "seq"])["point_id"].iloc[0])
    next(b for b in app.button if b.label == "Start my coding from the suggestions").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.session_state[f"rt_codes_{point_id}"] == ["rapid_review_timescales"]
    assert len(store.load_frames(engine).codings) == len(before.codings)  # nothing saved yet
    app.multiselect(key=f"rt_codes_{point_id}").set_value(["rapid_review_timescales", "information_sharing"])
    app.button(key=f"FormSubmitter:rt_code_form_{point_id}-Save my coding").click().run()
    assert not app.exception, [e.value for e in app.exception]
    after = store.load_frames(engine).codings
    mine = after[(after["point_id"] == point_id) & (after["coder"] == "Page tester")]
    assert list(mine["codes"].iloc[0]) == ["rapid_review_timescales", "information_sharing"]
    history = store.coding_history(engine, point_id)
    assert history["Reason"].iloc[-1] == f"started from the suggestions of {SUGGESTER_CODER}"

    app.query_params["rt_tab"] = "Coder agreement"  # its tables and button are drawn only when open
    app.run()
    next(b for b in app.button if b.label.startswith("Record the suggester's codes")).click().run()
    assert not app.exception, [e.value for e in app.exception]
    frames = store.load_frames(engine)
    assert (frames.codings["coder"] == SUGGESTER_CODER).sum() == 52
    assert metrics(app)["Feedback points"] == "52"
    coders = next(m for m in app.multiselect if m.label == "Coders to compare")
    assert SUGGESTER_CODER in coders.value and "Page tester" in coders.value
    assert any(t.value.endswith("point(s) where these coders gave different sub-themes, to review:")
               for t in app.text)
