"""Survey commands: ``rates``, ``pairwise`` and ``codebook suggest``.

``python -m feedback rates FILE --codebook CB.toml [--by role] [--by role*region]
[--filter region="London"] [--method wilson] [--level 0.95] [--small-base 10,30]
[--small-base-on unweighted,effective] [--adjust holm|bh|none]
[--test design|rao-scott|effective-base] [--format csv|xlsx|json] [--out PATH]``

``python -m feedback pairwise FILE --codebook CB.toml --by role [--by region]
[--filter KEY="VALUE"] [--level L] [--small-base 10,30] [--small-base-on unweighted,effective]
[--adjust holm|bh|none] [--test design|rao-scott|effective-base] [--format csv|xlsx|json] [--out PATH]``:
one row per question x grouping x pair.

Every number comes from ``rates_by_group`` (or, for a YouGov data tables
workbook, from ``feedback.survey.data_tables``), so the CLI and the app agree.
"""

from __future__ import annotations

import argparse
import re
import shlex
import sys
from pathlib import Path

import pandas as pd

from feedback.errors import InputError
from feedback.survey.notes import DESIGN_NOTE, interval_notes, raking_notes, test_notes
from feedback.survey.settings import Settings
from feedback.survey.views import GROUPINGS

FORMATS = ("csv", "xlsx", "json")
_CROSS = re.compile(r"\s*(?:\*|×|\bx\b)\s*")


def parse_by(text: str) -> tuple[str, ...]:
    """'role', 'role*region', 'role x region', 'role×region' -> grouping keys."""
    keys = tuple(k.strip() for k in _CROSS.split(text.strip()) if k.strip())
    if not keys:
        raise InputError(f"--by {text!r} names no column: use e.g. --by role or --by role*region")
    return keys


def parse_filters(items: list[str] | None) -> dict[str, str | list[str]] | None:
    """['region="London"', 'role=Health'] -> {'region': 'London', 'role': 'Health'} (repeats -> list)."""
    out: dict[str, str | list[str]] = {}
    for item in items or ():
        key, sep, value = item.partition("=")
        key, value = key.strip(), value.strip().strip("\"'").strip()
        if not sep or not key or not value:
            raise InputError(f"--filter {item!r} is not KEY=VALUE: use e.g. --filter region=\"London\"")
        if key == "region":  # "NE", "Yorks & Humber", "E12000003": the Panel's spelling, as the data's at load
            from feedback.regions import normalise_region

            value = normalise_region(value) or value
        if key in out:
            previous = out[key]
            out[key] = (previous if isinstance(previous, list) else [previous]) + [value]
        else:
            out[key] = value
    return out or None


def load_codebook(path: str | None, file: str):
    from feedback.survey.codebook import load_codebook

    if not path:
        raise InputError(f"{file}: a respondent-level file needs --codebook CB.toml "
                         f"(draft one with: python -m feedback codebook suggest {file} > CB.toml)")
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"codebook {path}: not UTF-8 text; save it as UTF-8 TOML") from None
    return load_codebook(text, name=Path(path).name)


def _rates_from_tables(args, name: str, content: bytes, groupings, filters, settings: Settings):
    """Results for a YouGov data tables workbook, or None when the file is not one.

    With --codebook, its question ids and positive answers are used; without,
    ids come from the question text and p from each table's first net.
    """
    try:
        from feedback.survey import data_tables as tables
    except ModuleNotFoundError:
        return None
    if not tables.is_data_tables(name, content):
        return None
    codebook = load_codebook(args.codebook, args.file) if args.codebook else None
    frame = tables.read_data_tables(name, content, codebook)
    regional = frame["by"] == "region" if "by" in frame else None
    if regional is not None and regional.any():  # published region columns in the Panel's spelling
        from feedback.regions import region_groups_normalised

        frame.loc[regional, "group"] = region_groups_normalised(frame.loc[regional, "group"])
    return tables.rates_from_tables(frame, codebook, by=groupings, filter=filters, method=settings.method,
                                    level=settings.level, small_base=settings.small_base), codebook


