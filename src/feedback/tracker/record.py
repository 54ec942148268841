"""The public progress record, "You said, we did": what partnerships raised, the Panel's
decision and response, and how its actions stand, for publication.

Three files from one set of rows (:func:`build`):

- ``index.html``: one standalone page (no scripts, no external requests, inline CSS only),
  GOV.UK patterns (tables with a caption and column headers, summary lists), statuses in
  words;
- ``progress.csv`` and ``progress.ods``: the same rows as open data, one per action (or per
  point without actions), cell for cell the same text.

Only points whose Panel response is published appear, and only public fields: never owners'
or editors' names, internal notes, RAG ratings, completion criteria or e-mail addresses (any
typed into a public field is replaced by "[e-mail address removed]").

``as_of`` rebuilds the record as it stood at the end of that day (UK time) from the
append-only history: every change after it is undone, field by field, from the current rows
(every edit records the old value), so a six-monthly snapshot can be issued again exactly.
Records created after it are left out.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Boolean, Date, Integer, select
from sqlalchemy.orm import Session

from feedback import db
from feedback.export import safe_cell
from feedback.tracker.models import Action, Item, Response, split_list

UK = ZoneInfo("Europe/London")
NOT_STARTED, IN_PROGRESS, OVERDUE, COMPLETE, CLOSED = "Not started", "In progress", "Overdue", "Complete", "Closed"
PUBLIC_STATUSES = (NOT_STARTED, IN_PROGRESS, OVERDUE, COMPLETE, CLOSED)
ENGLAND = "England"
EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
EMAIL_REMOVED = "[e-mail address removed]"
URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
TITLE = "You said, we did: the Panel's progress on what it was told"
PUBLISHER = "Child Safeguarding Practice Review Panel"

COLUMNS = ["Point", "What was raised", "Themes", "Region", "Raised through", "Date raised", "Panel decision",
           "Date of decision", "Panel response", "Action", "What will be done", "Status", "Original target date",
           "Current target date", "Target date revisions", "Completed on", "Evidence"]
DATE_COLUMNS = {"Date raised", "Date of decision", "Original target date", "Current target date", "Completed on"}


def public_status(status: str, due_date: dt.date | None, revised_due_date: dt.date | None,
                  as_of: dt.date) -> str:
    """The status the public sees, in words: "Complete"; "Closed" (closed, or overtaken by
    events: not done, no longer pursued); for an open action "Overdue" when its current target
    date (the revised one, else the original) is before ``as_of``, else "Not started" or
    "In progress"."""
    if status == "complete":
        return COMPLETE
    if status in ("closed", "overtaken by events"):
        return CLOSED
    current = revised_due_date or due_date
    if current is not None and current < as_of:
        return OVERDUE
    return NOT_STARTED if status == "not started" else IN_PROGRESS


def on_time(action: Mapping[str, Any]) -> bool:
    """Completed on or before its original target date."""
    return (action["status"] == "complete" and action["due_date"] is not None
            and action["completed_on"] is not None and action["completed_on"] <= action["due_date"])


def counts_towards_on_time(action: Mapping[str, Any], as_of: dt.date) -> bool:
    """In the base of the share completed on time: has an original target date, and is complete
    or still open after that date (closed actions and those not yet due are left out)."""
    if action["due_date"] is None:
        return False
    if action["status"] == "complete":
        return True
    return action["status"] in ("not started", "in progress") and action["due_date"] < as_of


def days_late(action: Mapping[str, Any], as_of: dt.date) -> int:
    """Days after the original target date: completion date (complete) or ``as_of`` (open);
    0 when on time, not yet due, closed or without a target date."""
    due = action["due_date"]
    if due is None:
        return 0
    if action["status"] == "complete":
        end = action["completed_on"] or due
    elif action["status"] in ("not started", "in progress"):
        end = as_of
    else:
        return 0
    return max(0, (end - due).days)


# --------------------------------------------------------------------------- the state on a date


def cutoff_for(as_of: dt.date | dt.datetime) -> dt.datetime:
    """The moment a record "as of" means: the end of that day, UK time (a datetime: itself)."""
    if isinstance(as_of, dt.datetime):
        return _aware(as_of)
    return dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(0), tzinfo=UK).astimezone(dt.UTC)


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def _parse(column, text: str | None) -> Any:
    """A history value back in its column's type (history stores text: ISO dates, "true")."""
    if text is None:
        return None
    kind = column.type
    if isinstance(kind, Boolean):
        return text == "true"
    if isinstance(kind, Date):
        return dt.date.fromisoformat(text[:10])
    if isinstance(kind, Integer):
        return int(text)
    return text


