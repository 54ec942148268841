"""Read one roundtable event's notes (.docx, Markdown, plain text, or a
CSV/XLSX of points) into its metadata and its feedback points.

Notes come from whoever took them, in whatever shape Word gave them, so the
reader accepts headings, bullet and numbered lists, paragraphs and tables,
and reads the event's details from an opening block of ``Key: value`` lines.
What it cannot find is listed in ``EventNotes.missing`` so the page can ask.
Every failure is an ``InputError`` naming the file and what to do.

Every paragraph read gets a role (``EventNotes.lines``): a feedback point,
the Panel's response (under a "Panel response" heading, after "Response from
the Panel:", or in the response column of a Feedback | Panel response table)
kept with the point it answers, an event detail, an action, a heading, or
skipped with the reason; what the reader is unsure of is said beside it.
Only points are counted.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import PurePath

import numpy as np
import pandas as pd

from feedback import safety
from feedback.errors import InputError
from feedback.regions import REGIONS, normalise_region
from feedback.roundtables.merging import MERGE_THRESHOLD, merge_near_duplicates, normalised, word_entries
from feedback.validation import whole_number

#: The event details every set of notes needs, in the order the form asks.
META_FIELDS = ("region", "event_date", "attendees", "partnerships", "panel_lead")
META_LABELS = {"title": "Event", "region": "Region", "event_date": "Date", "attendees": "Attendees",
               "partnerships": "Partnerships", "panel_lead": "Panel lead", "note": "Note"}
_META_KEYS = {
    "region": "region", "date": "event_date", "event date": "event_date", "date of event": "event_date",
    "attendees": "attendees", "number of attendees": "attendees", "attendance": "attendees",
    "partnerships": "partnerships", "number of partnerships": "partnerships",
    "safeguarding partnerships": "partnerships", "partnerships represented": "partnerships",
    "panel lead": "panel_lead", "panel member": "panel_lead", "lead": "panel_lead",
    "event": "title", "title": "title", "note": "note", "notes": "note",
}
#: Other details people write at the top of notes: kept (in the event's note), never points.
_OTHER_KEYS = {
    "venue": "Venue", "location": "Venue", "place": "Venue", "chair": "Chair", "chaired by": "Chair",
    "chairperson": "Chair", "note-taker": "Note-taker", "note taker": "Note-taker", "notetaker": "Note-taker",
    "notes taken by": "Note-taker", "minutes taken by": "Note-taker", "minute-taker": "Note-taker",
    "minute taker": "Note-taker", "time": "Time", "facilitator": "Facilitator", "facilitated by": "Facilitator",
    "apologies": "Apologies", "present": "Present", "format": "Format", "host": "Host", "hosted by": "Host",
}
#: An e-mail's header lines: not feedback.
_EMAIL_KEYS = {"from", "sent", "to", "cc", "bcc", "subject", "importance", "attachments", "reply-to", "received"}
_POINT_COLUMNS = ("point", "feedback point", "feedback", "text", "comment", "what was said", "issue raised", "issue")
_SECTION_COLUMNS = ("section", "heading", "topic")
MAX_POINTS = 5_000          # points in one event's notes (a long event has a few hundred)
MAX_LINES = 20_000          # lines of any role in one event's notes
MAX_GUESSED_ACTIONS = 200   # actions matched to a point by their words
MAX_POINT_CHARS = 20_000    # one point (about 3,000 words)
MAX_TABLE_CELLS = 200_000   # cells in all of a Word document's tables
MAX_GRID_SPAN = 64          # columns one Word table cell may span (Word's own limit)
SUFFIXES = (".docx", ".md", ".markdown", ".txt", ".csv", ".xlsx")


@dataclass
class EventMeta:
    """An event's details; None where the notes did not say. ``other``: further details
    (Venue, Chair, Note-taker...) as written, kept in the event's note."""

    title: str | None = None
    region: str | None = None
    event_date: dt.date | None = None
    attendees: int | None = None
    partnerships: int | None = None
    panel_lead: str | None = None
    note: str | None = None
    other: dict[str, str] = field(default_factory=dict)

    def missing(self) -> list[str]:
        """The details still needed, as field names (see META_LABELS for words)."""
        return [name for name in META_FIELDS if getattr(self, name) in (None, "")]

    def note_text(self) -> str:
        """The note kept with the event: the notes' own "Note:" and the other details."""
        return "\n".join([*([self.note] if self.note else []), *(f"{k}: {v}" for k, v in self.other.items())])


@dataclass
class Point:
    """One feedback point. ``merged`` holds the other near-identical texts folded into it;
    ``response`` the Panel's response kept with it; ``actions`` the actions for it;
    ``line`` its number among the file's lines (``EventNotes.lines``)."""

    seq: int
    text: str
    section: str = ""
    kind: str = "paragraph"  # bullet | numbered | paragraph | table
    merged: list[str] = field(default_factory=list)
    response: str = ""
    actions: list[str] = field(default_factory=list)
    line: int = 0


# What a line of the notes is read as (shown in the import preview, editable there).
POINT, RESPONSE, DETAIL, ACTION, HEADING, SKIPPED = (
    "point", "Panel response", "event detail", "action", "heading", "skipped")
ROLES = (POINT, RESPONSE, DETAIL, ACTION, HEADING, SKIPPED)


@dataclass
class Line:
    """One paragraph, list item, table row or cell of the notes, with the role it was read as.

    ``answers``: for a response or an action, the numbers of the point lines it
    answers. ``note``: why it has this role (for a skipped line, the reason) and,
    when ``unsure``, what to check.
    """

    no: int
    text: str
    role: str
    section: str = ""
    kind: str = "paragraph"
    answers: list[int] = field(default_factory=list)
    note: str = ""
    unsure: bool = False


@dataclass
class EventNotes:
    filename: str
    meta: EventMeta
    points: list[Point]
    problems: list[str] = field(default_factory=list)  # details present but unusable (e.g. unknown region)
    lines: list[Line] = field(default_factory=list)  # every line read, with its role

    @property
    def missing(self) -> list[str]:
        return self.meta.missing()

    @property
    def skipped(self) -> list[Line]:
        return [line for line in self.lines if line.role == SKIPPED]

    @property
    def actions(self) -> list[Line]:
        return [line for line in self.lines if line.role == ACTION]

    @property
    def unsure(self) -> list[Line]:
        return [line for line in self.lines if line.unsure]

    def lines_frame(self) -> pd.DataFrame:
        """Every line with its role, what it answers and the reader's note (the import preview)."""
        return pd.DataFrame({
            "line": [x.no for x in self.lines], "role": [x.role for x in self.lines],
            "text": [x.text for x in self.lines], "section": [x.section for x in self.lines],
            "answers": [", ".join(map(str, x.answers)) for x in self.lines],
            "unsure": [x.unsure for x in self.lines], "note": [x.note for x in self.lines]})

    def points_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {"seq": [p.seq for p in self.points], "section": [p.section for p in self.points],
             "kind": [p.kind for p in self.points], "text": [p.text for p in self.points],
             "merged_count": [len(p.merged) for p in self.points]}
        )


