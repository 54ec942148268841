"""Write the files that once crashed, hung or fooled the readers, as regression fixtures.

    python scripts/make_untrusted_fixtures.py      # writes tests/fixtures/untrusted/

Each is small and built from scratch (openpyxl, python-docx, plain bytes), so
the folder can be regenerated at any time. tests/test_untrusted.py says
what each must give: a correct read, or one ``InputError`` line naming the
file (and the sheet and cell where there is one).
"""

from __future__ import annotations

import io
import re
import sys
import warnings
import zipfile
from pathlib import Path

import docx
import openpyxl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tools/ (the fuzzer) is not an installed package

from tools import fuzz  # noqa: E402

OUT = ROOT / "tests" / "fixtures" / "untrusted"
SHEET = "xl/worksheets/sheet1.xml"


def workbook(rows: list[list], title: str = "Data", first_empty_sheet: str | None = None) -> bytes:
    wb = openpyxl.Workbook()
    if first_empty_sheet:
        wb.active.title = first_empty_sheet
        ws = wb.create_sheet(title)
    else:
        ws = wb.active
        ws.title = title
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def repack(content: bytes, part: str, change) -> bytes:
    """The same zip package with one part's bytes changed."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            dst.writestr(info.filename, change(data) if info.filename == part else data)
    return out.getvalue()


def duplicate_member(content: bytes, part: str, change) -> bytes:
    """The same zip package with a second part of the same name (changed) after the first: which
    one a reader takes is undefined."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "Duplicate name": the point of the fixture
            dst.writestr(part, change(src.read(part)))
    return out.getvalue()


def word_document() -> bytes:
    out = io.BytesIO()
    docx.Document().save(out)
    return out.getvalue()


def many_paragraphs(count: int, seed: int = 21) -> bytes:
    """A template whose body holds ``count`` empty paragraphs, one in 33 (at random) with a revision id: well
    under the upload limits and the zip-bomb ratio, yet over a GB once python-docx has parsed it."""
    import random

    rnd = random.Random(seed)
    body = b"".join(b"<w:p/>" if rnd.random() < 0.97 else b'<w:p w:rsidR="00A1B2C3"/>' for _ in range(count))
    return repack(word_document(), "word/document.xml", lambda d: d.replace(b"<w:body>", b"<w:body>" + body, 1))


def zip_bomb_part(content: bytes, part: str, size: int) -> bytes:
    """The package with one part padded by ``size`` bytes of spaces (compresses a thousand times)."""
    return repack(content, part, lambda d: d.replace(b"?>", b"?>" + b" " * size, 1))


