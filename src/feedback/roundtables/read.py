"""Read one roundtable event's notes (.docx, Markdown, plain text, or a
CSV/XLSX of points) into its metadata and its feedback points.

Notes come from whoever took them, in whatever shape Word gave them, so the
reader accepts headings, bullet and numbered lists, paragraphs and tables,
and reads the event's details from an opening block of ``Key: value`` lines.
What it cannot find is listed in ``EventNotes.missing`` so the page can ask.
Every failure is an ``InputError`` naming the file and what to do.
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
_POINT_COLUMNS = ("point", "feedback point", "feedback", "text", "comment", "what was said", "issue raised", "issue")
_SECTION_COLUMNS = ("section", "heading", "topic")
MERGE_THRESHOLD = 0.85
MAX_POINTS = 5_000          # points in one event's notes (a long event has a few hundred)
MAX_POINT_CHARS = 20_000    # one point (about 3,000 words)
MAX_TABLE_CELLS = 200_000   # cells in all of a Word document's tables
MAX_GRID_SPAN = 64          # columns one Word table cell may span (Word's own limit)
SUFFIXES = (".docx", ".md", ".markdown", ".txt", ".csv", ".xlsx")


@dataclass
class EventMeta:
    """An event's details; None where the notes did not say."""

    title: str | None = None
    region: str | None = None
    event_date: dt.date | None = None
    attendees: int | None = None
    partnerships: int | None = None
    panel_lead: str | None = None
    note: str | None = None

    def missing(self) -> list[str]:
        """The details still needed, as field names (see META_LABELS for words)."""
        return [name for name in META_FIELDS if getattr(self, name) in (None, "")]


@dataclass
class Point:
    """One feedback point. ``merged`` holds the other near-identical texts folded into it."""

    seq: int
    text: str
    section: str = ""
    kind: str = "paragraph"  # bullet | numbered | paragraph | table
    merged: list[str] = field(default_factory=list)


@dataclass
class EventNotes:
    filename: str
    meta: EventMeta
    points: list[Point]
    problems: list[str] = field(default_factory=list)  # details present but unusable (e.g. unknown region)

    @property
    def missing(self) -> list[str]:
        return self.meta.missing()

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
    kind: str  # heading | bullet | numbered | paragraph | table
    text: str


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
    """Paragraphs and tables in document order, classified by style and numbering."""
    import docx

    _check_docx_tables(name, content)
    try:
        document = docx.Document(io.BytesIO(content))
        items = list(document.iter_inner_content())
    except MemoryError:
        raise
    except Exception as err:  # noqa: BLE001 - python-docx raises many kinds on damaged packages
        raise InputError(f"{name} could not be read as a Word document ({type(err).__name__}: {err}). "
                         "Open it in Word and save it again as .docx, or save the notes as plain text.") from None
    try:
        return _classify(items)
    except (InputError, MemoryError):
        raise
    except Exception as err:  # noqa: BLE001 - styles, numbering or tables damaged inside the package
        raise InputError(f"{name}: part of the Word document is damaged ({type(err).__name__}: "
                         f"{' '.join(str(err).split())[:120]}). Open it in Word and save it again as .docx, or save "
                         "the notes as plain text.") from None


def _classify(items) -> list[_Block]:
    """Headings, list items, paragraphs and table rows, from python-docx's items in order."""
    from docx.table import Table

    blocks: list[_Block] = []
    for item in items:
        if isinstance(item, Table):
            blocks.extend(_table_rows(_table_cells(item._tbl)))
            continue
        text = " ".join(item.text.split())
        if not text:
            continue
        style = (item.style.name if item.style is not None else "") or ""
        ppr = item._p.pPr
        numbered = ppr is not None and ppr.numPr is not None
        if style.startswith("Heading") or style in ("Title", "Subtitle"):
            blocks.append(_Block("heading", text))
        elif "Number" in style:
            blocks.append(_Block("numbered", text))
        elif "Bullet" in style or style.startswith("List") or numbered:
            blocks.append(_Block("bullet", text))
        else:
            blocks.append(_Block("paragraph", text))
    return blocks


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
#: Run content and its text, as python-docx's ``Run.text`` gives it (``w:t`` its own text; ``w:br`` below).
_RUN_TEXT = {f"{_W}tab": "\t", f"{_W}ptab": "\t", f"{_W}cr": "\n", f"{_W}noBreakHyphen": "-"}


