"""The import preview's helpers (lead-in lines, region from the heading) and the coding
history with the reasons coders gave."""

from __future__ import annotations

import pytest

from feedback.regions import region_in_text
from feedback.roundtables import seed, store
from feedback.roundtables.read import EventMeta, EventNotes, Point, is_lead_in, only_ticked


def test_lead_in_lines_are_recognised_and_points_are_not():
    assert is_lead_in("Feedback points raised by attendees:")
    assert not is_lead_in("Poor information sharing between agencies comes up in almost every review.")
    assert not is_lead_in("Partners raised three issues: timescales, feedback and the quality of learning, "
                          "which came up in several of the conversations at the event:" + " word" * 10)


def test_unticked_points_are_left_out_and_the_rest_renumbered():
    notes = EventNotes("x.md", EventMeta(), [Point(1, "Feedback points raised:"), Point(2, "A"), Point(3, "B")])
    kept = only_ticked(notes, [False, True, True])
    assert [(p.seq, p.text) for p in kept.points] == [(1, "A"), (2, "B")]
    assert only_ticked(notes, None) is notes
    with pytest.raises(ValueError):
        only_ticked(notes, [True])


def test_region_read_from_a_heading():
    assert region_in_text("Regional roundtable: North East") == "North East"
    assert region_in_text("East of England partners, June 2021") == "East of England"
    assert region_in_text("Yorkshire & Humber roundtable") == "Yorkshire and the Humber"
    assert region_in_text("Roundtable, June 2021") is None


def test_coding_history_keeps_each_reason(engine):
    seed.seed_if_empty(engine)
    frames = store.load_frames(engine)
    point = int(frames.points["point_id"].iloc[0])
    v = store.code_point(engine, point, ["panel_engagement"], "Ann", None, "not about timescales")
    store.code_point(engine, point, ["panel_engagement", "information_sharing"], "Ann", v, "")
    history = store.coding_history(engine, point, {"panel_engagement": "Engagement with the Panel"})
    ann = history[history["Coder"] == "Ann"]
    assert list(ann["Reason"]) == ["not about timescales", ""]
    assert ann["Sub-themes"].iloc[0] == "Engagement with the Panel"
    assert list(history.columns) == ["When", "Coder", "Sub-themes", "Reason"]


# ------------------------------------------------------------------ roles set in the preview, responses to the tracker

from feedback import access  # noqa: E402
from feedback.errors import InputError, Refused  # noqa: E402
from feedback.roundtables import links  # noqa: E402
from feedback.roundtables.read import POINT, RESPONSE, SKIPPED, read_notes, with_roles  # noqa: E402
from tests.roundtables.helpers import CORPUS, TIMESCALES  # noqa: E402


def _corpus(name: str):
    content = (CORPUS / name).read_bytes()
    return read_notes(name, content), content


def test_roles_changed_in_the_preview_rebuild_the_points_and_their_responses():
    notes, _ = _corpus("bullets_then_response.docx")
    roles = [x.role for x in notes.lines]
    answers = [", ".join(map(str, x.answers)) for x in notes.lines]
    assert [x.role for x in notes.lines if x.no in (9, 10, 12)] == [POINT, POINT, RESPONSE]
    answers[11] = "9"  # the response answers only the first point
    roles[9] = SKIPPED  # the second "point" is not one
    edited = with_roles(notes, roles, answers)
    assert [(p.text[:20], p.response) for p in edited.points] == [
        ("Meeting the 15 worki", TIMESCALES), ("Schools and GPs stil", notes.points[2].response)]
    with pytest.raises(InputError, match=r"line 12 \(Panel response\) answers line 10, which is not a point"):
        with_roles(notes, roles, [("10" if i == 11 else a) for i, a in enumerate(answers)])
    with pytest.raises(InputError, match="line 12 is a Panel response that answers no point"):
        with_roles(notes, roles, [("" if i == 11 else a) for i, a in enumerate(answers)])
    with pytest.raises(InputError, match="'three' is not a list of line numbers"):
        with_roles(notes, roles, [("three" if i == 11 else a) for i, a in enumerate(answers)])


