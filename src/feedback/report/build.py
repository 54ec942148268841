"""Draft the annual report's annexes: the Word document and its figures workbook.

``build_annex`` puts the three parts together in the report's order (Annex C:
roundtable feedback beside the Panel's response; Annex D: survey findings;
then the yearly-report audits' key figures) and returns the Word document
(``annex.docx``) and ``figures.xlsx`` (with its OpenDocument twin
``figures.ods``), where every reference written in the text (``[C2]``,
``[D4]``, ``[R3]``) is one row. With no surveys given it
uses the embedded sample surveys (both waves: the published 2021 wave is
reported, and with ``compare_waves`` the change to the synthetic 2022 wave);
the roundtables, tracker and audits come from the database (seeded with the
sample data when empty).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from feedback import export
from feedback.errors import InputError
from feedback.intervals import SmallBase
from feedback.report import document
from feedback.report.figures import Figures, content_hash
from feedback.report.survey_findings import SurveyInput, raking_methods, survey_findings
from feedback.survey import examples, loading, waves
from feedback.survey.settings import DEFAULT_SETTINGS, Settings
from feedback.survey.significance import TEST_NAMES

PARTS = ("survey", "roundtables", "audits")
CONTACT = "Child Safeguarding Practice Review Panel secretariat"
TITLE = "Draft annual report annexes"


@dataclass
class AnnexFiles:
    docx: bytes
    figures_xlsx: bytes
    figures: pd.DataFrame   # the figures register (what figures.xlsx holds)
    annex: document.Annex   # the content, for checks and previews
    figures_ods: bytes = b""  # the same workbook as OpenDocument (figures.ods)


def sample_surveys() -> list[tuple[str, bytes, str | None]]:
    """The embedded respondent-level sample surveys, every wave: (filename, content, codebook text).

    The sample annex reports the published 2021 wave as current, not the
    latest (synthetic) one: its figures are the Panel's published Annex D,
    and the invented 2022 wave, comparable question by question as on the
    Trends page, gives the changes it states (``survey_findings.pair_waves``:
    a synthetic wave is never the reported one while a real wave is loaded).
    """
    out = []
    for s in examples.available_examples():
        if s.kind != "respondents":
            continue
        content, codebook = examples.example_files(s)
        out.append((s.data_file, content, codebook))
    return out


def load_inputs(files: Sequence[tuple], *, cap: float | None = None) -> list[SurveyInput]:
    """Read each survey (raises InputError naming the file) with its source hash. Each file is
    (filename, content, codebook text or None[, targets CSV text]): with targets it is raked to
    those population margins (``cap``: no weight above cap times the mean), and the hash covers them."""
    inputs = []
    for filename, content, codebook, *targets in files:
        rake_to = targets[0] if targets else None
        survey = loading.load_survey(filename, content, codebook, targets=rake_to, cap=cap if rake_to else None)
        if rake_to and survey.kind != "respondents":
            raise InputError(f"{filename} is a data tables workbook: raking (--targets) needs respondent-level data")
        raked = (rake_to, f"{cap or ''}") if rake_to else ()
        inputs.append(SurveyInput(survey, filename, content_hash(content, codebook, *raked)))
    return inputs



DETAILS = ("publication", "full")


def region_words(region: str | None) -> str:
    """The region as a title says it: "England" or the region's name (never "(England (all regions))")."""
    return region or "England"


