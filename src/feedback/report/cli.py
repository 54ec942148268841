"""``python -m feedback annex``: draft the report annexes (annex.docx and figures.xlsx)."""

from __future__ import annotations

import argparse
from pathlib import Path

from feedback.errors import InputError
from feedback.regions import region_option


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
    parser = subparsers.add_parser("annex", help="draft the report annexes: annex.docx and figures.xlsx")
    parser.add_argument("--out", type=Path, required=True, help="folder to write annex.docx and figures.xlsx in")
    parser.add_argument("--survey", action=_SurveyPairs, dest="surveys", metavar="FILE",
                        help="a survey file (repeat for several; none = the embedded sample surveys)")
    parser.add_argument("--codebook", action=_SurveyPairs, dest="surveys", metavar="CB",
                        help="the codebook (.toml) of the --survey before it")
    parser.add_argument("--region", help="one region only (default: England, all regions)")
    parser.add_argument("--template", type=Path, help="a Word template (.docx) with the house styles")
    parser.add_argument("--database-url", help="default: FEEDBACK_DATABASE_URL or the embedded SQLite file")
    parser.set_defaults(func=_annex, surveys=None)


def _annex(args) -> int:
    from feedback import db
    from feedback.report import build, document

    region = region_option(args.region)
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
    db.upgrade(engine)
    build.seed_sample_data(engine)
    files = build.build_annex(surveys=surveys, engine=engine, region=region, template=template)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "annex.docx").write_bytes(files.docx)
    (args.out / "figures.xlsx").write_bytes(files.figures_xlsx)
    print(f"wrote {args.out / 'annex.docx'} and {args.out / 'figures.xlsx'} ({len(files.figures)} figures)")
    return 0
