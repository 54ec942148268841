"""Seeded generated notes whose content is known, read by the Word and Markdown readers'
inner function (as the fuzz campaign calls it): what was read must be exactly what was
written (points, the Panel's responses, details), wherever Word hid it, and nothing
that was deleted. The fuzz campaign (tests/test_untrusted.py) checks that damaged files
only ever raise InputError; these check that well-formed ones lose nothing."""

from __future__ import annotations

import io
import random

import pytest

from feedback.regions import REGIONS
from feedback.roundtables.read import _read_notes

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
VOCAB = [f"{a}{b}" for a in ("rapid", "local", "data", "school", "police", "health", "court", "family", "child",
                              "review", "neglect", "harm", "learning", "training", "housing", "tier")
         for b in ("", "s", "ing", "ed", "er", "ly", "al", "ness", "ity", "ment", "ship", "hood")]


def _text(rng: random.Random, n: int, tag: str) -> str:
    """Words unlike any other text's (so nothing merges), tagged for the test's eye."""
    return f"{tag} " + " ".join(rng.sample(VOCAB, rng.randint(6, 12))) + "."


def _r(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


def _split(rng: random.Random, text: str) -> tuple[str, str]:
    cut = rng.randint(1, len(text) - 1)
    while cut < len(text) - 1 and text[cut - 1] == " ":
        cut += 1
    return text[:cut], text[cut:]


def _hidden_runs(rng: random.Random, text: str) -> str:
    """The text as runs, part of it hidden in one of Word's wrappers; some deleted text mixed in."""
    head, tail = _split(rng, text)
    way = rng.choice(["plain", "ins", "smartTag", "fldSimple", "sdt", "hyperlink"])
    wrapped = {
        "plain": _r(tail),
        "ins": f'<w:ins w:id="1" w:author="A" w:date="2021-01-01T00:00:00Z">{_r(tail)}</w:ins>',
        "smartTag": f'<w:smartTag w:uri="urn:x" w:element="place">{_r(tail)}</w:smartTag>',
        "fldSimple": f'<w:fldSimple w:instr=" DOCPROPERTY X ">{_r(tail)}</w:fldSimple>',
        "sdt": f"<w:sdt><w:sdtPr><w:tag w:val=\"x\"/></w:sdtPr><w:sdtContent>{_r(tail)}</w:sdtContent></w:sdt>",
        "hyperlink": f"<w:hyperlink>{_r(tail)}</w:hyperlink>",
    }[way]
    deleted = (f'<w:del w:id="2" w:author="A" w:date="2021-01-01T00:00:00Z"><w:r><w:delText>DELETED '
               f'{rng.choice(VOCAB)}</w:delText></w:r></w:del>') if rng.random() < 0.5 else ""
    return _r(head) + deleted + wrapped


def word_notes(seed: int) -> tuple[bytes, dict]:
    """A Word document of known content: details, points (some hidden in wrappers, nested tables,
    block content controls), inline responses, deleted paragraphs; and what it holds."""
    import docx
    from docx.oxml import parse_xml

    rng = random.Random(seed)
    document = docx.Document()
    bullet = document.styles["List Bullet"].style_id
    region = rng.choice(REGIONS)
    attendees = rng.randint(5, 90)
    expected = {"region": region, "attendees": attendees, "points": [], "responses": []}
    body = document.element.body
    sect = body[-1]

    def add(xml: str) -> None:
        sect.addprevious(parse_xml(xml))

    def para(inner: str, style: str | None = bullet, ns: bool = True) -> str:
        ppr = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
        return f"<w:p{' ' + W if ns else ''}>{ppr}{inner}</w:p>"

    document.add_heading(f"Generated roundtable {seed}", level=1)
    add(para(_r(f"Region: {region}"), None))
    if rng.random() < 0.5:
        add(para(_r("Attendees: ") + f"<w:sdt><w:sdtContent>{_r(str(attendees))}</w:sdtContent></w:sdt>", None))
    else:
        add(para(_r(f"Attendees: {attendees}"), None))
    add(f"<w:p {W}><w:pPr><w:pStyle w:val=\"Heading2\"/></w:pPr>{_r('Feedback')}</w:p>")
    for n in range(rng.randint(1, 12)):
        text = _text(rng, n, f"P{n}")
        where = rng.choice(["paragraph", "paragraph", "block_sdt", "nested_table", "deleted_before"])
        if where == "deleted_before":  # a whole paragraph deleted with changes tracked, then the point
            add(para(f'<w:del w:id="3" w:author="A" w:date="2021-01-01T00:00:00Z"><w:r><w:delText>GONE '
                     f"{rng.choice(VOCAB)}</w:delText></w:r></w:del>"))
            where = "paragraph"
        if where == "paragraph":
            add(para(_hidden_runs(rng, text)))
        elif where == "block_sdt":
            add(f"<w:sdt {W}><w:sdtContent>{para(_hidden_runs(rng, text), ns=False)}</w:sdtContent></w:sdt>")
        else:  # a one-cell layout table holding a table of points
            add(f"<w:tbl {W}><w:tblPr/><w:tblGrid><w:gridCol/></w:tblGrid><w:tr><w:tc>"
                "<w:tbl><w:tblPr/><w:tblGrid><w:gridCol/><w:gridCol/></w:tblGrid>"
                f"<w:tr><w:tc>{para(_r('Group'), None, False)}</w:tc>"
                f"<w:tc>{para(_r('Point'), None, False)}</w:tc></w:tr>"
                f"<w:tr><w:tc>{para(_r(f'G{n}'), None, False)}</w:tc><w:tc>{para(_hidden_runs(rng, text), None, False)}"
                "</w:tc></w:tr></w:tbl>" f"{para('', None, False)}</w:tc></w:tr></w:tbl>")
        expected["points"].append(text)
        response = ""
        if rng.random() < 0.4:
            response = _text(rng, n, f"R{n}")
            add(para(_r("Response from the Panel: ") + _hidden_runs(rng, response), None))
        expected["responses"].append(response)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue(), expected


def markdown_notes(seed: int) -> tuple[bytes, dict]:
    """Markdown of known content: a heading padded with spaces, bullets, and a Feedback | Panel
    response table whose cells may equal their neighbour or hold an escaped pipe."""
    rng = random.Random(seed)
    region = rng.choice(REGIONS)
    lines = [f"#{' ' * rng.randint(1, 400)}Generated {seed}{' ' * rng.randint(0, 400)}#{' ' * rng.randint(0, 50)}",
             "", f"Region: {region}", ""]
    points, responses = [], []
    lines += ["## Bullets", ""]
    for n in range(rng.randint(0, 6)):
        text = _text(rng, n, f"B{n}")
        lines.append(f"{rng.choice('-*+')} {text}")
        points.append(text)
        responses.append("")
    lines += ["", "## Table", "", "| Feedback | Panel response |", "|---|:---:|"]
    for n in range(rng.randint(1, 8)):
        text = _text(rng, n, f"T{n}")
        if rng.random() < 0.2:
            text = text.replace(" ", " \\| ", 1)
        response = rng.choice(["", text, _text(rng, n, f"R{n}")])  # empty, equal to its neighbour, or its own
        lines.append(f"| {text} | {response} |")
        points.append(text.replace("\\|", "|"))
        responses.append(response.replace("\\|", "|"))
    return "\n".join(lines).encode(), {"region": region, "points": points, "responses": responses}


@pytest.mark.parametrize("seed", range(40))
def test_generated_word_notes_are_read_exactly(seed):
    content, expected = word_notes(seed)
    notes = _read_notes(f"generated_{seed}.docx", content)
    assert notes.meta.region == expected["region"] and notes.meta.attendees == expected["attendees"]
    assert [p.text for p in notes.points] == expected["points"]
    assert [p.response for p in notes.points] == expected["responses"]
    everything = " ".join(x.text for x in notes.lines)
    assert "DELETED" not in everything and "GONE" not in everything


@pytest.mark.parametrize("seed", range(40))
def test_generated_markdown_notes_are_read_exactly(seed):
    content, expected = markdown_notes(seed)
    notes = _read_notes(f"generated_{seed}.md", content)
    assert notes.meta.region == expected["region"]
    assert notes.meta.title == f"Generated {seed}"
    assert [p.text for p in notes.points] == expected["points"]
    assert [p.response for p in notes.points] == expected["responses"]