def build_annex(*, surveys: Sequence[tuple[str, bytes, str | None]] | None = None, loaded: Sequence | None = None,
                engine=None,
                region: str | None = None, template: bytes | None = None, parts: Sequence[str] = PARTS,
                settings: Settings = DEFAULT_SETTINGS, title: str | None = None, detail: str = "publication",
                compare_waves: bool = False, cap: float | None = None,
                questions: Sequence[str] | None = None, progress: Callable[[float, str], None] | None = None,
                results: Callable | None = None) -> AnnexFiles:
    """The annex document and its figures workbook.

    ``surveys``: (filename, content, codebook text or None) for each survey,
    None for the embedded samples; or ``loaded``: surveys already read
    (``loading.Survey``, their ``key`` is the source hash). ``engine``: the database for the
    roundtable and audit parts (needed only when those parts are asked for).
    ``settings``: the survey pages' own (interval method and level, small-base rules, the
    multiple-comparison adjustment and the significance test).
    ``detail``: ``"publication"`` (the default: Annex C, Annex D and the audit key figures in the
    published shape, drafting notes as Word comments) or ``"full"`` (the analyst's appendix: theme
    counts, tracker status, every significant group, each section's chart and table).
    ``compare_waves``: state the change to or from the other wave of a survey, when one is loaded.
    A survey given with targets (a fourth item, CSV text of population margins; ``cap`` for all)
    or loaded raked (``Survey.raking``) is reported on its raked design, and the methods notes
    (the Word annex's and the figures workbook's) say how it was raked.
    ``questions``: only these question ids (e.g. those chosen on the Results page), in survey order.
    ``progress(fraction, message)`` is told how far the work has gone.
    ``results(survey)``: a loaded survey's results by role in ``region`` with these settings, as the
    survey pages hold them (their cached call): the annex states the figures they show without
    working them out again.
    """
    say = progress or (lambda _f, _m: None)
    if detail not in DETAILS:
        raise ValueError(f"detail must be one of {', '.join(DETAILS)}")
    unknown = [p for p in parts if p not in PARTS]
    if unknown:
        raise ValueError(f"unknown annex part(s): {', '.join(unknown)}")
    where = region or "England (all regions)"
    annex = document.Annex(title=title or f"{TITLE}: {region_words(region)}")
    note = ("Drafting note: drafted by the Panel feedback analysis app. Every figure carries a reference in "
            "square brackets: C in Annex C, D in Annex D, R in the yearly-report audits (not A, which is the "
            "report's own Annex A). The figures workbook (figures.xlsx, figures.ods) gives each reference's "
            "question or criterion, group, base, value, interval, method, test and source. Check the wording "
            "and delete these comments before publication.")
    annex.add(document.Heading(annex.title, 0), document.Paragraph(
        "Draft annexes for the annual report: regional roundtable feedback (Annex C), the survey findings "
        "(Annex D) and the key figures of the audit of safeguarding partners' yearly reports.", comment=note))
    figures = Figures()
    sources: list[str] = []
    surveys_read: list[str] = []
    fieldwork: list[str] = []
    if ("roundtables" in parts or "audits" in parts) and engine is None:
        raise ValueError("the roundtable and audit parts need the database (engine)")
    if "roundtables" in parts:
        from feedback.report.roundtable_feedback import roundtable_feedback

        say(0.05, "Counting the roundtable themes and reading the Panel's responses…")
        annex.add(*roundtable_feedback(engine, figures, region=region, detail=detail))
        sources.append("roundtable notes and response tracker (database)")
    if "survey" in parts:
        say(0.15, "Reading the surveys…")
        if loaded is not None:
            inputs = [SurveyInput(s, s.filename, s.key or content_hash(s.content)) for s in loaded]
        else:
            inputs = load_inputs(sample_surveys() if surveys is None else surveys, cap=cap)
        surveys_read += [i.survey.title for i in inputs]
        sources += list(dict.fromkeys(re.sub(r"^Source:\s*", "", i.survey.source or i.survey.title)
                                      for i in inputs))
        fieldwork += [f"{i.survey.title}: {i.survey.fieldwork}" for i in inputs if i.survey.fieldwork]
        say(0.3, "Writing the survey findings…")
        annex.add(*survey_findings(inputs, figures, region=region, settings=settings,
                                   detail=detail, compare_waves=compare_waves, questions=questions,
                                   results=results))
    if "audits" in parts:
        from feedback.report.audit_findings import audit_findings

        say(0.75, "Summarising the yearly-report audits…")
        annex.add(*audit_findings(engine, figures, region=region, detail=detail,
                                  small_base=SmallBase(suppress=settings.suppress, flag=settings.flag)))
        sources.append("yearly-report audits and register (database)")
    say(0.9, "Writing the Word document and the figures workbooks…")
    docx = document.render(annex, template)  # a user's template only in a limited child
    frame = figures.frame()
    methods = [f"Survey groups are tested against the rest of the sample with the {TEST_NAMES[settings.test]}"
               + (" (by the Rao-Scott test where either side is at 0% or 100%)" if settings.test == "design" else "")
               + f", {settings.adjust} adjustment within each question"
               + (f"; a change between waves with the {waves.CHANGE_TEST} (as on the Trends page and the "
                  "change command)." if compare_waves else "."), *settings.small_base.describe(),
               *raking_methods([i.survey for i in inputs])] \
        if "survey" in parts else []
    workbook = figures_workbook(frame, title=annex.title, sources=sources, where=where,
                                shorthand=figures.markers(), methods=methods, fieldwork="; ".join(fieldwork),
                                surveys=surveys_read)
    say(1.0, "Done")
    return AnnexFiles(docx=docx, figures_xlsx=workbook, figures=frame, annex=annex,
                      figures_ods=export.xlsx_to_ods(workbook))


