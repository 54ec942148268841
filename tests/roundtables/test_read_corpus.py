"""Notes as the Panel's staff write them (tests/fixtures/notes_corpus, made by
scripts/make_notes_corpus.py): per file, the points, the Panel's responses kept
with them, the event details, the actions and the lines skipped with a reason."""

from __future__ import annotations

import datetime as dt
import io
import sys
import zipfile

import pytest

from feedback.roundtables.read import ACTION, POINT, RESPONSE, SKIPPED, read_notes
from tests.roundtables.helpers import CORPUS, ROOT, SHARING, TIMESCALES

# file -> (details, [(point, response)], other details, actions as (text, point line or None), skipped texts)
EXPECTED = {
    "bullets_then_response.docx": (
        ("West Midlands", dt.date(2021, 7, 8), 41, 14, "Dale Simon"),
        [("Meeting the 15 working day deadline for a rapid review is hard when chronologies come back late.",
          TIMESCALES),
         ("Partners asked whether quality suffers when a rapid review is rushed to meet the deadline.", TIMESCALES),
         ("Schools and GPs still do not share what they know early enough.", SHARING)],
        {"Venue": "online (Teams)"}, [], []),
    "annex_c_table.docx": (
        ("South West", dt.date(2021, 12, 2), 33, 11, "Peter Sidebotham"),
        [("Safeguarding partnerships may choose to undertake an alternative learning review.",
          "The Panel supports and encourages different methodologies and approaches to reviews."),
         ("Mental health, suicide, and access to tier 4 beds.",
          "The Panel has raised access to tier 4 beds with the Department of Health and Social Care."),
         ("What constitutes persistent failure and how should it be applied to different ages?",
          "The Panel recognises that, in neglect cases, persistent failure is hard to judge."),
         ("No response was given to this one yet.", "")],
        {"Chair": "Annie Hudson"}, [], ["Feedback | Panel response/further action"]),
    "point_then_response.docx": (
        ("East Midlands", dt.date(2021, 6, 17), 39, 13, "Mark Gwynne"),
        [("Publishing an LCSPR while criminal proceedings continue worries families.",
          "The Panel believe LCSPRs should be written so that they are publishable."),
         ("Completing an LCSPR within six months is rarely possible during a criminal investigation.",
          "It should usually be possible to conduct the LCSPR while the criminal investigation is ongoing."),
         ("The learning from reviews is repeated rather than acted on.",
          "national reviews should be drawn on before commissioning new ones.")],
        {}, [], ["Response from the Panel:"]),
    "minutes_with_actions.docx": (
        ("North West", dt.date(2021, 3, 30), 56, 19, "Jenny Coles"),
        [("Extra-familial harm needs the child's whole life in view, including domestic abuse.", ""),
         ("Partners want clearer national guidance on criminal exploitation reviews.", "")],
        {"Time": "10:00 to 12:30", "Venue": "Manchester Town Hall", "Chair": "Jenny Coles",
         "Note-taker": "Sam Patel"},
        [("Panel secretariat to circulate national guidance on criminal exploitation reviews to partners.", 2),
         ("Chair to write to the Home Office.", None)],
        ["Feedback points raised by attendees:"]),
    "tracked_changes.docx": (
        ("Yorkshire and the Humber", dt.date(2021, 5, 20), 47, 15, "Sir Alan Wood"),
        [("Rapid reviews rarely meet the 15 day deadline.", ""),
         ("Access to tier 4 beds for children in crisis is getting worse.", ""),
         ("Moved text, new place.", "")],
        {}, [], []),
    "content_control_form.docx": (
        ("London", dt.date(2021, 7, 1), 52, 17, "Jahnine Davis"),
        [("Families ask us not to publish the review while siblings are at school.", ""),
         ("The CPS asks partnerships to delay reviews until the trial ends.", ""),
         ("London partners said information sharing with schools is poor.", ""),
         ("Reviews seen this year: fourteen, and most cite neglect.", ""),
         ("Training on exploitation should reach school staff.", ""),
         ("Tier 4 beds are scarce.", "")],
        {}, [], ["More feedback from the breakout rooms:", "Room | Point"]),
    "notes_with_table.md": (
        ("East of England", dt.date(2021, 9, 29), 44, 15, "Susan Tranter"),
        [("Same", "Same"),
         ("Rapid reviews in 15 days are hard.", "Rapid reviews in 15 days are hard."),
         ("Thresholds differ: one area's | is another's.", "The Panel will look at thresholds."),
         ("Information sharing with GPs is slow.", "")],
        {}, [], ["Feedback | Panel response"]),
    "pasted_email.txt": (
        ("South East", dt.date(2021, 9, 15), 50, 19, "Dale Simon"),
        [("Partners welcomed the Panel's newsletter and asked for more webinars.", ""),
         ("Rapid review feedback letters arrive too late to use.",
          "the Panel now aims to reply to every rapid review within 15 working days."),
         ("Child mental health services have long waits.", "")],
        {}, [],
        ["From: Jane Smith <jane.smith@example.gov.uk>", "Sent: 16 September 2021 09:14",
         "To: Panel secretariat <panel@example.gov.uk>", "Hi all,",
         "Please find below my notes from yesterday's roundtable.", "Kind regards,",
         "Jane Jane Smith | Policy Adviser | Child Safeguarding Practice Review Panel"]),
}


