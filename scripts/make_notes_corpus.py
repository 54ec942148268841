"""Write a corpus of roundtable notes in the layouts the Panel's staff write them, to
tests/fixtures/notes_corpus/ (deterministic: same bytes on every run).

Each file is one invented event (synthetic wording; the Panel's responses
paraphrase Annex C of the Panel's annual report 2021). The tests in
tests/roundtables/test_read_corpus.py assert, per file, the points, the
Panel's responses kept with them, the event details and the actions.

- bullets_then_response.docx: bullet points, then a "Panel response" heading
- annex_c_table.docx: a two-column Feedback | Panel response table (Annex C's layout)
- point_then_response.docx: each point followed by "Response from the Panel: ..."
- minutes_with_actions.docx: minutes with details (Chair, Venue, Note-taker) and an Actions section
- tracked_changes.docx: insertions and deletions tracked, not yet accepted (raw XML)
- content_control_form.docx: a form of content controls, smart tags, fields, nested tables (raw XML)
- notes_with_table.md: Markdown with a Feedback | Panel response table
- pasted_email.txt: notes pasted from an e-mail, headers and signature included

Run: python scripts/make_notes_corpus.py
"""

from __future__ import annotations

from pathlib import Path

from make_sample_roundtables import saved_docx  # run from scripts/: its folder is on the path

OUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "notes_corpus"
_FIXED_TIME = (2021, 1, 1, 0, 0, 0)
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'

RESPONSE_TIMESCALES = ("The Panel recognise it is a challenge but overall, timescales are improving and more "
                       "safeguarding partnerships are now managing to meet the 15 day timeframe.")
RESPONSE_SHARING = ("The Panel is keen to identify barriers to timely and appropriate information sharing and "
                    "will raise them with government.")


def _save(document) -> bytes:
    return saved_docx(document, date_time=_FIXED_TIME)


def _details(document, lines) -> None:
    for line in lines:
        document.add_paragraph(line)


def bullets_then_response() -> bytes:
    import docx

    document = docx.Document()
    document.add_heading("Regional roundtable: West Midlands", level=1)
    _details(document, ("Date: 8 July 2021", "Venue: online (Teams)", "Region: West Midlands", "Attendees: 41",
                        "Partnerships: 14", "Panel lead: Dale Simon"))
    document.add_heading("Rapid review timescales", level=2)
    for text in ("Meeting the 15 working day deadline for a rapid review is hard when chronologies come back late.",
                 "Partners asked whether quality suffers when a rapid review is rushed to meet the deadline."):
        document.add_paragraph(text, style="List Bullet")
    document.add_heading("Panel response", level=3)
    document.add_paragraph(RESPONSE_TIMESCALES)
    document.add_heading("Information sharing", level=2)
    document.add_paragraph("Schools and GPs still do not share what they know early enough.", style="List Bullet")
    document.add_heading("Panel's response", level=3)
    document.add_paragraph(RESPONSE_SHARING)
    return _save(document)


def annex_c_table() -> bytes:
    import docx

    document = docx.Document()
    document.add_heading("Roundtable feedback: South West", level=1)
    _details(document, ("Region: South West", "Date: 2 December 2021", "Attendees: 33", "Partnerships: 11",
                        "Panel lead: Peter Sidebotham", "Chair: Annie Hudson"))
    table = document.add_table(rows=1, cols=2)
    table.style = "Table Grid"
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Feedback", "Panel response/further action"
    for point, response in (
            ("Safeguarding partnerships may choose to undertake an alternative learning review.",
             "The Panel supports and encourages different methodologies and approaches to reviews."),
            ("Mental health, suicide, and access to tier 4 beds.",
             "The Panel has raised access to tier 4 beds with the Department of Health and Social Care."),
            ("What constitutes persistent failure and how should it be applied to different ages?",
             "The Panel recognises that, in neglect cases, persistent failure is hard to judge."),
            ("No response was given to this one yet.", "")):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = point, response
    return _save(document)


def point_then_response() -> bytes:
    import docx

    document = docx.Document()
    document.add_heading("Notes of the East Midlands roundtable", level=1)
    _details(document, ("Region: East Midlands", "Date: 17 June 2021", "Attendees: 39", "Partnerships: 13",
                        "Panel lead: Mark Gwynne"))
    document.add_paragraph("Publishing an LCSPR while criminal proceedings continue worries families.")
    document.add_paragraph("Response from the Panel: " + "The Panel believe LCSPRs should be written so that "
                           "they are publishable.")
    document.add_paragraph("Completing an LCSPR within six months is rarely possible during a criminal "
                           "investigation.")
    document.add_paragraph("Response from the Panel:")
    document.add_paragraph("It should usually be possible to conduct the LCSPR while the criminal investigation "
                           "is ongoing.")
    document.add_paragraph("The learning from reviews is repeated rather than acted on.", style="List Number")
    document.add_paragraph("Our response: national reviews should be drawn on before commissioning new ones.")
    return _save(document)


