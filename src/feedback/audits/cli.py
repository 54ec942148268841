"""``python -m feedback audits ...``: the audit figures from the shell.

Every figure the Yearly-report audits page shows can be reproduced here, from
the app's database (default) or from the embedded sample files (``--sample``),
e.g. ``audits summary --year 2020-21 --format csv`` or
``audits submission-rate --year 2020-21 --by 2022-06-01``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from feedback.errors import InputError
from feedback.regions import region_option


def register(subparsers) -> None:
    parser = subparsers.add_parser("audits", help="yearly-report audits: register, summaries, imports")
    sub = parser.add_subparsers(dest="audits_command", required=True)

    def common(cmd, year_required=True):
        cmd.add_argument("--year", required=year_required, help="reporting year, e.g. 2020-21")
        cmd.add_argument("--region", help="one region only")
        cmd.add_argument("--format", choices=("table", "csv", "xlsx"), default="table")
        cmd.add_argument("--output", type=Path, help="write here instead of standard output (needed for xlsx)")
        cmd.add_argument("--sample", action="store_true", help="use the embedded sample files, not the database")
        cmd.add_argument("--database-url", help="default: FEEDBACK_DATABASE_URL or the embedded SQLite file")

    summary = sub.add_parser("summary", help="per criterion: fully / partly / not evidenced, with Wilson intervals")
    common(summary, year_required=False)
    summary.add_argument("--by-region", action="store_true", help="one row per region and criterion")
    summary.set_defaults(func=_summary)

    codes = sub.add_parser("codes", help="priorities or practice themes by frequency")
    common(codes, year_required=False)
    codes.add_argument("--list", default="priorities", help="priorities (default) or practice_themes")
    codes.set_defaults(func=_codes)

    rate = sub.add_parser("submission-rate", help="share of partnerships whose report arrived by a date")
    common(rate)
    rate.add_argument("--by", required=True, help="cut-off date, e.g. 2022-06-01 (reports received that day count)")
    rate.set_defaults(func=_rate)

    published = sub.add_parser("published", help="the published figures beside the same figures from the data")
    common(published, year_required=False)
    published.set_defaults(func=_published)

    imp = sub.add_parser("import", help="import audits from a CSV/XLSX (every row checked; all or none)")
    imp.add_argument("file", type=Path)
    imp.add_argument("--who", required=True, help="your name, recorded against the import")
    imp.add_argument("--framework", default="wt2018", help="framework edition id (default wt2018)")
    imp.add_argument("--database-url")
    imp.set_defaults(func=_import)

    reg = sub.add_parser("import-register", help="add partnerships and received dates from a CSV/XLSX")
    reg.add_argument("file", type=Path)
    reg.add_argument("--who", required=True)
    reg.add_argument("--database-url")
    reg.set_defaults(func=_import_register)

    tpl = sub.add_parser("template", help="write an empty audit spreadsheet (CSV or XLSX) to fill in")
    tpl.add_argument("output", type=Path)
    tpl.add_argument("--framework", default="wt2018")
    tpl.set_defaults(func=_template)


def _engine(args):
    from feedback import db
    from feedback.audits.seed import seed_if_empty

    engine = db.get_engine(getattr(args, "database_url", None) or db.database_url())
    db.upgrade(engine)
    seed_if_empty(engine)
    return engine


def _frames(args) -> dict:
    if getattr(args, "sample", False):
        from feedback.audits.sample import sample_frames

        return sample_frames()
    from feedback.audits.store import load_frames

    return load_frames(_engine(args))


_region = region_option


def _year(value: str | None) -> str | None:
    from feedback.audits.framework import normalise_year

    return None if value is None else normalise_year(value)


def _write(df: pd.DataFrame, args, name: str) -> int:
    from feedback.export import to_csv_bytes, to_xlsx_bytes

    if args.format == "xlsx":
        if not args.output:
            raise InputError("--format xlsx needs --output FILE.xlsx")
        args.output.write_bytes(to_xlsx_bytes({name: df}, percent_columns=[c for c in df.columns
                                                                          if c == "p" or "ci_" in c or "rate" in c
                                                                          or c.startswith("p_")]))
        return 0
    if args.format == "csv":
        data = to_csv_bytes(df)
    else:
        with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200):
            data = (df.to_string(index=False) + "\n").encode()
    if args.output:
        args.output.write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
    return 0


def _summary(args) -> int:
    from feedback.audits.framework import load_framework
    from feedback.audits.summaries import criterion_summary

    table = criterion_summary(_frames(args), load_framework(), year=_year(args.year), region=_region(args.region),
                              by_region=args.by_region)
    return _write(table, args, "Criteria")


def _codes(args) -> int:
    from feedback.audits.framework import load_framework
    from feedback.audits.summaries import code_frequencies

    fw = load_framework()
    if args.list not in [lst.id for lst in fw.lists]:
        raise InputError(f"--list '{args.list}' is not one of: {', '.join(lst.id for lst in fw.lists)}.")
    return _write(code_frequencies(_frames(args), fw, args.list, year=_year(args.year), region=_region(args.region)),
                  args, args.list)


def _rate(args) -> int:
    from feedback.audits.register import parse_date, submission_rate

    try:
        by = parse_date(args.by)
    except ValueError:
        by = None
    if by is None:
        raise InputError(f"--by '{args.by}' is not a date: write it as 2022-06-01.")
    table = submission_rate(_frames(args)["register"], _year(args.year), by, region=_region(args.region))
    return _write(table, args, "Submission rate")


def _published(args) -> int:
    from feedback.audits.framework import load_framework
    from feedback.audits.summaries import published_check

    frames = _frames(args)
    table = published_check(frames, load_framework(), frames["register"])
    _write(table, args, "Published figures")
    return 0 if table["matches"].all() else 1


def _import(args) -> int:
    from feedback.audits.entry import read_audits
    from feedback.audits.framework import load_framework
    from feedback.audits.store import add_audits, partnership_regions

    engine = _engine(args)
    records = read_audits(args.file.name, args.file.read_bytes(), load_framework(args.framework),
                          partnership_regions(engine))
    ids = add_audits(engine, records, args.who, reason=f"imported from {args.file.name}",
                     source=args.file.name)
    print(f"imported {len(ids)} audits from {args.file.name}")
    return 0


def _import_register(args) -> int:
    from feedback.audits.register import read_register
    from feedback.audits.store import save_register

    engine = _engine(args)
    counts = save_register(engine, read_register(args.file.name, args.file.read_bytes()), args.who,
                           reason=f"imported from {args.file.name}", source=args.file.name)
    print(f"added {counts['partnerships']} partnerships and {counts['reports']} yearly reports; "
          f"changed {counts['dates']} received dates")
    return 0


def _template(args) -> int:
    from feedback.audits.entry import template_frame
    from feedback.audits.framework import load_framework
    from feedback.export import to_csv_bytes, to_xlsx_bytes

    frame = template_frame(load_framework(args.framework))
    if args.output.suffix.lower() == ".xlsx":
        args.output.write_bytes(to_xlsx_bytes({"Audits": frame}, percent_columns=()))
    else:
        args.output.write_bytes(to_csv_bytes(frame))
    print(f"wrote {args.output}")
    return 0

