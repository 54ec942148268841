"""The drafted annex as plain content blocks, and its Word rendering.

Built with python-docx: the annex is assembled programmatically (tables of
any length, pictures with alt text, repeating header rows), which python-docx
does directly; docxtpl adds Jinja placeholders on top of python-docx, which
would only move the same code into a template. House style comes from the
template's styles (the user's ``.docx`` or ``data/templates/annex_template.docx``).

Accessibility, as the Word checker and GOV.UK guidance ask: real heading
styles in order (Title, then Heading 1, 2, 3 without skipping), a description
on every picture (``wp:docPr descr``: one or two sentences, then "Data in the
table below."), table header rows marked to repeat (``w:tblHeader``),
language en-GB in the default run properties, the document title set; every
chart has a table below it, so no text or number exists only inside an image.

Layout, for a page that prints as published: column widths set to the
content (fixed layout, each column at least its longest word), rows that
cannot split across pages (``w:cantSplit``), headings, captions and pictures
kept with what follows, pictures at their natural size (never wider than the
text, so chart text stays at least 9 pt), "Page N" in the footer (a PAGE
field). Drafting notes are Word comments on their paragraph, not body text.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

DEFAULT_TEMPLATE = Path(__file__).resolve().parents[3] / "data" / "templates" / "annex_template.docx"
LANGUAGE = "en-GB"


@dataclass
class Heading:
    text: str
    level: int  # 0 = document title, then 1, 2, 3


@dataclass
class Paragraph:
    text: str
    bullet: bool = False
    comment: str | None = None  # a drafting note for the editor: a Word comment on the paragraph, not body text


@dataclass
class Table:
    caption: str
    frame: pd.DataFrame  # cells as text, header = column names


@dataclass
class Chart:
    caption: str
    png: bytes
    alt: str  # one or two sentences, ending "…: data in the table below."
    table: Table  # the same figures as a table, below the picture
    ppi: int = 150  # the PNG's pixels per inch (its natural size is pixels * 72 / ppi points)
    font_px: float = 11  # the smallest text in the chart, in chart pixels (points at its natural size)
    notes: str = ""  # notes and source written under the picture (when the image leaves them out)


@dataclass
class Annex:
    title: str
    blocks: list = field(default_factory=list)

    def add(self, *blocks) -> None:
        self.blocks.extend(blocks)

    def text(self) -> str:
        """Every word of the annex as plain text (headings, paragraphs, captions, table cells)."""
        out = []
        for b in self.blocks:
            if isinstance(b, (Heading, Paragraph)):
                out.append(b.text)
            elif isinstance(b, Table):
                out += [b.caption, *[" | ".join(map(str, r)) for r in b.frame.astype(str).itertuples(index=False)]]
            elif isinstance(b, Chart):
                out += [b.caption,
                        *[" | ".join(map(str, r)) for r in b.table.frame.astype(str).itertuples(index=False)]]
        return "\n".join(out)

    def comments(self) -> list[str]:
        return [b.comment for b in self.blocks if isinstance(b, Paragraph) and b.comment]


def _table_texts(table: Table) -> list[str]:
    return [table.caption, *map(str, table.frame.columns),
            *(str(v) for row in table.frame.itertuples(index=False, name=None) for v in row)]


def reading_order(blocks: Sequence) -> list[str]:
    """Every text of ``blocks`` in the order a reader meets it (captions, then cells row by row)."""
    out: list[str] = []
    for b in blocks:
        if isinstance(b, Heading):
            out.append(b.text)
        elif isinstance(b, Paragraph):
            out += [b.text, b.comment or ""]
        elif isinstance(b, Table):
            out += _table_texts(b)
        elif isinstance(b, Chart):
            out += [b.caption, b.alt, *_table_texts(b.table)]
    return out


def _map_table(table: Table, fn) -> None:
    table.caption = fn(table.caption)
    frame = table.frame.copy()
    frame.columns = [fn(str(c)) for c in frame.columns]
    for col in frame.columns:
        frame[col] = frame[col].map(lambda v: fn(v) if isinstance(v, str) else v)
    table.frame = frame


def map_text(blocks: Sequence, fn) -> None:
    """Apply ``fn`` to every text of ``blocks`` (in place)."""
    for b in blocks:
        if isinstance(b, Heading):
            b.text = fn(b.text)
        elif isinstance(b, Paragraph):
            b.text = fn(b.text)
            b.comment = fn(b.comment) if b.comment else b.comment
        elif isinstance(b, Table):
            _map_table(b, fn)
        elif isinstance(b, Chart):
            b.caption, b.alt, b.notes = fn(b.caption), fn(b.alt), fn(b.notes)
            _map_table(b.table, fn)


def _w(tag: str) -> str:
    from docx.oxml.ns import qn

    return qn(tag)


def _set_language(doc) -> None:
    """en-GB as the default language of every run (styles.xml docDefaults/rPrDefault/rPr/w:lang)."""
    from docx.oxml import OxmlElement

    styles = doc.styles.element
    defaults = styles.find(_w("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    rpr_default = defaults.find(_w("w:rPrDefault"))
    if rpr_default is None:
        rpr_default = OxmlElement("w:rPrDefault")
        defaults.insert(0, rpr_default)
    rpr = rpr_default.find(_w("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        rpr_default.append(rpr)
    lang = rpr.find(_w("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    for attr in ("w:val", "w:eastAsia", "w:bidi"):
        lang.set(_w(attr), LANGUAGE)


def _clear_body(doc) -> None:
    """Keep the template's styles, headers, footers and page set-up; drop its sample text."""
    body = doc.element.body
    for child in list(body):
        if child.tag != _w("w:sectPr"):
            body.remove(child)


