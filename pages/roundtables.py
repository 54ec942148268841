"""Roundtable notes: import notes, see themes by region and by event, the
points behind each count, recode points, coder agreement, link points to the
Panel's response tracker, and edit the theme codebook.

Thin on purpose: every number, table and sentence comes from feedback.roundtables;
this page gathers input, calls it and draws.
"""

from __future__ import annotations

import streamlit as st

from feedback import access
from feedback.errors import InputError
from feedback.regions import REGIONS
from feedback.roundtables import coding, edits, figures, import_preview, links, store, suggest, views
from feedback.roundtables.themes import dump_themes
from ui import common, navigation
from ui import roundtables_ui as ui

navigation.route_through_app()  # a bookmark to this page on a fresh server goes through app.py

# Tables from the notes, cached by the notes' content: a page switch recomputes nothing.
event_totals = common.by_content(views.event_totals)
themes_by_region = common.by_content(views.themes_by_region)
themes_by_event = common.by_content(views.themes_by_event)
points_behind = common.by_content(views.points_behind)

engine = common.db_engine()
region = common.current_region()
frames = store.load_frames(engine)
codebook, codebook_toml, codebook_version = store.current_codebook(engine)
names = codebook.names()
is_sample = views.is_sample(frames.events)
regional = views.for_region(frames, region)

common.page_title("Regional roundtable notes")
st.caption(f"Region: {common.region_label()}. Feedback points from the Panel's regional roundtables, coded to "
           "themes. " + ("Includes sample notes built from the published summary (Annex C), not real notes."
                         if is_sample else ""))
ui.show_kept()

totals = event_totals(frames.events, region=region)
overall = totals.iloc[-1]
with common.error_boundary("The totals"):
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Events", f"{int(overall['Events']):,}")
    c2.metric("Attendees", f"{int(overall['Attendees']):,}")
    c3.metric("Partnerships", f"{int(overall['Partnerships']):,}")
    c4.metric("Feedback points", f"{len(regional.points):,}")

tab_region, tab_event, tab_code, tab_agree, tab_import, tab_codebook = st.tabs(
    ["Themes by region", "Themes per event", "Points and coding", "Coder agreement", "Import notes",
     "Theme codebook"], key="rt_tab", **common.KEPT_IN_ADDRESS)
# Tabs kept in the address rerun the page when switched: the counts and charts are drawn only in
# the open tab (``tab.open``); the coding, import and codebook forms in every run, so what someone
# has typed or chosen there survives a look at another tab.

