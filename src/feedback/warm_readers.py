"""Imported once by the parsing forkserver (``feedback.isolation.PRELOAD``).

Runs every reader on a tiny in-memory file, so the libraries they import
lazily (scipy.sparse, pyarrow's pandas bridge, python-docx's parts...) are
loaded in the forkserver and every forked child starts with them: a child
then pays tens of milliseconds, not a second of imports, per upload.
"""

from __future__ import annotations

import io


def _tiny_files() -> dict[str, bytes]:
    import docx
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["id", "point", "answer"])
    wb.active.append([1, "Rapid reviews are hard", "Yes"])
    xlsx = io.BytesIO()
    wb.save(xlsx)
    doc = docx.Document()
    doc.add_paragraph("Region: London")
    doc.add_paragraph("Rapid reviews are hard", style="List Bullet")
    table = doc.add_table(rows=2, cols=1)
    table.rows[0].cells[0].text, table.rows[1].cells[0].text = "Point", "Training helps"
    word = io.BytesIO()
    doc.save(word)
    return {"a.csv": b"id,answer\n1,Yes\n2,No\n", "a.xlsx": xlsx.getvalue(), "a.docx": word.getvalue(),
            "a.md": b"# Event\n\n- Rapid reviews are hard\n- rapid reviews are hard\n"}


def warm() -> None:
    from feedback import isolation
    from feedback.audits.register import read_table
    from feedback.roundtables.read import read_notes
    from feedback.survey.data_tables import is_data_tables
    from feedback.survey.read import read_survey

    files = _tiny_files()
    with isolation.in_process():
        for name in ("a.csv", "a.xlsx"):
            read_survey(name, files[name])
            read_table(name, files[name])
        is_data_tables("a.xlsx", files["a.xlsx"])
        for name in ("a.docx", "a.md", "a.xlsx"):
            read_notes(name, files[name])


try:
    warm()
except Exception:  # noqa: BLE001 - warming is an optimisation: a failure here only costs speed
    pass
import gc  # noqa: E402

gc.collect()
gc.freeze()  # children's garbage collections leave the inherited objects (and their pages) alone