def _or_z(values: pd.Series) -> pd.Series:
    """Numbers, with [z] (not applicable) where a figure has none (a count of events has no base)."""
    return values.astype(object).where(values.notna(), "[z]")


def published_register(frame: pd.DataFrame) -> pd.DataFrame:
    """The figures register as published: percentages (0-100, "(%)") and counts in separate columns,
    intervals in percent, and every empty cell given its shorthand ([z] not applicable, [x] missing)."""
    pct = frame["Unit"] == "percentage"
    value = pd.to_numeric(frame["Value"], errors="coerce")

    def interval(col):
        v = pd.to_numeric(frame[col], errors="coerce") * 100
        return v.astype(object).where(v.notna(), "[z]")

    return pd.DataFrame({
        "Reference": frame["Reference"],
        "Area": frame["Area"],
        "Question or criterion": frame["Question or criterion"],
        "Group": frame["Group"],
        "Region": frame["Region"],
        "Base": frame["Base"],
        "Base (number)": _or_z(pd.to_numeric(frame["Base (number)"], errors="coerce")),
        "Percentage (%)": (value * 100).astype(object).where(pct, "[z]"),
        "Count (number)": value.astype(object).where(~pct, "[z]"),
        "As written in the annex": frame["As written in the annex"],
        "Interval from (%)": interval("Interval from"),
        "Interval to (%)": interval("Interval to"),
        "Method": frame["Method"],
        "Test": frame["Test"],
        "Source file": frame["Source file"],
        "Source content hash (SHA-256)": frame["Source content hash (SHA-256)"],
    })


def figures_workbook(frame: pd.DataFrame, *, title: str, sources: Sequence[str], where: str,
                     shorthand: Sequence[str] = (), methods: Sequence[str] = (), fieldwork: str = "",
                     surveys: Sequence[str] = ()) -> bytes:
    """figures.xlsx: cover, contents, notes and the figures register (one reference per row, in reading order).

    ``shorthand``: per row, "[u]" for a low-reliability value (shown after the number in its
    value cell, which stays a number); ``methods``: notes on the tests and small-base rules."""
    from feedback.report.figures import LETTERS

    register = published_register(frame)
    pct = (frame["Unit"] == "percentage").tolist()
    marks = list(shorthand) + [""] * (len(frame) - len(shorthand))
    markers = {"Percentage (%)": [m if p else "" for m, p in zip(marks, pct, strict=True)],
               "Count (number)": [m if not p else "" for m, p in zip(marks, pct, strict=True)]}
    table = export.PublishedTable(sheet="Figures", frame=register,
                                  title=f"Figures in the annex, one row per reference, in reading order, {where}",
                                  markers=markers if any(marks) else {})
    notes = [
        "Reference: the mark written beside the figure in the annex, e.g. [D4]. "
        + "; ".join(f"{k} = {v}" for k, v in LETTERS.items())
        + ". A headline figure keeps its number whatever the interval method, level or test; a group's figure "
          "adds the group's place in the grouping (D4.3 is the third role), the same question in another wave "
          "adds w (D4w).",
        "Percentage (%): the figure as a percentage from 0 to 100 (the annex rounds it half up to a whole "
        "percentage); [z] on a count. Count (number): the figure when it is a count; [z] on a percentage.",
        "Interval from (%) and Interval to (%): the confidence interval of the share, in percent; [z] where "
        "no interval applies (a census or a count of events).",
        "Area, Question or criterion, Group and Region: what the figure is about (Group 'Total' is everyone "
        "asked; 'role: Social worker' one group; 'Total, 2022' the same question in another wave).",
        "Base and Base (number): who the figure is a share of, and how many answered or were counted; [z] where "
        "a count has no base.",
        "As written in the annex: the figure exactly as the text gives it (rounded half up). Method: the interval "
        "method and level, or how a count was made.",
        "Source content hash (SHA-256): the hash of the source file(s) the figure was computed from, so a "
        "reviewer can check the figure came from the same data.",
        "Test: how a figure was tested: a group against the rest of the sample (the test named, with its "
        "adjusted p value), or, on an earlier or later wave's figure, the change between the waves (in "
        "percentage points, with its interval and p value); [z] where no test applies.",
        *methods,
        f"{sum(pct)} of the {len(frame)} figures are percentages.",
    ]
    return export.publication_workbook([table], title=title, survey="; ".join(surveys),
                                       fieldwork=fieldwork, source="; ".join(sources), contact=CONTACT, notes=notes,
                                       description="Every figure in the drafted annex with its reference, base, "
                                                   "interval, method, test and source, one row per reference.")
