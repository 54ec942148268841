"""What the Trends page shows, without Streamlit: each question over the
waves, the "what changed" table, their notes, charts with alt text, and the
other areas by year (roundtable themes, audit criteria). The annex pack of a
trend is ``feedback.download_pack.trends_annex``.

Every survey number comes from ``feedback.survey.waves``; this module only
chooses what to ask it and how to label it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from feedback.survey import figures as survey_figures
from feedback.survey.waves import BREAK, Wave, change_words, sample_series, wave_label

CHANGE_LABELS = {
    "question": "Question id", "question_text": "Question", "by": "Grouping", "group": "Group",
    "n_before": "n before", "n_after": "n after", "p_before": "Before (%)", "p_after": "After (%)",
    "change": "Change (points)", "ci_low": "Interval from (points)", "ci_high": "Interval to (points)",
    "p_value": "p value", "p_adj": "Adjusted p value", "sig": "Significant", "flag": "Flag",
    "in_words": "In words", "source": "Figures from",
}
TREND_LABELS = {"wave": "Wave", "group": "Group", "by": "Grouping", "n": "Unweighted n", "p": "Positive (%)",
                "ci_low": "Interval from (%)", "ci_high": "Interval to (%)", "flag": "Flag"}


def sample_waves(audience: str, kind: str = "respondents") -> list[Wave]:
    """The embedded waves of one audience, oldest first (read from data/surveys)."""
    from feedback.survey.examples import example_files as sample_files
    from feedback.survey.loading import load_survey

    out = []
    for sample in sample_series(kind).get(audience, []):
        survey = load_survey(sample.data_file, *sample_files(sample), name=sample.name, kind=sample.kind)
        out.append(Wave(wave_label(survey), survey))
    return out


def what_changed(change: pd.DataFrame, *, significant_only: bool = False) -> pd.DataFrame:
    """The change table as read on screen: largest change first (by size, either way),
    points to one decimal place, a sentence per row; suppressed rows last."""
    rows = change.copy()
    if significant_only:
        rows = rows[rows["sig"] != ""]
    rows = rows.assign(_size=rows["change"].abs()).sort_values("_size", ascending=False, na_position="last",
                                                               kind="stable")
    shown = pd.DataFrame({
        "question": rows["question"], "group": rows["group"], "by": rows["by"],
        "p_before": _pct(rows["p_before"], rows["flag"]), "p_after": _pct(rows["p_after"], rows["flag"]),
        "change": _pts(rows["change"], rows["flag"]), "ci_low": _pts(rows["ci_low"], rows["flag"]),
        "ci_high": _pts(rows["ci_high"], rows["flag"]),
        "sig": rows["sig"].map({"up": "Yes, up", "down": "Yes, down"}).fillna("No"),
        "in_words": [change_words(r) for r in rows.itertuples(index=False)],
        "p_adj": rows["p_adj"], "n_before": rows["n_before"], "n_after": rows["n_after"], "flag": rows["flag"],
        "question_text": rows["question_text"], "source": rows["source"],
    })
    return shown.rename(columns=CHANGE_LABELS).reset_index(drop=True)


def _pct(values: pd.Series, flag: pd.Series) -> pd.Series:
    text = (100 * values.astype(float)).map("{:.1f}".format)
    return text.where(values.notna(), flag.where(flag != "", "[x]"))


def _pts(values: pd.Series, flag: pd.Series) -> pd.Series:
    text = (100 * values.astype(float)).map("{:+.1f}".format)
    return text.where(values.notna(), flag.where(flag != "", "[x]"))


ENGLAND = "England"


def with_england(region_trend: pd.DataFrame, england_trend: pd.DataFrame, region) -> pd.DataFrame:
    """A region's trend with England's total in each wave beside the region's groups (rows with
    ``by = "england"`` and ``group = "England"``), for a regional lead reading the region against
    the national figure; England is a comparison line, not a tested group."""
    eng = england_trend[(england_trend["by"] == "total")
                        & england_trend["question"].isin(set(region_trend["question"]))].copy()
    eng["by"] = "england"
    eng["group"] = ENGLAND
    from feedback.regions import region_total_label

    region_trend = region_trend.copy()  # the region's total reads "London (all)": "Total" would suggest England
    region_trend.loc[region_trend["by"] == "total", "group"] = region_total_label(region)
    return pd.concat([region_trend, eng[[c for c in region_trend.columns if c in eng.columns]]],
                     ignore_index=True)


def trend_table(rows: pd.DataFrame) -> pd.DataFrame:
    """One question's trend as the table beside its chart."""
    shown = rows.sort_values(["wave_order"], kind="stable")[["wave", "by", "group", "n", "p", "ci_low", "ci_high",
                                                              "flag"]].copy()
    for c in ("p", "ci_low", "ci_high"):
        shown[c] = _pct(shown[c], shown["flag"])
    return shown.rename(columns=TREND_LABELS).reset_index(drop=True)


