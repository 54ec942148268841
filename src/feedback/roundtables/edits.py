"""What a person changes on the roundtables page: code a point, link it to the
tracker, record the suggester's codes, remove an event, save the codebook and
import notes with the Panel's responses in them.

Each returns an ``Outcome`` (a kind and the sentence to show), with the
refusals people can meet (a stale edit, bad input, a role that may not) turned
into that sentence here, so the page shows it and handles no errors itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from feedback import access, db
from feedback.errors import InputError, Refused
from feedback.roundtables import links, store
from feedback.roundtables.coding import SUGGESTER_CODER
from feedback.roundtables.read import EventNotes
from feedback.roundtables.themes import ThemeCodebook

#: The reason a coding started from the suggestions is given unless the person writes their own.
FROM_SUGGESTIONS = f"started from the suggestions of {SUGGESTER_CODER}"
#: The reason recorded when an event is removed without one.
REMOVED_HERE = "removed on the roundtables page"


@dataclass(frozen=True)
class Outcome:
    """What happened, as the page says it: ``kind`` is "success", "warning" or "error"."""

    kind: str
    message: str

    @property
    def ok(self) -> bool:
        return self.kind != "error"


def _failed(err: Exception) -> Outcome:
    return Outcome("error", str(err))


def save_coding(engine, point_id: int, codes: Sequence[str], who: access.User | str | None,
                seen_version: int | None, reason: str, *, number: int, names: Mapping[str, str]) -> Outcome:
    """A person's codes for one point. Messages name the point by ``number``, the number shown in
    the event's list, not its database id."""
    try:
        store.code_point(engine, point_id, codes, who, seen_version, reason)
    except db.StaleEdit as err:
        return Outcome("error", f"{err} Their codes now: {err.current.get('codes', '')}.")
    except (InputError, Refused) as err:
        return Outcome("error", str(err).replace(f"Point {point_id} ", f"Point {number} "))
    shown = "; ".join(names.get(c, c) for c in codes) or "no sub-theme"
    return Outcome("success", f"Saved your coding of point {number}: {shown}."
                   + (" Your reason is in the coding history." if reason else ""))


def record_suggester(engine, who: access.User | str | None, event_ids: Iterable[int]) -> Outcome:
    """The suggester's codes stored as its own coder, to compare with people (never counted)."""
    try:
        n = store.record_suggestions(engine, who, list(event_ids))
    except (InputError, Refused, db.StaleEdit) as err:
        return _failed(err)
    return Outcome("success", f"Recorded the suggester's codes as coder '{SUGGESTER_CODER}' ({n} point(s) new or "
                              "changed). They are compared below, never counted.")


def raise_item(engine, point_id: int, who: access.User | str | None, seen_version: int) -> Outcome:
    """A new tracker item raised from a point, linked to it."""
    try:
        ref = links.raise_item(engine, point_id, who, seen_version)
    except (db.StaleEdit, InputError, Refused, links.TrackerUnavailable) as err:
        return _failed(err)
    return Outcome("success", f"Raised tracker item {ref} from this point.")


def link_item(engine, point_id: int, item_id: int | None, who: access.User | str | None,
              seen_version: int) -> Outcome:
    """A point linked to an existing tracker item (``links.link_item`` says when none is chosen)."""
    try:
        ref = links.link_item(engine, point_id, item_id, who, seen_version)
    except (db.StaleEdit, InputError, Refused, links.TrackerUnavailable) as err:
        return _failed(err)
    return Outcome("success", f"Linked this point to tracker item {ref}.")


def remove_event(engine, event_id: int, seen_version: int, who: access.User | str | None,
                 reason: str) -> Outcome:
    """Remove an imported event with its points and codings (the history keeps the record)."""
    try:
        store.remove_event(engine, int(event_id), seen_version, who, reason or REMOVED_HERE)
    except (db.StaleEdit, InputError, Refused, ValueError) as err:
        return _failed(err)
    return Outcome("success", "Removed the event with its points and codings.")


def save_codebook(engine, text: str, who: access.User | str | None, seen_version: int | None,
                  reason: str) -> Outcome:
    """The codebook as edited (TOML); the rules code every point again."""
    try:
        changed = store.save_codebook(engine, text, who, seen_version, reason)
    except (db.StaleEdit, InputError, Refused) as err:
        return _failed(err)
    return Outcome("success", f"Saved the codebook; the rules now code {changed} point(s) differently.")


@dataclass
class PreviewedFile:
    """One file as the import preview left it: the notes with the roles set there, the event's details
    typed in the form, the bytes, and the Panel's responses offered to the tracker with their decision."""

    notes: EventNotes
    details: Mapping[str, object]
    content: bytes
    offer: pd.DataFrame
    decision: str = "noted"


def import_previewed(engine, files: Sequence[PreviewedFile], who: access.User | str | None,
                     codebook: ThemeCodebook) -> Outcome:
    """Import the files (all or none: a file that cannot be imported raises ``InputError`` and nothing
    is kept), then record the responses ticked in each preview on tracker items. A refusal there
    leaves the import in place and says what was not recorded."""
    batch = [(store.fill_details(f.notes, f.details), f.content) for f in files]
    ids = store.import_notes(engine, batch, who, codebook)
    recorded, failed = [], []
    for event_id, f in zip(ids, files, strict=True):
        if f.offer.empty:
            continue
        try:
            recorded += links.record_responses(engine, event_id, f.offer, who, f.decision, codebook)
        except (InputError, Refused, links.TrackerUnavailable) as err:
            failed.append(str(err))
    message = f"Imported {len(ids)} event(s) with their points, coded by the rules."
    if recorded:
        message += f" Recorded the Panel's responses and actions on {len(recorded)} tracker item(s): " \
                   f"{', '.join(recorded)}."
    if failed:
        return Outcome("warning", message + " The responses were not recorded in the tracker: " + " ".join(failed))
    return Outcome("success", message)
