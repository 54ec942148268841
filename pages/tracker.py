"""Panel response tracker: filter items and actions, edit them without losing anyone's
change, read an item's whole history, and export the dashboard charts.

Thin on purpose: rules, filters, counts and history come from feedback.tracker.
Every edit carries the version the person saw (kept in session state from the
moment the record was shown), so a change made meanwhile by someone else is
never overwritten: the edit is refused and the newer values are shown.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from feedback import db
from feedback.charts import vega_spec
from feedback.regions import REGIONS
from feedback.tracker import figures, service, views
from feedback.tracker.models import DECISIONS, RAGS, SOURCES, STATUSES, Action, Item, Response, split_list
from feedback.errors import Refused
from ui import common, targets_ui

FLASH = "tracker_flash"
GRID = "tracker_grid"
GRID_REPORT = "tracker_grid_report"
GRID_FIELDS = ["description", "owner", "due_date", "revised_due_date", "status", "rag",
               "completion_criteria", "evidence"]


def flash(kind: str, message: str) -> None:
    """Keep a message for the next run (shown once)."""
    st.session_state.setdefault(FLASH, []).append((kind, message))


def show_flash() -> None:
    for kind, message in st.session_state.pop(FLASH, []):
        {"success": st.success, "error": st.error, "warning": st.warning}[kind](views.md_escape(message))


def seen(kind: str, obj) -> dict:
    """The version and values of a record as the person first saw it (kept until saved or reloaded)."""
    key = f"tracker_seen_{kind}_{obj.id}"
    if key not in st.session_state:
        st.session_state[key] = {"version": obj.version,
                                 "values": {f: getattr(obj, f) for f in service.EDITABLE[type(obj)]}}
    return st.session_state[key]


def forget(kind: str, obj_id: int) -> None:
    st.session_state.pop(f"tracker_seen_{kind}_{obj_id}", None)


def typed(kind: str, obj_id: int, snapshot: dict) -> dict:
    """The values a form opens with: the record's, with a refused edit's typed changes laid
    over them, so the person can look at the newer values and save their change again."""
    return {**snapshot["values"], **st.session_state.get(f"tracker_retry_{kind}_{obj_id}", {})}


def save(kind: str, model, obj_id: int, snapshot: dict, new_values: dict, reason: str) -> None:
    """Apply the fields that differ from what the person saw. If someone else changed the
    record meanwhile, nothing is written: the refusal and the newer values are kept on screen
    (until dismissed) and the form reopens on the newer version."""
    who = common.require_user()
    if who is None:
        return
    changes = {f: v for f, v in new_values.items() if v != snapshot["values"].get(f)}
    if not changes:
        st.info("Nothing to save: no field differs from what you opened.")
        return
    try:
        with db.session_scope(engine) as session:
            obj = session.get(model, obj_id)
            service.edit(session, obj, snapshot["version"], changes, who, reason)
    except db.StaleEdit as err:
        st.session_state[f"tracker_stale_{kind}_{obj_id}"] = (str(err), views.stale_comparison(err, changes))
        st.session_state[f"tracker_retry_{kind}_{obj_id}"] = changes  # what they typed, offered again
        forget(kind, obj_id)
        st.rerun()
    except (service.TrackerError, Refused) as err:
        st.error(views.md_escape(str(err)), icon=":material/error:")
        return
    forget(kind, obj_id)
    st.session_state.pop(f"tracker_stale_{kind}_{obj_id}", None)
    st.session_state.pop(f"tracker_retry_{kind}_{obj_id}", None)
    flash("success", f"Saved: {', '.join(service.LABELS.get(f, f) for f in changes)}.")
    st.rerun()


def show_refusal(kind: str, obj_id: int) -> None:
    """A refused edit stays visible, with the newer values beside the change that was not saved."""
    key = f"tracker_stale_{kind}_{obj_id}"
    if key in st.session_state:
        message, table = st.session_state[key]
        st.error(views.md_escape(message), icon=":material/sync_problem:")
        st.dataframe(table, hide_index=True)
        st.caption("The form below still holds what you typed, now on the newer version: compare it with "
                   "the newer values above and save again if your change still applies.")
        if st.button("Dismiss and discard my change", key=f"dismiss_{key}"):
            st.session_state.pop(key, None)
            st.session_state.pop(f"tracker_retry_{kind}_{obj_id}", None)
            st.rerun()


def opt_date(label: str, value: dt.date | None, key: str) -> dt.date | None:
    return st.date_input(label, value=value, key=key, format="DD/MM/YYYY")


# --------------------------------------------------------------------------- page

engine = common.db_engine()
region = common.current_region()
today = dt.date.today()

common.page_title("Panel response tracker")
st.caption(f"Region: {common.region_label()}. Every point raised and recommendation made, the Panel's response, "
           "the actions and their history. Rows ticked 'Sample' are invented for the demonstration; the "
           "Annex C, chapter 6 and chapter 11 texts and the national-review challenges are real.")
show_flash()

with db.session_scope(engine) as session:
    options = service.choices(session)

with st.expander("Filters", expanded=True, icon=":material/filter_alt:"):
    c1, c2, c3, c4 = st.columns(4)
    sources = c1.multiselect("Source", SOURCES, key="tracker_f_source", **common.IN_ADDRESS)
    themes = c2.multiselect("Theme", options["themes"], key="tracker_f_theme", **common.IN_ADDRESS)
    statuses = c3.multiselect("Action status", STATUSES, key="tracker_f_status", **common.IN_ADDRESS)
    owners = c4.multiselect("Owner", options["owners"], key="tracker_f_owner", **common.IN_ADDRESS)
    c5, c6, c7 = st.columns([1, 1, 2])
    overdue_only = c5.toggle("Overdue actions only", key="tracker_f_overdue", **common.IN_ADDRESS)
    include_national = c6.toggle("National items too", value=True, key="tracker_f_national",
                                 help="Items raised for all of England show under every region.",
                                 disabled=region is None, **common.IN_ADDRESS)
    search = c7.text_input("Search the text", key="tracker_f_text", placeholder="e.g. information sharing",
                           **common.IN_ADDRESS)

filters = service.Filters(region=region, include_national=include_national, sources=tuple(sources),
                          themes=tuple(themes), statuses=tuple(statuses), owners=tuple(owners),
                          overdue_only=overdue_only, text=search.strip())
with db.session_scope(engine) as session:
    items, actions = service.filtered(session, filters, today=today)

counts = service.headline_counts(items, actions)
m1, m2, m3, m4 = st.columns(4)
m1.metric("Items", f"{counts['items']:,}")
m2.metric("Without a Panel response", f"{counts['without_response']:,}")
m3.metric("Open actions", f"{counts['open_actions']:,}")
m4.metric("Overdue actions", f"{counts['overdue_actions']:,}")

can_edit = common.may_edit_some()
tab_items, tab_grid, tab_dash, tab_public = st.tabs(
    ["Items, responses and history", "Edit actions in a grid" if can_edit else "Actions", "Dashboard",
     "Public record"], key="tracker_tab", **common.IN_ADDRESS)

# --------------------------------------------------------------------------- items and one item in full
with tab_items:
    with common.section('The items, responses and history'):
        if items.empty:
            st.info("No item matches these filters.")
        else:
            st.dataframe(
                items[["reference", "text", "source", "regions", "themes", "decision", "actions", "open_actions",
                       "overdue_actions", "is_sample"]],
                hide_index=True, height=300,
                column_config={
                    "reference": st.column_config.TextColumn("Reference", pinned=True),
                    "text": st.column_config.TextColumn("Point raised", width="large"),
                    "source": "Source", "regions": "Regions", "themes": "Themes",
                    "decision": "Panel decision", "actions": "Actions", "open_actions": "Open",
                    "overdue_actions": "Overdue", "is_sample": st.column_config.CheckboxColumn("Sample"),
                })
            labels = {int(r.id): f"{r.reference}: {r.text[:90]}{'…' if len(r.text) > 90 else ''}"
                      for r in items.itertuples()}
            item_id = st.selectbox("Open an item", list(labels), format_func=labels.get, key="tracker_item",
                                   **common.IN_ADDRESS)

            with db.session_scope(engine) as session:
                item = session.get(Item, item_id)
                response, item_actions = item.response, list(item.actions)
                timeline = service.timeline(session, item_id)

            st.header(views.md_escape(item.reference) + (" (sample)" if item.is_sample else ""), anchor=False)
            st.markdown(views.md_escape(item.text))
            st.caption(" · ".join(views.md_escape(x) for x in [
                item.source + (f": {item.source_detail}" if item.source_detail else ""),
                f"Regions: {item.regions or 'all England (national)'}",
                f"Themes: {item.themes or 'none'}",
                f"Raised {item.date_raised:%d %B %Y}" if item.date_raised else "Date raised not recorded",
            ]))

            st.markdown("**The Panel's response**")
            if response:
                st.markdown(f"Decision: **{views.md_escape(response.decision)}**"
                            + (f", {response.decided_on:%d %B %Y}" if response.decided_on else "")
                            + (f", by {views.md_escape(response.decided_by)}" if response.decided_by else ""))
                st.markdown(views.md_escape(response.text) or "_No wording recorded._")
            else:
                st.markdown("_No response recorded yet._")
            st.markdown(f"**Actions ({len(item_actions)})**")
            if item_actions:
                st.dataframe(pd.DataFrame([{
                    "reference": a.reference, "description": a.description, "owner": a.owner,
                    "original target": a.due_date, "due": service.effective_due(a),
                    "revised because": a.revision_reason, "status": a.status, "completed on": a.completed_on,
                    "RAG": a.rag, "overdue": service.is_overdue(a, today), "evidence": a.evidence,
                    "sample": a.is_sample,
                } for a in item_actions]), hide_index=True,
                    column_config={"description": st.column_config.TextColumn("description", width="large"),
                                   "original target": st.column_config.DateColumn("original target",
                                                                                  format="DD/MM/YYYY"),
                                   "due": st.column_config.DateColumn("due", format="DD/MM/YYYY"),
                                   "completed on": st.column_config.DateColumn("completed on",
                                                                               format="DD/MM/YYYY")})
            else:
                st.markdown("_No actions yet._")

            if common.edit_allowed(split_list(item.regions), what="tracker items"):
                with st.expander("Edit this item", icon=":material/edit:"):
                    show_refusal("item", item.id)
                    snap = seen("item", item)
                    v, key = typed("item", item.id, snap), f"{item.id}_{snap['version']}"
                    with st.form(f"item_form_{key}"):
                        text = st.text_area("Point raised", v["text"], key=f"it_text_{key}")
                        a, b = st.columns(2)
                        source = a.selectbox("Source", SOURCES, index=SOURCES.index(v["source"]), key=f"it_src_{key}")
                        detail = b.text_input("Source detail", v["source_detail"], key=f"it_det_{key}")
                        regions = a.multiselect("Regions (none = national)", REGIONS,
                                                default=[r for r in split_list(v["regions"]) if r in REGIONS],
                                                key=f"it_reg_{key}")
                        themes_text = b.text_input("Themes (separate with ;)", v["themes"], key=f"it_th_{key}")
                        raised = opt_date("Date raised", v["date_raised"], f"it_date_{key}")
                        reason = st.text_input("Reason for the change", key=f"it_reason_{key}")
                        submitted = st.form_submit_button("Save item", type="primary")
                    if submitted:
                        save("item", Item, item.id, snap, {
                            "text": text, "source": source, "source_detail": detail.strip(),
                            "regions": "; ".join(regions), "themes": "; ".join(split_list(themes_text)),
                            "date_raised": raised}, reason)

                with st.expander("Edit the Panel's response" if response else "Record the Panel's response",
                                 icon=":material/gavel:"):
                    if response:
                        show_refusal("response", response.id)
                        snap = seen("response", response)
                        v, key = typed("response", response.id, snap), f"{response.id}_{snap['version']}"
                    else:
                        snap, v, key = None, {"decision": "noted", "text": "", "decided_on": None, "decided_by": "",
                                              "published": False}, f"new_{item.id}"
                    with st.form(f"response_form_{key}"):
                        decision = st.selectbox("Decision", DECISIONS, index=DECISIONS.index(v["decision"]),
                                                key=f"rs_dec_{key}")
                        rtext = st.text_area("Response", v["text"], key=f"rs_text_{key}")
                        a, b = st.columns(2)
                        with a:
                            decided_on = opt_date("Decided on", v["decided_on"], f"rs_on_{key}")
                        decided_by = b.text_input("Decided by", v["decided_by"], key=f"rs_by_{key}")
                        published = st.checkbox(
                            "Published in the public record", v["published"], key=f"rs_pub_{key}",
                            help="The point, this response and its actions appear in the 'You said, we did' "
                                 "record (Public record tab). Owners, names and internal notes never do.")
                        reason = st.text_input("Reason for the change", key=f"rs_reason_{key}")
                        submitted = st.form_submit_button("Save response", type="primary")
                    if submitted:
                        values = {"decision": decision, "text": rtext, "decided_on": decided_on,
                                  "decided_by": decided_by.strip(), "published": published}
                        if response:
                            save("response", Response, response.id, snap, values, reason)
                        elif (who := common.require_user()) is not None:
                            try:
                                with db.session_scope(engine) as session:
                                    service.create_response(session, session.get(Item, item.id), who, **values)
                            except (service.TrackerError, Refused) as err:
                                st.error(views.md_escape(str(err)))
                            else:
                                flash("success", "Response recorded.")
                                st.rerun()

                with st.expander("Edit an action", icon=":material/task_alt:"):
                    if not item_actions:
                        st.markdown("_This item has no actions yet: add one below._")
                    else:
                        by_id = {a.id: a for a in item_actions}
                        action_id = st.selectbox("Action", list(by_id), key=f"tracker_action_pick_{item.id}",
                                                 format_func=lambda i: f"{by_id[i].reference}: {by_id[i].description[:80]}")
                        action = by_id[action_id]
                        show_refusal("action", action.id)
                        snap = seen("action", action)
                        v, key = typed("action", action.id, snap), f"{action.id}_{snap['version']}"
                        with st.form(f"action_form_{key}"):
                            desc = st.text_area("Description", v["description"], key=f"ac_desc_{key}")
                            a, b = st.columns(2)
                            owner = a.text_input("Owner", v["owner"], key=f"ac_owner_{key}")
                            status = b.selectbox("Status", STATUSES, index=STATUSES.index(v["status"]),
                                                 key=f"ac_status_{key}")
                            with a:
                                due = opt_date("Original target date", v["due_date"], f"ac_due_{key}")
                            with b:
                                revised = opt_date("Revised target date", v["revised_due_date"], f"ac_rev_{key}")
                            revision_reason = st.text_input(
                                "Reason for a new target date (published beside it; needed to change a date)",
                                key=f"ac_revr_{key}",
                                placeholder=f"Now: {v['revision_reason']}" if v["revision_reason"] else "")
                            with a:
                                completed_on = opt_date("Completed on (today if left empty when marked complete)",
                                                        v["completed_on"], f"ac_done_{key}")
                            rag = a.selectbox("RAG", RAGS, index=RAGS.index(v["rag"] or ""), key=f"ac_rag_{key}",
                                              format_func=lambda r: r or "(none)")
                            criteria = st.text_area("Completion criteria", v["completion_criteria"], key=f"ac_crit_{key}")
                            evidence = st.text_area("Evidence (needed to mark it complete)", v["evidence"],
                                                    key=f"ac_ev_{key}")
                            reason = st.text_input("Reason for the change", key=f"ac_reason_{key}")
                            submitted = st.form_submit_button("Save action", type="primary")
                        if submitted:
                            save("action", Action, action.id, snap, {
                                "description": desc, "owner": owner.strip(), "status": status, "due_date": due,
                                "revised_due_date": revised, "rag": rag, "completion_criteria": criteria,
                                "evidence": evidence, "completed_on": completed_on,
                                **({"revision_reason": revision_reason.strip()} if revision_reason.strip() else {})},
                                 reason)

                with st.expander("Add an action", icon=":material/add_task:"):
                    with st.form(f"new_action_{item.id}", clear_on_submit=False):
                        ref = st.text_input("Reference", f"{item.reference}/{len(item_actions) + 1}")
                        desc = st.text_area("Description")
                        a, b = st.columns(2)
                        owner = a.text_input("Owner")
                        with b:
                            due = opt_date("Target date", None, f"new_due_{item.id}")
                        criteria = st.text_area("Completion criteria")
                        submitted = st.form_submit_button("Add action", type="primary")
                    if submitted and (who := common.require_user()) is not None:
                        try:
                            with db.session_scope(engine) as session:
                                service.create_action(session, session.get(Item, item.id), who, reference=ref,
                                                      description=desc, owner=owner, due_date=due,
                                                      completion_criteria=criteria)
                        except (service.TrackerError, Refused) as err:
                            st.error(views.md_escape(str(err)))
                        else:
                            flash("success", f"Action {ref} added.")
                            st.rerun()

            targets_ui.item_targets(engine, item, item_actions)

            st.markdown("### History")
            entries = views.timeline_entries(timeline)
            st.caption(f"{len(timeline)} recorded change(s), newest first. History cannot be edited or deleted.")
            with st.container(height=360 if len(entries) > 6 else "content", border=False):
                for entry in entries:
                    head = (f"**{entry['when']}** · {views.md_escape(entry['who'])} · "
                            f"{views.md_escape(entry['what'])}")
                    if entry.get("created"):
                        head += " · created"
                    if entry["reason"] and entry["reason"] != "created":
                        head += f" · _{views.md_escape(entry['reason'])}_"
                    lines = [f"- {views.md_escape(field)}: " + (
                        views.word_changes_markdown(old, new) if max(len(old or ""), len(new or "")) > views.LONG_TEXT
                        else f"{views.md_escape(old) or '(empty)'} → **{views.md_escape(new) or '(empty)'}**")
                        for field, old, new in entry["changes"]]
                    st.markdown("\n".join([head, *lines]))
            common.download_table(timeline.drop(columns="history_id"), f"History {item.reference}",
                                  key=f"history_{item.id}")

# --------------------------------------------------------------------------- the actions grid
with tab_grid:
    with common.section('The actions grid'):
        if can_edit:
            st.caption("Change cells, give a reason, then save. Each row is saved only if nobody changed it since "
                       "this grid was loaded; otherwise it is refused and the newer values are shown.")
        report = st.session_state.get(GRID_REPORT)
        if report:
            for message in report["messages"]:
                {"success": st.success, "error": st.error}[message[0]](views.md_escape(message[1]))
            for ref, text, table in report["stale"]:
                st.error(views.md_escape(text), icon=":material/sync_problem:")
                st.dataframe(table, hide_index=True)
            if st.button("Dismiss these messages", key="tracker_grid_dismiss"):
                st.session_state.pop(GRID_REPORT, None)
                st.rerun()

        grid = st.session_state.get(GRID)
        if grid is None or grid["filters"] != filters:
            snapshot = actions.copy()
            for col in ("due_date", "revised_due_date"):
                snapshot[col] = pd.to_datetime(snapshot[col])
            grid = {"filters": filters, "frame": snapshot, "n": (grid or {}).get("n", 0) + 1}
            st.session_state[GRID] = grid
        if grid["frame"].empty:
            st.info("No action matches these filters.")
        elif not can_edit:
            common.edit_allowed(what="actions")  # says why there is no grid to edit
            st.dataframe(grid["frame"].drop(columns=["id", "version"]), hide_index=True)
        else:
            edited = st.data_editor(
                grid["frame"], key=f"tracker_grid_{grid['n']}", hide_index=True, num_rows="fixed",
                column_order=["reference", "item", "description", "owner", "due_date", "revised_due_date", "status",
                              "rag", "overdue", "evidence", "completion_criteria", "is_sample", "version"],
                disabled=["reference", "item", "overdue", "is_sample", "version"],
                column_config={
                    "reference": st.column_config.TextColumn("Reference", pinned=True),
                    "item": st.column_config.TextColumn("Item", width="small"),
                    "description": st.column_config.TextColumn("Description", width="large"),
                    "owner": "Owner",
                    "due_date": st.column_config.DateColumn("Original target", format="DD/MM/YYYY"),
                    "revised_due_date": st.column_config.DateColumn(
                        "Revised target", format="DD/MM/YYYY",
                        help="A new target date needs a reason: the reason below is published beside it"),
                    "status": st.column_config.SelectboxColumn("Status", options=list(STATUSES), required=True),
                    "rag": st.column_config.SelectboxColumn("RAG", options=list(RAGS)),
                    "overdue": st.column_config.CheckboxColumn("Overdue"),
                    "evidence": st.column_config.TextColumn("Evidence", help="Needed to mark an action complete"),
                    "completion_criteria": "Completion criteria",
                    "is_sample": st.column_config.CheckboxColumn("Sample"),
                    "version": st.column_config.NumberColumn("Version seen", help="The version you loaded"),
                })
            reason = st.text_input("Reason for these changes", key=f"tracker_grid_reason_{grid['n']}")
            c1, c2 = st.columns([1, 4])
            if c1.button("Save changes", type="primary", key="tracker_grid_save"):
                who = common.require_user()
                pending = views.grid_changes(grid["frame"], edited, GRID_FIELDS)
                if who is not None and not pending:
                    st.info("Nothing to save: no cell differs from what was loaded.")
                elif who is not None:
                    messages, stale, saved = [], [], []
                    for row in pending:
                        try:
                            with db.session_scope(engine) as session:
                                service.edit(session, session.get(Action, row["id"]), row["version"], row["changes"],
                                             who, reason)
                            saved.append(row["reference"])
                        except db.StaleEdit as err:
                            stale.append((row["reference"], f"{row['reference']}: {err}",
                                          views.stale_comparison(err, row["changes"])))
                        except (service.TrackerError, Refused) as err:
                            messages.append(("error", f"{row['reference']}: {err}"))
                    if saved:
                        messages.insert(0, ("success", f"Saved {len(saved)} action(s): {', '.join(saved)}."))
                    st.session_state[GRID_REPORT] = {"messages": messages, "stale": stale}
                    st.session_state.pop(GRID, None)  # reload from the database, with the new versions
                    st.rerun()
            if c2.button("Reload from the tracker (drops unsaved edits)", key="tracker_grid_reload"):
                st.session_state.pop(GRID, None)
                st.session_state.pop(GRID_REPORT, None)
                st.rerun()

# --------------------------------------------------------------------------- dashboard
if tab_dash.open:  # figures only: drawn while its tab is open (forms elsewhere are drawn in every run)
    with tab_dash, common.section('The dashboard'):
        where = common.region_label() + ("" if filters == service.Filters(region=region) else ", filtered")
        targets_ui.dashboard_targets(engine, items)
        st.divider()
        done, due = service.lateness(items, actions, today)["on_time"]
        st.metric("Actions completed on time", f"{done / due:.0%}" if due else "none due yet",
                  help="Completed by the original target date, of the actions that are complete or still open "
                       "after it (closed ones and those not yet due are left out).")
        st.caption(f"{done:,} of {due:,} actions due were completed by their original target date.")
        for i, fig in enumerate(figures.dashboard_figures(items, actions, where=where,
                                                          today_text=f"{today:%d %B %Y}", today=today)):
            st.vega_lite_chart(vega_spec(fig.chart), width="content")
            common.download_chart(fig.chart, fig.name, alt=fig.alt, key=f"tracker_fig_{i}")
            common.download_table(fig.table, fig.name, key=f"tracker_tab_{i}")
            st.divider()

# --------------------------------------------------------------------------- the public record
if tab_public.open:
    with tab_public, common.section('The public record'):
        import base64

        from feedback.export import annex_zip
        from feedback.tracker import record

        st.markdown("**You said, we did**: every point whose Panel response is marked *published*, with the "
                    "Panel's decision and response and how each action stands, for publication. The whole of "
                    "England, whatever the region selected. Owners, editors' names, internal notes, RAG ratings "
                    "and e-mail addresses are never in it.")
        as_of = st.date_input("As it stood at the end of", value=today, max_value=today, format="DD/MM/YYYY",
                              key="tracker_public_as_of",
                              help="An earlier date rebuilds the record from the history exactly as it stood "
                                   "then, so a six-monthly snapshot can be issued again.")
        with db.session_scope(engine) as session:
            built = record.build(session, as_of)
        files = record.files(built)
        counts = built.by_status()
        done, due = built.on_time()
        cols = st.columns(3)
        cols[0].metric("Published points", f"{len(built.points):,}")
        cols[1].metric("Actions", f"{len(built.actions):,}")
        cols[2].metric("Completed on time", f"{done / due:.0%}" if due else "none due yet")
        st.caption(" · ".join(f"{status}: {n:,}" for status, n in counts.items()))
        stamp = f"{built.as_of:%Y-%m-%d}"
        c1, c2, c3, c4 = st.columns(4)
        downloads = [(c1, "index.html", "The page (HTML)", "text/html"),
                     (c2, "progress.csv", "Open data (CSV)", "text/csv"),
                     (c3, "progress.ods", "Open data (ODS)", "application/vnd.oasis.opendocument.spreadsheet")]
        for col, name, label, mime in downloads:
            col.download_button(label, common.logged_export(lambda name=name: files[name], f"public record {name}"),
                                file_name=f"you-said-we-did-{stamp}-{name}", mime=mime, on_click="ignore",
                                key=f"tracker_public_{name}", icon=":material/download:")
        c4.download_button("All three (ZIP)", common.logged_export(lambda: annex_zip(files), "public record (ZIP)"),
                           file_name=f"you-said-we-did-{stamp}.zip", mime="application/zip", on_click="ignore",
                           key="tracker_public_zip", icon=":material/folder_zip:")
        st.markdown("**Preview** (the page as it will be published; it runs no scripts and loads nothing)")
        # A data: address gives the preview its own opaque origin: it cannot reach the app.
        page_url = "data:text/html;base64," + base64.b64encode(files["index.html"]).decode("ascii")
        st.iframe(page_url, height=720, alt="Preview of the public record page")
