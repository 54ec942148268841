"""Roundtable notes in the app's database: import (all or nothing), load the
frames the views count, record codings, and keep the shared codebook.

Every change goes through ``feedback.db`` (sessions, ``apply_edit`` for
versioned rows, ``record_change`` for new ones) so it is in the same history
as the tracker's and a stale edit is refused rather than overwriting.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from feedback import access, access_log, db
from feedback.errors import InputError
from feedback.regions import REGIONS, normalise_region
from feedback.roundtables.coding import MACHINE_CODERS, RULES_CODER, SUGGESTER_CODER, auto_code
from feedback.roundtables.models import RoundtableCodebook, RoundtableCoding, RoundtableEvent, RoundtablePoint
from feedback.roundtables.read import META_LABELS, EventNotes, parse_date, read_notes
from feedback.roundtables.themes import DEFAULT_THEMES, ThemeCodebook, load_themes
from feedback.roundtables.views import CODING_COLUMNS, EVENT_COLUMNS, POINT_COLUMNS, Frames
from feedback.validation import clean_text, whole_number


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# ---------------------------------------------------------------- import


def fill_details(notes: EventNotes, details: Mapping[str, object] | None) -> EventNotes:
    """The notes with event details from a form filled in where the document was silent or wrong.

    Form values win over the document: the person has just looked at both.
    """
    if not details:
        return notes
    meta = dataclasses.replace(notes.meta)
    problems = list(notes.problems)
    for key, value in details.items():
        if value in (None, ""):
            continue
        if key == "region":
            region = normalise_region(str(value))
            if region is None:
                raise InputError(f"{notes.filename}: '{value}' is not one of the nine English regions.")
            meta.region = region
            problems = [p for p in problems if "region" not in p]
        elif key == "event_date":
            date = value if isinstance(value, dt.date) else parse_date(str(value))
            if date is None:
                raise InputError(f"{notes.filename}: '{value}' is not a date; write it like 14 May 2021.")
            meta.event_date = date
            problems = [p for p in problems if "date" not in p]
        elif key in ("attendees", "partnerships"):
            setattr(meta, key, whole_number(value, field=f"{notes.filename}: {META_LABELS[key]}"))
            problems = [p for p in problems if META_LABELS[key].lower() not in p]
        elif key in ("panel_lead", "title"):
            setattr(meta, key, clean_text(value, field=f"{notes.filename}: {META_LABELS[key]}", max_length=300))
        else:
            raise KeyError(key)
    return dataclasses.replace(notes, meta=meta, problems=problems)


def _check_complete(notes: EventNotes) -> None:
    if notes.problems:
        raise InputError(" ".join(notes.problems))
    missing = notes.missing
    if missing:
        words = ", ".join(META_LABELS[m].lower() for m in missing)
        raise InputError(f"{notes.filename}: the notes do not give the event's {words}. Add them in the form "
                         f"(or as lines like 'Region: London' at the top of the notes) and import again.")


def import_notes(engine, batch: list[tuple[EventNotes, bytes]], who: str | access.User,
                 codebook: ThemeCodebook | None = None) -> list[int]:
    """Store events with their points and rule codings, in one transaction: all or nothing.

    Every file is checked before anything is written; a file already imported
    (same bytes) is refused, naming when and by whom. A regional lead may
    import only their region's events. The import is written to the access log.
    """
    user = access.actor(who)
    if not user.name:
        raise InputError("Give your name before importing: every import records who made it.")
    if not batch:
        raise InputError("Choose at least one file of notes to import.")
    hashes: dict[str, str] = {}
    for notes, content in batch:
        _check_complete(notes)
        access.require(user, access.EDIT, notes.meta.region, what="roundtable events", log=access_log.refusals(engine))
        digest = hashlib.sha256(content).hexdigest()
        if digest in hashes:
            raise InputError(f"{notes.filename} is the same file as {hashes[digest]}; import it once.")
        hashes[digest] = notes.filename
    codebook = codebook or current_codebook(engine)[0]
    ids: list[int] = []
    try:
        _write(engine, batch, hashes, user, codebook, ids)
    except IntegrityError as err:  # the same file imported by someone else a moment ago
        raise InputError("Nothing was imported: one of these files was imported by someone else just now. "
                         "Reload the page to see it.") from err
    return ids


def _write(engine, batch, hashes: dict[str, str], user: access.User, codebook: ThemeCodebook,
           ids: list[int]) -> None:
    who = user.label
    with db.session_scope(engine) as session:
        existing = session.execute(select(RoundtableEvent).where(
            RoundtableEvent.content_sha256.in_(list(hashes)))).scalars().first()
        if existing is not None:
            raise InputError(
                f"{hashes[existing.content_sha256]} was already imported by {existing.imported_by} on "
                f"{existing.imported_at:%d %b %Y} as '{existing.title}'. Nothing was imported: remove that file "
                "from the list, or remove the earlier import first.")
        for (notes, _content), digest in zip(batch, hashes, strict=True):
            m = notes.meta
            event = RoundtableEvent(  # text columns have limits on PostgreSQL: cut, never fail, on long values
                title=(m.title or f"Roundtable: {m.region}")[:300], region=m.region, event_date=m.event_date,
                attendees=m.attendees, partnerships=m.partnerships, panel_lead=m.panel_lead[:300],
                filename=notes.filename[:300], content_sha256=digest, note=m.note_text(), imported_by=who[:200],
                imported_at=_now())
            for p in notes.points:
                point = RoundtablePoint(seq=p.seq, section=p.section[:300], kind=p.kind, text=p.text,
                                        merged_texts=json.dumps(p.merged))
                matched = auto_code(p.text, codebook)
                point.codings.append(RoundtableCoding(coder=RULES_CODER, codes=json.dumps(list(matched)),
                                                      matched=json.dumps(matched), coded_at=_now()))
                event.points.append(point)
            session.add(event)
            session.flush()
            db.record_change(session, "roundtable_event", event.id, "imported", None,
                             f"{notes.filename}: {len(notes.points)} points", who,
                             f"imported roundtable notes ({m.region}, {m.event_date:%d %b %Y})")
            ids.append(event.id)
            access_log.add(session, user, access_log.IMPORT,
                           f"roundtable notes {notes.filename}: {len(notes.points)} points", m.region)


def import_files(engine, files: Iterable[tuple[str, bytes]], who: str | access.User,
                 details: Mapping[str, Mapping[str, object]] | None = None) -> list[int]:
    """Read, complete and import files; any bad file stops the whole import (nothing is kept)."""
    batch = []
    for name, content in files:
        notes = fill_details(read_notes(name, content), (details or {}).get(name))
        batch.append((notes, content))
    return import_notes(engine, batch, who)


def remove_event(engine, event_id: int, seen_version: int, who: str | access.User, reason: str) -> None:
    """Delete an imported event and its points and codings (history keeps the record). Admins only."""
    who = access.require(who, access.DELETE, what="roundtable events", log=access_log.refusals(engine)).label
    with db.session_scope(engine) as session:
        event = session.get(RoundtableEvent, event_id)
        if event is None:
            raise InputError(f"Event {event_id} no longer exists; someone may have removed it already.")
        if event.version != seen_version:
            raise db.StaleEdit("roundtable_event", event_id, seen_version, event.version,
                               {"title": event.title, "filename": event.filename})
        db.record_change(session, "roundtable_event", event.id, "removed", event.filename, None, who,
                         reason or "removed roundtable event")
        session.delete(event)


# ---------------------------------------------------------------- load


def load_frames(engine) -> Frames:
    """Events, points and codings as the plain frames ``feedback.roundtables.views`` counts."""
    with db.session_scope(engine) as session:
        events = session.execute(select(
            RoundtableEvent.id, RoundtableEvent.title, RoundtableEvent.region, RoundtableEvent.event_date,
            RoundtableEvent.attendees, RoundtableEvent.partnerships, RoundtableEvent.panel_lead,
            RoundtableEvent.filename, RoundtableEvent.version, RoundtableEvent.imported_by)).all()
        points = session.execute(select(
            RoundtablePoint.id, RoundtablePoint.event_id, RoundtablePoint.seq, RoundtablePoint.section,
            RoundtablePoint.text, RoundtablePoint.merged_texts, RoundtablePoint.tracker_item_id,
            RoundtablePoint.version)).all()
        codings = session.execute(select(
            RoundtableCoding.point_id, RoundtableCoding.coder, RoundtableCoding.codes, RoundtableCoding.matched,
            RoundtableCoding.coded_at, RoundtableCoding.id, RoundtableCoding.version)).all()
    ev = pd.DataFrame(events, columns=[*EVENT_COLUMNS, "version", "imported_by"])
    pt = pd.DataFrame(points, columns=[*POINT_COLUMNS, "tracker_item_id", "version"])
    pt["merged"] = pt["merged"].map(json.loads)
    pt["tracker_item_id"] = pt["tracker_item_id"].astype("Int64")
    cd = pd.DataFrame(codings, columns=[*CODING_COLUMNS, "coding_id", "version"])
    cd["codes"] = cd["codes"].map(lambda s: tuple(json.loads(s)))
    cd["matched"] = cd["matched"].map(json.loads)
    cd["coded_at"] = pd.to_datetime(cd["coded_at"], utc=True)
    return Frames(ev, pt, cd)


# ---------------------------------------------------------------- coding


def code_point(engine, point_id: int, codes: Iterable[str], who: str | access.User, seen_version: int | None,
               reason: str = "") -> int:
    """Record ``who``'s codes for a point (accept, change or add); returns the coding's new version.

    ``seen_version`` is the version of this person's coding that they were
    looking at (None if they had none): a newer one means someone else, or
    another tab, changed it meanwhile, and ``db.StaleEdit`` is raised. A
    regional lead codes only their region's events.
    """
    user = access.actor(who)
    who = user.label
    if not who:
        raise InputError("Give your name before coding: every coding records its coder.")
    if who in MACHINE_CODERS:
        raise InputError(f"'{who}' is the name of an automatic coder; give your own name.")
    known = current_codebook(engine)[0].by_id()
    chosen = sorted(dict.fromkeys(codes), key=list(known).index) if all(c in known for c in codes) else None
    if chosen is None:
        unknown = [c for c in codes if c not in known]
        raise InputError(f"Unknown sub-theme(s): {', '.join(unknown)}. Choose from the codebook.")
    new = json.dumps(chosen)
    with db.session_scope(engine) as session:
        point = session.get(RoundtablePoint, point_id)
        if point is None:
            raise InputError(f"Point {point_id} no longer exists; reload the page.")
        access.require(user, access.EDIT, point.event.region, what="codings of roundtable points",
                       log=access_log.refusals(engine))
        row = session.execute(select(RoundtableCoding).where(
            RoundtableCoding.point_id == point_id, RoundtableCoding.coder == who)).scalar_one_or_none()
        if row is None:
            if seen_version is not None:
                raise InputError("Your earlier coding of this point was removed meanwhile; reload the page.")
            row = RoundtableCoding(point_id=point_id, coder=who, codes=new, matched="{}", coded_at=_now())
            session.add(row)
            session.flush()
            db.record_change(session, "roundtable_coding", row.id, "codes", None, new, who,
                             reason or f"coded point {point_id}")
            return row.version
        db.apply_edit(session, row, seen_version if seen_version is not None else 0,
                      {"codes": new, "coded_at": _now()}, who, reason or f"recoded point {point_id}")
        session.flush()
        return row.version


def coding_history(engine, point_id: int, names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Every coding and recoding of one point, oldest first, with the reason the coder gave:
    columns When, Coder, Sub-themes, Reason (the automatic default reason left blank)."""
    names = names or {}
    with db.session_scope(engine) as session:
        ids = [str(i) for i in session.scalars(select(RoundtableCoding.id)
                                               .where(RoundtableCoding.point_id == point_id))]
        rows = list(session.scalars(select(db.History).where(
            db.History.entity == "roundtable_coding", db.History.entity_id.in_(ids), db.History.field == "codes")
            .order_by(db.History.changed_at, db.History.id))) if ids else []
        out = pd.DataFrame({
            "When": [r.changed_at for r in rows],
            "Coder": [r.changed_by for r in rows],
            "Sub-themes": ["; ".join(names.get(c, c) for c in json.loads(r.new_value or "[]")) or "(none)"
                           for r in rows],
            "Reason": ["" if r.reason in (f"coded point {point_id}", f"recoded point {point_id}") else r.reason
                       for r in rows],
        })
    out["When"] = pd.to_datetime(out["When"], utc=True, errors="coerce").dt.strftime("%d %b %Y %H:%M")
    return out


