"""What the import preview says about each file of notes read, before anything
is imported: how many lines were read as what, what the reader is unsure of,
which event details are missing or extra, the region to start the form from,
and what will be imported.
"""

from __future__ import annotations

import pandas as pd

from feedback.regions import region_in_text
from feedback.roundtables.read import (
    ACTION,
    DETAIL,
    HEADING,
    META_LABELS,
    POINT,
    RESPONSE,
    SKIPPED,
    SUFFIXES,
    EventNotes,
)

#: The file types the notes uploader accepts (without the dot).
FILE_TYPES = [s.lstrip(".") for s in SUFFIXES]
#: Unsure lines named in the warning; the rest are ticked in the table below it.
UNSURE_SHOWN = 5


def read_summary(name: str, notes: EventNotes) -> str:
    """How many lines were read, and as what (the roles the preview's table shows per line)."""
    counts = pd.Series([x.role for x in notes.lines], dtype=object).value_counts()
    return (f"{name}: read {len(notes.lines)} line(s): {counts.get(POINT, 0)} feedback point(s), "
            f"{counts.get(RESPONSE, 0)} Panel response(s), {counts.get(DETAIL, 0)} event detail(s), "
            f"{counts.get(ACTION, 0)} action(s), {counts.get(HEADING, 0)} heading(s), {counts.get(SKIPPED, 0)} "
            "skipped.")


def unsure_warning(notes: EventNotes) -> str | None:
    """The lines the reader is unsure of, the first few named with what to check; None when none."""
    unsure = notes.unsure
    if not unsure:
        return None
    return (f"Unsure of {len(unsure)} line(s): "
            + "; ".join(f"line {x.no} ({x.role}): {x.note}" for x in unsure[:UNSURE_SHOWN])
            + ("; ..." if len(unsure) > UNSURE_SHOWN else "")
            + ". Check them below (ticked under 'Unsure').")


def missing_text(notes: EventNotes) -> str | None:
    """The event details the notes do not give (the form asks for them); None when all are there."""
    if not notes.missing:
        return None
    return "Missing from the notes: " + ", ".join(META_LABELS[m].lower() for m in notes.missing)


def other_details_text(notes: EventNotes) -> str | None:
    """Details beyond the ones the app counts (Venue, Chair...), kept in the event's note."""
    other = notes.meta.other
    if not other:
        return None
    return "Other details (kept in the event's note): " + "; ".join(f"{k}: {v}" for k, v in other.items())


def region_guess(notes: EventNotes, region: str | None) -> str | None:
    """The region the form starts from: the notes' "Region:" line, else one named in the heading,
    else ``region`` (the one chosen in the sidebar)."""
    return notes.meta.region or region_in_text(notes.meta.title) or region


def to_import_text(notes: EventNotes) -> str:
    """What importing these notes adds: their points, and how many near-identical ones were merged."""
    merged = sum(len(p.merged) for p in notes.points)
    return (f"To import: {len(notes.points)} feedback point(s)"
            + (f" ({merged} near-identical merged into them)" if merged else "") + ".")