def _table_cells(tbl) -> list[list[str]]:
    """Each row's cells as written (``w:tc``), each cell's text as python-docx's ``_Cell.text``.

    Walks the table's XML with lxml: rows, their cells, the cells' paragraphs
    (joined by a new line) and their runs (also inside hyperlinks). A spanned
    cell is one ``w:tc`` (not repeated per ``gridSpan`` column as python-docx's
    laid-out grid would) and a vertically merged cell keeps its own (usually
    empty) text. Going through python-docx's objects cost ~0.15 ms a cell
    (0.7 s for a 5,000-row table).
    """
    tr, tc, p, r, link = f"{_W}tr", f"{_W}tc", f"{_W}p", f"{_W}r", f"{_W}hyperlink"
    return [["\n".join("".join(_run_text(run) for child in para.iterchildren(r, link)
                                for run in ((child,) if child.tag == r else child.iterchildren(r)))
                        for para in cell.iterchildren(p))
             for cell in row.iterchildren(tc)]
            for row in tbl.iterchildren(tr)]


def _run_text(run) -> str:
    """A run's text as python-docx's ``Run.text``: text, tabs, line breaks (not page or column breaks)."""
    t, br = f"{_W}t", f"{_W}br"
    parts = []
    for element in run.iterchildren():
        tag = element.tag
        if tag == t:
            parts.append(element.text or "")
        elif tag == br:
            parts.append("\n" if element.get(f"{_W}type", "textWrapping") == "textWrapping" else "")
        else:
            parts.append(_RUN_TEXT.get(tag, ""))
    return "".join(parts)


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
    """A table becomes metadata lines (a two-column key/value table) or one point per row."""
    rows = [[" ".join(c.split()) for c in row] for row in rows if any(c.strip() for c in row)]
    if not rows:
        return []
    # Word repeats merged cells: drop consecutive duplicates within a row.
    rows = [[c for i, c in enumerate(row) if i == 0 or c != row[i - 1]] for row in rows]
    if all(len(r) == 2 and _meta_key(r[0]) for r in rows):
        return [_Block("paragraph", f"{r[0].rstrip(':')}: {r[1]}") for r in rows]
    header = [c.casefold().strip(" :") for c in rows[0]]
    column = next((header.index(h) for h in _POINT_COLUMNS if h in header), None)
    body = rows[1:] if column is not None or (len(rows) > 1 and max(map(len, rows[0])) < 40) else rows
    if column is None:
        width = max(len(r) for r in body) if body else 0
        lengths = [sum(len(r[i]) for r in body if i < len(r)) for i in range(width)]
        column = lengths.index(max(lengths)) if lengths else 0
    return [_Block("table", r[column]) for r in body if column < len(r) and r[column]]


_BULLET = re.compile(r"^\s*(?:[-*+\u2022\u00b7\u25aa\u2013])\s+(.*)$")
_NUMBER = re.compile(r"^\s*(?:\d+|[a-zA-Z])[.)]\s+(.*)$")
_MD_HEADING = re.compile(r"^\s*#{1,6}\s+(.*?)\s*#*\s*$")
_MD_TABLE = re.compile(r"^\s*\|.*\|\s*$")
_MD_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


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
        if markdown and _MD_TABLE.match(line):
            if current is not None:
                flush()
            if not _MD_RULE.match(line):
                table.append([c.strip() for c in line.strip().strip("|").split("|")])
            continue
        if table:
            flush()
        heading = _MD_HEADING.match(line) if markdown else None
        if heading:
            flush()
            blocks.append(_Block("heading", heading.group(1).strip("*_ ")))
            continue
        if not markdown and line.strip().endswith(":") and len(line.strip()) < 60 and current is None:
            blocks.append(_Block("heading", line.strip().rstrip(":")))
            continue
        bullet, number = _BULLET.match(line), _NUMBER.match(line)
        if bullet or number:
            flush()
            current = _Block("bullet" if bullet else "numbered", (bullet or number).group(1))
            continue
        if current is None:
            current = _Block("paragraph", line)
        elif current.kind == "paragraph" and _meta_line(current.text) and _meta_line(line):
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


