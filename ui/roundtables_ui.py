"""The roundtables page's drawn pieces: the message kept across a rerun, and the
import preview of one file (what each line was read as, the event's details,
the Panel's responses offered to the tracker). Every sentence and number comes
from ``feedback.roundtables``; this module only draws and gathers input."""

from __future__ import annotations

import streamlit as st

from feedback.errors import InputError
from feedback.regions import REGIONS
from feedback.roundtables import edits, import_preview, links, views
from feedback.roundtables.edits import Outcome, PreviewedFile
from feedback.roundtables.read import ROLES, read_notes, with_roles
from feedback.tracker.choices import DECISIONS
from ui import common

FLASH = "roundtables_flash"
_SHOW = {"success": (st.success, ":material/check_circle:"), "error": (st.error, ":material/error:"),
         "warning": (st.warning, ":material/warning:")}


def keep(outcome: Outcome) -> None:
    """Keep a callback's outcome for the next run (the message survives the rerun)."""
    st.session_state[FLASH] = outcome


def show_kept() -> None:
    """Show the kept message in a slot that is always there, so the tabs below keep their place
    (an element appearing above them would make Streamlit reset them to the first tab)."""
    slot = st.container()
    outcome = st.session_state.pop(FLASH, None)
    if outcome is not None:
        show, icon = _SHOW[outcome.kind]
        with slot:
            show(common.markdown_literal(outcome.message), icon=icon)


@st.cache_data(show_spinner=False, max_entries=64)
def read_cached(name: str, digest: str, content: bytes):
    """Read an uploaded file once per content (cache key includes the hash)."""
    return read_notes(name, content)


@st.cache_data(show_spinner=False, max_entries=64)
def roles_cached(digest: str, _notes, roles: tuple[str, ...], answers: tuple[str, ...]):
    """The notes with the roles set in the preview (points merged again only when the roles change)."""
    return with_roles(_notes, list(roles), list(answers))


_LINE_COLUMNS = {
    "line": st.column_config.NumberColumn("Line", pinned=True),
    "role": st.column_config.SelectboxColumn(
        "Read as", options=list(ROLES), required=True, pinned=True,
        help="point: a feedback point (counted); Panel response: kept with the point it answers, never counted; "
             "event detail, action, heading or skipped: not a point."),
    "text": st.column_config.TextColumn("Text", width="large"),
    "section": "Section",
    "answers": st.column_config.TextColumn(
        "Answers line(s)", help="For a Panel response or an action: the line number(s) of the point(s) it "
                                "answers, like 3 or 3, 4."),
    "unsure": st.column_config.CheckboxColumn("Unsure"),
    "note": st.column_config.TextColumn("Why / what to check", width="large")}
_OFFER_COLUMNS = {"record": st.column_config.CheckboxColumn("Record", pinned=True), "point": "Point no.",
                  "line": "Line", "text": st.column_config.TextColumn("Point", width="medium"),
                  "response": st.column_config.TextColumn("Panel response", width="large"),
                  "actions": st.column_config.TextColumn("Actions (one a line)")}


def _details_form(notes, fkey: str, region: str | None) -> dict:
    """The event's details, pre-filled from the notes, for the person to complete or correct."""
    m = notes.meta
    a, b, c = st.columns(3)
    d, e = st.columns([1, 2])
    guess = import_preview.region_guess(notes, region)
    return {
        "region": a.selectbox("Region", REGIONS, key=f"rt_f_region_{fkey}",
                              index=REGIONS.index(guess) if guess in REGIONS else None,
                              placeholder="Choose a region"),
        "event_date": b.date_input("Date", value=m.event_date, key=f"rt_f_date_{fkey}", format="DD/MM/YYYY"),
        "attendees": c.number_input("Attendees", min_value=0, step=1, value=m.attendees, key=f"rt_f_att_{fkey}"),
        "partnerships": d.number_input("Partnerships", min_value=0, step=1, value=m.partnerships,
                                       key=f"rt_f_part_{fkey}"),
        "panel_lead": e.text_input("Panel lead", value=m.panel_lead or "", key=f"rt_f_lead_{fkey}"),
    }


