"""Survey findings in the style of Annex D, written from the results.

Each question's total becomes one plain-English sentence under its codebook
section: the share in words that follow its size ("almost nine in 10"), then
the figure with its reference; a routed base is named ("safeguarding partners
aware of the SUDI review"); a group is mentioned only when its test against
the rest of the sample is significant (adjusted, with the chosen test); with
another wave of the same survey, the change is stated, or "no significant
change". Changes come from ``waves.change`` (the Trends page's and the
``change`` command's estimate, interval, test and [b] rules). Each section
has a chart of its figures with alt text and the same figures as a table.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from feedback import charts
from feedback.errors import InputError
from feedback.intervals import SmallBase
from feedback.report import wording
from feedback.report.document import Chart, Heading, Paragraph, Table
from feedback.report.figures import Figures
from feedback.survey import figures as survey_figures
from feedback.survey import loading, views, waves
from feedback.survey.labels import short_labels
from feedback.survey.notes import raking_notes
from feedback.survey.settings import DEFAULT_SETTINGS, Method, Settings
from feedback.survey.significance import TEST_NAMES, check_test

OTHER_SECTION = "Other findings"
AREA = "Survey"
ADJUST_NAMES = {"holm": "Holm-adjusted", "bh": "Benjamini-Hochberg-adjusted", "none": "unadjusted"}


@dataclass
class SurveyInput:
    """A loaded survey and the bytes it came from (for the figures' source hash)."""

    survey: loading.Survey
    source_file: str
    source_hash: str


@dataclass
class Reported:
    """A survey the annex reports, and the other wave its change is stated against (if loaded)."""

    item: SurveyInput
    wave: waves.Wave
    other: SurveyInput | None = None
    other_wave: waves.Wave | None = None
    later: bool = False  # the other wave comes after the reported one


def pair_waves(inputs: list[SurveyInput]) -> list[Reported]:
    """The surveys to report, in the order given, each with the wave its change is stated against.

    Waves of one survey share an audience (codebook ``audience``, else the
    title); they are labelled and ordered as on the Trends page
    (``waves.wave_label``, ``waves.sort_waves``: two waves with one label are
    refused). The latest wave is reported, with the change from the wave
    before it. A synthetic wave (labelled so, as the sample's "2022
    (synthetic)") is never the reported one while a real wave of its audience
    is loaded: the latest real wave is reported, and the change is stated to
    the synthetic wave after it. So the embedded sample reports the Panel's
    published 2021 figures and what changed in the invented 2022 wave.
    """
    groups: dict[str, list[SurveyInput]] = {}
    for item in inputs:
        groups.setdefault(item.survey.audience or item.survey.title, []).append(item)
    chosen: dict[int, Reported] = {}
    for items in groups.values():
        by_wave = {}
        for item in items:
            wave = waves.Wave(waves.wave_label(item.survey), item.survey)
            by_wave[id(wave)] = (item, wave)
        try:
            ordered = waves.sort_waves(w for _, w in by_wave.values())
        except InputError as err:
            files = ", ".join(i.source_file for i in items)
            raise InputError(f"surveys {files}: {err}") from None
        real = [w for w in ordered if not w.synthetic] or ordered
        at = ordered.index(real[-1])
        item, wave = by_wave[id(ordered[at])]
        other = ordered[at - 1] if at > 0 else (ordered[at + 1] if at + 1 < len(ordered) else None)
        rep = Reported(item, wave, later=at == 0 and other is not None)
        if other is not None:
            rep.other, rep.other_wave = by_wave[id(other)]
        chosen[id(item)] = rep
    return [chosen[id(i)] for i in inputs if id(i) in chosen]


def _question_meta(survey: loading.Survey) -> dict[str, tuple[str, str]]:
    cb = survey.codebook
    if cb is None or not hasattr(cb, "questions"):
        return {}
    return {q.id: (q.section or "", q.finding or "") for q in cb.questions}


def _fallback_finding(text: str) -> str:
    text = str(text).strip().rstrip("?").rstrip(".")
    return f"gave a positive answer to “{text}”"


def method_name(method: str) -> str:
    """The interval method as written: "Clopper–Pearson" (its dash kept), "Wilson", "Korn–Graubard beta"."""
    return Method.label_of(str(method)).split(" (")[0]


def _method_text(row) -> str:
    return f"{round(100 * float(row.level))}% {method_name(row.method)} interval"


def _p_text(p: float) -> str:
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def _test_text(row, adjust: str) -> str:
    """A group's test against the rest of the sample, as its results row says it was done."""
    p = getattr(row, "p_adj_vs_rest", float("nan"))
    if pd.isna(p):
        return ""
    test = TEST_NAMES[check_test(str(getattr(row, "test", "") or "design"))]
    return f"against the rest of the sample, {test}; {ADJUST_NAMES[adjust]} p = {_p_text(p)}"


def _change_method_text(change) -> str:
    flag = str(change["flag"] or "")
    if waves.BREAK in flag or "[c]" in flag or pd.isna(change["change"]):
        return ""
    return f"{round(100 * float(change['level']))}% Wald interval of the change (independent samples), in Test"


def _change_test_text(change) -> str:
    """The figures workbook's test for a change between waves: what ``waves.change`` did."""
    flag = str(change["flag"] or "")
    span = f"change {change['wave_before']} to {change['wave_after']}"
    if waves.BREAK in flag:
        return f"{span}: not tested, the question changed between the waves (break in series [b])"
    if "[c]" in flag or pd.isna(change["change"]):
        return f"{span}: not tested, too few responses in a wave [c]"
    level = round(100 * float(change["level"]))
    return (f"{span}: {100 * change['change']:+.1f} points ({level}% Wald interval {100 * change['ci_low']:+.1f} to "
            f"{100 * change['ci_high']:+.1f}); {waves.CHANGE_TEST}; p = {_p_text(change['p_adj'])}"
            + (" [u]" if "[u]" in flag else ""))


def _changes(rep: Reported, *, region: str | None, level: float, adjust: str, small_base: SmallBase,
             method: str) -> pd.DataFrame:
    """``waves.change`` between the reported wave and the other, totals by question (oldest wave first)."""
    if rep.other_wave is None:
        return pd.DataFrame()
    before, after = (rep.wave, rep.other_wave) if rep.later else (rep.other_wave, rep.wave)
    out = waves.change(before, after, by=(), filter={"region": region} if region else None, level=level,
                       adjust=adjust, small_base=small_base, method=method)
    return out[out["by"] == "total"].set_index("question")


DETAILS = ("publication", "full")
#: A significant group is written in the publication draft only when it is at least this far from the total.
WORTH_A_SENTENCE = 0.10
BOUNDARY_NOTE = ("a 0% or 100% cell has no sampling variance, so the design-based test against the rest rests "
                 "on a zero standard error and cannot be trusted; it is not called significant in the text "
                 "until an exact or Rao–Scott test is available")


def _annex_heading(detail: str) -> str:
    return "Annex D: Summary of the survey findings" if detail == "publication" else "Annex D: Survey findings"


def survey_findings(inputs: list[SurveyInput], figures: Figures, *, region: str | None = None,
                    settings: Settings = DEFAULT_SETTINGS, ppi: int = 150, detail: str = "publication",
                    compare_waves: bool = False,
                    questions: Sequence[str] | None = None, results: Callable | None = None) -> list:
    """The survey part of the annex (Annex D): headings, sentences and, in full detail, charts and tables.

    ``settings``: the survey pages' settings; its test tests each group against the rest of
    the sample, and its small-base rules apply to the figures and the changes alike.
    ``detail="publication"``: short bullets under the codebook's section headings, a group only when
    its difference is significant and at least ``WORTH_A_SENTENCE`` from the total, no charts or
    tables; ``"full"``: every significant group, and each section's chart with its table.
    ``compare_waves``: state the change from (or to) the other wave of the same survey, when loaded.
    References are numbered in reading order when the part is finished (``Figures.finish``).
    ``results(survey)``: the survey's results by role in ``region`` with these settings as the
    survey pages already hold them (their cached call), used when no ``questions`` are chosen;
    otherwise they are worked out here.
    """
    if detail not in DETAILS:
        raise ValueError(f"detail must be one of {', '.join(DETAILS)}")
    blocks: list = [Heading(_annex_heading(detail), 1)]
    small_base, level, adjust = settings.small_base, settings.level, settings.adjust
    test = check_test(settings.test)
    reported = pair_waves(inputs)
    where = region or "England (all regions)"
    sections: dict[str, _Section] = {}
    intros, notes = [], []
    for i, rep in enumerate(reported):
        item, s = rep.item, rep.item.survey
        res = results(s) if results is not None and not questions else views.results(
            s, grouping="Role", region=region, settings=settings, questions=list(questions) if questions else None)
        changes = (_changes(rep, region=region, level=level, adjust=adjust, small_base=small_base,
                            method=settings.method)
                   if compare_waves else pd.DataFrame())
        total_rows = res[res["by"] == "total"]
        n_all = int(total_rows["n"].max()) if len(total_rows) else 0
        n_text = figures.add("D", area=AREA, measure=f"{s.title}: respondents", value=n_all, unit="count",
                             as_written=f"{n_all:,}", group="Total", region=where, base=where, base_n=n_all,
                             method="count of respondents", source_file=item.source_file,
                             source_hash=item.source_hash)
        intros.append(f"the {s.title} ({n_text} respondents" + (f", fieldwork {s.fieldwork}" if s.fieldwork else "")
                      + ")")
        if compare_waves and rep.other is not None:
            other = rep.other.survey
            span = f"to the {rep.other_wave.label} wave" if rep.later else f"from the {rep.other_wave.label} wave"
            named = "" if rep.other_wave.label in other.title else f" ({other.title})"
            note = (f"{s.title}: changes are stated {span}{named}, tested at the {round(100 * level)}% level "
                    "as on the Trends page: a Wald test on the two independent samples; a question that "
                    "changed between the waves is not compared [b].")
            if rep.later and rep.other_wave.synthetic:
                note += (f" The {rep.other_wave.label} wave is invented: this annex reports the "
                         f"{rep.wave.label} wave, the latest real one, and what changed in the invented wave.")
            notes.append(note)
        meta = _question_meta(s)
        for qid, rows in res.groupby("question", sort=False):
            section_name, finding = meta.get(qid, ("", ""))
            section = sections.setdefault(section_name or OTHER_SECTION, _Section())
            change = changes.loc[qid] if len(changes) and qid in changes.index else None
            bullet, ref = _finding(item, rows, finding, figures, where=where, change=change, rep=rep,
                                   adjust=adjust, small_base=small_base, detail=detail)
            section.bullets.append(bullet)
            rows_so_far, refs = section.charts.get(i, (None, []))
            section.charts[i] = (rows if rows_so_far is None else pd.concat([rows_so_far, rows]), refs + [ref])
    raked = [i.survey for i in inputs if getattr(i.survey, "raking", None) is not None]
    intro = (f"Findings of {wording.list_words(intros)}. Region: {where}. Each figure is the share giving a "
             "positive answer among those asked the question."
             + "".join(f" The {s.title} figures are weighted to the population by "
                       f"{wording.list_words(s.raking.variables)} (raking)." for s in raked))
    notes += raking_methods(raked)
    drafting = (f"Drafting note: {round(100 * level)}% confidence intervals ({method_name(settings.method)} method) "
                "and every base "
                "are in the figures workbook beside each reference. A group is named only where it differs from "
                f"the rest of the sample ({TEST_NAMES[test]}, {ADJUST_NAMES[adjust]}"
                + (f", and by at least {round(100 * WORTH_A_SENTENCE)} points from the total" if detail == "publication"
                   else "") + "); no group is named for the other questions.")
    blocks.append(Paragraph(intro, comment=" ".join([drafting, *notes])))
    for name, section in sections.items():
        blocks.append(Heading(name, 2))
        blocks += [Paragraph(b.text, bullet=True, comment=b.comment) for b in section.bullets]
        if detail == "full":
            for i, (rows, refs) in section.charts.items():
                blocks.append(_section_chart(reported[i].item, rows, refs, section=name, where=where, ppi=ppi,
                                             thresholds=settings.thresholds))
    return figures.finish(blocks)


def raking_methods(surveys: Sequence[loading.Survey]) -> list[str]:
    """For each raked survey, how it was raked (margins, iterations, weighting efficiency, Kish
    design effect, cap), then once how the variance allows for it; nothing when none is raked."""
    raked = [s for s in surveys if getattr(s, "raking", None) is not None]
    lines = [f"{s.title}: {raking_notes(s.raking)[0]}" for s in raked]
    return lines + raking_notes(raked[0].raking)[1:] if raked else []


@dataclass
class _Section:
    bullets: list[Paragraph] = field(default_factory=list)
    charts: dict[int, tuple[pd.DataFrame, list[str]]] = field(default_factory=dict)  # survey -> rows, refs


def _boundary(p) -> bool:
    """A 0% or 100% cell: its standard error is zero, so a test against it is not to be trusted."""
    return pd.notna(p) and (float(p) <= 0.0 or float(p) >= 1.0)


def _finding(item: SurveyInput, rows: pd.DataFrame, finding: str, figures: Figures, *, where: str, change,
             rep: Reported, adjust: str, small_base: SmallBase, detail: str = "publication") -> tuple[Paragraph, str]:
    """One question's bullet (with any drafting note as its comment) and its headline figure's placeholder."""
    total = rows[rows["by"] == "total"].iloc[0]
    text = str(total["question_text"])
    base_label = str(total["base_label"] or "")
    who = wording.people(base_label)
    surveyed = "" if wording.is_routed(base_label) else " surveyed"
    finding = finding or _fallback_finding(text)
    source = dict(source_file=item.source_file, source_hash=item.source_hash)
    if total["flag"] == "[c]" or pd.isna(total["p"]):
        return Paragraph(f"Too few {who} answered “{text}” for the figure to be published [c]."), ""
    low = total["flag"] == "[u]"
    written = figures.add("D", area=AREA, measure=text, group="Total", region=where, base=base_label,
                          base_n=total["n"], value=total["p"], as_written=wording.percent(total["p"]),
                          ci_low=total["ci_low"], ci_high=total["ci_high"], method=_method_text(total),
                          shorthand="[u]" if low else "", **source)
    sentence = f"{wording.capitalise(wording.share_words(total['p']))} {who}{surveyed} {finding} ({written}"
    if low:
        few = (f"fewer than {small_base.flag} answered" if small_base.flag_on == "n"
               else f"the effective base is under {small_base.flag}")
        sentence += f"; {few}, so treat with caution [u]"
    sentence += ")"
    if change is not None and rep.other is not None:
        other_p, other_n = ((change["p_after"], change["n_after"]) if rep.later
                            else (change["p_before"], change["n_before"]))
        other_text = ""
        if pd.notna(other_p):
            other_text = figures.add("D", area=AREA, measure=text, group=f"Total, {rep.other_wave.label}",
                                     region=where, base=base_label, base_n=other_n, value=other_p,
                                     as_written=wording.percent(other_p), method=_change_method_text(change),
                                     test=_change_test_text(change), under=written, suffix="w",
                                     source_file=rep.other.source_file, source_hash=rep.other.source_hash)
        sentence += ", " + wording.change_words(str(change["sig"]), str(change["flag"]), other=other_text,
                                                wave=rep.other_wave.label, later=rep.later)
        if "[u]" in str(change["flag"]) and not low:
            sentence += " (few responses in a wave: treat the comparison with caution [u])"
    sentence += "."
    group_rows = rows[rows["by"] != "total"]
    place = {g: j for j, g in enumerate(pd.unique(group_rows["group"].astype(str)), start=1)}
    significant = group_rows[group_rows["sig_vs_rest"].isin(["higher", "lower"]) & (group_rows["flag"] != "[c]")]
    at_edge = significant["p"].map(_boundary).astype(bool)
    boundary, stated = significant[at_edge], significant[~at_edge]
    if detail == "publication":
        stated = stated[(stated["p"] - float(total["p"])).abs() >= WORTH_A_SENTENCE]
    parts = []
    for g in stated.itertuples(index=False):
        g_low = g.flag == "[u]"
        g_text = figures.add("D", area=AREA, measure=text, group=f"{g.by}: {g.group}", region=where,
                             base=base_label, base_n=g.n, value=g.p, as_written=wording.percent(g.p),
                             ci_low=g.ci_low, ci_high=g.ci_high, method=_method_text(g), test=_test_text(g, adjust),
                             shorthand="[u]" if g_low else "", under=written, suffix=f".{place[str(g.group)]}",
                             **source)
        parts.append(f"significantly {g.sig_vs_rest} among {_group_name(g.group)} "
                     f"({g_text}{', treat with caution [u]' if g_low else ''})")
    if parts:  # each group against the rest of the sample, as tested
        sentence += f" It is {wording.list_words(parts)} than among other {who}."
    comment = None
    if len(boundary):
        named = wording.list_words([f"{_group_name(g.group)} ({int(round(g.p * g.n))} of {int(g.n)}, "
                                    f"{wording.percent(g.p)})" for g in boundary.itertuples(index=False)])
        comment = (f"Not stated: the test marks {named} as significantly different from the rest, but "
                   f"{BOUNDARY_NOTE}.")
    return Paragraph(sentence, bullet=True, comment=comment), written


def _group_name(group: str) -> str:
    """A group as it reads mid-sentence: 'Social worker' -> 'social workers', 'Local authority' -> 'local
    authority respondents'; an acronym keeps its capitals ('ICB' -> 'ICB respondents')."""
    text = str(group)
    if text.lower().endswith(("worker", "manager", "professional", "partner")):
        return text.lower() + "s"
    if text[1:2].islower():
        text = text[:1].lower() + text[1:]
    return f"{text} respondents"


def _section_chart(item: SurveyInput, rows: pd.DataFrame, refs: list[str], *, section: str, where: str, ppi: int,
                   thresholds: tuple) -> Chart:
    """Totals of a section's questions as a bar chart, with alt text and the same figures as a table."""
    s = item.survey
    totals = rows[rows["by"] == "total"].reset_index(drop=True)
    labels = short_labels(list(totals["question"]), list(totals["question_text"]), limit=200)
    findings = {qid: f for qid, (_, f) in _question_meta(s).items() if f}
    labels = {q: wording.capitalise(findings.get(q, labels[q])) for q in totals["question"]}
    totals = totals.assign(label=totals["question"].map(labels),
                           shown=[charts.percent_label(p, f) for p, f in zip(totals["p"], totals["flag"], strict=True)])
    title = f"{section}: {s.title}"
    subtitle = [f"Share giving a positive answer, total. Region: {where}.",
                "Bases differ by question: see the table."]
    # Narrow, with its notes and source under the picture rather than in it, so the chart is placed at
    # its natural size and its text stays at 11 pt (at least 9 pt) on the page.
    chart = charts.bar_with_intervals(totals, category="label", value="p", low="ci_low", high="ci_high",
                                      label="shown", bases="n", title=title, subtitle=subtitle,
                                      sort=list(totals["label"]), value_title="Percentage giving a positive answer",
                                      wrap=42, width=130, text_width=330)
    notes = " ".join([*survey_figures.survey_notes(totals, thresholds=thresholds), s.source or ""]).strip()
    top = totals.loc[totals["p"].idxmax()] if totals["p"].notna().any() else None
    alt = (f"Bar chart of the share of {wording.people(str(totals['base_label'].iloc[0]))} giving a positive answer "
           f"to {len(totals)} questions on {section.lower()}, {where}"
           + (f"; the highest is {wording.percent(top['p'])} ({top['label']})" if top is not None else "")
           + ". Data in the table below.")
    table = pd.DataFrame({
        "Question": totals["question_text"].astype(str),
        "Base": totals["base_label"].astype(str),
        "Number answering": totals["n"].map(lambda v: f"{int(v):,}"),
        "Percentage": totals["shown"],
        "Interval": [("" if pd.isna(lo) else f"{charts.percent_text(lo)} to {charts.percent_text(hi)}")
                     for lo, hi in zip(totals["ci_low"], totals["ci_high"], strict=True)],
        "Reference": [r.ref if r else "" for r in (refs + [""] * len(totals))[: len(totals)]],
    })
    return Chart(caption=f"Chart: {title}", png=charts.chart_png(chart, ppi=ppi), alt=alt, ppi=ppi,
                 font_px=charts.smallest_font(chart), notes=notes,
                 table=Table(caption=f"Table: {title} (the figures in the chart above)", frame=table))
