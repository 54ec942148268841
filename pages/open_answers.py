"""Open answers: code a survey's free-text answers with the roundtables' theme codebook (the
suggester offers ranked sub-themes, a person accepts, changes or rejects them), then theme rates
by role and by region from the survey engine, with intervals and bases.

Thin on purpose: which columns are free text, the suggestions, the rates and the export come
from feedback.roundtables.verbatims; the codings live in this person's session only.
"""

from __future__ import annotations

import streamlit as st

from feedback import export
from feedback.roundtables import coding, store, suggest, verbatims
from feedback.survey import figures as survey_figures
from feedback.survey import views
from ui import common, navigation, survey_ui

navigation.route_through_app()  # a bookmark to this page on a fresh server goes through app.py

CODINGS_KEY = "open_answers_codings"        # {(survey key, column): {row: [sub-theme ids]}}: this session's
SUGGESTIONS_KEY = "open_answers_suggested"  # (key, [Answer]) of the column shown, read once per session
COLUMNS_KEY = "open_answers_columns"        # (survey key, the free-text check of its columns)

survey_ui.keep_state()
survey_ui.title("Open answers")
st.caption("Code the free-text answers of a survey with the roundtables' themes, then see the share of "
           "respondents mentioning each theme by role and by region. The codings stay in this browser "
           "session until you download them.")

survey = survey_ui.pick_survey(respondents_only=True)
if survey is None:
    st.stop()
if survey.kind != "respondents":
    st.info("Open answers need one row per respondent: choose or upload a respondent-level survey.")
    st.stop()

engine = common.db_engine()
themes, _toml, themes_version = store.current_codebook(engine)
names = themes.names()
found = survey_ui.read_once_for_session(COLUMNS_KEY, survey.key,
                                        lambda: verbatims.free_text_columns(survey.frame, survey.codebook))
free = list(found.loc[found["free_text"], "column"])
with st.expander(f"Columns checked for free text: {len(free)} of {len(found)} look like open answers"):
    st.caption("Columns the codebook does not use as a question, role, region or weight, and why each is or "
               "is not taken as free text.")
    st.dataframe(found, hide_index=True, width="stretch",
                 column_config={"distinct": st.column_config.NumberColumn("distinct", format="percent")})
if not free:
    st.info("This survey has no column of free-text answers (sentences that mostly differ from each other). "
            "Upload a survey with one on the Upload page.")
    st.stop()

column = st.selectbox("Column of free-text answers", free, key="open_answers_column")
key = survey.key + "|" + column + "|" + str(themes_version)
with st.spinner("Suggesting themes for every answer…"):
    answers = survey_ui.read_once_for_session(
        SUGGESTIONS_KEY, key, lambda: verbatims.answers_with_suggestions(survey.frame, column, themes))
codes = st.session_state.setdefault(CODINGS_KEY, {}).setdefault((survey.key, column), {})
widget = f"open_answers_codes_{common.content_key(key.encode())[:12]}_"  # + the respondent's row


def _set(shown: list[verbatims.Answer], suggested: bool) -> None:
    """Accept the suggestions of the answers shown (``suggested``), or clear their codings."""
    for a in shown:
        if suggested:
            codes[a.row] = a.suggested
            st.session_state[widget + str(a.number)] = a.suggested
        else:
            codes.pop(a.row, None)
            st.session_state[widget + str(a.number)] = []


def _changed(a: verbatims.Answer) -> None:
    codes[a.row] = list(st.session_state[widget + str(a.number)])


def _none_of_these(a: verbatims.Answer) -> None:
    codes[a.row] = []
    st.session_state[widget + str(a.number)] = []


