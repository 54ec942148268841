"""Draft the annual report's annexes: the Word document and its figures workbook.

``build_annex`` puts the three parts together (survey findings, roundtable
feedback beside the Panel's response, audit findings) and returns the Word
document (``annex.docx``) and ``figures.xlsx``, where every reference written
in the text (``[D4]``, ``[C2]``, ``[A3]``) is one row. With no surveys given it
uses the embedded sample surveys (both waves: the published 2021 wave is
reported, with the change to the synthetic 2022 wave); the roundtables,
tracker and audits come from the database (seeded with the sample data when
empty).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from feedback import export
from feedback.report import document
from feedback.report.figures import Figures, content_hash
from feedback.report.survey_findings import SurveyInput, survey_findings
from feedback.survey import explorer, waves
from feedback.survey.rates import SmallBase
from feedback.survey.significance import TEST_NAMES, check_test

PARTS = ("survey", "roundtables", "audits")
CONTACT = "Child Safeguarding Practice Review Panel secretariat"
TITLE = "Annual report annexes: survey findings, roundtable feedback and audit findings"


@dataclass
class AnnexFiles:
    docx: bytes
    figures_xlsx: bytes
    figures: pd.DataFrame   # the figures register (what figures.xlsx holds)
    annex: document.Annex   # the content, for checks and previews


def sample_surveys() -> list[tuple[str, bytes, str | None]]:
    """The embedded respondent-level sample surveys, every wave: (filename, content, codebook text).

    The sample annex reports the published 2021 wave as current, not the
    latest (synthetic) one: its figures are the Panel's published Annex D,
    and the invented 2022 wave, comparable question by question as on the
    Trends page, gives the changes it states (``survey_findings.pair_waves``:
    a synthetic wave is never the reported one while a real wave is loaded).
    """
    out = []
    for s in explorer.available_samples():
        if s.kind != "respondents":
            continue
        content, codebook = explorer.sample_files(s)
        out.append((s.data_file, content, codebook))
    return out


def load_inputs(files: Sequence[tuple[str, bytes, str | None]]) -> list[SurveyInput]:
    """Read each survey (raises InputError naming the file) with its source hash."""
    inputs = []
    for filename, content, codebook in files:
        survey = explorer.load_survey(filename, content, codebook)
        inputs.append(SurveyInput(survey, filename, content_hash(content, codebook)))
    return inputs


def build_annex(*, surveys: Sequence[tuple[str, bytes, str | None]] | None = None, loaded: Sequence | None = None,
                engine=None,
                region: str | None = None, template: bytes | None = None, parts: Sequence[str] = PARTS,
                method: str = "wilson", level: float = 0.95, suppress: int = 10, flag: int = 30,
                adjust: str = "holm", test: str = "design", suppress_on: str = "n", flag_on: str = "n",
                title: str | None = None, progress: Callable[[float, str], None] | None = None) -> AnnexFiles:
    """The annex document and its figures workbook.

    ``surveys``: (filename, content, codebook text or None) for each survey,
    None for the embedded samples; or ``loaded``: surveys already read
    (``explorer.Survey``, their ``key`` is the source hash). ``engine``: the database for the
    roundtable and audit parts (needed only when those parts are asked for).
    The survey settings are the survey pages' own: interval ``method`` and
    ``level``, the multiple-comparison ``adjust``ment, the significance
    ``test`` of a group against the rest (``design`` or ``effective-base``)
    and the small-base rules (below ``suppress`` [c], below ``flag`` [u], on
    the unweighted ``"n"`` or effective ``"n_eff"`` base).
    ``progress(fraction, message)`` is told how far the work has gone.
    """
    say = progress or (lambda _f, _m: None)
    test = check_test(test)
    small_base = SmallBase(suppress=suppress, flag=flag, suppress_on=suppress_on, flag_on=flag_on)
    unknown = [p for p in parts if p not in PARTS]
    if unknown:
        raise ValueError(f"unknown annex part(s): {', '.join(unknown)}")
    where = region or "England (all regions)"
    annex = document.Annex(title=title or f"{TITLE} ({where})")
    annex.add(document.Heading(annex.title, 0),
              document.Paragraph("Drafted by the Panel feedback analysis app. Every figure carries a reference "
                                 "in square brackets, such as [D4]; the figures workbook (figures.xlsx) gives "
                                 "each reference's question or criterion, group, base, value, interval, method, "
                                 "test and source. Check the wording before publication."))
    figures = Figures()
    sources: list[str] = []
    if "survey" in parts:
        say(0.05, "Reading the surveys…")
        if loaded is not None:
            inputs = [SurveyInput(s, s.filename, s.key or content_hash(s.content)) for s in loaded]
        else:
            inputs = load_inputs(sample_surveys() if surveys is None else surveys)
        sources += [f"{i.source_file} ({i.survey.title})" for i in inputs]
        say(0.2, "Writing the survey findings and drawing their charts…")
        annex.add(*survey_findings(inputs, figures, region=region, method=method, level=level, suppress=suppress,
                                   flag=flag, adjust=adjust, test=test, suppress_on=suppress_on, flag_on=flag_on))
    if "roundtables" in parts or "audits" in parts:
        if engine is None:
            raise ValueError("the roundtable and audit parts need the database (engine)")
    if "roundtables" in parts:
        from feedback.report.roundtable_feedback import roundtable_feedback

        say(0.6, "Counting the roundtable themes and reading the Panel's responses…")
        annex.add(*roundtable_feedback(engine, figures, region=region))
        sources.append("roundtable notes and response tracker (database)")
    if "audits" in parts:
        from feedback.report.audit_findings import audit_findings

        say(0.75, "Summarising the yearly-report audits…")
        annex.add(*audit_findings(engine, figures, region=region))
        sources.append("yearly-report audits and register (database)")
    say(0.9, "Writing the Word document and the figures workbook…")
    docx = document.render(annex, template)  # a user's template only in a limited child
    frame = figures.frame()
    methods = [f"Survey groups are tested against the rest of the sample with the {TEST_NAMES[test]}, "
               f"{adjust} adjustment within each question; a change between waves with the "
               f"{waves.CHANGE_TEST} (as on the Trends page and the change command).", *small_base.describe()] \
        if "survey" in parts else []
    workbook = figures_workbook(frame, title=annex.title, sources=sources, where=where,
                                shorthand=figures.shorthand, methods=methods)
    say(1.0, "Done")
    return AnnexFiles(docx=docx, figures_xlsx=workbook, figures=frame, annex=annex)


def figures_workbook(frame: pd.DataFrame, *, title: str, sources: Sequence[str], where: str,
                     shorthand: Sequence[str] = (), methods: Sequence[str] = ()) -> bytes:
    """figures.xlsx: cover, contents, notes and the figures register (one reference per row).

    ``shorthand``: per row, "[u]" for a low-reliability value (shown after the number in its
    value cell, which stays a number); ``methods``: notes on the tests and small-base rules."""
    percent_rows = frame["Unit"] == "percentage"
    # Proportions and counts share the value column: proportions stay 0-1 numbers, and the
    # "As written" column shows each figure exactly as the text gives it.
    markers = list(shorthand) + [""] * (len(frame) - len(shorthand))
    table = export.PublishedTable(sheet="Figures", frame=frame,
                                  title=f"Figures in the annex, one row per reference ({where})",
                                  markers={"Value": markers} if any(markers) else {})
    notes = [
        "Reference: the mark written beside the figure in the annex, e.g. [D4]. D = survey findings, "
        "C = roundtable feedback, A = yearly-report audits.",
        "Value: a proportion from 0 to 1 when Unit is 'percentage' (the annex rounds it to a whole percentage), "
        "otherwise a count. Interval from / to are proportions (0 to 1).",
        "Source content hash: the SHA-256 of the source file(s) the figure was computed from, so a reviewer "
        "can check the figure came from the same data.",
        "Test: how a figure was tested: a group against the rest of the sample (the test named, with its "
        "adjusted p value), or, on an earlier or later wave's figure, the change between the waves (in "
        "percentage points, with its interval and p value).",
        *methods,
        f"{int(percent_rows.sum())} of the {len(frame)} figures are percentages.",
    ]
    return export.publication_workbook([table], title=title, survey="; ".join(sources), source="; ".join(sources),
                                       contact=CONTACT, notes=notes, shorthand=("[u]",) if any(markers) else ())
