"""Audit findings in the style of chapter 10: the key figures of the yearly-report audits.

Written from the audits and register in the database: how many reports were
audited, the share of partnerships whose report had arrived by the cut-off,
the most common priorities, and for each criterion how many reports referred
to it ("13 of 18 reports included reference to independent scrutiny").
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from feedback import charts
from feedback.audits import figures as audit_charts
from feedback.audits import store, summaries
from feedback.audits.framework import framework_for_year, year_start
from feedback.audits.register import submission_rate
from feedback.report import wording
from feedback.report.document import Chart, Heading, Paragraph, Table
from feedback.report.figures import Figures, content_hash

AREA = "Yearly-report audits"
WILSON = "95% Wilson interval on the share (the audited reports are a sample)"


def default_cutoff(year: str) -> dt.date:
    """Reports for a year are counted as received by 1 June two years after the year began
    (2020-21 -> 1 June 2022, as chapter 10 counts them)."""
    return dt.date(year_start(year) + 2, 6, 1)


def _day(d: dt.date) -> str:
    return f"{d.day} {d:%B %Y}"


def audit_findings(engine, figures: Figures, *, region: str | None = None, year: str | None = None,
                   cutoff: dt.date | None = None, ppi: int = 150) -> list:
    """The audit part of the annex (latest reporting year audited, unless ``year`` is given)."""
    frames = store.load_frames(engine)
    where = region or "England (all regions)"
    blocks: list = [Heading("Audit findings: safeguarding partners' yearly reports", 1)]
    audits = summaries.select_audits(frames, region=region)
    if audits.empty:
        blocks.append(Paragraph(f"No yearly-report audits are recorded for {where}."))
        return blocks
    year = year or sorted(audits["reporting_year"].unique())[-1]
    framework = framework_for_year(year)
    cutoff = cutoff or default_cutoff(year)
    source_hash = content_hash(*(frames[k].drop(columns=[c for c in ("entered_at", "version", "score_id")
                                                         if c in frames[k].columns]).to_csv(index=False)
                                 for k in ("audits", "scores", "codes", "register")))
    source = dict(source_file="yearly-report audits and register in the database", source_hash=source_hash)
    audited = summaries.select_audits(frames, year=year, region=region)
    n = len(audited)
    n_text = figures.add("A", area=AREA, measure=f"Yearly reports for {year} audited", value=n, unit="count",
                         as_written=str(n), group=where, base=f"audits, {where}", method="count", **source)
    blocks.append(Paragraph(f"The analysis is based on audits of {n_text} yearly reports for {year} ({where}), "
                            f"scored against the {framework.title} framework."))
    bullets = []
    rate = submission_rate(frames["register"], year, cutoff, region=region)
    total = rate.iloc[-1]
    if total["partnerships"]:
        r_text = figures.add("A", area=AREA, measure=f"Partnerships with a {year} report received by {_day(cutoff)}",
                             value=total["rate"], as_written=wording.percent(total["rate"]), group=where,
                             base="all partnerships on the register", base_n=total["partnerships"],
                             method="census of the register (no interval)", **source)
        c_text = figures.add("A", area=AREA, measure=f"Partnerships with a {year} report received by {_day(cutoff)}",
                             value=total["received"], unit="count",
                             as_written=wording.count_words(total["received"], total["partnerships"]), group=where,
                             base="all partnerships on the register", base_n=total["partnerships"],
                             method="census of the register (no interval)", **source)
        bullets.append(f"As of {_day(cutoff)}, the Panel had received a yearly report for {year} from {r_text} of "
                       f"partnerships ({c_text}).")
    for lst in framework.lists:
        freq = summaries.code_frequencies(frames, framework, lst.id, year=year, region=region)
        freq = freq[(freq["count"] > 0) & (freq["code"] != "other")].head(3)
        if freq.empty:
            continue
        parts = [f"{r.label[:1].lower() + r.label[1:] if not r.label[:2].isupper() else r.label} ("
                 + figures.add("A", area=AREA, measure=f"{lst.name}: {r.label}", value=r.count, unit="count",
                               as_written=wording.count_words(r.count, r.n), group=where,
                               base=f"audited {year} reports", base_n=r.n, ci_low=r.ci_low, ci_high=r.ci_high,
                               method=WILSON, **source) + ")"
                 for r in freq.itertuples(index=False)]
        bullets.append(f"The most common {lst.name[:1].lower() + lst.name[1:]} were {wording.list_words(parts)}.")
    summary = summaries.criterion_summary(frames, framework, year=year, region=region)
    rows = []
    for r in summary.itertuples(index=False):
        label = r.label[:1].lower() + r.label[1:]
        common = dict(area=AREA, measure=f"Criterion: {r.label}", unit="count", group=where,
                      base=f"audited {year} reports", base_n=r.n, method=WILSON, **source)
        yes = figures.add("A", value=r.evidenced, as_written=wording.count_words(r.evidenced, r.n),
                          ci_low=r.ci_low, ci_high=r.ci_high, **common)
        no = figures.add("A", value=r.not_evidenced, as_written=wording.count_words(r.not_evidenced, r.n),
                         **{**common, "measure": f"Criterion not evidenced: {r.label}"})
        bullets.append(f"{yes} reports included reference to {label}; {no} did not.")
        rows.append({"Criterion": r.label, "Fully": str(r.fully), "Partly": str(r.partly),
                     "Not evidenced": str(r.not_evidenced), "Reports": str(r.n),
                     "Fully or partly": charts.percent_label(r.p),
                     "Interval": f"{100 * r.ci_low:.0f}% to {100 * r.ci_high:.0f}%",
                     "Reference": yes.split("[")[-1].rstrip("]")})
    blocks.append(Heading("Key figures", 2))
    blocks += [Paragraph(b, bullet=True) for b in bullets]
    if len(summary):
        chart = audit_charts.criteria_chart(summary, year=year, where=where)
        blocks.append(Chart(caption=f"Chart: yearly reports fully or partly evidencing each criterion, {year}",
                            png=charts.chart_png(chart, ppi=ppi),
                            alt=audit_charts.criteria_alt(summary, year=year, where=where),
                            table=Table(caption=f"Table: audit criteria, {year}, {where} (the figures in the chart "
                                                "above)", frame=pd.DataFrame(rows))))
    return blocks