@dataclass
class _Rows:
    """Rows of one table as they stood at a moment, and the moments their fields changed."""

    values: dict[int, dict[str, Any]] = field(default_factory=dict)
    changes: dict[int, list[db.History]] = field(default_factory=dict)  # up to the moment, oldest first


def _history(session: Session) -> dict[tuple[str, int], list[db.History]]:
    tables = (Item.__tablename__, Response.__tablename__, Action.__tablename__)
    out: dict[tuple[str, int], list[db.History]] = {}
    for h in session.scalars(select(db.History).where(db.History.entity.in_(tables))
                             .order_by(db.History.changed_at, db.History.id)):
        try:
            key = (h.entity, int(h.entity_id))
        except ValueError:
            continue
        out.setdefault(key, []).append(h)
    return out


def _rows_at(session: Session, model, history: Mapping[tuple[str, int], list[db.History]],
             cutoff: dt.datetime) -> _Rows:
    """Every row of ``model`` as it stood just before ``cutoff``: current values with each later
    change undone (newest first); rows created at or after ``cutoff`` left out."""
    table = model.__table__
    out = _Rows()
    for row in session.execute(select(table)).mappings():
        values = dict(row)
        rows = history.get((table.name, values["id"]), [])
        created = next((h.changed_at for h in rows if h.field == "created"), None) or values.get("created_at")
        if created is not None and _aware(created) >= cutoff:
            continue
        before = [h for h in rows if _aware(h.changed_at) < cutoff]
        for h in reversed([h for h in rows if _aware(h.changed_at) >= cutoff and h.field in table.c]):
            values[h.field] = _parse(table.c[h.field], h.old_value)
        out.values[values["id"]] = values
        out.changes[values["id"]] = before
    return out


def _value_after(values: Mapping[str, Any], changes: list[db.History], moment: dt.datetime, name: str,
                 column) -> Any:
    """The value of one field just after ``moment``, from its value at the cutoff and the changes."""
    value = values[name]
    for h in reversed(changes):
        if h.field == name and _aware(h.changed_at) > moment:
            value = _parse(column, h.old_value)
    return value


def _revisions(values: Mapping[str, Any], changes: list[db.History]) -> list[tuple[dt.date | None, str]]:
    """Each revision of an action's target date up to the cutoff, oldest first: (the new current
    target date, the reason given). A revised date set when the action was created counts."""
    table = Action.__table__
    created = next((_aware(h.changed_at) for h in changes if h.field == "created"), None)
    moments = sorted({_aware(h.changed_at) for h in changes if h.field in ("due_date", "revised_due_date")})

    def state(moment):
        return tuple(_value_after(values, changes, moment, name, table.c[name])
                     for name in ("due_date", "revised_due_date", "revision_reason"))

    previous = state(created or dt.datetime.min.replace(tzinfo=dt.UTC))
    out = [(previous[1], previous[2] or "")] if previous[1] is not None else []
    for moment in moments:
        due, revised, reason = state(moment)
        if revised != previous[1] or (previous[0] is not None and due != previous[0]):
            out.append((revised or due, reason or ""))
        previous = (due, revised, reason)
    return out


# --------------------------------------------------------------------------- the record


@dataclass
class PublicAction:
    reference: str
    description: str
    status: str              # public, in words
    due_date: dt.date | None
    current_due: dt.date | None
    revisions: list[tuple[dt.date | None, str]]
    completed_on: dt.date | None
    evidence: str
    is_sample: bool
    owner: str               # for the dashboard's lateness by owner only; never published
    raw: dict[str, Any]      # status, due_date, completed_on: for the on-time figures


@dataclass
class PublicPoint:
    reference: str
    text: str
    themes: list[str]
    regions: list[str]
    source: str
    date_raised: dt.date | None
    decision: str
    decided_on: dt.date | None
    response: str
    actions: list[PublicAction]
    is_sample: bool


