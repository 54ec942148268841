"""Trends: each survey question over the waves by group, what changed between
two waves (with intervals and tests), exports, and the other areas by year
(roundtable themes, audit criteria)."""

import streamlit as st

from feedback import charts, download_pack
from feedback.survey import trends, views, waves
from feedback.survey.cli import change_command
from ui import common, navigation, survey_ui, trends_ui

navigation.route_through_app()  # a bookmark to this page on a fresh server goes through app.py

survey_ui.keep_state()
common.page_title("Trends: year on year")  # names the region in a region view
region = common.current_region()
region_text = common.region_label()

options = trends_ui.series_options()
if not options:
    st.warning("No survey with two or more waves is loaded: the sample data files are missing.")
    st.stop()
label = st.selectbox("Survey", list(options), key="trends_series", index=trends_ui.upload_series_index(options),
                     help="Waves of one audience, linked by question id. The 2022 waves are synthetic.")
audience, kind = options[label]
with st.spinner("Reading the waves…"):
    series = trends_ui.load_series(audience, kind)
    join = trends_ui.upload_wave(audience, kind, series)
for note, show in (("trends_linked", st.success), ("trends_link_error", st.error)):
    if note in st.session_state:
        show(common.markdown_literal(st.session_state.pop(note)), icon=":material/link:")
if join is not None and join.joins:
    if st.toggle(f"Add your upload as the {common.markdown_literal(join.wave.label)} wave", value=True,
                 key="trends_with_upload",
                 help="The survey uploaded on the Upload page, linked to these waves by question id."):
        series = waves.sort_waves([*series, join.wave])
elif join is not None:
    trends_ui.join_advice(join, audience, options, kind)
labels = [w.label for w in series]
if st.session_state.get("trends_labels") != labels:  # a wave came or went: show the latest change again
    st.session_state["trends_labels"] = labels
    for key in ("trends_before", "trends_after"):
        st.session_state.pop(key, None)
if any(w.synthetic for w in series):
    st.info("The 2022 waves are synthetic: invented from the 2021 sample to show change between waves. "
            "The Panel has published no 2022 figures from these surveys.", icon=":material/science:")

c1, c2, c3 = st.columns([1, 1, 2])
before_label = c1.selectbox("From wave", labels[:-1], index=len(labels) - 2, key="trends_before")
after_choices = labels[labels.index(before_label) + 1:]
after_label = c2.selectbox("To wave", after_choices, index=len(after_choices) - 1, key="trends_after")
groupings = views.groupings_for(kind)
if st.session_state.get("trends_grouping") not in groupings:
    st.session_state["trends_grouping"] = "Role"
grouping = c3.radio("Group by", groupings, key="trends_grouping", horizontal=True)
with st.expander("Method: interval, level, small bases, multiple comparisons"):
    survey_ui.settings_controls()
if kind == "data tables" and region:
    st.info(f"Published data tables do not cross region with role: showing the {region} column only.")

with common.error_boundary("The survey trends"):  # two waves that share no question: one line, not an error page
    before = next(w for w in series if w.label == before_label)
    after = next(w for w in series if w.label == after_label)
    with st.spinner("Calculating the trends and changes…"):
        trend = trends_ui.trend(series, grouping, region)
        if region:  # England's total beside the region's in each wave
            trend = trends.with_england(trend, trends_ui.trend(series, grouping, None), region)
        change = trends_ui.change(before, after, grouping, region)
    source = after.survey.source
    left_out = change.attrs.get("left_out") or {}
    st.caption(f"Region: {region_text}. Change from {common.markdown_literal(before_label)} "
               f"to {common.markdown_literal(after_label)}: "
               "Wald interval and test on the two independent samples, adjusted within each question and grouping."
               + (" Figures from published data tables (bases as published)." if kind == "data tables" else ""))

    # ---------------------------------------------------------------- each question over the waves
    st.header("Each question over the waves")
    questions = trend.drop_duplicates("question")[["question", "question_text"]]
    text_of = dict(zip(questions["question"], questions["question_text"]))
    if st.session_state.get("trends_question") not in text_of:
        st.session_state["trends_question"] = next(iter(text_of))
    qid = st.selectbox("Question", list(text_of), key="trends_question", format_func=lambda q: text_of.get(q, q))
    rows = trend[trend["question"] == qid]
    asked = list(dict.fromkeys(rows["wave"]))
    if len(asked) < len(series):
        st.caption(common.markdown_literal(f"Asked in {', '.join(asked)} only."))
    chart, alt_text = trends.question_chart(rows, region=region, grouping=grouping, source=source)
    common.show_chart(chart, alt_text)
    left, right = st.columns([2, 1])
    with left:
        st.dataframe(trends.trend_table(rows), hide_index=True, width="stretch")
    with right:
        latest = change[(change["question"] == qid) & (change["by"] == "total")]
        if len(latest):
            row = latest.iloc[0]
            detail = ("" if row["flag"] in ("[c]", "[b]") or row["change"] != row["change"] else
                      f" ({100 * row['ci_low']:+.1f} to {100 * row['ci_high']:+.1f} points)")
            st.metric(f"Change, {common.markdown_literal(before_label)} to {common.markdown_literal(after_label)}",
                      "[c]" if row["change"] != row["change"] else f"{100 * row['change']:+.1f} pts",
                      help="Percentage points, with its interval.")
            st.caption(common.markdown_literal(trends.change_words(row) + detail))
    common.download_chart(chart, f"trend_{qid}_{grouping}_{region_text}", alt=alt_text, key="trend_chart")
    common.download_table(rows.reset_index(drop=True), f"trend_{qid}_{region_text}", key="trend_table",
                          notes=trends.trend_notes(rows), percent_columns=("p", "ci_low", "ci_high", "level"))

    # ---------------------------------------------------------------- what changed
    st.header("What changed")
    st.caption(f"Every question asked in both waves, by {grouping.lower()}: change in percentage points with its "
               "interval, largest first. [b] question changed (not tested), [c] too few responses, [u] low "
               "reliability.")
    only = st.toggle("Significant changes only", key="trends_significant")
    shown = trends.what_changed(change, significant_only=only)
    if shown.empty:
        st.info("No significant changes with these choices.")
    else:
        st.dataframe(shown, hide_index=True, width="stretch",
                     column_config={"Adjusted p value": st.column_config.NumberColumn(format="%.4f")})
    if left_out:
        st.caption(common.markdown_literal("Not compared (asked in one wave only): "
                                   + "; ".join(f"{text_of.get(q, q)} ({why})" for q, why in left_out.items()) + "."))
    notes = trends.change_notes(change, region=region)
    common.download_table(change.reset_index(drop=True), f"change_{before_label}_{after_label}_{region_text}",
                          notes=notes, percent_columns=("p_before", "p_after", "change", "ci_low", "ci_high", "level"),
                          key="change_table")
    st.caption("Same figures from the command line:")
    st.code(change_command([w.survey for w in (before, after)], grouping=waves.grouping_for(series, grouping),
                           region=region, settings=survey_ui.settings()), language="bash", wrap_lines=True)

    st.header("Annex pack")
    st.caption("One ZIP with a trend chart per question (PNG at 200 ppi and SVG, with alt text), the change and "
               "trend tables (XLSX with notes, and CSV) and a methods note.")
    st.download_button(
        "Download annex pack (ZIP)",
        lambda: download_pack.trends_annex(trend, change, title=f"{label}: trends", region=region, grouping=grouping,
                                    source=source),
        file_name=download_pack.pack_name(label, grouping, region, what="trends"),  # packs never overwrite
        mime="application/zip", on_click="ignore", icon=":material/folder_zip:", key="trends_annex",
    )


