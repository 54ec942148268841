"""Roundtable notes: import notes, see themes by region and by event, the
points behind each count, recode points, coder agreement, link points to the
Panel's response tracker, and edit the theme codebook.

Thin on purpose: every number comes from feedback.roundtables.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from feedback import access, db
from feedback.errors import InputError, Refused
from feedback.regions import REGIONS, region_in_text
from feedback.roundtables import coding, figures, links, store, suggest, views
from feedback.roundtables.read import META_LABELS, POINT, RESPONSE, ROLES, SKIPPED, SUFFIXES, read_notes, with_roles
from feedback.tracker.models import DECISIONS
from feedback.roundtables.themes import dump_themes
from ui import common

FLASH = "roundtables_flash"
plain = common.plain  # names and values people typed show as typed (never as links or formatting)


def flash(kind: str, message: str) -> None:
    """Keep a message for the next run (a callback's result survives the rerun)."""
    st.session_state[FLASH] = (kind, message)


def show_flash() -> None:
    """Show the kept message in a slot that is always there, so the tabs below keep their place
    (an element appearing above them would make Streamlit reset them to the first tab)."""
    slot = st.container()
    kind, message = st.session_state.pop(FLASH, (None, None))
    if kind == "success":
        slot.success(plain(message), icon=":material/check_circle:")
    elif kind == "error":
        slot.error(plain(message), icon=":material/error:")
    elif kind == "warning":
        slot.warning(plain(message), icon=":material/warning:")


@st.cache_data(show_spinner=False, max_entries=64)
def read_cached(name: str, digest: str, content: bytes):
    """Read an uploaded file once per content (cache key includes the hash)."""
    return read_notes(name, content)


@st.cache_data(show_spinner=False, max_entries=64)
def roles_cached(digest: str, _notes, roles: tuple[str, ...], answers: tuple[str, ...]):
    """The notes with the roles set in the preview (points merged again only when the roles change)."""
    return with_roles(_notes, list(roles), list(answers))


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
# The "sample data" note while the sample is all there is (not once real notes are imported beside it).
is_sample = bool(len(frames.events)) and bool((frames.events["imported_by"] == "sample data").all())

common.page_title("Regional roundtable notes")
st.caption(f"Region: {common.region_label()}. Feedback points from the Panel's regional roundtables, coded to "
           "themes. " + ("Includes sample notes built from the published summary (Annex C), not real notes."
                         if is_sample else ""))
show_flash()

region_events = frames.events if region is None else frames.events[frames.events["region"] == region]
totals = event_totals(frames.events, region=region)
overall = totals.iloc[-1]
with common.section("The totals"):
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Events", f"{int(overall['Events']):,}")
    c2.metric("Attendees", f"{int(overall['Attendees']):,}")
    c3.metric("Partnerships", f"{int(overall['Partnerships']):,}")
    c4.metric("Feedback points", f"{int(frames.points['event_id'].isin(region_events['event_id']).sum()):,}")

tab_region, tab_event, tab_code, tab_agree, tab_import, tab_codebook = st.tabs(
    ["Themes by region", "Themes per event", "Points and coding", "Coder agreement", "Import notes",
     "Theme codebook"], key="rt_tab", **common.IN_ADDRESS)
# Tabs kept in the address rerun the page when switched: the counts and charts are drawn only in
# the open tab (``tab.open``); the coding, import and codebook forms in every run, so what someone
# has typed or chosen there survives a look at another tab.

# ------------------------------------------------------------------ themes by region
if tab_region.open:
    with tab_region, common.section('The themes by region'):
        level_word = st.radio("Count by", ["Sub-theme", "Theme"], horizontal=True, key="rt_level",
                              **common.IN_ADDRESS)
        level = "sub_theme" if level_word == "Sub-theme" else "theme"
        table = themes_by_region(frames, codebook, level=level, region=region)
        title = f"Feedback points by {level_word.lower()} and region"
        subtitle = f"{common.region_label()}: {int(overall['Events'])} events, {int(overall['Attendees'])} attendees"
        heat = figures.heat_chart(table, title=title, subtitle=subtitle, sample=is_sample)
        common.show_chart(heat)  # as exported
        common.download_chart(heat, title, alt=figures.heat_alt_text(table, title=title, subtitle=subtitle),
                              key="rt_heat_region")

        status = links.theme_status(engine, frames, codebook, region=region, level=level)
        shown = table.reset_index(drop=True)
        if not status.empty:
            key_col = "Sub-theme" if level == "sub_theme" else "Theme"
            shown = shown.merge(status, on=key_col, how="left")
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
        rows = list(table.index)
        label = (lambda r: names.get(r, r)) if level == "sub_theme" else str
        row_choice = left.selectbox(level_word, rows, format_func=label, key="rt_cell_row")
        region_options = [region] if region else ["All regions", *REGIONS]
        col_choice = right.selectbox("Region", region_options, key="rt_cell_region")
        cell_region = None if col_choice == "All regions" else col_choice
        behind = points_behind(frames, codebook, region=cell_region,
                                     **({"code": row_choice} if level == "sub_theme" else {"theme": row_choice}))
        st.text(f"{len(behind)} point(s) on {label(row_choice)} in {col_choice}.")
        if not behind.empty:
            behind_shown = pd.DataFrame({
                "Region": behind["region"], "Event": behind["event"],
                "Date": pd.to_datetime(behind["event_date"]).dt.strftime("%d %b %Y"), "Point": behind["text"],
                "Sub-themes": behind["sub_themes"], "Matched words": behind["matched"], "Coded by": behind["coder"],
                "Merged texts": behind["merged"].map(lambda m: " | ".join(m)),
            })
            st.dataframe(behind_shown, hide_index=True, width="stretch")
            common.download_table(behind_shown, f"Points on {label(row_choice)} in {col_choice}",
                                  key="rt_behind")

        responses = links.theme_items(engine, frames, codebook, label(row_choice), region=cell_region, level=level)
        if not responses.empty:
            st.text(f"The Panel's response on {label(row_choice)}: {len(responses)} tracker item(s).")
            st.dataframe(responses, hide_index=True, width="stretch")
            common.download_table(responses, f"Panel responses on {label(row_choice)}", key="rt_responses")

        st.header("Totals per event")
        st.dataframe(totals, hide_index=True, width="stretch", height=36 * (len(totals) + 1) + 4)
        common.download_table(totals, "Roundtable events and attendance", key="rt_totals",
                              notes=["Sample data built from the published summary." if is_sample else ""])

# ------------------------------------------------------------------ themes per event
if tab_event.open:
    with tab_event, common.section('The themes per event'):
        level_word_e = st.radio("Count by", ["Sub-theme", "Theme"], horizontal=True, key="rt_level_event",
                                **common.IN_ADDRESS)
        level_e = "sub_theme" if level_word_e == "Sub-theme" else "theme"
        per_event = themes_by_event(frames, codebook, level=level_e, region=region)
        title_e = f"Feedback points by {level_word_e.lower()} and event"
        heat_e = figures.heat_chart(per_event, title=title_e, subtitle=common.region_label(), sample=is_sample,
                                    vertical_labels=True)
        common.show_chart(heat_e)
        common.download_chart(heat_e, title_e, alt=figures.heat_alt_text(per_event, title=title_e,
                                                                         subtitle=common.region_label()),
                              key="rt_heat_event")
        st.dataframe(per_event.reset_index(drop=True), hide_index=True, width="stretch")
        common.download_table(per_event.reset_index(drop=True), title_e, notes=[figures.NOTE], key="rt_table_event")

# ------------------------------------------------------------------ points and coding


def save_coding(point_id: int, seen_version: int | None, number: int) -> None:
    """Form callback: runs before the rerun, with the version the person was looking at.
    Messages name the point by the number shown in the event's list, not its database id."""
    who = common.current_user()
    codes = st.session_state.get(f"rt_codes_{point_id}", [])
    reason_key = f"rt_reason_{point_id}"
    reason = st.session_state.get(reason_key, "").strip()
    try:
        store.code_point(engine, point_id, codes, who, seen_version, reason)
    except db.StaleEdit as err:
        flash("error", f"{err} Their codes now: {err.current.get('codes', '')}.")
    except (InputError, Refused) as err:
        flash("error", str(err).replace(f"Point {point_id} ", f"Point {number} "))
    else:
        shown = "; ".join(names.get(c, c) for c in codes) or "no sub-theme"
        flash("success", f"Saved your coding of point {number}: {shown}."
              + (" Your reason is in the coding history." if reason else ""))
        st.session_state[reason_key] = ""  # the reason is kept in the history; the field starts empty again


def use_suggestions(point_id: int, codes: list[str]) -> None:
    """Button callback: the suggester's codes become the starting point of the person's own coding
    (the form below), to keep, change or empty before they save it. Nothing is saved here."""
    st.session_state[f"rt_codes_{point_id}"] = list(codes)
    reason_key = f"rt_reason_{point_id}"
    if not st.session_state.get(reason_key):
        st.session_state[reason_key] = f"started from the suggestions of {coding.SUGGESTER_CODER}"


def record_suggester(event_ids: list[int]) -> None:
    try:
        n = store.record_suggestions(engine, common.current_user(), event_ids)
    except (InputError, Refused, db.StaleEdit) as err:
        flash("error", str(err))
    else:
        flash("success", f"Recorded the suggester's codes as coder '{coding.SUGGESTER_CODER}' ({n} point(s) new or "
                         "changed). They are compared below, never counted.")


def link_item(point_id: int, seen_version: int, action: str) -> None:
    who = common.current_user()
    try:
        if action == "raise":
            ref = links.raise_item(engine, point_id, who, seen_version)
            flash("success", f"Raised tracker item {ref} from this point.")
        else:
            item = st.session_state.get(f"rt_item_{point_id}")
            ref = links.link_item(engine, point_id, item, who, seen_version)
            flash("success", f"Linked this point to tracker item {ref}.")
    except db.StaleEdit as err:
        flash("error", str(err))
    except (InputError, Refused, links.TrackerUnavailable) as err:
        flash("error", str(err))


with tab_code:
    with common.section('The points and their coding'):
        events = region_events.sort_values(["event_date", "event_id"])
        if events.empty:
            st.info("No roundtable notes for this region yet. Import some on the 'Import notes' tab.")
        else:
            event_label = views.event_labels(events)
            event_id = st.selectbox("Event", list(events["event_id"]), format_func=lambda e: event_label[e],
                                    key="rt_event")
            listing = views.event_points(frames, codebook, event_id)
            st.dataframe(listing.drop(columns=["point_id"]), hide_index=True, width="stretch")
            point_label = dict(zip(listing["point_id"], listing["No."].astype(str) + ". " + listing["Point"].str.slice(0, 90),
                                   strict=True))
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
            mine = frames.codings[(frames.codings["point_id"] == point_id) & (frames.codings["coder"] == who)]
            in_force = views.current_codes(frames.codings[frames.codings["point_id"] == point_id])
            default = list(mine["codes"].iloc[0]) if not mine.empty else list(in_force["code"])
            seen = int(mine["version"].iloc[0]) if not mine.empty else None
            if not who and may_code:
                st.warning("Type your name in the sidebar to code points: every coding records its coder.")
            with st.container(border=True):
                st.caption(f"Suggested sub-themes (offline, {coding.SUGGESTER_CODER}): a suggestion is never saved "
                           "by itself. Start from them below, then keep, change or remove each before saving.")
                model = suggest.Suggester(codebook, suggest.examples_for_event(frames, int(event_id)))
                offered = model.suggest([str(point["text"])])[0]
                if not offered:
                    st.text("No sub-theme scored 0.15 or more: code this point by hand.")
                for rank, s in enumerate(offered, start=1):
                    kind = "suggested" if s.suggested else "weaker candidate"
                    st.text(f"{rank}. {names.get(s.code, s.code)}: score {s.score:.2f}, {kind}. Why: {s.reason}")
                chosen = [s.code for s in offered if s.suggested]
            if common.edit_allowed(event_region, what="codings of roundtable points"):
                st.button("Start my coding from the suggestions" if chosen else "Start my coding from none of these",
                          key=f"rt_use_suggestions_{point_id}", on_click=use_suggestions,
                          args=(int(point_id), chosen), disabled=not who,
                          help="Puts the suggested sub-themes in the form below; nothing is saved until you save.")
                with st.form(f"rt_code_form_{point_id}"):
                    codes_key = f"rt_codes_{point_id}"  # set by "Start my coding from the suggestions"
                    st.multiselect("Your sub-themes for this point", [c.id for c in codebook.codes],
                                   default=None if codes_key in st.session_state else
                                   [c for c in default if c in names], format_func=lambda c: names.get(c, c),
                                   key=f"rt_codes_{point_id}",
                                   help="Starts from your own earlier coding, else the coding in force. Accept it as it "
                                        "is, remove codes, or add others. An empty list records 'none of these'.")
                    st.text_input("Reason (optional)", key=f"rt_reason_{point_id}")
                    number = int(listing.loc[listing["point_id"] == point_id, "No."].iloc[0])
                    st.form_submit_button("Save my coding", on_click=save_coding,
                                          args=(int(point_id), seen, number), disabled=not who, type="primary")

            st.header("Panel response")
            item_id = point["tracker_item_id"]
            linked = pd.notna(item_id)
            if linked:
                summary = links.item_summary(engine, int(item_id))
                first = summary.iloc[0]
                st.text(f"Linked to tracker item {first['Tracker item']}: Panel decision "
                        f"{first.get('Panel decision', 'not known')}; actions: {first.get('Actions', 'none')}.")
                st.dataframe(summary, hide_index=True, width="stretch")
            if links.available() and may_code:
                left, right = st.columns(2)
                if not linked:
                    with left:
                        st.button("Raise a new tracker item from this point", key=f"rt_raise_{point_id}",
                                  on_click=link_item, args=(int(point_id), int(point["version"]), "raise"),
                                  disabled=not who)
                with right if not linked else left:
                    options = links.item_choices(engine)
                    st.selectbox("Link to a different tracker item" if linked else "Or link an existing item",
                                 list(options), format_func=lambda i: options[i], key=f"rt_item_{point_id}",
                                 index=None, placeholder="Choose a tracker item")
                    st.button("Link", key=f"rt_link_{point_id}", on_click=link_item,
                              args=(int(point_id), int(point["version"]), "link"), disabled=not who)
            elif not links.available():
                st.info("The response tracker is not available yet, so points cannot be linked to it.")

# ------------------------------------------------------------------ coder agreement
if tab_agree.open:
    with tab_agree, common.section('Coder agreement'):
        in_region = frames.codings[frames.codings["point_id"].isin(
            frames.points.loc[frames.points["event_id"].isin(region_events["event_id"]), "point_id"])]
        people = coding.coders(in_region)
        if len(people) < 2:
            st.info("Agreement needs two coders who have coded the same points. The automatic rules count as a "
                    "coder ('rules'), so one person coding points is enough to compare with the rules.")
        else:
            left, right = st.columns(2)
            coder_a = left.selectbox("First coder", people, index=0, key="rt_coder_a")
            coder_b = right.selectbox("Second coder", [p for p in people if p != coder_a], index=0, key="rt_coder_b")
            agree = coding.agreement(in_region, coder_a, coder_b, [c.id for c in codebook.codes], names)
            n = int(agree["double_coded"].iloc[0]) if len(agree) else 0
            st.text(f"{n} point(s) coded by both {coder_a} and {coder_b} in {common.region_label()}.")
            shown_agree = pd.DataFrame({
                "Sub-theme": agree["sub_theme"], "Double-coded points": agree["double_coded"],
                "Cohen's kappa": agree["kappa"].map(lambda k: "[z]" if pd.isna(k) else f"{k:.2f}"),
                "Observed agreement": agree["observed_agreement"].round(3),
                "Both yes": agree["both_yes"], f"Only {coder_a}": agree["only_a"], f"Only {coder_b}": agree["only_b"],
                "Both no": agree["both_no"],
            })
            st.dataframe(shown_agree, hide_index=True, width="stretch")
            st.caption("[z] kappa is not defined: both coders gave the same answer on every double-coded point "
                       "(or none are double-coded).")
            common.download_table(shown_agree, f"Coder agreement {coder_a} and {coder_b}", key="rt_kappa",
                                  notes=["Cohen's kappa per sub-theme over the points both coders coded."])

            st.header("Any number of coders")
            chosen_coders = st.multiselect("Coders to compare", people, default=people,  # all again when a coder joins
                                           key="rt_coders_many_" + "|".join(people))
            if len(chosen_coders) >= 2:
                many = coding.multi_agreement(in_region, chosen_coders, [c.id for c in codebook.codes], names)
                shown_many = pd.DataFrame({
                    "Sub-theme": many["sub_theme"], "Points coded by two or more": many["points_compared"],
                    "Krippendorff's alpha": many["alpha"].map(lambda a: "[z]" if pd.isna(a) else f"{a:.3f}"),
                    "Percent agreement": (100 * many["percent_agreement"]).round(1),
                })
                st.dataframe(shown_many, hide_index=True, width="stretch")
                st.caption("Alpha: nominal, each sub-theme a yes/no decision per point; a coder who did not code "
                           "a point is missing there. [z]: not defined, every decision was the same.")
                common.download_table(shown_many, "Coder agreement, any number of coders", key="rt_alpha",
                                      notes=["Krippendorff's alpha (nominal) and percent agreement per sub-theme."])
                review = coding.disagreements(in_region, chosen_coders, names)
                texts = frames.points.set_index("point_id")["text"]
                review.insert(1, "Point", review["point_id"].map(texts).fillna(""))
                st.text(f"{len(review)} point(s) where these coders gave different sub-themes, to review:")
                st.dataframe(review.drop(columns=["point_id"]), hide_index=True, width="stretch")
        if common.may(access.EDIT, sorted(set(region_events["region"]))):
            st.button(f"Record the suggester's codes ({coding.SUGGESTER_CODER}) for these events",
                      key="rt_record_suggester", on_click=record_suggester,
                      args=([int(e) for e in region_events["event_id"]],),
                      help="Stores what the suggester would code, as its own coder, to measure its agreement "
                           "with people. It never changes the counts.")

# ------------------------------------------------------------------ import
def remove_event(event_id: int | None, seen_version: int | None) -> None:
    if event_id is None or seen_version is None:
        return
    try:
        store.remove_event(engine, int(event_id), seen_version, common.current_user(),
                           st.session_state.get("rt_remove_reason", "") or "removed on the roundtables page")
    except (db.StaleEdit, InputError, Refused, ValueError) as err:
        flash("error", str(err))
    else:
        st.session_state["rt_remove_event"] = None
        flash("success", "Removed the event with its points and codings.")


with tab_import:
    with common.section("Importing notes"):
        if not common.may_edit_some():
            common.edit_allowed(what="roundtable events")  # says why there is no import form
        else:
            st.write("Upload one file per event: Word (.docx), Markdown (.md), plain text (.txt), or a CSV/XLSX with a "
                     "'Point' column. Put the event's details at the top of the notes as lines like 'Region: London', "
                     "'Date: 24 June 2021', 'Attendees: 52', 'Partnerships: 17', 'Panel lead: ...'; the form asks "
                     "for anything missing. If any file cannot be imported, none is.")
            upload_key = f"rt_upload_{st.session_state.get('rt_upload_round', 0)}"
            uploads = st.file_uploader("Notes", type=[s.lstrip(".") for s in SUFFIXES], accept_multiple_files=True,
                                       key=upload_key)
            readable = []
            for upload in uploads or []:
                content = upload.getvalue()
                try:
                    with common.upload_queue():
                        notes = read_cached(upload.name, common.content_key(content), content)
                except InputError as err:
                    common.show_input_error(err)
                    continue
                readable.append((upload.name, notes, content))
            # Keys and details go by position and content, never by file name alone: two uploads may
            # share a name (two folders' notes.docx).
            if readable:
                details: list[dict] = []
                prepared: list = []  # per file, the notes with the roles as set below (None: not ready)
                offers: list[pd.DataFrame] = []
                decisions: list[str] = []
                for i, (name, notes, content) in enumerate(readable):
                    fkey = f"{i}_{common.content_key(content)[:12]}"
                    with st.container(border=True):
                        counts = pd.Series([x.role for x in notes.lines]).value_counts()
                        unsure = notes.unsure
                        st.text(f"{name}: read {len(notes.lines)} line(s): {counts.get(POINT, 0)} feedback point(s), "
                                f"{counts.get(RESPONSE, 0)} Panel response(s), {counts.get('event detail', 0)} event "
                                f"detail(s), {counts.get('action', 0)} action(s), {counts.get('heading', 0)} "
                                f"heading(s), {counts.get(SKIPPED, 0)} skipped.")
                        for problem in notes.problems:
                            st.warning(plain(problem), icon=":material/warning:")
                        if unsure:
                            st.warning(plain(f"Unsure of {len(unsure)} line(s): "
                                             + "; ".join(f"line {x.no} ({x.role}): {x.note}" for x in unsure[:5])
                                             + ("; ..." if len(unsure) > 5 else "")
                                             + ". Check them below (ticked under 'Unsure')."),
                                       icon=":material/help:")
                        if notes.missing:
                            st.text("Missing from the notes: " + ", ".join(META_LABELS[m].lower() for m in notes.missing))
                        m = notes.meta
                        if m.other:
                            st.text("Other details (kept in the event's note): "
                                    + "; ".join(f"{k}: {v}" for k, v in m.other.items()))
                        a, b, c = st.columns(3)
                        d, e = st.columns([1, 2])
                        # Pre-filled from the notes' "Region:" line, else the heading, else the sidebar.
                        guess = m.region or region_in_text(m.title) or region
                        details.append({
                            "region": a.selectbox("Region", REGIONS, key=f"rt_f_region_{fkey}",
                                                  index=REGIONS.index(guess) if guess in REGIONS else None,
                                                  placeholder="Choose a region"),
                            "event_date": b.date_input("Date", value=m.event_date, key=f"rt_f_date_{fkey}",
                                                       format="DD/MM/YYYY"),
                            "attendees": c.number_input("Attendees", min_value=0, step=1, value=m.attendees,
                                                        key=f"rt_f_att_{fkey}"),
                            "partnerships": d.number_input("Partnerships", min_value=0, step=1, value=m.partnerships,
                                                           key=f"rt_f_part_{fkey}"),
                            "panel_lead": e.text_input("Panel lead", value=m.panel_lead or "", key=f"rt_f_lead_{fkey}"),
                        })
                        st.caption("What each line was read as. Only 'point' lines are imported as feedback points; "
                                   "a Panel response is kept with the point(s) it answers (their line numbers); "
                                   "change a role or a line number where the reading is wrong.")
                        lines = notes.lines_frame()
                        edited = st.data_editor(
                            lines, hide_index=True, width="stretch", key=f"rt_f_lines_{fkey}",
                            height=35 * (min(len(lines), 20) + 1) + 3,
                            disabled=["line", "text", "section", "unsure", "note"],
                            column_config={
                                "line": st.column_config.NumberColumn("Line", pinned=True),
                                "role": st.column_config.SelectboxColumn(
                                    "Read as", options=list(ROLES), required=True, pinned=True,
                                    help="point: a feedback point (counted); Panel response: kept with the point it "
                                         "answers, never counted; event detail, action, heading or skipped: not a "
                                         "point."),
                                "text": st.column_config.TextColumn("Text", width="large"),
                                "section": "Section",
                                "answers": st.column_config.TextColumn(
                                    "Answers line(s)", help="For a Panel response or an action: the line number(s) "
                                                            "of the point(s) it answers, like 3 or 3, 4."),
                                "unsure": st.column_config.CheckboxColumn("Unsure"),
                                "note": st.column_config.TextColumn("Why / what to check", width="large")})
                        try:
                            ready = roles_cached(common.content_key(content), notes, tuple(edited["role"]),
                                                 tuple(edited["answers"].fillna("").astype(str)))
                        except InputError as err:
                            common.show_input_error(err)
                            ready = None
                        prepared.append(ready)
                        if ready is None:
                            offers.append(links.responses_offered(notes).iloc[0:0])
                            decisions.append("noted")
                            continue
                        merged = sum(len(p.merged) for p in ready.points)
                        st.text(f"To import: {len(ready.points)} feedback point(s)"
                                + (f" ({merged} near-identical merged into them)" if merged else "") + ".")
                        offer = links.responses_offered(ready)
                        if offer.empty or not links.available():
                            offers.append(offer)
                            decisions.append("noted")
                            continue
                        st.caption("The Panel's responses and actions in the notes, offered for the tracker: each "
                                   "ticked row raises a tracker item from its point, linked to it, with the response "
                                   "and the actions (one a line). Edit them here first; untick to leave one out.")
                        decisions.append(st.selectbox(
                            "Panel decision recorded with these responses", DECISIONS, index=DECISIONS.index("noted"),
                            key=f"rt_f_decision_{fkey}", help="The tracker needs a decision with each response; "
                                                              "change it there per item later."))
                        offers.append(st.data_editor(
                            offer, hide_index=True, width="stretch", key=f"rt_f_offer_{fkey}",
                            disabled=["point", "line", "text"],
                            column_config={"record": st.column_config.CheckboxColumn("Record", pinned=True),
                                           "point": "Point no.", "line": "Line",
                                           "text": st.column_config.TextColumn("Point", width="medium"),
                                           "response": st.column_config.TextColumn("Panel response", width="large"),
                                           "actions": st.column_config.TextColumn("Actions (one a line)")}))
                all_ready = all(r is not None for r in prepared)
                submitted = st.button(f"Import {len(readable)} file(s)", type="primary", key="rt_import_button",
                                      disabled=not common.current_user() or not all_ready)
                if not all_ready:
                    st.warning("Fix the lines named above before importing.", icon=":material/warning:")
                if not common.current_user():
                    st.warning("Type your name in the sidebar to import: every import records who made it.")
                if submitted:
                    try:
                        batch = [(store.fill_details(ready, given), content)
                                 for (_name, _notes, content), given, ready in zip(readable, details, prepared,
                                                                                   strict=True)]
                        with st.spinner("Importing the notes and coding their points…"):
                            ids = store.import_notes(engine, batch, common.current_user(), codebook)
                    except InputError as err:
                        common.show_input_error(err)
                    else:
                        st.session_state["rt_upload_round"] = st.session_state.get("rt_upload_round", 0) + 1
                        recorded, failed = [], []
                        for event_id, offer, decision in zip(ids, offers, decisions, strict=True):
                            if offer.empty:
                                continue
                            try:
                                recorded += links.record_responses(engine, event_id, offer, common.current_user(),
                                                                   decision, codebook)
                            except (InputError, Refused, links.TrackerUnavailable) as err:
                                failed.append(str(err))
                        message = f"Imported {len(ids)} event(s) with their points, coded by the rules."
                        if recorded:
                            message += (f" Recorded the Panel's responses and actions on {len(recorded)} tracker "
                                        f"item(s): {', '.join(recorded)}.")
                        if failed:
                            flash("warning", message + " The responses were not recorded in the tracker: "
                                  + " ".join(failed))
                        else:
                            flash("success", message)
                        st.rerun()

    # Its own section: removing an event stays possible when a view above fails.
    with common.section("Removing an event"):
        if common.edit_allowed(action=access.DELETE, what="roundtable events"):
            with st.expander("Remove an imported event"):
                st.caption("Removes the event with its points and codings (links to tracker items go with them; the "
                           "tracker items stay). The removal is recorded in the history.")
                all_events = frames.events.sort_values(["event_date", "event_id"])
                if not all_events.empty:
                    labels_all = views.event_labels(all_events)
                    st.selectbox("Event to remove", list(all_events["event_id"]), index=None, key="rt_remove_event",
                                 format_func=lambda e: f"{labels_all[e]}: {all_events.set_index('event_id').loc[e, 'filename']}",
                                 placeholder="Choose an event")
                    chosen = st.session_state.get("rt_remove_event")
                    seen_event = (int(all_events.set_index("event_id").loc[chosen, "version"])
                                  if chosen in set(all_events["event_id"]) else None)
                    st.text_input("Reason", key="rt_remove_reason")
                    st.button("Remove this event", on_click=remove_event, args=(chosen, seen_event),
                              disabled=chosen is None or not common.current_user())

# ------------------------------------------------------------------ codebook


def save_codebook(seen_version: int | None) -> None:
    try:
        changed = store.save_codebook(engine, st.session_state.get("rt_codebook_text", ""),
                                      common.current_user(), seen_version,
                                      st.session_state.get("rt_codebook_reason", ""))
    except db.StaleEdit as err:
        flash("error", str(err))
    except (InputError, Refused) as err:
        flash("error", str(err))
    else:
        flash("success", f"Saved the codebook; the rules now code {changed} point(s) differently.")


with tab_codebook:
    with common.section('The theme codebook'):
        book = pd.DataFrame([{"Theme": c.theme, "Sub-theme": c.name, "Description": c.description,
                              "Keywords": "; ".join(c.keywords), "Phrases": "; ".join(c.phrases)}
                             for c in codebook.codes])
        st.dataframe(book, hide_index=True, width="stretch")
        common.download_table(book, "Roundtable theme codebook", key="rt_codebook_table")
        st.download_button("Download the codebook (TOML)", dump_themes(codebook).encode(), file_name="themes.toml",
                           mime="application/toml", on_click="ignore", icon=":material/download:")
        if common.edit_allowed(what="the theme codebook"):
            with st.form("rt_codebook_form"):
                st.text_area("Edit the codebook (TOML)", value=codebook_toml, height=400, key="rt_codebook_text",
                             help="Rules: a trailing * matches any ending; 'a & b' needs both in the same point. "
                                  "Saving re-runs the rules on every point; people's codings are kept.")
                st.text_input("Reason for the change", key="rt_codebook_reason")
                st.form_submit_button("Save the codebook", on_click=save_codebook, args=(codebook_version,),
                                      disabled=not common.current_user())