@dataclass
class Record:
    as_of: dt.date
    cutoff: dt.datetime
    last_updated: dt.date | None
    points: list[PublicPoint]

    @property
    def actions(self) -> list[PublicAction]:
        return [a for p in self.points for a in p.actions]

    def by_status(self) -> dict[str, int]:
        counts = dict.fromkeys(PUBLIC_STATUSES, 0)
        for a in self.actions:
            counts[a.status] += 1
        return counts

    def on_time(self) -> tuple[int, int]:
        """(completed on time, base): see :func:`counts_towards_on_time`."""
        base = [a for a in self.actions if counts_towards_on_time(a.raw, self.as_of)]
        return sum(on_time(a.raw) for a in base), len(base)

    @property
    def has_sample(self) -> bool:
        return any(p.is_sample for p in self.points) or any(a.is_sample for a in self.actions)


def public_text(value: Any) -> str:
    """Text fit to publish: e-mail addresses replaced, whitespace trimmed."""
    return EMAIL.sub(EMAIL_REMOVED, str(value or "")).strip()


def build(session: Session, as_of: dt.date | dt.datetime | None = None) -> Record:
    """The record as it stood at the end of ``as_of`` (default: today), from the history."""
    as_of = as_of or dt.datetime.now(UK).date()
    cutoff = cutoff_for(as_of)
    as_of_day = cutoff.astimezone(UK).date() if isinstance(as_of, dt.datetime) else as_of
    history = _history(session)
    items = _rows_at(session, Item, history, cutoff)
    responses = _rows_at(session, Response, history, cutoff)
    actions = _rows_at(session, Action, history, cutoff)
    response_of = {r["item_id"]: r for r in responses.values.values()}
    actions_of: dict[int, list[dict]] = {}
    for a in sorted(actions.values.values(), key=lambda a: a["id"]):
        actions_of.setdefault(a["item_id"], []).append(a)

    points, moments = [], []
    for item in sorted(items.values.values(), key=lambda i: i["id"]):
        response = response_of.get(item["id"])
        if response is None or not response["published"]:
            continue
        moments += [h.changed_at for h in items.changes[item["id"]] + responses.changes[response["id"]]]
        public_actions = []
        for a in actions_of.get(item["id"], []):
            changes = actions.changes[a["id"]]
            moments += [h.changed_at for h in changes]
            public_actions.append(PublicAction(
                reference=public_text(a["reference"]), description=public_text(a["description"]),
                status=public_status(a["status"], a["due_date"], a["revised_due_date"], as_of_day),
                due_date=a["due_date"], current_due=a["revised_due_date"] or a["due_date"],
                revisions=[(d, public_text(r)) for d, r in _revisions(a, changes)],
                completed_on=a["completed_on"] if a["status"] == "complete" else None,
                evidence=public_text(a["evidence"]), is_sample=bool(a["is_sample"]), owner=a["owner"] or "",
                raw={"status": a["status"], "due_date": a["due_date"], "completed_on": a["completed_on"]}))
        points.append(PublicPoint(
            reference=public_text(item["reference"]), text=public_text(item["text"]),
            themes=[public_text(t) for t in split_list(item["themes"])],
            regions=[public_text(r) for r in split_list(item["regions"])], source=item["source"],
            date_raised=item["date_raised"], decision=response["decision"], decided_on=response["decided_on"],
            response=public_text(response["text"]), actions=public_actions,
            is_sample=bool(item["is_sample"] or response["is_sample"])))
    last = max((_aware(m) for m in moments), default=None)
    return Record(as_of=as_of_day, cutoff=cutoff, last_updated=last.astimezone(UK).date() if last else None,
                  points=points)


# --------------------------------------------------------------------------- rows (CSV and ODS)


