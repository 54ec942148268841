"""Tables: the tab book. Questions down, groups across, every answer with the nets; the base at the
head of each column and the letters of the groups each cell is significantly higher than."""

import streamlit as st

from feedback.errors import InputError
from feedback.export import xlsx_to_ods
from feedback.survey.tabbook import PERCENT_COLUMNS, tab_book_notes, table_workbook, wide_table
from ui import common, navigation, survey_ui, tables_ui

navigation.route_through_app()  # a bookmark to this page on a fresh server goes through app.py

survey_ui.keep_state()
region = common.current_region()
survey_ui.title("Tables", region)

survey = survey_ui.pick_survey(respondents_only=True)
if survey is None:
    st.stop()
if survey.kind != "respondents" or survey.frame is None:
    st.info("Tables need respondent-level data: pick or upload a survey with one row per respondent.")
    st.stop()

options = tables_ui.break_options(survey)
default = [k for k in ("role",) if k in options]
chosen = st.multiselect("Break by (groups across)", list(options), default=default, key="tables_by",
                        format_func=options.get, help="Role, region, their crossing, the codebook's break "
                                                      "columns, or any question (its answers become the groups).")
c1, c2 = st.columns(2)
filter_keys = [k for k in options if k != tables_ui.CROSSING]
filter_key = c1.selectbox("Filter by", ["(no filter)"] + filter_keys, key="tables_filter_by",
                          format_func=lambda k: options.get(k, k))
flt = {}
if filter_key != "(no filter)":
    answer = c2.selectbox("Only those answering", tables_ui.filter_answers(survey, filter_key), key="tables_filter")
    if answer:
        flt = {filter_key: answer}
if region and getattr(survey.codebook, "region", ""):
    flt = {"region": region, **{k: v for k, v in flt.items() if k != "region"}}
    st.caption(f"Only respondents in {common.markdown_literal(region)} (the region chosen in the sidebar); every group "
               "is a domain of the whole survey's design.")
o1, o2 = st.columns(2)
dont_know = o1.toggle("Include \"Don't know\" in the base", value=True, key="tables_dont_know")
sort = o2.checkbox("Sort answers by the total's value", key="tables_sort")
with st.expander("Method: interval, level, small bases, significance test"):
    survey_ui.settings_controls()
s = survey_ui.settings()

try:
    table = tables_ui.table(survey, chosen, flt, dont_know, s)
except InputError as err:
    survey_ui.show_error(err)
    st.stop()

texts = {q.id: q.text or q.id for q in survey.codebook.questions}
st.header("Tables")
st.caption("Each cell: the share of the question's base giving that answer, then the letters of the groups "
           "(same break) it is significantly higher than. The first row is each column's unweighted base. "
           "[c]: too few responses to show.")
for qid in dict.fromkeys(table["question"]):
    st.subheader(common.markdown_literal(texts.get(qid, qid)))
    st.dataframe(wide_table(table, qid, sort=sort), hide_index=True, key=f"tables_{qid}")

st.header("Download")
notes = [survey.title or survey.name, *tab_book_notes(table, adjust=s.adjust)]
common.download_table(table, "Tab book", notes=notes, percent_columns=PERCENT_COLUMNS, key="tab_book_rows")
book = lambda: table_workbook(table, survey.codebook, adjust=s.adjust, sort=sort)  # noqa: E731 - on click
b1, b2 = st.columns(2)
b1.download_button("Download tab book (XLSX, one table per sheet)", common.logged_export(book, "Tab book (XLSX)"),
                   file_name="tab_book.xlsx", on_click="ignore", icon=":material/grid_on:",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="tab_book_xlsx")
b2.download_button("Download tab book (ODS, one table per sheet)",
                   common.logged_export(lambda: xlsx_to_ods(book()), "Tab book (ODS)"),
                   file_name="tab_book.ods", on_click="ignore", icon=":material/grid_on:",
                   mime="application/vnd.oasis.opendocument.spreadsheet", key="tab_book_ods")