def compute_rates(args) -> tuple[pd.DataFrame, object | None]:
    """Results frame for the parsed ``rates`` arguments, and the codebook used (if any)."""
    from feedback.survey.rates import rates_by_group

    groupings = tuple(g for g in (parse_by(b) for b in args.by or ()) if g != ("total",))  # total is always there
    filters = parse_filters(args.filter)
    settings = Settings.from_args(args)
    content = Path(args.file).read_bytes()
    name = Path(args.file).name
    from_tables = _rates_from_tables(args, name, content, groupings, filters, settings)
    if from_tables is not None:
        if getattr(args, "targets", None):
            raise InputError(f"{name} is a data tables workbook: raking (--targets) needs respondent-level data")
        return from_tables
    codebook, data = _respondents(args, name, content)
    from feedback.regions import with_regions_normalised
    from feedback.survey.rates import code_answers

    frame, region_notes = with_regions_normalised(data.frame, getattr(codebook, "region", "") or "")
    for note in region_notes:
        print(f"note: {note}", file=sys.stderr)
    raking = _raking(args, frame, codebook)
    results = rates_by_group(code_answers(frame, codebook), codebook, by=groupings, filter=filters,
                             **settings.engine(), raking=raking)
    if raking is not None:
        results.attrs["raking"] = raking
    return results, codebook


def _respondents(args, name: str, content: bytes):
    """The codebook and the respondent-level data it must fit."""
    from feedback.survey.read import read_survey

    codebook = load_codebook(args.codebook, args.file)
    data = read_survey(name, content)
    try:
        from feedback.survey.codebook import validate
    except ImportError:
        validate = None
    problems = validate(codebook, data.frame) if validate else []
    if problems:
        raise InputError(f"codebook {args.codebook} does not fit {name}: " + "; ".join(problems))
    return codebook, data


def _raking(args, frame, codebook):
    """The raking asked for with --targets (None without)."""
    if not getattr(args, "targets", None):
        return None
    from feedback.survey.weighting import rake, read_targets

    return rake(frame, codebook, read_targets(Path(args.targets).read_bytes()), cap=getattr(args, "cap", None))


def _notes(results: pd.DataFrame, codebook, args) -> list[str]:
    """What a reader of the exported table needs to know."""
    settings = Settings.from_args(args)
    level = float(results["level"].iloc[0]) if len(results) else settings.level
    notes = [getattr(codebook, "title", "") or "", getattr(codebook, "source", "") or "",
             f"p, ci_low and ci_high are proportions (0-1); intervals: {settings.method} at {level:.0%} confidence.",
             *interval_notes(settings.method),
             "n is the unweighted base (respondents with a weight above 0), base_weighted the weighted base, n_eff "
             "the Kish effective base; deff is R survey's design effect (variance ratio design / simple random "
             "sampling), deff_kish Kish's n / n_eff.",
             *settings.small_base.describe(),
             *test_notes(results, level=level, adjust=settings.adjust),
             *([DESIGN_NOTE] if "source" in results and (results["source"] == "respondents").any() else []),
             *raking_notes(results.attrs.get("raking"))]
    if "n_not_grouped" in results and len(results):
        for by, count in results[results["by"] != "total"].groupby("by", sort=False)["n_not_grouped"].max().items():
            if count > 0:
                notes.append(f"{int(count)} respondent(s) have no {by} recorded: in the total, in no {by} group and "
                             "in no group's rest (n_not_grouped).")
    return [n for n in notes if n]


def write_results(results: pd.DataFrame, codebook, args, *, sheet: str = "Rates", notes=None) -> None:
    """CSV/JSON to --out or stdout; XLSX only to --out."""
    percent = tuple(c for c in ("p", "ci_low", "ci_high", "level", "p_a", "p_b", "diff") if c in results)
    write_frame(results, args, sheet=sheet, notes=_notes(results, codebook, args) if notes is None else notes,
                percent_columns=percent)


