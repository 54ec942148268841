"""Small helpers behind the tracker pages (no Streamlit): what changed in the grid,
the timeline as readable entries, a refused edit side by side with the newer values."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pandas as pd

from feedback import db
from feedback.tracker.service import LABELS, stored_value
from feedback.validation import markdown_literal


md_escape = markdown_literal  # Old name, removed once every page uses markdown_literal.


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
            parts.append(md_escape(words))
        elif op == "removed":
            parts.append(f"~~{md_escape(words)}~~")
        else:
            parts.append(f"**{md_escape(words)}**")
    return " ".join(p for p in parts if p)
