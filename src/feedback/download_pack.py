"""The download pack (the Results page's "annex pack" ZIP; the Word annex is ``feedback.report``):
one ZIP with every chart (PNG and SVG, with its alt text) and every table (XLSX with notes, and
CSV) of the current selection, plus a short methods note. Generic (``annex_pack``) and for survey results
(``survey_annex``). No Streamlit here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from feedback import charts, export
from feedback.survey import figures as survey_figures
from feedback.survey import trends
from feedback.survey.settings import Settings


@dataclass
class AnnexChart:
    name: str          # file stem, e.g. "01_understand_remit"
    chart: object      # an Altair chart from feedback.charts
    alt: str           # alt text


@dataclass
class AnnexTable:
    name: str
    frame: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    percent_columns: Sequence[str] = export.SURVEY_PERCENT_COLUMNS


def _stem(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", str(text)).strip("_").lower()[:60] or "item"


def file_purpose(name: str) -> str:
    """What a file in the annex pack is for, from its name (methods.txt lists every file with it)."""
    rules = (("_alt_text.txt", "the chart's alt text, to paste as the picture's description"),
             (".png", "the chart as a picture (200 ppi) for a document or slide"),
             (".svg", "the chart as a scalable picture for the web, with its title and description inside"),
             ("_figures.xlsx", "every figure in the drafted annex with its reference, base, interval, method, test "
                               "and source (Excel)"),
             ("_figures.ods", "the same figures workbook in the open OpenDocument format"),
             ("_annex.docx", "the drafted Word annex of the questions chosen, every figure referenced"),
             ("_wide.csv", "the results, questions by groups (one CSV table, no formatting)"),
             ("_tidy.csv", "the results, one row per question and group (for analysis software)"),
             (".xlsx", "the results for publication: cover, contents, notes and one table per sheet (Excel)"),
             (".ods", "the same results workbook in the open OpenDocument format"),
             (".csv", "the table as CSV"))
    return next((text for end, text in rules if name.endswith(end)), "")


_TABLE_PURPOSES = {".xlsx": "the table with its notes sheet (Excel)",
                   ".ods": "the same table and notes in the open OpenDocument format", ".csv": "the table as CSV"}


def annex_pack(charts_: Sequence[AnnexChart], tables: Sequence[AnnexTable], methods: Sequence[str], *,
               title: str = "Annex pack", ppi: int = 200, extra: dict[str, bytes | str] | None = None) -> bytes:
    """ZIP: charts/NAME.png (at ``ppi``), charts/NAME.svg, charts/NAME_alt_text.txt,
    tables/NAME.xlsx (with a Notes sheet) and its .ods twin, tables/NAME.csv, any ``extra`` files, and
    methods.txt (the methods, then every file with what it is for)."""
    files: dict[str, bytes | str] = dict(extra or {})
    purposes: dict[str, str] = {}
    for item in charts_:
        stem = _stem(item.name)
        files[f"charts/{stem}.png"] = charts.chart_png(item.chart, ppi=ppi)
        files[f"charts/{stem}.svg"] = charts.chart_svg(item.chart, desc=item.alt)
        files[f"charts/{stem}_alt_text.txt"] = item.alt + "\n"
    for table in tables:
        stem = _stem(table.name)
        files[f"tables/{stem}.xlsx"] = export.to_xlsx_bytes({table.name[:31]: table.frame}, notes=table.notes,
                                                            percent_columns=table.percent_columns, title=title)
        files[f"tables/{stem}.csv"] = export.to_csv_bytes(table.frame)
        for ext, text in _TABLE_PURPOSES.items():
            purposes[f"tables/{stem}{ext}"] = f"{text}: {table.name}"
    for name in [n for n in files if n.endswith(".xlsx") and n[:-5] + ".ods" not in files]:
        files[name[:-5] + ".ods"] = export.xlsx_to_ods(files[name])
    contents = [f"{title}", f"Made {export.export_timestamp()}", "", "Methods", *[f"- {m}" for m in methods], "",
                "Files"]
    contents += [f"- {name}: {purposes.get(name) or file_purpose(name)}" for name in sorted(files)]
    contents.append("- methods.txt: this note")
    files["methods.txt"] = "\n".join(contents) + "\n"
    return export.annex_zip(files)


def pack_name(survey, grouping: str, region: str | None, *, what: str = "") -> str:
    """The pack's file name, different for every survey, grouping and region (packs never overwrite);
    ``what`` says which page's pack ("trends"); ``survey``: a survey, or a series' name."""
    name = survey if isinstance(survey, str) else survey.name
    return export.file_stem("annex_pack", what, name, grouping, region or "England") + ".zip"


def published_notes(notes: Sequence[str]) -> list[str]:
    """The results notes written against the published workbook's headers ("Interval from (%)"), not the
    results model's internal names (``ci_low``, ``n_eff``, ``higher_than``)."""
    from feedback.export import TABLE_LABELS

    skip = {"p", "n", "by", "group", "question", "test", "source", "method", "letter", "flag", "level"}
    labels = {**{k: v for k, v in TABLE_LABELS.items() if k not in skip}, "ci_low": "Interval from (%)",
              "ci_high": "Interval to (%)"}
    names = re.compile("'?\\b(" + "|".join(sorted(map(re.escape, labels), key=len, reverse=True)) + ")\\b'?")
    out = []
    for note in notes:
        note = note.replace("p, ci_low and ci_high are proportions (0 to 1) shown as percentages: p is",
                            "Positive (%), Interval from (%) and Interval to (%) are percentages from 0 to 100: "
                            "Positive (%) is")
        note = note.replace("n is the unweighted base", f"'{TABLE_LABELS['n']}' is the unweighted base")
        out.append(names.sub(lambda m: f"'{labels[m.group(1)]}'", note))
    return out


