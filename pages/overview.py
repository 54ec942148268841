"""Overview: what survey is loaded, who answered (bases by role and region),
and the headline figures as cards with their intervals and bases."""

import streamlit as st

from feedback import charts
from feedback.survey import views
from feedback.survey.notes import table_notes
from feedback.survey.settings import Level, Method
from ui import common, navigation, survey_ui, trends_ui

navigation.route_through_app()  # a bookmark to this page on a fresh server goes through app.py

survey_ui.keep_state()
survey_ui.title("Survey overview")
st.markdown(common.APP_PURPOSE)
survey = survey_ui.pick_survey()
if survey is None:
    st.stop()
region = survey_ui.region_scope(survey)
where = survey_ui.scope_name(region)

s = survey_ui.settings()
st.caption(
    f"Region: {common.markdown_literal(where)}. "
    + ("Weighted data: intervals use the effective base. " if survey.weighted else "")
    + f"Intervals: {Level.label_of(s.level)} {Method.label_of(s.method)} "
    "(change on the Results page)."
)

base = res = england = None
with common.error_boundary("The figures for this survey"), st.spinner("Working out the figures…"):
    base = survey_ui.bases(survey, region)
    res = survey_ui.results(survey, "Role", region)
    england = survey_ui.results(survey, "Role", None) if region else None
if base is None or res is None:
    st.stop()
head = res[res["by"] == "total"]

with common.error_boundary("The survey's size"):
    c1, c2, c3 = st.columns(3)
    c1.metric("Respondents" + (f" in {common.markdown_literal(where)}" if region else ""),
              f"{int(base['n'].iloc[0]) if len(base) else 0:,}")
    c2.metric("Questions", f"{len(survey.questions()):,}")
    c3.metric("Weighted", "Yes" if survey.weighted else "No",
              help="Weighted results use the Kish effective base for intervals and tests.")
    st.caption(common.markdown_literal(f"{survey.title or survey.name} · "
                                       f"fieldwork {survey.fieldwork or 'not stated'} · "
                               f"{survey.filename} · ")
               + (" respondent-level data" if survey.kind == "respondents" else " published data tables"))
    for note in getattr(survey, "notes", None) or ():  # e.g. region values that are not English regions
        st.warning(common.markdown_literal(note), icon=":material/warning:")

st.header("Headline figures")
st.caption("Share giving a positive answer, with its interval and base. "
           "[u] low reliability (few responses); [c] too few responses to show.")


CARD_COLUMNS = ("question", "item", "p", "flag", "ci_low", "ci_high", "n", "base_weighted", "base_label",
                "p_england", "flag_england")


def card_detail(row) -> str:
    """Interval and base of one figure, and England's beside a region's."""
    if row.flag == "[c]":
        text = f"Fewer than {s.suppress} responses"
    else:
        text = (f"{100 * row.ci_low:.0f}% to {100 * row.ci_high:.0f}% · base {int(row.n):,}"
                + (f" (weighted {row.base_weighted:,.0f})" if survey.weighted else ""))
    if region and hasattr(row, "p_england"):
        text += f" · England {charts.percent_label(row.p_england, row.flag_england)}"
    return text


with common.error_boundary("The headline figures"):
    if head.empty:
        st.info("This survey has no questions with answers to show.")
    elif not survey_ui.suppressed_advice(res, region):  # the advice replaces a page of [c] cards
        moves, later = trends_ui.card_changes(survey, region)
        if later:
            st.caption(common.markdown_literal(later))
        cols = st.columns(3)
        cards = views.headline_cards(head, survey.questions(), england=england)
        for i, card in enumerate(cards):
            with cols[i % 3].container(border=True):
                st.markdown(common.markdown_literal(card.title),
                            help=common.markdown_literal(card.help) if card.help else None)
                for row in card.lines(CARD_COLUMNS):
                    name = row.item if len(card.rows) > 1 else card.title
                    st.metric(common.markdown_literal(name), charts.percent_label(row.p, row.flag),
                              label_visibility="visible" if len(card.rows) > 1 else "collapsed")
                    st.caption(common.markdown_literal(card_detail(row) + ("." if len(card.rows) > 1 else
                                                                   f". {row.base_label or 'All respondents'}.")))
                    if row.question in moves:
                        st.markdown(f"**{common.markdown_literal(moves[row.question])}**")
                if len(card.rows) > 1:
                    st.caption(common.markdown_literal(f"{card.rows['base_label'].iloc[0] or 'All respondents'}."))

    common.download_table(head.reset_index(drop=True), f"headline_figures_{where}", key="headline",
                          notes=table_notes(survey, head, region=region, grouping="Role", settings=s),
                          percent_columns=("p", "ci_low", "ci_high", "level"))

st.header("Who answered")
left, right = st.columns(2)
for column, key, label in ((left, "role", "By role"), (right, "region", "By region")):
    part = base[base["by"] == key][["group", "n", "base_weighted"]]
    if part.empty:
        continue
    shown = part.rename(columns={"group": label.replace("By ", "").capitalize(), "n": "Unweighted n",
                                 "base_weighted": "Weighted base"})
    if not survey.weighted:
        shown = shown.drop(columns="Weighted base")
    with column, common.error_boundary(f"Respondents {label.lower()}"):
        st.markdown(f"**{label}**")
        st.dataframe(shown, hide_index=True, width="stretch",
                     column_config={"Weighted base": st.column_config.NumberColumn(format="%.1f")})
        common.download_table(shown, f"Respondents {label.lower()}", key=f"bases_{key}",
                              notes=[f"Respondents to {survey.title or survey.name}, {label.lower()}.",
                                     f"Region: {where}.", survey.source])
