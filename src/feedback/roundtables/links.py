"""Points and the Panel's response tracker: raise a tracker item from a point,
link a point to an existing item, and show the Panel's response and action
status beside each theme.

Uses only the tracker's service functions (``feedback.tracker.service``);
this module never writes to the tracker's tables itself.
"""

from __future__ import annotations

import re

import pandas as pd

from feedback import access, access_log, db
from feedback.errors import InputError
from feedback.roundtables import views
from feedback.roundtables.coding import auto_code
from feedback.roundtables.models import RoundtableEvent, RoundtablePoint
from feedback.roundtables.themes import ThemeCodebook

SOURCE = "roundtable event"
REFERENCE_PREFIX = "RT-"


class TrackerUnavailable(RuntimeError):
    """The tracker package is not installed in this build."""


def _service():
    try:
        from feedback.tracker import service
    except ImportError as err:  # pragma: no cover - the tracker ships with the app
        raise TrackerUnavailable("The response tracker is not available, so points cannot be linked.") from err
    return service


def available() -> bool:
    try:
        _service()
    except TrackerUnavailable:
        return False
    return True


def _point(session, point_id: int, seen_version: int) -> tuple[RoundtablePoint, RoundtableEvent]:
    point = session.get(RoundtablePoint, point_id)
    if point is None:
        raise InputError(f"Point {point_id} no longer exists; reload the page.")
    if point.version != int(seen_version):
        raise db.StaleEdit("roundtable_point", point_id, int(seen_version), point.version,
                           {"tracker_item_id": point.tracker_item_id})
    return point, point.event


def _next_reference(session, service) -> str:
    taken = {i.reference for i in service.all_items(session)}
    numbers = [int(m.group(1)) for r in taken if (m := re.fullmatch(rf"{REFERENCE_PREFIX}(\d+)", r))]
    return f"{REFERENCE_PREFIX}{max(numbers, default=0) + 1:03d}"


def raise_item(engine, point_id: int, who: str | access.User, seen_version: int,
               codebook: ThemeCodebook | None = None) -> str:
    """Create a tracker item (source 'roundtable event') from a point and link them; returns its reference.

    The item carries the point's text, event, date, region and the sub-themes
    in force; both writes are one transaction.
    """
    service = _service()
    from feedback.roundtables.store import current_codebook, load_frames

    user = access.actor(who)
    if not user.name:
        raise InputError("Give your name before raising a tracker item.")
    codebook = codebook or current_codebook(engine)[0]
    frames = load_frames(engine)
    codes = views.current_codes(frames.codings[frames.codings["point_id"] == point_id])["code"]
    names = codebook.names()
    with db.session_scope(engine) as session:
        point, event = _point(session, point_id, seen_version)
        access.require(user, access.EDIT, event.region, what="roundtable points", log=access_log.refusals(engine))
        if point.tracker_item_id is not None:
            raise InputError("This point is already linked to a tracker item; link it to another instead.")
        try:
            item = service.create_item(
                session, user, reference=_next_reference(session, service), text=point.text, source=SOURCE,
                source_detail=f"{event.title}, {event.event_date:%d %b %Y}, point {point.seq}",
                date_raised=event.event_date, regions=event.region,
                themes="; ".join(names[c] for c in codes if c in names))
        except service.TrackerError as err:
            raise InputError(str(err)) from err
        db.apply_edit(session, point, seen_version, {"tracker_item_id": item.id}, user.label,
                      f"raised tracker item {item.reference}")
        return item.reference


def link_item(engine, point_id: int, item_id: int | None, who: str | access.User, seen_version: int) -> str:
    """Link a point to an existing tracker item (replacing any earlier link); returns the item's reference."""
    if item_id is None:
        raise InputError("Choose a tracker item to link this point to.")
    user = access.actor(who)
    with db.session_scope(engine) as session:
        point, event = _point(session, point_id, seen_version)
        access.require(user, access.EDIT, event.region, what="roundtable points", log=access_log.refusals(engine))
        from feedback.tracker.models import Item

        item = session.get(Item, int(item_id))
        if item is None:
            raise InputError(f"Tracker item {item_id} no longer exists; reload the page.")
        db.apply_edit(session, point, seen_version, {"tracker_item_id": item.id}, user.label,
                      f"linked to tracker item {item.reference}")
        return item.reference


def item_choices(engine) -> dict[int, str]:
    """{item id: 'REF: text'} for a picker."""
    service = _service()
    with db.session_scope(engine) as session:
        return {i.id: f"{i.reference}: {i.text[:90]}" for i in service.all_items(session)}