if tab_region.open:
    with tab_region, common.error_boundary('The themes by region'):
        level_word = st.radio("Count by", list(views.LEVELS), horizontal=True, key="rt_level", **common.KEPT_IN_ADDRESS)
        level = views.LEVELS[level_word]
        table = themes_by_region(frames, codebook, level=level, region=region)
        title = f"Feedback points by {level_word.lower()} and region"
        subtitle = f"{common.region_label()}: {int(overall['Events'])} events, {int(overall['Attendees'])} attendees"
        heat = figures.heat_chart(table, title=title, subtitle=subtitle, sample=is_sample)
        common.show_chart(heat)  # as exported
        common.download_chart(heat, title, alt=figures.heat_alt_text(table, title=title, subtitle=subtitle),
                              key="rt_heat_region")
        shown = links.with_status(engine, table, frames, codebook, region=region, level=level)
        st.dataframe(shown, hide_index=True, width="stretch", height=36 * (len(shown) + 1) + 4)
        common.download_table(shown, title, notes=[figures.NOTE, figures.SOURCE], key="rt_table_region")

        bars_title = f"Feedback points by {level_word.lower()}"
        bars = figures.totals_chart(table, title=bars_title, subtitle=subtitle, sample=is_sample)
        with st.expander("Totals as a bar chart"):
            common.show_chart(bars)
            common.download_chart(bars, bars_title, alt=figures.totals_alt_text(table, title=bars_title,
                                                                                subtitle=subtitle), key="rt_bars")
            st.caption("The same counts as a table:")
            st.dataframe(table.reset_index(drop=True), hide_index=True, width="stretch")

        st.header("The points behind a count")
        left, right = st.columns(2)
        label = (lambda r: names.get(r, r)) if level == "sub_theme" else str
        row_choice = left.selectbox(level_word, list(table.index), format_func=label, key="rt_cell_row")
        col_choice = right.selectbox("Region", [region] if region else ["All regions", *REGIONS], key="rt_cell_region")
        cell_region = None if col_choice == "All regions" else col_choice
        behind = points_behind(frames, codebook, region=cell_region,
                               **({"code": row_choice} if level == "sub_theme" else {"theme": row_choice}))
        st.text(f"{len(behind)} point(s) on {label(row_choice)} in {col_choice}.")
        if not behind.empty:
            behind_shown = views.behind_table(behind)
            st.dataframe(behind_shown, hide_index=True, width="stretch")
            common.download_table(behind_shown, f"Points on {label(row_choice)} in {col_choice}", key="rt_behind")

        responses = links.theme_items(engine, frames, codebook, label(row_choice), region=cell_region, level=level)
        if not responses.empty:
            st.text(f"The Panel's response on {label(row_choice)}: {len(responses)} tracker item(s).")
            st.dataframe(responses, hide_index=True, width="stretch")
            common.download_table(responses, f"Panel responses on {label(row_choice)}", key="rt_responses")

        st.header("Totals per event")
        st.dataframe(totals, hide_index=True, width="stretch", height=36 * (len(totals) + 1) + 4)
        common.download_table(totals, "Roundtable events and attendance", key="rt_totals",
                              notes=["Sample data built from the published summary." if is_sample else ""])

if tab_event.open:
    with tab_event, common.error_boundary('The themes per event'):
        level_word_e = st.radio("Count by", list(views.LEVELS), horizontal=True, key="rt_level_event",
                                **common.KEPT_IN_ADDRESS)
        per_event = themes_by_event(frames, codebook, level=views.LEVELS[level_word_e], region=region)
        title_e = f"Feedback points by {level_word_e.lower()} and event"
        heat_e = figures.heat_chart(per_event, title=title_e, subtitle=common.region_label(), sample=is_sample,
                                    vertical_labels=True)
        common.show_chart(heat_e)
        common.download_chart(heat_e, title_e, alt=figures.heat_alt_text(per_event, title=title_e,
                                                                         subtitle=common.region_label()),
                              key="rt_heat_event")
        st.dataframe(per_event.reset_index(drop=True), hide_index=True, width="stretch")
        common.download_table(per_event.reset_index(drop=True), title_e, notes=[figures.NOTE], key="rt_table_event")


