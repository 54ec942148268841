"""Tracker operations: create, validate, edit (never losing an update), list, filter,
overdue, an item's history as a timeline, and the dashboard counts.

Everything takes a SQLAlchemy session from ``feedback.db.session_scope`` and
returns plain values or pandas frames, so pages, the CLI and tests share it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from feedback import access, access_log, db
from feedback.errors import InputError
from feedback.regions import REGIONS
from feedback.tracker.models import (
    DECISIONS,
    OPEN_STATUSES,
    RAGS,
    SOURCES,
    STATUSES,
    Action,
    Item,
    Response,
    join_list,
    split_list,
)
from feedback.validation import clean_name, clean_text, length_problems

NATIONAL = "All England (national)"

# Which fields a person may change, per entity (ids, versions and audit columns never).
ITEM_FIELDS = ("reference", "text", "source", "source_detail", "date_raised", "regions", "themes", "is_sample")
RESPONSE_FIELDS = ("decision", "text", "decided_on", "decided_by", "is_sample", "published")
ACTION_FIELDS = ("reference", "description", "owner", "due_date", "revised_due_date", "completion_criteria",
                 "evidence", "status", "rag", "is_sample", "revision_reason", "completed_on")
EDITABLE = {Item: ITEM_FIELDS, Response: RESPONSE_FIELDS, Action: ACTION_FIELDS}

# Plain-English labels for fields, used in messages, grids and the timeline.
LABELS = {
    "reference": "reference", "text": "text", "source": "source", "source_detail": "source detail",
    "date_raised": "date raised", "regions": "regions", "themes": "themes", "is_sample": "sample data",
    "decision": "decision", "decided_on": "decided on", "decided_by": "decided by",
    "description": "description", "owner": "owner", "due_date": "due date",
    "revised_due_date": "revised due date", "completion_criteria": "completion criteria",
    "evidence": "evidence", "status": "status", "rag": "RAG", "created": "created",
    "published": "published in the public record", "revision_reason": "reason for the revised target date",
    "completed_on": "completed on",
}

# The one line a new target date without a reason gets (DAO 02/20: a revised date carries a reason).
NO_REVISION_REASON = ("The new target date was not saved: give the reason for the revision (it is published "
                      "beside the date).")


# How each kind of record is named in a refusal ("Only editors can change responses: ...").
WHAT = {Item: "tracker items", Response: "responses", Action: "actions"}


class TrackerError(ValueError):
    """A change that breaks a tracker rule; the message says which and what to do."""


# --------------------------------------------------------------------------- rules


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


MULTILINE_FIELDS = ("text", "description", "completion_criteria", "evidence", "revision_reason")


def _limits(model, values: Mapping[str, Any]) -> list[str]:
    """Text longer than its column allows, by the same rule on SQLite and PostgreSQL."""
    return length_problems(model, values)


def editor(who: Any) -> access.User:
    """The person acting, their name normalised; refuses an empty or over-long name in plain words."""
    user = who if isinstance(who, access.User) else None
    try:
        name = clean_name(user.name if user else who)
    except InputError as err:
        raise TrackerError(str(err)) from None
    if not name and not (user and user.email):
        raise TrackerError("Give your name (in the sidebar) before changing anything: every change records who "
                           "made it.")
    return dataclasses.replace(user, name=name) if user else access.actor(name)


def item_problems(values: Mapping[str, Any]) -> list[str]:
    """What is wrong with an item's values, in plain English (empty when fine)."""
    problems = []
    if not _text(values.get("reference")):
        problems.append("the reference is empty (give each item a short unique reference, e.g. AC-01)")
    elif len(_text(values.get("reference"))) > 40:
        problems.append("the reference is longer than 40 characters")
    if not _text(values.get("text")):
        problems.append("the text of the point raised is empty")
    if values.get("source") not in SOURCES:
        problems.append(f"source '{_text(values.get('source'))}' is not one of: {', '.join(SOURCES)}")
    unknown = [r for r in split_list(values.get("regions")) if r not in REGIONS]
    if unknown:
        problems.append(f"unknown region(s) {', '.join(unknown)}; use the nine English regions, separated "
                        "by ';' (leave empty for a national item)")
    date = values.get("date_raised")
    if date is not None and not isinstance(date, dt.date):
        problems.append("the date raised is not a date")
    problems.extend(p for p in _limits(Item, values) if not p.startswith("Reference"))
    return problems


