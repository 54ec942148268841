"""Streamlit glue for the yearly-report audits page's two forms: entering one audit (each
problem shown beside its field, what was typed kept) and recording the date a report arrived.
The checks and the saving are in ``feedback.audits``; this draws the forms and the outcome."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from feedback.audits import store, views
from feedback.audits.entry import by_field, validate_audit
from feedback.audits.framework import SCORES, Framework
from feedback.errors import InputError, Refused
from ui import common

FLASH = "audits_flash"
FORM_ROUND = "audits_form_round"
FORM_PROBLEMS = "audits_form_problems"  # (form round, {field: [problem]}) of the last refused entry


def flash(kind: str, message: str) -> None:
    """Keep a message for the next run (it survives the rerun that shows the new data)."""
    st.session_state[FLASH] = (kind, message)


def show_flash() -> None:
    kind, message = st.session_state.pop(FLASH, (None, None))
    if kind == "success":
        st.success(common.markdown_literal(message), icon=":material/check_circle:")
    elif kind == "error":
        st.error(common.markdown_literal(message), icon=":material/error:")


def entry_form(engine, fw: Framework, year: str, years_allowed: list[str], region: str | None,
               audits_all: pd.DataFrame) -> None:
    """The form that enters one audit of a yearly report."""
    partnerships = store.partnership_regions(engine)
    choices = sorted(p for p, r in partnerships.items() if region in (None, r))
    round_ = st.session_state.get(FORM_ROUND, 0)
    st.caption("One report at a time. Score every criterion; give the page of the report for each Fully or "
               "Partly evidenced score, and a short quote if it helps.")
    kept = st.session_state.get(FORM_PROBLEMS)
    problems = kept[1] if kept and kept[0] == round_ else {}

    def beside(where, field: str) -> None:
        """The problems found with one field, shown under it (each once)."""
        for problem in problems.get(field, []):
            where.error(common.markdown_literal(problem[:1].upper() + problem[1:]), icon=":material/error:")

    if problems:
        count = sum(map(len, problems.values()))
        st.error(f"The audit was not saved: {count} problem{'s' if count > 1 else ''} to fix, shown beside "
                 "the fields below.", icon=":material/error:")
        beside(st, None)
    with st.form(f"aud_entry_{round_}"):
        left, right = st.columns(2)
        done = set(audits_all.loc[audits_all["reporting_year"] == year, "partnership"])
        partnership = left.selectbox("Partnership", choices, index=None, placeholder="Choose a partnership",
                                     format_func=lambda p: f"{p} (already audited for {year})"
                                     if p in done else p,
                                     key=f"aud_f_partnership_{round_}",
                                     help=f"Partnerships whose {year} report is already audited are marked.")
        beside(left, "partnership")
        entry_year = right.selectbox("Reporting year", years_allowed[::-1],
                                     index=years_allowed[::-1].index(year) if year in years_allowed else 0,
                                     key=f"aud_f_year_{round_}")
        beside(right, "reporting_year")
        auditor = left.text_input("Auditor", key=f"aud_f_auditor_{round_}", max_chars=300)
        beside(left, "auditor")
        audited_on = right.date_input("Audited on", value=None, key=f"aud_f_date_{round_}", format="DD/MM/YYYY")
        beside(right, "audited_on")
        values: dict = {"partnership": partnership or "", "reporting_year": entry_year, "auditor": auditor,
                        "audited_on": audited_on.isoformat() if audited_on else ""}
        themes = fw.theme_names()
        for theme_id, theme_name in themes.items():
            st.markdown(f"**{theme_name}**")
            for c in (c for c in fw.criteria if c.theme == theme_id):
                with st.container(border=True):
                    st.text(c.text)
                    a, b, d = st.columns([4, 1, 3])
                    score = a.radio(c.label, list(SCORES.values()), index=None, horizontal=True,
                                    key=f"aud_f_{c.id}_{round_}")
                    page = b.text_input("Page", key=f"aud_f_{c.id}_page_{round_}", max_chars=30)
                    quote = d.text_input("Quote (optional)", key=f"aud_f_{c.id}_quote_{round_}", max_chars=1000)
                    for field in (c.id, f"{c.id}_page", f"{c.id}_quote"):  # under the criterion's row:
                        beside(st, field)  # the page column is too narrow for a sentence
                    values |= {c.id: score or "", f"{c.id}_page": page, f"{c.id}_quote": quote}
        for lst in fw.lists:
            values[lst.id] = st.multiselect(lst.question, [c.label for c in lst.codes], key=f"aud_f_{lst.id}_{round_}")
            beside(st, lst.id)
        values["notes"] = st.text_area("Notes (optional)", key=f"aud_f_notes_{round_}", max_chars=4000)
        beside(st, "notes")
        submitted = st.form_submit_button("Save the audit", type="primary")
    if submitted:
        who = common.require_user()
        if who:
            _, found = validate_audit(values, fw, partnerships)  # the service checks again when saving
            st.session_state[FORM_PROBLEMS] = (round_, by_field(found))
            if found:
                st.rerun()  # the form again, with each problem beside its field
            try:
                audit_id = store.enter_audit(engine, values, fw, who)
            except (InputError, Refused) as err:
                st.error(common.markdown_literal("The audit was not saved. " + str(err)), icon=":material/error:")
            else:
                st.session_state[FORM_ROUND] = round_ + 1
                flash("success", f"Saved the audit of {partnership}'s {entry_year} report (audit {audit_id}). "
                                 "The summaries now include it.")
                st.rerun()


def received_form(engine, shown_reg: pd.DataFrame, year: str) -> None:
    """The form that records (or corrects) the date a yearly report arrived."""
    with st.form("aud_received_form"):
        st.markdown("**Record the date a yearly report arrived**")
        options = list(shown_reg["report_id"])
        report_labels = dict(zip(shown_reg["report_id"], shown_reg["partnership"], strict=True))
        report_id = st.selectbox("Partnership", options, format_func=lambda r: report_labels[r], key="aud_rec_pid")
        received = st.date_input("Received on (leave empty if not received)", value=None, key="aud_rec_date",
                                 format="DD/MM/YYYY")
        reason = st.text_input("Reason for the change (optional)", key="aud_rec_reason")
        if st.form_submit_button("Save the date") and report_id is not None:
            who = common.require_user()
            if who:
                try:
                    views.set_received(engine, shown_reg, report_id, received, who, reason)
                except (InputError, Refused) as err:
                    common.show_input_error(err)
                else:
                    flash("success", f"Saved: {report_labels[report_id]}'s {year} report received "
                                     f"{received.strftime('%d %B %Y') if received else 'not yet'}.")
                    st.rerun()