def file_preview(i: int, name: str, notes, content: bytes, region: str | None) -> PreviewedFile | None:
    """One file's preview, in a box: what was read, the details form, each line's role (editable)
    and the responses offered to the tracker (editable). None while a line needs fixing."""
    fkey = f"{i}_{common.content_key(content)[:12]}"  # by position and content: two uploads may share a name
    with st.container(border=True):
        st.text(import_preview.read_summary(name, notes))
        for problem in notes.problems:
            st.warning(common.markdown_literal(problem), icon=":material/warning:")
        if unsure := import_preview.unsure_warning(notes):
            st.warning(common.markdown_literal(unsure), icon=":material/help:")
        for text in (import_preview.missing_text(notes), import_preview.other_details_text(notes)):
            if text:
                st.text(text)
        details = _details_form(notes, fkey, region)
        st.caption("What each line was read as. Only 'point' lines are imported as feedback points; a Panel "
                   "response is kept with the point(s) it answers (their line numbers); change a role or a line "
                   "number where the reading is wrong.")
        lines = notes.lines_frame()
        edited = st.data_editor(lines, hide_index=True, width="stretch", key=f"rt_f_lines_{fkey}",
                                height=35 * (min(len(lines), 20) + 1) + 3,
                                disabled=["line", "text", "section", "unsure", "note"], column_config=_LINE_COLUMNS)
        try:
            ready = roles_cached(common.content_key(content), notes, tuple(edited["role"]),
                                 tuple(edited["answers"].fillna("").astype(str)))
        except InputError as err:
            common.show_input_error(err)
            return None
        st.text(import_preview.to_import_text(ready))
        offer = links.responses_offered(ready)
        if offer.empty or not links.available():
            return PreviewedFile(ready, details, content, offer)
        st.caption("The Panel's responses and actions in the notes, offered for the tracker: each ticked row "
                   "raises a tracker item from its point, linked to it, with the response and the actions (one a "
                   "line). Edit them here first; untick to leave one out.")
        decision = st.selectbox("Panel decision recorded with these responses", DECISIONS,
                                index=DECISIONS.index("noted"), key=f"rt_f_decision_{fkey}",
                                help="The tracker needs a decision with each response; change it there per item "
                                     "later.")
        offer = st.data_editor(offer, hide_index=True, width="stretch", key=f"rt_f_offer_{fkey}",
                               disabled=["point", "line", "text"], column_config=_OFFER_COLUMNS)
        return PreviewedFile(ready, details, content, offer, decision)


# ---------------------------------------------------------------- callbacks (run before the rerun)


def save_coding(engine, point_id: int, seen_version: int | None, number: int, names: dict[str, str]) -> None:
    """"Save my coding": the codes and reason in the form, checked against the version the person saw."""
    reason_key = f"rt_reason_{point_id}"
    outcome = edits.save_coding(engine, point_id, st.session_state.get(f"rt_codes_{point_id}", []),
                                common.current_user(), seen_version, st.session_state.get(reason_key, "").strip(),
                                number=number, names=names)
    keep(outcome)
    if outcome.kind == "success":
        st.session_state[reason_key] = ""  # the reason is kept in the history; the field starts empty again


def use_suggestions(point_id: int, codes: list[str]) -> None:
    """The suggester's codes become the starting point of the person's own coding (the form), to keep,
    change or empty before they save it. Nothing is saved here."""
    st.session_state[f"rt_codes_{point_id}"] = list(codes)
    if not st.session_state.get(f"rt_reason_{point_id}"):
        st.session_state[f"rt_reason_{point_id}"] = edits.FROM_SUGGESTIONS


