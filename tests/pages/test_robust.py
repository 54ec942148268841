"""Pages keep working: a failing section shows one line and the rest runs; a second event in
the same region on the same day and two uploads with the same name break nothing."""

from __future__ import annotations

import pandas as pd

from feedback.roundtables import figures, views


def test_a_failing_section_shows_one_line_and_the_rest_of_the_page_runs():
    from streamlit.testing.v1 import AppTest

    def script():
        import streamlit as st

        from ui import common

        with common.error_boundary("The **first** chart"):
            st.text("before the failure")
            raise ZeroDivisionError("boom")
        with common.error_boundary("Bad input"):
            from feedback.errors import InputError

            raise InputError("notes.docx: row 3 is **empty**")
        st.text("after both")

    at = AppTest.from_function(script, default_timeout=60)
    at.run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert errors[0] == ("The \\*\\*first\\*\\* chart could not be shown because of an unexpected problem "
                         "(ZeroDivisionError). The rest of the page still works.")
    assert errors[1] == "notes\\.docx\\: row 3 is \\*\\*empty\\*\\*"
    assert [t.value for t in at.text] == ["before the failure", "after both"]


def _events(*rows):
    return pd.DataFrame(rows, columns=["event_id", "title", "region", "event_date"])


def test_events_on_the_same_day_in_the_same_region_get_unique_labels():
    events = _events((7, "London roundtable", "London", "2021-06-24"),
                     (11, "London roundtable (children's services)", "London", "2021-06-24"),
                     (12, "London roundtable", "London", "2021-06-24"),
                     (3, "North East", "North East", "2021-05-14"))
    labels = views.event_labels(events)
    assert len(set(labels.values())) == 4
    assert labels[3] == "North East, 14 May 2021"
    assert labels[11] == "London, 24 Jun 2021 (London roundtable (children's services))"
    assert labels[7] == "London, 24 Jun 2021 (London roundtable) (event 7)"


def test_themes_per_event_and_its_alt_text_with_a_second_event_that_day(page_app, tmp_path):
    """The sample plus a second London roundtable on the sample London event's day: the page renders,
    every event has its own column, and the event can still be removed."""
    from feedback.roundtables import store
    from ui import common

    at = page_app("roundtables.py")
    engine = common.db_engine()
    frames = store.load_frames(engine)
    london = frames.events[frames.events["region"] == "London"].iloc[0]
    day = pd.Timestamp(london["event_date"]).strftime("%d %B %Y")
    from feedback.roundtables.read import read_notes

    content = (f"Region: London\nDate: {day}\nAttendees: 20\nPartnerships: 4\nPanel lead: A Lead\n\n"
               "- Information sharing between agencies is still patchy.\n").encode()
    codebook = store.current_codebook(engine)[0]
    store.import_notes(engine, [(read_notes("second_london.md", content), content)], "Tester", codebook)

    frames = store.load_frames(engine)
    table = views.themes_by_event(frames, codebook, level="sub_theme")
    assert table.columns.is_unique
    alt = figures.heat_alt_text(table, title="t", subtitle="s")
    assert alt.startswith("Heat table: t. s.")

    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not [e.value for e in at.error if "could not be shown" in e.value]
    assert any("second_london.md" in str(o) for o in at.selectbox(key="rt_remove_event").options)


def test_two_uploads_with_the_same_name(page_app):
    from feedback.roundtables import store
    from ui import common

    at = page_app("roundtables.py")
    before = len(store.load_frames(common.db_engine()).events)
    first = (b"Region: London\nDate: 1 March 2022\nAttendees: 10\nPartnerships: 2\nPanel lead: A Lead\n\n"
             b"- A point about training.\n")
    second = (b"Region: London\nDate: 2 March 2022\nAttendees: 12\nPartnerships: 3\nPanel lead: B Lead\n\n"
              b"- Another point.\n")
    at.file_uploader(key="rt_upload_0").set_value([("notes.md", first, "text/markdown"),
                                                  ("notes.md", second, "text/markdown")]).run()
    assert not at.exception, [e.value for e in at.exception]
    assert len([t for t in at.text if t.value.startswith("notes.md: read") and "1 feedback point(s)" in t.value]) == 2
    submit = next(b for b in at.button if b.label == "Import 2 file(s)")
    submit.click().run()
    assert not at.exception, [e.value for e in at.exception]
    events = store.load_frames(common.db_engine()).events
    assert len(events) == before + 2, [e.value for e in at.error]
    assert (events["filename"] == "notes.md").sum() == 2
