"""The tracker's fixed lists (sources, decisions, statuses, RAG ratings) and how a list is stored
in one text field: what pages and forms need, without the database classes."""

from __future__ import annotations

# The same lists are checked by the database (migration 0001).
SOURCES = ("roundtable event", "local review", "national review", "survey finding",
           "yearly-report audit", "commissioned research", "Panel commitment", "other")
DECISIONS = ("accepted", "accepted in principle", "partially accepted", "not accepted", "noted")
STATUSES = ("not started", "in progress", "complete", "closed", "overtaken by events")
OPEN_STATUSES = ("not started", "in progress")
RAGS = ("", "red", "amber", "green")
LIST_SEPARATOR = "; "


def split_list(text: str | None) -> list[str]:
    """``"London; South East"`` -> ``["London", "South East"]`` (semicolons only: themes may hold commas)."""
    return [part.strip() for part in str(text or "").split(";") if part.strip()]


def join_list(values) -> str:
    """The stored form of a list: items joined by "; ", blanks dropped."""
    return LIST_SEPARATOR.join(v.strip() for v in values if v and v.strip())
