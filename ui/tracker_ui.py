"""Streamlit glue for editing one tracker item: its form, the Panel's response, its actions.

Every edit carries the version the person saw (kept in session state from the moment the
record was shown), so a change made meanwhile by someone else is never overwritten: the
package (``feedback.tracker.edits``) refuses it and returns the newer values, shown here
beside the change that was not saved. Roles are checked there too, whatever is shown here.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from feedback.regions import REGIONS
from feedback.tracker import edits, views
from feedback.tracker.choices import DECISIONS, RAGS, SOURCES, STATUSES, split_list
from ui import common

FLASH = "tracker_flash"


def flash(kind: str, message: str) -> None:
    """Keep a message for the next run (shown once)."""
    st.session_state.setdefault(FLASH, []).append((kind, message))


def show_flash() -> None:
    for kind, message in st.session_state.pop(FLASH, []):
        {"success": st.success, "error": st.error, "warning": st.warning}[kind](common.markdown_literal(message))


def seen(kind: str, record: dict) -> dict:
    """The version and values of a record as the person first saw it (kept until saved or reloaded)."""
    return st.session_state.setdefault(f"tracker_seen_{kind}_{record['id']}", edits.snapshot(kind, record))


def typed(kind: str, record_id: int, snapshot: dict) -> dict:
    """The values a form opens with: the record's, with a refused edit's typed changes laid
    over them, so the person can look at the newer values and save their change again."""
    return {**snapshot["values"], **st.session_state.get(f"tracker_retry_{kind}_{record_id}", {})}


def save(engine, kind: str, record_id: int, snapshot: dict, new_values: dict, reason: str) -> None:
    """Save what differs from what the person saw. Someone else's change meanwhile: nothing is
    written, the refusal and newer values stay on screen and the form reopens on the newer version."""
    who = common.require_user()
    if who is None:
        return
    outcome = edits.save_edit(engine, kind, record_id, snapshot, new_values, who, reason)
    if outcome.nothing_to_save:
        st.info("Nothing to save: no field differs from what you opened.")
        return
    for message in outcome.errors:
        st.error(common.markdown_literal(message), icon=":material/error:")
    if outcome.errors:
        return
    st.session_state.pop(f"tracker_seen_{kind}_{record_id}", None)
    for stale in outcome.stale:
        st.session_state[f"tracker_stale_{kind}_{record_id}"] = (stale.message, stale.comparison)
        st.session_state[f"tracker_retry_{kind}_{record_id}"] = stale.changes  # what they typed, offered again
    if outcome.ok:
        st.session_state.pop(f"tracker_stale_{kind}_{record_id}", None)
        st.session_state.pop(f"tracker_retry_{kind}_{record_id}", None)
        flash("success", f"Saved: {', '.join(outcome.saved)}.")
    st.rerun()


def added(outcome: edits.Outcome, message: str) -> None:
    """After adding a response or an action: the refusal, or a rerun showing it."""
    for error in outcome.errors:
        st.error(common.markdown_literal(error))
    if outcome.ok:
        flash("success", message)
        st.rerun()


def show_refusal(kind: str, record_id: int) -> None:
    """A refused edit stays visible, with the newer values beside the change that was not saved."""
    key = f"tracker_stale_{kind}_{record_id}"
    if key in st.session_state:
        message, table = st.session_state[key]
        st.error(common.markdown_literal(message), icon=":material/sync_problem:")
        st.dataframe(table, hide_index=True)
        st.caption("The form below still holds what you typed, now on the newer version: compare it with "
                   "the newer values above and save again if your change still applies.")
        if st.button("Dismiss and discard my change", key=f"dismiss_{key}"):
            st.session_state.pop(key, None)
            st.session_state.pop(f"tracker_retry_{kind}_{record_id}", None)
            st.rerun()


def opt_date(label: str, value: dt.date | None, key: str) -> dt.date | None:
    return st.date_input(label, value=value, key=key, format="DD/MM/YYYY")


def item_form(engine, item: dict) -> None:
    show_refusal("item", item["id"])
    snap = seen("item", item)
    v, key = typed("item", item["id"], snap), f"{item['id']}_{snap['version']}"
    with st.form(f"item_form_{key}"):
        text = st.text_area("Point raised", v["text"], key=f"it_text_{key}")
        a, b = st.columns(2)
        source = a.selectbox("Source", SOURCES, index=SOURCES.index(v["source"]), key=f"it_src_{key}")
        detail = b.text_input("Source detail", v["source_detail"], key=f"it_det_{key}")
        regions = a.multiselect("Regions (none = national)", REGIONS,
                                default=[r for r in split_list(v["regions"]) if r in REGIONS], key=f"it_reg_{key}")
        themes_text = b.text_input("Themes (separate with ;)", v["themes"], key=f"it_th_{key}")
        raised = opt_date("Date raised", v["date_raised"], f"it_date_{key}")
        reason = st.text_input("Reason for the change", key=f"it_reason_{key}")
        submitted = st.form_submit_button("Save item", type="primary")
    if submitted:
        save(engine, "item", item["id"], snap, {
            "text": text, "source": source, "source_detail": detail.strip(), "regions": "; ".join(regions),
            "themes": "; ".join(split_list(themes_text)), "date_raised": raised}, reason)


def response_form(engine, item: dict, response: dict | None) -> None:
    if response:
        show_refusal("response", response["id"])
        snap = seen("response", response)
        v, key = typed("response", response["id"], snap), f"{response['id']}_{snap['version']}"
    else:
        snap, v, key = None, {"decision": "noted", "text": "", "decided_on": None, "decided_by": "",
                              "published": False}, f"new_{item['id']}"
    with st.form(f"response_form_{key}"):
        decision = st.selectbox("Decision", DECISIONS, index=DECISIONS.index(v["decision"]), key=f"rs_dec_{key}")
        rtext = st.text_area("Response", v["text"], key=f"rs_text_{key}")
        a, b = st.columns(2)
        with a:
            decided_on = opt_date("Decided on", v["decided_on"], f"rs_on_{key}")
        decided_by = b.text_input("Decided by", v["decided_by"], key=f"rs_by_{key}")
        published = st.checkbox(
            "Published in the public record", v["published"], key=f"rs_pub_{key}",
            help="The point, this response and its actions appear in the 'You said, we did' record (Public "
                 "record tab). Owners, names and internal notes never do.")
        reason = st.text_input("Reason for the change", key=f"rs_reason_{key}")
        submitted = st.form_submit_button("Save response", type="primary")
    if submitted:
        values = {"decision": decision, "text": rtext, "decided_on": decided_on, "decided_by": decided_by.strip(),
                  "published": published}
        if response:
            save(engine, "response", response["id"], snap, values, reason)
        elif (who := common.require_user()) is not None:
            added(edits.add_response(engine, item["id"], who, values), "Response recorded.")


def action_form(engine, item: dict, actions: list[dict]) -> None:
    if not actions:
        st.markdown("_This item has no actions yet: add one below._")
        return
    by_id = {a["id"]: a for a in actions}
    action_id = st.selectbox("Action", list(by_id), key=f"tracker_action_pick_{item['id']}",
                             format_func=lambda i: f"{by_id[i]['reference']}: {by_id[i]['description'][:80]}")
    show_refusal("action", action_id)
    snap = seen("action", by_id[action_id])
    v, key = typed("action", action_id, snap), f"{action_id}_{snap['version']}"
    with st.form(f"action_form_{key}"):
        desc = st.text_area("Description", v["description"], key=f"ac_desc_{key}")
        a, b = st.columns(2)
        owner = a.text_input("Owner", v["owner"], key=f"ac_owner_{key}")
        status = b.selectbox("Status", STATUSES, index=STATUSES.index(v["status"]), key=f"ac_status_{key}")
        with a:
            due = opt_date("Original target date", v["due_date"], f"ac_due_{key}")
        with b:
            revised = opt_date("Revised target date", v["revised_due_date"], f"ac_rev_{key}")
        revision_reason = st.text_input(
            "Reason for a new target date (published beside it; needed to change a date)", key=f"ac_revr_{key}",
            placeholder=f"Now: {v['revision_reason']}" if v["revision_reason"] else "")
        with a:
            completed_on = opt_date("Completed on (today if left empty when marked complete)", v["completed_on"],
                                    f"ac_done_{key}")
        rag = a.selectbox("RAG", RAGS, index=RAGS.index(v["rag"] or ""), key=f"ac_rag_{key}",
                          format_func=lambda r: r or "(none)")
        criteria = st.text_area("Completion criteria", v["completion_criteria"], key=f"ac_crit_{key}")
        evidence = st.text_area("Evidence (needed to mark it complete)", v["evidence"], key=f"ac_ev_{key}")
        reason = st.text_input("Reason for the change", key=f"ac_reason_{key}")
        submitted = st.form_submit_button("Save action", type="primary")
    if submitted:
        save(engine, "action", action_id, snap, {
            "description": desc, "owner": owner.strip(), "status": status, "due_date": due,
            "revised_due_date": revised, "rag": rag, "completion_criteria": criteria, "evidence": evidence,
            "completed_on": completed_on,
            **({"revision_reason": revision_reason.strip()} if revision_reason.strip() else {})}, reason)


def new_action_form(engine, item: dict, actions: list[dict]) -> None:
    with st.form(f"new_action_{item['id']}", clear_on_submit=False):
        ref = st.text_input("Reference", f"{item['reference']}/{len(actions) + 1}")
        desc = st.text_area("Description")
        a, b = st.columns(2)
        owner = a.text_input("Owner")
        with b:
            due = opt_date("Target date", None, f"new_due_{item['id']}")
        criteria = st.text_area("Completion criteria")
        submitted = st.form_submit_button("Add action", type="primary")
    if submitted and (who := common.require_user()) is not None:
        added(edits.add_action(engine, item["id"], who, {"reference": ref, "description": desc, "owner": owner,
                                                         "due_date": due, "completion_criteria": criteria}),
              f"Action {ref} added.")


def edit_forms(engine, page: views.ItemPage) -> None:
    """The four expanders that change an item: the item, the response, an action, a new action."""
    item, response = page.item, page.response
    with st.expander("Edit this item", icon=":material/edit:"):
        item_form(engine, item)
    with st.expander("Edit the Panel's response" if response else "Record the Panel's response",
                     icon=":material/gavel:"):
        response_form(engine, item, response)
    with st.expander("Edit an action", icon=":material/task_alt:"):
        action_form(engine, item, page.actions)
    with st.expander("Add an action", icon=":material/add_task:"):
        new_action_form(engine, item, page.actions)
