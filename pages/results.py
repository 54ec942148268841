"""Results by role: pick questions, grouping, interval method and level; a
chart per question (or one combined chart) and the same numbers as a table,
each downloadable, plus the annex pack."""

import streamlit as st

from feedback import download_pack, export
from feedback.survey import figures as survey_figures
from feedback.survey import notes as survey_notes
from feedback.survey import views
from feedback.survey.cli import cli_command
from ui import common, navigation, survey_ui

navigation.route_through_app()  # a bookmark to this page on a fresh server goes through app.py

survey_ui.keep_state()
survey_ui.title("Results by role")

survey = survey_ui.pick_survey()
if survey is None:
    st.stop()
region = survey_ui.region_scope(survey)

questions = survey.questions()
if questions.empty:
    st.info("This survey has no questions with answers to show.")
    st.stop()
text_of = dict(zip(questions["question"], questions["question_text"]))
ids = list(questions["question"])
kept = st.session_state.get("survey_questions")
chosen = [q for q in kept or () if q in text_of]
if kept is None or (kept and not chosen):  # first visit, or none of the kept questions in this survey
    st.session_state["survey_questions"] = ids[:3]
elif chosen != kept:
    st.session_state["survey_questions"] = chosen  # "Clear all" leaves the box empty: it is not refilled
picked = st.multiselect("Questions", ids, key="survey_questions", **survey_ui.SAVED_IN_ADDRESS,
                        format_func=lambda q: text_of.get(q, q),
                        placeholder="Type to search the question text",
                        help="Search by any words of the question.")

c1, c2, c3 = st.columns([2, 1, 1])
groupings = views.groupings_for(survey.kind)
if st.session_state.get("survey_grouping", "Role") not in groupings:
    del st.session_state["survey_grouping"]  # back to "Role"
grouping = c1.radio("Group by", groupings, key="survey_grouping", horizontal=True, **survey_ui.SAVED_IN_ADDRESS)
mark = c2.radio("Show as", ["Bars", "Dots"], key="survey_mark", horizontal=True, **survey_ui.SAVED_IN_ADDRESS)
layout = c3.radio("Charts", ["One per question", "Combined"], key="survey_layout", horizontal=True,
                  **survey_ui.SAVED_IN_ADDRESS)
o1, o2 = st.columns(2)
sort_by_value = o1.checkbox("Sort groups by value", key="survey_sort_value", **survey_ui.SAVED_IN_ADDRESS,
                            help="Otherwise groups keep a fixed order: Total, then roles in codebook order, "
                                 "regions in the Panel's order.")
hide_c = o2.checkbox("Hide suppressed [c] groups", key="survey_hide_c", **survey_ui.SAVED_IN_ADDRESS,
                     help="The chart notes say how many groups were hidden.")
with st.expander("Method: interval, level, small bases, significance test"):
    survey_ui.settings_controls()
s = survey_ui.settings()

if not picked:
    st.info("Pick one or more questions above.")
    st.stop()
if survey.kind == "data tables" and region:
    st.info(f"Published data tables do not cross region with role: showing the {common.markdown_literal(region)} "
            "column only.")

res_all = None
with common.error_boundary("The results"), st.spinner("Calculating rates…"):
    res_all = survey_ui.results_with_england(survey, grouping, region)
if res_all is None:
    st.stop()
survey_ui.suppressed_advice(res_all, region)
res = views.for_questions(res_all, picked)
mark_kind = "dot" if mark == "Dots" else "bar"
thresholds = s.thresholds
sort = "value" if sort_by_value else None
region_text = survey_ui.scope_name(region)
region_words = region_text if region else None  # for chart titles and alt text

st.header("Charts")
if layout == "Combined" and len(picked) > 1:
    with common.error_boundary("The combined chart"):
        title = f"{survey.title or survey.name}: {len(picked)} questions by {grouping.lower()}"
        chart = survey_figures.survey_questions_chart(res, region=region_words, title=title, source=survey.source,
                                              mark=mark_kind, thresholds=thresholds, sort=sort, hide_c=hide_c)
        alt_text = " ".join(survey_figures.survey_alt_text(rows, region=region_words, mark=mark_kind)
                            for _, rows in res.groupby("question", sort=False))
        common.show_chart(chart, alt_text)
        common.download_chart(chart, f"combined_{grouping}_{region_text}", alt=alt_text, key="chart_combined")