def write_frame(frame: pd.DataFrame, args, *, sheet: str, notes: list[str],
                percent_columns=("p", "ci_low", "ci_high", "level")) -> None:
    """Any command's table as --format / --out ask: CSV or JSON (stdout when no --out), XLSX
    with a Notes sheet (needs --out); text cells neutralised against formulas."""
    from feedback.export import safe_frame, to_csv_bytes, to_xlsx_bytes

    fmt = args.format or (Path(args.out).suffix.lstrip(".").lower() if args.out else "csv")
    if fmt not in FORMATS:
        raise InputError(f"cannot tell the output format from {args.out!r}: give --format csv, xlsx or json")
    if fmt == "xlsx":
        if not args.out:
            raise InputError("--format xlsx writes a workbook: give --out PATH.xlsx")
        Path(args.out).write_bytes(to_xlsx_bytes({sheet: frame}, notes=notes, percent_columns=percent_columns))
        return
    if fmt == "json":
        text = frame.to_json(orient="records", force_ascii=False, indent=1) + "\n"
    else:
        text = safe_frame(frame).to_csv(index=False)
    if args.out:
        Path(args.out).write_bytes(to_csv_bytes(frame) if fmt == "csv" else text.encode("utf-8"))
    else:
        sys.stdout.write(text)


def run_rates(args) -> int:
    results, codebook = compute_rates(args)
    write_results(results, codebook, args)
    return 0


def run_pairwise(args) -> int:
    """Every pair of groups within each grouping, with the chosen test."""
    from feedback.survey.significance import TEST_NAMES, pairwise

    if not args.by:
        raise InputError("pairwise needs at least one grouping: give --by role (or --by region, --by role*region)")
    args.method = "wilson"
    settings = Settings.from_args(args)
    results, codebook = compute_rates(args)
    pairs = pairwise(results, level=settings.level, adjust=settings.adjust, test=settings.test)
    used = sorted(set(pairs["test"])) or [settings.test]
    notes = [getattr(codebook, "title", "") or "",
             "One row per question x grouping x pair of groups; diff = p_a - p_b (proportions 0-1); sig says how "
             "group_a stands to group_b.",
             *[f"Test: {TEST_NAMES[t]}." for t in used],
             "Design-based: se = sqrt(se_a² + se_b²) (two groups share no respondent), df = n_a + n_b - 2, interval "
             "diff ± t(df)·se, as R's svyttest(y ~ group, subset(design, group %in% c(a, b))); a pair with a side "
             "at 0% or 100% is tested by Rao-Scott instead (test column).",
             "Rao-Scott: R's svychisq(~y + group, subset(design, group %in% c(a, b)), statistic = \"F\"); t is the "
             "signed square root of F, df its denominator degrees of freedom (the two groups' respondents - 1).",
             "Effective base: pooled two-proportion z (in column t; df empty) and Newcombe's interval.",
             "t is empty where both groups' standard errors are 0 (everyone in each group gave the same answer): "
             "the statistic is infinite; p and sig still give the test's result.",
             f"p_adj: {settings.adjust} adjustment within each question and grouping; sig at adjusted p below "
             f"{1 - float(pairs['level'].iloc[0] if len(pairs) else settings.level):.2g}.",
             *[line.replace("a suppressed cell is never tested", "a suppressed group is never tested")
               for line in settings.small_base.describe()[:1]],
             "[z] in sig: both groups at 0%, or both at 100%: nothing to test; left out of the adjustment's "
             "family (as R's p.adjust leaves NA out)."]
    notes += raking_notes(results.attrs.get("raking"))
    write_results(pairs, codebook, args, sheet="Pairwise", notes=[n for n in notes if n])
    return 0


def run_weight(args) -> int:
    """Rake a respondent-level file to population margins: the rows plus rake_weight, and diagnostics."""
    from feedback.export import to_csv_bytes

    if not args.out:
        raise InputError("weight writes the weighted rows to a CSV file: give --out PATH.csv")
    name, content = Path(args.file).name, Path(args.file).read_bytes()
    codebook, data = _respondents(args, name, content)
    raking = _raking(args, data.frame, codebook)
    Path(args.out).write_bytes(to_csv_bytes(data.frame.assign(rake_weight=raking.weights)))
    d = raking.diagnostics()
    lines = [f"raked {d['respondents']} respondents to {', '.join(raking.variables)} in {d['iterations']} iterations",
             f"weighting efficiency {d['weighting efficiency']:.1%} (effective base {d['effective base']:.1f})",
             f"Kish design effect {d['Kish design effect']:.4f}",
             f"smallest weight {d['smallest weight']:.6g}, largest weight {d['largest weight']:.6g}",
             f"trimmed by the cap: {d['trimmed']}" + (f" (cap {raking.cap:g} times the mean weight)" if raking.cap
                                                      else " (no cap)"),
             f"written: {args.out} (the input rows and rake_weight)"]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


