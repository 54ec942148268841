"""Wave commands: ``change`` (between two waves) and ``trend`` (over several).

``python -m feedback change BEFORE AFTER --codebook CB_BEFORE --codebook CB_AFTER [--by role]
[--by region] [--filter KEY="VALUE"] [--level L] [--small-base 10,30]
[--small-base-on unweighted,effective] [--adjust holm|bh|none] [--test design|rao-scott]
[--targets T.csv [--targets T2.csv]] [--cap C] [--format csv|xlsx|json] [--out PATH]``

``--targets T.csv [--cap C]`` rakes each wave to population margins before the change is
computed: one targets file for both waves, or ``--targets`` repeated, one per wave in the order
of the files (``-`` for a wave not to rake; any other count is refused); the cap applies to
every raked wave.

``python -m feedback trend FILE... --codebook CB... [same options]``

Codebooks are given in the order of the files. Published data tables
workbooks may be given without codebooks (then no file has one). Every number
comes from ``feedback.survey.waves``, as on the Trends page.
"""

from __future__ import annotations

import sys
from pathlib import Path

from feedback.errors import InputError
from feedback.intervals import METHODS
from feedback.survey.cli import FORMATS, one_line_errors, parse_by, parse_filters, targets_arguments, write_frame
from feedback.survey.notes import raking_notes
from feedback.survey.settings import parse_small_base, small_base_arguments
from feedback.survey.trends import change_notes

CHANGE_PERCENTS = ("p_before", "p_after", "change", "ci_low", "ci_high", "level")
TREND_PERCENTS = ("p", "ci_low", "ci_high")


def wave_targets(files: list[str], targets: list[str] | None) -> list[str | None]:
    """Each file's targets CSV text: one --targets for every wave, or one per wave in order (``-``:
    that wave is not raked), or none."""
    targets = targets or []
    if len(targets) not in (0, 1, len(files)):
        raise InputError(f"{len(files)} files but {len(targets)} --targets: give one targets file for every wave, "
                         "or one per wave in the order of the files (- for a wave not to rake)")
    texts = []
    for path in targets:
        if path == "-":
            texts.append(None)
            continue
        try:
            texts.append(Path(path).read_text(encoding="utf-8-sig"))
        except UnicodeDecodeError:
            raise InputError(f"targets {path}: not UTF-8 text; save it as a UTF-8 CSV") from None
    return texts * len(files) if len(texts) == 1 else texts or [None] * len(files)


def _waves(files: list[str], codebooks: list[str] | None, targets: list[str] | None = None,
           cap: float | None = None):
    from feedback.survey.waves import load_wave, sort_waves

    codebooks = codebooks or []
    if codebooks and len(codebooks) != len(files):
        raise InputError(f"{len(files)} files but {len(codebooks)} --codebook: give one codebook per file, "
                         "in the same order (data tables workbooks may all go without)")
    rake_to = wave_targets(files, targets)
    waves = []
    for i, file in enumerate(files):
        path = Path(file)
        text = None
        if codebooks:
            try:
                text = Path(codebooks[i]).read_text(encoding="utf-8-sig")
            except UnicodeDecodeError:
                raise InputError(f"codebook {codebooks[i]}: not UTF-8 text; save it as UTF-8 TOML") from None
        content = path.read_bytes()
        from feedback.survey.data_tables import is_data_tables

        if text is None and not is_data_tables(path.name, content):
            raise InputError(f"{file}: a respondent-level file needs its --codebook CB.toml (one per file, "
                             "in the order of the files)")
        try:
            waves.append(load_wave(path.name, content, text, targets=rake_to[i], cap=cap))
        except InputError as err:  # one line, as every refusal on the command line (the pages list problems)
            text = str(err).replace(":\n- ", ": ").replace("\n- ", "; ").replace("\n", " ")
            raise InputError(text if path.name in text else f"{path.name}: {text}") from None
    return sort_waves(waves)


def _groupings(args):
    return tuple(g for g in (parse_by(b) for b in args.by or ()) if g != ("total",)) or ()


