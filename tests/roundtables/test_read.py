"""Readers for each notes format, event details, splitting and merging."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pandas as pd
import pytest

from feedback.errors import InputError
from feedback.roundtables.merging import merge_near_duplicates, similarity
from feedback.roundtables.read import Point, read_notes
from tests.roundtables.helpers import make_docx


def _full_docx(document):
    document.add_heading("Roundtable: North West", level=0)
    for line in ("Region: North West", "Date: 25th March 2021", "Attendees: 56 people", "Partnerships: 19",
                 "Panel lead: Jenny Coles"):
        document.add_paragraph(line)
    document.add_heading("Reviews", level=1)
    document.add_paragraph("Rapid reviews in 15 days are hard.", style="List Bullet")
    document.add_paragraph("LCSPRs wait for the criminal trial.", style="List Number")
    document.add_heading("Practice", level=2)
    document.add_paragraph("Information sharing is still patchy across borders.")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Group", "Point"
    for group, point in (("A", "Tier 4 beds are scarce."), ("B", "Exploitation is rising.")):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = group, point


def test_docx_reads_details_headings_lists_paragraphs_and_tables():
    notes = read_notes("nw.docx", make_docx(_full_docx))
    m = notes.meta
    assert (m.title, m.region, m.event_date, m.attendees, m.partnerships, m.panel_lead) == (
        "Roundtable: North West", "North West", dt.date(2021, 3, 25), 56, 19, "Jenny Coles")
    assert notes.missing == [] and notes.problems == []
    got = [(p.section, p.kind, p.text) for p in notes.points]
    assert got == [
        ("Reviews", "bullet", "Rapid reviews in 15 days are hard."),
        ("Reviews", "numbered", "LCSPRs wait for the criminal trial."),
        ("Practice", "paragraph", "Information sharing is still patchy across borders."),
        ("Practice", "table", "Tier 4 beds are scarce."),
        ("Practice", "table", "Exploitation is rising."),
    ]
    assert [p.seq for p in notes.points] == [1, 2, 3, 4, 5]


def test_docx_details_in_a_key_value_table_and_missing_details_listed():
    def build(document):
        table = document.add_table(rows=0, cols=2)
        for key, value in (("Region", "Yorkshire & Humber"), ("Venue", "Leeds Civic Hall"), ("Attendees", "44")):
            cells = table.add_row().cells
            cells[0].text, cells[1].text = key, value
        document.add_paragraph("A point about neglect.", style="List Bullet")

    notes = read_notes("yh.docx", make_docx(build))
    assert notes.meta.region == "Yorkshire and the Humber" and notes.meta.attendees == 44
    assert notes.meta.other == {"Venue": "Leeds Civic Hall"}
    assert notes.missing == ["event_date", "partnerships", "panel_lead"]
    assert [p.text for p in notes.points] == ["A point about neglect."]


def test_unknown_region_and_bad_date_are_problems_and_still_missing():
    def build(document):
        document.add_paragraph("Region: Midlands")
        document.add_paragraph("Date: sometime in spring")
        document.add_paragraph("One point.", style="List Bullet")

    notes = read_notes("x.docx", make_docx(build))
    assert notes.meta.region is None and notes.meta.event_date is None
    assert "region" in notes.missing and "event_date" in notes.missing
    assert any("Midlands" in p and "nine English regions" in p for p in notes.problems)
    assert any("sometime in spring" in p for p in notes.problems)


@pytest.mark.parametrize("content, words", [
    (b"this is not a word document", "not a Word document"),
    (b"PK\x03\x04 truncated garbage", "x.docx"),
])
def test_malformed_docx_is_a_clear_error(content, words):
    with pytest.raises(InputError) as err:
        read_notes("x.docx", content)
    assert words in str(err.value) and "x.docx" in str(err.value)


def test_docx_without_a_document_part_is_a_clear_error():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("hello.txt", "hi")
    with pytest.raises(InputError) as err:
        read_notes("broken.docx", buffer.getvalue())
    assert "broken.docx" in str(err.value) and "save it again" in str(err.value)


def test_truncated_real_docx_is_a_clear_error():
    content = make_docx(_full_docx)
    with pytest.raises(InputError, match="cut.docx"):
        read_notes("cut.docx", content[: len(content) // 2])


def test_markdown_headings_bullets_numbers_continuations_and_tables():
    text = """# Roundtable: London