def _cap(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--cap {text!r} is not a number (a multiple of the mean weight, e.g. 5)"
                                         ) from None
    if not value > 1:
        raise argparse.ArgumentTypeError(f"--cap {text!r}: give a multiple of the mean weight above 1, e.g. 5")
    return value


def targets_arguments(parser, *, per: str = "", **targets) -> None:
    """``--targets`` and ``--cap``; ``per`` (e.g. "wave"): --targets may be repeated, one each;
    ``targets``: add_argument's keywords for --targets instead (its action and help, say)."""
    parser.add_argument("--targets", **{"metavar": "T.csv", "action": "append" if per else "store",
                        "help": "rake to population margins first: CSV with columns variable,category,target "
                                "(population counts, or shares summing to 1 per variable)"
                                + (f"; once for every {per}, or repeated: one per {per}, in order (- for one not "
                                   "to rake)" if per else ""),
                        **targets})
    parser.add_argument("--cap", type=_cap, metavar="C",
                        help="with --targets: no raked weight above C times the mean weight (trimmed)")


def run_suggest(args) -> int:
    from feedback.survey import data_tables as tables
    from feedback.survey.codebook import dump_codebook
    from feedback.survey.read import read_survey

    name, content = Path(args.file).name, Path(args.file).read_bytes()
    if tables.is_data_tables(name, content):  # published tables: ids, texts and positive answers (nets first)
        sys.stdout.write(dump_codebook(tables.suggest_tables_codebook(tables.read_data_tables(name, content))))
    else:
        from feedback.survey.codebook import suggest

        data = read_survey(name, content)
        if data.layout is not None:  # which supplier layout was read, and what was done, on stderr
            sys.stderr.write(data.layout.describe() + "\n")
        suggestion = suggest(data)
        sys.stdout.write(suggestion.toml())  # the inferences as comments at the top, unsure ones marked CHECK
        for line in suggestion.to_check():
            print(f"check: {line}", file=sys.stderr)
    return 0


def cli_command(survey, *, grouping: str, region: str | None, settings: Settings) -> str:
    """The equivalent command line, shown under the table so analysts can reproduce it.

    File names and values are quoted for the shell (``shlex.quote``): a name such as
    ``notes; rm -rf ~.csv`` stays one argument.
    """
    parts = ["python -m feedback rates", shlex.quote(survey.filename)]
    if survey.kind == "respondents":
        parts += ["--codebook", shlex.quote(Path(survey.filename).with_suffix(".toml").name)]
    raking = getattr(survey, "raking", None)
    if raking is not None:  # the targets entered on the Upload page, saved as a CSV
        parts += ["--targets", shlex.quote(Path(survey.filename).stem + "_targets.csv")]
        if raking.cap:
            parts.append(f"--cap {raking.cap:g}")
    for g in GROUPINGS[grouping]:
        parts.append("--by " + shlex.quote("*".join(g)))
    if region:
        names = [region] if isinstance(region, str) else list(region)
        parts += ["--filter " + shlex.quote(f"region={name}") for name in names]
    if survey.kind != "respondents":  # published tables give no tests
        settings = settings.replace(test=Settings().test)
    parts += settings.options()
    return " ".join(parts)


def change_command(surveys, *, grouping: str, region: str | None, settings: Settings) -> str:
    """The ``change`` command between two waves (the Trends page's), shown so analysts can reproduce it:
    each wave's file and codebook (none for data tables), the grouping, region, level and adjustment."""
    files = [s.filename for s in surveys]
    books = [] if any(s.kind == "data tables" for s in surveys) else [
        f"--codebook {f.rsplit('.', 1)[0].replace('_tables', '')}.toml" for f in files]
    by = [f"--by {'*'.join(g)}" for g in GROUPINGS[grouping]]
    raked = [getattr(s, "raking", None) for s in surveys]  # a raked upload: its targets saved as CSV, "-" the rest
    if any(raked):
        books += [f"--targets {Path(f).stem + '_targets.csv' if r is not None else '-'}" for f, r in zip(files, raked)]
        books += [f"--cap {c:g}" for c in {r.cap for r in raked if r is not None and r.cap}]
    return " ".join(["python -m feedback change", *files, *books, *by,
                     *([f'--filter region="{region}"'] if region else []), f"--level {settings.level:g}",
                     f"--adjust {settings.adjust}"])


