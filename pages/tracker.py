"""Panel response tracker: filter items and actions, edit them without losing anyone's
change, read an item's whole history, and export the dashboard charts.

Thin on purpose: reading, rules, saving (the grid in one transaction), counts and history
come from feedback.tracker; the forms that edit one item are in ui.tracker_ui. Every edit
carries the version the person saw, so a change made meanwhile by someone else is never
overwritten: the edit is refused and the newer values are shown.
"""

from __future__ import annotations

import base64
import datetime as dt

import streamlit as st

from feedback.charts import vega_spec
from feedback.tracker import edits, figures, record, service, views
from feedback.tracker.choices import RAGS, SOURCES, STATUSES, split_list
from ui import common, navigation, targets_ui, tracker_ui

navigation.route_through_app()  # a bookmark to this page on a fresh server goes through app.py

GRID = "tracker_grid"
GRID_REPORT = "tracker_grid_report"

engine = common.db_engine()
region = common.current_region()
today = dt.date.today()

common.page_title("Panel response tracker")
st.caption(f"Region: {common.region_label()}. Every point raised and recommendation made, the Panel's response, "
           "the actions and their history. Rows ticked 'Sample' are invented for the demonstration; the "
           "Annex C, chapter 6 and chapter 11 texts and the national-review challenges are real.")
tracker_ui.show_flash()

options = views.filter_choices(engine)

with st.expander("Filters", expanded=True, icon=":material/filter_alt:"):
    c1, c2, c3, c4 = st.columns(4)
    sources = c1.multiselect("Source", SOURCES, key="tracker_f_source", **common.KEPT_IN_ADDRESS)
    themes = c2.multiselect("Theme", options["themes"], key="tracker_f_theme", **common.KEPT_IN_ADDRESS)
    statuses = c3.multiselect("Action status", STATUSES, key="tracker_f_status", **common.KEPT_IN_ADDRESS)
    owners = c4.multiselect("Owner", options["owners"], key="tracker_f_owner", **common.KEPT_IN_ADDRESS)
    c5, c6, c7 = st.columns([1, 1, 2])
    overdue_only = c5.toggle("Overdue actions only", key="tracker_f_overdue", **common.KEPT_IN_ADDRESS)
    include_national = c6.toggle("National items too", value=True, key="tracker_f_national",
                                 help="Items raised for all of England show under every region.",
                                 disabled=region is None, **common.KEPT_IN_ADDRESS)
    search = c7.text_input("Search the text", key="tracker_f_text", placeholder="e.g. information sharing",
                           **common.KEPT_IN_ADDRESS)

filters = service.Filters(region=region, include_national=include_national, sources=tuple(sources),
                          themes=tuple(themes), statuses=tuple(statuses), owners=tuple(owners),
                          overdue_only=overdue_only, text=search.strip())
items, actions = views.listing(engine, filters, today)

counts = service.headline_counts(items, actions)
m1, m2, m3, m4 = st.columns(4)
m1.metric("Items", f"{counts['items']:,}")
m2.metric("Without a Panel response", f"{counts['without_response']:,}")
m3.metric("Open actions", f"{counts['open_actions']:,}")
m4.metric("Overdue actions", f"{counts['overdue_actions']:,}")

can_edit = common.may_edit_some()
tab_items, tab_grid, tab_dash, tab_public = st.tabs(
    ["Items, responses and history", "Edit actions in a grid" if can_edit else "Actions", "Dashboard",
     "Public record"], key="tracker_tab", **common.KEPT_IN_ADDRESS)

