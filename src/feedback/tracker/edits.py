"""Saving what people change on the tracker page: one record's form, a new response or
action, or the whole actions grid.

Each save is one transaction, opened here, so the page holds no database session.
Every edit carries the version the person saw: a record changed meanwhile by someone
else is refused (never overwritten) and the newer values come back beside the change
that was not saved. Roles are checked here from the person passed in (``who``),
whatever the page showed them. The grid is saved whole or not at all: one row that
is refused leaves every row as it was.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from feedback import access, access_log, db
from feedback.errors import InputError, Refused
from feedback.tracker import service
from feedback.tracker.models import Action, Item, Response, split_list
from feedback.tracker.views import grid_changes, stale_comparison

KINDS = {"item": Item, "response": Response, "action": Action}

# The cells of the actions grid a person may change (the rest are shown, not edited).
GRID_FIELDS = ["description", "owner", "due_date", "revised_due_date", "status", "rag", "completion_criteria",
               "evidence"]

NOTHING_SAVED = "Nothing was saved: fix the rows below, or reload the grid to see the newer values, then save again."


@dataclass(frozen=True)
class Stale:
    """A change refused because someone else changed the record first."""

    reference: str
    message: str
    comparison: pd.DataFrame  # each field tried: the value now in the tracker beside the change not saved
    changes: dict[str, Any]   # what the person typed, to offer again


@dataclass(frozen=True)
class Outcome:
    """What became of a save. ``saved`` names what was written (field labels for a form,
    references for the grid); ``errors`` are broken rules and refusals in plain words;
    ``stale`` the changes someone else's edit got in the way of."""

    saved: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    stale: tuple[Stale, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors and not self.stale

    @property
    def nothing_to_save(self) -> bool:
        return self.ok and not self.saved


class _NothingSaved(Exception):
    """Raised inside the grid's transaction so that it rolls back whole."""


def snapshot(kind: str, record: Mapping[str, Any]) -> dict[str, Any]:
    """The version and editable values of a record as the person first saw it."""
    return {"version": int(record["version"]),
            "values": {f: record[f] for f in service.EDITABLE[KINDS[kind]]}}


def changed(seen: Mapping[str, Any], new_values: Mapping[str, Any]) -> dict[str, Any]:
    """The fields whose new value differs from what the person saw."""
    return {f: v for f, v in new_values.items() if v != seen["values"].get(f)}


def save_edit(engine, kind: str, record_id: int, seen: Mapping[str, Any], new_values: Mapping[str, Any],
              who: str | access.User, reason: str = "") -> Outcome:
    """Save the fields of one item, response or action that differ from what the person saw."""
    changes = changed(seen, new_values)
    if not changes:
        return Outcome()
    try:
        with db.session_scope(engine) as session:
            obj = session.get(KINDS[kind], record_id)
            if obj is None:
                return Outcome(errors=("This record is no longer in the tracker.",))
            service.edit(session, obj, seen["version"], changes, who, reason)
    except db.StaleEdit as err:
        return Outcome(stale=(Stale(str(record_id), str(err), stale_comparison(err, changes), changes),))
    except (service.TrackerError, Refused, InputError) as err:
        return Outcome(errors=(str(err),))
    return Outcome(saved=tuple(service.LABELS.get(f, f) for f in changes))


def _add(engine, item_id: int, create, who, values: Mapping[str, Any], what: str) -> Outcome:
    try:
        with db.session_scope(engine) as session:
            create(session, session.get(Item, item_id), who, **values)
    except (service.TrackerError, Refused, InputError) as err:
        return Outcome(errors=(str(err),))
    return Outcome(saved=(what,))


def add_response(engine, item_id: int, who: str | access.User, values: Mapping[str, Any]) -> Outcome:
    """Record the Panel's response to an item (refused if it already has one)."""
    return _add(engine, item_id, service.create_response, who, values, "response")


def add_action(engine, item_id: int, who: str | access.User, values: Mapping[str, Any]) -> Outcome:
    """Add an action to an item."""
    return _add(engine, item_id, service.create_action, who, values, str(values.get("reference", "")))


def save_grid(engine, before: pd.DataFrame, after: pd.DataFrame, who: str | access.User,
              reason: str = "") -> Outcome:
    """Save every changed row of the actions grid in one transaction, or none of them.

    ``before`` is the grid as loaded (with each action's ``id`` and ``version``), ``after``
    as the person left it. Every row's role is checked before anything is written (a
    refusal is logged in its own transaction); then each row is edited with its version
    check and rules. If any row is refused, stale or breaks a rule, the whole transaction
    is rolled back and every problem is returned, so the person can fix them together.
    """
    pending = grid_changes(before, after, GRID_FIELDS)
    if not pending:
        return Outcome()
    errors: list[str] = []
    stale: list[Stale] = []
    saved: list[str] = []
    try:
        with db.session_scope(engine) as session:
            user = service.editor(who)
            actions = {row["id"]: session.get(Action, row["id"]) for row in pending}
            for row in pending:
                action = actions[row["id"]]
                if action is None:
                    errors.append(f"{row['reference']}: this action is no longer in the tracker.")
                    continue
                try:
                    access.require(user, access.EDIT, split_list(action.item.regions),
                                   what=service.WHAT[Action], log=access_log.refusals(session))
                except Refused as err:  # one refusal is enough to say (and to log)
                    errors.append(f"{row['reference']}: {err}")
                    raise _NothingSaved from None
            for row in pending:
                if actions[row["id"]] is None:
                    continue
                try:
                    service.edit(session, actions[row["id"]], row["version"], row["changes"], user, reason)
                except db.StaleEdit as err:
                    stale.append(Stale(row["reference"], f"{row['reference']}: {err}",
                                       stale_comparison(err, row["changes"]), row["changes"]))
                except (service.TrackerError, InputError) as err:
                    errors.append(f"{row['reference']}: {err}")
                else:
                    saved.append(row["reference"])
            if errors or stale:
                raise _NothingSaved
    except _NothingSaved:
        return Outcome(errors=(NOTHING_SAVED, *errors), stale=tuple(stale))
    except (service.TrackerError, InputError) as err:  # no name given
        return Outcome(errors=(NOTHING_SAVED, str(err)))
    return Outcome(saved=tuple(saved))