def test_responses_and_actions_offered_and_recorded_in_the_tracker_under_the_roles(engine):
    from feedback import db
    from feedback.tracker import service

    notes, content = _corpus("minutes_with_actions.docx")
    event_id, = store.import_notes(engine, [(notes, content)], "Ann")
    offer = links.responses_offered(notes)
    assert offer[["point", "response", "actions"]].values.tolist() == [
        [2, "", "Panel secretariat to circulate national guidance on criminal exploitation reviews to partners."]]
    viewer = access.User("Vic", role=access.VIEWER)
    with pytest.raises(Refused):
        links.record_responses(engine, event_id, offer, viewer)
    lead = access.User("Lee", role=access.REGIONAL_LEAD, region="London")  # the event is in the North West
    with pytest.raises(Refused):
        links.record_responses(engine, event_id, offer, lead)

    notes2, content2 = _corpus("bullets_then_response.docx")
    event2, = store.import_notes(engine, [(notes2, content2)], "Ann")
    offer2 = links.responses_offered(notes2)
    assert offer2["point"].tolist() == [1, 2, 3] and offer2["response"].iloc[0] == TIMESCALES
    offer2.loc[1, "record"] = False  # left out in the preview
    offer2.loc[2, "response"] = "Edited in the preview."
    refs = links.record_responses(engine, event2, offer2, "Ann", decision="accepted")
    refs_actions = links.record_responses(engine, event_id, offer, "Ann")
    assert len(refs) == 2 and len(refs_actions) == 1
    with db.session_scope(engine) as session:
        items = {i.reference: i for i in service.all_items(session)}
        got = [(items[r].text[:20], items[r].response.decision, items[r].response.text, items[r].regions)
               for r in refs]
        actions = [(a.reference, a.description, a.status) for a in items[refs_actions[0]].actions]
    assert got == [("Meeting the 15 worki", "accepted", TIMESCALES, "West Midlands"),
                   ("Schools and GPs stil", "accepted", "Edited in the preview.", "West Midlands")]
    assert actions == [(f"{refs_actions[0]}/1", offer["actions"].iloc[0], "not started")]
    frames = store.load_frames(engine)
    linked = frames.points[frames.points["event_id"] == event2].sort_values("seq")["tracker_item_id"]
    assert linked.notna().tolist() == [True, False, True]
    events = frames.events.set_index("event_id")
    assert events.loc[event2, "title"] == "Regional roundtable: West Midlands"


def test_the_events_note_keeps_the_other_details(engine):
    from sqlalchemy import select

    from feedback import db
    from feedback.roundtables.models import RoundtableEvent

    notes, content = _corpus("minutes_with_actions.docx")
    event_id, = store.import_notes(engine, [(notes, content)], "Ann")
    with db.session_scope(engine) as session:
        note = session.execute(select(RoundtableEvent.note).where(RoundtableEvent.id == event_id)).scalar_one()
    assert note == "Time: 10:00 to 12:30\nVenue: Manchester Town Hall\nChair: Jenny Coles\nNote-taker: Sam Patel"


def test_cli_import_records_the_responses_when_asked(engine, capsys):
    from feedback import db
    from feedback.__main__ import main
    from feedback.tracker import service

    url = engine.url.render_as_string(hide_password=False)
    path = CORPUS / "point_then_response.docx"
    assert main(["roundtables", "import", str(path), "--who", "Cli", "--database-url", url,
                 "--record-responses", "partially accepted"]) == 0
    out = capsys.readouterr().out
    assert "point_then_response.docx: the Panel's responses and actions recorded on 3 tracker item(s)" in out
    with db.session_scope(engine) as session:
        got = sorted((i.text[:12], i.response.decision, i.response.text[:20]) for i in service.all_items(session)
                     if i.source == "roundtable event" and i.response is not None)
    assert got == [("Completing a", "partially accepted", "It should usually be"),
                   ("Publishing a", "partially accepted", "The Panel believe LC"),
                   ("The learning", "partially accepted", "national reviews sho")]


# ------------------------------------------------------------------ what the preview says (import_preview)

from feedback.roundtables import import_preview  # noqa: E402
from feedback.roundtables.read import Line  # noqa: E402


def _notes(lines, **meta) -> EventNotes:
    return EventNotes("n.md", EventMeta(**meta), [Point(1, "A", merged=["A.", "a"]), Point(2, "B")], lines=lines)


def test_the_summary_counts_every_role_and_the_unsure_lines_are_named_up_to_five():
    lines = [Line(1, "Region: London", "event detail"), Line(2, "A", POINT), Line(3, "B", POINT, unsure=True,
             note="short"), Line(4, "Reply", RESPONSE, answers=[2]), Line(5, "Thanks", SKIPPED)]
    notes = _notes(lines)
    assert import_preview.read_summary("n.md", notes) == (
        "n.md: read 5 line(s): 2 feedback point(s), 1 Panel response(s), 1 event detail(s), 0 action(s), "
        "0 heading(s), 1 skipped.")
    assert import_preview.unsure_warning(notes) == (
        "Unsure of 1 line(s): line 3 (point): short. Check them below (ticked under 'Unsure').")
    many = _notes([Line(i, "x", POINT, unsure=True, note="n") for i in range(1, 8)])
    assert import_preview.unsure_warning(many).count("line ") == 5 and "; ...." in import_preview.unsure_warning(many)
    assert import_preview.unsure_warning(_notes(lines[:2])) is None


def test_missing_and_other_details_and_what_will_be_imported():
    notes = _notes([], region="London", other={"Venue": "online", "Chair": "Ann"})
    assert import_preview.missing_text(notes) == "Missing from the notes: date, attendees, partnerships, panel lead"
    assert import_preview.other_details_text(notes) == ("Other details (kept in the event's note): "
                                                        "Venue: online; Chair: Ann")
    assert import_preview.other_details_text(_notes([])) is None
    assert import_preview.to_import_text(notes) == "To import: 2 feedback point(s) (2 near-identical merged into them)."


def test_the_form_starts_from_the_notes_region_then_the_heading_then_the_sidebar():
    assert import_preview.region_guess(_notes([], region="London", title="North East roundtable"), "South West") == \
        "London"
    assert import_preview.region_guess(_notes([], title="North East roundtable"), "South West") == "North East"
    assert import_preview.region_guess(_notes([], title="Roundtable"), "South West") == "South West"
    assert "docx" in import_preview.FILE_TYPES and ".docx" not in import_preview.FILE_TYPES