with tab_code:
    with common.error_boundary('The points and their coding'):
        events = regional.events.sort_values(["event_date", "event_id"])
        if events.empty:
            st.info("No roundtable notes for this region yet. Import some on the 'Import notes' tab.")
        else:
            event_label = views.event_labels(events)
            event_id = st.selectbox("Event", list(events["event_id"]), format_func=lambda e: event_label[e],
                                    key="rt_event")
            listing = views.event_points(frames, codebook, event_id)
            st.dataframe(listing.drop(columns=["point_id"]), hide_index=True, width="stretch")
            point_label = views.point_labels(listing)
            point_id = st.selectbox("Point to code", list(listing["point_id"]), format_func=lambda p: point_label[p],
                                    key=f"rt_point_{event_id}")  # one per event: options differ
            point = frames.points.set_index("point_id").loc[point_id]
            with st.container(border=True):
                st.caption("The point, as written in the notes")
                st.text(point["text"])
                if point["merged"]:
                    with st.expander(f"Merged with {len(point['merged'])} near-identical point(s)"):
                        for text in point["merged"]:
                            st.text(text)
            history = views.point_codings(frames, codebook, point_id)
            st.dataframe(history.drop(columns=["version"]), hide_index=True, width="stretch")
            with st.expander("Coding history, with the reasons given"):
                st.dataframe(store.coding_history(engine, int(point_id), names), hide_index=True, width="stretch")

            user = common.current_user()
            who = user.label if user else ""
            event_region = events.set_index("event_id").loc[event_id, "region"]
            may_code = common.may(access.EDIT, event_region)
            default, seen = views.coding_start(frames.codings, point_id, who)
            if not who and may_code:
                st.warning("Type your name in the sidebar to code points: every coding records its coder.")
            with st.container(border=True):
                st.caption(f"Suggested sub-themes (offline, {coding.SUGGESTER_CODER}): a suggestion is never saved "
                           "by itself. Start from them below, then keep, change or remove each before saving.")
                offered = suggest.for_point(frames, codebook, event_id, point["text"])
                if not offered:
                    st.text(suggest.NONE_OFFERED)
                for rank, s in enumerate(offered, start=1):
                    st.text(suggest.describe(s, rank, names))
                chosen = [s.code for s in offered if s.suggested]
            if common.edit_allowed(event_region, what="codings of roundtable points"):
                st.button("Start my coding from the suggestions" if chosen else "Start my coding from none of these",
                          key=f"rt_use_suggestions_{point_id}", on_click=ui.use_suggestions,
                          args=(int(point_id), chosen), disabled=not who,
                          help="Puts the suggested sub-themes in the form below; nothing is saved until you save.")
                with st.form(f"rt_code_form_{point_id}"):
                    codes_key = f"rt_codes_{point_id}"  # set by "Start my coding from the suggestions"
                    st.multiselect("Your sub-themes for this point", [c.id for c in codebook.codes],
                                   default=None if codes_key in st.session_state else
                                   [c for c in default if c in names], format_func=lambda c: names.get(c, c),
                                   key=codes_key,
                                   help="Starts from your own earlier coding, else the coding in force. Accept it as "
                                        "it is, remove codes, or add others. An empty list records 'none of these'.")
                    st.text_input("Reason (optional)", key=f"rt_reason_{point_id}")
                    number = int(listing.loc[listing["point_id"] == point_id, "No."].iloc[0])
                    st.form_submit_button("Save my coding", on_click=ui.save_coding,
                                          args=(engine, int(point_id), seen, number, names), disabled=not who,
                                          type="primary")

            ui.panel_response(engine, int(point_id), point, may_code=may_code, who=who)

if tab_agree.open:
    with tab_agree, common.error_boundary('Coder agreement'):
        people = coding.coders(regional.codings)
        if len(people) < 2:
            st.info("Agreement needs two coders who have coded the same points. The automatic rules count as a "
                    "coder ('rules'), so one person coding points is enough to compare with the rules.")
        else:
            left, right = st.columns(2)
            coder_a = left.selectbox("First coder", people, index=0, key="rt_coder_a")
            coder_b = right.selectbox("Second coder", [p for p in people if p != coder_a], index=0, key="rt_coder_b")
            n, shown_agree = views.agreement_table(regional.codings, coder_a, coder_b, codebook)
            st.text(f"{n} point(s) coded by both {coder_a} and {coder_b} in {common.region_label()}.")
            st.dataframe(shown_agree, hide_index=True, width="stretch")
            st.caption("[z] kappa is not defined: both coders gave the same answer on every double-coded point "
                       "(or none are double-coded).")
            common.download_table(shown_agree, f"Coder agreement {coder_a} and {coder_b}", key="rt_kappa",
                                  notes=["Cohen's kappa per sub-theme over the points both coders coded."])

            st.header("Any number of coders")
            chosen_coders = st.multiselect("Coders to compare", people, default=people,  # all again when a coder joins
                                           key="rt_coders_many_" + "|".join(people))
            if len(chosen_coders) >= 2:
                shown_many = views.alpha_table(regional.codings, chosen_coders, codebook)
                st.dataframe(shown_many, hide_index=True, width="stretch")
                st.caption("Alpha: nominal, each sub-theme a yes/no decision per point; a coder who did not code "
                           "a point is missing there. [z]: not defined, every decision was the same.")
                common.download_table(shown_many, "Coder agreement, any number of coders", key="rt_alpha",
                                      notes=["Krippendorff's alpha (nominal) and percent agreement per sub-theme."])
                review = views.review_table(frames, regional.codings, chosen_coders, codebook)
                st.text(f"{len(review)} point(s) where these coders gave different sub-themes, to review:")
                st.dataframe(review, hide_index=True, width="stretch")
        if common.may(access.EDIT, sorted(set(regional.events["region"]))):
            st.button(f"Record the suggester's codes ({coding.SUGGESTER_CODER}) for these events",
                      key="rt_record_suggester", args=([int(e) for e in regional.events["event_id"]],),
                      on_click=lambda ids: ui.keep(edits.record_suggester(engine, common.current_user(), ids)),
                      help="Stores what the suggester would code, as its own coder, to measure its agreement "
                           "with people. It never changes the counts.")