def one_line_errors(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Usage mistakes end like bad input: one line on stderr, exit status 2.

    Unknown options are caught here too, before they reach the top-level
    parser (which would print its multi-line usage).
    """
    def error(message: str):
        parser.exit(2, f"error: {parser.prog}: {message} (see --help)\n")

    parse_known = parser.parse_known_args

    def parse_known_args(args=None, namespace=None):
        namespace, extras = parse_known(args, namespace)
        if extras:
            error(f"unrecognized arguments: {' '.join(extras)}")
        return namespace, extras

    parser.error = error
    parser.parse_known_args = parse_known_args
    return parser


def output_arguments(parser) -> None:
    """``--format`` and ``--out``, the same for every command that writes a table."""
    parser.add_argument("--format", choices=FORMATS, help="default: from --out's extension, else csv")
    parser.add_argument("--out", help="output file (stdout when omitted; required for xlsx)")


def register(subparsers) -> None:
    """Add ``rates`` and ``codebook suggest`` to ``python -m feedback``."""
    rates = one_line_errors(subparsers.add_parser(
        "rates", help="rates by role and region with confidence intervals",
        description="One row per question x group: n, weighted base, p, interval, n_eff, deff, flags, tests."))
    rates.add_argument("file", help="respondent-level CSV / XLSX / SAV, or a YouGov data tables XLSX")
    rates.add_argument("--codebook", help="TOML codebook (needed for respondent-level files)")
    rates.add_argument("--by", action="append", metavar="GROUPING",
                       help="role, region, or a crossing role*region; repeat for several groupings "
                            "(the total always comes first)")
    rates.add_argument("--filter", action="append", metavar='KEY="VALUE"',
                       help='restrict to a domain, e.g. region="London" (variance stays full-design)')
    Settings.add_arguments(rates)
    targets_arguments(rates)
    output_arguments(rates)
    rates.set_defaults(func=run_rates)

    weight = one_line_errors(subparsers.add_parser(
        "weight", help="rake a survey's weights to population margins (role, region, ...)",
        description="Writes the input rows plus rake_weight (the input weight, or 1, times the raking adjustment) "
                    "and prints iterations, weighting efficiency, Kish design effect, smallest and largest weight "
                    "and how many weights the cap trimmed."))
    weight.add_argument("file", help="respondent-level CSV / XLSX / SAV")
    weight.add_argument("--codebook", help="TOML codebook (its weight column, if any, is the input weight)")
    weight.add_argument("--out", help="the CSV to write (input rows + rake_weight)")
    targets_arguments(weight)
    weight.set_defaults(func=run_weight)

    pairs = one_line_errors(subparsers.add_parser(
        "pairwise", help="every pair of groups within each grouping, with the design-based test",
        description="One row per question x grouping x pair: p_a, p_b, diff, se, interval, t, df, p, adjusted p."))
    pairs.add_argument("file", help="respondent-level CSV / XLSX / SAV, or a YouGov data tables XLSX")
    pairs.add_argument("--codebook", help="TOML codebook (needed for respondent-level files)")
    pairs.add_argument("--by", action="append", metavar="GROUPING",
                       help="role, region, or a crossing role*region; repeat for several groupings")
    pairs.add_argument("--filter", action="append", metavar='KEY="VALUE"',
                       help='restrict to a domain, e.g. region="London" (variance stays full-design)')
    Settings.add_arguments(pairs, method=False, where=" (as rates: a group rates suppresses is never tested)")
    targets_arguments(pairs)
    output_arguments(pairs)
    pairs.set_defaults(func=run_pairwise)

    codebook = one_line_errors(subparsers.add_parser("codebook", help="draft a TOML codebook from a data file"))
    actions = codebook.add_subparsers(dest="codebook_command", required=True)
    suggest = one_line_errors(actions.add_parser("suggest", help="print a suggested codebook (TOML)"))
    suggest.add_argument("file", help="respondent-level CSV / XLSX / SAV")
    suggest.set_defaults(func=run_suggest)
