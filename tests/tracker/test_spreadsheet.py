"""XLSX round-trip: equality, every row checked first, nothing changed on any problem."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import func, select

from feedback import db
from feedback.errors import InputError
from feedback.tracker import seed, service
from feedback.tracker.models import Action, Item, Response
from feedback.tracker.spreadsheet import ImportProblems, export_workbook, frames, import_workbook


def _export(engine) -> bytes:
    with db.session_scope(engine) as session:
        return export_workbook(session)


def _snapshot(engine) -> tuple[dict[str, pd.DataFrame], int]:
    with db.session_scope(engine) as session:
        return frames(session), session.scalar(select(func.count()).select_from(db.History))


def _edit_cells(content: bytes, edits: list[tuple[str, str, str, object]]) -> bytes:
    """Change cells by (sheet, reference in column A, header, value); reference None = append a row."""
    wb = openpyxl.load_workbook(io.BytesIO(content))
    for sheet, ref, header, value in edits:
        ws = wb[sheet]
        headers = [c.value for c in ws[1]]
        col = headers.index(header) + 1
        if ref is None:
            ws.append([None] * len(headers))
            row = ws.max_row
        else:
            row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == ref)
        ws.cell(row, col).value = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def seeded(engine):
    seed.seed_if_empty(engine)
    with db.session_scope(engine) as session:  # awkward text: formulas, leading minus, quotes, accents
        item = session.scalar(select(Item).where(Item.reference == "AC-01"))
        service.edit(session, item, 1, {"text": "=1+1 and ‘quotes’ – é", "themes": "a; b"}, "Ann", "test")
        action = session.scalar(select(Action).where(Action.reference == "SAMPLE-AC-02/1"))
        service.edit(session, action, 1, {"owner": "-5 days team", "evidence": "@mention"}, "Ann")
    return engine


def test_round_trip_into_an_empty_database_gives_equal_sheets(seeded, sqlite_engine, tmp_path):
    first = _export(seeded)
    wb = openpyxl.load_workbook(io.BytesIO(first))
    cell = wb["Items"]["B2"]  # kept as text in the file by the quote-prefix attribute
    assert cell.value == "=1+1 and ‘quotes’ – é" and cell.data_type == "s" and cell.quotePrefix
    assert wb.sheetnames == ["Items", "Responses", "Actions", "Notes"]
    target = sqlite_engine
    report = import_workbook(target, "tracker.xlsx", first, "Bob")
    assert report.added == {"Items": 37, "Responses": 17, "Actions": 31}
    before, _ = _snapshot(seeded)
    after, _ = _snapshot(target)
    for name in before:
        # versions restart at 1 in the new database; everything else must be identical
        pd.testing.assert_frame_equal(before[name].drop(columns="Version"), after[name].drop(columns="Version"))
    with db.session_scope(target) as session:
        item = session.scalar(select(Item).where(Item.reference == "AC-01"))
        assert item.text == "=1+1 and ‘quotes’ – é"
        assert session.scalar(select(Action.owner).where(Action.reference == "SAMPLE-AC-02/1")) == "-5 days team"


def test_importing_an_unchanged_export_changes_nothing(seeded):
    content = _export(seeded)
    before = _snapshot(seeded)
    report = import_workbook(seeded, "tracker.xlsx", content, "Bob")
    assert report.changed == {"Items": 0, "Responses": 0, "Actions": 0}
    assert report.unchanged == {"Items": 37, "Responses": 17, "Actions": 31}
    after = _snapshot(seeded)
    assert after[1] == before[1]
    for name in before[0]:
        pd.testing.assert_frame_equal(before[0][name], after[0][name])


def test_good_import_applies_changes_with_history(seeded):
    content = _edit_cells(_export(seeded), [
        ("Actions", "SAMPLE-AC-07/1", "Status", "complete"),
        ("Actions", "SAMPLE-AC-07/1", "Evidence", "Quarterly data pack, table 4"),
        ("Actions", "SAMPLE-AC-07/1", "Revised due date", "31/03/2024"),
        ("Actions", "SAMPLE-AC-07/1", "Reason for revised date", "The data pack moved to April."),
        ("Responses", "AC-03", "Published", "no"),
        ("Items", None, "Reference", "NEW-1"),
        ("Items", "NEW-1", "Text", "A new point"),
        ("Items", "NEW-1", "Source", "survey finding"),
        ("Items", "NEW-1", "Regions", "London; North West"),
    ])
    report = import_workbook(seeded, "tracker.xlsx", content, "Bob")
    assert report.changed["Actions"] == 1 and report.added["Items"] == 1
    with db.session_scope(seeded) as session:
        action = session.scalar(select(Action).where(Action.reference == "SAMPLE-AC-07/1"))
        assert (action.status, action.revised_due_date, action.version) == ("complete", dt.date(2024, 3, 31), 2)
        changes = {h.field: (h.old_value, h.new_value, h.changed_by, h.reason)
                   for h in db.history_for(session, "tracker_action", action.id) if h.field != "created"}
        assert changes["status"] == ("not started", "complete", "Bob", "imported from spreadsheet")
        assert changes["revised_due_date"] == (None, "2024-03-31", "Bob", "imported from spreadsheet")
        assert changes["revision_reason"] == ("", "The data pack moved to April.", "Bob", "imported from spreadsheet")
        assert action.completed_on == dt.date.today()  # marked complete by the import: dated today
        published = session.scalar(select(Response.published).join(Item).where(Item.reference == "AC-03"))
        assert published is False  # taken out of the public record by the import
        assert session.scalar(select(Item.regions).where(Item.reference == "NEW-1")) == "London; North West"


def test_import_refuses_a_new_target_date_without_its_reason(seeded):
    content = _edit_cells(_export(seeded), [("Actions", "SAMPLE-AC-07/1", "Revised due date", "31/03/2024")])
    with pytest.raises(ImportProblems) as err:
        import_workbook(seeded, "tracker.xlsx", content, "Bob")
    assert any("needs a new reason in the column 'Reason for revised date'" in p for p in err.value.problems)


def test_import_with_errors_reports_every_row_and_changes_nothing(seeded):
    content = _edit_cells(_export(seeded), [
        ("Actions", "SAMPLE-AC-02/1", "Owner", "A good change that must not land"),
        ("Actions", "SAMPLE-AC-07/1", "Status", "complete"),  # no evidence
        ("Actions", "SAMPLE-AC-09/1", "Status", "finished"),
        ("Actions", "SAMPLE-R6-1/1", "Due date", "next Tuesday"),
        ("Items", "AC-03", "Regions", "Mordor"),
        ("Responses", "AC-04", "Item reference", "NOPE-9"),
        ("Items", None, "Reference", "NEW-2"),  # new row with no text or source
    ])
    before = _snapshot(seeded)
    with pytest.raises(ImportProblems) as caught:
        import_workbook(seeded, "tracker.xlsx", content, "Bob")
    message = str(caught.value)
    assert "nothing was imported" in message
    expected = ["Actions sheet, row 5 (SAMPLE-AC-07/1): an action can be marked complete only with evidence",
                "(SAMPLE-AC-09/1): status 'finished' is not one of",
                "(SAMPLE-R6-1/1): column Due date: 'next Tuesday' is not a date",
                "(AC-03): unknown region(s) Mordor",
                "there is no item NOPE-9 in the tracker or on the Items sheet",
                "Items sheet, row 39 (NEW-2): the text of the point raised is empty"]
    for fragment in expected:
        assert fragment in message, fragment
    assert len(caught.value.problems) >= len(expected)
    after = _snapshot(seeded)
    assert after[1] == before[1], "history must not grow"
    for name in before[0]:
        pd.testing.assert_frame_equal(before[0][name], after[0][name])


def test_import_refuses_rows_changed_since_the_export(seeded):
    content = _edit_cells(_export(seeded), [("Actions", "SAMPLE-AC-09/1", "Owner", "Team from file")])
    with db.session_scope(seeded) as session:  # someone edits the same action after the export
        action = session.scalar(select(Action).where(Action.reference == "SAMPLE-AC-09/1"))
        service.edit(session, action, action.version, {"owner": "Team from the page"}, "Cy")
    with pytest.raises(ImportProblems, match=r"changed by Cy since this file was exported"):
        import_workbook(seeded, "tracker.xlsx", content, "Bob")
    with db.session_scope(seeded) as session:
        assert session.scalar(select(Action.owner).where(Action.reference == "SAMPLE-AC-09/1")) == "Team from the page"


def test_not_a_workbook_is_a_plain_error(engine):
    with pytest.raises(InputError, match="not an XLSX workbook"):
        import_workbook(engine, "notes.xlsx", b"this is text", "Bob")
    wb = openpyxl.Workbook()
    wb.active.title = "Something"
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(InputError, match="no 'Items' sheet"):
        import_workbook(engine, "other.xlsx", buf.getvalue(), "Bob")


def test_export_filtered_to_a_region_keeps_its_items_and_their_rows(seeded):
    with db.session_scope(seeded) as session:
        everything = frames(session)
        london = frames(session, "London")
        london_only = frames(session, "London", include_national=False)
    items, regional = everything["Items"], london["Items"]
    regions = items.columns[[c.lower() == "regions" for c in items.columns]][0]
    ref = items.columns[0]
    raised = items[regions].fillna("").str.split("; ")
    expected = set(items.loc[raised.map(lambda r: "London" in r or r == [""]), ref])
    assert set(regional[ref]) == expected and 0 < len(expected) < len(items)
    assert set(london_only["Items"][ref]) == set(items.loc[raised.map(lambda r: "London" in r), ref])
    assert set(london["Actions"].iloc[:, 1]) <= set(regional[ref])  # actions follow their items
    wb = openpyxl.load_workbook(io.BytesIO(_export_region(seeded)))
    notes = " ".join(str(c.value) for row in wb["Notes"].iter_rows() for c in row if c.value)
    assert "Region: London" in notes


def _export_region(engine) -> bytes:
    with db.session_scope(engine) as session:
        return export_workbook(session, "London")