def response_problems(values: Mapping[str, Any]) -> list[str]:
    """What is wrong with a Panel response's values (empty when fine)."""
    problems = []
    if values.get("decision") not in DECISIONS:
        problems.append(f"decision '{_text(values.get('decision'))}' is not one of: {', '.join(DECISIONS)}")
    date = values.get("decided_on")
    if date is not None and not isinstance(date, dt.date):
        problems.append("the decision date is not a date")
    problems.extend(_limits(Response, values))
    return problems


def action_problems(values: Mapping[str, Any]) -> list[str]:
    """What is wrong with an action's values (empty when fine). Complete needs evidence."""
    problems = []
    if not _text(values.get("reference")):
        problems.append("the action reference is empty (e.g. AC-01/1)")
    elif len(_text(values.get("reference"))) > 40:
        problems.append("the action reference is longer than 40 characters")
    if not _text(values.get("description")):
        problems.append("the description of the action is empty")
    status = values.get("status")
    if status not in STATUSES:
        problems.append(f"status '{_text(status)}' is not one of: {', '.join(STATUSES)}")
    if (values.get("rag") or "") not in RAGS:
        problems.append(f"RAG '{_text(values.get('rag'))}' is not one of: red, amber, green (or empty)")
    if status == "complete" and not _text(values.get("evidence")):
        problems.append("an action can be marked complete only with evidence recorded (a link or a "
                        "description of what shows it is done)")
    for field in ("due_date", "revised_due_date", "completed_on"):
        date = values.get(field)
        if date is not None and not isinstance(date, dt.date):
            problems.append(f"the {LABELS[field]} is not a date")
    if values.get("revised_due_date") is not None and values.get("due_date") is None:
        problems.append("a revised due date needs the original due date too")
    problems.extend(p for p in _limits(Action, values) if not p.startswith("Reference"))
    return problems


PROBLEMS = {Item: item_problems, Response: response_problems, Action: action_problems}


def _values(obj) -> dict[str, Any]:
    return {field: getattr(obj, field) for field in EDITABLE[type(obj)]}


def _normalise(model, changes: Mapping[str, Any]) -> dict[str, Any]:
    out = {}
    for field, value in changes.items():
        if field not in EDITABLE[model]:
            raise TrackerError(f"'{field}' cannot be edited here.")
        if isinstance(value, pd.Timestamp):
            value = value.date()
        elif isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, str):  # NFC; no control, zero-width or direction-changing characters
            value = clean_text(value, field=LABELS.get(field, field), multiline=field in MULTILINE_FIELDS)
        if field in ("regions", "themes"):
            value = join_list(split_list(value))
        if field == "rag" and value is None:
            value = ""
        out[field] = value
    return out


# --------------------------------------------------------------------------- create and edit


def _created(session: Session, obj, who: str, label: str) -> None:
    """Flush the new row and write its "created" history row.

    Two people creating the same reference at the same moment both pass the check
    before either has written; the database's unique constraint then refuses the
    second, and that person gets the same plain message as if they had come second.
    """
    try:
        session.flush()
    except IntegrityError as err:
        session.rollback()
        reference = getattr(obj, "reference", None)
        if reference is not None and "reference" in str(err.orig).lower():
            what = "an item" if isinstance(obj, Item) else "an action"
            raise TrackerError(f"The {'item' if isinstance(obj, Item) else 'action'} was not saved: the reference "
                               f"{reference} is already used by {what}; choose another.") from None
        if isinstance(obj, Response):
            raise TrackerError("The response was not saved: this item already has a Panel response; "
                               "edit it instead.") from None
        raise
    db.record_change(session, obj.__tablename__, obj.id, "created", None, label, who, "created")


def _reference_taken(session: Session, model, reference: str, own_id: int | None = None) -> str | None:
    found = session.scalar(select(model.id).where(model.reference == reference))
    if found is not None and found != own_id:
        what = "an item" if model is Item else "an action"
        return f"the reference {reference} is already used by {what}; choose another"
    return None


def _item_of(obj) -> Item:
    return obj if isinstance(obj, Item) else obj.item


