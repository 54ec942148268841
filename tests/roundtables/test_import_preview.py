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