def with_shared_strings(content: bytes, count: int) -> bytes:
    """The workbook with a shared-strings part (openpyxl writes none) whose root claims ``count`` distinct strings
    (and a million uses of them, which may be true)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
            if info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats.'
                                    b'org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
                                    b"</Relationships>")
            dst.writestr(info.filename, data)
        dst.writestr("xl/sharedStrings.xml", '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.'
                     f'openxmlformats.org/spreadsheetml/2006/main" count="1000000" uniqueCount="{count}"><si><t>x</t>'
                     "</si></sst>")
    return out.getvalue()


def survey_rows(n: int) -> list[list]:
    answers = ["Strongly agree", "Tend to agree", "Tend to disagree"]
    return [["id", "role", "q1_agree"]] + [[i, ["Health", "Police"][i % 2], answers[i % 3]] for i in range(1, n + 1)]


def corrupt_deflate(content: bytes, part: str) -> bytes:
    """The part's compressed bytes overwritten with an invalid deflate block (zlib.error on read),
    leaving the zip directory intact."""
    data = bytearray(content)
    with zipfile.ZipFile(io.BytesIO(content)) as zf:
        info = zf.getinfo(part)
    header = info.header_offset
    name_len = int.from_bytes(data[header + 26:header + 28], "little")
    extra_len = int.from_bytes(data[header + 28:header + 30], "little")
    start = header + 30 + name_len + extra_len
    data[start:start + 8] = b"\xff" * 8  # block type 3: "invalid block type"
    return bytes(data)


def notes_docx(grid_span: str | None = None, table_rows: int = 0) -> bytes:
    document = docx.Document()
    document.add_heading("Roundtable, London", 1)
    for line in ("Region: London", "Date: 24 June 2021", "Attendees: 40", "Partnerships: 12", "Panel lead: A"):
        document.add_paragraph(line)
    document.add_paragraph("Rapid reviews in 15 days are hard", style="List Bullet")
    table = document.add_table(rows=max(2, table_rows + 1), cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Section", "Point"
    for r in range(1, len(table.rows)):
        table.rows[r].cells[0].text, table.rows[r].cells[1].text = "Data", f"Point number {r} about sharing data"
    out = io.BytesIO()
    document.save(out)
    content = out.getvalue()
    if grid_span is not None:
        content = repack(content, "word/document.xml", lambda d: d.replace(
            b"<w:tcPr>", f'<w:tcPr><w:gridSpan w:val="{grid_span}"/>'.encode(), 1))
    return content


def tables_workbook(first_empty_sheet: bool) -> bytes:
    rows = [["Safeguarding partners survey"], ["Fieldwork: June 2021"], [],
            [None, "Total", "Role", None], [None, "Total", "Health", "Police"],
            ["Are you aware of the review?"], ["Base: All partners"], ["Weighted Sample", 100, 60, 40],
            ["Unweighted Sample", 100, 60, 40], ["Yes", 0.8, 0.75, 0.875], ["No", 0.2, 0.25, 0.125]]
    return workbook(rows, "Tables", first_empty_sheet="Cover" if first_empty_sheet else None)


def tracker_workbook() -> bytes:
    return workbook([["Reference", "Text", "Source", "Source detail", "Date raised", "Regions", "Themes",
                      "Sample data", "Version"],
                     ["RT-1", "Rapid reviews are hard", "roundtable event", "", "2021-06-24", "London", "", "no", 1]],
                    "Items")


def fixtures() -> dict[str, bytes]:
    base = workbook(survey_rows(150))
    out = {
        # a <dimension> at the far corner: calamine tried to allocate for it and aborted
        "far_corner_dimension.xlsx": repack(base, SHEET, lambda d: re.sub(rb'<dimension ref="[^"]*"',
                                                                          b'<dimension ref="A1:XFD1048576"', d)),
        # one cell at the far corner: beyond the app's column limit
        "far_corner_cell.xlsx": repack(base, SHEET, lambda d: d.replace(b'r="C151"', b'r="XFD1048576"')),
        # a cell reference at row 99,999,999: beyond what a worksheet can hold
        "row_99999999.xlsx": repack(base, SHEET, lambda d: d.replace(b'r="C151"', b'r="C99999999"')),
        # a stale <dimension> (A1:C50 for 151 rows): read as 49 respondents before
        "stale_dimension.xlsx": repack(base, SHEET, lambda d: re.sub(rb'<dimension ref="[^"]*"',
                                                                     b'<dimension ref="A1:C50"', d)),
        # a corrupt deflate stream in the sheet: zlib.error escaped
        "corrupt_deflate.xlsx": corrupt_deflate(base, SHEET),
        # a data tables workbook whose first sheet is an empty cover: IndexError escaped
        "tables_empty_cover.xlsx": tables_workbook(first_empty_sheet=True),
        # a Word table cell spanning "abc" columns: ValueError escaped
        "gridspan_text.docx": notes_docx(grid_span="abc"),
        # a Word table cell spanning a million columns: about a minute of CPU before
        "gridspan_million.docx": notes_docx(grid_span="1000000"),
        # a CSV field over the csv module's 128 KB default: _csv.Error escaped
        "long_field.csv": b"id,role,q1_agree\n1,Health,\"" + b"x" * 200_000 + b"\"\n2,Police,Tend to agree\n",
        # a tracker workbook whose Items sheet XML is broken part-way: ParseError escaped
        "tracker_broken_sheet.xlsx": repack(tracker_workbook(), SHEET,
                                            lambda d: d.replace(b"</row>", b"</row><row r=\"3\"><c r=\"A3\"", 1)),
        # a tracker import that is not a zip at all
        "tracker_junk.xlsx": b"PK\x03\x04" + bytes(range(256)) * 4,
        # 500 near-identical Markdown points: all-pairs difflib took 75 s
        "many_points.md": ("# Roundtable\n\nRegion: London\nDate: 24 June 2021\n\n## Points\n\n" + "".join(
            f"- Partnership {i % 50} said data sharing with schools takes {i} weeks too long\n"
            for i in range(500))).encode(),
        # 2,001 columns in a CSV: over the app's column limit
        "too_many_columns.csv": (",".join(f"c{i}" for i in range(2001)) + "\n"
                                 + ",".join("1" for _ in range(2001)) + "\n").encode(),
        # data far from A1 (row 999,999, column 2,000): a grid of two billion cells
        "sparse_far_cell.xlsx": repack(base, SHEET, lambda d: d.replace(b'r="C151"', b'r="BXX999999"')),
        # a mutated SPSS file that makes pyreadstat's C code crash (SIGSEGV): only isolation contains it
        "pyreadstat_segfault.sav": fuzz.replay("sav", 100003, 19),
        # cell references the old byte scan missed (it matched only ` r="A1"`): calamine aborted and the
        # message blamed the memory limit
        "ref_single_quotes.xlsx": repack(base, SHEET, lambda d: d.replace(b' r="C151"', b" r='XFD1048576'")),
        "ref_whitespace.xlsx": repack(base, SHEET, lambda d: d.replace(b' r="C151"', b'\n\tr = "XFD1048576"')),
        "ref_31_digit_row.xlsx": repack(base, SHEET, lambda d: d.replace(b' r="C151"', b' r="C' + b"1" * 31 + b'"')),
        # a shared-strings part claiming 99,999,999,999,999 strings: calamine reserved memory for them and aborted
        "shared_strings_count.xlsx": with_shared_strings(workbook(survey_rows(5)), 99_999_999_999_999),
        # two parts of the same name: which one a reader takes is undefined
        "duplicate_sheet.xlsx": duplicate_member(base, SHEET, lambda d: d.replace(b"Tend to", b"Strongly")),
        "duplicate_document.docx": duplicate_member(notes_docx(), "word/document.xml",
                                                    lambda d: d.replace(b"Rapid reviews", b"Hidden text")),
        # Word templates for the annex, once parsed in the server: a raw IndexError (no w:sectPr), a workbook
        # named .docx, 3 million empty paragraphs (an 8 MB one took the server to 3.8 GB), a zip bomb, and two
        # styles parts
        "template_no_sectpr.docx": repack(word_document(), "word/document.xml",
                                          lambda d: re.sub(rb"<w:sectPr\b.*?</w:sectPr>", b"", d, flags=re.S)),
        "template_workbook.docx": workbook([["not", "a", "template"]]),
        "template_many_paragraphs.docx": many_paragraphs(3_000_000),
        "template_zip_bomb.docx": zip_bomb_part(word_document(), "word/styles.xml", 20 * 2**20),
        "template_duplicate_styles.docx": duplicate_member(word_document(), "word/styles.xml", lambda d: d),
        # arrays nested 3,000 deep: tomllib's RecursionError escaped (a 2,995-line traceback)
        "deep_nesting.toml": ("[survey]\ntitle = \"Deep\"\nx = " + "[" * 3000 + "]" * 3000 + "\n").encode(),
    }
    return out


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, content in fixtures().items():
        (OUT / name).write_bytes(content)
        print(f"{name}: {len(content):,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