def create_item(session: Session, who: str | access.User, **values) -> Item:
    """Add an item (a point raised or a recommendation); refuses invalid values.

    ``who`` needs to be an editor (a regional lead: of a region the item is tagged with).
    """
    who = editor(who)
    values = _normalise(Item, values)
    who = access.require(who, access.EDIT, split_list(values.get("regions")), what=WHAT[Item],
                         log=access_log.refusals(session)).label
    problems = item_problems(values)
    if not problems and (taken := _reference_taken(session, Item, values["reference"])):
        problems.append(taken)
    if problems:
        raise TrackerError("The item was not saved: " + "; ".join(problems) + ".")
    item = Item(created_by=who, **values)
    session.add(item)
    _created(session, item, who, values["reference"])
    return item


def create_response(session: Session, item: Item, who: str | access.User, **values) -> Response:
    """Record the Panel's response to an item (one per item; later changes are edits)."""
    who = access.require(editor(who), access.EDIT, split_list(item.regions), what=WHAT[Response],
                         log=access_log.refusals(session)).label
    values = _normalise(Response, values)
    problems = response_problems(values)
    if problems:
        raise TrackerError("The response was not saved: " + "; ".join(problems) + ".")
    if session.scalar(select(Response.id).where(Response.item_id == item.id)) is not None:
        raise TrackerError(f"Item {item.reference} already has a Panel response; edit it instead.")
    response = Response(item_id=item.id, created_by=who, **values)
    session.add(response)
    _created(session, response, who, f"response to {item.reference}")
    return response


def create_action(session: Session, item: Item, who: str | access.User, **values) -> Action:
    """Add an action to an item; refuses invalid values (complete needs evidence)."""
    who = access.require(editor(who), access.EDIT, split_list(item.regions), what=WHAT[Action],
                         log=access_log.refusals(session)).label
    values = {"status": "not started", "rag": "", **_normalise(Action, values)}
    if values.get("revised_due_date") is not None and not _text(values.get("revision_reason")):
        raise TrackerError(NO_REVISION_REASON)
    if values["status"] == "complete" and "completed_on" not in values:  # None given: date not known
        values["completed_on"] = dt.date.today()
    problems = action_problems(values)
    if not problems and (taken := _reference_taken(session, Action, values["reference"])):
        problems.append(taken)
    if problems:
        raise TrackerError("The action was not saved: " + "; ".join(problems) + ".")
    action = Action(item_id=item.id, created_by=who, **values)
    session.add(action)
    _created(session, action, who, values["reference"])
    return action


def edit(session: Session, obj, seen_version: int, changes: Mapping[str, Any], who: str | access.User,
         reason: str = "") -> dict[str, tuple[Any, Any]]:
    """Change an item, response or action if nobody else has since ``seen_version``.

    Rules are checked on the values as they would be after the change, then
    :func:`feedback.db.apply_edit` does the version-checked write and the
    history. Raises ``TrackerError`` (rule broken), ``db.StaleEdit`` or
    ``feedback.errors.Refused`` (a regional lead needs the item tagged with
    their region, before and after the change).
    """
    user = editor(who)
    changes = _normalise(type(obj), changes)
    session.refresh(obj)
    access.require(user, access.EDIT, split_list(_item_of(obj).regions), what=WHAT[type(obj)],
                   log=access_log.refusals(session))
    if isinstance(obj, Item) and "regions" in changes:
        access.require(user, access.EDIT, split_list(changes["regions"]), what=WHAT[Item],
                       log=access_log.refusals(session))
    who = user.label
    label = describe(obj)
    if obj.version != int(seen_version):  # someone else got there first: say so, before any rule
        return db.apply_edit(session, obj, seen_version, changes, who, reason, label=label)
    if isinstance(obj, Action):
        changes, reason = _action_dates(obj, changes, reason)
    merged = {**_values(obj), **changes}
    problems = PROBLEMS[type(obj)](merged)
    if "reference" in changes and not problems and (
            taken := _reference_taken(session, type(obj), changes["reference"], obj.id)):
        problems.append(taken)
    if problems:
        raise TrackerError("The change was not saved: " + "; ".join(problems) + ".")
    return db.apply_edit(session, obj, seen_version, changes, who, reason, label=label)


