"""Yearly-report audits: the register and submission rate, entering or importing
audits, the summaries the annual report quotes, and raising a finding as a
tracker item.

Thin on purpose: every number comes from feedback.audits.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from feedback import db
from feedback.audits import figures, store, summaries
from feedback.audits.entry import by_field, read_audits, record_to_row, template_frame, validate_audit
from feedback.audits.framework import DEFAULT_EDITION, SCORES, framework_for_year, load_framework, reporting_years
from feedback.audits.register import read_register, submission_rate
from feedback.audits.sample import SAMPLE_NOTICE
from feedback.errors import InputError, Refused
from feedback.regions import REGIONS
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
        st.success(common.plain(message), icon=":material/check_circle:")
    elif kind == "error":
        st.error(common.plain(message), icon=":material/error:")


COLUMN_NAMES = {
    "reporting_year": "Reporting year", "region": "Region", "theme": "Theme", "label": "Criterion",
    "n": "Reports audited", "fully": "Fully", "partly": "Partly", "not_evidenced": "Not evidenced",
    "evidenced": "Fully or partly", "p": "Share fully or partly", "ci_low": "Interval from", "ci_high": "Interval to",
    "p_fully": "Share fully", "fully_ci_low": "Fully: interval from", "fully_ci_high": "Fully: interval to",
    "flag": "Flag ([c] under 10 reports, [u] under 30)",
    "england_evidenced": "England: fully or partly", "england_n": "England: reports audited",
    "england_p": "England: share fully or partly"}
PERCENT = ("Share fully or partly", "Interval from", "Interval to", "England: share fully or partly")
PERCENT_CONFIG = {c: st.column_config.NumberColumn(format="percent") for c in PERCENT}


def default_cutoff(year: str) -> dt.date:
    """1 June of the second year after the reporting year began (2020-21 -> 1 June 2022)."""
    return dt.date(int(year[:4]) + 2, 6, 1)


# Figures from the tables, cached by the tables' content: a page switch recomputes nothing.
criterion_summary = common.by_content(summaries.criterion_summary)
code_frequencies = common.by_content(summaries.code_frequencies)
year_on_year = common.by_content(summaries.year_on_year)
published_check = common.by_content(summaries.published_check)

engine = common.db_engine()
region = common.current_region()
where = common.region_label()
first_edition = load_framework(DEFAULT_EDITION)
frames = store.load_frames(engine)
audits_all = frames["audits"]
is_sample = bool(audits_all["is_sample"].any())

common.page_title("Yearly-report audits")
caption = st.empty()
if is_sample:
    st.info(SAMPLE_NOTICE, icon=":material/science:")
show_flash()

years_in_data = sorted(set(audits_all["reporting_year"]) | set(frames["register"]["reporting_year"]), reverse=True)
years_allowed = reporting_years(first_edition.first_year, dt.date.today())
year = st.selectbox("Reporting year", years_in_data or years_allowed[::-1], key="aud_year", **common.IN_ADDRESS,
                    help="The year the yearly reports cover (April to March).")
fw = framework_for_year(year)  # the edition of Working Together this year's reports are audited against
caption.caption(f"Region: {common.plain(where)}. Audits of safeguarding partners' yearly reports against the "
                f"{fw.edition} ({fw.short_name}) audit framework, and the register of reports received.")

summary = criterion_summary(frames, fw, year=year, region=region)
n_audited = len(summaries.select_audits(frames, year=year, region=region))
cutoff_default = default_cutoff(year)
rate_default = submission_rate(frames["register"], year, cutoff_default, region=region).iloc[-1]
c1, c2, c3, c4 = st.columns(4)
c1.metric("Reports audited", f"{n_audited}")
c2.metric(f"Received by {cutoff_default.day} {cutoff_default:%B %Y}",
          "–" if not rate_default["partnerships"] else f"{rate_default['rate']:.0%}",
          help="Share of partnerships on the register whose yearly report had arrived by this date. "
               "Change the date on the 'Register' tab.")
c3.metric("Reports received by then", f"{int(rate_default['received'])}")
c4.metric("Partnerships on the register", f"{int(rate_default['partnerships'])}")

# Short labels, so all eight tabs fit at 1280 px without scrolling the tab bar. Tabs kept in the
# address rerun the page when switched, so the figures and tables are drawn only in the open tab
# (``tab.open``); forms and uploads are drawn in every run, so what someone has typed or chosen
# there survives a look at another tab.
tabs = st.tabs(["Summary", "Themes", "By region and year", "Register", "Enter an audit", "Import",
                "Audits and history", "Raise a finding"], key="aud_tab", **common.IN_ADDRESS)

# ------------------------------------------------------------------ summary
if tabs[0].open:
    with tabs[0], common.section('The summary'):
        if summary.empty:
            st.info(common.plain(f"No audits of {year} reports in {where} yet. Enter one on the 'Enter an audit' tab."))
        else:
            chart = figures.criteria_chart(summary, year=year, where=where, sample=is_sample)
            crit_alt = figures.criteria_alt(summary, year=year, where=where)
            common.show_chart(chart, crit_alt)
            common.download_chart(chart, f"Audit criteria {year} {where}", alt=crit_alt, key="aud_crit")
            if region:
                st.caption(common.plain(f"England's figures are beside {where}'s in the table below."))
                summary = summaries.with_england(summary, criterion_summary(frames, fw, year=year))
            shown = summary.drop(columns=["criterion"]).rename(columns=COLUMN_NAMES)
            pct = (*[c for c in PERCENT if c in shown], "Share fully", "Fully: interval from", "Fully: interval to")
            st.dataframe(shown, hide_index=True, width="stretch",
                         column_config={c: st.column_config.NumberColumn(format="percent") for c in pct})
            common.download_table(shown, f"Audit criteria {year} {where}", percent_columns=pct, key="aud_crit_t",
                                  notes=[figures.SOURCE, figures.INTERVAL_NOTE,
                                         *([figures.SAMPLE_NOTE] if is_sample else [])])
        with st.expander("Published figures beside the same figures from these data"):
            st.caption("The annual report's figures, recomputed from the audits and register held here (all regions).")
            check = published_check(frames, fw, frames["register"])
            st.dataframe(check, hide_index=True, width="stretch")

# ------------------------------------------------------------------ coded lists
if tabs[1].open:
    with tabs[1], common.section('The priorities and practice themes'):
        for lst in fw.lists:
            freq = code_frequencies(frames, fw, lst.id, year=year, region=region)
            st.header(lst.name)
            if freq.empty:
                st.info(common.plain(f"No audits of {year} reports in {where} yet."))
                continue
            chart = figures.codes_chart(freq, list_name=lst.name, year=year, where=where, sample=is_sample)
            codes_alt = figures.codes_alt(freq, list_name=lst.name, year=year, where=where)
            common.show_chart(chart, codes_alt)
            common.download_chart(chart, f"{lst.name} {year} {where}", alt=codes_alt, key=f"aud_codes_{lst.id}")
            table = freq[["label", "count", "n", "p", "ci_low", "ci_high", "rank"]].rename(columns={
                "label": lst.name, "count": "Reports", "n": "Reports audited", "p": "Share", "ci_low": "Interval from",
                "ci_high": "Interval to", "rank": "Rank"})
            st.dataframe(table, hide_index=True, width="stretch", column_config={
                c: st.column_config.NumberColumn(format="percent") for c in ("Share", "Interval from", "Interval to")})
            common.download_table(table, f"{lst.name} {year} {where}", key=f"aud_codes_t_{lst.id}",
                                  percent_columns=("Share", "Interval from", "Interval to"))

# ------------------------------------------------------------------ by region and year against year
if tabs[2].open:
    with tabs[2], common.section('The figures by region and year'):
        by_region = criterion_summary(frames, fw, year=year, region=region, by_region=True)
        st.header(f"By region, {year}")
        if by_region.empty:
            st.info(common.plain(f"No audits of {year} reports in {where} yet."))
        else:
            regions_shown = [r for r in REGIONS if r in set(by_region["region"])]
            heat = figures.region_chart(by_region, year=year, regions=regions_shown, sample=is_sample)
            heat_alt = figures.region_alt(by_region, year=year)
            common.show_chart(heat, heat_alt)
            common.download_chart(heat, f"Audit criteria by region {year}", alt=heat_alt, key="aud_region")
            table = by_region[["region", "label", "n", "fully", "partly", "not_evidenced", "evidenced", "p", "ci_low",
                               "ci_high", "flag"]].rename(columns=COLUMN_NAMES)
            st.dataframe(table, hide_index=True, width="stretch", column_config=PERCENT_CONFIG)
            common.download_table(table, f"Audit criteria by region {year}", percent_columns=PERCENT, key="aud_region_t")
        st.header("Year against year")
        yoy = year_on_year(frames, fw, region=region)
        if yoy.empty:
            st.info(common.plain(f"No audits in {where} yet."))
        else:
            years_chart = figures.years_chart(yoy, where=where, sample=is_sample)
            years_alt = figures.years_alt(yoy, where=where)
            common.show_chart(years_chart, years_alt)
            common.download_chart(years_chart, f"Audit criteria year against year {where}", alt=years_alt,
                                  key="aud_years")
            england = ["england_evidenced", "england_n", "england_p"] if region else []
            if region:
                yoy = summaries.with_england(yoy, year_on_year(frames, fw))
            table = yoy[["reporting_year", "label", "n", "fully", "partly", "not_evidenced", "evidenced", "p", "ci_low",
                         "ci_high", "flag", *england]].rename(columns=COLUMN_NAMES)
            st.dataframe(table, hide_index=True, width="stretch", column_config=PERCENT_CONFIG)
            common.download_table(table, f"Audit criteria year against year {where}", percent_columns=PERCENT,
                                  key="aud_years_t")

# ------------------------------------------------------------------ register
with tabs[3], common.section('The register and submission rate'):
    register = store.load_register(engine)
    shown_reg = register[(register["reporting_year"] == year)
                         & (register["region"] == region if region else True)]
    with st.container():  # holds the figures' place, so the form below keeps its place (and its input)
        if tabs[3].open:
            cutoff = st.date_input("Reports received on or before", value=cutoff_default, key=f"aud_cutoff_{year}",
                                   format="DD/MM/YYYY")
            rate = submission_rate(frames["register"], year, cutoff, region=region)
            chart = figures.rate_chart(rate, year=year, by=cutoff, sample=is_sample)
            rate_alt = figures.rate_alt(rate, year=year, by=cutoff)
            common.show_chart(chart, rate_alt)
            common.download_chart(chart, f"Submission rate {year} by {cutoff}", alt=rate_alt, key="aud_rate")
            rate_table = rate.rename(columns={"reporting_year": "Reporting year", "by": "Received by",
                                              "region": "Region", "partnerships": "Partnerships",
                                              "received": "Reports received", "rate": "Rate"})
            st.dataframe(rate_table, hide_index=True, width="stretch",
                         column_config={"Rate": st.column_config.NumberColumn(format="percent")})
            common.download_table(rate_table, f"Submission rate {year} by {cutoff}", percent_columns=("Rate",),
                                  key="aud_rate_t")

            st.header("The register")
            reg_table = shown_reg[["partnership", "region", "reporting_year", "received_on"]].rename(columns={
                "partnership": "Partnership", "region": "Region", "reporting_year": "Reporting year",
                "received_on": "Received on"})
            st.dataframe(reg_table, hide_index=True, width="stretch",
                         column_config={"Received on": st.column_config.DateColumn(format="D MMM YYYY")})
            common.download_table(reg_table, f"Register {year} {where}", key="aud_reg_t")

    if common.may_edit_some() or common.edit_allowed(what="register entries"):
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
                    seen = int(shown_reg.set_index("report_id").loc[report_id, "version"])
                    try:
                        store.set_received(engine, int(report_id), seen, received, who, reason)
                    except db.StaleEdit as err:
                        common.show_input_error(InputError(f"{err} It now says: received on "
                                                           f"{err.current.get('received_on') or 'not yet'}."))
                    except (InputError, Refused) as err:
                        common.show_input_error(err)
                    else:
                        flash("success", f"Saved: {report_labels[report_id]}'s {year} report received "
                                         f"{received.strftime('%d %B %Y') if received else 'not yet'}.")
                        st.rerun()

        st.markdown("**Add partnerships and received dates from a spreadsheet**")
        st.caption("Columns: partnership, region, reporting_year, received_on. Every row is checked first; "
                   "if any row is wrong, nothing is saved.")
        upload = st.file_uploader("Register (CSV or XLSX)", type=["csv", "xlsx"], key="aud_reg_upload")
        if upload is not None and st.button("Import the register", key="aud_reg_import"):
            who = common.require_user()
            if who:
                try:
                    with common.upload_queue(), st.spinner("Checking and saving the register…"):
                        counts = store.save_register(engine, read_register(upload.name, upload.getvalue()), who,
                                                     reason=f"imported from {upload.name}", source=upload.name)
                except (InputError, Refused) as err:
                    common.show_input_error(err)
                else:
                    flash("success", f"Register imported: {counts['partnerships']} partnerships and "
                                     f"{counts['reports']} yearly reports added, {counts['dates']} dates changed.")
                    st.rerun()

# ------------------------------------------------------------------ enter an audit
with tabs[4]:
    with common.section('Entering an audit'):
        if common.may_edit_some() or common.edit_allowed(what="audits"):
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
                    where.error(common.plain(problem[:1].upper() + problem[1:]), icon=":material/error:")

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
                        st.error(common.plain("The audit was not saved. " + str(err)), icon=":material/error:")
                    else:
                        st.session_state[FORM_ROUND] = round_ + 1
                        flash("success", f"Saved the audit of {partnership}'s {entry_year} report (audit {audit_id}). "
                                         "The summaries now include it.")
                        st.rerun()

# ------------------------------------------------------------------ import audits
with tabs[5]:
    with common.section('Importing audits'):
        if common.may_edit_some() or common.edit_allowed(what="audits"):
            st.caption("One row per report, with the columns of the template. Scores: Fully evidenced, Partly "
                       "evidenced or Not evidenced; lists separated by semicolons. Every row is checked first; if any "
                       "row is wrong, nothing is imported.")
            st.markdown("**Blank template to fill in**")
            common.download_table(template_frame(fw), f"Audit template {fw.short_name}", key="aud_template")
            upload = st.file_uploader("Audits (CSV or XLSX)", type=["csv", "xlsx"], key="aud_upload")
            if upload is not None:
                try:
                    with common.upload_queue(), st.spinner("Checking the audits in the spreadsheet…"):
                        records = read_audits(upload.name, upload.getvalue(), fw, store.partnership_regions(engine))
                except (InputError, Refused) as err:
                    common.show_input_error(err)
                else:
                    st.success(f"All {len(records)} rows are valid.", icon=":material/check_circle:")
                    st.dataframe(pd.DataFrame([record_to_row(r, fw) for r in records]), hide_index=True, width="stretch")
                    if st.button(f"Import {len(records)} audits", type="primary", key="aud_import"):
                        who = common.require_user()
                        if who:
                            try:
                                with st.spinner("Saving the audits…"):
                                    ids = store.add_audits(engine, records, who, reason=f"imported from {upload.name}",
                                                       source=upload.name)
                            except (InputError, Refused) as err:
                                common.show_input_error(err)
                            else:
                                flash("success", f"Imported {len(ids)} audits from {upload.name}.")
                                st.rerun()

# ------------------------------------------------------------------ audits and history
with tabs[6]:
    with common.section('The audits and their history'):
        audits_shown = store.audit_table(frames, fw)
        audits_shown = audits_shown[(audits_shown["reporting_year"] == year) & ((audits_shown["region"] == region) if region else True)]
        audits_listed = audits_shown.drop(columns=["audit_id"]).rename(columns={
            "partnership": "Partnership", "region": "Region", "reporting_year": "Reporting year", "auditor": "Auditor",
            "audited_on": "Audited on"})
        with st.container():  # the figures' place, so the form below keeps its place (and its input)
            if tabs[6].open:
                st.dataframe(audits_listed, hide_index=True, width="stretch")
                common.download_table(audits_listed, f"Audits {year} {where}", key="aud_list_t")
        if not audits_shown.empty:
            audit_labels = dict(zip(audits_shown["audit_id"], audits_shown["partnership"], strict=True))
            audit_id = st.selectbox("Audit", list(audits_shown["audit_id"]), format_func=lambda a: audit_labels[a], key="aud_pick")
            scores = frames["scores"][frames["scores"]["audit_id"] == audit_id]
            detail = pd.DataFrame({"Criterion": scores["criterion"].map(lambda c: fw.criterion(c).label),
                                   "Score": scores["score"].map(SCORES), "Page": scores["page"], "Quote": scores["quote"]})
            with st.container():
                if tabs[6].open:
                    st.dataframe(detail, hide_index=True, width="stretch")
                    hist = pd.concat([store.history(engine, "audit", audit_id).assign(what="audit")]
                                     + [store.history(engine, "audit_score", int(s)).assign(what=fw.criterion(c).label)
                                        for s, c in zip(scores["score_id"], scores["criterion"], strict=True)],
                                     ignore_index=True)
                    st.markdown("**History of this audit**")
                    st.dataframe(hist.sort_values("changed_at")[[
                        "changed_at", "changed_by", "what", "field", "old_value", "new_value", "reason"]].rename(columns={
                            "changed_at": "When", "changed_by": "Who", "what": "What", "field": "Field",
                            "old_value": "Old value", "new_value": "New value", "reason": "Reason"}),
                        hide_index=True, width="stretch")
            if common.edit_allowed(audits_shown.set_index("audit_id").loc[audit_id, "region"], what="audits"):
                with st.form("aud_correct"):
                    st.markdown("**Correct one score**")
                    crit_audit_labels = dict(zip(scores["criterion"], detail["Criterion"], strict=True))
                    crit_fix = st.selectbox("Criterion", list(scores["criterion"]), format_func=lambda c: crit_audit_labels[c],
                                        key="aud_cor_crit")
                    new_score = st.radio("Score", list(SCORES.values()), horizontal=True, key="aud_cor_score")
                    new_page = st.text_input("Page", key="aud_cor_page", max_chars=30)
                    new_quote = st.text_input("Quote", key="aud_cor_quote", max_chars=1000)
                    why = st.text_input("Reason for the correction", key="aud_cor_reason")
                    if st.form_submit_button("Save the correction"):
                        who = common.require_user()
                        if who:
                            row = scores.set_index("criterion").loc[crit_fix]
                            try:
                                store.edit_score(engine, int(row["score_id"]), int(row["version"]),
                                                 {"score": new_score, "page": new_page, "quote": new_quote}, fw, who, why)
                            except db.StaleEdit as err:
                                common.show_input_error(InputError(f"{err} It now says: {SCORES.get(err.current.get('score'))},"
                                                                   f" page {err.current.get('page') or '-'}."))
                            except (InputError, Refused) as err:
                                common.show_input_error(err)
                            else:
                                flash("success", f"Corrected '{crit_audit_labels[crit_fix]}' for {audit_labels[audit_id]}.")
                                st.rerun()

# ------------------------------------------------------------------ raise a finding
with tabs[7]:
    with common.section('Raising a finding'):
        st.caption("Turn a result into an item on the Panel's response tracker (source: yearly-report audit), "
                   "where the Panel's response and actions are then recorded.")
        if summary.empty:
            st.info(common.plain(f"No audits of {year} reports in {where} yet."))
        else:
            by_crit = summary.set_index("criterion")
            crit = st.selectbox("Criterion", list(by_crit.index), format_func=lambda c: by_crit.loc[c, "label"],
                                key="aud_find_crit")
            text = st.text_area("Finding", value=summaries.finding_text(by_crit.loc[crit], region=region),
                                key=f"aud_find_text_{year}_{region}_{crit}", max_chars=2000)
            if common.edit_allowed(region, what="tracker items"):
                if st.button("Raise as a tracker item", key="aud_find_raise"):
                    who = common.require_user()
                    if who:
                        try:
                            ref = store.raise_finding(engine, text=text, reporting_year=year, criterion=crit, framework=fw,
                                                      region=region, who=who)
                        except (InputError, Refused) as err:
                            common.show_input_error(err)
                        else:
                            flash("success", f"Raised tracker item {ref}. Record the Panel's response on the Response "
                                             "tracker page.")
                            st.rerun()
        raised = store.findings(engine)
        if not raised.empty:
            st.markdown("**Findings already raised**")
            st.dataframe(raised.rename(columns={"tracker_item_id": "Tracker item", "reporting_year": "Reporting year",
                                                "criterion": "Criterion", "raised_by": "Raised by",
                                                "raised_at": "Raised at"}), hide_index=True, width="stretch")