def _style(doc, name: str, *, fallback_level: int | None = None):
    """The template's style by name; a missing heading style is added with its outline level."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml import OxmlElement

    try:
        return doc.styles[name]
    except KeyError:
        pass
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles["Normal"]
    if fallback_level is not None:
        style.font.bold = True
        ppr = style.element.get_or_add_pPr()
        outline = OxmlElement("w:outlineLvl")
        outline.set(_w("w:val"), str(max(0, fallback_level - 1)))
        ppr.append(outline)
    return style


def _repeat_header(row) -> None:
    from docx.oxml import OxmlElement

    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(_w("w:val"), "true")
    tr_pr.append(header)


def _cant_split(row) -> None:
    """The row stays whole on one page (w:cantSplit): a point is never cut from its response."""
    from docx.oxml import OxmlElement

    tr_pr = row._tr.get_or_add_trPr()
    if tr_pr.find(_w("w:cantSplit")) is None:
        tr_pr.insert(0, OxmlElement("w:cantSplit"))


def _text_width(doc):
    from docx.shared import Cm

    section = doc.sections[-1]
    if section.page_width and section.left_margin is not None and section.right_margin is not None:
        return section.page_width - section.left_margin - section.right_margin
    return Cm(16)


CHAR_PT = 5.3     # an average character of 9 pt Arial, in points (bold headers a little wider)
CELL_PAD_PT = 11  # a cell's left and right margins together (0.19 cm each)


def column_widths(frame: pd.DataFrame, total: int) -> list[int]:
    """Widths (EMU, summing to ``total``) set to the content: each column gets at least its longest
    word (so no word breaks: "arrangements", "recommendations"; a header word in bold), then a share
    of the rest in proportion to how much longer its text runs."""
    total_pt = total / 12700
    cols = [(str(c), [str(v) for v in frame.iloc[:, j]]) for j, c in enumerate(frame.columns)]
    minimum = [max(max((len(w) * CHAR_PT * 1.12 for w in head.split()), default=0),
                   max((len(w) * CHAR_PT for text in cells for w in text.split()), default=0)) + CELL_PAD_PT
               for head, cells in cols]
    natural = [max(len(head) * CHAR_PT * 1.12, max((len(t) * CHAR_PT for t in cells), default=0)) + CELL_PAD_PT
               for head, cells in cols]
    if sum(minimum) >= total_pt:  # more long words than fit: share the width by the longest words alone
        weights = minimum
    else:
        spare = [max(0.0, min(n, 2 * total_pt) - m) for n, m in zip(natural, minimum, strict=True)]
        room = total_pt - sum(minimum)
        if sum(spare) <= room:  # everything fits on one line: give each its natural width, the rest evenly
            extra = [x + (room - sum(spare)) / len(spare) for x in spare]
        else:
            extra = [room * x / sum(spare) for x in spare]
        weights = [m + e for m, e in zip(minimum, extra, strict=True)]
    widths = [int(total * w / sum(weights)) for w in weights]
    widths[-1] += total - sum(widths)
    return widths


def _set_widths(grid, widths: list[int]) -> None:
    """Fixed layout with the given column widths (tblGrid, every cell's tcW)."""
    from docx.oxml import OxmlElement

    grid.autofit = False
    tbl_pr = grid._tbl.tblPr
    layout = tbl_pr.find(_w("w:tblLayout"))
    if layout is None:
        layout = OxmlElement("w:tblLayout")
        tbl_pr.append(layout)
    layout.set(_w("w:type"), "fixed")
    tbl_w = tbl_pr.find(_w("w:tblW"))
    if tbl_w is None:
        tbl_w = OxmlElement("w:tblW")
        tbl_pr.append(tbl_w)
    tbl_w.set(_w("w:w"), str(sum(widths) // 635))  # EMU -> twentieths of a point
    tbl_w.set(_w("w:type"), "dxa")
    for col, width in zip(grid.columns, widths, strict=True):
        col.width = width
    for row in grid.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width


def _add_caption(doc, text: str):
    p = doc.add_paragraph(text, style=_style(doc, "Caption"))
    p.paragraph_format.keep_with_next = True  # never stranded at the foot of a page
    return p


def _add_table(doc, table: Table, *, font_pt: float = 9) -> None:
    from docx.shared import Pt

    if table.caption:
        _add_caption(doc, table.caption)
    frame = table.frame
    grid = doc.add_table(rows=1, cols=len(frame.columns))
    try:
        grid.style = doc.styles["Table Grid"]
    except KeyError:
        pass
    for cell, name in zip(grid.rows[0].cells, frame.columns, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(str(name))
        run.bold = True
    _repeat_header(grid.rows[0])
    for values in frame.astype(str).itertuples(index=False, name=None):
        cells = grid.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = value
    _set_widths(grid, column_widths(frame, _text_width(doc)))
    for row in grid.rows:
        _cant_split(row)
        for cell in row.cells:
            for p in cell.paragraphs:
                for run in p.runs:
                    run.font.size = Pt(font_pt)
    doc.add_paragraph()  # a gap before what follows (Word joins two adjacent tables into one)


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) in pixels of a PNG."""
    import struct

    return struct.unpack(">II", png[16:24])


def placed_width_pt(chart: Chart, text_width_pt: float) -> float:
    """The width the picture is placed at: its natural size, or the text width if narrower."""
    natural = png_size(chart.png)[0] * 72 / chart.ppi
    return min(natural, text_width_pt)


def _add_picture(doc, chart: Chart) -> None:
    from docx.shared import Pt

    _add_caption(doc, chart.caption)
    width = Pt(placed_width_pt(chart, _text_width(doc) / 12700))
    shape = doc.add_picture(io.BytesIO(chart.png), width=width)
    doc.paragraphs[-1].paragraph_format.keep_with_next = True  # the chart stays with its table
    doc_pr = shape._inline.docPr
    doc_pr.set("descr", chart.alt)
    doc_pr.set("title", chart.caption[:250])
    if chart.notes:
        notes = doc.add_paragraph()
        notes.add_run(chart.notes).font.size = Pt(9)
        notes.paragraph_format.keep_with_next = True
    _add_table(doc, chart.table)


def _page_numbers(doc) -> None:
    """"Page N" (a PAGE field) centred in every section's footer, unless the footer already numbers pages."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement

    for section in doc.sections:
        footer = section.footer
        footer.is_linked_to_previous = False
        if "PAGE" in "".join(e.get(_w("w:instr"), "") or (e.text or "") for e in footer._element.iter()
                             if e.tag in (_w("w:fldSimple"), _w("w:instrText"))):
            continue
        p = next((p for p in footer.paragraphs if not p.text.strip()), None) or footer.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.add_run("Page ")
        field = OxmlElement("w:fldSimple")
        field.set(_w("w:instr"), "PAGE")
        run = OxmlElement("w:r")
        text = OxmlElement("w:t")
        text.text = "1"
        run.append(text)
        field.append(run)
        p._p.append(field)


COMMENT_AUTHOR = "Feedback analysis app"


def _add_paragraph(doc, block: Paragraph) -> None:
    style = _style(doc, "List Bullet") if block.bullet else None
    p = doc.add_paragraph(block.text, style=style)
    if block.comment and p.runs:
        doc.add_comment(p.runs, text=block.comment, author=COMMENT_AUTHOR, initials="FA")


def _render(doc, annex: Annex) -> None:
    """The annex's blocks into ``doc`` (its body already cleared), with page numbers in the footer."""
    for block in annex.blocks:
        if isinstance(block, Heading):
            name = "Title" if block.level == 0 else f"Heading {block.level}"
            p = doc.add_paragraph(block.text, style=_style(doc, name, fallback_level=block.level or 1))
            p.paragraph_format.keep_with_next = True
        elif isinstance(block, Paragraph):
            _add_paragraph(doc, block)
        elif isinstance(block, Chart):
            _add_picture(doc, block)
        elif isinstance(block, Table):
            _add_table(doc, block)
        else:  # pragma: no cover - a programming error, not bad input
            raise TypeError(f"unknown annex block {type(block).__name__}")
    _page_numbers(doc)


def to_docx(annex: Annex, template: bytes | None = None) -> bytes:
    """The annex as a Word document in the template's house style."""
    from docx import Document

    doc = Document(io.BytesIO(template) if template else str(DEFAULT_TEMPLATE))
    _clear_body(doc)
    _set_language(doc)
    doc.core_properties.title = annex.title
    doc.core_properties.language = LANGUAGE
    _render(doc, annex)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


# ------------------------------------------------------------------ a user's template: untrusted
#: A template's text or styles beyond this many XML elements are refused (a 300-page report has about
#: 250,000; an empty Word document 30 in its text and 1,200 in its styles): python-docx would make a
#: Python object for each one while building the annex.
MAX_TEMPLATE_ELEMENTS = 500_000
#: One line per bad template ends with this: what to do.
_TEMPLATE_ADVICE = ("Use a Word document with your house styles and little or no content, saved from Word as .docx "
                    "(or build the annex without a template).")


def check_template(filename: str, content: bytes) -> bytes:
    """A user's template, checked like any uploaded Word file, in a limited child process (size,
    zip parts, zip bomb, DTD, duplicate parts, memory, time): opened once and a small annex built
    with it, so a template that passes can be used. Every fault is one ``InputError`` line naming
    the file and what to do; the server never parses the template itself."""
    from feedback import safety
    from feedback.errors import InputError

    safety.check_size(filename, content)
    if not content.startswith(b"PK"):
        raise InputError(f"{filename}: not a Word document (.docx) that can be opened. {_TEMPLATE_ADVICE}")
    try:
        safety.parse_untrusted(_check_template_in_child, filename, content)
    except safety.LimitExceeded as err:
        raise InputError(f"{filename} cannot be used as a template: it {err.reason} to open. {_TEMPLATE_ADVICE}") \
            from None
    return content


def render(annex: Annex, template: bytes | None = None, *, name: str = "The Word template") -> bytes:
    """``to_docx``; with a user's template, in a limited child process (the template is
    untrusted even after ``check_template``: only a child may parse it)."""
    if template is None:
        return to_docx(annex)
    from feedback import isolation, safety
    from feedback.errors import InputError

    try:
        return safety.run_limited(_render_in_child, annex, template, name, name=name, timeout=safety.CHILD_TIMEOUT_S,
                                  memory=isolation.work_memory(len(template)))
    except safety.LimitExceeded as err:
        raise InputError(f"{name} cannot be used as a template: it {err.reason} to build the annex with. "
                         f"{_TEMPLATE_ADVICE}") from None


def _check_template_in_child(filename: str, content: bytes) -> None:
    from feedback import safety
    from feedback.errors import InputError

    safety.check_zip(filename, content)
    try:
        from docx import Document

        doc = Document(io.BytesIO(content))
    except Exception as err:  # noqa: BLE001 - python-docx raises many types for a damaged file
        if _out_of_memory(err):
            raise MemoryError from None
        raise InputError(f"{filename}: not a Word document (.docx) that can be opened. {_TEMPLATE_ADVICE}") from None
    for part, element in (("text", doc.element.body), ("styles", doc.styles.element)):
        count = int(element.xpath("count(.//*)"))  # counted in C: no Python object per element
        if count > MAX_TEMPLATE_ELEMENTS:
            raise InputError(f"{filename} holds {count:,} XML elements in its {part}, more than the "
                             f"{MAX_TEMPLATE_ELEMENTS:,} a house-style template may have. {_TEMPLATE_ADVICE}")
    if doc.element.body.find(_w("w:sectPr")) is None:
        raise InputError(f"{filename} has no page set-up (the document's last section properties, w:sectPr, are "
                         f"missing), which every document saved by Word has. {_TEMPLATE_ADVICE}")
    del doc
    _render_in_child(_trial_annex(), content, filename)


def _render_in_child(annex: Annex, template: bytes, name: str) -> bytes:
    """Runs in the child: the annex in the template's style, any failure one line naming it."""
    from feedback.errors import InputError

    try:
        return to_docx(annex, template)
    except (InputError, MemoryError):
        raise
    except Exception as err:  # noqa: BLE001 - whatever a crafted template makes python-docx raise
        if _out_of_memory(err):
            raise MemoryError from None
        detail = " ".join(str(err).split())[:120]
        raise InputError(f"{name} cannot be used as a template ({type(err).__name__}"
                         f"{': ' + detail if detail else ''}). {_TEMPLATE_ADVICE}") from None


def _out_of_memory(err: BaseException) -> bool:
    """libxml2 reports running out of memory (the child's limit) as a syntax error."""
    from feedback.isolation import reached_memory_limit

    return isinstance(err, MemoryError) or reached_memory_limit()


def _pixel_png() -> bytes:
    """A 1 x 1 PNG, for the trial annex's picture."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff\xff")) + chunk(b"IEND", b""))


def _trial_annex() -> Annex:
    """Every kind of block, so a template that builds this builds an annex."""
    table = Table("Table 1: trial", pd.DataFrame({"Group": ["All"], "Share": ["50%"]}))
    annex = Annex("Trial annex")
    annex.add(Heading("Trial annex", 0), Heading("Part", 1), Heading("Section", 2), Heading("Question", 3),
              Paragraph("Text."), Paragraph("A point.", bullet=True), table,
              Chart("Figure 1: trial", _pixel_png(), "A trial chart.", table))
    return annex


def headings(blocks: Sequence) -> list[tuple[int, str]]:
    return [(b.level, b.text) for b in blocks if isinstance(b, Heading)]


__all__ = ["Annex", "Chart", "Heading", "Paragraph", "Table", "to_docx", "render", "check_template", "DEFAULT_TEMPLATE",
           "headings", "reading_order", "map_text", "column_widths"]