def target_changed(action: Action, changes: Mapping[str, Any]) -> bool:
    """Does this edit give the action a new target date? (A revised date set, changed or removed,
    or an original date that was already set changed: setting the first one is not a revision.)"""
    if "revised_due_date" in changes and changes["revised_due_date"] != action.revised_due_date:
        return True
    return ("due_date" in changes and action.due_date is not None
            and changes["due_date"] != action.due_date)


def _action_dates(action: Action, changes: dict[str, Any], reason: str) -> tuple[dict[str, Any], str]:
    """The date rules of an action edit, on the changes: a new target date needs a reason (the
    ``revision_reason`` given, else the edit's reason, which then becomes the public one; refused
    without either); completing an action dates it (today unless given), reopening clears it."""
    changes = dict(changes)
    if target_changed(action, changes):
        given = _text(changes.get("revision_reason"))
        if given == _text(action.revision_reason):  # the old reason, not a new one
            given = ""
        public = given or _text(reason)
        if not public:
            raise TrackerError(NO_REVISION_REASON)
        changes["revision_reason"] = clean_text(public, field=LABELS["revision_reason"], multiline=True)
        reason = reason or public
    status = changes.get("status", action.status)
    if status == "complete" and action.status != "complete" and changes.get("completed_on") is None \
            and action.completed_on is None:
        changes["completed_on"] = dt.date.today()
    elif status != "complete" and action.status == "complete" and "completed_on" not in changes:
        changes["completed_on"] = None
    return changes, reason


def set_published(session: Session, response: Response, seen_version: int, published: bool,
                  who: str | access.User, reason: str = "") -> dict[str, tuple[Any, Any]]:
    """Put a Panel response (with its item and actions) in the public record, or take it out.

    An edit like any other: the roles apply (a regional lead only for their region's items, a
    viewer never), the version the person saw is checked, and the change is in the history."""
    return edit(session, response, seen_version, {"published": bool(published)}, who, reason)


def describe(obj) -> str:
    """How a record is named to people: "Item AC-01", "Action AC-01/1", "The Panel's response to AC-01"."""
    if isinstance(obj, Item):
        return f"Item {obj.reference}"
    if isinstance(obj, Action):
        return f"Action {obj.reference}"
    return f"The Panel's response to {obj.item.reference}"


# --------------------------------------------------------------------------- reading


def effective_due(action: Action) -> dt.date | None:
    """The date an action is now due: the revised date when there is one."""
    return action.revised_due_date or action.due_date


def is_overdue(action: Action, today: dt.date | None = None) -> bool:
    """Open (not started / in progress) and past its (revised) due date."""
    due = effective_due(action)
    return action.status in OPEN_STATUSES and due is not None and due < (today or dt.date.today())


def all_items(session: Session) -> list[Item]:
    stmt = (select(Item).options(selectinload(Item.response), selectinload(Item.actions))
            .order_by(Item.id))
    return list(session.scalars(stmt))


@dataclass(frozen=True)
class Filters:
    """What the tracker page is narrowed to; None / empty means "any"."""

    region: str | None = None
    include_national: bool = True
    sources: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    overdue_only: bool = False
    text: str = ""


def in_region(item: Item, region: str | None, include_national: bool = True) -> bool:
    """Is the item raised for this region (or, with ``include_national``, for all of England)?"""
    return _item_matches(item, Filters(region=region, include_national=include_national))


def _item_matches(item: Item, f: Filters) -> bool:
    regions = split_list(item.regions)
    if f.region and not ((f.region in regions) or (not regions and f.include_national)):
        return False
    if f.sources and item.source not in f.sources:
        return False
    if f.themes and not set(split_list(item.themes)) & set(f.themes):
        return False
    if f.text:
        needle = f.text.casefold()
        hay = " ".join([item.reference, item.text, item.source_detail, item.themes,
                        item.response.text if item.response else ""]).casefold()
        if needle not in hay:
            return False
    return True


def _action_matches(action: Action, f: Filters, today: dt.date) -> bool:
    if f.statuses and action.status not in f.statuses:
        return False
    if f.owners and action.owner not in f.owners:
        return False
    return not (f.overdue_only and not is_overdue(action, today))


