"""CLI for the tracker and the database: ``python -m feedback tracker ...`` and ``... db ...``."""

from __future__ import annotations

import argparse
import getpass
from pathlib import Path

from feedback.errors import InputError


def _engine(args):
    from feedback import db

    engine = db.get_engine(getattr(args, "database", None) or db.database_url())
    db.upgrade(engine)
    return engine


def _who(args) -> str:
    return args.who or getpass.getuser()


def cmd_seed(args) -> int:
    from feedback.tracker.seed import seed_if_empty

    added = seed_if_empty(_engine(args))
    print(f"{added} sample items added." if added else "The tracker already has items; nothing added.")
    return 0


def cmd_export(args) -> int:
    from feedback import db
    from feedback.tracker.spreadsheet import export_workbook

    with db.session_scope(_engine(args)) as session:
        data = export_workbook(session)
    Path(args.out).write_bytes(data)
    print(f"Wrote {args.out} ({len(data):,} bytes).")
    return 0


def cmd_import(args) -> int:
    from feedback.tracker.spreadsheet import import_workbook

    path = Path(args.file)
    report = import_workbook(_engine(args), path.name, path.read_bytes(), _who(args))
    print(report.summary())
    return 0


def cmd_overdue(args) -> int:
    from feedback import db
    from feedback.tracker.service import Filters, filtered

    with db.session_scope(_engine(args)) as session:
        _items, actions = filtered(session, Filters(overdue_only=True))
    for row in actions.itertuples():
        due = row.revised_due_date or row.due_date
        print(f"{row.reference}\t{due}\t{row.status}\t{row.owner}")
    print(f"{len(actions)} overdue action(s).")
    return 0


def _day(text: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"--as-of {text!r} is not a date: give it as YYYY-MM-DD, e.g. 2025-03-31.") from None


def cmd_publish(args) -> int:
    from feedback import db
    from feedback.tracker import record

    as_of = _day(args.as_of) if args.as_of else None
    with db.session_scope(_engine(args)) as session:
        built = record.build(session, as_of)
    sizes = record.write(built, args.out)
    done, base = built.on_time()
    print(f"Public record as at {record.long_date(built.as_of)}: {len(built.points)} published point(s), "
          f"{len(built.actions)} action(s), {done} of {base} completed on time.")
    for name, size in sizes.items():
        print(f"Wrote {Path(args.out) / name} ({size:,} bytes).")
    return 0


def cmd_upgrade(args) -> int:
    from feedback import db

    engine = _engine(args)
    print(f"Database at migration {db.current_revision(engine)}.")
    return 0


def cmd_prepare(args) -> int:
    from feedback import db, sample_data

    engine = _engine(args)  # the migrations (as the owner only for the configured database)
    sample_data.seed_if_empty(engine)
    print(f"Database ready: migrations at {db.current_revision(engine)}, sample data stored where an area was empty.")
    return 0


def cmd_backup(args) -> int:
    from feedback import db

    try:
        path = db.backup_sqlite(_engine(args), args.out)
    except ValueError as err:
        raise InputError(str(err)) from None
    print(f"Backup written to {path}.")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``tracker`` and ``db`` commands."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--database", help="database URL (default: FEEDBACK_DATABASE_URL, else var/feedback.sqlite3)")

    tracker = sub.add_parser("tracker", help="Panel response tracker")
    tsub = tracker.add_subparsers(dest="tracker_command", required=True)
    p = tsub.add_parser("seed", parents=[common], help="load the sample items into an empty tracker")
    p.set_defaults(func=cmd_seed)
    p = tsub.add_parser("export", parents=[common], help="write items, responses and actions to XLSX")
    p.add_argument("--out", required=True, help="the .xlsx file to write")
    p.set_defaults(func=cmd_export)
    p = tsub.add_parser("import", parents=[common],
                        help="apply an XLSX (checked first; any problem and nothing changes)")
    p.add_argument("file")
    p.add_argument("--who", help="name recorded in history (default: your login name)")
    p.set_defaults(func=cmd_import)
    p = tsub.add_parser("overdue", parents=[common], help="list overdue actions")
    p.set_defaults(func=cmd_overdue)
    p = tsub.add_parser("publish", parents=[common],
                        help="write the public progress record: index.html, progress.csv, progress.ods")
    p.add_argument("--out", required=True, help="the folder to write the three files into")
    p.add_argument("--as-of", help="rebuild the record as it stood at the end of this day (YYYY-MM-DD), "
                                   "from the history (default: today)")
    p.set_defaults(func=cmd_publish)

    dbp = sub.add_parser("db", help="database: upgrade, backup")
    dsub = dbp.add_subparsers(dest="db_command", required=True)
    p = dsub.add_parser("upgrade", parents=[common], help="run the migrations to the latest version")
    p.set_defaults(func=cmd_upgrade)
    p = dsub.add_parser("prepare", parents=[common],
                        help="run the migrations and store the sample data in an empty database (as the app does)")
    p.set_defaults(func=cmd_prepare)
    p = dsub.add_parser("backup", parents=[common], help="copy the SQLite database (online backup API)")
    p.add_argument("--out", required=True, help="the backup file to write")
    p.set_defaults(func=cmd_backup)
