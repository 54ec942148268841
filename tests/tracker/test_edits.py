"""Saving the tracker page's edits: one form, a new action, and the actions grid saved in one
transaction (all changed rows or none), with the version check and roles enforced here."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from feedback import access, access_log, db
from feedback.tracker import edits, service, views
from feedback.tracker.models import Action


def _two_actions(engine, regions: tuple[str, str] = ("", "")) -> tuple[int, int]:
    """Two items (national unless ``regions`` says otherwise), one action each."""
    with db.session_scope(engine) as session:
        ids = []
        for n, region in enumerate(regions, 1):
            item = service.create_item(session, "Ann", reference=f"G-{n}", text=f"point {n}", source="other",
                                       regions=region)
            ids.append(service.create_action(session, item, "Ann", reference=f"G-{n}/1", description="do it").id)
    return ids[0], ids[1]


def _grid(engine) -> tuple:
    _items, actions = views.listing(engine, service.Filters(), dt.date(2024, 6, 1))
    before = views.grid_frame(actions)
    return before, before.copy()


def _owners(engine) -> dict[str, str]:
    with db.session_scope(engine) as session:
        return dict(session.execute(select(Action.reference, Action.owner)).all())


def _history_rows(engine) -> int:
    with db.session_scope(engine) as session:
        return session.scalar(select(func.count()).select_from(db.History))


def test_the_grid_saves_every_changed_row_in_one_go(engine):
    _two_actions(engine)
    before, after = _grid(engine)
    after.loc[:, "owner"] = ["Owner one", "Owner two"]
    outcome = edits.save_grid(engine, before, after, "Bob", "handover")
    assert outcome.ok and outcome.saved == ("G-1/1", "G-2/1")
    assert _owners(engine) == {"G-1/1": "Owner one", "G-2/1": "Owner two"}


def test_a_grid_with_one_stale_row_saves_nothing(engine):
    first, _second = _two_actions(engine)
    before, after = _grid(engine)
    with db.session_scope(engine) as session:  # someone else changes the first action meanwhile
        service.edit(session, session.get(Action, first), 1, {"owner": "Theirs"}, "Other Person")
    history = _history_rows(engine)
    after.loc[:, "owner"] = ["Mine", "Also mine"]
    outcome = edits.save_grid(engine, before, after, "Bob", "handover")
    assert not outcome.ok and outcome.saved == ()
    assert outcome.errors[0] == edits.NOTHING_SAVED
    (stale,) = outcome.stale
    assert stale.reference == "G-1/1" and "Other Person" in stale.message
    assert stale.comparison.iloc[0]["now in the tracker"] == "Theirs"
    # neither row changed, the second (fine on its own) included, and no history was written
    assert _owners(engine) == {"G-1/1": "Theirs", "G-2/1": ""}
    assert _history_rows(engine) == history


def test_a_grid_with_one_row_breaking_a_rule_saves_nothing(engine):
    _two_actions(engine)
    before, after = _grid(engine)
    after.loc[0, "owner"] = "Fine"
    after.loc[1, "status"] = "complete"  # without evidence
    outcome = edits.save_grid(engine, before, after, "Bob")
    assert outcome.saved == () and any(e.startswith("G-2/1: ") and "evidence" in e for e in outcome.errors)
    assert _owners(engine) == {"G-1/1": "", "G-2/1": ""}


def test_the_package_refuses_a_viewer_whatever_the_page_shows(engine):
    _two_actions(engine)
    before, after = _grid(engine)
    after.loc[0, "owner"] = "Viewer's owner"
    viewer = access.User(name="Vera", email="vera@example.org", role=access.VIEWER)
    outcome = edits.save_grid(engine, before, after, viewer, "try")
    assert outcome.saved == () and "Only editors can change actions" in outcome.errors[-1]
    assert _owners(engine)["G-1/1"] == ""
    refused = access_log.entries(engine, events=(access_log.REFUSED,), limit=1).iloc[0]
    assert refused["who"] == "Vera"


def test_a_regional_lead_cannot_save_a_grid_with_another_regions_row(engine):
    _two_actions(engine, ("London", "North East"))
    before, after = _grid(engine)
    after.loc[:, "owner"] = ["London owner", "North East owner"]
    lead = access.User(name="Lee", email="lee@example.org", role=access.REGIONAL_LEAD, region="London")
    outcome = edits.save_grid(engine, before, after, lead, "try")
    assert outcome.saved == () and outcome.errors[-1].startswith("G-2/1: As regional lead for London")
    assert _owners(engine) == {"G-1/1": "", "G-2/1": ""}  # the London row is not saved either
    # their own region's row alone is theirs to change
    after.loc[1, "owner"] = ""
    assert edits.save_grid(engine, before, after, lead, "mine").saved == ("G-1/1",)


def test_an_unchanged_grid_has_nothing_to_save(engine):
    _two_actions(engine)
    before, after = _grid(engine)
    assert edits.save_grid(engine, before, after, "Bob").nothing_to_save


def test_a_form_edit_saves_the_fields_that_differ_and_refuses_a_stale_one(engine):
    first, _ = _two_actions(engine)
    record = views.item_page(engine, 1).actions[0]
    seen = edits.snapshot("action", record)
    assert seen["version"] == 1 and seen["values"]["owner"] == ""
    assert edits.save_edit(engine, "action", first, seen, {"owner": ""}, "Bob").nothing_to_save
    assert edits.save_edit(engine, "action", first, seen, {"owner": "A", "description": "do it"},
                           "Bob").saved == ("owner",)
    stale = edits.save_edit(engine, "action", first, seen, {"owner": "B"}, "Cy")  # still on version 1
    assert stale.stale[0].changes == {"owner": "B"} and _owners(engine)["G-1/1"] == "A"


def test_adding_an_action_reports_a_broken_rule_in_words(engine):
    _two_actions(engine)
    outcome = edits.add_action(engine, 1, "Bob", {"reference": "G-1/1", "description": "again"})
    assert "already used by an action" in outcome.errors[0]
    assert edits.add_action(engine, 1, "Bob", {"reference": "G-1/2", "description": "more"}).saved == ("G-1/2",)
