"""Tracker import, export and backup: XLSX round-trip (every row checked before anything
is written), a download of the whole database, and how to restore it.

Thin on purpose: reading, checking and writing are in feedback.tracker.spreadsheet
and feedback.db.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from feedback import access, backup
from feedback.errors import InputError, Refused
from feedback.export import xlsx_to_ods
from feedback.tracker.spreadsheet import ImportProblems, export_from, import_workbook
from feedback.validation import markdown_literal
from ui import common, navigation

navigation.route_through_app()  # a bookmark to this page on a fresh server goes through app.py

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RESULT = "tracker_import_result"

engine = common.db_engine()
stamp = dt.date.today().isoformat()

st.title("Tracker: import, export and backup")
st.caption("Move the Panel response tracker in and out of Excel, and keep a copy of the database.")

st.header("Export to Excel", anchor=False)
st.markdown("One workbook with three sheets (Items, Responses, Actions) and a Notes sheet explaining the "
            "columns. Edit it in Excel and import it below: rows are matched by their Reference.")


region = common.current_region()
scope = None
if region:
    scope = st.radio("Items to export", [f"{region} and national items", f"{region} only", "All of England"],
                     key="tracker_export_scope", horizontal=True, **common.KEPT_IN_ADDRESS,
                     help="The region chosen in the sidebar. Importing a regional export changes only its rows.")
export_region = None if scope in (None, "All of England") else region
export_national = scope != f"{region} only"


def _export() -> bytes:
    return export_from(engine, export_region, export_national)


suffix = f"-{common._slug(export_region)}" if export_region else ""
st.download_button("Download the tracker (XLSX)", common.logged_export(_export, "tracker workbook (XLSX)"),
                   file_name=f"panel-response-tracker{suffix}-{stamp}.xlsx",
                   mime=XLSX_MIME, on_click="ignore", icon=":material/download:", key="tracker_export")
st.download_button("Download the tracker (ODS, open format: to read, not to import back)",
                   common.logged_export(lambda: xlsx_to_ods(_export()), "tracker workbook (ODS)"),
                   file_name=f"panel-response-tracker{suffix}-{stamp}.ods",
                   mime="application/vnd.oasis.opendocument.spreadsheet", on_click="ignore",
                   icon=":material/download:", key="tracker_export_ods")

st.header("Import from Excel", anchor=False)
can_import = common.may_edit_some() or common.edit_allowed(what="tracker records")
if can_import:
    st.markdown(
        "Every row is checked first. If any row has a problem, **nothing is imported** and each problem is "
        "listed with its sheet, row and column. A row changed in the tracker after your export is refused "
        "(its Version no longer matches), so an import never overwrites someone else's change. Rows left "
        "out of the file are not deleted. Only admins can import changes to existing rows; editors can add "
        "rows.")
upload = (st.file_uploader("Workbook exported from this page (.xlsx)", type=["xlsx"], key="tracker_import_file")
          if can_import else None)
if upload is not None and st.button("Check and import", type="primary", key="tracker_import_go"):
    who = common.require_user()
    if who is not None:
        try:
            with common.upload_queue(), st.spinner("Checking every row, then importing…"):
                report = import_workbook(engine, upload.name, upload.getvalue(), who)
        except ImportProblems as err:
            st.session_state[RESULT] = ("problems", upload.name, err.problems)
        except (InputError, Refused) as err:
            st.session_state[RESULT] = ("error", upload.name, str(err))
        else:
            st.session_state[RESULT] = ("done", upload.name, report.summary())

result = st.session_state.get(RESULT)
if result:
    kind, name, detail = result
    if kind == "done":
        st.success(markdown_literal(f"{name} imported. {detail}"), icon=":material/check_circle:")
    elif kind == "error":
        st.error(markdown_literal(detail), icon=":material/error:")
    else:
        st.error(f"{markdown_literal(name)}: nothing was imported, because of {len(detail)} problem(s). Fix them in "
                 "the spreadsheet and import it again.", icon=":material/error:")
        with st.container(height=400 if len(detail) > 12 else "content", border=True):
            st.markdown("\n".join(f"- {markdown_literal(problem)}" for problem in detail))

st.header("Backup and restore", anchor=False)
if engine.dialect.name == "sqlite" and common.edit_allowed(action=access.BACKUP):
    backup_user = common.current_user() or ""  # taken now: the download runs outside the page
    st.markdown("A consistent copy of the whole database (tracker, roundtables, audits and all history), "
                "taken with SQLite's online backup, so it is safe while people are using the app.")
    st.download_button("Download a backup",
                       common.logged_export(lambda: backup.backup_bytes(engine, backup_user),
                                            "database backup"),
                       file_name=f"feedback-backup-{stamp}.sqlite3", mime="application/vnd.sqlite3",
                       on_click="ignore", icon=":material/backup:", key="tracker_backup")
    with st.expander("How to restore a backup", icon=":material/restore:"):
        st.markdown(
            "1. Stop the app (press Ctrl+C where `make run` is running).\n"
            "2. Move the current `var/feedback.sqlite3` aside, with its `-wal` and `-shm` files if present.\n"
            "3. Copy the backup file to `var/feedback.sqlite3`.\n"
            "4. Start the app again with `make run`. If the backup is from an older version of the app, "
            "its database is upgraded automatically on start.\n\n"
            "From the command line, `python -m feedback db backup --out FILE` takes the same backup.")
elif engine.dialect.name != "sqlite":
    st.info("This app uses a PostgreSQL database: back it up with `pg_dump` and restore it with "
            "`pg_restore` (ask whoever runs the database server). The download button is for the "
            "embedded SQLite database only.", icon=":material/info:")
