"""Charts of the audit summaries (Altair, via feedback.charts), each with its alt text.

Kept out of the page so the charts can be built, exported and tested
without Streamlit. Labels always give the count and the base ("13 of 18"),
not only a percentage, because the bases are small.
"""

from __future__ import annotations

import pandas as pd

from feedback import charts

SOURCE = "Source: audits of safeguarding partners' yearly reports (integrated audit tool)"
SAMPLE_NOTE = "Sample data built from the published figures, not real data."
#: Plot width that keeps the labelled chart inside the page column (and reads well exported).
PLOT_WIDTH = 440
INTERVAL_NOTE = "Error bars: 95% Wilson intervals (the audited reports are a sample of all yearly reports)."


def _notes(sample: bool, extra: tuple[str, ...] = ()) -> list[str]:
    return [*extra, *([SAMPLE_NOTE] if sample else [])]


def _count_label(count, n, p, flag: str = "") -> str:
    """'12 of 20 (60%) [u]'; a suppressed share reads '2 of 2 [c]': the count and base stay (as in
    the table and its download), the share is not shown (fewer reports than the rules allow)."""
    if flag == "[c]":
        return "[c]" if pd.isna(count) or pd.isna(n) else f"{int(count)} of {int(n)} [c]"
    return "" if pd.isna(p) else f"{int(count)} of {int(n)} ({charts.percent_text(p)})" + (f" {flag}" if flag else "")


def _labels(df: pd.DataFrame, count: str, n: str, p: str) -> list[str]:
    flags = df["flag"] if "flag" in df else pd.Series([""] * len(df), index=df.index)
    return [_count_label(c, b, v, f) for c, b, v, f in zip(df[count], df[n], df[p], flags, strict=True)]


ENGLAND = "England"
#: The series of a region view: the region, then England (the Analysis Function's two-series colours).
SERIES_PALETTE = charts.TWO_SERIES


def beside_england(frame: pd.DataFrame, england: pd.DataFrame | None, *, where: str, keys: list[str],
                   count: str) -> pd.DataFrame:
    """A chart's rows with their labels ("12 of 20 (60%)"); with ``england``, England's rows for the
    same keys follow, each row naming its series (``__series``) and each label starting with it
    ("London: 2 of 2 [c]", "England: 13 of 18 (72%) [u]"), so the two are told apart in words.
    The small-base rules are those of each frame: a region's suppressed share stays [c] beside
    England's share."""
    data = frame.assign(__label=_labels(frame, count, "n", "p"))
    if england is None:
        return data
    data["__series"] = where
    eng = england.merge(frame[keys].drop_duplicates(), on=keys)
    both = pd.concat([data, eng.assign(__series=ENGLAND, __label=_labels(eng, count, "n", "p"))],
                     ignore_index=True)
    both["__label"] = both["__series"] + ": " + both["__label"]
    return both


def _series(where: str, england) -> dict:
    """The colour, offset and legend of a chart drawing a region beside England (nothing when not)."""
    if england is None:
        return {}
    return dict(color="__series", color_domain=[where, ENGLAND], palette=SERIES_PALETTE, offset="__series",
                legend=True)


def _beside_words(where: str, england) -> str:
    return f"{where} beside England (all regions)" if england is not None else where