def record_suggestions(engine, who: str | access.User, event_ids: Iterable[int] | None = None) -> int:
    """Store the suggester's codes (the sub-themes it suggests) for every point of the events, as the
    coder ``SUGGESTER_CODER``, so its agreement with people is measured like any coder's. It never
    puts a coding in force. The person running it needs edit rights for each event's region; the
    history names them. Returns the number of points whose suggester coding was written or changed."""
    from feedback.roundtables import suggest

    user = access.actor(who)
    if not user.name:
        raise InputError("Give your name before recording the suggester's codes.")
    frames = load_frames(engine)
    codebook = current_codebook(engine)[0]
    events = frames.events if event_ids is None else frames.events[frames.events["event_id"].isin(list(event_ids))]
    for region in sorted(set(events["region"])):
        access.require(user, access.EDIT, region, what="codings of roundtable points", log=access_log.refusals(engine))
    shipped = suggest.load_examples()
    changed = 0
    with db.session_scope(engine) as session:
        for event_id in events["event_id"]:
            pts = frames.points[frames.points["event_id"] == event_id]
            if pts.empty:
                continue
            model = suggest.Suggester(codebook, suggest.examples_for_event(frames, int(event_id), shipped))
            rows = model.suggest(list(pts["text"]))
            for point_id, row in zip(pts["point_id"], rows, strict=True):
                codes = json.dumps([s.code for s in row if s.suggested])
                reasons = json.dumps({s.code: [f"{s.score:.2f}: {s.reason}"] for s in row if s.suggested})
                coding = session.execute(select(RoundtableCoding).where(
                    RoundtableCoding.point_id == int(point_id),
                    RoundtableCoding.coder == SUGGESTER_CODER)).scalar_one_or_none()
                if coding is None:
                    coding = RoundtableCoding(point_id=int(point_id), coder=SUGGESTER_CODER, codes=codes,
                                              matched=reasons, coded_at=_now())
                    session.add(coding)
                    session.flush()
                    db.record_change(session, "roundtable_coding", coding.id, "codes", None, codes, user.label,
                                     f"{SUGGESTER_CODER} suggestions recorded")
                elif coding.codes != codes or coding.matched != reasons:
                    db.apply_edit(session, coding, coding.version, {"codes": codes, "matched": reasons,
                                                                    "coded_at": _now()},
                                  user.label, f"{SUGGESTER_CODER} suggestions recorded again")
                else:
                    continue
                changed += 1
    return changed