def _read(name: str):
    return read_notes(name, (CORPUS / name).read_bytes())


def test_the_corpus_is_what_the_script_makes():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import make_notes_corpus as script
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    made = script.build()
    assert sorted(made) == sorted(p.name for p in CORPUS.iterdir()) == sorted(EXPECTED)
    for name, content in made.items():
        assert (CORPUS / name).read_bytes() == content, name


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_points_responses_details_and_actions_per_file(name):
    details, points, other, actions, skipped = EXPECTED[name]
    notes = _read(name)
    m = notes.meta
    assert (m.region, m.event_date, m.attendees, m.partnerships, m.panel_lead) == details
    assert notes.problems == [] and notes.missing == []
    assert m.other == other
    assert [(p.text, p.response) for p in notes.points] == points
    assert [p.seq for p in notes.points] == list(range(1, len(points) + 1))
    # responses and details are never points; every line is accounted for
    point_lines = {x.text for x in notes.lines if x.role == POINT}
    assert point_lines == {text for text, _ in points}
    assert len([x for x in notes.lines if x.role == POINT]) == len(points)
    assert [x.text for x in notes.lines if x.role == RESPONSE] == list(dict.fromkeys(r for _, r in points if r))
    by_line = {p.line: p.seq for p in notes.points}
    assert [(x.text, by_line[x.answers[0]] if x.answers else None) for x in notes.lines if x.role == ACTION] == actions
    assert [x.text for x in notes.lines if x.role == SKIPPED] == skipped
    assert all(x.note for x in notes.lines)  # each line says why it has its role


def test_a_response_section_answering_two_points_is_flagged_unsure():
    notes = _read("bullets_then_response.docx")
    unsure = [x for x in notes.lines if x.unsure]
    assert [(x.role, x.answers) for x in unsure] == [(RESPONSE, [9, 10])]
    assert "answers the 2 points above it" in unsure[0].note


def test_an_action_matched_to_a_point_by_its_words_is_said_to_be_a_guess():
    notes = _read("minutes_with_actions.docx")
    first, second = notes.actions
    assert first.unsure and "a guess" in first.note
    assert second.unsure and second.answers == [] and "give the line number" in second.note
    assert notes.points[1].actions == [first.text]
    assert "Note-taker: Sam Patel" in notes.meta.note_text() and "Venue: Manchester Town Hall" in notes.meta.note_text()


def test_deleted_and_moved_away_text_is_not_read():
    notes = _read("tracked_changes.docx")
    everything = " ".join(x.text for x in notes.lines)
    for gone in ("often", "A point the note-taker deleted", "Moved text, old place"):
        assert gone not in everything
    with zipfile.ZipFile(io.BytesIO((CORPUS / "tracked_changes.docx").read_bytes())) as zf:
        xml = zf.read("word/document.xml").decode()
    assert "<w:del " in xml and "<w:ins " in xml and "<w:moveFrom " in xml  # the fixture does hold them


def test_hidden_word_content_is_in_the_fixture_and_read():
    with zipfile.ZipFile(io.BytesIO((CORPUS / "content_control_form.docx").read_bytes())) as zf:
        xml = zf.read("word/document.xml").decode()
    for tag in ("<w:sdt>", "<w:smartTag ", "<w:fldSimple ", "<w:tbl><w:tblPr/>"):
        assert tag in xml or tag.replace(">", " ") in xml, tag
    texts = [p.text for p in _read("content_control_form.docx").points]
    assert "London partners said information sharing with schools is poor." in texts  # smart tag
    assert "Reviews seen this year: fourteen, and most cite neglect." in texts  # simple field
    assert "Tier 4 beds are scarce." in texts  # nested table


def test_the_cli_lists_skipped_lines_with_their_reason(capsys):
    from feedback.__main__ import main

    assert main(["roundtables", "read", str(CORPUS / "pasted_email.txt")]) == 0
    out = capsys.readouterr().out
    assert "7 line(s) skipped (--show-skipped lists them with the reason)" in out
    assert "Panel response: the Panel now aims to reply" in out
    assert main(["roundtables", "read", "--show-skipped", str(CORPUS / "pasted_email.txt")]) == 0
    out = capsys.readouterr().out
    assert "skipped line 5: 'Hi all,': a greeting" in out
    assert "skipped line 1: 'From: Jane Smith <jane.smith@example.gov.uk>': an e-mail header line" in out