def is_lead_in(text: str) -> bool:
    """A line that introduces the points rather than being one ("Feedback points raised by
    attendees:"): short and ending in a colon. The import preview leaves these unticked."""
    words = str(text).split()
    return bool(words) and str(text).rstrip().endswith(":") and len(words) <= 12


def only_ticked(notes: EventNotes, keep: list[bool] | None) -> EventNotes:
    """The notes with only the points ticked in the preview, numbered again from 1."""
    if keep is None:
        return notes
    if len(keep) != len(notes.points):
        raise ValueError("one tick per point is needed")
    if all(keep):
        return notes
    points = [dataclasses.replace(p, seq=i) for i, p in
              enumerate((p for p, k in zip(notes.points, keep) if k), start=1)]
    return dataclasses.replace(notes, points=points)


@dataclass
class _Block:
    kind: str  # heading | bullet | numbered | paragraph | table | header (a table's header row)
    text: str
    level: int = 1  # headings: 1-9 as written; LABEL for a short line ending in a colon
    hint: str = ""  # "response": a table's Panel response cell; "empty": a row with no text in its point column


LABEL = 99  # a "heading" that is only a short line ending in a colon (plain text)


# ---------------------------------------------------------------- entry point


def read_notes(filename: str, content: bytes, *, merge_threshold: float = MERGE_THRESHOLD) -> EventNotes:
    """Read one event's notes; the format is chosen by extension and checked against the bytes.

    Parsed in a limited child process (``feedback.isolation``); the embedded
    samples are read in-process (``safety.in_process()``).
    """
    name = PurePath(filename).name or "the file"
    safety.check_size(name, content)
    return safety.parse_untrusted(_read_notes, name, content, merge_threshold)