def survey_workbook(survey, res: pd.DataFrame, *, region: str | None, grouping: str, notes: Sequence[str]) -> bytes:
    """The selection's results as a publication workbook (cover, contents, notes, two layouts)."""
    notes = published_notes(notes)
    tables = export.survey_tables(res, survey=survey.title or survey.name, grouping=grouping, region=region)
    return export.publication_workbook(tables, title=f"{survey.title or survey.name}: results by "
                                                     f"{grouping.lower()}, {region or 'England (all regions)'}",
                                       survey=survey.title or survey.name, fieldwork=survey.fieldwork,
                                       source=survey.source, contact="Child Safeguarding Practice Review Panel "
                                                                     "secretariat", notes=notes)


def survey_annex(survey, res: pd.DataFrame, *, region: str | None, grouping: str, settings: Settings,
                 mark: str = "bar", ppi: int = 200, sort: str | None = None, hide_c: bool = False) -> bytes:
    """The annex pack of a survey selection: one chart per question, the results in both publication
    layouts (XLSX with cover, contents and notes; CSV), the drafted Word annex of the survey and its
    figures workbook."""
    from feedback.report import build
    from feedback.survey import notes as survey_notes
    items = []
    for i, (qid, rows) in enumerate(res.groupby("question", sort=False), start=1):
        chart = survey_figures.survey_chart(rows, region=region, source=survey.source, mark=mark,
                                    thresholds=settings.thresholds, sort=sort,
                                    hide_c=hide_c)
        items.append(AnnexChart(f"{i:02d}_{qid}", chart,
                                survey_figures.survey_alt_text(rows, region=region, mark=mark)))
    notes = survey_notes.table_notes(survey, res, region=region, grouping=grouping, settings=settings)
    stem = export.file_stem("results", survey.name, grouping, region or "England")
    tables = export.survey_tables(res, survey=survey.title or survey.name, grouping=grouping, region=region)
    drafted = build.build_annex(loaded=[survey], region=region, parts=("survey",), settings=settings,
                                questions=list(pd.unique(res["question"])),
                                title=f"Survey findings: {survey.title or survey.name}, {region or 'England'}")
    annex_stem = export.file_stem("annex", survey.name, grouping, region or "England")
    extra = {f"tables/{stem}.xlsx": survey_workbook(survey, res, region=region, grouping=grouping, notes=notes),
             f"tables/{stem}_wide.csv": export.publication_csv(tables[0]),
             f"tables/{stem}_tidy.csv": export.publication_csv(tables[1]),
             f"annex/{annex_stem}_annex.docx": drafted.docx, f"annex/{annex_stem}_figures.xlsx": drafted.figures_xlsx,
             f"annex/{annex_stem}_figures.ods": drafted.figures_ods}
    return annex_pack(items, [], notes, title=f"{survey.title or survey.name}: "
                                              f"{region or 'England (all regions)'}", ppi=ppi, extra=extra)


def trends_annex(trend: pd.DataFrame, change: pd.DataFrame, *, title: str, region: str | None, grouping: str,
                 source: str | None = None, ppi: int = 200) -> bytes:
    """The Trends page's annex pack: one trend chart per question, the trend and change tables, methods.
    Its file name: ``pack_name(series, grouping, region, what="trends")``."""
    items = []
    for i, (qid, rows) in enumerate(trend.groupby("question", sort=False), start=1):
        chart, alt = trends.question_chart(rows, region=region, grouping=grouping, source=source)
        items.append(AnnexChart(f"{i:02d}_{qid}_trend", chart, alt))
    notes = trends.change_notes(change, region=region)
    tables = [AnnexTable("Change", change.reset_index(drop=True), notes,
                         percent_columns=("p_before", "p_after", "change", "ci_low", "ci_high", "level")),
              AnnexTable("Trend", trend.reset_index(drop=True), trends.trend_notes(trend),
                         percent_columns=("p", "ci_low", "ci_high"))]
    return annex_pack(items, tables, notes, title=f"{title}: {region or 'England (all regions)'}", ppi=ppi)
