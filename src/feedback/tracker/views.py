"""The tracker page's model (no Streamlit): what the page reads from the database (each
read its own short session, so the page holds none), what changed in the grid, the
timeline as readable entries, a refused edit side by side with the newer values.

Records reach the page as plain dictionaries (column -> value), never as database
objects, so nothing the page does can touch the database behind the package's back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pandas as pd
from sqlalchemy import inspect

from feedback import db
from feedback.tracker import record, service
from feedback.tracker.models import Item
from feedback.tracker.service import LABELS, stored_value
from feedback.validation import markdown_literal

TEXT_FIELDS = {"description", "owner", "completion_criteria", "evidence", "rag", "status", "text", "themes",
               "regions", "source_detail", "decided_by", "reference"}


def grid_changes(before: pd.DataFrame, after: pd.DataFrame, editable: list[str]) -> list[dict[str, Any]]:
    """Rows edited in a grid: ``[{"id", "version", "reference", "changes": {field: new}}]``.

    ``before`` is the snapshot the person saw (with ``id`` and ``version``),
    ``after`` what the grid returned; rows are matched by ``id``.
    """
    out = []
    after = after.set_index("id", drop=False)
    for _, old in before.iterrows():
        if old["id"] not in after.index:
            continue
        new = after.loc[old["id"]]
        changes = {}
        for field in editable:
            a, b = stored_value(old[field]), stored_value(new[field])
            if field in TEXT_FIELDS:
                a, b = a or "", b or ""
            if a != b:
                changes[field] = b
        if changes:
            out.append({"id": int(old["id"]), "version": int(old["version"]), "reference": old["reference"],
                        "changes": changes})
    return out


def _when(value) -> str:
    if value is None or pd.isna(value):
        return ""
    ts = pd.Timestamp(value)
    if ts.tzinfo is None:
        ts = ts.tz_localize("UTC")
    return ts.tz_convert("Europe/London").strftime("%d %b %Y, %H:%M")


def timeline_entries(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The timeline frame grouped into entries: one per (moment, person, record, reason),
    each with its field changes, newest first."""
    entries: list[dict[str, Any]] = []
    for _, row in frame.iterrows():
        key = (row["when"], row["who"], row["what"], row["reason"])  # one edit = one moment
        if not entries or entries[-1]["key"] != key:
            entries.append({"key": key, "when": _when(row["when"]), "who": row["who"], "what": row["what"],
                            "reason": row["reason"], "changes": []})
        if row["field"] == "created":
            entries[-1]["created"] = True
        else:
            entries[-1]["changes"].append((row["field"], row["old"], row["new"]))
    return list(reversed(entries))


def stale_comparison(err: db.StaleEdit, attempted: dict[str, Any]) -> pd.DataFrame:
    """For a refused edit: each field the person tried to change, the value now in the
    tracker (someone else's) and theirs, so they can decide and redo it."""
    rows = [{"field": LABELS.get(f, f), "now in the tracker": db.as_text(err.current.get(f)) or "",
             "your change (not saved)": db.as_text(v) or ""} for f, v in attempted.items()]
    return pd.DataFrame(rows, columns=["field", "now in the tracker", "your change (not saved)"])


LONG_TEXT = 80  # characters: above this, history shows the words that changed rather than both texts