def minutes_with_actions() -> bytes:
    import docx

    document = docx.Document()
    document.add_heading("Minutes: North West safeguarding partners roundtable", level=1)
    _details(document, ("Date: 30 March 2021", "Time: 10:00 to 12:30", "Venue: Manchester Town Hall",
                        "Region: North West", "Chair: Jenny Coles", "Panel lead: Jenny Coles",
                        "Note-taker: Sam Patel", "Attendees: 56", "Partnerships: 19"))
    document.add_heading("Discussion", level=2)
    document.add_paragraph("Feedback points raised by attendees:")
    for text in ("Extra-familial harm needs the child's whole life in view, including domestic abuse.",
                 "Partners want clearer national guidance on criminal exploitation reviews."):
        document.add_paragraph(text, style="List Bullet")
    document.add_heading("Actions", level=2)
    for text in ("Panel secretariat to circulate national guidance on criminal exploitation reviews to partners.",
                 "Chair to write to the Home Office."):
        document.add_paragraph(text, style="List Bullet")
    return _save(document)


def _body_with(document, xml_paragraphs: list[str]) -> None:
    from docx.oxml import parse_xml

    body = document.element.body
    sect = body[-1]  # w:sectPr stays last
    for xml in xml_paragraphs:
        sect.addprevious(parse_xml(xml))


def _p(inner: str, style: str | None = None) -> str:
    ppr = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f"<w:p {W}>{ppr}{inner}</w:p>"


