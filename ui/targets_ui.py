"""Streamlit glue for survey targets on the tracker: an item's page shows the
survey questions it (or its actions) aims to move, with the trend and the
latest change; the dashboard lists actions by what their target did. The
numbers come from ``feedback.tracker.targets.remeasure`` and the cached wave
calls in ``ui.trends_ui``. No statistics here.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from feedback import access
from feedback.errors import InputError, Refused
from feedback.survey import trends
from feedback.tracker import targets
from feedback.tracker.choices import split_list
from feedback.tracker.service import TrackerError
from ui import common, trends_ui

GROUPING = "Role and region"  # targets name the total, a role or a region; re-measured nationally


def latest_changes() -> dict[str, pd.DataFrame]:
    """Audience -> the change between its last two embedded waves (total, roles, regions)."""
    out = {}
    for audience, kind in trends_ui.series_options().values():
        if kind != "respondents":
            continue
        series = trends_ui.load_series(audience, kind)
        out[audience] = trends_ui.change(series[-2], series[-1], GROUPING, None)
    return out


def _remeasured(engine) -> pd.DataFrame:
    frame = targets.stored(engine)
    return targets.remeasure(frame, latest_changes()) if len(frame) else frame


def _refused(err: Exception) -> None:
    """A refusal or a broken rule, as plain text (the package's check is what protects)."""
    st.error(common.markdown_literal(err), icon=":material/block:" if isinstance(err, Refused) else ":material/error:")


def item_targets(engine, item: dict, actions: list[dict]) -> None:
    """The "Survey targets" part of an item's page: trend, latest change, add / remove.
    Only people who may change the item's records see the add form, only admins the remove
    buttons; ``feedback.tracker.targets`` refuses anyone else whatever the page shows."""
    st.markdown("### Survey targets")
    regions = split_list(item["regions"])
    may_remove = common.may(access.DELETE, regions)
    measured = _remeasured(engine)
    mine = measured[measured["item_id"] == item["id"]] if len(measured) else measured
    if mine.empty:
        st.caption("No survey question is named as this item's target yet. Name one below to see whether "
                   "the figure moved.")
    for row in mine.itertuples(index=False):
        series = trends_ui.load_series(row.audience)
        who = f"Action {row.action_reference}" if row.action_reference else "This item"
        with st.container(border=True):
            text = row.question_text if isinstance(row.question_text, str) else row.question
            st.markdown(common.markdown_literal(f"{who} aims to move: {text}")
                        + f" ({common.markdown_literal(row.audience)}, {common.markdown_literal(row.group)})"
                        + (" · sample target" if row.is_sample else ""))
            if row.outcome == "Not measured" or not series:
                st.caption(f"Not in the latest two waves of the {common.markdown_literal(row.audience)} survey.")
                continue
            trend = trends_ui.trend(series, GROUPING, None)
            rows = trend[(trend["question"] == row.question) & (trend["group"] == row.group)
                         & (trend["by"] == row.by)]
            left, right = st.columns([3, 2])
            if len(rows):
                chart, alt = trends.question_chart(rows, region=None, grouping=row.group, source=None)
                with left:
                    common.show_chart(chart, alt)
            with right:
                value = "[c]" if pd.isna(row.change) else f"{100 * row.change:+.1f} pts"
                st.metric(f"Change, {common.markdown_literal(row.wave_before)} "
                          f"to {common.markdown_literal(row.wave_after)}", value)
                interval = ("" if pd.isna(row.ci_low) else
                            f" Interval {100 * row.ci_low:+.1f} to {100 * row.ci_high:+.1f} points.")
                words = row.in_words[:1].upper() + row.in_words[1:]
                st.caption(common.markdown_literal(f"{words}.{interval}"))
                st.dataframe(trends.trend_table(rows), hide_index=True, width="stretch")
            if may_remove and st.button("Remove this target", key=f"target_rm_{row.target_id}",
                                        icon=":material/delete:"):
                if (who := common.require_user()) is not None:
                    try:
                        targets.remove(engine, int(row.target_id), who)
                    except (TrackerError, Refused, InputError) as err:
                        _refused(err)
                    else:
                        st.rerun()
    if common.edit_allowed(regions, what=targets.WHAT):
        _add_form(engine, item, actions)


def _add_form(engine, item: dict, actions: list[dict]) -> None:
    options = {a: k for a, k in trends_ui.series_options().values() if k == "respondents"}
    if not options:
        return
    with st.expander("Name a survey question this item or an action aims to move"):
        audience = st.selectbox("Survey", list(options), key=f"target_aud_{item['id']}",
                                format_func=lambda a: trends_ui.AUDIENCE_NAMES.get(a, a))
        latest = trends_ui.load_series(audience)[-1].survey
        questions = latest.questions()
        text_of = dict(zip(questions["question"], questions["question_text"]))
        question = st.selectbox("Question", list(text_of), format_func=lambda q: text_of.get(q, q),
                                key=f"target_q_{item['id']}")
        change = latest_changes().get(audience)
        groups = ([("total", "Total")] + [tuple(x) for x in change[change["by"] != "total"][["by", "group"]]
                                          .drop_duplicates().itertuples(index=False)]) if change is not None \
            else [("total", "Total")]
        by, group = st.selectbox("Group", groups, format_func=lambda g: g[1] if g[0] == "total" else
                                 f"{g[1]} ({g[0]})", key=f"target_g_{item['id']}")
        owners = {None: f"The item {item['reference']}"} | {a["id"]: f"Action {a['reference']}" for a in actions}
        owner = st.selectbox("Whose target", list(owners), format_func=owners.get, key=f"target_o_{item['id']}")
        if st.button("Add target", key=f"target_add_{item['id']}", icon=":material/add:"):
            if (who := common.require_user()) is None:
                return
            try:
                targets.add_for(engine, who, audience=audience, question=question, by=by, group=group,
                                item_id=item["id"] if owner is None else None, action_id=owner)
            except (TrackerError, Refused, InputError) as err:
                _refused(err)
            else:
                st.rerun()


def dashboard_targets(engine, items: pd.DataFrame) -> None:
    """Actions with a survey target, in three groups by what the target did in the latest waves."""
    st.header("Did the figures move?")
    measured = _remeasured(engine)
    if len(measured) and len(items):
        measured = measured[measured["item_id"].isin(items["id"])]
    if measured.empty:
        st.info("No action in this view names a survey question it aims to move.")
        return
    st.caption("Actions (and items) with a survey target, by the change in that figure between the latest two "
               "waves (national figures; Wald test, Holm-adjusted within the question).")
    table = pd.DataFrame({
        "Group": measured["outcome"], "Reference": measured["action_reference"].where(
            measured["action_reference"] != "", measured["item_reference"]),
        "Action": measured["description"], "Survey": measured["audience"], "Question": measured["question"],
        "Target group": measured["group"], "Change": measured["in_words"],
        "From (%)": 100 * measured["p_before"], "To (%)": 100 * measured["p_after"],
        "Sample": measured["is_sample"]})
    for outcome in (*targets.GROUPS, "Not measured"):
        part = table[table["Group"] == outcome].drop(columns="Group")
        if outcome == "Not measured" and part.empty:
            continue
        st.markdown(f"**{outcome}** ({len(part)})")
        if part.empty:
            st.caption("None.")
        else:
            st.dataframe(part, hide_index=True, width="stretch", column_config={
                "From (%)": st.column_config.NumberColumn(format="%.0f"),
                "To (%)": st.column_config.NumberColumn(format="%.0f"),
                "Sample": st.column_config.CheckboxColumn()})
    common.download_table(table, "Survey targets re-measured", key="targets_table",
                          notes=["Each action's survey target against the change between the latest two waves.",
                                 "The 2022 waves are synthetic sample data."])
