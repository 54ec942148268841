"""Text rules and database limits: checked before the database, with the same plain message on
SQLite and PostgreSQL; concurrent duplicates refused like sequential ones; exports that take any
Unicode and the database's own timestamps."""

from __future__ import annotations

import io
import threading

import openpyxl
import pytest

from feedback import db
from feedback.errors import InputError
from feedback.export import to_csv_bytes, to_xlsx_bytes
from feedback.tracker import service, spreadsheet
from feedback.validation import clean_name, clean_text, whole_number

# ----------------------------------------------------------------------------- the text rules

def test_clean_text_normalises_and_strips_invisible_characters():
    decomposed = "Jose\u0301"  # e + combining acute
    assert clean_text(decomposed, field="Names") == "Jos\u00e9"  # NFC
    hidden = "Ann\u200b \u202eeilrahC\u202c\u2066x\u2069 Smith\x07"
    assert clean_text(hidden, field="Names") == "Ann eilrahCx Smith"
    assert clean_text("  two\tlines\nhere  ", field="Names") == "two lines here"
    assert clean_text("keep\nlines\x00\r\nhere\n\n", field="Text", multiline=True) == "keep\nlines\nhere"


def test_over_long_names_are_refused_naming_the_field():
    assert clean_name("x" * 200) == "x" * 200
    with pytest.raises(InputError, match=r"^Names can be at most 200 characters \(this one has 201\)"):
        clean_name("x" * 201)


@pytest.mark.parametrize("value, expected", [("52", 52), (" 1,200 ", 1200), (52, 52), (52.0, 52), ("", None),
                                             (None, None)])
def test_whole_numbers(value, expected):
    assert whole_number(value, field="Attendees") == expected


@pytest.mark.parametrize("value", ["about 50", "5-6", "52.5", "fifty", "1,20", 52.5, -3, "12 people"])
def test_not_whole_numbers_name_the_field(value):
    with pytest.raises(InputError, match="^Attendees "):
        whole_number(value, field="Attendees")


def test_roundtable_attendees_are_parsed_strictly():
    from feedback.roundtables.read import read_notes

    notes = read_notes("event.md", b"Region: London\nDate: 24 June 2021\nAttendees: about 50, maybe 60\n"
                                   b"Partnerships: 17\n\n- A point about information sharing.\n")
    assert notes.meta.attendees is None
    assert any("Attendees should be a whole number" in p for p in notes.problems), notes.problems
    good = read_notes("event.md", b"Region: London\nDate: 24 June 2021\nAttendees: 1,052\n\n- A point.\n")
    assert good.meta.attendees == 1052
    unit = read_notes("event.md", b"Region: London\nDate: 24 June 2021\nAttendees: 56 people\n\n- A point.\n")
    assert unit.meta.attendees == 56


# ----------------------------------------------------------------------------- limits on both databases

@pytest.mark.parametrize("field, value, message", [
    ("source_detail", "d" * 301, "Source detail can be at most 300 characters"),
    ("reference", "R" * 41, "the reference is longer than 40 characters"),
])
def test_item_limits_before_the_database(engine, field, value, message):
    values = {"reference": "AC-01", "text": "A point", "source": "other", field: value}
    with pytest.raises(service.TrackerError, match=message), db.session_scope(engine) as session:
        service.create_item(session, "Ann", **values)


def test_over_long_names_on_both_databases(engine):
    with db.session_scope(engine) as session:
        item = service.create_item(session, "Ann", reference="AC-01", text="A point", source="other")
    with pytest.raises(service.TrackerError, match="Names can be at most 200 characters"), \
            db.session_scope(engine) as session:
        item = session.get(type(item), item.id)
        service.create_action(session, item, "Ann", reference="AC-01/1", description="Do it", owner="O" * 201)
    with pytest.raises(service.TrackerError, match="Names can be at most 200 characters"), \
            db.session_scope(engine) as session:
        service.create_item(session, "N" * 201, reference="AC-02", text="A point", source="other")