**Region:** London
Date: 2021-06-24
Attendees: 52
Partnerships: 17
Panel lead: Jahnine Davis

## Reviews
- Families ask us not to publish,
  and we worry about siblings.
* Alternative learning reviews are common.
1. The CPS asks us to delay.

A paragraph point
over two lines.

| Group | Point |
|-------|-------|
| 1 | Tier 4 beds are scarce. |
"""
    notes = read_notes("london.md", text.encode())
    assert notes.meta.region == "London" and notes.meta.event_date == dt.date(2021, 6, 24)
    assert notes.missing == []
    assert [(p.kind, p.text) for p in notes.points] == [
        ("bullet", "Families ask us not to publish, and we worry about siblings."),
        ("bullet", "Alternative learning reviews are common."),
        ("numbered", "The CPS asks us to delay."),
        ("paragraph", "A paragraph point over two lines."),
        ("table", "Tier 4 beds are scarce."),
    ]
    assert {p.section for p in notes.points} == {"Reviews"}


def test_plain_text_in_windows_encoding():
    text = ("Region: South West\r\nDate: 4/11/2021\r\n\r\nPoints raised:\r\n"
            "\u2022 Neglect \u2013 persistent failure?\r\n\u2022 CAMHS waits.\r\n")
    notes = read_notes("sw.txt", text.encode("cp1252"))
    assert notes.meta.region == "South West" and notes.meta.event_date == dt.date(2021, 11, 4)
    assert [(p.section, p.text) for p in notes.points] == [
        ("Points raised", "Neglect \u2013 persistent failure?"), ("Points raised", "CAMHS waits.")]


def test_csv_of_points_with_constant_details():
    csv = ("Point,Section,Region,Date,Attendees,Partnerships,Panel lead\n"
           "Tier 4 beds are scarce.,Practice,South East,16 September 2021,50,19,Dale Simon\n"
           "=HYPERLINK(\"x\"),Practice,South East,16 September 2021,50,19,Dale Simon\n"
           ",Practice,South East,16 September 2021,50,19,Dale Simon\n")
    notes = read_notes("se.csv", csv.encode())
    assert notes.missing == [] and notes.meta.partnerships == 19
    assert [p.text for p in notes.points] == ["Tier 4 beds are scarce.", '=HYPERLINK("x")']
    assert notes.points[0].section == "Practice"


def test_xlsx_of_points_missing_details_are_listed():
    buffer = io.BytesIO()
    pd.DataFrame({"Feedback": ["Information sharing fails.", "CPS delays reviews."]}).to_excel(buffer, index=False)
    notes = read_notes("points.xlsx", buffer.getvalue())
    assert [p.text for p in notes.points] == ["Information sharing fails.", "CPS delays reviews."]
    assert notes.missing == ["region", "event_date", "attendees", "partnerships", "panel_lead"]


def test_csv_with_two_events_or_no_point_column_is_refused():
    with pytest.raises(InputError, match="one event"):
        read_notes("two.csv", b"Point,Region\na,London\nb,North East\n")
    with pytest.raises(InputError, match="no column of points.*Point"):
        read_notes("nopoint.csv", b"Words,Region\na,London\n")


@pytest.mark.parametrize("name, content, words", [
    ("notes.pdf", b"%PDF", "not one of these"),
    ("empty.txt", b"  \n", "empty"),
    ("only_details.txt", b"Region: London\nDate: 1 May 2021\n", "no feedback points"),
])
def test_unusable_files_say_what_to_do(name, content, words):
    with pytest.raises(InputError) as err:
        read_notes(name, content)
    assert name in str(err.value) and words in str(err.value)


def test_near_identical_points_are_merged_keeping_both_texts():
    notes = read_notes("dup.txt", (
        b"- Access to Tier 4 beds remains a serious problem for children in crisis.\n"
        b"- Access to tier 4 beds remains a serious problem for children in a crisis.\n"
        b"- Information sharing between schools and GPs is poor.\n"))
    assert len(notes.points) == 2
    first = notes.points[0]
    assert first.merged == ["Access to tier 4 beds remains a serious problem for children in a crisis."]
    assert notes.points[1].seq == 2 and notes.points[1].merged == []


def test_similarity_separates_related_but_different_points():
    same = similarity("Rapid reviews in 15 days are hard.", "rapid reviews in 15 days are hard")
    related = similarity("Rapid reviews in 15 days are hard.", "LCSPRs in six months are hard.")
    assert same == 1.0 and related < 0.85
    points = [Point(1, "Rapid reviews in 15 days are hard."), Point(2, "LCSPRs in six months are hard.")]
    assert len(merge_near_duplicates(points)) == 2
    assert len(merge_near_duplicates(points, threshold=0.3)) == 1


def _near_copies(rng, fresh, count: int) -> list[str]:
    """``count`` texts: new ones from ``fresh()``, and near-copies of earlier ones (a word swapped,
    dropped, or the order changed)."""
    texts: list[str] = []
    for _ in range(count):
        if texts and rng.random() < 0.4:
            base = rng.choice(texts).split()
            change = rng.randrange(3)
            if change == 0:
                base[rng.randrange(len(base))] = rng.choice(base)
            elif change == 1 and len(base) > 1:
                base.pop(rng.randrange(len(base)))
            else:
                rng.shuffle(base)
            texts.append(" ".join(base) + rng.choice(["", ".", "!"]))
        else:
            texts.append(fresh())
    return texts + ["", "...", "Rapid reviews", "rapid  REVIEWS!"]


@pytest.mark.parametrize("threshold", [0.85, 0.6, 0.3])
@pytest.mark.parametrize("family", ["words", "codes"])
def test_merging_finds_exactly_the_pairs_similarity_finds(family, threshold):
    """The bounds that skip most pairs must never skip an alike one: compare with every pair.

    "words": a small vocabulary; "codes": rows like a numbered table's, the same characters in
    another order (the case the order bound is for)."""
    import random

    from feedback.roundtables.merging import _similar_pairs

    rng = random.Random(11)
    words = "rapid reviews delays data sharing police health schools courts tier beds".split()
    if family == "words":
        fresh = lambda: " ".join(rng.choice(words) for _ in range(rng.randint(1, 12))) + rng.choice(["", " é", " 7"])
    else:
        fresh = lambda: f"Point {rng.randint(1, 99)}: " + " ".join(f"w{rng.randint(0, 300)}" for _ in range(12))
    texts = _near_copies(rng, fresh, 200)
    found = _similar_pairs(texts, threshold).toarray()
    expected = [[j < i and similarity(texts[i], texts[j]) >= threshold for j in range(len(texts))]
                for i in range(len(texts))]
    assert found.tolist() == expected
    assert 0 < found.sum() < len(texts) * (len(texts) - 1) / 2  # some pairs alike, not all


def test_table_cells_read_from_the_xml_are_python_docx_cell_texts_and_what_it_hides():
    """Spans, vertical merges, several paragraphs, hyperlinks, breaks, tabs as python-docx's cell text;
    and what python-docx leaves out: text in content controls and nested tables."""
    import docx
    from docx.oxml import parse_xml
    from docx.table import _Cell

    from feedback.roundtables.read import _table_cells

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    document = docx.Document()
    table = document.add_table(rows=3, cols=3)
    table.cell(0, 0).merge(table.cell(0, 1))
    table.cell(1, 2).merge(table.cell(2, 2))
    table.cell(1, 0).text = "two\nlines"
    table.cell(1, 0).add_paragraph("second paragraph")
    table.cell(2, 0).paragraphs[0].add_run("a\tb")
    table.cell(2, 1).add_table(rows=1, cols=1).cell(0, 0).text = "nested"
    runs = table.cell(0, 2).paragraphs[0]._p
    runs.append(parse_xml(f'<w:hyperlink {w}><w:r><w:t>link</w:t></w:r><w:r><w:br w:type="page"/><w:t xml:space='
                          f'"preserve"> x </w:t><w:br/><w:cr/><w:noBreakHyphen/><w:ptab/><w:tab/></w:r></w:hyperlink>'))
    runs.append(parse_xml(f'<w:r {w}><w:t/><w:br w:type="textWrapping"/><w:br w:type="column"/><w:rPr/></w:r>'))
    runs.append(parse_xml(f'<w:sdt {w}><w:sdtContent><w:r><w:t>in a control</w:t></w:r></w:sdtContent></w:sdt>'))
    table._tbl.tr_lst[0].append(parse_xml(f'<w:sdt {w}><w:sdtContent><w:tc><w:p><w:r><w:t>cell in a control</w:t>'
                                          '</w:r></w:p></w:tc></w:sdtContent></w:sdt>'))
    table._tbl.tr_lst[2].append(parse_xml(f'<w:tc {w}/>'))
    expected = [[_Cell(tc, table).text for tc in tr.tc_lst] for tr in table._tbl.tr_lst]
    assert expected[0][1] == "link x \n\n-\t\t\n" and len(expected[0]) == 2 and len(expected[2]) == 4
    expected[0][1] += "in a control"              # a content control inside the cell's paragraph
    expected[0].append("cell in a control")       # a cell inside a content control
    expected[2][1] = "\nnested\n"  # the cell: an empty paragraph, a nested table, the paragraph Word puts after it
    assert _table_cells(table._tbl) == expected


def test_zip_bomb_posing_as_docx_is_refused_before_parsing():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"\0" * (40 * 1024 * 1024))
    with pytest.raises(InputError, match="bomb.docx.*zip bomb"):
        read_notes("bomb.docx", buffer.getvalue())


def test_semicolon_csv_from_excel_is_read():
    notes = read_notes("semi.csv", "Point;Region\nTier 4 beds are scarce;London\n".encode("cp1252"))
    assert [p.text for p in notes.points] == ["Tier 4 beds are scarce"] and notes.meta.region == "London"


def test_docx_list_items_by_numbering_without_a_list_style():
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def build(document):
        document.add_paragraph("Region: London")
        para = document.add_paragraph("Numbered in Word by hand, Normal style.")
        num_pr = OxmlElement("w:numPr")
        for tag, value in (("w:ilvl", "0"), ("w:numId", "1")):
            el = OxmlElement(tag)
            el.set(qn("w:val"), value)
            num_pr.append(el)
        para._p.get_or_add_pPr().append(num_pr)

    notes = read_notes("numbered.docx", make_docx(build))
    assert [(p.kind, p.text) for p in notes.points] == [("bullet", "Numbered in Word by hand, Normal style.")]


@pytest.mark.parametrize("threshold", [0.85, 0.6])
@pytest.mark.parametrize("family", ["words", "codes", "copies"])
def test_earliest_alike_text_is_what_comparing_every_pair_gives(family, threshold):
    """Merging keeps per point only the earliest earlier point it is alike, reduced block by block and
    pruned by what is already found: it must equal the answer from every pair."""
    import random

    from feedback.roundtables.merging import _earliest_alike

    rng = random.Random(5)
    words = "rapid reviews delays data sharing police health schools courts tier beds".split()
    if family == "words":
        fresh = lambda: " ".join(rng.choice(words) for _ in range(rng.randint(1, 12)))
    elif family == "codes":
        fresh = lambda: f"Point {rng.randint(1, 99)}: " + " ".join(f"w{rng.randint(0, 300)}" for _ in range(12))
    else:  # near-copies of one point: every pair alike
        base = "Rapid reviews are hard to complete within fifteen working days because agencies are late"
        fresh = lambda: base.replace("late", f"late {rng.randint(0, 999)}")
    texts = _near_copies(rng, fresh, 300)
    expected = [next((j for j in range(i) if similarity(texts[i], texts[j]) >= threshold), -1)
                for i in range(len(texts))]
    assert _earliest_alike(texts, threshold).tolist() == expected
    assert any(e >= 0 for e in expected) and expected[0] == -1
