"""Audit findings in the style of chapter 10: the key figures of the yearly-report audits.

Written from the audits and register in the database: how many reports were
audited, the share of partnerships whose report had arrived by the cut-off,
the most common priorities, and for each criterion how many reports referred
to it ("13 of 18 reports included reference to independent scrutiny"; a
requirement reads "13 of 18 reports met the WT 2018 requirements overall").
References start with R (yearly Reports): the annual report's own Annex A is
fatal incidents.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from feedback import charts
from feedback.audits import figures as audit_charts
from feedback.audits import store, summaries
from feedback.audits.framework import framework_for_year
from feedback.audits.register import default_cutoff, submission_rate
from feedback.intervals import DEFAULT_SMALL_BASE, SmallBase
from feedback.report import wording
from feedback.report.document import Chart, Heading, Paragraph, Table
from feedback.report.figures import Figures, content_hash

AREA = "Yearly-report audits"
WILSON = "95% Wilson interval on the share (the audited reports are a sample)"


def _day(d: dt.date) -> str:
    return f"{d.day} {d:%B %Y}"


HEADING = "Audit of safeguarding partners' yearly reports: key figures"


def _criterion_words(label: str) -> tuple[str, str]:
    """How a criterion reads after "13 of 18 reports": ("met", "the WT 2018 requirements overall") for a
    criterion that is a requirement ("Meets …"), else ("included reference to", "independent scrutiny")."""
    first, _, rest = label.partition(" ")
    if first.lower() in ("meets", "meet") and rest:
        return "met", rest
    text = label[:1].lower() + label[1:] if not label[:2].isupper() else label
    return "included reference to", text


def _share_words(r, *, count: bool = True) -> str:
    """A criterion's share as the annex's table gives it: "72% [u] (49% to 88%)", "[c]" when suppressed;
    with ``count``, the count and base first ("13 of 18: 72% [u] (49% to 88%)")."""
    share = charts.percent_label(r.p, r.flag) + (
        "" if r.flag == "[c]" else f" ({wording.percent(r.ci_low)} to {wording.percent(r.ci_high)})")
    return f"{r.evidenced} of {r.n}: {share}" if count else share


def _beside_alt(summary: pd.DataFrame, england: pd.DataFrame, where: str) -> str:
    """The regional chart's second sentence: two bars per criterion, and England's figures in words."""
    eng = england.set_index("criterion")
    suppressed = (summary["flag"] == "[c]").all()
    return (f"Each criterion has two bars, {where}'s and England's as a whole"
            + (f"; every {where} share is suppressed [c] (fewer than 10 audited reports), so only England's "
               "bars are drawn" if suppressed else "")
            + ". England: " + "; ".join(f"“{r.label}” {eng.loc[r.criterion, 'evidenced']} of "
                                        f"{eng.loc[r.criterion, 'n']}" for r in summary.itertuples(index=False)
                                        if r.criterion in eng.index) + ".")


def audit_findings(engine, figures: Figures, *, region: str | None = None, year: str | None = None,
                   cutoff: dt.date | None = None, ppi: int = 150, small_base: SmallBase | None = None,
                   detail: str = "publication") -> list:
    """The audit part of the annex (latest reporting year audited, unless ``year`` is given).

    ``small_base``: the annex's small-base rules, applied alike to the chart's bars, the text and the
    workbook's rows (an audited year of 18 reports is under the usual 30: every share is [u]).
    ``detail``: the key figures are the same in the publication draft and the full appendix."""
    small_base = small_base or DEFAULT_SMALL_BASE
    frames = store.load_frames(engine)
    where = region or "England (all regions)"
    blocks: list = [Heading(HEADING, 1)]
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
    n_text = figures.add("R", area=AREA, measure=f"Yearly reports for {year} audited", value=n, unit="count",
                         as_written=str(n), group="All audited reports", region=where, base=f"audits, {where}",
                         method="count", **source)
    summary = summaries.criterion_summary(frames, framework, year=year, region=region, small_base=small_base)
    flags = set(summary["flag"]) if len(summary) else set()
    intro = (f"The analysis is based on audits of {n_text} yearly reports for {year} in {where}, scored against "
             f"the {framework.title} framework.")
    if "[u]" in flags:
        intro += (f" With fewer than {small_base.flag} reports audited, every share is of low reliability: "
                  "read the counts, and treat the percentages with caution [u].")
    blocks.append(Paragraph(intro))
    bullets = []
    rate = submission_rate(frames["register"], year, cutoff, region=region)
    total = rate.iloc[-1]
    if total["partnerships"]:
        r_text = figures.add("R", area=AREA, measure=f"Partnerships with a {year} report received by {_day(cutoff)}",
                             value=total["rate"], as_written=wording.percent(total["rate"]),
                             group="All partnerships", region=where,
                             base="all partnerships on the register", base_n=total["partnerships"],
                             method="census of the register (no interval)", **source)
        c_text = figures.add("R", area=AREA, measure=f"Partnerships with a {year} report received by {_day(cutoff)}",
                             value=total["received"], unit="count",
                             as_written=wording.count_words(total["received"], total["partnerships"]),
                             group="All partnerships", region=where,
                             base="all partnerships on the register", base_n=total["partnerships"],
                             method="census of the register (no interval)", **source)
        bullets.append(f"As of {_day(cutoff)}, the Panel had received a yearly report for {year} from {r_text} of "
                       f"partnerships ({c_text}).")
    for lst in framework.lists:
        freq = summaries.code_frequencies(frames, framework, lst.id, year=year, region=region, small_base=small_base)
        freq = freq[(freq["count"] > 0) & (freq["code"] != "other")].head(3)
        if freq.empty:
            continue
        parts = [f"{r.label[:1].lower() + r.label[1:] if not r.label[:2].isupper() else r.label} ("
                 + figures.add("R", area=AREA, measure=f"{lst.name}: {r.label}", value=r.count, unit="count",
                               as_written=wording.count_words(r.count, r.n), group="All audited reports",
                               region=where, base=f"audited {year} reports", base_n=r.n, ci_low=r.ci_low,
                               ci_high=r.ci_high, method=WILSON, shorthand="[u]" if r.flag == "[u]" else "",
                               **source) + ")"
                 for r in freq.itertuples(index=False)]
        bullets.append(f"The most common {lst.name[:1].lower() + lst.name[1:]} were {wording.list_words(parts)}.")
    # A regional annex draws England beside the region in the chart and its table (same small-base rules).
    england = summaries.criterion_summary(frames, framework, year=year, small_base=small_base) if region else None
    england_by = {} if england is None else {r.criterion: r for r in england.itertuples(index=False)}
    rows = []
    for r in summary.itertuples(index=False):
        verb, words = _criterion_words(r.label)
        mark = "[u]" if r.flag == "[u]" else ""
        common = dict(area=AREA, measure=f"Criterion: {r.label}", unit="count", group="All audited reports",
                      region=where, base=f"audited {year} reports", base_n=r.n, method=WILSON, **source)
        yes = figures.add("R", value=r.evidenced, as_written=wording.count_words(r.evidenced, r.n),
                          ci_low=r.ci_low, ci_high=r.ci_high, shorthand=mark, **common)
        if r.not_evidenced and r.evidenced:
            no = figures.add("R", value=r.not_evidenced, as_written=wording.count_words(r.not_evidenced, r.n),
                             **{**common, "measure": f"Criterion not evidenced: {r.label}"})
            bullets.append(f"{yes} reports {verb} {words}; {no} did not.")
        elif r.evidenced:
            bullets.append(f"Every audited report ({yes}) {verb} {words}.")
        else:
            bullets.append(f"None of the reports {verb} {words} ({yes}).")
        rows.append({"Criterion": r.label, "Fully": str(r.fully), "Partly": str(r.partly),
                     "Not evidenced": str(r.not_evidenced), "Reports": str(r.n),
                     "Fully or partly (interval)": _share_words(r, count=False),
                     **({"England: fully or partly (interval)": _share_words(england_by[r.criterion])}
                        if r.criterion in england_by else {}),
                     "Reference": yes.split("[")[-1].rstrip("]")})
    blocks += [Paragraph(b, bullet=True) for b in bullets]
    if len(summary):
        chart = audit_charts.criteria_chart(summary, year=year, where=where, compact=True, england=england)
        best = summary.loc[summary["evidenced"].idxmax()]
        alt = (f"Bar chart of how many of the {n} audited yearly reports for {year} fully or partly evidenced each "
               f"of {len(summary)} criteria, in {summary['theme'].nunique()} groups; most evidenced "
               f"“{best['label']}” ({best['evidenced']} of {best['n']}). Data in the table below.")
        shown = summary
        if england is not None:
            alt = alt.replace(" Data in", f" {_beside_alt(summary, england, where)} Data in")
            shown = pd.concat([summary, england], ignore_index=True)
        notes = " ".join([*audit_charts.criteria_notes(shown), audit_charts.SOURCE + "."])
        beside = f", {where} beside England" if england is not None else ""
        blocks.append(Chart(caption=f"Chart: yearly reports fully or partly evidencing each criterion, {year}{beside}",
                            png=charts.chart_png(chart, ppi=ppi), alt=alt, ppi=ppi,
                            font_px=charts.smallest_font(chart), notes=notes,
                            table=Table(caption=f"Table: audit criteria, {year}, {where} (the figures in the chart "
                                                "above)", frame=pd.DataFrame(rows))))
    return figures.finish(blocks)
