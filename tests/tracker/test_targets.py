"""Survey targets: items and actions name the survey questions they aim to move, re-measured
against the latest change between waves."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from feedback import db
from feedback.survey import trends, waves
from feedback.tracker import seed, targets
from feedback.tracker.models import Action, Item
from feedback.tracker.service import TrackerError


@pytest.fixture(scope="module")
def changes():
    return {audience: waves.latest_change(trends.sample_waves(audience), by=(("role",), ("region",)))
            for audience in ("frontline", "partners")}


def test_migration_creates_the_table_and_goes_back(blank_engine):
    db.upgrade(blank_engine)
    from sqlalchemy import inspect

    assert "survey_target" in inspect(blank_engine).get_table_names()
    db.downgrade(blank_engine, "0003")
    assert "survey_target" not in inspect(blank_engine).get_table_names()
    db.upgrade(blank_engine)
    assert "survey_target" in inspect(blank_engine).get_table_names()


def test_add_and_remove_write_history_and_refuse_duplicates(engine):
    seed.seed_if_empty(engine)
    with db.session_scope(engine) as session:
        action = session.scalar(select(Action).filter_by(reference="C11-2/1"))
        target = targets.add_target(session, "Analyst A", audience="partners", question="well_informed",
                                    action=action, by="region", group="London")
        target_id = target.id
    with db.session_scope(engine) as session:
        frame = targets.targets_frame(session)
        row = frame[frame["target_id"] == target_id].iloc[0]
        assert (row["action_reference"], row["item_reference"], row["group"]) == ("C11-2/1", "C11-2", "London")
        with pytest.raises(TrackerError, match="already aims to move"):
            targets.add_target(session, "Analyst A", audience="partners", question="well_informed",
                               action=session.get(Action, int(row["action_id"])), by="region", group="London")
    with db.session_scope(engine) as session:
        with pytest.raises(TrackerError, match="your name"):
            targets.add_target(session, " ", audience="partners", question="x", item=session.get(Item, 1))
        with pytest.raises(TrackerError, match="one item or one action"):
            targets.add_target(session, "A", audience="partners", question="x")
    with db.session_scope(engine) as session:
        targets.remove_target(session, target_id, "Analyst B", "wrong question")
    with db.session_scope(engine) as session:
        history = db.history_for(session, "survey_target", target_id)
        assert [h.field for h in history] == ["created", "removed"]
        assert history[1].changed_by == "Analyst B" and history[1].reason == "wrong question"
        assert target_id not in set(targets.targets_frame(session)["target_id"])


def test_database_refuses_a_target_without_item_or_action(engine):
    with pytest.raises(IntegrityError):
        with db.session_scope(engine) as session:
            session.add(targets.SurveyTarget(audience="partners", question="x", created_by="A"))


def test_sample_targets_seeded_once_and_marked_sample(engine):
    seed.seed_if_empty(engine)
    assert targets.seed_if_empty(engine) == 3
    assert targets.seed_if_empty(engine) == 0
    with db.session_scope(engine) as session:
        frame = targets.targets_frame(session)
        action = session.scalar(select(Action).filter_by(reference=targets.SAMPLE_ACTION))
        assert action.is_sample and "frontline awareness" in action.description
    assert frame["is_sample"].all() and len(frame) == 3
    assert set(zip(frame["audience"], frame["question"])) == {
        ("frontline", "heard_of_panel"), ("partners", "easy_to_find_info"), ("partners", "well_informed")}


def test_remeasure_sorts_targets_into_three_groups(engine, changes):
    seed.seed_if_empty(engine)
    targets.seed_if_empty(engine)
    with db.session_scope(engine) as session:
        police = session.scalar(select(Action).filter_by(reference="C11-2/1"))
        targets.add_target(session, "A", audience="frontline", question="heard_of_panel", action=police,
                           by="role", group="Social worker")
        targets.add_target(session, "A", audience="frontline", question="not_a_question", action=police)
        frame = targets.targets_frame(session)
    out = targets.remeasure(frame, changes).set_index(["question", "group"])
    assert out.loc[("heard_of_panel", "Total"), "outcome"] == targets.MOVED_UP
    assert out.loc[("easy_to_find_info", "Total"), "outcome"] == targets.MOVED_DOWN
    assert out.loc[("well_informed", "Total"), "outcome"] == targets.NO_CHANGE
    assert out.loc[("heard_of_panel", "Social worker"), "outcome"] == targets.NO_CHANGE
    assert out.loc[("not_a_question", "Total"), "outcome"] == "Not measured"
    # the figures are the change engine's own
    expected = changes["frontline"].query("question == 'heard_of_panel' and by == 'total'").iloc[0]
    got = out.loc[("heard_of_panel", "Total")]
    assert got["change"] == pytest.approx(expected["change"]) and got["ci_low"] == pytest.approx(expected["ci_low"])
    assert got["in_words"].startswith("▲") and got["in_words"].endswith("significant")


def test_tracker_page_shows_target_trend_and_dashboard_groups(page_app):
    at = page_app("tracker.py")
    at.query_params["tracker_tab"] = "Dashboard"  # figures are drawn only in the open tab
    at.run()
    groups = [m.value for m in at.markdown if m.value.startswith("**") and "(" in m.value]
    assert "**Moved up significantly** (1)" in groups and "**Moved down significantly** (1)" in groups
    assert "**No significant change** (1)" in groups
    at.query_params.pop("tracker_tab")
    at.run()
    box = at.selectbox(key="tracker_item")
    from feedback import db as fdb
    from feedback.tracker.models import Item as ItemModel
    from ui import common

    with fdb.session_scope(common.db_engine()) as session:
        item_id = session.scalar(select(ItemModel.id).filter_by(reference="C11-1"))
    box.set_value(item_id)
    at.run()
    assert not at.exception
    changes = {m.value for m in at.metric if m.label.startswith("Change, 2021 to 2022")}
    assert {"+14.8 pts", "-11.0 pts", "+2.3 pts"} <= changes
    assert any("aims to move" in m.value and "heard of the Child Safeguarding" in m.value for m in at.markdown)
    assert any("Interval" in c.value and "points" in c.value for c in at.caption)