def _action_filters_on(f: Filters) -> bool:
    return bool(f.statuses or f.owners or f.overdue_only)


ITEM_COLUMNS = ["id", "version", "reference", "text", "source", "source_detail", "date_raised", "regions",
                "themes", "decision", "response", "actions", "open_actions", "overdue_actions", "is_sample"]
ACTION_COLUMNS = ["id", "version", "reference", "item", "item_text", "description", "owner", "due_date",
                  "revised_due_date", "status", "rag", "overdue", "completion_criteria", "evidence", "is_sample",
                  "completed_on", "revision_reason"]


def filtered(session: Session, f: Filters = Filters(), today: dt.date | None = None
             ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(items, actions) frames after the filters: item filters pick items, action
    filters (status, owner, overdue) pick actions and keep only items that have one."""
    today = today or dt.date.today()
    item_rows, action_rows = [], []
    for item in all_items(session):
        if not _item_matches(item, f):
            continue
        actions = [a for a in item.actions if _action_matches(a, f, today)]
        if _action_filters_on(f) and not actions:
            continue
        item_rows.append({
            "id": item.id, "version": item.version, "reference": item.reference, "text": item.text,
            "source": item.source, "source_detail": item.source_detail, "date_raised": item.date_raised,
            "regions": item.regions or NATIONAL, "themes": item.themes,
            "decision": item.response.decision if item.response else "",
            "response": item.response.text if item.response else "",
            "actions": len(item.actions),
            "open_actions": sum(a.status in OPEN_STATUSES for a in item.actions),
            "overdue_actions": sum(is_overdue(a, today) for a in item.actions),
            "is_sample": item.is_sample,
        })
        for a in actions:
            action_rows.append({
                "id": a.id, "version": a.version, "reference": a.reference, "item": item.reference,
                "item_text": item.text, "description": a.description, "owner": a.owner,
                "due_date": a.due_date, "revised_due_date": a.revised_due_date, "status": a.status,
                "rag": a.rag, "overdue": is_overdue(a, today), "completion_criteria": a.completion_criteria,
                "evidence": a.evidence, "is_sample": a.is_sample, "completed_on": a.completed_on,
                "revision_reason": a.revision_reason,
            })
    return (pd.DataFrame(item_rows, columns=ITEM_COLUMNS), pd.DataFrame(action_rows, columns=ACTION_COLUMNS))


def choices(session: Session) -> dict[str, list[str]]:
    """The values the filters can offer: themes and owners in use."""
    items = all_items(session)
    themes = sorted({t for i in items for t in split_list(i.themes)}, key=str.casefold)
    owners = sorted({a.owner for i in items for a in i.actions if a.owner}, key=str.casefold)
    return {"themes": themes, "owners": owners}


def timeline(session: Session, item_id: int) -> pd.DataFrame:
    """Every recorded change to an item, its response and its actions, oldest first."""
    item = session.get(Item, item_id)
    if item is None:
        raise TrackerError(f"There is no item with id {item_id}.")
    targets = {("tracker_item", str(item.id)): f"Item {item.reference}"}
    if item.response:
        targets[("tracker_response", str(item.response.id))] = "Panel response"
    for a in item.actions:
        targets[("tracker_action", str(a.id))] = f"Action {a.reference}"
    rows = []
    for (entity, entity_id), what in targets.items():
        for h in db.history_for(session, entity, entity_id):
            rows.append({"when": h.changed_at, "who": h.changed_by, "what": what,
                         "field": LABELS.get(h.field, h.field), "old": h.old_value, "new": h.new_value,
                         "reason": h.reason, "history_id": h.id})
    frame = pd.DataFrame(rows, columns=["when", "who", "what", "field", "old", "new", "reason", "history_id"])
    return frame.sort_values(["when", "history_id"], kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------- dashboard


def headline_counts(items: pd.DataFrame, actions: pd.DataFrame) -> dict[str, int]:
    """The four numbers at the top of the tracker, from the (filtered) frames of :func:`filtered`."""
    return {
        "items": len(items),
        "without_response": int((items["decision"] == "").sum()),
        "open_actions": int(actions["status"].isin(OPEN_STATUSES).sum()),
        "overdue_actions": int(actions["overdue"].astype(bool).sum()),
    }


def dashboard(items: pd.DataFrame, actions: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Counts for the dashboard charts, from the (filtered) frames of :func:`filtered`.

    ``actions_by_status`` (all five statuses, zeros kept), ``items_by_source``,
    ``items_by_decision`` ("no response yet" for items without one),
    ``items_by_region`` (national items under their own label),
    ``overdue_by_owner``.
    """
    by_status = (actions["status"].value_counts().reindex(list(STATUSES), fill_value=0)
                 .rename_axis("status").reset_index(name="actions"))
    by_source = (items["source"].value_counts().reindex(list(SOURCES), fill_value=0)
                 .rename_axis("source").reset_index(name="items"))
    by_source = by_source[by_source["items"] > 0].reset_index(drop=True)
    decisions = items["decision"].replace("", "no response yet")
    by_decision = (decisions.value_counts().reindex([*DECISIONS, "no response yet"], fill_value=0)
                   .rename_axis("decision").reset_index(name="items"))
    regions = [r for value in items["regions"] for r in (split_list(value) if value != NATIONAL else [NATIONAL])]
    by_region = (pd.Series(regions, dtype=object).value_counts().reindex([NATIONAL, *REGIONS], fill_value=0)
                 .rename_axis("region").reset_index(name="items"))
    overdue = actions[actions["overdue"].astype(bool)] if len(actions) else actions
    by_owner = (overdue["owner"].replace("", "(no owner)").value_counts().rename_axis("owner")
                .reset_index(name="overdue actions"))
    return {"actions_by_status": by_status, "items_by_source": by_source, "items_by_decision": by_decision,
            "items_by_region": by_region, "overdue_by_owner": by_owner}


LATENESS_COLUMNS = ["actions due", "completed on time", "late", "share late", "days late (median)"]


def lateness(items: pd.DataFrame, actions: pd.DataFrame, today: dt.date | None = None) -> dict[str, Any]:
    """On time and late, against each action's original target date (as the public record counts
    them, :mod:`feedback.tracker.record`): ``on_time`` = (completed on time, actions due) where an
    action is due when complete or open past its original target date; ``by_owner`` and
    ``by_theme`` = per owner / per theme of the action's item (an item with several themes counts
    in each): actions due, completed on time, late, share late (0-1) and the median days late of
    the late ones (to completion, or to ``today`` when still open)."""
    from feedback.tracker import record

    today = today or dt.date.today()
    themes_of = {r.reference: split_list(r.themes) for r in items.itertuples()} if len(items) else {}
    rows = []
    for a in actions.itertuples():
        raw = {"status": a.status, "due_date": stored_value(a.due_date), "completed_on": stored_value(a.completed_on)}
        if not record.counts_towards_on_time(raw, today):
            continue
        good = record.on_time(raw)
        rows.append({"owner": a.owner or "(no owner)", "themes": themes_of.get(a.item) or ["(no theme)"],
                     "on_time": good, "days": 0 if good else record.days_late(raw, today)})

    def table(key: str, label: str) -> pd.DataFrame:
        out: dict[str, list] = {}
        for row in rows:
            for value in (row[key] if key == "themes" else [row[key]]):
                out.setdefault(value, []).append(row)
        records = []
        for value, group in out.items():
            late = [r["days"] for r in group if not r["on_time"]]
            records.append({label: value, "actions due": len(group), "completed on time": len(group) - len(late),
                            "late": len(late), "share late": len(late) / len(group),
                            "days late (median)": float(pd.Series(late).median()) if late else 0.0})
        frame = pd.DataFrame(records, columns=[label, *LATENESS_COLUMNS])
        return frame.sort_values(["late", label], ascending=[False, True], kind="stable").reset_index(drop=True)

    return {"on_time": (sum(r["on_time"] for r in rows), len(rows)),
            "by_owner": table("owner", "owner"), "by_theme": table("themes", "theme")}


def stored_value(value: Any) -> Any:
    """A grid cell or model field as the model stores it (NaN/NaT -> None, timestamps -> dates,
    numpy scalars -> Python values)."""
    if value is None or value is pd.NaT:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, dt.datetime):  # pandas Timestamp too
        return value.date()
    if hasattr(value, "item") and not isinstance(value, str):
        return value.item()
    return value
