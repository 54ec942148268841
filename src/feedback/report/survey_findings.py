"""Survey findings in the style of Annex D, written from the results.

Each question's total becomes one plain-English sentence under its codebook
section: the share in words that follow its size ("almost nine in 10"), then
the figure with its reference; a routed base is named ("safeguarding partners
aware of the SUDI review"); a group is mentioned only when its test against
the rest of the sample is significant (adjusted); with an earlier wave of the
same survey, the change is stated, or "no significant change". Each section
has a chart of its figures with alt text and the same figures as a table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from feedback import charts
from feedback.report import wording
from feedback.report.document import Chart, Heading, Paragraph, Table
from feedback.report.figures import Figures
from feedback.survey import explorer

OTHER_SECTION = "Other findings"
AREA = "Survey"


@dataclass
class SurveyInput:
    """A loaded survey and the bytes it came from (for the figures' source hash)."""

    survey: explorer.Survey
    source_file: str
    source_hash: str


def wave_year(survey: explorer.Survey) -> str:
    """The year a wave was run in, from its fieldwork or title ('June to September 2021' -> '2021')."""
    for text in (survey.fieldwork, survey.title, survey.filename):
        years = re.findall(r"(?:19|20)\d\d", str(text or ""))
        if years:
            return years[-1]
    return ""


def pair_waves(inputs: list[SurveyInput]) -> tuple[list[SurveyInput], dict[int, SurveyInput]]:
    """Surveys to report, and for each (by position) the earlier wave of the same audience, if loaded.

    Two surveys are waves of one survey when they share an audience (codebook
    ``audience``) and their years differ; the latest is reported, the one
    before it gives the change.
    """
    by_audience: dict[str, list[SurveyInput]] = {}
    for item in inputs:
        key = item.survey.audience or item.survey.title
        by_audience.setdefault(key, []).append(item)
    current, previous = [], {}
    for item in inputs:
        key = item.survey.audience or item.survey.title
        waves = sorted(by_audience[key], key=lambda i: wave_year(i.survey))
        if len(waves) > 1 and item is not waves[-1]:
            continue  # an earlier wave: reported through the change it shows
        current.append(item)
        earlier = [w for w in waves[:-1] if wave_year(w.survey) and wave_year(w.survey) != wave_year(item.survey)]
        if earlier:
            previous[len(current) - 1] = earlier[-1]
    return current, previous


def _question_meta(survey: explorer.Survey) -> dict[str, tuple[str, str]]:
    cb = survey.codebook
    if cb is None or not hasattr(cb, "questions"):
        return {}
    return {q.id: (q.section or "", q.finding or "") for q in cb.questions}


def _fallback_finding(text: str) -> str:
    text = str(text).strip().rstrip("?").rstrip(".")
    return f"gave a positive answer to “{text}”"


def _method_text(row) -> str:
    return f"{round(100 * float(row.level))}% {str(row.method).replace('-', ' ').title()} interval"


def _test_text(row) -> str:
    p = getattr(row, "p_adj_vs_rest", float("nan"))
    if pd.isna(p):
        return ""
    p_text = "<0.001" if p < 0.001 else f"{p:.3f}"
    return f"against the rest of the sample, two-proportion test on effective bases, adjusted p = {p_text}"


def _changes(now: pd.DataFrame, before: pd.DataFrame, *, level: float) -> pd.DataFrame:
    """Totals of two waves compared, question by question (independent samples)."""
    if before is None or before.empty:
        return pd.DataFrame()
    a = now[now["by"] == "total"]
    b = before[before["by"] == "total"]
    shared = sorted(set(a["question"]) & set(b["question"]))
    if not shared:
        return pd.DataFrame()
    out = explorer.compare_audiences(a[a["question"].isin(shared)], b[b["question"].isin(shared)],
                                     label_a="now", label_b="before", level=level)
    return out.set_index("question")


def survey_findings(inputs: list[SurveyInput], figures: Figures, *, region: str | None = None,
                    method: str = "wilson", level: float = 0.95, suppress: int = 10, flag: int = 30,
                    adjust: str = "holm", ppi: int = 150) -> list:
    """The survey part of the annex: headings, sentences, charts and their tables."""
    blocks: list = [Heading("Survey findings", 1)]
    current, previous = pair_waves(inputs)
    where = region or "England (all regions)"
    sections: dict[str, _Section] = {}
    for i, item in enumerate(current):
        s = item.survey
        res = explorer.results(s, grouping="Role", region=region, method=method, level=level, suppress=suppress,
                               flag=flag, adjust=adjust)
        before = previous.get(i)
        changes = pd.DataFrame()
        if before is not None:
            res_before = explorer.results(before.survey, grouping="Role", region=region, method=method,
                                          level=level, suppress=suppress, flag=flag, adjust=adjust)
            changes = _changes(res, res_before, level=level)
        total_rows = res[res["by"] == "total"]
        n_all = int(total_rows["n"].max()) if len(total_rows) else 0
        n_text = figures.add("D", area=AREA, measure=f"{s.title}: respondents", value=n_all, unit="count",
                             as_written=f"{n_all:,}", group=where, base=where, base_n=n_all,
                             source_file=item.source_file, source_hash=item.source_hash)
        intro = (f"{s.title}: {n_text} respondents" + (f", fieldwork {s.fieldwork}" if s.fieldwork else "")
                 + f". Region: {where}. Figures are the share giving a positive answer among those asked, "
                 f"with {round(100 * level)}% confidence intervals "
                 f"({explorer.METHODS.get(method, method).split(' (')[0]} method).")
        if before is not None:
            intro += (f" Changes are against the {wave_year(before.survey)} wave "
                      f"({before.survey.title}), tested at the {round(100 * level)}% level.")
        blocks.append(Paragraph(intro))
        meta = _question_meta(s)
        for qid, rows in res.groupby("question", sort=False):
            section_name, finding = meta.get(qid, ("", ""))
            section = sections.setdefault(section_name or OTHER_SECTION, _Section())
            change = changes.loc[qid] if len(changes) and qid in changes.index else None
            sentence, ref = _finding(item, rows, finding, figures, where=where, change=change,
                                     before_year=wave_year(before.survey) if before is not None else "",
                                     before=before)
            section.sentences.append(sentence)
            rows_so_far, refs = section.charts.get(i, (None, []))
            section.charts[i] = (rows if rows_so_far is None else pd.concat([rows_so_far, rows]), refs + [ref])
    for name, section in sections.items():
        blocks.append(Heading(name, 2))
        blocks += [Paragraph(text, bullet=True) for text in section.sentences]
        for i, (rows, refs) in section.charts.items():
            blocks.append(_section_chart(current[i], rows, refs, section=name, where=where, ppi=ppi,
                                         thresholds=(suppress, flag)))
    return blocks


@dataclass
class _Section:
    sentences: list[str] = field(default_factory=list)
    charts: dict[int, tuple[pd.DataFrame, list[str]]] = field(default_factory=dict)  # survey -> rows, refs


def _finding(item: SurveyInput, rows: pd.DataFrame, finding: str, figures: Figures, *, where: str, change,
             before_year: str, before: SurveyInput | None) -> tuple[str, str]:
    """One question's sentence and the reference of its headline figure."""
    total = rows[rows["by"] == "total"].iloc[0]
    text = str(total["question_text"])
    base_label = str(total["base_label"] or "")
    who = wording.people(base_label)
    surveyed = "" if wording.is_routed(base_label) else " surveyed"
    finding = finding or _fallback_finding(text)
    source = dict(source_file=item.source_file, source_hash=item.source_hash)
    if total["flag"] == "[c]" or pd.isna(total["p"]):
        return (f"Too few {who} answered “{text}” for the figure to be published [c].", "")
    written = figures.add("D", area=AREA, measure=text, group=f"Total ({where})", base=base_label,
                          base_n=total["n"], value=total["p"], as_written=wording.percent(total["p"]),
                          ci_low=total["ci_low"], ci_high=total["ci_high"], method=_method_text(total), **source)
    ref = written.split("[")[-1].rstrip("]")
    sentence = f"{wording.capitalise(wording.share_words(total['p']))} {who}{surveyed} {finding} ({written}"
    if total["flag"] == "[u]":
        sentence += "; fewer than 30 answered, so treat with caution [u]"
    sentence += ")"
    if change is not None and before is not None:
        before_p = float(change["p_b"])
        before_text = figures.add("D", area=AREA, measure=text, group=f"Total ({where}), {before_year}",
                                  base=base_label, value=before_p, as_written=wording.percent(before_p),
                                  method=_method_text(total),
                                  test=f"change between waves, two-proportion test, adjusted p = "
                                       f"{'<0.001' if change['p_adj'] < 0.001 else format(change['p_adj'], '.3f')}",
                                  source_file=before.source_file, source_hash=before.source_hash)
        significant = str(change["sig"]) in ("higher", "lower")
        words = wording.change_words(float(total["p"]), before_p, significant=significant, year=before_year)
        sentence += ", " + words.replace(wording.percent(before_p), before_text, 1)
    sentence += "."
    groups = rows[(rows["by"] != "total") & rows["sig_vs_rest"].isin(["higher", "lower"]) & (rows["flag"] != "[c]")]
    others = who
    grouping = str(rows[rows["by"] != "total"]["by"].iloc[0]) if (rows["by"] != "total").any() else "role"
    if len(groups):
        parts = []
        for g in groups.itertuples(index=False):
            g_text = figures.add("D", area=AREA, measure=text, group=f"{g.by}: {g.group} ({where})", base=base_label,
                                 base_n=g.n, value=g.p, as_written=wording.percent(g.p), ci_low=g.ci_low,
                                 ci_high=g.ci_high, method=_method_text(g), test=_test_text(g), **source)
            parts.append(f"significantly {g.sig_vs_rest} among {_group_name(g.group)} ({g_text}) than among "
                         f"other {others}")
        sentence += " It is " + "; and ".join(parts) + "."
    elif (rows["by"] != "total").any():
        sentence += f" No {grouping.replace('_', ' ')} differs significantly from the rest."
    return sentence, ref


def _group_name(group: str) -> str:
    """A group as it reads mid-sentence: 'Social worker' -> 'social workers', 'Police' -> 'Police respondents'."""
    text = str(group)
    if text.lower().endswith(("worker", "manager", "professional", "partner")):
        return text.lower() + "s"
    return f"{text} respondents"


def _section_chart(item: SurveyInput, rows: pd.DataFrame, refs: list[str], *, section: str, where: str, ppi: int,
                   thresholds: tuple[int, int]) -> Chart:
    """Totals of a section's questions as a bar chart, with alt text and the same figures as a table."""
    s = item.survey
    totals = rows[rows["by"] == "total"].reset_index(drop=True)
    labels = explorer.short_labels(list(totals["question"]), list(totals["question_text"]), limit=200)
    findings = {qid: f for qid, (_, f) in _question_meta(s).items() if f}
    labels = {q: wording.capitalise(findings.get(q, labels[q])) for q in totals["question"]}
    totals = totals.assign(label=totals["question"].map(labels),
                           shown=[charts.percent_label(p, f) for p, f in zip(totals["p"], totals["flag"], strict=True)])
    title = f"{section}: {s.title}"
    subtitle = [f"Share giving a positive answer, total. Region: {where}.",
                "Bases differ by question: see the table."]
    chart = charts.bar_with_intervals(totals, category="label", value="p", low="ci_low", high="ci_high",
                                      label="shown", title=title, subtitle=subtitle, source=s.source,
                                      notes=charts.survey_notes(totals, thresholds=thresholds),
                                      sort=list(totals["label"]), value_title="Percentage giving a positive answer",
                                      wrap=45, width=440)
    alt = charts.alt_text(totals, category="label", value="p", low="ci_low", high="ci_high", title=title,
                          subtitle=f"Region: {where}", kind="Bar chart")
    table = pd.DataFrame({
        "Question": totals["question_text"].astype(str),
        "Base": totals["base_label"].astype(str),
        "Number answering": totals["n"].map(lambda v: f"{int(v):,}"),
        "Percentage": totals["shown"],
        "Interval": [("" if pd.isna(lo) else f"{100 * lo:.0f}% to {100 * hi:.0f}%")
                     for lo, hi in zip(totals["ci_low"], totals["ci_high"], strict=True)],
        "Reference": (refs + [""] * len(totals))[: len(totals)],
    })
    return Chart(caption=f"Chart: {title}", png=charts.chart_png(chart, ppi=ppi), alt=alt,
                 table=Table(caption=f"Table: {title} (the figures in the chart above)", frame=table))