# ---------------------------------------------------------------- other areas by year
st.header("Roundtables and audits by year")
st.caption(f"Region: {region_text}. Roundtable points by the year of the event, and yearly-report audit "
           "criteria by reporting year (the same figures as on their own pages).")
try:
    engine = common.db_engine()
except Exception as err:  # noqa: BLE001 - the survey part above does not need the database
    st.warning(f"The database could not be opened, so roundtables and audits are not shown: {err}")
    st.stop()
from feedback.roundtables import store as rt_store  # noqa: E402 - only once the database is open
from feedback.roundtables.views import coded_points  # noqa: E402

frames = rt_store.load_frames(engine)
codebook, _, _ = rt_store.current_codebook(engine)
themes = trends.roundtable_themes_by_year(coded_points(frames, codebook), codebook.themes, region=region)
if themes["points"].sum() == 0:
    st.info(f"No coded roundtable points in {region_text} yet.")
else:
    heat = charts.heat_table(themes, row="Theme", column="year", value="points",
                             title=f"Roundtable points by theme and year: {region_text}",
                             subtitle="Points raised at the Panel's roundtable events, counted once per theme.",
                             source="Source: roundtable notes held in the app", column_sort=sorted(set(themes["year"])))
    heat_alt = charts.alt_text(themes.assign(cell=themes["Theme"] + ", " + themes["year"]), category="cell",
                               value="points", title=f"Roundtable points by theme and year, {region_text}",
                               kind="Heat table", percent=False)
    common.show_chart(heat, heat_alt)
    wide = themes.pivot(index="Theme", columns="year", values="points").reset_index()
    wide.columns.name = None
    st.dataframe(wide, hide_index=True, width="content")
    common.download_chart(heat, f"roundtable_themes_by_year_{region_text}", alt=heat_alt, key="rt_years_chart")

from feedback.audits import figures as audit_figures  # noqa: E402
from feedback.audits import store as audit_store  # noqa: E402
from feedback.audits import summaries  # noqa: E402
from feedback.audits.framework import framework_for_year  # noqa: E402

audit_frames = audit_store.load_frames(engine)
years = sorted(set(audit_frames["audits"]["reporting_year"]))
if not years:
    st.info("No yearly-report audits yet.")
else:
    yoy = summaries.year_on_year(audit_frames, framework_for_year(years[-1]), region=region)
    if yoy.empty:
        st.info(f"No audits in {region_text} yet.")
    else:
        is_sample = bool(audit_frames["audits"]["is_sample"].any())
        yoy_england = summaries.year_on_year(audit_frames, framework_for_year(years[-1])) if region else None
        years_chart = audit_figures.years_chart(yoy, where=region_text, sample=is_sample, england=yoy_england)
        years_alt = audit_figures.years_alt(yoy, where=region_text, england=yoy_england)
        common.show_chart(years_chart, years_alt)
        england = ["england_evidenced", "england_n", "england_p"] if region else []
        if region:  # England's figures beside the region's, as in the chart
            yoy = summaries.with_england(yoy, yoy_england)
        st.dataframe(yoy[["reporting_year", "label", "evidenced", "n", "p", "flag", *england]].rename(columns={
            "reporting_year": "Year", "label": "Criterion", "evidenced": "Evidenced", "n": "Audited",
            "p": "Share", "flag": "Flag ([c] under 10 reports, [u] under 30)",
            "england_evidenced": "England: evidenced",
            "england_n": "England: audited", "england_p": "England: share"}), hide_index=True, width="stretch",
            column_config={c: st.column_config.NumberColumn(format="percent") for c in ("Share", "England: share")})
        common.download_chart(years_chart, f"audit_criteria_by_year_{region_text}", alt=years_alt,
                              key="aud_years_chart")