def test_every_orm_write_is_checked_before_the_database(engine):
    """A store that forgot its own checks still gets the plain message, not DataError."""
    from feedback.roundtables.models import RoundtableCodebook

    with pytest.raises(InputError, match="Names can be at most 200 characters"), db.session_scope(engine) as s:
        s.add(RoundtableCodebook(toml="", updated_by="x" * 250))


def test_names_are_normalised_when_saved(engine):
    with db.session_scope(engine) as session:
        item = service.create_item(session, "Ann\u202e Smith\u200b", reference=" AC-01\u200b ",
                                   text="A point", source="other")
        assert item.reference == "AC-01" and item.created_by == "Ann Smith"


def test_concurrent_duplicate_references_get_the_plain_message(engine):
    """Twelve people create the same reference at once: one wins, the others are told plainly."""
    results: list[str] = []
    barrier = threading.Barrier(12)

    def create(n: int) -> None:
        barrier.wait()
        try:
            with db.session_scope(engine) as session:
                service.create_item(session, f"Person {n}", reference="AC-99", text="Same point", source="other")
            results.append("saved")
        except service.TrackerError as err:
            results.append(str(err))
        except Exception as err:  # noqa: BLE001 - the test reports what leaked
            results.append(f"LEAKED {type(err).__name__}: {err}")

    threads = [threading.Thread(target=create, args=(n,)) for n in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("saved") == 1, results
    assert all("the reference AC-99 is already used by an item; choose another" in r
               for r in results if r != "saved"), results


# ----------------------------------------------------------------------------- exports

def test_control_characters_are_removed_from_exports_only():
    import pandas as pd

    df = pd.DataFrame({"Label\x01": ["Bad\x00 label\x1f", "=SUM(A1)", "fine"]})
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes({"Sheet\x02": df}, notes=["a note\x0b"])))
    ws = book.worksheets[0]
    assert [c.value for c in ws["A"]] == ["Label", "Bad label", "=SUM(A1)", "fine"]
    assert [c.quotePrefix for c in ws["A"]] == [False, False, True, False]  # text, not a formula
    assert "\x00" not in to_csv_bytes(df).decode("utf-8-sig")
    assert df.iloc[0, 0] == "Bad\x00 label\x1f"  # the frame (what the screen shows) is untouched


def test_history_timeline_exports_to_xlsx_on_both_databases(engine):
    from feedback.export import to_xlsx_bytes

    with db.session_scope(engine) as session:
        item = service.create_item(session, "Ann", reference="AC-01", text="A point", source="other")
        item_id = item.id
        service.edit(session, item, item.version, {"text": "Better"}, "Ann", "wording")
    with db.session_scope(engine) as session:
        timeline = service.timeline(session, item_id)
    assert str(timeline["when"].dtype).startswith("datetime64") or timeline["when"].map(
        lambda v: getattr(v, "tzinfo", None) is not None).all()
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes({"History": timeline}, percent_columns=())))
    assert book.worksheets[0]["A2"].value is not None


def test_tracker_import_of_many_rows_on_both_databases(engine):
    """New rows go in by bulk INSERT, each with its 'created' history row; a re-import changes nothing."""
    from tools.synthetic import tracker_workbook

    content = tracker_workbook(300)
    report = spreadsheet.import_workbook(engine, "many.xlsx", content, "Ann")
    assert report.added["Items"] == 300
    with db.session_scope(engine) as session:
        items = service.all_items(session)
        assert len(items) == 300 and all(i.version == 1 and i.created_by == "Ann" for i in items)
        assert len(db.history_for(session, "tracker_item", items[-1].id)) == 1
        exported = spreadsheet.export_workbook(session)
    again = spreadsheet.import_workbook(engine, "again.xlsx", exported, "Ann")
    assert again.unchanged["Items"] == 300 and again.added["Items"] == 0