def criteria_chart(summary: pd.DataFrame, *, year: str, where: str, sample: bool = False, compact: bool = False,
                   england: pd.DataFrame | None = None):
    """Share of audited reports fully or partly evidencing each criterion, with intervals.

    The criteria's groups (themes) are panels headed by their names, not told apart by colour alone.
    ``england``: England's summary for the same year; in a region view each criterion then has two
    bars, the region's and England's, each label naming its series and a legend in words.
    ``compact``: narrow and short enough to be placed at its natural size on an A4 page (text at least
    9 pt); its notes and source are left to the text beside it (``criteria_notes``)."""
    data = beside_england(summary, england, where=where, keys=["reporting_year", "criterion"], count="evidenced")
    n = int(summary["n"].max()) if len(summary) else 0
    size = dict(width=150, wrap=26, text_width=330) if compact else dict(width=PLOT_WIDTH)
    notes = [] if compact else _notes(sample, criteria_notes(data))
    base = f"Base: {n} audited reports."
    if england is not None:
        n_england = int(england["n"].max()) if len(england) else 0
        base = f"Base: {n} audited reports in {where}, {n_england} in England."
    colour = _series(where, england) or dict(color="theme", color_domain=list(pd.unique(summary["theme"])),
                                              legend=False)
    return charts.bar_with_intervals(
        data, category="label", value="p", low="ci_low", high="ci_high", label="__label",
        sort=list(summary["label"]), row="theme", **colour,
        title=f"Yearly reports fully or partly evidencing each criterion, {year}",
        subtitle=[f"{_beside_words(where, england)}. {base}"], source=None if compact else SOURCE, notes=notes,
        value_title="Reports fully or partly evidencing the criterion", **size)


def criteria_notes(summary: pd.DataFrame) -> tuple[str, ...]:
    """The criteria chart's notes: the intervals and the small-base marks it shows."""
    return (INTERVAL_NOTE, *small_base_notes(summary))


def small_base_notes(df: pd.DataFrame) -> tuple[str, ...]:
    """The [c] / [u] notes a chart needs, as on the survey pages."""
    flags = set(df["flag"]) if "flag" in df else set()
    return tuple(note for symbol, note in (
        ("[c]", "[c] fewer than 10 audited reports: share not shown."),
        ("[u]", "[u] fewer than 30 audited reports: low reliability, treat with caution.")) if symbol in flags)


def all_suppressed(df: pd.DataFrame) -> bool:
    """Every share in the frame is suppressed [c]: the chart draws no bar."""
    return bool(len(df)) and "flag" in df and bool((df["flag"] == "[c]").all())


SUPPRESSED_ALT = ("Every share is suppressed [c]: fewer than 10 audited reports, so the chart draws no bars; "
                  "the counts are given below and in the table. ")


def _criterion_words(r) -> str:
    """One criterion's figures in words: "13 of 18 (72%, interval 49% to 88%, low reliability); fully 7,
    partly 6, not 5", or the count and base only when the share is suppressed [c]."""
    if getattr(r, "flag", "") == "[c]":
        return f"{r.evidenced} of {r.n}, share not shown (fewer than 10 audited reports) [c]"
    return (f"{r.evidenced} of {r.n} ({charts.percent_text(r.p)}, interval {charts.percent_text(r.ci_low)} to "
            f"{charts.percent_text(r.ci_high)}{', low reliability' if getattr(r, 'flag', '') == '[u]' else ''}); "
            f"fully {r.fully}, partly {r.partly}, not {r.not_evidenced}")


def _suppressed_beside(where: str) -> str:
    return (f"Every {where} share is suppressed [c]: fewer than 10 audited reports in {where}, so only "
            f"England's bars are drawn; {where}'s counts are given below and in the table. ")


def criteria_alt(summary: pd.DataFrame, *, year: str, where: str, england: pd.DataFrame | None = None) -> str:
    """The criteria chart's alt text; with ``england``, each criterion's figures for the region and England."""
    head = f"Bar chart: yearly reports fully or partly evidencing each audit criterion, {year}, "
    if england is None:
        items = [f"{r.label}: {_criterion_words(r)}" for r in summary.itertuples(index=False)]
        return head + f"{where}. " + (SUPPRESSED_ALT if all_suppressed(summary) else "") + "; ".join(items) + "."
    eng = {(r.reporting_year, r.criterion): r for r in england.itertuples(index=False)}
    items = [f"{r.label}: {where} {_criterion_words(r)}"
             + (f"; England {_criterion_words(e)}" if (e := eng.get((r.reporting_year, r.criterion))) else "")
             for r in summary.itertuples(index=False)]
    return (head + f"{where} beside England (all regions), two bars per criterion. "
            + (_suppressed_beside(where) if all_suppressed(summary) else "") + ". ".join(items) + ".")


