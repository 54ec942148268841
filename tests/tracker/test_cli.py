"""python -m feedback tracker ... / db ...: the same functions, from the command line."""

from __future__ import annotations

import sqlite3

import openpyxl

from feedback.__main__ import main


def test_cli_seed_export_import_overdue_upgrade_backup(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    assert main(["db", "upgrade", "--database", url]) == 0
    assert main(["tracker", "seed", "--database", url]) == 0
    assert "37 sample items added" in capsys.readouterr().out
    out = tmp_path / "t.xlsx"
    assert main(["tracker", "export", "--database", url, "--out", str(out)]) == 0
    assert main(["tracker", "import", str(out), "--database", url, "--who", "Cli"]) == 0
    assert "Items: 0 added, 0 changed, 37 unchanged" in capsys.readouterr().out
    wb = openpyxl.load_workbook(out)
    wb["Actions"]["G2"] = "finished"
    wb.save(out)
    assert main(["tracker", "import", str(out), "--database", url, "--who", "Cli"]) == 2
    assert "status 'finished' is not one of" in capsys.readouterr().err
    assert main(["tracker", "overdue", "--database", url]) == 0
    assert "overdue action(s)" in capsys.readouterr().out
    backup = tmp_path / "b.sqlite3"
    assert main(["db", "backup", "--database", url, "--out", str(backup)]) == 0
    with sqlite3.connect(backup) as conn:
        assert conn.execute("SELECT count(*) FROM tracker_item").fetchone()[0] == 37


def test_cli_db_prepare_migrates_and_stores_every_sample_once(tmp_path, capsys):
    from sqlalchemy import func, select

    from feedback import db
    from feedback.audits.models import Partnership
    from feedback.roundtables.models import RoundtableEvent
    from feedback.tracker.models import Item

    url = f"sqlite:///{tmp_path / 'prepared.sqlite3'}"

    def counts():
        engine = db.get_engine(url)
        with db.session_scope(engine) as session:
            found = [session.scalar(select(func.count()).select_from(m)) for m in (Item, RoundtableEvent, Partnership)]
        engine.dispose()
        return found

    assert main(["db", "prepare", "--database", url]) == 0
    first = counts()
    assert main(["db", "prepare", "--database", url]) == 0
    assert capsys.readouterr().out.count("Database ready: migrations at ") == 2
    assert first[0] > 0 and first[1:] == [10, 137]  # the 10 sample roundtables, the 137 partnerships
    assert counts() == first  # stored once