def run_change(args) -> int:
    from feedback.survey.waves import change

    if len(args.files) != 2:
        raise InputError(f"change compares two waves: give BEFORE and AFTER (got {len(args.files)} files)")
    before, after = _waves(args.files, args.codebook, args.targets, args.cap)
    out = change(before, after, by=_groupings(args), filter=parse_filters(args.filter), level=args.level,
                 adjust=args.adjust, small_base=parse_small_base(args.small_base, args.small_base_on), test=args.test)
    for question, why in (out.attrs.get("left_out") or {}).items():
        print(f"left out: {question} ({why})", file=sys.stderr)
    raked = [f"Wave {w.label}: {note}" for w in (before, after) for note in raking_notes(w.survey.raking)[:1]]
    notes = change_notes(out) + raked + raking_notes(before.survey.raking or after.survey.raking)[1:2]
    write_frame(out, args, sheet="Change", notes=notes, percent_columns=CHANGE_PERCENTS)
    return 0


def run_trend(args) -> int:
    from feedback.survey.waves import trend

    waves = _waves(args.files, args.codebook)
    out = trend(waves, by=_groupings(args), filter=parse_filters(args.filter), level=args.level,
                method=args.method, small_base=parse_small_base(args.small_base, args.small_base_on))
    notes = ["One row per wave x question x group; a question appears for the waves that asked it.",
             f"p, ci_low and ci_high are proportions (0-1); intervals: {args.method} at {args.level:.0%}.",
             "[b] on the first wave after a break in series (question changed); [c] suppressed; [u] low base."]
    write_frame(out, args, sheet="Trend", notes=notes, percent_columns=TREND_PERCENTS)
    return 0


def _common(parser) -> None:
    parser.add_argument("--codebook", action="append", metavar="CB.toml",
                        help="one TOML codebook per file, in the same order")
    parser.add_argument("--by", action="append", metavar="GROUPING",
                        help="role, region, or a crossing role*region; repeat for several (total always first)")
    parser.add_argument("--filter", action="append", metavar='KEY="VALUE"',
                        help='restrict to a domain, e.g. region="London" (variance stays full-design)')
    parser.add_argument("--level", type=float, default=0.95, help="confidence level, e.g. 0.90, 0.95, 0.99")
    small_base_arguments(parser, where=" in either wave")
    parser.add_argument("--format", choices=FORMATS, help="default: from --out's extension, else csv")
    parser.add_argument("--out", help="output file (stdout when omitted; required for xlsx)")


def register(subparsers) -> None:
    """Add ``change`` and ``trend`` to ``python -m feedback``."""
    change = one_line_errors(subparsers.add_parser(
        "change", help="change between two waves of a survey, with interval and test",
        description="One row per shared question x group: p before and after, change, se, Wald interval, "
                    "test, adjusted p, flags. Questions in one wave only are named on stderr."))
    change.add_argument("files", nargs="+", metavar="FILE", help="BEFORE AFTER (respondent-level or data tables)")
    _common(change)
    change.add_argument("--adjust", default="holm", choices=("holm", "bh", "none"),
                        help="multiple-comparison adjustment within each question x grouping (default holm)")
    change.add_argument("--test", default="design", choices=("design", "rao-scott"),
                        help="design: Wald z on the two waves' design-based standard errors, by Rao-Scott where a "
                             "wave is at 0%% or 100%% (default); rao-scott: Rao-Scott F everywhere, as R's "
                             "svychisq(~y + wave) with the waves as strata")
    targets_arguments(change, per="wave")
    change.set_defaults(func=run_change)

    trend = one_line_errors(subparsers.add_parser(
        "trend", help="each question over the waves of a survey, by group",
        description="One row per wave x question x group, oldest wave first."))
    trend.add_argument("files", nargs="+", metavar="FILE", help="the waves' files (any order)")
    _common(trend)
    trend.add_argument("--method", default="wilson", choices=METHODS)
    trend.set_defaults(func=run_trend)