def codes_chart(freq: pd.DataFrame, *, list_name: str, year: str, where: str, sample: bool = False,
                england: pd.DataFrame | None = None):
    """How many audited reports set each priority (or practice theme), most common first (in the
    region, with England's bar beside each when ``england`` is given)."""
    data = beside_england(freq, england, where=where, keys=["reporting_year", "code"], count="count")
    n = int(freq["n"].max()) if len(freq) else 0
    base = f"Base: {n} audited reports."
    if england is not None:
        base = f"Base: {n} audited reports in {where}, {int(england['n'].max()) if len(england) else 0} in England."
    return charts.bar_with_intervals(
        data, category="label", value="p", low="ci_low", high="ci_high", label="__label",
        sort=list(freq["label"]), title=f"{list_name}: share of audited yearly reports, {year}",
        subtitle=[f"{_beside_words(where, england)}. {base} A report can set several."], source=SOURCE,
        notes=_notes(sample, (INTERVAL_NOTE, *small_base_notes(data))), value_title="Reports", width=PLOT_WIDTH,
        **_series(where, england))


def _count_words(r) -> str:
    return f"{r.count} of {r.n}" + (" [c]" if getattr(r, "flag", "") == "[c]" else "")


def codes_alt(freq: pd.DataFrame, *, list_name: str, year: str, where: str,
              england: pd.DataFrame | None = None) -> str:
    head = f"Bar chart: {list_name.lower()} in audited yearly reports, {year}, "
    if england is None:
        items = [f"{r.label}: {r.count} of {r.n}" for r in freq.itertuples(index=False)]
        return head + f"{where}. " + "; ".join(items) + "."
    eng = {(r.reporting_year, r.code): r for r in england.itertuples(index=False)}
    items = [f"{r.label}: {where} {_count_words(r)}"
             + (f", England {_count_words(e)}" if (e := eng.get((r.reporting_year, r.code))) else "")
             for r in freq.itertuples(index=False)]
    return head + f"{where} beside England (all regions). " + "; ".join(items) + "."


def region_chart(by_region: pd.DataFrame, *, year: str, regions: list[str], sample: bool = False):
    """Criteria by region: the share evidencing each, with the count in each cell."""
    flags = by_region["flag"] if "flag" in by_region else [""] * len(by_region)
    data = by_region.assign(__label=[f"{e}/{n}" + (f" {f}" if f else "")
                                     for e, n, f in zip(by_region["evidenced"], by_region["n"], flags, strict=True)])
    return charts.heat_table(
        data, row="label", column="region", value="p", label="__label", percent=True,
        title=f"Criteria fully or partly evidenced, by region, {year}",
        subtitle=["Each cell: reports evidencing the criterion / reports audited in the region"
                  + (" (England: all regions)." if ENGLAND in regions else ".")],
        source=SOURCE, notes=_notes(sample, ("Bases per region are very small: read counts, not percentages.",
                                             *small_base_notes(data))),
        row_sort=list(pd.unique(by_region["label"])), column_sort=regions, value_title="Share evidencing")


def region_alt(by_region: pd.DataFrame, *, year: str) -> str:
    parts = [f"{r.label}, {r.region}: {r.evidenced} of {r.n}" + (" [c]" if getattr(r, "flag", "") == "[c]" else "")
             for r in by_region.itertuples(index=False)]
    return (f"Table chart: criteria evidenced by region, {year}. "
            + (SUPPRESSED_ALT if all_suppressed(by_region) else "") + "; ".join(parts) + ".")