def _meta_line(text: str) -> tuple[str, str] | None:
    if ":" not in text:
        return None
    key, value = text.split(":", 1)
    name = _meta_key(key)
    return (name, value.strip().strip("*_ ")) if name and len(key) < 40 else None


def notes_from_blocks(name: str, blocks: list[_Block]) -> EventNotes:
    """Read the opening block of details, then one point per list item, paragraph or table row."""
    meta = EventMeta()
    problems: list[str] = []
    points: list[Point] = []
    section = ""
    opening, seen_meta = True, False
    for block in blocks:
        found = _meta_line(block.text) if opening and block.kind in ("paragraph", "bullet") else None
        if found:
            _set_meta(meta, found[0], found[1], name, problems)
            seen_meta = True
            continue
        if block.kind == "heading":
            if opening and meta.title is None and not seen_meta:
                meta.title = block.text
            else:
                section = block.text
                opening = False
            continue
        opening = False
        points.append(Point(seq=len(points) + 1, text=block.text, section=section, kind=block.kind))
    return EventNotes(filename=name, meta=meta, points=points, problems=problems)


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
    from feedback.survey.read import read_csv, read_xlsx  # the survey's readers: delimiters, header row, safety

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


# ---------------------------------------------------------------- merging


def _normal(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


def similarity(a: str, b: str) -> float:
    """How alike two points are: the larger of the character ratio (Indel, as difflib's
    ratio but exact and in C++) and the word-set Jaccard."""
    from rapidfuzz import fuzz

    na, nb = _normal(a), _normal(b)
    if not na or not nb:
        return 0.0
    wa, wb = set(na.split()), set(nb.split())
    jaccard = len(wa & wb) / len(wa | wb)
    return max(jaccard, fuzz.ratio(na, nb) / 100)


def _similar_pairs(texts: list[str], threshold: float):
    """Sparse boolean matrix, row ``i`` marking every ``j < i`` with ``similarity(texts[i],
    texts[j]) >= threshold`` (the lower triangle is what merging reads).

    Each measure first rules out, with array arithmetic, the pairs that cannot
    reach the threshold (lengths, character counts, word-set sizes), and is
    computed exactly only on the rest: comparing all pairs character by
    character cost seconds at 2,000 points.
    """
    from scipy import sparse

    normals = [_normal(t) for t in texts]
    n = len(normals)
    filled = np.flatnonzero([bool(t) for t in normals])  # an empty text is alike nothing
    kept = [normals[i] for i in filled]
    pairs = [_alike_characters(kept, int(np.ceil(threshold * 100 - 1e-9))), _alike_words(kept, threshold)]
    later = filled[np.concatenate([p[0] for p in pairs])]
    earlier = filled[np.concatenate([p[1] for p in pairs])]
    alike = sparse.csr_matrix((np.ones(len(later), dtype=bool), (np.maximum(later, earlier),
                                                                 np.minimum(later, earlier))), shape=(n, n))
    alike.sum_duplicates()
    return alike


_BLOCK = 128  # rows compared at a time: keeps each block's arrays within the CPU's cache


def _alike_characters(normals: list[str], cutoff: int) -> tuple[np.ndarray, np.ndarray]:
    """(i, j) with ``fuzz.ratio(normals[i], normals[j]) >= cutoff``, each pair once.

    The ratio is ``200 * LCS / (len(a) + len(b))`` (LCS: the longest common
    subsequence), and two bounds on the LCS rule out most pairs before
    rapidfuzz computes it exactly:

    - the characters the two texts share, counted (each of the commonest
      characters on its own, the rest together), for every pair of a block;
      texts sorted by length leave those too different in length out of it;
    - where most of a block's pairs pass that (texts made of the same
      characters in another order), the LCS of the texts without their
      commonest characters, short enough for rapidfuzz to compare several at a
      time, plus the commonest characters they share.
    """
    from rapidfuzz import fuzz, process
    from rapidfuzz.distance import LCSseq

    n = len(normals)
    if n < 2 or cutoff > 100:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    cutoff = max(cutoff, 0)
    lengths = np.fromiter(map(len, normals), dtype=np.int64, count=n)
    order = np.argsort(lengths, kind="stable")
    lengths = lengths[order]
    texts = [normals[i] for i in order]
    counts, commonest = _char_counts(texts, lengths, np.int16 if 2 * lengths[-1] < 2**15 else np.int32)
    # How many of the commonest characters to leave out so that most texts are at most 64 characters.
    drop = next((m for m in range(1, len(commonest) + 1)
                 if np.percentile(lengths - counts[:m].sum(axis=0), 90) <= 64), 0)
    rarer = [t.translate(dict.fromkeys(map(ord, commonest[:drop]))) for t in texts] if drop else None
    # Ratio >= cutoff needs the shorter text to be at least cutoff / (200 - cutoff) of the longer.
    shortest = np.searchsorted(lengths, lengths * cutoff / (200 - cutoff) - 1e-9)
    # Per text, what a pair may differ by (L1 distance, as 100 * L1 <= (100 - cutoff) * (len(a) + len(b)))
    # and must share (LCS, as 200 * LCS >= cutoff * (len(a) + len(b))), rounded down: each pair's sum
    # of the two allows at most 1 more than the exact bound, never less.
    differ = (lengths * (100 - cutoff) // 100).astype(counts.dtype)
    share = (lengths * cutoff // 200).astype(np.int32)
    found_i, found_j = [], []
    for start in range(0, n, _BLOCK):
        stop = min(n, start + _BLOCK)
        low = shortest[start]
        if low >= stop:
            continue
        distance = np.zeros((stop - start, stop - low), dtype=counts.dtype)
        diff = np.empty_like(distance)
        for row in counts:  # one character (or the rest) at a time: small arrays, no 3-D temporaries
            np.subtract(row[start:stop, None], row[None, low:stop], out=diff)
            np.abs(diff, out=diff)
            distance += diff
        # LCS <= (len(a) + len(b) - L1 distance of the counts) / 2
        distance -= differ[None, low:stop]
        maybe = distance <= differ[start:stop, None] + 1
        maybe[:, start - low:] &= np.tri(stop - start, k=-1, dtype=bool)  # each pair once: j < i
        pairs = (start - low) * (stop - start) + (stop - start) * (stop - start - 1) // 2
        if rarer is not None and maybe.sum() > 0.3 * pairs:
            bound = process.cdist(rarer[low:stop], rarer[start:stop], scorer=LCSseq.similarity, dtype=np.int32,
                                  workers=-1).T
            for row in counts[:drop]:
                bound += np.minimum(row[start:stop, None], row[None, low:stop])
            bound -= share[None, low:stop]
            maybe &= bound >= share[start:stop, None]
        if maybe.sum() > 0.3 * pairs:  # most pairs left: compare the whole block at once
            scores = process.cdist(texts[low:stop], texts[start:stop], scorer=fuzz.ratio, score_cutoff=cutoff,
                                   dtype=np.uint8, workers=-1).T
            rows, cols = np.nonzero(maybe & (scores >= cutoff))
            found_i.append(rows + start)
            found_j.append(cols + low)
            continue
        rows, cols = np.nonzero(maybe)
        cols += low
        bounds = np.searchsorted(rows, np.arange(stop - start + 1))
        for k in np.flatnonzero(np.diff(bounds)):
            these = cols[bounds[k]:bounds[k + 1]]
            scores = process.cdist([texts[start + k]], [texts[j] for j in these.tolist()], scorer=fuzz.ratio,
                                   score_cutoff=cutoff, dtype=np.uint8, workers=1)[0]
            hit = these[scores >= cutoff]
            found_i.append(np.full(len(hit), start + k))
            found_j.append(hit)
    if not found_i:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    return order[np.concatenate(found_i)], order[np.concatenate(found_j)]


def _char_counts(normals: list[str], lengths: np.ndarray, dtype, bins: int = 32) -> tuple[np.ndarray, list[str]]:
    """(bins, texts) counts: each of the ``bins - 1`` commonest characters, and all others together;
    and those characters, commonest first."""
    codes = np.frombuffer("".join(normals).encode("utf-32-le"), dtype=np.uint32)
    unique, which, freq = np.unique(codes, return_inverse=True, return_counts=True)
    by_freq = np.argsort(-freq, kind="stable")
    rank = np.empty(len(freq), dtype=np.int64)
    rank[by_freq] = np.arange(len(freq))
    text = np.repeat(np.arange(len(normals)), lengths)
    counts = np.bincount(np.minimum(rank[which], bins - 1) * len(normals) + text, minlength=bins * len(normals))
    return counts.reshape(bins, len(normals)).astype(dtype), [chr(c) for c in unique[by_freq[:bins - 1]]]


def _alike_words(normals: list[str], threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """(i, j) whose word sets have Jaccard ``>= threshold``, each pair once.

    Jaccard t needs the smaller set to hold at least t of the larger, so sets
    sorted by size are compared block by block with the sizes that can reach
    it. Shared words are counted as bits for the common words (a bitwise AND
    and a popcount per 64 words: no BLAS threads to wake for small products)
    and with a sparse product for the rest.
    """
    from scipy import sparse

    n = len(normals)
    vocab: dict[str, int] = {}
    rows, cols = [], []
    for i, text in enumerate(normals):
        for word in set(text.split()):
            rows.append(i)
            cols.append(vocab.setdefault(word, len(vocab)))
    if n < 2 or not vocab:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    words = sparse.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, cols)), shape=(n, len(vocab)))
    # Words in more than 1 text in 16 cost less as bits than in a sparse product.
    common = np.bincount(cols, minlength=len(vocab)) * 16 >= n
    sizes = np.diff(words.indptr)
    order = np.argsort(sizes, kind="stable")
    sizes = sizes[order]
    words = words[order]
    bits = np.packbits(words[:, np.flatnonzero(common)].toarray() > 0, axis=1, bitorder="little")
    bits = np.pad(bits, ((0, 0), (0, -bits.shape[1] % 8))).view(np.uint64).T.copy()  # (64-word groups, texts)
    rare = words[:, np.flatnonzero(~common)].tocsr()
    smallest = np.searchsorted(sizes, threshold * sizes - 1e-9)
    # Jaccard >= t also needs at least t of each set shared: a cheap test before the exact one.
    need = np.ceil(threshold * sizes - 1e-9).astype(np.int32)
    found_i, found_j = [], []
    for start in range(0, n, _BLOCK):
        stop = min(n, start + _BLOCK)
        low = smallest[start]
        if low >= stop:
            continue
        shared = (rare[start:stop] @ rare[low:stop].T).toarray()
        for group in bits:
            shared += np.bitwise_count(group[start:stop, None] & group[None, low:stop])
        i, j = np.nonzero(shared >= need[start:stop, None])
        common_words = shared[i, j]
        i += start
        j += low
        hit = (j < i) & (common_words >= threshold * (sizes[i] + sizes[j] - common_words) - 1e-9)
        found_i.append(i[hit])
        found_j.append(j[hit])
    if not found_i:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    return order[np.concatenate(found_i)], order[np.concatenate(found_j)]


def merge_near_duplicates(points: list[Point], threshold: float = MERGE_THRESHOLD) -> list[Point]:
    """Fold points that say nearly the same thing into the first of them, keeping every text.

    Notes often repeat a point (two note-takers, or a point restated in a
    summary); counting it twice would inflate that theme for that event. A
    point joins the first kept point that it, or any text already folded into
    that point, is alike.
    """
    if not points:
        return []
    alike = _similar_pairs([p.text for p in points], threshold)
    group = np.full(len(points), -1)
    kept: list[Point] = []
    for i, point in enumerate(points):
        earlier = group[alike.indices[alike.indptr[i]:alike.indptr[i + 1]]]
        if len(earlier):
            twin = kept[int(earlier.min())]
            twin.merged.append(point.text)
            group[i] = earlier.min()
        else:
            group[i] = len(kept)
            kept.append(Point(seq=len(kept) + 1, text=point.text, section=point.section, kind=point.kind,
                              merged=list(point.merged)))
    return kept