def word_diff(old: Any, new: Any) -> list[tuple[str, str]]:
    """The words that changed between two texts: [("same" | "removed" | "added", words), ...]."""
    import difflib

    a, b = str(old or "").split(), str(new or "").split()
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("same", " ".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(("removed", " ".join(a[i1:i2])))
        if j2 > j1:
            out.append(("added", " ".join(b[j1:j2])))
    return out


def word_changes_markdown(old: Any, new: Any, context: int = 6) -> str:
    """A long text's change as Markdown: removed words struck through, added words in bold,
    unchanged runs cut to ``context`` words either side ("…"). Every word is escaped."""
    parts = []
    segments = word_diff(old, new)
    for i, (op, words) in enumerate(segments):
        if op == "same":
            w = words.split()
            first, last = i == 0, i == len(segments) - 1
            if len(w) > 2 * context:
                head = [] if first else w[:context]
                tail = [] if last else w[-context:]
                words = " ".join([*head, "…", *tail])
            parts.append(markdown_literal(words))
        elif op == "removed":
            parts.append(f"~~{markdown_literal(words)}~~")
        else:
            parts.append(f"**{markdown_literal(words)}**")
    return " ".join(p for p in parts if p)


# --------------------------------------------------------------------------- reading for the page


def values_of(obj) -> dict[str, Any]:
    """A stored record as a plain dictionary of its columns."""
    return {attr.key: getattr(obj, attr.key) for attr in inspect(obj).mapper.column_attrs}


def filter_choices(engine) -> dict[str, list[str]]:
    """The themes and owners the page's filters offer."""
    with db.session_scope(engine) as session:
        return service.choices(session)


def listing(engine, filters: service.Filters, today: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The (items, actions) frames the filters pick (see :func:`feedback.tracker.service.filtered`)."""
    with db.session_scope(engine) as session:
        return service.filtered(session, filters, today=today)


@dataclass(frozen=True)
class ItemPage:
    """One item in full: its values, the Panel's response, its actions and its history."""

    item: dict[str, Any]
    response: dict[str, Any] | None
    actions: list[dict[str, Any]]
    timeline: pd.DataFrame


def item_page(engine, item_id: int) -> ItemPage:
    """Everything the page shows about one item, read in one transaction."""
    with db.session_scope(engine) as session:
        item = session.get(Item, item_id)
        if item is None:
            raise service.TrackerError(f"There is no item with id {item_id}.")
        return ItemPage(values_of(item), values_of(item.response) if item.response else None,
                        [values_of(a) for a in item.actions], service.timeline(session, item_id))


def item_caption(item: dict[str, Any]) -> list[str]:
    """The line under an item's heading, in parts: source, regions, themes, date raised."""
    return [item["source"] + (f": {item['source_detail']}" if item["source_detail"] else ""),
            f"Regions: {item['regions'] or 'all England (national)'}",
            f"Themes: {item['themes'] or 'none'}",
            f"Raised {item['date_raised']:%d %B %Y}" if item["date_raised"] else "Date raised not recorded"]


def action_table(actions: list[dict[str, Any]], today: dt.date) -> pd.DataFrame:
    """An item's actions as the page lists them, with the date each is now due and whether it is overdue."""
    return pd.DataFrame([{
        "reference": a["reference"], "description": a["description"], "owner": a["owner"],
        "original target": a["due_date"], "due": service.effective_due(SimpleNamespace(**a)),
        "revised because": a["revision_reason"], "status": a["status"], "completed on": a["completed_on"],
        "RAG": a["rag"], "overdue": service.is_overdue(SimpleNamespace(**a), today), "evidence": a["evidence"],
        "sample": a["is_sample"],
    } for a in actions])


def grid_frame(actions: pd.DataFrame) -> pd.DataFrame:
    """The actions grid as loaded: the filtered actions, target dates as dates the grid can edit."""
    frame = actions.copy()
    for col in ("due_date", "revised_due_date"):
        frame[col] = pd.to_datetime(frame[col])
    return frame


def history_markdown(entry: dict[str, Any]) -> str:
    """One timeline entry as Markdown: when, who, what and why, then each field's change (long
    texts as the words that changed). Everything a person typed is escaped."""
    head = f"**{entry['when']}** · {markdown_literal(entry['who'])} · {markdown_literal(entry['what'])}"
    if entry.get("created"):
        head += " · created"
    if entry["reason"] and entry["reason"] != "created":
        head += f" · _{markdown_literal(entry['reason'])}_"
    lines = [f"- {markdown_literal(field)}: " + (
        word_changes_markdown(old, new) if max(len(old or ""), len(new or "")) > LONG_TEXT
        else f"{markdown_literal(old) or '(empty)'} → **{markdown_literal(new) or '(empty)'}**")
        for field, old, new in entry["changes"]]
    return "\n".join([head, *lines])


def public_record(engine, as_of: dt.date) -> record.Record:
    """The "You said, we did" record as it stood at the end of ``as_of``."""
    with db.session_scope(engine) as session:
        return record.build(session, as_of)