def years_chart(yoy: pd.DataFrame, *, where: str, sample: bool = False, england: pd.DataFrame | None = None):
    """Year against year: each criterion's share evidenced, one bar per reporting year; with
    ``england``, the region's bar and England's for each year, side by side (labelled "London
    2019-20: …", "England 2019-20: …", coloured by series)."""
    years = sorted(pd.unique(yoy["reporting_year"]))
    if england is None:
        data = yoy.assign(__label=_labels(yoy, "evidenced", "n", "p"))
        colour = dict(color="reporting_year", color_domain=years, offset="reporting_year")
    else:
        data = beside_england(yoy, england, where=where, keys=["reporting_year", "criterion"], count="evidenced")
        data = data.sort_values("reporting_year", kind="stable").reset_index(drop=True)  # each year: region, England
        data["__bar"] = data["__series"] + " " + data["reporting_year"]
        data["__label"] = [f"{s} {y}: {lab.split(': ', 1)[1]}" for s, y, lab in
                           zip(data["__series"], data["reporting_year"], data["__label"], strict=True)]
        colour = {**_series(where, england), "offset": "__bar"}
    return charts.bar_with_intervals(
        data, category="label", value="p", low="ci_low", high="ci_high", label="__label", **colour,
        sort=list(pd.unique(yoy["label"])), title="Criteria fully or partly evidenced, year against year",
        subtitle=[f"{_beside_words(where, england)}. Reporting years {', '.join(years)}; bases differ by year."],
        source=SOURCE, notes=_notes(sample, (INTERVAL_NOTE, *small_base_notes(data))),
        value_title="Reports fully or partly evidencing the criterion",
        width=PLOT_WIDTH)


def _share_words(r) -> str:
    return f"{r.evidenced} of {r.n} " + ("[c]" if getattr(r, "flag", "") == "[c]" else f"({charts.percent_text(r.p)})")


def years_alt(yoy: pd.DataFrame, *, where: str, england: pd.DataFrame | None = None) -> str:
    if england is None:
        parts = [f"{r.label}, {r.reporting_year}: {_share_words(r)}" for r in yoy.itertuples(index=False)]
        return (f"Bar chart: criteria evidenced year against year, {where}. "
                + (SUPPRESSED_ALT if all_suppressed(yoy) else "") + "; ".join(parts) + ".")
    eng = {(r.reporting_year, r.criterion): r for r in england.itertuples(index=False)}
    parts = [f"{r.label}, {r.reporting_year}: {where} {_share_words(r)}"
             + (f", England {_share_words(e)}" if (e := eng.get((r.reporting_year, r.criterion))) else "")
             for r in yoy.itertuples(index=False)]
    return (f"Bar chart: criteria evidenced year against year, {where} beside England (all regions). "
            + (_suppressed_beside(where) if all_suppressed(yoy) else "") + "; ".join(parts) + ".")


def rate_chart(rate: pd.DataFrame, *, year: str, by, sample: bool = False):
    """Share of partnerships whose yearly report had arrived by the cut-off, by region."""
    data = rate[["region", "partnerships", "received", "rate"]].assign(
        __label=[_count_label(r, n, p) for r, n, p in zip(rate["received"], rate["partnerships"], rate["rate"],
                                                           strict=True)],
        __series=["England" if r == "England" else "Regions" for r in rate["region"]])
    series = [s for s in ("Regions", "England") if s in set(data["__series"])]
    return charts.bar_with_intervals(
        data, category="region", value="rate", label="__label", sort=list(rate["region"]),
        color="__series" if len(series) > 1 else None, color_domain=series, palette=SERIES_PALETTE,
        title=f"Partnerships that had sent their {year} yearly report by {by.day} {by:%B %Y}",
        subtitle=["All partnerships on the register (a census: no interval)."], source=SOURCE.replace(
            "audits of safeguarding partners' yearly reports (integrated audit tool)", "register of yearly reports"),
        notes=_notes(sample), value_title="Partnerships")


def rate_alt(rate: pd.DataFrame, *, year: str, by) -> str:
    parts = [f"{r.region}: {r.received} of {r.partnerships}"
             + ("" if pd.isna(r.rate) else f" ({charts.percent_text(r.rate)})")
             for r in rate.itertuples(index=False)]
    return (f"Bar chart: partnerships that had sent their {year} yearly report by {by.day} {by:%B %Y}. "
            + "; ".join(parts) + ".")