with tab_import:
    with common.error_boundary("Importing notes"):
        if not common.may_edit_some():
            common.edit_allowed(what="roundtable events")  # says why there is no import form
        else:
            st.write("Upload one file per event: Word (.docx), Markdown (.md), plain text (.txt), or a CSV/XLSX with a "
                     "'Point' column. Put the event's details at the top of the notes as lines like 'Region: London', "
                     "'Date: 24 June 2021', 'Attendees: 52', 'Partnerships: 17', 'Panel lead: ...'; the form asks "
                     "for anything missing. If any file cannot be imported, none is.")
            uploads = st.file_uploader("Notes", type=import_preview.FILE_TYPES, accept_multiple_files=True,
                                       key=f"rt_upload_{st.session_state.get('rt_upload_round', 0)}")
            readable = []
            for upload in uploads or []:
                content = upload.getvalue()
                try:
                    with common.upload_queue():
                        readable.append((upload.name, ui.read_cached(upload.name, common.content_key(content),
                                                                     content), content))
                except InputError as err:
                    common.show_input_error(err)
            if readable:
                previews = [ui.file_preview(i, name, notes, content, region)
                            for i, (name, notes, content) in enumerate(readable)]
                all_ready = all(p is not None for p in previews)
                submitted = st.button(f"Import {len(readable)} file(s)", type="primary", key="rt_import_button",
                                      disabled=not common.current_user() or not all_ready)
                if not all_ready:
                    st.warning("Fix the lines named above before importing.", icon=":material/warning:")
                if not common.current_user():
                    st.warning("Type your name in the sidebar to import: every import records who made it.")
                if submitted:
                    try:
                        with st.spinner("Importing the notes and coding their points…"):
                            outcome = edits.import_previewed(engine, previews, common.current_user(), codebook)
                    except InputError as err:
                        common.show_input_error(err)
                    else:
                        st.session_state["rt_upload_round"] = st.session_state.get("rt_upload_round", 0) + 1
                        ui.keep(outcome)
                        st.rerun()

    # Its own section: removing an event stays possible when a view above fails.
    with common.error_boundary("Removing an event"):
        if common.edit_allowed(action=access.DELETE, what="roundtable events"):
            ui.remove_event_form(engine, frames.events)

with tab_codebook:
    with common.error_boundary('The theme codebook'):
        book = views.codebook_table(codebook)
        st.dataframe(book, hide_index=True, width="stretch")
        common.download_table(book, "Roundtable theme codebook", key="rt_codebook_table")
        st.download_button("Download the codebook (TOML)", dump_themes(codebook).encode(), file_name="themes.toml",
                           mime="application/toml", on_click="ignore", icon=":material/download:")
        if common.edit_allowed(what="the theme codebook"):
            ui.codebook_form(engine, codebook_toml, codebook_version)