else:
    for qid, rows in res.groupby("question", sort=False):
        with st.container(border=True), common.error_boundary(f"The chart of {qid}"):
            chart = survey_figures.survey_chart(rows, region=region_words, source=survey.source, mark=mark_kind,
                                        thresholds=thresholds, sort=sort, hide_c=hide_c)
            alt_text = survey_figures.survey_alt_text(rows, region=region_words, mark=mark_kind)
            common.show_chart(chart, alt_text)
            st.caption(common.markdown_literal(survey_figures.base_and_region(rows, region_words)))
            common.download_chart(chart, f"{qid}_{grouping}_{region_text}", alt=alt_text, key=f"chart_{qid}")

st.header("Table")
with common.error_boundary('The table'):
    st.caption("Unweighted n, weighted base, positive share, interval, effective n, the test against the rest "
               "of the sample, each group's 'Column letter' and, under 'Significantly higher than', the letters "
               "of the groups it is significantly higher than. "
               + " ".join(survey_figures.survey_notes(res, thresholds=thresholds)))
    legend = survey_notes.letters_legend(res, headers=survey_notes.EXPORTED_HEADERS)
    if legend:
        st.caption(common.markdown_literal(" ".join(legend)))
    shown = views.table_for_display(res)
    st.dataframe(shown, hide_index=True, width="stretch", column_config=survey_ui.percent_columns(shown))
    notes = survey_notes.table_notes(survey, res, region=region, grouping=grouping, settings=s)
    stem = export.file_stem("results", survey.name, grouping, region_text)
    t1, t2, t3 = st.columns(3)
    t1.download_button("Download table (CSV)",
                       common.logged_export(lambda: export.publication_csv(export.survey_tables(
                           res, survey=survey.title or survey.name, grouping=grouping, region=region_words)[1]),
                           f"{stem}.csv"),
                       file_name=f"{stem}.csv", mime="text/csv", key="csv_results_table", on_click="ignore",
                       icon=":material/table:")
    t2.download_button("Download tables (XLSX, for publication)",
                       common.logged_export(lambda: download_pack.survey_workbook(survey, res, region=region_words,
                                                                          grouping=grouping, notes=notes),
                                            f"{stem}.xlsx"),
                       file_name=f"{stem}.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       key="xlsx_results_table", on_click="ignore", icon=":material/grid_on:")
    t3.download_button("Download tables (ODS, open format)",
                       common.logged_export(lambda: export.xlsx_to_ods(download_pack.survey_workbook(
                           survey, res, region=region_words, grouping=grouping, notes=notes)), f"{stem}.ods"),
                       file_name=f"{stem}.ods", mime="application/vnd.oasis.opendocument.spreadsheet",
                       key="ods_results_table", on_click="ignore", icon=":material/grid_on:")
    st.caption("Same figures from the command line:")
    st.code(cli_command(survey, grouping=grouping, region=region, settings=s), language="bash", wrap_lines=True)

st.header("Annex pack")
st.caption("One ZIP with every chart above (PNG at 200 ppi and SVG, with alt text), the tables (XLSX with cover, "
           "contents and notes, its ODS twin, and CSV), the drafted Word annex of the questions chosen with its "
           "figures workbook, and methods.txt saying what each file is for.")
st.download_button(
    "Download annex pack (ZIP)",
    common.logged_export(lambda: download_pack.survey_annex(survey, res, region=region_words, grouping=grouping,
                                                            mark=mark_kind, sort=sort, hide_c=hide_c,
                                                            settings=s),
                         f"annex pack {survey.name}"),
    file_name=download_pack.pack_name(survey, grouping, region_words),
    mime="application/zip", on_click="ignore", icon=":material/folder_zip:", key="annex_pack",
)
