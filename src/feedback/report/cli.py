"""``python -m feedback annex``: draft the report annexes (annex.docx, figures.xlsx and figures.ods)."""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Sequence
from pathlib import Path

from feedback.errors import InputError
from feedback.regions import region_option
from feedback.survey.settings import Settings

DEFAULT_SETTINGS = Settings()  # frozen: one shared default


class _SurveyPairs(argparse.Action):
    """--survey FILE [--codebook CB]: each --codebook belongs to the --survey just before it."""

    def __call__(self, parser, namespace, values, option_string=None):
        pairs = getattr(namespace, "surveys", None) or []
        if option_string == "--survey":
            pairs.append([Path(values), None])
        else:
            if not pairs or pairs[-1][1] is not None:
                parser.error("--codebook must follow the --survey it describes")
            pairs[-1][1] = Path(values)
        namespace.surveys = pairs


def register(subparsers) -> None:
    parser = subparsers.add_parser("annex", help="draft the report annexes: annex.docx, figures.xlsx and figures.ods")
    parser.add_argument("--out", type=Path, required=True,
                        help="folder to write annex.docx, figures.xlsx and figures.ods in")
    parser.add_argument("--survey", action=_SurveyPairs, dest="surveys", metavar="FILE",
                        help="a survey file (repeat for several; none = the embedded sample surveys)")
    parser.add_argument("--codebook", action=_SurveyPairs, dest="surveys", metavar="CB",
                        help="the codebook (.toml) of the --survey before it")
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
        for path, codebook in args.surveys:
            text = codebook.read_text(encoding="utf-8-sig") if codebook else None
            surveys.append((path.name, path.read_bytes(), text))
    template = document.check_template(args.template.name, args.template.read_bytes()) if args.template else None
    if args.out.exists() and not args.out.is_dir():
        raise InputError(f"--out {args.out}: is a file; give a folder to write annex.docx and figures.xlsx in.")
    engine = db.get_engine(args.database_url or db.database_url())
    sample_data.prepare(engine)  # as the owner only when this is the configured database (db.owner_url_for)
    files = build.build_annex(surveys=surveys, engine=engine, region=region, template=template, settings=settings,
                              detail=args.detail, compare_waves=args.compare_waves)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "annex.docx").write_bytes(files.docx)
    (args.out / "figures.xlsx").write_bytes(files.figures_xlsx)
    (args.out / "figures.ods").write_bytes(files.figures_ods)
    print(f"wrote {args.out / 'annex.docx'}, {args.out / 'figures.xlsx'} and {args.out / 'figures.ods'} "
          f"({len(files.figures)} figures)")
    return 0


def annex_command(files: Sequence[tuple[str, str | None]] | None, *, region: str | None, detail: str = "publication",
                  compare_waves: bool = False, settings: Settings = DEFAULT_SETTINGS) -> str:
    """The ``annex`` command for these surveys ((data file, codebook file) each; None = the embedded
    samples), region, detail, wave comparison and survey settings, quoted for the shell."""
    parts = ["python -m feedback annex --out annex"]
    for data_file, codebook in files or ():
        parts.append(f"--survey {shlex.quote(data_file)}")
        if codebook:
            parts.append(f"--codebook {shlex.quote(codebook)}")
    if region:
        parts.append(f"--region {shlex.quote(region)}")
    if detail != "publication":
        parts.append(f"--detail {shlex.quote(detail)}")
    if compare_waves:
        parts.append("--compare-waves")
    parts += settings.options()
    return " ".join(parts)
