"""Compare: two groups of one survey, or the two audiences (partners and
frontline) on the questions they share: the difference, its interval and test."""

import pandas as pd
import streamlit as st

from feedback import charts
from feedback.regions import region_name, rest_of_england, rest_of_england_label
from feedback.survey import views
from feedback.survey.notes import difference_notes
from feedback.survey.settings import Adjust, Level
from ui import common, navigation, survey_ui

navigation.route_through_app()  # a bookmark to this page on a fresh server goes through app.py

survey_ui.keep_state()
survey_ui.title("Compare")
region = common.current_region()
s = survey_ui.settings()

mode = st.radio("Compare", ["Two groups in one survey", "Two surveys on their shared questions"],
                key="compare_mode", horizontal=True, **survey_ui.SAVED_IN_ADDRESS)

if mode == "Two groups in one survey":
    survey = survey_ui.pick_survey()
    if survey is None:
        st.stop()
    region = survey_ui.region_scope(survey)
    against = (f"{region_name(region)} against the rest of England"
               if region and survey.kind == "respondents" else None)
    groupings = ["Role", "Region"] if not region else [*([against] if against else []), "Role"]
    if st.session_state.get("compare_grouping", groupings[0]) not in groupings:
        del st.session_state["compare_grouping"]  # back to the first
    grouping = st.radio("Groups from", groupings, key="compare_grouping", horizontal=True, **survey_ui.SAVED_IN_ADDRESS)
    if grouping == against:
        st.caption(f"{region_name(region)} is tested against the rest of England (every other region), "
                   "not against England as a whole: England includes the region, and two sets of respondents "
                   "that share no one can be tested as independent samples.")
        res = rest = None
        with common.error_boundary("The rates to compare"), st.spinner("Calculating rates…"):
            res = survey_ui.results(survey, "Role", region)
            rest = survey_ui.results(survey, "Role", rest_of_england(region))
        if res is None or rest is None:
            st.stop()
        try:
            diff = views.compare_region_with_rest(res, rest, region, settings=s)
            diff = views.with_england_share(diff, survey_ui.results(survey, "Role", None))
        except Exception as err:  # noqa: BLE001 - InputError shown plainly; anything else generic
            survey_ui.show_error(err)
            st.stop()
        group_a, group_b = region_name(region), rest_of_england_label(region)
    else:
        res = None
        with common.error_boundary("The rates to compare"), st.spinner("Calculating rates…"):
            res = survey_ui.results(survey, grouping, region)
        if res is None:
            st.stop()
        key = grouping.lower()
        groups = list(pd.unique(res.loc[res["by"] == key, "group"]))
        if len(groups) < 2:
            st.info(f"This survey has fewer than two {key} groups here: nothing to compare.")
            st.stop()
        pair = views.default_pair(res, key)
        if pair is None:
            st.info(f"No two {key} groups in {survey_ui.scope_name(region)} have enough responses to compare: "
                    f"every figure of all but at most one group is suppressed [c] (fewer than {s.suppress} "
                    "responses). "
                    + (f"Compare {region_name(region)} against the rest of England instead, or combine "
                       "it with a neighbouring region." if region else ""))
            pair = (groups[0], groups[1])
        c1, c2 = st.columns(2)
        for widget_key in ("compare_a", "compare_b"):
            if widget_key in st.session_state and st.session_state[widget_key] not in groups:
                del st.session_state[widget_key]  # back to the widget's default (the default pair)
        group_a = c1.selectbox("First group", groups, key="compare_a", index=groups.index(pair[0]),
                               **survey_ui.SAVED_IN_ADDRESS)
        group_b = c2.selectbox("Second group", groups, key="compare_b", index=groups.index(pair[1]),
                               **survey_ui.SAVED_IN_ADDRESS)
        if group_a == group_b:
            st.warning("Pick two different groups.")
            st.stop()
        try:
            diff = views.compare_two_groups(res[res["by"] == key], group_a, group_b, settings=s)
        except Exception as err:  # noqa: BLE001 - InputError shown plainly; anything else generic
            survey_ui.show_error(err)
            st.stop()
    title = f"{group_a} compared with {group_b}"
    subtitle = [f"{survey.title or survey.name}. Region: {survey_ui.scope_name(region)}.",
                "Difference in the share giving a positive answer (percentage points)."]
    source = survey.source
else:
    c1, c2 = st.columns(2)
    with c1:
        survey_a = survey_ui.pick_survey("First survey", key="compare_survey_a", respondents_only=False)
    with c2:
        label_b_default = st.session_state.get("compare_survey_a")
        survey_b = survey_ui.pick_survey("Second survey", key="compare_survey_b", exclude=label_b_default)
    if survey_a is None or survey_b is None:
        st.stop()
    shared = views.shared_questions(survey_a, survey_b)
    if not shared:
        st.info("These two surveys share no question ids: nothing to compare. (Questions compare across "
                "audiences when their codebooks give them the same id.)")
        st.stop()
    res_a = res_b = None
    with common.error_boundary("The rates to compare"), st.spinner("Calculating rates…"):
        res_a = survey_ui.results(survey_a, "Role", region)
        res_b = survey_ui.results(survey_b, "Role", region)
    if res_a is None or res_b is None:
        st.stop()
    label_a = survey_a.audience.capitalize() or survey_a.name
    label_b = survey_b.audience.capitalize() or survey_b.name
    if label_a == label_b:
        label_a, label_b = survey_a.name, survey_b.name
    try:
        diff = views.compare_audiences(res_a[res_a["question"].isin(shared)], res_b[res_b["question"].isin(shared)],
                                       label_a=label_a, label_b=label_b, settings=s)
    except Exception as err:  # noqa: BLE001
        survey_ui.show_error(err)
        st.stop()
    title = f"{label_a} compared with {label_b}"
    subtitle = [f"{len(shared)} shared question(s). Region: {survey_ui.scope_name(region)}.",
                "Difference in the share giving a positive answer (percentage points)."]
    source = views.one_source(survey_a.source, survey_b.source)

st.caption(f"{len(diff)} question(s). A positive difference means the first is higher. "
           f"▲ / ▼: significant at the {Level.label_of(s.level)} level after "
           f"{Adjust.label_of(s.adjust)} adjustment across the questions.")

with common.error_boundary('The comparison'):
    plot = views.difference_rows(diff, symbols=charts.SIG_SYMBOLS)
    notes = difference_notes(diff, level=s.level)
    chart = charts.bar_with_intervals(plot, category="question_label", value="diff", low="diff_low", high="diff_high",
                                      label="label", title=title, subtitle=subtitle, source=source, notes=notes,
                                      domain=(-100, 100), percent=False, mark="dot",
                                      value_title="Difference in percentage points (first minus second)")
    alt_text = charts.alt_text(plot, category="question_label", value="diff", low="diff_low", high="diff_high",
                              title=title, subtitle=" ".join(subtitle), percent=False)
    common.show_chart(chart, alt_text)
    common.download_chart(chart, f"compare_{title}", key="compare_chart", alt=alt_text)

    shown = views.compare_for_display(diff)
    config = {c: st.column_config.NumberColumn(c, format="%.1f%%") for c in ("First (%)", "Second (%)", "England (%)")}
    st.dataframe(shown, hide_index=True, width="stretch", column_config=config)
    common.download_table(diff, f"compare_{title}", key="compare_table",
                          percent_columns=("p_a", "p_b", "p_england", "diff", "diff_low", "diff_high", "level"),
                          notes=[title, *subtitle, *notes,
                                 "p_a, p_b (and p_england, England as a whole, where given), diff and its interval "
                                 "are proportions (0 to 1).",
                                 source])