def item_summary(engine, item_id: int) -> pd.DataFrame:
    """One tracker item with the Panel's decision and response and its actions' status."""
    service = _service()
    with db.session_scope(engine) as session:
        items, actions = service.filtered(session)
    row = items[items["id"] == item_id]
    if row.empty:
        return pd.DataFrame({"Tracker item": [f"item {item_id} (no longer in the tracker)"]})
    acts = actions[actions["item"] == row["reference"].iloc[0]]
    return pd.DataFrame({
        "Tracker item": row["reference"].to_numpy(), "Point raised": row["text"].to_numpy(),
        "Panel decision": row["decision"].replace("", "no response yet").to_numpy(),
        "Panel response": row["response"].to_numpy(),
        "Actions": [_status_words(acts["status"])],
        "Overdue actions": row["overdue_actions"].to_numpy(),
    })


def _status_words(statuses: pd.Series) -> str:
    counts = statuses.value_counts()
    return ", ".join(f"{n} {s}" for s, n in counts.items()) or "no actions"


def _theme_item_pairs(engine, frames: views.Frames, codebook: ThemeCodebook, *, region: str | None,
                      level: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(pairs of theme label and item id, items, actions) from the tracker, as theme_status explains."""
    service = _service()
    with db.session_scope(engine) as session:
        items, actions = service.filtered(session, service.Filters(region=region))
    key = "Sub-theme" if level == "sub_theme" else "Theme"
    coded = views.coded_points(frames, codebook)
    if region is not None:
        coded = coded[coded["region"] == region]
    linked = coded.dropna(subset=["tracker_item_id"]) if "tracker_item_id" in coded else coded.iloc[0:0]
    label = "sub_theme" if level == "sub_theme" else "theme"
    pairs = pd.DataFrame({key: linked[label].to_numpy(), "id": linked.get("tracker_item_id", pd.Series(dtype="Int64"))
                          .astype("Int64").to_numpy()})
    wanted = {c.name.casefold(): (c.name if level == "sub_theme" else c.theme) for c in codebook.codes}
    wanted.update({t.casefold(): t for t in codebook.themes} if level == "theme" else {})
    by_name = items[["id", "themes"]].assign(name=items["themes"].str.split(";")).explode("name")
    by_name["name"] = by_name["name"].fillna("").str.strip().str.casefold().map(wanted)
    by_id = codebook.by_id()
    roundtable = items[items["source"] == SOURCE]
    by_rules = pd.DataFrame(
        [(by_id[code].name if level == "sub_theme" else by_id[code].theme, item_id)
         for item_id, text in zip(roundtable["id"], roundtable["text"], strict=True)
         for code in auto_code(text, codebook)], columns=[key, "id"])
    pairs = pd.concat([pairs, by_name.dropna(subset=["name"]).rename(columns={"name": key})[[key, "id"]], by_rules])
    pairs = pairs.dropna().astype({"id": int}).drop_duplicates()
    return pairs, items, actions


def theme_status(engine, frames: views.Frames, codebook: ThemeCodebook, *, region: str | None = None,
                 level: str = "sub_theme") -> pd.DataFrame:
    """Per sub-theme (or theme): the tracker items behind it, the Panel's decisions and action status.

    An item belongs to a theme when a point coded to the theme is linked to
    it, when the item lists the theme's name among its themes, or when it is
    a roundtable item (such as the Annex C points) whose text the theme's
    rules match.
    """
    if not available():
        return pd.DataFrame()
    key = "Sub-theme" if level == "sub_theme" else "Theme"
    pairs, items, actions = _theme_item_pairs(engine, frames, codebook, region=region, level=level)
    if pairs.empty:
        return pd.DataFrame(columns=[key, "Tracker items", "Panel decisions", "Actions"])
    joined = pairs.merge(items[["id", "reference", "decision"]], on="id", how="inner")
    acts = actions[["item", "status"]].rename(columns={"item": "reference"})
    grouped = joined.groupby(key, sort=False)
    out = pd.DataFrame({
        "Tracker items": grouped["reference"].agg(lambda s: ", ".join(sorted(s))),
        "Panel decisions": grouped["decision"].agg(
            lambda s: _status_words(s.replace("", "no response yet"))),
    })
    per_theme_actions = joined[[key, "reference"]].merge(acts, on="reference", how="inner")
    out["Actions"] = per_theme_actions.groupby(key)["status"].agg(_status_words).reindex(out.index).fillna(
        "no actions")
    return out.reset_index()


def with_status(engine, table: pd.DataFrame, frames: views.Frames, codebook: ThemeCodebook, *,
                region: str | None = None, level: str = "sub_theme") -> pd.DataFrame:
    """``table`` (``views.themes_by_region``) with each row's tracker items, Panel decisions and actions
    beside it (``theme_status``), as the page shows and exports it."""
    shown = table.reset_index(drop=True)
    status = theme_status(engine, frames, codebook, region=region, level=level)
    if status.empty:
        return shown
    return shown.merge(status, on="Sub-theme" if level == "sub_theme" else "Theme", how="left")


def theme_items(engine, frames: views.Frames, codebook: ThemeCodebook, label: str, *, region: str | None = None,
                level: str = "sub_theme") -> pd.DataFrame:
    """The tracker items behind one sub-theme (or theme), with the Panel's response text and actions."""
    if not available():
        return pd.DataFrame()
    key = "Sub-theme" if level == "sub_theme" else "Theme"
    pairs, items, actions = _theme_item_pairs(engine, frames, codebook, region=region, level=level)
    chosen = items[items["id"].isin(pairs.loc[pairs[key] == label, "id"])].sort_values("reference")
    statuses = actions.groupby("item")["status"].agg(_status_words)
    return pd.DataFrame({
        "Tracker item": chosen["reference"].to_numpy(), "Point raised": chosen["text"].to_numpy(),
        "Source": chosen["source"].to_numpy(),
        "Panel decision": chosen["decision"].replace("", "no response yet").to_numpy(),
        "Panel response": chosen["response"].to_numpy(),
        "Actions": chosen["reference"].map(statuses).fillna("no actions").to_numpy(),
    })


def responses_offered(notes) -> pd.DataFrame:
    """What an import offers to the tracker: each point that has the Panel's response or actions in the
    notes, with them (one action a line). The page shows it, editable, before anything is written."""
    rows = [{"record": True, "point": p.seq, "line": p.line, "text": p.text, "response": p.response,
             "actions": "\n".join(p.actions)} for p in notes.points if p.response or p.actions]
    return pd.DataFrame(rows, columns=["record", "point", "line", "text", "response", "actions"])


def record_responses(engine, event_id: int, offers: pd.DataFrame, who: str | access.User,
                     decision: str = "noted", codebook: ThemeCodebook | None = None) -> list[str]:
    """For each ticked row of ``offers`` (``responses_offered``, as edited): raise a tracker item from the
    imported point, link them, record the Panel's response (with ``decision``) and add the actions.

    All through the tracker's service functions, which check the person's role; one transaction, so a
    refusal leaves nothing half-written. Returns the items' references.
    """
    service = _service()
    from feedback.roundtables.store import current_codebook

    user = access.actor(who)
    if not user.name:
        raise InputError("Give your name before recording responses: every change records who made it.")
    chosen = offers[offers["record"].astype(bool)] if len(offers) else offers
    if chosen.empty:
        return []
    codebook = codebook or current_codebook(engine)[0]
    names = codebook.names()
    references: list[str] = []
    with db.session_scope(engine) as session:
        event = session.get(RoundtableEvent, int(event_id))
        if event is None:
            raise InputError(f"Event {event_id} no longer exists; reload the page.")
        access.require(user, access.EDIT, event.region, what="roundtable points", log=access_log.refusals(engine))
        by_seq = {p.seq: p for p in event.points}
        number = int(_next_reference(session, service)[len(REFERENCE_PREFIX):])
        for row in chosen.itertuples(index=False):
            point = by_seq.get(int(row.point))
            if point is None:
                raise InputError(f"Point {row.point} is not in the imported event; reload the page.")
            response = str(row.response or "").strip()
            actions = [a.strip() for a in str(row.actions or "").splitlines() if a.strip()]
            if not response and not actions:
                continue
            rules = next((c for c in point.codings if c.coder == "rules"), None)
            themes = "; ".join(names[c] for c in (rules.code_list if rules else []) if c in names)
            reference = f"{REFERENCE_PREFIX}{number:03d}"
            number += 1
            try:
                item = service.create_item(
                    session, user, reference=reference, text=point.text, source=SOURCE,
                    source_detail=f"{event.title}, {event.event_date:%d %b %Y}, point {point.seq}"[:300],
                    date_raised=event.event_date, regions=event.region, themes=themes)
                if response:
                    service.create_response(session, item, user, decision=decision, text=response)
                for k, action in enumerate(actions, start=1):
                    service.create_action(session, item, user, reference=f"{reference}/{k}", description=action)
            except service.TrackerError as err:
                raise InputError(f"Point {point.seq}: {err}") from err
            db.apply_edit(session, point, point.version, {"tracker_item_id": item.id}, user.label,
                          f"raised tracker item {reference} with the Panel's response from the notes")
            references.append(reference)
    return references