tab_code, tab_rates = st.tabs(["Code the answers", "Theme rates"])
with tab_code, common.error_boundary("The answers"):
    pages = verbatims.page_count(len(answers))
    number = st.selectbox(f"Page (of {pages}, {verbatims.PAGE_SIZE} answers a page)", range(1, pages + 1),
                          key=widget + "page", format_func=lambda p: f"Page {p}: answers "
                          f"{(p - 1) * verbatims.PAGE_SIZE + 1} to {min(p * verbatims.PAGE_SIZE, len(answers))}")
    shown = verbatims.page(answers, number)
    st.caption(f"Suggested sub-themes (offline, {coding.SUGGESTER_CODER}) are shown beside each answer and never "
               "coded by themselves: accept them, change them, or reject them ('None of these').")
    b1, b2 = st.columns(2)
    b1.button("Accept the suggestions for the answers shown", on_click=_set, args=(shown, True), type="primary",
              key="open_answers_accept", icon=":material/done_all:")
    b2.button("Clear the codings of the answers shown", on_click=_set, args=(shown, False),
              key="open_answers_clear", icon=":material/backspace:")
    for a in shown:
        k = widget + str(a.number)
        if k not in st.session_state and a.row in codes:
            st.session_state[k] = codes[a.row]  # coded earlier, before a page switch dropped the widget
        with st.container(border=True):
            left, right = st.columns([3, 2])
            left.caption(f"Respondent {a.number}: " + ("coded" if a.row in codes else "not coded yet")
                         + (", none of these" if a.row in codes and not codes[a.row] else ""))
            left.text(a.text)
            left.multiselect(f"Sub-themes for respondent {a.number}", list(names), key=k, on_change=_changed,
                             args=(a,), format_func=lambda c: names.get(c, c), placeholder="Not coded",
                             label_visibility="collapsed")
            left.button("None of these", key=k + "_none", on_click=_none_of_these, args=(a,))
            with right:
                if not a.offered:
                    st.text(suggest.NONE_OFFERED)
                for rank, s in enumerate(a.offered, start=1):
                    st.text(suggest.describe(s, rank, names))

    user = common.current_user()
    coder = user.label if user else "(no name given)"
    table = verbatims.codings_table(survey.frame, column, codes, answers, themes, coder=coder)
    st.download_button(f"Download the codings (CSV, {len(table)} coded answers)",
                       common.logged_export(lambda: export.to_csv_bytes(table), f"open answers codings {column}"),
                       file_name=export.file_stem("codings", survey.name, column) + ".csv", mime="text/csv",
                       key="open_answers_codings_csv", on_click="ignore", icon=":material/download:",
                       disabled=table.empty)

with tab_rates, common.error_boundary("The theme rates"):
    s = survey_ui.settings()
    summary = verbatims.coding_summary(survey.frame, column, codes, s)
    st.text(f"Column: {column}. {summary['answers']} answers, {summary['blank']} blank; {summary['coded']} coded "
            f"({summary['none_of_these']} with none of these), {summary['not_coded']} not coded yet. The base of "
            "each rate is the coded answers; suppression and low-reliability rules as on the Results page.")
    if summary["few"]:
        st.warning(summary["few"], icon=":material/warning:")
    if not summary["coded"]:
        st.info("No answer is coded yet: code some on the 'Code the answers' tab.")
        st.stop()
    by = st.radio("Group by", ["Role", "Region"], horizontal=True, key="open_answers_by")
    if common.current_region():
        st.caption("The rates are for every coded answer in England: group by region to see each region's.")
    rates = verbatims.theme_rates(survey.frame, survey.codebook, column, codes, themes, by=by.lower(), settings=s,
                                  raking=survey.raking)
    title = f"Respondents mentioning each theme in '{column}', by {by.lower()}"
    chart = survey_figures.survey_questions_chart(rates, title=title, source=survey.source,
                                                  thresholds=s.thresholds)
    alt = survey_figures.survey_alt_text(rates, title=title)
    common.show_chart(chart, alt)
    common.download_chart(chart, title, alt=alt, key="open_answers_chart")
    shown_table = views.table_for_display(rates)
    st.dataframe(shown_table, hide_index=True, width="stretch", column_config=survey_ui.percent_columns(shown_table))
    notes = [f"Themes coded by {coder} from suggestions by {coding.SUGGESTER_CODER}; {summary['coded']} of "
             f"{summary['answers']} answers coded.", *survey_figures.survey_notes(rates, thresholds=s.thresholds)]
    common.download_table(rates, title, notes=notes, key="open_answers_rates")
    st.caption("Same figures from the command line, with the codings downloaded on the 'Code the answers' tab "
               "saved as codings.csv:")
    st.code(verbatims.cli_command(survey, column, by=by.lower(), settings=s), language="bash", wrap_lines=True)
