"""``python -m feedback annex``: draft the report annexes (annex.docx, figures.xlsx and figures.ods)."""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Sequence
from pathlib import Path

from feedback.errors import InputError
from feedback.regions import region_option
from feedback.survey.cli import one_line_errors, targets_arguments
from feedback.survey.settings import DEFAULT_SETTINGS, Settings


class _SurveyPairs(argparse.Action):
    """--survey FILE [--codebook CB] [--targets T.csv]: each --codebook and --targets belongs to the
    --survey just before it."""

    SLOTS = {"--codebook": 1, "--targets": 2}

    def __call__(self, parser, namespace, values, option_string=None):
        pairs = getattr(namespace, "surveys", None) or []
        if option_string == "--survey":
            pairs.append([Path(values), None, None])
        else:
            slot = self.SLOTS[option_string]
            if not pairs or pairs[-1][slot] is not None:
                parser.error(f"{option_string} must follow the --survey it describes (one each)")
            pairs[-1][slot] = Path(values)
        namespace.surveys = pairs


def register(subparsers) -> None:
    parser = one_line_errors(subparsers.add_parser(
        "annex", help="draft the report annexes: annex.docx, figures.xlsx and figures.ods"))
    parser.add_argument("--out", type=Path, required=True,
                        help="folder to write annex.docx, figures.xlsx and figures.ods in")
    parser.add_argument("--survey", action=_SurveyPairs, dest="surveys", metavar="FILE",
                        help="a survey file (repeat for several; none = the embedded sample surveys)")
    parser.add_argument("--codebook", action=_SurveyPairs, dest="surveys", metavar="CB",
                        help="the codebook (.toml) of the --survey before it")
    targets_arguments(parser, action=_SurveyPairs, dest="surveys",
                      help="rake the --survey before it to population margins (CSV variable,category,target); "
                           "give one after each --survey to be raked, and --cap for all of them")
    parser.add_argument("--region", help="one region only (default: England, all regions)")
    parser.add_argument("--template", type=Path, help="a Word template (.docx) with the house styles")
    Settings.add_arguments(parser)
    parser.add_argument("--detail", default="publication", choices=("publication", "full"),
                        help="publication (default): Annex C, Annex D and the audit key figures in the published "
                             "shape; full: the analyst's appendix (theme counts, tracker status, every "
                             "significant group, charts and tables)")
    parser.add_argument("--compare-waves", action="store_true",
                        help="state the change from (or to) the other wave of each survey, when both are given")
    parser.add_argument("--database-url", help="default: FEEDBACK_DATABASE_URL or the embedded SQLite file")
    parser.set_defaults(func=_annex, surveys=None)


def _annex(args) -> int:
    from feedback import db, sample_data
    from feedback.report import build, document
    region = region_option(args.region)
    settings = Settings.from_args(args)
    surveys = None
    if args.surveys:
        surveys = []
        for path, codebook, targets in args.surveys:
            text = codebook.read_text(encoding="utf-8-sig") if codebook else None
            surveys.append((path.name, path.read_bytes(), text)
                           + ((targets.read_text(encoding="utf-8-sig"),) if targets else ()))
    if args.cap and not any(t for *_, t in args.surveys or ()):
        raise InputError("--cap caps raked weights: give --targets T.csv after each --survey to rake")
    template = document.check_template(args.template.name, args.template.read_bytes()) if args.template else None
    if args.out.exists() and not args.out.is_dir():
        raise InputError(f"--out {args.out}: is a file; give a folder to write annex.docx and figures.xlsx in.")
    engine = db.get_engine(args.database_url or db.database_url())
    sample_data.prepare(engine)  # as the owner only when this is the configured database (db.owner_url_for)
    files = build.build_annex(surveys=surveys, engine=engine, region=region, template=template, settings=settings,
                              detail=args.detail, compare_waves=args.compare_waves, cap=args.cap)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "annex.docx").write_bytes(files.docx)
    (args.out / "figures.xlsx").write_bytes(files.figures_xlsx)
    (args.out / "figures.ods").write_bytes(files.figures_ods)
    print(f"wrote {args.out / 'annex.docx'}, {args.out / 'figures.xlsx'} and {args.out / 'figures.ods'} "
          f"({len(files.figures)} figures)")
    return 0


def annex_command(files: Sequence[tuple[str, ...]] | None, *, region: str | None, detail: str = "publication",
                  compare_waves: bool = False, settings: Settings = DEFAULT_SETTINGS, cap: float | None = None) -> str:
    """The ``annex`` command for these surveys ((data file, codebook file[, targets file]) each; None =
    the embedded samples), region, detail, wave comparison, survey settings and raking cap, quoted
    for the shell."""
    parts = ["python -m feedback annex --out annex"]
    for data_file, codebook, *targets in files or ():
        parts.append(f"--survey {shlex.quote(data_file)}")
        if codebook:
            parts.append(f"--codebook {shlex.quote(codebook)}")
        if targets and targets[0]:
            parts.append(f"--targets {shlex.quote(targets[0])}")
    if cap:
        parts.append(f"--cap {cap:g}")
    if region:
        parts.append(f"--region {shlex.quote(region)}")
    if detail != "publication":
        parts.append(f"--detail {shlex.quote(detail)}")
    if compare_waves:
        parts.append("--compare-waves")
    parts += settings.options()
    return " ".join(parts)