def question_chart(rows: pd.DataFrame, *, region: str | None, grouping: str, source: str | None = None):
    """(chart, alt text) for one question's trend (rows of the trend model)."""
    text = str(rows["question_text"].iloc[0])
    base = str(rows["base_label"].iloc[0] or "All respondents")
    n = ", ".join(f"{w} n={int(part['n'].iloc[0]):,}" for w, part in
                  rows[rows["by"] == "total"].groupby("wave", sort=False))
    subtitle = [f"Base: {base} ({n}). Region: {region or 'England (all regions)'}. By {grouping.lower()}."]
    notes = trend_notes(rows)
    chart = survey_figures.trend_chart(rows, title=text, subtitle=subtitle, source=source, notes=notes)
    return chart, survey_figures.trend_alt_text(rows, title=text)


def trend_notes(rows: pd.DataFrame) -> list[str]:
    level = float(rows["level"].iloc[0]) if "level" in rows and len(rows) else None
    notes = ["Dots: share giving a positive answer in each wave; bars: its confidence interval"
             + (f" ({level:.0%})." if level else ".")]
    flags = " ".join(rows["flag"].astype(str))
    if BREAK in flags:
        notes.append("[b] break in series: the question changed, so waves either side are not compared.")
    if "[c]" in flags:
        notes.append("[c] too few responses to show.")
    if "[u]" in flags:
        notes.append("[u] low reliability (few responses).")
    if (rows.get("source", pd.Series(dtype=str)) == "data tables").any():
        notes.append("Figures from published data tables; intervals from the published bases.")
    return notes


def change_notes(out: pd.DataFrame, *, region: str | None = None) -> list[str]:
    """What a reader of an exported change table needs to know (also the CLI's notes)."""
    level = float(out["level"].iloc[0]) if len(out) else 0.95
    adjust = str(out["adjust"].iloc[0]) if len(out) else "holm"
    notes = []
    if len(out):
        notes.append(f"Change from {out['wave_before'].iloc[0]} to {out['wave_after'].iloc[0]}; region: "
                     f"{region or 'England (all regions)'}.")
    notes += [
        "p_before, p_after, change, ci_low and ci_high are proportions (0-1): change is p_after - p_before "
        "(x 100 = percentage points).",
        "The two waves are independent samples: se = sqrt(se_before^2 + se_after^2), each the design-based "
        "standard error of the group (a domain of its wave's full sample).",
        f"Interval: Wald, {level:.0%} confidence, normal reference; p_value from the Wald z test; p_adj "
        f"{adjust}-adjusted within each question x grouping; sig 'up' / 'down' when p_adj < {1 - level:.2g}.",
        "Where either wave is at 0% or 100% the Wald test would claim certainty: the change is tested by Rao-Scott "
        "instead (test 'rao-scott': R's svychisq(~y + wave, subset(design, group), statistic = \"F\") with the "
        "waves stacked as strata; z holds the signed square root of F, on F(1, respondents - 2)).",
        "[b] break in series: the question's wording or answers changed, so it is neither tested nor given an "
        "interval (unless its codebook says comparable = true). [c] too few responses in either wave; [u] low "
        "reliability. [z] both waves at 0%, or both at 100%: nothing to test, left out of the adjustment's family.",
    ]
    if (out["source"] == "data tables").any():
        notes.append("Rows with source 'data tables': change computed from published percentages and "
                     "unweighted bases (no design information).")
    left = out.attrs.get("left_out") or {}
    if left:
        notes.append("Left out (asked in one wave only): " + ", ".join(f"{q} ({w})" for q, w in left.items()) + ".")
    return notes


# ---------------------------------------------------------------- the other areas by year

def roundtable_themes_by_year(coded: pd.DataFrame, themes, *, region: str | None = None) -> pd.DataFrame:
    """Points per theme and year of the event (long: ``Theme, year, points``), every theme in ``themes``
    shown. ``coded``: the coded points (``feedback.roundtables.views.coded_points``), passed in so that
    the survey does not import the roundtables."""
    if region:
        coded = coded[coded["region"] == region]
    years = pd.to_datetime(coded["event_date"], errors="coerce").dt.year
    coded = coded.assign(year=years.astype("Int64").astype(str).replace("<NA>", "date not given"))
    cells = coded.drop_duplicates(["point_id", "theme"])
    table = pd.crosstab(cells["theme"], cells["year"]).reindex(index=list(themes), fill_value=0)
    long = table.reset_index().melt(id_vars="theme", var_name="year", value_name="points")
    return long.rename(columns={"theme": "Theme"}).assign(points=lambda d: d["points"].astype(np.int64))