def link_item(engine, point_id: int, seen_version: int, action: str) -> None:
    """"Raise a new tracker item" (``action`` "raise") or "Link" to the item chosen beside the button."""
    who = common.current_user()
    keep(edits.raise_item(engine, point_id, who, seen_version) if action == "raise" else
         edits.link_item(engine, point_id, st.session_state.get(f"rt_item_{point_id}"), who, seen_version))


def _remove_event(engine, event_id: int | None, seen_version: int | None) -> None:
    if event_id is None or seen_version is None:
        return
    outcome = edits.remove_event(engine, int(event_id), seen_version, common.current_user(),
                                 st.session_state.get("rt_remove_reason", ""))
    keep(outcome)
    if outcome.kind == "success":
        st.session_state["rt_remove_event"] = None


# ---------------------------------------------------------------- forms


def remove_event_form(engine, events) -> None:
    """Choose an imported event and remove it, with a reason (for people whose role may)."""
    with st.expander("Remove an imported event"):
        st.caption("Removes the event with its points and codings (links to tracker items go with them; the "
                   "tracker items stay). The removal is recorded in the history.")
        choices, versions = views.removal_choices(events)
        if choices:
            st.selectbox("Event to remove", list(choices), index=None, key="rt_remove_event",
                         format_func=choices.get, placeholder="Choose an event")
            chosen = st.session_state.get("rt_remove_event")
            st.text_input("Reason", key="rt_remove_reason")
            st.button("Remove this event", on_click=_remove_event, args=(engine, chosen, versions.get(chosen)),
                      disabled=chosen is None or not common.current_user())


def panel_response(engine, point_id: int, point, *, may_code: bool, who: str) -> None:
    """The tracker item a point is linked to, with the Panel's decision and actions, and the buttons
    to raise a new item from the point or link it to another."""
    st.header("Panel response")
    item_id = views.linked_item(point)
    linked = item_id is not None
    if linked:
        summary = links.item_summary(engine, item_id)
        first = summary.iloc[0]
        st.text(f"Linked to tracker item {first['Tracker item']}: Panel decision "
                f"{first.get('Panel decision', 'not known')}; actions: {first.get('Actions', 'none')}.")
        st.dataframe(summary, hide_index=True, width="stretch")
    if links.available() and may_code:
        left, right = st.columns(2)
        if not linked:
            left.button("Raise a new tracker item from this point", key=f"rt_raise_{point_id}", on_click=link_item,
                        args=(engine, point_id, int(point["version"]), "raise"), disabled=not who)
        with right if not linked else left:
            options = links.item_choices(engine)
            st.selectbox("Link to a different tracker item" if linked else "Or link an existing item",
                         list(options), format_func=lambda i: options[i], key=f"rt_item_{point_id}",
                         index=None, placeholder="Choose a tracker item")
            st.button("Link", key=f"rt_link_{point_id}", on_click=link_item,
                      args=(engine, point_id, int(point["version"]), "link"), disabled=not who)
    elif not links.available():
        st.info("The response tracker is not available yet, so points cannot be linked to it.")


def codebook_form(engine, codebook_toml: str, seen_version: int | None) -> None:
    """The codebook as TOML to edit, with a reason; saving codes every point again by the rules."""
    with st.form("rt_codebook_form"):
        st.text_area("Edit the codebook (TOML)", value=codebook_toml, height=400, key="rt_codebook_text",
                     help="Rules: a trailing * matches any ending; 'a & b' needs both in the same point. "
                          "Saving re-runs the rules on every point; people's codings are kept.")
        st.text_input("Reason for the change", key="rt_codebook_reason")
        st.form_submit_button(
            "Save the codebook", args=(seen_version,), disabled=not common.current_user(),
            on_click=lambda seen: keep(edits.save_codebook(
                engine, st.session_state.get("rt_codebook_text", ""), common.current_user(), seen,
                st.session_state.get("rt_codebook_reason", ""))))