def _r(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


def _del(text: str) -> str:
    return (f'<w:del w:id="9" w:author="Editor" w:date="2021-10-01T10:00:00Z"><w:r>'
            f'<w:delText xml:space="preserve">{text}</w:delText></w:r></w:del>')


def _ins(text: str) -> str:
    return f'<w:ins w:id="8" w:author="Editor" w:date="2021-10-01T10:00:00Z">{_r(text)}</w:ins>'


def tracked_changes() -> bytes:
    import docx

    document = docx.Document()
    bullet = document.styles["List Bullet"].style_id
    document.add_heading("Yorkshire and the Humber roundtable (draft with changes tracked)", level=1)
    _details(document, ("Region: Yorkshire and the Humber", "Date: 20 May 2021", "Attendees: 47",
                        "Partnerships: 15", "Panel lead: Sir Alan Wood"))
    document.add_heading("Points raised", level=2)
    _body_with(document, [
        _p(_r("Rapid reviews ") + _ins("rarely ") + _del("often ") + _r("meet the 15 day deadline."), bullet),
        _p(_ins("Access to tier 4 beds for children in crisis is getting worse."), bullet),
        _p(_del("A point the note-taker deleted before sending."), bullet),
        f'<w:p {W}><w:pPr><w:pStyle w:val="{bullet}"/></w:pPr>'
        '<w:moveFrom w:id="5" w:author="E" w:date="2021-10-01T10:00:00Z">'
        f'<w:r><w:t>Moved text, old place.</w:t></w:r></w:moveFrom></w:p>',
        _p(f'<w:moveTo w:id="6" w:author="E" w:date="2021-10-01T10:00:00Z">{_r("Moved text, new place.")}</w:moveTo>',
           bullet),
    ])
    return _save(document)


def content_control_form() -> bytes:
    import docx

    document = docx.Document()
    bullet = document.styles["List Bullet"].style_id

    def control(inner: str, tag: str) -> str:
        return (f'<w:sdt {W}><w:sdtPr><w:alias w:val="{tag}"/><w:tag w:val="{tag}"/></w:sdtPr>'
                f"<w:sdtContent>{inner}</w:sdtContent></w:sdt>")

    def run_control(label: str, value: str) -> str:
        return _p(_r(f"{label}: ") + f'<w:sdt><w:sdtPr><w:tag w:val="{label}"/></w:sdtPr><w:sdtContent>{_r(value)}'
                  "</w:sdtContent></w:sdt>")

    document.add_heading("Roundtable record form", level=1)
    _body_with(document, [
        run_control("Region", "London"), run_control("Date", "1 July 2021"), run_control("Attendees", "52"),
        run_control("Partnerships", "17"), run_control("Panel lead", "Jahnine Davis"),
        f"<w:p {W}><w:pPr><w:pStyle w:val=\"Heading2\"/></w:pPr>{_r('Feedback')}</w:p>",
        # a block-level content control holding two bullet points
        control(_p(_r("Families ask us not to publish the review while siblings are at school."), bullet)
                .replace(f" {W}", "")
                + _p(_r("The CPS asks partnerships to delay reviews until the trial ends."), bullet)
                .replace(f" {W}", ""), "points"),
        # a smart tag and a simple field inside a point
        _p('<w:smartTag w:uri="urn:schemas-microsoft-com:office:smarttags" w:element="place">'
           + _r("London") + "</w:smartTag>" + _r(" partners said information sharing with schools is poor."), bullet),
        _p(_r("Reviews seen this year: ") + '<w:fldSimple w:instr=" DOCPROPERTY Reviews "><w:r><w:t>fourteen'
           "</w:t></w:r></w:fldSimple>" + _r(", and most cite neglect."), bullet),
        # a layout table (one cell) holding a nested table of points
        f'<w:tbl {W}><w:tblPr/><w:tblGrid><w:gridCol/></w:tblGrid><w:tr><w:tc><w:tcPr/>'
        + _p(_r("More feedback from the breakout rooms:")).replace(f" {W}", "")
        + '<w:tbl><w:tblPr/><w:tblGrid><w:gridCol/><w:gridCol/></w:tblGrid>'
        + "<w:tr><w:tc>" + _p(_r("Room")).replace(f" {W}", "") + "</w:tc><w:tc>"
        + _p(_r("Point")).replace(f" {W}", "") + "</w:tc></w:tr>"
        + "<w:tr><w:tc>" + _p(_r("A")).replace(f" {W}", "") + "</w:tc><w:tc>"
        + _p(_r("Training on exploitation should reach school staff.")).replace(f" {W}", "") + "</w:tc></w:tr>"
        + "<w:tr><w:tc>" + _p(_r("B")).replace(f" {W}", "") + "</w:tc><w:tc>"
        + _p(_r("Tier 4 beds are scarce.")).replace(f" {W}", "") + "</w:tc></w:tr>"
        + "</w:tbl>" + _p("").replace(f" {W}", "") + "</w:tc></w:tr></w:tbl>",
    ])
    return _save(document)


NOTES_MD = """# Roundtable: East of England

**Region:** East of England
**Date:** 29 September 2021
Attendees: 44
Partnerships: 15
Panel lead: Susan Tranter

## Feedback and the Panel's response

| Feedback | Panel response |
|----------|----------------|
| Same | Same |
| Rapid reviews in 15 days are hard. | Rapid reviews in 15 days are hard. |
| Thresholds differ: one area's \\| is another's. | The Panel will look at thresholds. |
| Information sharing with GPs is slow. | |
"""

EMAIL_TXT = """From: Jane Smith <jane.smith@example.gov.uk>
Sent: 16 September 2021 09:14
To: Panel secretariat <panel@example.gov.uk>
Subject: Notes from the South East roundtable

Hi all,

Please find below my notes from yesterday's roundtable.

Region: South East
Date: 15 September 2021
Attendees: 50
Partnerships: 19
Panel lead: Dale Simon

- Partners welcomed the Panel's newsletter and asked for more webinars.
- Rapid review feedback letters arrive too late to use.
Response from the Panel: the Panel now aims to reply to every rapid review within 15 working days.
- Child mental health services have long waits.

Kind regards,
Jane
Jane Smith | Policy Adviser | Child Safeguarding Practice Review Panel
"""


FILES = {
    "bullets_then_response.docx": bullets_then_response,
    "annex_c_table.docx": annex_c_table,
    "point_then_response.docx": point_then_response,
    "minutes_with_actions.docx": minutes_with_actions,
    "tracked_changes.docx": tracked_changes,
    "content_control_form.docx": content_control_form,
    "notes_with_table.md": lambda: NOTES_MD.encode(),
    "pasted_email.txt": lambda: EMAIL_TXT.replace("\n", "\r\n").encode("cp1252"),
}


def build() -> dict[str, bytes]:
    return {name: make() for name, make in FILES.items()}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, content in build().items():
        (OUT / name).write_bytes(content)
    print(f"wrote {len(FILES)} notes files to {OUT}")


if __name__ == "__main__":
    main()
