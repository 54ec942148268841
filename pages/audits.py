"""Yearly-report audits: the register and submission rate, entering or importing
audits, the summaries the annual report quotes, and raising a finding as a
tracker item.

Thin on purpose: every number and table comes from feedback.audits (the page model is
feedback.audits.views); the page gathers the choices, calls it and draws.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from feedback.audits import figures, store, summaries, views
from feedback.audits.entry import read_audits, template_frame
from feedback.audits.framework import SCORES, framework_for_year
from feedback.audits.register import read_register, submission_rate
from feedback.audits.sample import SAMPLE_NOTICE
from feedback.errors import InputError, Refused
from ui import audits_ui, common, navigation

navigation.route_through_app()  # a bookmark to this page on a fresh server goes through app.py

def table(frame: pd.DataFrame, name: str, key: str, *, notes=(), config: dict | None = None) -> None:
    """A table on the page, shares as percentages, with its downloads."""
    pct = views.percent_columns(frame)
    st.dataframe(frame, hide_index=True, width="stretch",
                 column_config={c: st.column_config.NumberColumn(format="percent") for c in pct} | (config or {}))
    common.download_table(frame, name, percent_columns=pct, key=key, notes=notes)


# Figures from the tables, cached by the tables' content: a page switch recomputes nothing.
criterion_summary = common.by_content(summaries.criterion_summary)
code_frequencies = common.by_content(summaries.code_frequencies)
year_on_year = common.by_content(summaries.year_on_year)
published_check = common.by_content(summaries.published_check)

engine = common.db_engine()
region = common.current_region()
where = common.region_label()
frames = store.load_frames(engine)
audits_all = frames["audits"]
is_sample = bool(audits_all["is_sample"].any())

common.page_title("Yearly-report audits")
caption = st.empty()
if is_sample:
    st.info(SAMPLE_NOTICE, icon=":material/science:")
audits_ui.show_flash()

years_shown, years_allowed = views.year_choices(frames, dt.date.today())
year = st.selectbox("Reporting year", years_shown, key="aud_year", **common.KEPT_IN_ADDRESS,
                    help="The year the yearly reports cover (April to March).")
fw = framework_for_year(year)  # the edition of Working Together this year's reports are audited against
caption.caption(f"Region: {common.markdown_literal(where)}. Audits of safeguarding partners' yearly reports "
                f"against the {fw.edition} ({fw.short_name}) audit framework, and the register of reports received.")

summary = criterion_summary(frames, fw, year=year, region=region)
top = views.headline(frames, year, region)
c1, c2, c3, c4 = st.columns(4)
c1.metric("Reports audited", f"{top.audited}")
c2.metric(f"Received by {top.cutoff.day} {top.cutoff:%B %Y}", "–" if top.rate is None else f"{top.rate:.0%}",
          help="Share of partnerships on the register whose yearly report had arrived by this date. "
               "Change the date on the 'Register' tab.")
c3.metric("Reports received by then", f"{top.received}")
c4.metric("Partnerships on the register", f"{top.partnerships}")

# Short labels, so all eight tabs fit at 1280 px without scrolling the tab bar. Tabs kept in the
# address rerun the page when switched, so the figures and tables are drawn only in the open tab
# (``tab.open``); forms and uploads are drawn in every run, so what someone has typed or chosen
# there survives a look at another tab.
tabs = st.tabs(["Summary", "Themes", "By region and year", "Register", "Enter an audit", "Import",
                "Audits and history", "Raise a finding"], key="aud_tab", **common.KEPT_IN_ADDRESS)

# ------------------------------------------------------------------ summary
if tabs[0].open:
    with tabs[0], common.error_boundary('The summary'):
        if summary.empty:
            st.info(common.markdown_literal(f"No audits of {year} reports in {where} yet. "
                                            "Enter one on the 'Enter an audit' tab."))
        else:
            england = criterion_summary(frames, fw, year=year) if region else None
            chart = figures.criteria_chart(summary, year=year, where=where, sample=is_sample, england=england)
            crit_alt = figures.criteria_alt(summary, year=year, where=where, england=england)
            common.show_chart(chart, crit_alt)
            common.download_chart(chart, f"Audit criteria {year} {where}", alt=crit_alt, key="aud_crit")
            if region:
                st.caption(common.markdown_literal(f"England's figures are beside {where}'s in the chart above "
                                                   "and the table below."))
            table(views.summary_table(summary, england),
                  f"Audit criteria {year} {where}", "aud_crit_t",
                  notes=[figures.SOURCE, figures.INTERVAL_NOTE, *([figures.SAMPLE_NOTE] if is_sample else [])])
        with st.expander("Published figures beside the same figures from these data"):
            st.caption("The annual report's figures, recomputed from the audits and register held here (all regions).")
            check = published_check(frames, fw, frames["register"])
            st.dataframe(check, hide_index=True, width="stretch")

# ------------------------------------------------------------------ coded lists
if tabs[1].open:
    with tabs[1], common.error_boundary('The priorities and practice themes'):
        for lst in fw.lists:
            freq = code_frequencies(frames, fw, lst.id, year=year, region=region)
            st.header(lst.name)
            if freq.empty:
                st.info(common.markdown_literal(f"No audits of {year} reports in {where} yet."))
                continue
            england = code_frequencies(frames, fw, lst.id, year=year) if region else None
            chart = figures.codes_chart(freq, list_name=lst.name, year=year, where=where, sample=is_sample,
                                        england=england)
            codes_alt = figures.codes_alt(freq, list_name=lst.name, year=year, where=where, england=england)
            common.show_chart(chart, codes_alt)
            common.download_chart(chart, f"{lst.name} {year} {where}", alt=codes_alt, key=f"aud_codes_{lst.id}")
            table(views.codes_table(freq, lst.name, england), f"{lst.name} {year} {where}", f"aud_codes_t_{lst.id}")

# ------------------------------------------------------------------ by region and year against year
if tabs[2].open:
    with tabs[2], common.error_boundary('The figures by region and year'):
        by_region = criterion_summary(frames, fw, year=year, region=region, by_region=True)
        if region and not by_region.empty:  # England as a second column beside the region's
            by_region = views.by_region_with_england(by_region, criterion_summary(frames, fw, year=year))
        st.header(f"By region, {year}")
        if by_region.empty:
            st.info(common.markdown_literal(f"No audits of {year} reports in {where} yet."))
        else:
            heat = figures.region_chart(by_region, year=year, regions=views.regions_in(by_region), sample=is_sample)
            heat_alt = figures.region_alt(by_region, year=year)
            common.show_chart(heat, heat_alt)
            common.download_chart(heat, f"Audit criteria by region {year}", alt=heat_alt, key="aud_region")
            table(views.region_table(by_region), f"Audit criteria by region {year}", "aud_region_t")
        st.header("Year against year")
        yoy = year_on_year(frames, fw, region=region)
        if yoy.empty:
            st.info(common.markdown_literal(f"No audits in {where} yet."))
        else:
            england = year_on_year(frames, fw) if region else None
            years_chart = figures.years_chart(yoy, where=where, sample=is_sample, england=england)
            years_alt = figures.years_alt(yoy, where=where, england=england)
            common.show_chart(years_chart, years_alt)
            common.download_chart(years_chart, f"Audit criteria year against year {where}", alt=years_alt,
                                  key="aud_years")
            table(views.years_table(yoy, england),
                  f"Audit criteria year against year {where}", "aud_years_t")

# ------------------------------------------------------------------ register
with tabs[3], common.error_boundary('The register and submission rate'):
    shown_reg = views.register_rows(store.load_register(engine), year, region)
    with st.container():  # holds the figures' place, so the form below keeps its place (and its input)
        if tabs[3].open:
            cutoff = st.date_input("Reports received on or before", value=top.cutoff, key=f"aud_cutoff_{year}",
                                   format="DD/MM/YYYY")
            rate = submission_rate(frames["register"], year, cutoff, region=region)
            if region:  # England's rate below the region's
                rate = views.rate_with_england(rate, submission_rate(frames["register"], year, cutoff))
            chart = figures.rate_chart(rate, year=year, by=cutoff, sample=is_sample)
            rate_alt = figures.rate_alt(rate, year=year, by=cutoff)
            common.show_chart(chart, rate_alt)
            common.download_chart(chart, f"Submission rate {year} by {cutoff}", alt=rate_alt, key="aud_rate")
            table(views.rate_table(rate), f"Submission rate {year} by {cutoff}", "aud_rate_t")
            st.header("The register")
            table(views.register_table(shown_reg), f"Register {year} {where}", "aud_reg_t",
                  config={"Received on": st.column_config.DateColumn(format="D MMM YYYY")})

    if common.may_edit_some() or common.edit_allowed(what="register entries"):
        audits_ui.received_form(engine, shown_reg, year)
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
                    audits_ui.flash("success", f"Register imported: {counts['partnerships']} partnerships and "
                                     f"{counts['reports']} yearly reports added, {counts['dates']} dates changed.")
                    st.rerun()

# ------------------------------------------------------------------ enter an audit
with tabs[4]:
    with common.error_boundary('Entering an audit'):
        if common.may_edit_some() or common.edit_allowed(what="audits"):
            audits_ui.entry_form(engine, fw, year, years_allowed, region, frames["audits"])

# ------------------------------------------------------------------ import audits
with tabs[5]:
    with common.error_boundary('Importing audits'):
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
                    st.dataframe(views.import_preview(records, fw), hide_index=True, width="stretch")
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
                                audits_ui.flash("success", f"Imported {len(ids)} audits from {upload.name}.")
                                st.rerun()

# ------------------------------------------------------------------ audits and history
with tabs[6]:
    with common.error_boundary('The audits and their history'):
        audits_shown = views.audits_of(frames, fw, year, region)
        with st.container():  # the figures' place, so the form below keeps its place (and its input)
            if tabs[6].open:
                table(views.audits_table(audits_shown), f"Audits {year} {where}", "aud_list_t")
        if not audits_shown.empty:
            audit_labels = dict(zip(audits_shown["audit_id"], audits_shown["partnership"], strict=True))
            audit_id = st.selectbox("Audit", list(audits_shown["audit_id"]), format_func=lambda a: audit_labels[a],
                                    key="aud_pick")
            scores = views.scores_of(frames, audit_id)
            detail = views.score_table(scores, fw)
            with st.container():
                if tabs[6].open:
                    st.dataframe(detail, hide_index=True, width="stretch")
                    st.markdown("**History of this audit**")
                    st.dataframe(views.audit_history(engine, audit_id, scores, fw), hide_index=True, width="stretch")
            if common.edit_allowed(audits_shown.set_index("audit_id").loc[audit_id, "region"], what="audits"):
                with st.form("aud_correct"):
                    st.markdown("**Correct one score**")
                    crit_audit_labels = dict(zip(scores["criterion"], detail["Criterion"], strict=True))
                    crit_fix = st.selectbox("Criterion", list(scores["criterion"]),
                                            format_func=lambda c: crit_audit_labels[c], key="aud_cor_crit")
                    new_score = st.radio("Score", list(SCORES.values()), horizontal=True, key="aud_cor_score")
                    new_page = st.text_input("Page", key="aud_cor_page", max_chars=30)
                    new_quote = st.text_input("Quote", key="aud_cor_quote", max_chars=1000)
                    why = st.text_input("Reason for the correction", key="aud_cor_reason")
                    if st.form_submit_button("Save the correction"):
                        who = common.require_user()
                        if who:
                            try:
                                views.correct_score(engine, scores, crit_fix, {"score": new_score, "page": new_page,
                                                                               "quote": new_quote}, fw, who, why)
                            except (InputError, Refused) as err:
                                common.show_input_error(err)
                            else:
                                audits_ui.flash("success", f"Corrected '{crit_audit_labels[crit_fix]}' "
                                                           f"for {audit_labels[audit_id]}.")
                                st.rerun()

# ------------------------------------------------------------------ raise a finding
with tabs[7]:
    with common.error_boundary('Raising a finding'):
        st.caption("Turn a result into an item on the Panel's response tracker (source: yearly-report audit), "
                   "where the Panel's response and actions are then recorded.")
        if summary.empty:
            st.info(common.markdown_literal(f"No audits of {year} reports in {where} yet."))
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
                            ref = store.raise_finding(engine, text=text, reporting_year=year, criterion=crit,
                                                      framework=fw, region=region, who=who)
                        except (InputError, Refused) as err:
                            common.show_input_error(err)
                        else:
                            audits_ui.flash("success", f"Raised tracker item {ref}. Record the Panel's response "
                                                       "on the Response tracker page.")
                            st.rerun()
        raised = views.findings_table(engine)
        if not raised.empty:
            st.markdown("**Findings already raised**")
            st.dataframe(raised, hide_index=True, width="stretch")
