"""Overview: what survey is loaded, who answered (bases by role and region),
and the headline figures as cards with their intervals and bases."""

import streamlit as st

from feedback import charts
from feedback.survey import explorer
from ui import common, survey_ui, trends_ui

survey_ui.keep_state()
st.title("Survey overview")
region = common.current_region()

survey = survey_ui.pick_survey()
if survey is None:
    st.stop()

s = survey_ui.settings()
st.caption(
    f"Region: {common.plain(common.region_label())}. "
    + ("Weighted data: intervals use the effective base. " if survey.weighted else "")
    + f"Intervals: {explorer.LEVELS.get(s['level'], s['level'])} {explorer.METHODS[s['method']]} "
    "(change on the Results page)."
)

base = res = None
with common.section("The figures for this survey"), st.spinner("Working out the figures…"):
    base = survey_ui.bases(survey, region)
    res = survey_ui.results(survey, "Role", region)
if base is None or res is None:
    st.stop()
head = res[res["by"] == "total"]

with common.section("The survey's size"):
    c1, c2, c3 = st.columns(3)
    c1.metric("Respondents" + (f" in {common.plain(region)}" if region else ""),
              f"{int(base['n'].iloc[0]) if len(base) else 0:,}")
    c2.metric("Questions", f"{len(survey.questions()):,}")
    c3.metric("Weighted", "Yes" if survey.weighted else "No",
              help="Weighted results use the Kish effective base for intervals and tests.")
    st.caption(survey_ui.plain(f"{survey.title or survey.name} · fieldwork {survey.fieldwork or 'not stated'} · "
                               f"{survey.filename} · ")
               + (" respondent-level data" if survey.kind == "respondents" else " published data tables"))

st.subheader("Headline figures")
st.caption("Share giving a positive answer, with its interval and base. "
           "[u] low reliability (few responses); [c] too few responses to show.")
with common.section("The headline figures"):
    moves, later = trends_ui.card_changes(survey, region)
    if later:
        st.caption(survey_ui.plain(later))
    if head.empty:
        st.info("This survey has no questions with answers to show.")
    cols = st.columns(3)
    labels = explorer.short_labels(list(head["question"]), list(head["question_text"]), limit=110)
    for i, row in enumerate(head.itertuples(index=False)):
        label = charts.percent_label(row.p, row.flag)
        if row.flag == "[c]":
            detail = f"Fewer than {s['suppress']} responses"
        else:
            detail = (f"{100 * row.ci_low:.0f}% to {100 * row.ci_high:.0f}% · base {int(row.n):,}"
                      + (f" (weighted {row.base_weighted:,.0f})" if survey.weighted else ""))
        with cols[i % 3].container(border=True):
            st.markdown(survey_ui.plain(labels[row.question]),
                        help=survey_ui.plain(row.question_text) if row.question_text else None)
            st.metric(survey_ui.plain(labels[row.question]), label, label_visibility="collapsed")
            st.caption(survey_ui.plain(f"{detail}. {row.base_label or 'All respondents'}."))
            if row.question in moves:
                st.markdown(f"**{survey_ui.plain(moves[row.question])}**")

    common.download_table(head.reset_index(drop=True), f"headline_figures_{common.region_label()}",
                          key="headline", notes=explorer.table_notes(survey, head, region=region, grouping="Role",
                                                                     **s),
                          percent_columns=("p", "ci_low", "ci_high", "level"))

st.subheader("Who answered")
left, right = st.columns(2)
for column, key, label in ((left, "role", "By role"), (right, "region", "By region")):
    part = base[base["by"] == key][["group", "n", "base_weighted"]]
    if part.empty:
        continue
    shown = part.rename(columns={"group": label.replace("By ", "").capitalize(), "n": "Unweighted n",
                                 "base_weighted": "Weighted base"})
    if not survey.weighted:
        shown = shown.drop(columns="Weighted base")
    with column, common.section(f"Respondents {label.lower()}"):
        st.markdown(f"**{label}**")
        st.dataframe(shown, hide_index=True, width="stretch",
                     column_config={"Weighted base": st.column_config.NumberColumn(format="%.1f")})
        common.download_table(shown, f"Respondents {label.lower()}", key=f"bases_{key}",
                              notes=[f"Respondents to {survey.title or survey.name}, {label.lower()}.",
                                     f"Region: {common.region_label()}.", survey.source])
