"""Linking points to the Panel's response tracker through the tracker's service."""

from __future__ import annotations

import datetime as dt

import pytest

from feedback import db
from feedback.errors import InputError
from feedback.roundtables import links, seed, store, views
from feedback.tracker import service


@pytest.fixture
def seeded(sqlite_engine):
    seed.seed_if_empty(sqlite_engine)
    return sqlite_engine


def _point(engine, region: str, code: str):
    frames = store.load_frames(engine)
    coded = frames.codings.explode("codes")
    ids = coded.loc[coded["codes"] == code, "point_id"]
    events = frames.events.loc[frames.events["region"] == region, "event_id"]
    row = frames.points[frames.points["point_id"].isin(ids) & frames.points["event_id"].isin(events)].iloc[0]
    return int(row["point_id"]), int(row["version"])


def test_raise_an_item_from_a_point_and_see_it_beside_the_theme(seeded):
    point_id, version = _point(seeded, "North West", "mental_health_suicide")
    ref = links.raise_item(seeded, point_id, "Ann", version)
    with db.session_scope(seeded) as s:
        item = next(i for i in service.all_items(s) if i.reference == ref)
        assert (item.source, item.regions, item.themes, item.date_raised) == (
            "roundtable event", "North West", "Mental health, suicide and tier 4 beds", dt.date(2021, 3, 25))
        service.create_response(s, item, "Panel", decision="noted", text="We monitor these cases.")
        service.create_action(s, item, "Panel", reference=f"{ref}/1", description="Raise with DHSC",
                              status="in progress")
    frames = store.load_frames(seeded)
    assert frames.points.set_index("point_id").loc[point_id, "tracker_item_id"] is not None
    cb = store.current_codebook(seeded)[0]
    status = links.theme_status(seeded, frames, cb).set_index("Sub-theme")
    row = status.loc["Mental health, suicide and tier 4 beds"]
    assert (row["Tracker items"], row["Panel decisions"], row["Actions"]) == (ref, "1 noted", "1 in progress")
    summary = links.item_summary(seeded, int(frames.points.set_index("point_id").loc[point_id, "tracker_item_id"]))
    assert summary.loc[0, "Panel decision"] == "noted"
    # the region filter keeps it for the North West and drops it elsewhere
    assert "Mental health, suicide and tier 4 beds" in set(
        links.theme_status(seeded, frames, cb, region="North West")["Sub-theme"])
    assert "Mental health, suicide and tier 4 beds" not in set(
        links.theme_status(seeded, frames, cb, region="London")["Sub-theme"])
    # raising again from the same point is refused; a stale version is refused
    with pytest.raises(InputError, match="already linked"):
        links.raise_item(seeded, point_id, "Ann", version + 1)
    with pytest.raises(db.StaleEdit):
        links.raise_item(seeded, point_id, "Ann", version)


def test_link_a_point_to_an_existing_item(seeded):
    point_id, version = _point(seeded, "London", "information_sharing")
    with db.session_scope(seeded) as s:
        item = service.create_item(s, "Ann", reference="AC-09", text="Information sharing", source="other")
        item_id = item.id
    assert links.link_item(seeded, point_id, item_id, "Ann", version) == "AC-09"
    assert links.item_choices(seeded)[item_id].startswith("AC-09")
    with db.session_scope(seeded) as s:
        history = db.history_for(s, "roundtable_point", point_id)
    assert [(h.field, h.new_value, h.changed_by) for h in history] == [("tracker_item_id", str(item_id), "Ann")]
    with pytest.raises(InputError, match="Choose a tracker item"):
        links.link_item(seeded, point_id, None, "Ann", version + 1)


def test_annex_c_items_in_the_tracker_sample_sit_beside_their_themes(sqlite_engine):
    from feedback.tracker import seed as tracker_seed

    tracker_seed.seed_if_empty(sqlite_engine)
    seed.seed_if_empty(sqlite_engine)
    frames = store.load_frames(sqlite_engine)
    cb = store.current_codebook(sqlite_engine)[0]
    status = links.theme_status(sqlite_engine, frames, cb).set_index("Sub-theme")
    annex = {"Rapid review timescales": "AC-01", "Impact of reviews and repeated learning": "AC-02",
             "Alternative review approaches": "AC-05", "Extra-familial harm and criminal exploitation": "AC-06",
             "Mental health, suicide and tier 4 beds": "AC-07", "Meaning of \"persistent failure\" in neglect": "AC-08",
             "Information sharing": "AC-09"}
    for name, ref in annex.items():
        assert ref in status.loc[name, "Tracker items"].split(", "), name
    items = links.theme_items(sqlite_engine, frames, cb, "Mental health, suicide and tier 4 beds")
    assert "Department for Health and Social Care" in items.set_index("Tracker item").loc["AC-07", "Panel response"]


def test_the_themes_table_with_the_tracker_status_beside_each_row(seeded):
    point_id, version = _point(seeded, "North West", "mental_health_suicide")
    ref = links.raise_item(seeded, point_id, "Ann", version)
    frames = store.load_frames(seeded)
    cb = store.current_codebook(seeded)[0]
    table = views.themes_by_region(frames, cb, region="North West")
    shown = links.with_status(seeded, table, frames, cb, region="North West")
    assert len(shown) == len(table) and list(shown.columns[:len(table.columns)]) == list(table.columns)
    row = shown.set_index("Sub-theme").loc["Mental health, suicide and tier 4 beds"]
    assert ref in row["Tracker items"]