def _iso(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def long_date(value: dt.date | None) -> str:
    """GOV.UK style: 31 March 2023."""
    return f"{value.day} {value:%B %Y}" if value else ""


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def revision_words(revisions: Iterable[tuple[dt.date | None, str]], dates=long_date) -> list[str]:
    return [f"{dates(d) if d else 'No target date'}: {reason or 'no reason recorded'}" for d, reason in revisions]


def rows(record: Record) -> list[dict[str, str]]:
    """One row per action, or per point without actions: every value as text (dates ISO)."""
    out = []
    for p in record.points:
        base = {"Point": p.reference, "What was raised": p.text, "Themes": "; ".join(p.themes),
                "Region": "; ".join(p.regions) or ENGLAND, "Raised through": _sentence(p.source),
                "Date raised": _iso(p.date_raised), "Panel decision": _sentence(p.decision),
                "Date of decision": _iso(p.decided_on), "Panel response": p.response}
        blank = dict.fromkeys(COLUMNS[9:], "")
        if not p.actions:
            out.append({**base, **blank})
        for a in p.actions:
            out.append({**base, "Action": a.reference, "What will be done": a.description, "Status": a.status,
                        "Original target date": _iso(a.due_date), "Current target date": _iso(a.current_due),
                        "Target date revisions": "; ".join(revision_words(a.revisions, _iso)),
                        "Completed on": _iso(a.completed_on), "Evidence": a.evidence})
    return out


def _cells(row: Mapping[str, str]) -> list[str]:
    """A row's cells as written to both files: text a spreadsheet could run is neutralised."""
    return [safe_cell(row[c]) for c in COLUMNS]


def to_csv(record: Record) -> bytes:
    """progress.csv: UTF-8 with a byte-order mark, a header row, cells neutralised as in every export."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows(record):
        writer.writerow(_cells(row))
    return buffer.getvalue().encode("utf-8-sig")


def to_ods(record: Record) -> bytes:
    """progress.ods (OpenDocument, via odfpy): the same header and cells as the CSV; dates are
    date cells showing the same ISO text."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    table = Table(name="Progress")
    for _ in COLUMNS:
        table.addElement(TableColumn())

    def add(cells: list[str], header: bool = False) -> None:
        tr = TableRow()
        for name, value in zip(COLUMNS, cells, strict=True):
            if not header and name in DATE_COLUMNS and value:
                cell = TableCell(valuetype="date", datevalue=value)
            else:
                cell = TableCell(valuetype="string")
            if value:
                cell.addElement(P(text=value))
            tr.addElement(cell)
        table.addElement(tr)

    add(list(COLUMNS), header=True)
    for row in rows(record):
        add(_cells(row))
    doc.spreadsheet.addElement(table)
    out = io.BytesIO()
    doc.write(out)
    return out.getvalue()


def read_ods(content: bytes) -> list[list[str]]:
    """The text of every cell of the first sheet, row by row (for checks and tests)."""
    from odf import teletype
    from odf.opendocument import load
    from odf.table import Table, TableCell, TableRow

    doc = load(io.BytesIO(content))
    sheet = doc.spreadsheet.getElementsByType(Table)[0]
    out = []
    for tr in sheet.getElementsByType(TableRow):
        out.append([teletype.extractText(c) for c in tr.getElementsByType(TableCell)])
    return out


# --------------------------------------------------------------------------- the page

CSS = """
*,*::before,*::after{box-sizing:border-box}
html{font-size:100%;-webkit-text-size-adjust:100%}
body{margin:0;font-family:Arial,"Helvetica Neue",Helvetica,sans-serif;font-size:1.1875rem;line-height:1.4;
color:#0b0c0c;background:#fff}
a{color:#1d70b8;text-decoration:underline;text-underline-offset:.1em;overflow-wrap:anywhere}
a:visited{color:#4c2c92}
a:focus,.scroll:focus{outline:3px solid transparent;color:#0b0c0c;background:#fd0;
box-shadow:0 -2px #fd0,0 4px #0b0c0c;text-decoration:none}
.skip{position:absolute;left:-9999px}
.skip:focus{position:static;display:inline-block;padding:.5rem;margin:.5rem}
header{background:#0b0c0c;color:#fff;padding:.75rem 0;border-bottom:10px solid #1d70b8}
header p{margin:0 auto;max-width:960px;padding:0 1rem;font-weight:700;font-size:1.125rem}
main{display:block;max-width:960px;margin:0 auto;padding:1.5rem 1rem 3rem}
h1{font-size:2rem;line-height:1.1;margin:0 0 1.5rem}
h2{font-size:1.5rem;line-height:1.2;margin:2.5rem 0 1rem}
h3{font-size:1.25rem;line-height:1.3;margin:2.5rem 0 .75rem;padding-top:1rem;border-top:1px solid #b1b4b6}
p{margin:0 0 1rem}
.lead{font-size:1.25rem}
.meta{color:#484949}
.notice{border-left:10px solid #b1b4b6;padding:.75rem 1rem;margin:0 0 1.5rem;background:#f3f2f1}
.notice p{margin:0}
.hint{display:none;font-weight:400;font-size:1rem}
dl{margin:0 0 1.5rem}
.row{display:flex;flex-wrap:wrap;border-bottom:1px solid #b1b4b6;padding:.6rem 0}
dt{font-weight:700;flex:0 0 30%;padding-right:1rem}
dd{margin:0;flex:1 1 60%;min-width:14rem;white-space:pre-line}
.scroll{overflow-x:auto;margin:0 0 1.5rem}
table{border-collapse:collapse;width:100%;font-size:1rem}
caption{text-align:left;font-weight:700;font-size:1.1875rem;padding-bottom:.5rem}
th,td{text-align:left;vertical-align:top;padding:.6rem 1.25rem .6rem 0;border-bottom:1px solid #b1b4b6}
th{font-weight:700}
td.num,th.num{text-align:right}
.actions{min-width:46rem}
.actions td:first-child{white-space:nowrap}
.tag{display:inline-block;font-weight:700;padding:.1rem .4rem;border:2px solid currentColor;white-space:nowrap}
.tag-overdue{color:#2a0b06;background:#f4cdc6}
.tag-complete{color:#005a30;background:#cce2d8}
.tag-progress{color:#0c2d4a;background:#bbd4ea}
.tag-not-started,.tag-closed{color:#0b0c0c;background:#e5e6e7}
ul{margin:0;padding-left:1.25rem}
footer{max-width:960px;margin:0 auto;padding:1rem;border-top:1px solid #b1b4b6;color:#484949;font-size:1rem}
@media (max-width:640px){body{font-size:1rem}h1{font-size:1.6rem}h2{font-size:1.3rem}dt{flex-basis:100%}
.hint{display:block}
dd{min-width:0}}
@media print{.skip{display:none}.scroll{overflow:visible}}
""".strip()

TAG = {NOT_STARTED: "tag-not-started", IN_PROGRESS: "tag-progress", OVERDUE: "tag-overdue", COMPLETE: "tag-complete",
       CLOSED: "tag-closed"}


def _e(text: Any) -> str:
    return html.escape(str(text or ""), quote=True)


def _evidence(text: str) -> str:
    """Evidence as HTML: escaped text, with http(s) addresses as links (nothing else ever is)."""
    out, last = [], 0
    for m in URL.finditer(text):
        url = m.group(0).rstrip(".,;:)]")
        end = m.start() + len(url)
        out.append(_e(text[last:m.start()]))
        out.append(f'<a href="{_e(url)}">{_e(url)}</a>')
        last = end
    out.append(_e(text[last:]))
    return "".join(out)


def _revisions_html(revisions: list[tuple[dt.date | None, str]]) -> str:
    words = revision_words(revisions)
    if not words:
        return "Not revised"
    if len(words) == 1:
        return _e(words[0])
    return "<ul>" + "".join(f"<li>{_e(w)}</li>" for w in words) + "</ul>"


def _status_html(a: PublicAction) -> str:
    tag = f'<strong class="tag {TAG[a.status]}">{_e(a.status)}</strong>'
    if a.completed_on:
        tag += f"<br>on {_e(long_date(a.completed_on))}"
    return tag


def to_html(record: Record) -> str:
    """index.html: the whole record on one accessible page, every text escaped."""
    counts = record.by_status()
    done, base = record.on_time()
    total = sum(counts.values())
    share = f"{done / base:.0%}" if base else "no actions due yet"
    out = [
        "<!DOCTYPE html>",
        '<html lang="en-GB">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(TITLE)} – {_e(PUBLISHER)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        '<a class="skip" href="#main">Skip to main content</a>',
        f"<header><p>{_e(PUBLISHER)}</p></header>",
        '<main id="main">',
        f"<h1>{_e(TITLE)}</h1>",
        '<p class="lead">What safeguarding partnerships and others raised with the Panel, the Panel\'s '
        "response, and how each action it committed to stands.</p>",
        f'<p class="meta">Position at {_e(long_date(record.as_of))}. Last updated: '
        f"{_e(long_date(record.last_updated) or 'not yet published')}.</p>",
    ]
    if record.has_sample:
        out.append('<div class="notice"><p><strong>Sample data.</strong> Actions with references beginning '
                   "SAMPLE-, and their dates and evidence, are invented to show what the record looks like. "
                   "The points raised and the Panel's responses are quoted from its published reports.</p></div>")
    out += [
        "<h2>Summary</h2>",
        f"<p>{len(record.points):,} points with a published Panel response, and {total:,} actions.</p>",
        '<div class="scroll">',
        "<table>",
        f"<caption>Actions by status at {_e(long_date(record.as_of))}</caption>",
        '<thead><tr><th scope="col">Status</th><th scope="col" class="num">Actions</th></tr></thead>',
        "<tbody>",
        *[f'<tr><th scope="row">{_e(s)}</th><td class="num">{n:,}</td></tr>' for s, n in counts.items()],
        f'<tr><th scope="row">All actions</th><td class="num">{total:,}</td></tr>',
        "</tbody>",
        "</table>",
        "</div>",
        f"<p><strong>Completed on time: {_e(share)}.</strong> " + (
            f"Of the {base:,} {'action that is' if base == 1 else 'actions that are'} complete or whose original "
            f"target date had passed, {done:,} {'was' if done == 1 else 'were'} completed by "
            f"{'its' if done == 1 else 'their'} original target date."
            if base else "No action has reached its target date.")
        + "</p>",
        "<p>An action is overdue when its current target date has passed and it is not complete. A target date "
        "is revised only with a reason, shown beside it. Closed means no longer pursued (for example, overtaken "
        "by events) without being completed.</p>",
        "<h2>Points raised and the Panel's response</h2>",
    ]
    if not record.points:
        out.append("<p>No points have been published yet.</p>")
    for n, p in enumerate(record.points, start=1):
        themes = ", ".join(p.themes)
        heading = f"{p.reference}: {_sentence(themes)}" if themes else p.reference
        raised = _sentence(p.source) + (f", {long_date(p.date_raised)}" if p.date_raised else "")
        decided = _sentence(p.decision) + (f", {long_date(p.decided_on)}" if p.decided_on else "")
        out += [
            f'<h3 id="point-{n}">{_e(heading)}</h3>',
            "<dl>",
            f'<div class="row"><dt>What was raised</dt><dd>{_e(p.text)}</dd></div>',
            f'<div class="row"><dt>Theme</dt><dd>{_e(themes or "Not recorded")}</dd></div>',
            f'<div class="row"><dt>Region</dt><dd>{_e(", ".join(p.regions) or ENGLAND)}</dd></div>',
            f'<div class="row"><dt>Raised through</dt><dd>{_e(raised)}</dd></div>',
            f"<div class=\"row\"><dt>The Panel's decision</dt><dd>{_e(decided)}</dd></div>",
            f"<div class=\"row\"><dt>The Panel's response</dt><dd>{_e(p.response or 'No wording recorded.')}"
            "</dd></div>",
            "</dl>",
        ]
        if not p.actions:
            out.append("<p>No actions: the Panel's response is its answer to this point.</p>")
            continue
        cap = f"caption-{n}"
        out += [
            f'<div class="scroll" role="region" aria-labelledby="{cap}" tabindex="0">',
            '<table class="actions">',
            f'<caption id="{cap}">Actions on point {_e(p.reference)}'
            '<span class="hint">Scroll the table sideways to see every column.</span></caption>',
            "<thead><tr>" + "".join(f'<th scope="col">{h}</th>' for h in (
                "Action", "What will be done", "Status", "Original target date", "Current target date",
                "Revised because", "Evidence")) + "</tr></thead>",
            "<tbody>",
        ]
        for a in p.actions:
            out.append(
                f"<tr><td>{_e(a.reference)}</td><td>{_e(a.description)}</td><td>{_status_html(a)}</td>"
                f"<td>{_e(long_date(a.due_date) or 'None set')}</td>"
                f"<td>{_e(long_date(a.current_due) or 'None set')}</td>"
                f"<td>{_revisions_html(a.revisions)}</td><td>{_evidence(a.evidence) or 'None yet'}</td></tr>")
        out += ["</tbody>", "</table>", "</div>"]
    out += [
        "</main>",
        f"<footer><p>{_e(PUBLISHER)}. The same rows as open data: progress.csv and progress.ods, beside this "
        "page.</p></footer>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(out)


def files(record: Record) -> dict[str, bytes]:
    """The three files of the record, by name."""
    return {"index.html": to_html(record).encode("utf-8"), "progress.csv": to_csv(record),
            "progress.ods": to_ods(record)}


def write(record: Record, folder) -> dict[str, int]:
    """Write the three files into ``folder`` (created if missing); returns {name: bytes}."""
    from pathlib import Path

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    sizes = {}
    for name, content in files(record).items():
        (folder / name).write_bytes(content)
        sizes[name] = len(content)
    return sizes
