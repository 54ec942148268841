"""Tracker rules and reading: complete only with evidence, overdue, filters, timeline, seed."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from feedback import db
from feedback.tracker import seed, service
from feedback.tracker.models import Action, Item
from feedback.tracker.service import Filters, TrackerError

TODAY = dt.date(2024, 6, 1)


def _item(session, ref="T-1", regions="", source="other", themes=""):
    return service.create_item(session, "Ann", reference=ref, text=f"Point {ref}", source=source,
                               regions=regions, themes=themes)


def test_complete_only_with_evidence(engine):
    with db.session_scope(engine) as session:
        item = _item(session)
        with pytest.raises(TrackerError, match="complete only with evidence"):
            service.create_action(session, item, "Ann", reference="T-1/1", description="d", status="complete")
        action = service.create_action(session, item, "Ann", reference="T-1/1", description="d")
        with pytest.raises(TrackerError, match="complete only with evidence"):
            service.edit(session, action, 1, {"status": "complete", "evidence": "   "}, "Ann")
        assert action.status == "not started" and action.version == 1
        service.edit(session, action, 1, {"status": "complete", "evidence": "https://example.org/minutes"}, "Ann")
        assert (action.status, action.version) == ("complete", 2)
        with pytest.raises(TrackerError, match="complete only with evidence"):
            service.edit(session, action, 2, {"evidence": ""}, "Ann")


def test_database_itself_refuses_complete_without_evidence(engine):
    with db.session_scope(engine) as session:
        action = service.create_action(session, _item(session), "Ann", reference="T-1/1", description="d")
        action_id = action.id
    with pytest.raises(DBAPIError), engine.begin() as conn:
        conn.execute(text("UPDATE tracker_action SET status = 'complete', evidence = '' WHERE id = :id"),
                     {"id": action_id})
    with pytest.raises(DBAPIError), engine.begin() as conn:
        conn.execute(text("UPDATE tracker_action SET status = 'done' WHERE id = :id"), {"id": action_id})


def _action(status="in progress", due=None, revised=None):
    return Action(reference="x", description="d", status=status, due_date=due, revised_due_date=revised)


@pytest.mark.parametrize(("action", "expected"), [
    (_action(due=dt.date(2024, 5, 31)), True),
    (_action(due=dt.date(2024, 6, 1)), False),  # due today is not yet overdue
    (_action(due=None), False),  # no due date, never overdue
    (_action(status="not started", due=dt.date(2020, 1, 1)), True),
    (_action(due=dt.date(2024, 1, 1), revised=dt.date(2024, 12, 31)), False),  # revised date counts
    (_action(due=dt.date(2024, 12, 31), revised=dt.date(2024, 1, 1)), True),
    (_action(status="complete", due=dt.date(2020, 1, 1)), False),
    (_action(status="closed", due=dt.date(2020, 1, 1)), False),
    (_action(status="overtaken by events", due=dt.date(2020, 1, 1)), False),
])
def test_overdue(action, expected):
    assert service.is_overdue(action, TODAY) is expected


def test_filters_by_region_source_theme_status_owner_and_overdue(engine):
    with db.session_scope(engine) as session:
        national = _item(session, "N-1", themes="neglect; data")
        london = _item(session, "L-1", regions="London", source="roundtable event", themes="data")
        _item(session, "NE-1", regions="North East", source="roundtable event")
        service.create_action(session, national, "Ann", reference="N-1/1", description="d", owner="Ann",
                              due_date=dt.date(2024, 1, 1))
        service.create_action(session, london, "Ann", reference="L-1/1", description="d", owner="Bob",
                              status="in progress", due_date=dt.date(2025, 1, 1))

        def refs(**kw):
            items, actions = service.filtered(session, Filters(**kw), today=TODAY)
            return sorted(items["reference"]), sorted(actions["reference"])

        assert refs()[0] == ["L-1", "N-1", "NE-1"]
        assert refs(region="London")[0] == ["L-1", "N-1"]  # national items show under every region
        assert refs(region="London", include_national=False)[0] == ["L-1"]
        assert refs(sources=("roundtable event",))[0] == ["L-1", "NE-1"]
        assert refs(themes=("data",))[0] == ["L-1", "N-1"]
        assert refs(statuses=("in progress",)) == (["L-1"], ["L-1/1"])
        assert refs(owners=("Ann",)) == (["N-1"], ["N-1/1"])
        assert refs(overdue_only=True) == (["N-1"], ["N-1/1"])
        assert refs(text="point l-1")[0] == ["L-1"]
        assert service.choices(session) == {"themes": ["data", "neglect"], "owners": ["Ann", "Bob"]}


def test_item_rules_name_the_problem(engine):
    with db.session_scope(engine) as session:
        with pytest.raises(TrackerError, match="unknown region"):
            _item(session, regions="Narnia")
        with pytest.raises(TrackerError, match="source 'gossip'"):
            _item(session, source="gossip")
        with pytest.raises(TrackerError, match="name"):
            service.edit(session, _item(session), 1, {"text": "x"}, "")


def test_timeline_shows_every_change_with_who_old_new_and_why(engine):
    with db.session_scope(engine) as session:
        item = _item(session)
        response = service.create_response(session, item, "Ann", decision="noted", text="We note it.")
        action = service.create_action(session, item, "Ann", reference="T-1/1", description="d")
        service.edit(session, response, 1, {"decision": "accepted"}, "Bob", "Panel meeting 3 May")
        service.edit(session, action, 1, {"owner": "Team X", "status": "in progress"}, "Cy", "kick-off")
        frame = service.timeline(session, item.id)
    assert list(frame["what"][:3]) == ["Item T-1", "Panel response", "Action T-1/1"]
    changes = frame[frame["field"] != "created"][["who", "what", "field", "old", "new", "reason"]]
    assert changes.to_dict("records") == [
        {"who": "Bob", "what": "Panel response", "field": "decision", "old": "noted", "new": "accepted",
         "reason": "Panel meeting 3 May"},
        {"who": "Cy", "what": "Action T-1/1", "field": "owner", "old": "", "new": "Team X", "reason": "kick-off"},
        {"who": "Cy", "what": "Action T-1/1", "field": "status", "old": "not started", "new": "in progress",
         "reason": "kick-off"},
    ]


def test_seed_loads_every_source_once(engine):
    assert seed.seed_if_empty(engine) == 37
    assert seed.seed_if_empty(engine) == 0
    with db.session_scope(engine) as session:
        items, actions = service.filtered(session)
        by_prefix = items["reference"].str.extract(r"^(AC|R6|C11|NR|SAMPLE)")[0].value_counts().to_dict()
        assert by_prefix == {"AC": 9, "R6": 3, "C11": 3, "NR": 19, "SAMPLE": 3}
        assert set(items.loc[items["reference"].str.startswith("NR-"), "source"]) == {"national review"}
        # Invented content is marked: every sample-prefixed row and every action but chapter 11's.
        assert items.loc[items["reference"].str.startswith("SAMPLE"), "is_sample"].all()
        assert not items.loc[~items["reference"].str.startswith("SAMPLE"), "is_sample"].any()
        real_actions = actions.loc[~actions["is_sample"], "reference"].tolist()
        assert real_actions == ["C11-1/1", "C11-2/1", "C11-3/1"]
        assert actions["reference"].str.startswith("SAMPLE").sum() == len(actions) - 3
        c11 = actions.set_index("reference")
        assert c11.loc["C11-2/1", "status"] == "complete" and "Jenny Coles" in c11.loc["C11-2/1", "evidence"]
        item = session.query(Item).filter_by(reference="R6-3").one()
        assert item.response.decision == "noted" and "business planning" in item.response.text


def test_dashboard_counts_match_the_frames(engine):
    seed.seed_if_empty(engine)
    with db.session_scope(engine) as session:
        items, actions = service.filtered(session, today=TODAY)
    figures = service.dashboard(items, actions)
    assert figures["actions_by_status"]["actions"].sum() == len(actions)
    assert figures["items_by_source"]["items"].sum() == len(items)
    assert figures["items_by_decision"]["items"].sum() == len(items)
    assert figures["overdue_by_owner"]["overdue actions"].sum() == int(actions["overdue"].sum())
    region = figures["items_by_region"].set_index("region")["items"]
    assert region["London"] == 1 and region["South West"] == 1 and region[service.NATIONAL] == 34
    counts = service.headline_counts(items, actions)
    assert counts["items"] == len(items)
    assert counts["without_response"] == figures["items_by_decision"].set_index("decision")["items"]["no response yet"]
    assert counts["open_actions"] == figures["actions_by_status"].set_index("status")["actions"][
        ["not started", "in progress"]].sum()
    assert counts["overdue_actions"] == figures["overdue_by_owner"]["overdue actions"].sum()


def test_references_must_be_unique(engine):
    with db.session_scope(engine) as session:
        item = _item(session, "T-1")
        other = _item(session, "T-2")
        with pytest.raises(TrackerError, match="T-1 is already used by an item"):
            _item(session, "T-1")
        with pytest.raises(TrackerError, match="T-1 is already used by an item"):
            service.edit(session, other, 1, {"reference": "T-1"}, "Ann")
        service.create_action(session, item, "Ann", reference="T-1/1", description="d")
        with pytest.raises(TrackerError, match="already used by an action"):
            service.create_action(session, other, "Ann", reference="T-1/1", description="d")
