"""``python -m feedback roundtables ...``: read, import and count roundtable notes.

Counting commands work on files given on the command line (no database), or
on the app's database when no file is given, so a number on the page can be
reproduced from the shell.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from feedback.errors import InputError
from feedback.regions import region_option
from feedback.survey.settings import Settings
from feedback.tracker.choices import DECISIONS


def register(subparsers) -> None:
    parser = subparsers.add_parser("roundtables", help="regional roundtable notes: import, themes, totals, kappa")
    sub = parser.add_subparsers(dest="roundtables_command", required=True)

    read = sub.add_parser("read", help="show the event details, points, the Panel's responses and actions a file of "
                                       "notes gives")
    read.add_argument("files", nargs="+", type=Path)
    read.add_argument("--show-skipped", action="store_true",
                      help="also list the lines not read as points, details, responses or actions, with the reason")
    read.set_defaults(func=_read)

    imp = sub.add_parser("import", help="import notes into the database (all files or none)")
    imp.add_argument("files", nargs="+", type=Path)
    imp.add_argument("--who", required=True, help="your name, recorded against the import")
    for name in ("region", "date", "attendees", "partnerships", "panel-lead"):
        imp.add_argument(f"--{name}", help=f"the event's {name.replace('-', ' ')}, when the notes do not say "
                                           "(applies to every file given)")
    imp.add_argument("--database-url", help="default: FEEDBACK_DATABASE_URL or the embedded SQLite file")
    imp.add_argument("--record-responses", metavar="DECISION", choices=DECISIONS,
                     help="also record the Panel's responses and actions found in the notes on tracker items raised "
                          f"from their points, with this decision ({', '.join(DECISIONS)})")
    imp.set_defaults(func=_import)

    for name, helptext in (("themes-by-region", "points per theme and region"),
                           ("themes-by-event", "points per theme and event"),
                           ("totals", "events, attendees and partnerships per event and overall")):
        cmd = sub.add_parser(name, help=helptext)
        cmd.add_argument("files", nargs="*", type=Path, help="notes files; none = the database")
        cmd.add_argument("--region", help="one region only")
        if name != "totals":
            cmd.add_argument("--level", choices=("sub_theme", "theme"), default="sub_theme")
        cmd.add_argument("--format", choices=("table", "csv", "xlsx"), default="table")
        cmd.add_argument("--output", type=Path, help="write here instead of standard output (needed for xlsx)")
        cmd.add_argument("--database-url")
        cmd.set_defaults(func=_table, table=name)

    sug = sub.add_parser("suggest-themes", help="suggest sub-themes for each point of notes files (offline: keyword "
                                                "rules and the nearest coded examples); never codes by itself")
    sug.add_argument("files", nargs="+", type=Path)
    sug.add_argument("--top", type=int, default=3, help="candidates listed per point (default 3)")
    sug.add_argument("--column", help="read the files as survey data (CSV, XLSX, SAV) and suggest for the "
                                      "free-text answers in this column, one row per answer")
    sug.add_argument("--format", choices=("table", "csv"), default="table")
    sug.add_argument("--output", type=Path, help="write here instead of standard output")
    sug.set_defaults(func=_suggest)

    rates = sub.add_parser("theme-rates", help="the share of a survey's respondents mentioning each theme in a "
                                               "free-text column, by role or region, from the codings the Open "
                                               "answers page exports (the survey engine: intervals and bases)")
    rates.add_argument("file", type=Path, help="the survey data (CSV, XLSX, SAV), one row per respondent")
    rates.add_argument("--codebook", type=Path, required=True, help="the survey's codebook (TOML)")
    rates.add_argument("--column", required=True, help="the column of free-text answers")
    rates.add_argument("--codings", type=Path, required=True, help="the codings CSV the Open answers page exports")
    rates.add_argument("--by", choices=("role", "region"), default="role")
    rates.add_argument("--count", choices=("theme", "sub_theme"), default="theme", help="themes or sub-themes")
    rates.add_argument("--targets", type=Path, help="population margins to rake to (CSV: variable,category,target)")
    rates.add_argument("--cap", type=float, help="cap on the raked weights")
    Settings.add_arguments(rates)
    rates.add_argument("--format", choices=("table", "csv", "json"), default="table")
    rates.set_defaults(func=_theme_rates)

    agree = sub.add_parser("agreement", help="Krippendorff's alpha and percent agreement per sub-theme for any "
                                             "number of coders, and the points they disagree on (database)")
    agree.add_argument("coders", nargs="+", help="two or more coder names (the suggester is "
                                                 "'suggester tfidf-1', the keyword rules 'rules')")
    agree.add_argument("--disagreements", action="store_true", help="list the points to review instead")
    agree.add_argument("--format", choices=("table", "csv"), default="table")
    agree.add_argument("--database-url")
    agree.set_defaults(func=_agreement)

    kappa = sub.add_parser("kappa", help="Cohen's kappa per sub-theme between two coders (database)")
    kappa.add_argument("coder_a")
    kappa.add_argument("coder_b")
    kappa.add_argument("--format", choices=("table", "csv"), default="table")
    kappa.add_argument("--database-url")
    kappa.set_defaults(func=_kappa)


def _engine(args):
    from feedback import db

    engine = db.get_engine(args.database_url or db.database_url())
    db.upgrade(engine)
    return engine


_region = region_option


def _read(args) -> int:
    from feedback.roundtables.read import HEADING, META_LABELS, SKIPPED, read_notes

    for path in args.files:
        notes = read_notes(path.name, path.read_bytes())
        m = notes.meta
        print(f"{path.name}: {m.title or ''}")
        for key in ("region", "event_date", "attendees", "partnerships", "panel_lead"):
            value = getattr(m, key)
            print(f"  {META_LABELS[key]}: {'(missing)' if value in (None, '') else value}")
        for key, value in m.other.items():
            print(f"  {key}: {value}")
        for problem in notes.problems:
            print(f"  problem: {problem}")
        for p in notes.points:
            merged = f"  [merged with {len(p.merged)} near-identical]" if p.merged else ""
            print(f"  {p.seq:>3}. [{p.section}] {p.text}{merged}")
            if p.response:
                print(f"       Panel response: {' '.join(p.response.split())}")
            for action in p.actions:
                print(f"       action: {action}")
        loose = [x for x in notes.actions if not x.answers]
        for x in loose:
            print(f"  action (no point given, line {x.no}): {x.text}")
        unsure = [x for x in notes.unsure if x.role != SKIPPED]
        for x in unsure:
            print(f"  unsure, line {x.no} ({x.role}): {x.note}")
        skipped = notes.skipped
        if args.show_skipped:
            for x in skipped:
                print(f"  skipped line {x.no}: {x.text[:100]!r}: {x.note}")
            for x in (x for x in notes.lines if x.role == HEADING):
                print(f"  heading line {x.no}: {x.text[:100]!r}: {x.note}")
        elif skipped:
            print(f"  {len(skipped)} line(s) skipped (--show-skipped lists them with the reason)")
    return 0


def _import(args) -> int:
    from feedback.roundtables.store import import_files

    details = {"region": args.region, "event_date": args.date, "attendees": args.attendees,
               "partnerships": args.partnerships, "panel_lead": args.panel_lead}
    details = {k: v for k, v in details.items() if v not in (None, "")}
    files = [(p.name, p.read_bytes()) for p in args.files]
    engine = _engine(args)
    ids = import_files(engine, files, args.who, {name: details for name, _ in files})
    print(f"imported {len(ids)} event(s): ids {', '.join(map(str, ids))}")
    if args.record_responses:
        from feedback.roundtables import links
        from feedback.roundtables.read import read_notes

        for event_id, (name, content) in zip(ids, files, strict=True):
            offers = links.responses_offered(read_notes(name, content))
            refs = links.record_responses(engine, event_id, offers, args.who, args.record_responses)
            print(f"{name}: the Panel's responses and actions recorded on {len(refs)} tracker item(s)"
                  + (f": {', '.join(refs)}" if refs else ""))
    return 0


def _frames(args):
    from feedback.roundtables import views
    from feedback.roundtables.read import read_notes
    from feedback.roundtables.themes import load_themes

    if args.files:
        codebook = load_themes()
        notes = [read_notes(p.name, p.read_bytes()) for p in args.files]
        return views.frames_from_notes(notes, codebook), codebook
    from feedback.roundtables.store import current_codebook, load_frames

    engine = _engine(args)
    return load_frames(engine), current_codebook(engine)[0]


def _table(args) -> int:
    from feedback.roundtables import views

    frames, codebook = _frames(args)
    region = _region(args.region)
    if args.table == "totals":
        table = views.event_totals(frames.events, region=region)
    elif args.table == "themes-by-region":
        table = views.themes_by_region(frames, codebook, level=args.level, region=region).reset_index(drop=True)
    else:
        table = views.themes_by_event(frames, codebook, level=args.level, region=region).reset_index(drop=True)
    return _write(table, args, name=args.table)


def _kappa(args) -> int:
    from feedback.roundtables.coding import agreement
    from feedback.roundtables.store import current_codebook, load_frames

    engine = _engine(args)
    frames, codebook = load_frames(engine), current_codebook(engine)[0]
    table = agreement(frames.codings, args.coder_a, args.coder_b, [c.id for c in codebook.codes], codebook.names())
    args.output = None
    return _write(table, args, name="kappa")


def _suggest(args) -> int:
    from feedback.roundtables import suggest
    from feedback.roundtables.read import read_notes
    from feedback.roundtables.themes import load_themes

    codebook = load_themes()
    if args.column:
        from feedback.roundtables.verbatims import suggest_answers
        from feedback.survey.read import read_survey

        parts = []
        for path in args.files:
            data = read_survey(path.name, path.read_bytes())
            parts.append(suggest_answers(data.frame, args.column, codebook, top=args.top)
                         .rename(columns={"answer": "text"}).assign(file=path.name))
        table = pd.concat(parts, ignore_index=True)
        table = table[["file", "row", "text", *[c for c in table.columns if c not in ("file", "row", "text")]]]
        table = table.rename(columns={"row": "point"})
        table["point"] = table["point"].astype(int) + 1  # the answer's row in the data, first respondent 1
        return _show_suggestions(table, args, unit="answer")
    model = suggest.Suggester(codebook, suggest.load_examples())
    frames = []
    for path in args.files:
        notes = read_notes(path.name, path.read_bytes())
        points = pd.DataFrame({"file": path.name, "point": [p.seq for p in notes.points],
                               "text": [p.text for p in notes.points]})
        frames.append(suggest.suggestion_frame(points, model.suggest(list(points["text"]), top=args.top), codebook))
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    table.insert(len(table.columns), "coder", suggest.SUGGESTER_CODER)
    return _show_suggestions(table, args, unit="point")


def _theme_rates(args) -> int:
    from feedback.roundtables import verbatims
    from feedback.roundtables.themes import load_themes
    from feedback.survey.loading import load_survey

    survey = load_survey(args.file.name, args.file.read_bytes(), args.codebook.read_text(encoding="utf-8"),
                         targets=args.targets.read_text(encoding="utf-8") if args.targets else None, cap=args.cap)
    codings = pd.read_csv(args.codings, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    accepted = verbatims.codings_from_table(survey.frame, codings)
    table = verbatims.theme_rates(survey.frame, survey.codebook, args.column, accepted, load_themes(), by=args.by,
                                  settings=Settings.from_args(args), level=args.count, raking=survey.raking)
    if args.format == "json":
        print(table.to_json(orient="records"))
        return 0
    args.output = None
    return _write(table, args, name="theme rates")


def _show_suggestions(table: pd.DataFrame, args, *, unit: str) -> int:
    if args.format == "table":
        for (file, point, text), group in table.groupby(["file", "point", "text"], sort=False):
            print(f"{file} {unit} {point}: {text}")
            for row in group.itertuples(index=False):
                if row.code:
                    mark = "suggested" if row.suggested else "weaker"
                    print(f"  {row.rank}. {row.sub_theme} [{row.code}] score {row.score:.2f} ({mark}): {row.reason}")
                else:
                    print(f"  no suggestion: {row.reason}")
        return 0
    return _write(table, args, name="suggestions")


def _agreement(args) -> int:
    from feedback.roundtables.coding import disagreements, multi_agreement
    from feedback.roundtables.store import current_codebook, load_frames

    if len(set(args.coders)) < 2:
        raise InputError("Name two or more different coders to compare.")
    engine = _engine(args)
    frames, codebook = load_frames(engine), current_codebook(engine)[0]
    unknown = [c for c in args.coders if c not in set(frames.codings["coder"])]
    if unknown:
        raise InputError(f"No codings by {', '.join(unknown)} in the database.")
    if args.disagreements:
        table = disagreements(frames.codings, args.coders, codebook.names())
    else:
        table = multi_agreement(frames.codings, args.coders, [c.id for c in codebook.codes], codebook.names())
    args.output = None
    return _write(table, args, name="agreement")


def _write(table: pd.DataFrame, args, *, name: str) -> int:
    from feedback.export import to_csv_bytes, to_xlsx_bytes

    if args.format == "xlsx":
        if args.output is None:
            raise InputError("--format xlsx needs --output FILE.xlsx")
        args.output.write_bytes(to_xlsx_bytes({name: table}, notes=[
            "Counts are feedback points (near-identical points within an event counted once)."], percent_columns=()))
        return 0
    if args.format == "csv":
        data = to_csv_bytes(table)
        if args.output:
            args.output.write_bytes(data)
        else:
            sys.stdout.buffer.write(data)
        return 0
    with pd.option_context("display.width", 200, "display.max_columns", 30, "display.max_colwidth", 50):
        text = table.to_string(index=False)
    if args.output:
        args.output.write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
    return 0


if __name__ == "__main__":  # pragma: no cover
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    ns = parser.parse_args()
    sys.exit(ns.func(ns))