def _read_notes(name: str, content: bytes, merge_threshold: float = MERGE_THRESHOLD) -> EventNotes:
    suffix = PurePath(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(f"{name}: notes must be a Word document (.docx), Markdown (.md), plain text (.txt), "
                         f"or a CSV/XLSX of points; '{suffix or 'no extension'}' is not one of these.")
    safety.check_size(name, content)
    if not content.strip():
        raise InputError(f"{name} is empty: export the notes again and upload the saved file.")
    if suffix in (".docx", ".xlsx"):
        _check_zip(name, content, suffix)
    if suffix == ".docx":
        blocks = _docx_blocks(name, content)
    elif suffix in (".md", ".markdown", ".txt"):
        blocks = _text_blocks(safety.decode_text(name, content), markdown=suffix != ".txt")
    else:
        return _read_points_table(name, content, suffix, merge_threshold)
    notes = notes_from_blocks(name, blocks)
    _check_points(name, notes.points)
    if len(notes.lines) > MAX_LINES:
        raise InputError(f"{name}: {len(notes.lines):,} lines, more than the {MAX_LINES:,} one event's notes can "
                         "hold here: split the notes into one file per event.")
    notes.points = merge_near_duplicates(notes.points, merge_threshold)
    if not notes.points:
        raise InputError(f"{name}: no feedback points found. Put each point in its own bullet, numbered item, "
                         "paragraph or table row, below the event details.")
    return notes


def _check_zip(name: str, content: bytes, suffix: str) -> None:
    """Refuse files that are not zip packages, zip bombs and XML with a DTD (feedback.safety)."""
    if not content.startswith(b"PK"):
        kind = "a Word document" if suffix == ".docx" else "an Excel workbook"
        raise InputError(f"{name} is not {kind} (it is not a zip package inside). "
                         f"Open it in {'Word' if suffix == '.docx' else 'Excel'} and save it again as {suffix}.")
    safety.check_zip(name, content)


# ---------------------------------------------------------------- formats -> blocks


def _docx_blocks(name: str, content: bytes) -> list[_Block]:
    """Paragraphs and tables in document order, classified by style and numbering.

    The body's XML is walked with lxml, not python-docx's ``iter_inner_content``
    (which passes over content controls and tracked insertions at the block
    level): text in content controls (``w:sdt``), accepted insertions
    (``w:ins``, ``w:moveTo``), smart tags, custom XML, simple fields
    (``w:fldSimple``), hyperlinks and nested tables is read; deleted text
    (``w:del``, ``w:moveFrom``) is not.
    """
    import docx

    _check_docx_tables(name, content)
    try:
        document = docx.Document(io.BytesIO(content))
        body = document.element.body
        styles = {}
        for style in document.styles:
            chain, base = [], style
            while base is not None and len(chain) < 10:  # a style's name and the names it is based on
                chain.append(base.name or "")
                base = getattr(base, "base_style", None)
            styles[style.style_id] = chain
    except MemoryError:
        raise
    except Exception as err:  # noqa: BLE001 - python-docx raises many kinds on damaged packages
        raise InputError(f"{name} could not be read as a Word document ({type(err).__name__}: {err}). "
                         "Open it in Word and save it again as .docx, or save the notes as plain text.") from None
    try:
        return _walk_body(body, styles)
    except (InputError, MemoryError):
        raise
    except Exception as err:  # noqa: BLE001 - styles, numbering or tables damaged inside the package
        raise InputError(f"{name}: part of the Word document is damaged ({type(err).__name__}: "
                         f"{' '.join(str(err).split())[:120]}). Open it in Word and save it again as .docx, or save "
                         "the notes as plain text.") from None


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
#: Run content and its text, as python-docx's ``Run.text`` gives it (``w:t`` its own text; ``w:br`` below).
_RUN_TEXT = {f"{_W}tab": "\t", f"{_W}ptab": "\t", f"{_W}cr": "\n", f"{_W}noBreakHyphen": "-"}
#: Never read: deleted or moved-away text, properties (tab stops are ``w:tab`` too), the fallback copy
#: of a text box (its ``mc:Choice`` holds the same text), a content control's properties.
_NOT_TEXT = {f"{_W}del", f"{_W}moveFrom", f"{_W}pPr", f"{_W}rPr", f"{_W}sdtPr", f"{_W}sdtEndPr", f"{_W}tblPr",
             f"{_W}trPr", f"{_W}tcPr", f"{_W}delText", f"{_W}instrText", f"{_W}delInstrText", f"{_MC}Fallback",
             f"{_W}fldData", f"{_W}tblGrid"}
#: Wrappers whose content is read as if it were in their place (block, row, cell or run level).
_TRANSPARENT = {f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml", f"{_W}ins", f"{_W}moveTo", f"{_W}smartTag",
                f"{_W}fldSimple", f"{_W}hyperlink", f"{_MC}AlternateContent", f"{_MC}Choice"}


def _walk(items, visit) -> None:
    """Visit ``items`` and what lies inside them depth first, in document order: ``visit(element)``
    returns what to read inside that element (or None to go no deeper). A stack of iterators, not
    recursion, so deeply nested XML cannot exhaust Python's stack."""
    stack = [iter(items)]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            continue
        inside = visit(child)
        if inside is not None:
            stack.append(iter(inside))


def _found_within(element, tags: set[str]) -> list:
    """``element``'s children with one of ``tags``, also inside content controls, insertions and other
    wrappers, never inside deleted content; in document order."""
    found: list = []

    def visit(child):
        if child.tag in tags:
            found.append(child)
        elif child.tag in _TRANSPARENT:
            return child
        return None

    _walk(element, visit)
    return found


def _within(element, tag: str) -> list:
    """``element``'s children with ``tag`` (rows of a table, cells of a row), through wrappers."""
    return _found_within(element, {tag})


def _blocks_within(element) -> list:
    """Paragraphs and tables directly in ``element`` (a body or a cell), through wrappers, in order."""
    return _found_within(element, {f"{_W}p", f"{_W}tbl"})


def _text_of(paragraph) -> str:
    """A paragraph's text as Word shows it with changes accepted: runs anywhere inside it (content
    controls, insertions, smart tags, fields, hyperlinks, text boxes), never deleted text."""
    t, br, p = f"{_W}t", f"{_W}br", f"{_W}p"
    parts: list[str] = []

    def visit(child):
        tag = child.tag
        if not isinstance(tag, str) or tag in _NOT_TEXT:
            return None
        if tag == t:
            parts.append(child.text or "")
        elif tag == br:
            parts.append("\n" if child.get(f"{_W}type", "textWrapping") == "textWrapping" else "")
        elif tag in _RUN_TEXT:
            parts.append(_RUN_TEXT[tag])
        else:
            if tag == p:  # a paragraph in a text box
                parts.append("\n")
            return child
        return None

    _walk(paragraph, visit)
    return "".join(parts)


def _deleted_row(row) -> bool:
    props = row.find(f"{_W}trPr")
    return props is not None and props.find(f"{_W}del") is not None


def _table_cells(tbl) -> list[list[str]]:
    """Each row's cells as written (``w:tc``): each cell's paragraphs joined by a new line, nested
    tables' paragraphs included in their place; rows and cells inside content controls read,
    rows deleted with changes tracked not.

    A spanned cell is one ``w:tc`` (not repeated per ``gridSpan`` column as
    python-docx's laid-out grid would) and a vertically merged cell keeps its
    own (usually empty) text.
    """
    return [["\n".join(_text_of(p) for p in _paragraphs_within(cell)) for cell in _within(row, f"{_W}tc")]
            for row in _within(tbl, f"{_W}tr") if not _deleted_row(row)]


def _paragraphs_within(element):
    """Every paragraph in ``element``, nested tables' included, in document order."""
    p = f"{_W}p"
    for block in _blocks_within(element):
        if block.tag == p:
            yield block
        else:
            for row in _within(block, f"{_W}tr"):
                if not _deleted_row(row):
                    for cell in _within(row, f"{_W}tc"):
                        yield from _paragraphs_within(cell)


def _walk_body(body, styles: dict[str, list[str]]) -> list[_Block]:
    """Headings, list items, paragraphs and table rows in order. A table whose rows each have one cell
    (a layout table, a form) is read as the paragraphs and tables inside it."""
    p = f"{_W}p"
    blocks: list[_Block] = []

    def visit(element):
        if element.tag == p:
            block = _paragraph_block(element, styles)
            if block is not None:
                blocks.append(block)
            return None
        rows = [row for row in _within(element, f"{_W}tr") if not _deleted_row(row)]
        cells = [_within(row, f"{_W}tc") for row in rows]
        if cells and all(len(c) <= 1 for c in cells):
            return [inner for c in cells for cell in c for inner in _blocks_within(cell)]
        blocks.extend(_table_rows([["\n".join(_text_of(x) for x in _paragraphs_within(cell)) for cell in c]
                                   for c in cells]))
        return None

    _walk(_blocks_within(body), visit)
    return blocks


def _paragraph_block(p, styles: dict[str, list[str]]) -> _Block | None:
    text = " ".join(_text_of(p).split())
    if not text:
        return None
    ppr = p.find(f"{_W}pPr")
    style_id = None
    numbered = outline = False
    if ppr is not None:
        pstyle = ppr.find(f"{_W}pStyle")
        style_id = pstyle.get(f"{_W}val") if pstyle is not None else None
        numbered = ppr.find(f"{_W}numPr") is not None
        outline = ppr.find(f"{_W}outlineLvl") is not None
    names = styles.get(style_id, []) if style_id else []
    style = names[0] if names else ""
    heading = next((n for n in names if n.startswith("Heading") or n in ("Title", "Subtitle")), None)
    if heading is not None or outline:
        digits = "".join(ch for ch in (heading or "") if ch.isdigit())
        return _Block("heading", text, level=int(digits) if digits else 1)
    if "Number" in style:
        return _Block("numbered", text)
    if "Bullet" in style or style.startswith("List") or numbered:
        return _Block("bullet", text)
    return _Block("paragraph", text)


_GRID_SPAN = re.compile(rb'<w:gridSpan\b[^>]*?\bw:val="([^"]*)"')


def _check_docx_tables(name: str, content: bytes) -> None:
    """Refuse spans and tables no real notes have, before python-docx lays them out."""
    import zipfile

    with zipfile.ZipFile(io.BytesIO(content)) as zf:
        try:
            xml = zf.read("word/document.xml")
        except KeyError:
            raise InputError(f"{name} is not a Word document (it has no word/document.xml inside): open it in Word "
                             "and save it again as .docx.") from None
    for value in set(_GRID_SPAN.findall(xml)):
        text = value.decode("ascii", "replace").strip()
        if not text.isdigit():
            raise InputError(f"{name}: a table cell spans {text!r} columns, which is not a number: the document is "
                             "damaged. Open it in Word and save it again.")
        if int(text) > MAX_GRID_SPAN:
            raise InputError(f"{name}: a table cell spans {int(text):,} columns, more than the {MAX_GRID_SPAN} a "
                             "Word table can have: the document is damaged. Open it in Word and save it again.")
    cells = xml.count(b"<w:tc>") + xml.count(b"<w:tc ")
    if cells > MAX_TABLE_CELLS:
        raise InputError(f"{name}: its tables hold {cells:,} cells, more than the {MAX_TABLE_CELLS:,} this app "
                         "reads: keep one event's notes per document, or save the points as CSV.")


def _check_points(name: str, points: list[Point]) -> None:
    """Caps on what one event's notes can hold, each with what to do."""
    if len(points) > MAX_POINTS:
        raise InputError(f"{name}: {len(points):,} feedback points, more than the {MAX_POINTS:,} one event's notes "
                         "can hold here: split the notes into one file per event.")
    long = next((p for p in points if len(p.text) > MAX_POINT_CHARS), None)
    if long is not None:
        raise InputError(f"{name}: point {long.seq} is {len(long.text):,} characters long, more than "
                         f"{MAX_POINT_CHARS:,}: split it into separate points (one per bullet or paragraph).")


def _table_rows(rows: list[list[str]]) -> list[_Block]:
    """A table becomes metadata lines (a two-column key/value table), one point per row, or, in a
    Feedback | Panel response table (Annex C's layout), a point and its response per row.

    Every cell is kept as written: two neighbouring cells with the same text are two cells.
    """
    rows = [[" ".join(c.split()) for c in row] for row in rows if any(c.strip() for c in row)]
    if not rows:
        return []
    if all(len(r) == 2 and (_meta_key(r[0]) or " ".join(r[0].casefold().strip(" :*").split()) in _OTHER_KEYS)
           for r in rows):
        return [_Block("paragraph", f"{r[0].rstrip(':')}: {r[1]}") for r in rows]
    header = [c.casefold().strip(" :*") for c in rows[0]]
    response = next((i for i, h in enumerate(header) if _is_response_heading(h)), None)
    column = next((header.index(h) for h in _POINT_COLUMNS if h in header), None)
    if column is None:
        column = next((i for i, h in enumerate(header) if i != response and h.startswith(_POINT_PREFIXES)), None)
    section = next((header.index(h) for h in _SECTION_COLUMNS if h in header), None)
    has_header = column is not None or response is not None or (len(rows) > 1 and max(map(len, rows[0])) < 40)
    body = rows[1:] if has_header else rows
    if column is None:
        width = max(len(r) for r in body) if body else 0
        lengths = [0 if i == response else sum(len(r[i]) for r in body if i < len(r)) for i in range(width)]
        column = lengths.index(max(lengths)) if lengths else 0
    blocks = [_Block("header", " | ".join(rows[0]))] if has_header else []
    for r in body:
        text = r[column] if column < len(r) else ""
        if not text:
            blocks.append(_Block("table", " | ".join(c for c in r if c), hint="empty"))
            continue
        blocks.append(_Block("table", text, hint=f"section:{r[section]}" if section is not None
                             and section < len(r) and section != column and r[section] else ""))
        if response is not None and response < len(r) and r[response]:
            blocks.append(_Block("table", r[response], hint="response"))
    return blocks


_POINT_PREFIXES = ("feedback", "what we heard", "what partners said", "issue", "point", "comment", "question")
_BULLET = re.compile(r"^\s*(?:[-*+\u2022\u00b7\u25aa\u2013])\s+(.*)$")
_NUMBER = re.compile(r"^\s*(?:\d+|[a-zA-Z])[.)]\s+(.*)$")


def _md_heading(line: str) -> tuple[int, str] | None:
    """``(level, text)`` of an ATX heading ("## Text ##"), by string methods (a regex backtracked for
    seconds on a long run of spaces)."""
    stripped = line.strip()
    hashes = len(stripped) - len(stripped.lstrip("#"))
    if not 1 <= hashes <= 6:
        return None
    rest = stripped[hashes:]
    if rest and not rest[0].isspace():
        return None
    text = rest.strip()
    closing = text.rstrip("#")
    if closing != text and (not closing or closing[-1].isspace()):
        text = closing.strip()
    return hashes, text


def _md_table_line(line: str) -> bool:
    stripped = line.strip()
    return len(stripped) >= 2 and stripped[0] == "|" and stripped[-1] == "|"


def _md_rule(line: str) -> bool:
    """A pipe table's delimiter row (``|---|:--:|``)."""
    cells = line.strip().strip("|").split("|")
    return all(len(c.strip().strip(":")) >= 2 and set(c.strip().strip(":")) == {"-"} for c in cells)


def _md_cells(line: str) -> list[str]:
    """A pipe table row's cells; ``\\|`` is a pipe inside a cell."""
    inner = line.strip()[1:-1]
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", inner)]


def _own_line(line: str) -> str | None:
    """Lines that start a paragraph of their own in plain text, never a continuation: "response",
    "action", a "sign-off" (and so the signature lines after it), a "greeting"."""
    if _inline_label(line, _INLINE_RESPONSE) is not None:
        return "response"
    if _inline_label(line, _INLINE_ACTION) is not None:
        return "action"
    if len(line) > 60:
        return None
    label = _normal_label(line).rstrip(",.!")
    if len(label.split()) <= 5 and _SIGN_OFF.fullmatch(label):
        return "sign-off"
    if len(label.split()) <= 6 and _GREETING.fullmatch(label):
        return "greeting"
    return None


def _text_blocks(text: str, *, markdown: bool) -> list[_Block]:
    """Markdown or plain text: headings, list items (with continuation lines), pipe tables, paragraphs."""
    blocks: list[_Block] = []
    current: _Block | None = None
    table: list[list[str]] = []

    def flush() -> None:
        nonlocal current, table
        if current is not None and current.text.strip():
            current.text = " ".join(current.text.split())
            blocks.append(current)
        current = None
        if table:
            blocks.extend(_table_rows(table))
            table = []

    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.rstrip()
        if not line.strip():
            flush()
            continue
        if markdown and _md_table_line(line):
            if current is not None:
                flush()
            if not _md_rule(line):
                table.append(_md_cells(line))
            continue
        if table:
            flush()
        heading = _md_heading(line) if markdown else None
        if heading:
            flush()
            if heading[1].strip("*_ "):
                blocks.append(_Block("heading", " ".join(heading[1].strip("*_ ").split()), level=heading[0]))
            continue
        if not markdown and line.strip().endswith(":") and len(line.strip()) < 60 and current is None:
            blocks.append(_Block("heading", line.strip().rstrip(":"), level=LABEL))
            continue
        bullet, number = _BULLET.match(line), _NUMBER.match(line)
        if bullet or number:
            flush()
            current = _Block("bullet" if bullet else "numbered", (bullet or number).group(1))
            continue
        if current is not None and (_own_line(line) or _own_line(current.text) == "sign-off"):
            flush()  # "Response from the Panel: ...", "Action: ...", a sign-off and the lines after it
        if current is None:
            current = _Block("paragraph", line)
        elif current.kind == "paragraph" and _key_line(current.text) and _key_line(line):
            flush()  # consecutive "Key: value" lines are separate details, not one paragraph
            current = _Block("paragraph", line)
        else:
            current.text += " " + line.strip()
    flush()
    if markdown:
        for block in blocks:
            block.text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", block.text)
    return blocks


# ---------------------------------------------------------------- blocks -> notes


def _meta_key(text: str) -> str | None:
    return _META_KEYS.get(" ".join(text.replace("*", "").split()).casefold().rstrip(":").strip())


def _split_key(text: str) -> tuple[str, str] | None:
    """("key", "value") of a "Key: value" line with a short key, else None."""
    head, colon, value = text[:60].partition(":")
    if not colon:
        return None
    value = text[len(head) + 1:]
    return " ".join(head.replace("*", "").split()).casefold().strip(" _"), " ".join(value.split()).strip("*_ ")


def _meta_line(text: str) -> tuple[str, str] | None:
    found = _split_key(text)
    if found is None:
        return None
    key, value = found
    name = _META_KEYS.get(key)
    return (name, value) if name else None


def _other_line(text: str) -> tuple[str, str] | None:
    """("Venue", "online") for a further detail the app keeps in the event's note."""
    found = _split_key(text)
    if found is None or found[0] not in _OTHER_KEYS or not found[1]:
        return None
    return _OTHER_KEYS[found[0]], found[1]


def _email_key(text: str) -> str | None:
    found = _split_key(text)
    return found[0] if found is not None and found[0] in _EMAIL_KEYS else None


def _key_line(text: str) -> bool:
    """A "Key: value" line of details or an e-mail's header (each its own line, never one paragraph)."""
    return bool(_meta_line(text) or _other_line(text) or _email_key(text) or _unknown_detail(text))


def _unknown_detail(text: str) -> tuple[str, str] | None:
    """A short "Key: value" line at the top whose key this app does not know ("Time: 10:00")."""
    found = _split_key(text)
    if found is None or not found[1] or len(text) > 120:
        return None
    key = text.split(":", 1)[0].strip(" *_")
    if not key or len(key.split()) > 3 or not key[0].isupper() or not all(ch.isalpha() or ch in " -'" for ch in key):
        return None
    return key, found[1]


def _normal_label(text: str) -> str:
    words = text.replace("\u2019", "'").casefold().strip(" *_#:.-").split()
    return " ".join(words)


_RESPONSE_LABEL = re.compile(
    r"(the )?(panel'?s?'? (response|reply)|response (from|of|by) the panel|our response|panel responses?|"
    r"response)( and (further )?actions?| ?/ ?further actions?| to (the )?(feedback|points?( raised)?))?")
_ACTIONS_LABEL = re.compile(r"(agreed |next |follow[- ]up |key )?(actions?( points?| agreed| log)?|next steps)"
                            r"( (agreed|arising|for the panel))?")
_INLINE_RESPONSE = re.compile(r"(the )?(panel'?s?'? (response|reply)|response (from|of|by) the panel|our response|"
                              r"panel responded|response)")
_INLINE_ACTION = re.compile(r"(agreed )?actions?( point| for the panel| agreed)?")
_GREETING = re.compile(r"(hi|hello|dear|good (morning|afternoon))\b.*")
_SIGN_OFF = re.compile(r"(many |with )?(thanks|thank you)( all| again| everyone)?|(kind |best |warm )?regards|"
                       r"best wishes|best|cheers|all the best")
_ORIGINAL_MESSAGE = re.compile(r"-* ?(original message|forwarded message) ?-*")


def _is_response_heading(text: str) -> bool:
    label = _normal_label(text)
    return len(label) <= 80 and label != "response" and _RESPONSE_LABEL.fullmatch(label) is not None or (
        label in ("response", "responses"))


_FEEDBACK_LABEL = re.compile(r"(the )?(feedback( (from|raised by) (partners|partnerships|attendees|the sector))?|"
                             r"what we heard|points raised|issues raised|feedback points|key points|"
                             r"discussion|summary of (the )?discussion)")


def _is_feedback_heading(text: str) -> bool:
    label = _normal_label(text)
    return len(label) <= 60 and _FEEDBACK_LABEL.fullmatch(label) is not None


def _is_actions_heading(text: str) -> bool:
    label = _normal_label(text)
    return len(label) <= 40 and _ACTIONS_LABEL.fullmatch(label) is not None


def _inline_label(text: str, pattern) -> str | None:
    """The text after "Response from the Panel:" (or an action's label), '' when nothing follows, None
    when the line does not start with the label."""
    head, colon, _ = text[:60].partition(":")
    if not colon or pattern.fullmatch(_normal_label(head)) is None:
        return None
    return " ".join(text[len(head) + 1:].split())


class _Reader:
    """Gives each block a role; see ``notes_from_blocks``."""

    def __init__(self, name: str):
        self.name = name
        self.meta = EventMeta()
        self.problems: list[str] = []
        self.lines: list[Line] = []
        self.section = ""
        self.opening = True       # before the first point: "Key: value" lines are event details
        self.seen_meta = False
        self.email = False        # an e-mail's header lines were seen
        self.signature = False    # after a sign-off ("Kind regards"): the sender's name and title
        self.mode = POINT         # POINT, RESPONSE (a response section) or ACTION (an actions section)
        self.label_mode = False   # the response section was opened by a label, not a heading
        self.next_is_response = False
        self.unanswered: list[int] = []   # point lines since the last response section
        self.responses: list[Line] = []   # the current response section's lines
        self.details_ahead = False        # an event detail line comes later in the notes

    def add(self, block: _Block, role: str, note: str = "", *, unsure: bool = False,
            answers: list[int] | None = None) -> Line:
        line = Line(no=len(self.lines) + 1, text=block.text, role=role, section=self.section, kind=block.kind,
                    answers=list(answers or []), note=note, unsure=unsure)
        self.lines.append(line)
        return line

    def last_point(self) -> Line | None:
        return next((x for x in reversed(self.lines) if x.role == POINT), None)

    # ---- response sections: which points each response answers
    def close_responses(self) -> None:
        """Pair the responses of the section that ends with the points above it."""
        responses, points = self.responses, self.unanswered
        if responses:
            if not points:
                for r in responses:
                    r.note, r.unsure = "no feedback point above it to answer: give the point's line number", True
            elif len(responses) == len(points):
                for r, point in zip(responses, points, strict=True):
                    r.answers = [point]
                    r.note = f"answers line {point} (responses paired with the points above, in order)"
            elif len(responses) == 1:
                responses[0].answers = list(points)
                responses[0].note = f"answers the {len(points)} points above it (lines {_numbers(points)})"
                responses[0].unsure = len(points) > 1
            else:
                for i, r in enumerate(responses):
                    r.answers = [points[min(i, len(points) - 1)]]
                    r.unsure = True
                    r.note = (f"{len(responses)} responses for {len(points)} points above: paired in order, so it "
                              f"answers line {r.answers[0]}; check")
            self.unanswered = []
        self.responses = []

    def heading(self, block: _Block) -> None:
        if self.signature:
            self.signature = False
        if self.opening and self.meta.title is None and not self.seen_meta and not self.email and \
                not _is_response_heading(block.text) and not _is_actions_heading(block.text) and block.level != LABEL:
            self.meta.title = block.text
            self.add(block, DETAIL, "the event's title")
            return
        if self.mode == RESPONSE:
            self.close_responses()
        if _is_response_heading(block.text):
            self.mode, self.label_mode = RESPONSE, block.level == LABEL or block.kind != "heading"
            self.add(block, HEADING, "starts the Panel's responses: the lines under it are not points")
        elif _is_actions_heading(block.text):
            self.mode = ACTION
            self.section = block.text
            self.add(block, HEADING, "starts the actions: offered as tracker actions, not points")
        else:
            self.mode = POINT
            self.section = block.text
            self.add(block, HEADING, "section heading: the points under it carry it")
        self.opening = False

    def block(self, block: _Block) -> None:
        text = block.text
        if block.kind == "heading":
            self.heading(block)
            return
        if block.kind == "header":
            self.add(block, SKIPPED, "a table's header row")
            return
        if block.hint == "empty":
            self.add(block, SKIPPED, "a table row with nothing in its feedback column", unsure=True)
            return
        if block.hint == "response":
            point = self.last_point()
            self.add(block, RESPONSE, f"the Panel's response column, beside line {point.no}" if point else
                     "the Panel's response column", answers=[point.no] if point else [], unsure=point is None)
            self.unanswered = []
            return
        if block.kind == "paragraph" and len(text) <= 60 and (
                _is_response_heading(text) or _is_actions_heading(text) or _is_feedback_heading(text)):
            last = self.lines[-1] if self.lines else None
            if text.rstrip(" *_").endswith(":") and _is_response_heading(text) and last is not None and \
                    last.role == POINT and last.kind == "paragraph":
                self.next_is_response = True  # "Response from the Panel:" after a paragraph point
                self.add(block, SKIPPED, "introduces the Panel's response on the next line")
                return
            # "Panel response", "Feedback" or "Actions:" on a line of its own (bold, not a Word heading)
            self.heading(_Block("label", text.strip(" :*_"), level=LABEL))
            return
        if self.next_is_response:
            self.next_is_response = False
            point = self.last_point()
            self.add(block, RESPONSE, (f"follows 'Response from the Panel:', so it answers line {point.no}; "
                                       "only this paragraph is read as the response") if point else
                     "follows 'Response from the Panel:' but no point comes before it",
                     answers=[point.no] if point else [], unsure=point is None)
            self.unanswered = []
            return
        inline = _inline_label(text, _INLINE_RESPONSE)
        if inline is not None and not (self.opening and _meta_line(text)):
            if not inline:
                self.next_is_response = True
                self.add(block, SKIPPED, "introduces the Panel's response on the next line")
                return
            block = _Block(block.kind, inline, block.level)
            point = self.last_point()
            others = [n for n in self.unanswered if point is None or n != point.no]
            note = (f"after 'Response from the Panel:', answers line {point.no}, the point just before it" if point
                    else "after 'Response from the Panel:' but no point comes before it")
            if point is not None and others:
                note += f"; or does it also answer line(s) {_numbers(others)} above, which have no response?"
            self.add(block, RESPONSE, note, answers=[point.no] if point else [], unsure=point is None or bool(others))
            self.unanswered = []
            return
        if self.opening:
            if self.detail(block):
                return
        elif self.email and _email_key(text):
            self.add(block, SKIPPED, "an e-mail header line")
            return
        elif self.late_detail(block):
            return
        if len(text) <= 60 and _ORIGINAL_MESSAGE.fullmatch(_normal_label(text)):
            self.email = True
            self.add(block, SKIPPED, "an e-mail's separator line")
            return
        if len(text.split()) <= 6 and _GREETING.fullmatch(_normal_label(text)):
            self.add(block, SKIPPED, "a greeting")
            return
        if len(text.split()) <= 5 and _SIGN_OFF.fullmatch(_normal_label(text).rstrip(",.!")):
            self.signature = True
            self.add(block, SKIPPED, "a sign-off")
            return
        if self.signature and block.kind == "paragraph" and len(text.split()) <= 12:
            self.add(block, SKIPPED, "the sender's name or signature, after the sign-off")
            return
        if self.email and self.opening and block.kind == "paragraph" and not self.seen_meta and self.details_ahead:
            self.add(block, SKIPPED, "the e-mail's opening words, before the event's details", unsure=True)
            return
        inline_action = _inline_label(text, _INLINE_ACTION)
        if self.mode == ACTION or inline_action:
            self.add(_Block(block.kind, inline_action or text, block.level), ACTION,
                     "in the actions section" if self.mode == ACTION else "starts with 'Action:'")
            return
        if self.mode == RESPONSE:
            if self.label_mode and self.lines and self.responses and self.ends_label_section(block):
                self.close_responses()
                self.mode = POINT
            else:
                line = self.add(block, RESPONSE, "under a Panel response heading")
                self.responses.append(line)
                return
        if is_lead_in(text):
            self.add(block, SKIPPED, "introduces the points (a short line ending in a colon)")
            self.opening = False
            return
        self.opening = False
        line = self.add(block, POINT, _section_note(block))
        self.unanswered.append(line.no)

    def ends_label_section(self, block: _Block) -> bool:
        """Under a "Panel response:" label (not a heading), the next list item of the kind the points
        were ends the responses."""
        point = self.last_point()
        return point is not None and block.kind == point.kind and block.kind != "paragraph"

    def detail(self, block: _Block) -> bool:
        """An event detail, an e-mail header or a further detail at the top; False when not one."""
        if block.kind not in ("paragraph", "bullet", "table"):
            return False
        text = block.text
        found = _meta_line(text)
        if found:
            before = len(self.problems)
            _set_meta(self.meta, found[0], found[1], self.name, self.problems)
            self.seen_meta = True
            self.add(block, DETAIL, f"the event's {META_LABELS[found[0]].lower()}" +
                     ("; " + self.problems[-1] if len(self.problems) > before else ""),
                     unsure=len(self.problems) > before)
            return True
        other = _other_line(text)
        if other:
            self.meta.other[other[0]] = other[1]
            self.seen_meta = True
            self.add(block, DETAIL, f"{other[0]}: kept in the event's note")
            return True
        key = _email_key(text)
        if key:
            self.email = True
            if key == "subject" and self.meta.title is None:
                self.meta.title = _split_key(text)[1] or None
                self.add(block, DETAIL, "the e-mail's subject, read as the event's title", unsure=True)
            else:
                self.add(block, SKIPPED, "an e-mail header line")
            return True
        unknown = _unknown_detail(text) if self.opening and block.kind == "paragraph" else None
        if unknown and not self.lines_with(POINT):
            self.meta.other[unknown[0]] = unknown[1]
            self.add(block, DETAIL, f"'{unknown[0]}' is not a detail this app knows: kept in the event's note",
                     unsure=True)
            return True
        return False

    def late_detail(self, block: _Block) -> bool:
        """A known detail line after the points began ("Note-taker: ..."): a detail, said so."""
        if block.kind not in ("paragraph", "bullet") or len(block.text) > 120:
            return False
        found = _meta_line(block.text)
        if found and found[0] != "title" and getattr(self.meta, found[0]) in (None, ""):
            _set_meta(self.meta, found[0], found[1], self.name, self.problems)
            self.add(block, DETAIL, f"the event's {META_LABELS[found[0]].lower()}, given after the points",
                     unsure=True)
            return True
        other = _other_line(block.text)
        if other and other[0] not in self.meta.other:
            self.meta.other[other[0]] = other[1]
            self.add(block, DETAIL, f"{other[0]}, given after the points: kept in the event's note", unsure=True)
            return True
        return False

    def lines_with(self, role: str) -> bool:
        return any(x.role == role for x in self.lines)


def _numbers(numbers: list[int]) -> str:
    return ", ".join(map(str, numbers[:8])) + (", ..." if len(numbers) > 8 else "")


def _section_note(block: _Block) -> str:
    words = {"bullet": "a list item", "numbered": "a numbered item", "paragraph": "a paragraph",
             "table": "a table row"}
    return words.get(block.kind, block.kind)


def notes_from_blocks(name: str, blocks: list[_Block]) -> EventNotes:
    """Give every block a role: event details (the opening "Key: value" lines and the title), section
    headings, feedback points, the Panel's responses with the points they answer, actions, and
    skipped lines with the reason. Points are built from the point lines (``points_from_lines``)."""
    reader = _Reader(name)
    ahead = np.zeros(len(blocks) + 1, dtype=bool)
    for i in range(len(blocks) - 1, -1, -1):
        ahead[i] = ahead[i + 1] or (blocks[i].kind == "paragraph" and _meta_line(blocks[i].text) is not None)
    for i, block in enumerate(blocks):
        reader.details_ahead = bool(ahead[i + 1])
        if block.hint.startswith("section:"):
            section, reader.section = reader.section, block.hint[len("section:"):]
            reader.block(_Block(block.kind, block.text, block.level))
            reader.section = section
            continue
        reader.block(block)
    if reader.mode == RESPONSE:
        reader.close_responses()
    if reader.next_is_response:
        reader.lines[-1].unsure = True
        reader.lines[-1].note += "; but nothing follows it"
    _guess_action_points(reader.lines)
    notes = EventNotes(filename=name, meta=reader.meta, points=[], problems=reader.problems, lines=reader.lines)
    notes.points = points_from_lines(reader.lines, None)
    return notes


def _words(text: str) -> set[str]:
    return {w for w in normalised(text).split() if len(w) > 3}


def _guess_action_points(lines: list[Line]) -> None:
    """An action with no point named: the point sharing most words with it (two at least), said to be
    a guess. One sparse product over the words, not a loop over pairs."""
    actions = [x for x in lines if x.role == ACTION and not x.answers]
    points = [x for x in lines if x.role == POINT]
    if not actions:
        return
    for action in actions[MAX_GUESSED_ACTIONS:]:  # real notes have a few dozen; beyond, no guessing
        action.note, action.unsure = (f"more than {MAX_GUESSED_ACTIONS} actions, so no point is guessed: give the "
                                      "line number of the point whose tracker item should carry it"), True
    actions = actions[:MAX_GUESSED_ACTIONS]
    if not points:
        for action in actions:
            action.note, action.unsure = "no feedback point to hang it on: give a point's line number", True
        return
    from scipy import sparse

    vocab: dict[str, int] = {}
    prow, pcol = word_entries((_words(x.text) for x in points), vocab)
    arow, acol = word_entries((_words(x.text) for x in actions), vocab)
    width = max(len(vocab), 1)
    pm = sparse.csr_matrix((np.ones(len(prow), dtype=np.int32), (prow, pcol)), shape=(len(points), width))
    am = sparse.csr_matrix((np.ones(len(arow), dtype=np.int32), (arow, acol)), shape=(len(actions), width))
    shared = (am @ pm.T).tocsr()  # sparse: thousands of actions by thousands of points stay small
    best = np.asarray(shared.argmax(axis=1)).ravel()
    most = np.asarray(shared.max(axis=1).todense()).ravel()
    for action, j, count in zip(actions, best, most, strict=True):
        action.unsure = True
        if count >= 2:
            action.answers = [points[j].no]
            action.note = (f"{action.note}; for line {points[j].no}, the point sharing most words with it (a guess: "
                           "check)").lstrip("; ")
        else:
            action.note = (f"{action.note}; no point shares its words: give the line number of the point whose "
                           "tracker item should carry it").lstrip("; ")


def points_from_lines(lines: list[Line], merge_threshold: float | None = MERGE_THRESHOLD) -> list[Point]:
    """The feedback points: the lines read as points, each with the responses and actions that
    answer it; near-identical points merged when ``merge_threshold`` is given."""
    responses: dict[int, list[str]] = {}
    actions: dict[int, list[str]] = {}
    for line in lines:
        target = responses if line.role == RESPONSE else actions if line.role == ACTION else None
        if target is not None:
            for no in line.answers:
                target.setdefault(no, []).append(line.text)
    points = [Point(seq=i, text=x.text, section=x.section, kind=x.kind if x.kind in ("bullet", "numbered",
                                                                                     "table") else "paragraph",
                    response="\n\n".join(responses.get(x.no, [])), actions=actions.get(x.no, []), line=x.no)
              for i, x in enumerate((x for x in lines if x.role == POINT), start=1)]
    return points if merge_threshold is None else merge_near_duplicates(points, merge_threshold)


def with_roles(notes: EventNotes, roles: list[str], answers: list[str] | None = None,
               merge_threshold: float = MERGE_THRESHOLD) -> EventNotes:
    """The notes with each line's role (and, for responses and actions, the point lines they answer,
    as "3" or "3, 4") as a person set them in the preview; points built again from them.

    A response or action that names a line that is not a point is refused, in words, rather than lost.
    """
    if len(roles) != len(notes.lines) or (answers is not None and len(answers) != len(notes.lines)):
        raise ValueError("one role (and one 'answers') per line is needed")
    lines = []
    for line, role, given in zip(notes.lines, roles, answers if answers is not None else [None] * len(roles),
                                 strict=True):
        if role not in ROLES:
            raise InputError(f"{notes.filename}, line {line.no}: '{role}' is not a role; choose one of "
                             f"{', '.join(ROLES)}.")
        numbers = line.answers
        if given is not None:
            parts = [p.strip() for p in str(given).replace(";", ",").split(",") if p.strip()]
            if not all(p.isdigit() for p in parts):
                raise InputError(f"{notes.filename}, line {line.no}: '{given}' is not a list of line numbers; "
                                 "write them like 3 or 3, 4.")
            numbers = [int(p) for p in parts]
        lines.append(dataclasses.replace(line, role=role, answers=numbers))
    point_lines = {x.no for x in lines if x.role == POINT}
    for line in lines:
        if line.role in (RESPONSE, ACTION):
            wrong = [n for n in line.answers if n not in point_lines]
            if wrong:
                raise InputError(f"{notes.filename}, line {line.no} ({line.role}) answers line {wrong[0]}, which is "
                                 "not a point: give the line number of a point, or leave it empty.")
            if line.role == RESPONSE and not line.answers:
                raise InputError(f"{notes.filename}, line {line.no} is a Panel response that answers no point: give "
                                 "the line number of the point it answers, or mark it skipped.")
    points = points_from_lines(lines, merge_threshold)
    if not points:
        raise InputError(f"{notes.filename}: no line is marked as a point, so there is nothing to import.")
    return dataclasses.replace(notes, lines=lines, points=points)


_COUNT_UNIT = re.compile(r"\s+(people|persons|attendees|participants|delegates|partnerships|partners)\.?\s*$",
                         re.IGNORECASE)


def _set_meta(meta: EventMeta, key: str, value: str, name: str, problems: list[str]) -> None:
    if not value:
        return
    if key == "region":
        region = normalise_region(value)
        if region is None:
            problems.append(f"{name}: region '{value}' is not one of the nine English regions "
                            f"({', '.join(REGIONS)}); choose one.")
        meta.region = region
    elif key == "event_date":
        meta.event_date = parse_date(value)
        if meta.event_date is None:
            problems.append(f"{name}: date '{value}' is not a date I can read; write it like 14 May 2021.")
    elif key in ("attendees", "partnerships"):
        # Strictly a whole number ("52", "1,200", "56 people"), never the first digits of "about 50, maybe 60".
        count = _COUNT_UNIT.sub("", value)
        try:
            setattr(meta, key, whole_number(count, field=META_LABELS[key]))
        except InputError as err:
            problems.append(f"{name}: {err}")
    else:
        setattr(meta, key, value)


_DATE_FORMATS = ("%d %B %Y", "%d %b %Y", "%A %d %B %Y", "%a %d %b %Y", "%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y",
                 "%B %d %Y", "%d-%m-%Y")


def parse_date(value: str) -> dt.date | None:
    """A date as people write it in notes (British order), or None."""
    text = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", " ".join(str(value).replace(",", " ").split()))
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


# ---------------------------------------------------------------- CSV / XLSX of points


def _read_points_table(name: str, content: bytes, suffix: str, merge_threshold: float) -> EventNotes:
    """A table with one point per row; event details in columns must be the same on every row."""
    from feedback.grids import read_csv, read_xlsx  # plain CSV/XLSX grids: delimiters, header row, safety

    frame = (read_csv if suffix == ".csv" else read_xlsx)(name, content)
    frame = frame.astype("string").fillna("")
    frame.columns = [" ".join(str(c).split()).casefold() for c in frame.columns]
    text_col = next((c for c in _POINT_COLUMNS if c in frame.columns), None)
    if text_col is None:
        raise InputError(f"{name}: no column of points. Name the column with the feedback 'Point' "
                         f"(found: {', '.join(map(str, frame.columns)) or 'no columns'}).")
    section_col = next((c for c in _SECTION_COLUMNS if c in frame.columns), None)
    meta, problems = EventMeta(), []
    for column in frame.columns:
        key = _meta_key(column)
        if key is None:
            continue
        values = sorted({v.strip() for v in frame[column].astype(str) if v.strip()})
        if len(values) > 1:
            raise InputError(f"{name}: column '{column}' has more than one value ({', '.join(values[:3])}); "
                             "a file holds one event, so save each event's points in its own file.")
        if values:
            _set_meta(meta, key, values[0], name, problems)
    texts = frame[text_col].astype(str).str.split().str.join(" ")
    sections = frame[section_col].astype(str).str.strip() if section_col else pd.Series("", index=frame.index)
    keep = texts != ""
    points = [Point(seq=i + 1, text=t, section=s, kind="table")
              for i, (t, s) in enumerate(zip(texts[keep], sections[keep], strict=True))]
    if not points:
        raise InputError(f"{name}: the '{text_col}' column is empty; put one feedback point on each row.")
    _check_points(name, points)
    notes = EventNotes(filename=name, meta=meta, points=merge_near_duplicates(points, merge_threshold),
                       problems=problems)
    return notes
