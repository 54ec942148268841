"""Compare: two groups of one survey, or the two audiences (partners and
frontline) on the questions they share: the difference, its interval and test."""

import pandas as pd
import streamlit as st

from feedback import charts
from feedback.survey import explorer
from ui import common, survey_ui

survey_ui.keep_state()
st.title("Compare")
region = common.current_region()
s = survey_ui.settings()

mode = st.radio("Compare", ["Two groups in one survey", "Two surveys on their shared questions"],
                key="compare_mode", horizontal=True)

if mode == "Two groups in one survey":
    survey = survey_ui.pick_survey()
    if survey is None:
        st.stop()
    groupings = ["Role", "Region"] if not region else ["Role"]
    if st.session_state.get("compare_grouping") not in groupings:
        st.session_state["compare_grouping"] = groupings[0]
    grouping = st.radio("Groups from", groupings, key="compare_grouping", horizontal=True)
    res = None
    with common.section("The rates to compare"), st.spinner("Calculating rates…"):
        res = survey_ui.results(survey, grouping, region)
    if res is None:
        st.stop()
    key = grouping.lower()
    groups = list(pd.unique(res.loc[res["by"] == key, "group"]))
    if len(groups) < 2:
        st.info(f"This survey has fewer than two {key} groups here: nothing to compare.")
        st.stop()
    c1, c2 = st.columns(2)
    for widget_key, default in (("compare_a", groups[0]), ("compare_b", groups[1])):
        if st.session_state.get(widget_key) not in groups:
            st.session_state[widget_key] = default
    group_a = c1.selectbox("First group", groups, key="compare_a")
    group_b = c2.selectbox("Second group", groups, key="compare_b")
    if group_a == group_b:
        st.warning("Pick two different groups.")
        st.stop()
    try:
        diff = explorer.compare_two_groups(res[res["by"] == key], group_a, group_b, level=s["level"],
                                           adjust=s["adjust"])
    except Exception as err:  # noqa: BLE001 - InputError shown plainly; anything else generic
        survey_ui.show_error(err)
        st.stop()
    title = f"{group_a} compared with {group_b}"
    subtitle = [f"{survey.title or survey.name}. Region: {common.region_label()}.",
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
    shared = explorer.shared_questions(survey_a, survey_b)
    if not shared:
        st.info("These two surveys share no question ids: nothing to compare. (Questions compare across "
                "audiences when their codebooks give them the same id.)")
        st.stop()
    res_a = res_b = None
    with common.section("The rates to compare"), st.spinner("Calculating rates…"):
        res_a = survey_ui.results(survey_a, "Role", region)
        res_b = survey_ui.results(survey_b, "Role", region)
    if res_a is None or res_b is None:
        st.stop()
    label_a = survey_a.audience.capitalize() or survey_a.name
    label_b = survey_b.audience.capitalize() or survey_b.name
    if label_a == label_b:
        label_a, label_b = survey_a.name, survey_b.name
    try:
        diff = explorer.compare_audiences(res_a[res_a["question"].isin(shared)], res_b[res_b["question"].isin(shared)],
                                          label_a=label_a, label_b=label_b, level=s["level"], adjust=s["adjust"])
    except Exception as err:  # noqa: BLE001
        survey_ui.show_error(err)
        st.stop()
    title = f"{label_a} compared with {label_b}"
    subtitle = [f"{len(shared)} shared question(s). Region: {common.region_label()}.",
                "Difference in the share giving a positive answer (percentage points)."]
    source = f"{survey_a.source} {survey_b.source}".strip()

st.caption(f"{len(diff)} question(s). A positive difference means the first is higher. "
           f"▲ / ▼: significant at the {explorer.LEVELS.get(s['level'], s['level'])} level after "
           f"{explorer.ADJUSTS.get(s['adjust'], s['adjust'])} adjustment across the questions.")

with common.section('The comparison'):
    plot = diff.copy()
    plot["label"] = [
        ("not available" if pd.isna(d) else f"{100 * d:+.0f} points" + (f" {charts.SIG_SYMBOLS.get(sig, '')}" if sig else ""))
        for d, sig in zip(plot["diff"], plot["sig"])
    ]
    short = explorer.short_labels(list(plot["question"]), list(plot["question_text"]), limit=60)
    plot["question_label"] = plot["question"].map(short)
    notes = explorer.difference_notes(diff, level=s["level"])
    chart = charts.bar_with_intervals(plot, category="question_label", value="diff", low="diff_low", high="diff_high",
                                      label="label", title=title, subtitle=subtitle, source=source, notes=notes,
                                      domain=(-1, 1), value_title="Difference (first minus second)", mark="dot")
    alt_text = charts.alt_text(plot, category="question_label", value="diff", low="diff_low", high="diff_high",
                              title=title, subtitle=" ".join(subtitle))
    common.show_chart(chart, alt_text)
    common.download_chart(chart, f"compare_{title}", key="compare_chart", alt=alt_text)

    order = ["question", "p_a", "p_b", "diff", "diff_low", "diff_high", "sig", "p_value", "p_adj", "t", "df", "n_eff_a",
             "n_eff_b", "test", "group_a", "group_b", "question_text", "level", "adjust"]
    shown = diff[[c for c in order if c in diff.columns]].rename(columns={"question": "Question id", "question_text": "Question", "group_a": "First",
                                 "group_b": "Second", "p_a": "First (%)", "p_b": "Second (%)", "n_eff_a": "First effective n",
                                 "n_eff_b": "Second effective n", "diff": "Difference", "diff_low": "Interval from",
                                 "diff_high": "Interval to", "t": "t (z for effective-base)",
                                 "df": "Degrees of freedom", "test": "Test", "p_value": "p value", "p_adj": "Adjusted p value",
                                 "sig": "Significant", "level": "Confidence level", "adjust": "Adjustment"})
    config = {c: st.column_config.NumberColumn(c, format="percent")
              for c in ("First (%)", "Second (%)", "Difference", "Interval from", "Interval to", "Confidence level")}
    config.update({c: st.column_config.NumberColumn(c, format="%.4f") for c in ("p value", "Adjusted p value", "t (z for effective-base)")})
    config.update({c: st.column_config.NumberColumn(c, format="%.1f") for c in ("First effective n", "Second effective n")})
    st.dataframe(shown, hide_index=True, width="stretch", column_config=config)
    common.download_table(diff, f"compare_{title}", key="compare_table",
                          percent_columns=("p_a", "p_b", "diff", "diff_low", "diff_high", "level"),
                          notes=[title, *subtitle, *notes, "p_a, p_b, diff and its interval are proportions (0 to 1).",
                                 source])