# --------------------------------------------------------------------------- items and one item in full
with tab_items:
    with common.error_boundary('The items, responses and history'):
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
                                   **common.KEPT_IN_ADDRESS)

            shown = views.item_page(engine, item_id)
            item, response, item_actions = shown.item, shown.response, shown.actions
            st.header(common.markdown_literal(item["reference"]) + (" (sample)" if item["is_sample"] else ""),
                      anchor=False)
            st.markdown(common.markdown_literal(item["text"]))
            st.caption(" · ".join(common.markdown_literal(x) for x in views.item_caption(item)))

            st.markdown("**The Panel's response**")
            if response:
                st.markdown(f"Decision: **{common.markdown_literal(response['decision'])}**"
                            + (f", {response['decided_on']:%d %B %Y}" if response["decided_on"] else "")
                            + (f", by {common.markdown_literal(response['decided_by'])}"
                               if response["decided_by"] else ""))
                st.markdown(common.markdown_literal(response["text"]) or "_No wording recorded._")
            else:
                st.markdown("_No response recorded yet._")
            st.markdown(f"**Actions ({len(item_actions)})**")
            if item_actions:
                st.dataframe(views.action_table(item_actions, today), hide_index=True, column_config={
                    "description": st.column_config.TextColumn("description", width="large"),
                    **{c: st.column_config.DateColumn(c, format="DD/MM/YYYY")
                       for c in ("original target", "due", "completed on")}})
            else:
                st.markdown("_No actions yet._")

            if common.edit_allowed(split_list(item["regions"]), what="tracker items"):
                tracker_ui.edit_forms(engine, shown)

            targets_ui.item_targets(engine, item, item_actions)

            st.markdown("### History")
            entries = views.timeline_entries(shown.timeline)
            st.caption(f"{len(shown.timeline)} recorded change(s), newest first. History cannot be edited or deleted.")
            with st.container(height=360 if len(entries) > 6 else "content", border=False):
                for entry in entries:
                    st.markdown(views.history_markdown(entry))
            common.download_table(shown.timeline.drop(columns="history_id"), f"History {item['reference']}",
                                  key=f"history_{item['id']}")

# --------------------------------------------------------------------------- the actions grid
with tab_grid:
    with common.error_boundary('The actions grid'):
        if can_edit:
            st.caption("Change cells, give a reason, then save. The changed rows are saved together or not at all: "
                       "if anyone changed one of them since this grid was loaded, nothing is saved, your edits "
                       "stay in the grid and the newer values are shown.")
        report = st.session_state.get(GRID_REPORT)
        if report:
            for message in report["messages"]:
                {"success": st.success, "error": st.error}[message[0]](common.markdown_literal(message[1]))
            for _ref, text, table in report["stale"]:
                st.error(common.markdown_literal(text), icon=":material/sync_problem:")
                st.dataframe(table, hide_index=True)
            if st.button("Dismiss these messages", key="tracker_grid_dismiss"):
                st.session_state.pop(GRID_REPORT, None)
                st.rerun()

        grid = st.session_state.get(GRID)
        if grid is None or grid["filters"] != filters:
            grid = {"filters": filters, "frame": views.grid_frame(actions), "n": (grid or {}).get("n", 0) + 1}
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
                if (who := common.require_user()) is not None:
                    outcome = edits.save_grid(engine, grid["frame"], edited, who, reason)
                    if outcome.nothing_to_save:
                        st.info("Nothing to save: no cell differs from what was loaded.")
                    else:
                        saved = [("success", f"Saved {len(outcome.saved)} action(s): {', '.join(outcome.saved)}.")]
                        st.session_state[GRID_REPORT] = {
                            "messages": saved if outcome.ok else [("error", e) for e in outcome.errors],
                            "stale": [(x.reference, x.message, x.comparison) for x in outcome.stale]}
                        if outcome.ok:  # reload from the database, with the new versions; else keep the edits
                            st.session_state.pop(GRID, None)
                        st.rerun()
            if c2.button("Reload from the tracker (drops unsaved edits)", key="tracker_grid_reload"):
                st.session_state.pop(GRID, None)
                st.session_state.pop(GRID_REPORT, None)
                st.rerun()

# --------------------------------------------------------------------------- dashboard
if tab_dash.open:  # figures only: drawn while its tab is open (forms elsewhere are drawn in every run)
    with tab_dash, common.error_boundary('The dashboard'):
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
    with tab_public, common.error_boundary('The public record'):
        from feedback.export import annex_zip

        st.markdown("**You said, we did**: every point whose Panel response is marked *published*, with the "
                    "Panel's decision and response and how each action stands, for publication. The whole of "
                    "England, whatever the region selected. Owners, editors' names, internal notes, RAG ratings "
                    "and e-mail addresses are never in it.")
        as_of = st.date_input("As it stood at the end of", value=today, max_value=today, format="DD/MM/YYYY",
                              key="tracker_public_as_of",
                              help="An earlier date rebuilds the record from the history exactly as it stood "
                                   "then, so a six-monthly snapshot can be issued again.")
        built = views.public_record(engine, as_of)
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