# ---------------------------------------------------------------- codebook


def current_codebook(engine) -> tuple[ThemeCodebook, str, int | None]:
    """The codebook in force (the database's, else the seeded file), its TOML and version."""
    with db.session_scope(engine) as session:
        row = session.execute(select(RoundtableCodebook).order_by(RoundtableCodebook.id)).scalars().first()
        if row is not None:
            return load_themes(row.toml, name="the saved codebook"), row.toml, row.version
    text = DEFAULT_THEMES.read_text(encoding="utf-8")
    return load_themes(text), text, None


def save_codebook(engine, text: str, who: str | access.User, seen_version: int | None, reason: str = "") -> int:
    """Replace the codebook (validated first) and recode every point with the new rules.

    People's codings are kept; codes they used that the new codebook drops
    stop counting (the views ignore unknown codes) but stay in the history.
    Returns the number of points whose rule codes changed. The codebook is
    national: a regional lead cannot change it.
    """
    user = access.actor(who)
    who = user.label
    if not who:
        raise InputError("Give your name before changing the codebook.")
    access.require(user, access.EDIT, what="the theme codebook", log=access_log.refusals(engine))
    codebook = load_themes(text, name="the edited codebook")
    with db.session_scope(engine) as session:
        row = session.execute(select(RoundtableCodebook).order_by(RoundtableCodebook.id)).scalars().first()
        if row is None:
            row = RoundtableCodebook(toml=text, updated_by=who, updated_at=_now())
            session.add(row)
            session.flush()
            db.record_change(session, "roundtable_codebook", row.id, "toml", None, text, who,
                             reason or "saved the theme codebook")
        else:
            db.apply_edit(session, row, seen_version if seen_version is not None else 0,
                          {"toml": text, "updated_by": who, "updated_at": _now()}, who,
                          reason or "edited the theme codebook")
        return _recode_rules(session, codebook, who)


def _recode_rules(session, codebook: ThemeCodebook, who: str) -> int:
    changed = 0
    rows = session.execute(select(RoundtableCoding, RoundtablePoint.text).join(RoundtablePoint).where(
        RoundtableCoding.coder == RULES_CODER)).all()
    for coding, text in rows:
        matched = auto_code(text, codebook)
        codes = json.dumps(list(matched))
        if codes != coding.codes or json.dumps(matched) != coding.matched:
            db.apply_edit(session, coding, coding.version, {"codes": codes, "matched": json.dumps(matched)},
                          who, "rules re-run after a codebook change")
            changed += 1
    return changed


def seed_codebook(session, who: str) -> None:
    if session.execute(select(func.count()).select_from(RoundtableCodebook)).scalar_one() == 0:
        session.add(RoundtableCodebook(toml=DEFAULT_THEMES.read_text(encoding="utf-8"), updated_by=who,
                                       updated_at=_now()))


def regions_present(frames: Frames) -> list[str]:
    present = set(frames.events["region"])
    return [r for r in REGIONS if r in present]
