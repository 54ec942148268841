"""Tab book command: ``table``.

``python -m feedback table FILE --codebook CB.toml [--by role] [--by role*region]
[--by COLUMN] [--by QUESTION_ID] [--filter KEY="VALUE"]... [--without-dont-know]
[--method wilson] [--level 0.95] [--small-base 10,30] [--adjust holm|bh|none]
[--test design|effective-base] [--format csv|xlsx|ods|json] [--out PATH]``

One row per question x answer x group, from ``feedback.survey.tabbook.tab_book``.
The XLSX (and ODS) follows the spreadsheet standard of the publication workbooks: cover,
contents, notes, one table per question (answers down; per group its share as a number and the
letters it is higher than; base and letter in the header), then the long table.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from feedback.errors import InputError
from feedback.survey.cli import (FORMATS, _load_codebook, _one_line_errors, _test_arguments, parse_by,
                                 parse_filters, parse_small_base, small_base_arguments)
from feedback.intervals import METHODS

TABLE_FORMATS = (*FORMATS, "ods")


def compute_table(args) -> tuple[pd.DataFrame, object]:
    """The tab book for the parsed ``table`` arguments, and the codebook."""
    from feedback.regions import with_regions_normalised
    from feedback.survey.codebook import validate
    from feedback.survey.rates import code_answers
    from feedback.survey.read import read_survey
    from feedback.survey.tabbook import tab_book

    groupings = tuple(g for g in (parse_by(b) for b in args.by or ()) if g != ("total",))
    codebook = _load_codebook(args.codebook, args.file)
    data = read_survey(Path(args.file).name, Path(args.file).read_bytes())
    problems = validate(codebook, data.frame)
    if problems:
        raise InputError(f"codebook {args.codebook} does not fit {Path(args.file).name}: " + "; ".join(problems))
    frame, region_notes = with_regions_normalised(data.frame, getattr(codebook, "region", "") or "")
    for note in region_notes:
        print(f"note: {note}", file=sys.stderr)
    table = tab_book(code_answers(frame, codebook), codebook, by=groupings, filter=parse_filters(args.filter),
                     method=args.method, level=args.level,
                     small_base=parse_small_base(args.small_base, args.small_base_on),
                     adjust=args.adjust, test=args.test, dont_know=not args.without_dont_know)
    return table, codebook


def run_table(args) -> int:
    from feedback.export import safe_frame, to_csv_bytes

    table, codebook = compute_table(args)
    fmt = args.format or (Path(args.out).suffix.lstrip(".").lower() if args.out else "csv")
    if fmt not in TABLE_FORMATS:
        raise InputError(f"cannot tell the output format from {args.out!r}: give --format csv, xlsx, ods or json")
    if fmt in ("xlsx", "ods"):
        if not args.out:
            raise InputError(f"--format {fmt} writes a workbook: give --out PATH.{fmt}")
        from feedback.export import xlsx_to_ods
        from feedback.survey.tabbook import table_workbook

        book = table_workbook(table, codebook, adjust=args.adjust)
        Path(args.out).write_bytes(xlsx_to_ods(book) if fmt == "ods" else book)
        return 0
    if fmt == "json":
        data = (table.to_json(orient="records", force_ascii=False, indent=1) + "\n").encode("utf-8")
    else:
        data = to_csv_bytes(table) if args.out else safe_frame(table).to_csv(index=False).encode("utf-8")
    if args.out:
        Path(args.out).write_bytes(data)
    else:
        sys.stdout.write(data.decode("utf-8"))
    return 0


def register(subparsers) -> None:
    """Add ``table`` to ``python -m feedback``."""
    table = _one_line_errors(subparsers.add_parser(
        "table", help="tab book: every answer and net by any break, with column letters",
        description="One row per question x answer x group: n, weighted base, p, interval, letter, higher_than."))
    table.add_argument("file", help="respondent-level CSV / XLSX / SAV")
    table.add_argument("--codebook", help="TOML codebook")
    table.add_argument("--by", action="append", metavar="BREAK",
                       help="role, region, role*region, a column in the codebook's [columns] breaks, or a "
                            "question id; repeat for several breaks (the total always comes first)")
    table.add_argument("--filter", action="append", metavar='KEY="VALUE"',
                       help='a domain: a question id or break column and an answer, e.g. heard_of_panel="Yes"')
    table.add_argument("--without-dont-know", action="store_true",
                       help="leave \"Don't know\" out of every question's base")
    table.add_argument("--method", default="wilson", choices=METHODS)
    table.add_argument("--level", type=float, default=0.95, help="confidence level, e.g. 0.90, 0.95, 0.99")
    small_base_arguments(table)
    _test_arguments(table)
    for action in table._actions:  # the shared --format, plus ODS (one table per sheet, as the XLSX)
        if action.dest == "format":
            action.choices = TABLE_FORMATS
    table.set_defaults(func=run_table)
