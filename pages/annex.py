"""Annex builder: draft the annual report's annexes (survey findings, roundtable
feedback beside the Panel's response, audit findings) as a Word document with
every figure traceable in a figures workbook."""

import streamlit as st

from feedback import export
from feedback.errors import InputError
from feedback.report import cli as annex_cli
from feedback.survey import examples, loading
from ui import common, navigation, survey_ui

navigation.route_through_app()  # a bookmark to this page on a fresh server goes through app.py

survey_ui.keep_state()
st.title("Annex builder")
region = common.current_region()
st.caption(
    f"Region: {common.region_label()}. The app drafts the annexes in the shape of the annual report (Annex C "
    "roundtable feedback, Annex D survey findings, then the audit key figures of chapter 10), with drafting notes "
    "as Word comments. Every figure carries a reference (C, D, or R for the audits), listed with its base, "
    "interval, method, test and source in the figures workbook (XLSX and ODS). Check the wording before "
    "publication."
)

options = survey_ui.choices()
respondent_options = [k for k, v in options.items()
                      if not (isinstance(v, examples.Example) and v.kind == "data tables")
                      and not (survey_ui.is_upload(v) and v.get("kind") == "data tables")]
uploaded = [k for k in respondent_options if survey_ui.is_upload(options[k])]
st.header("What goes in")
parts = []
c1, c2, c3 = st.columns(3)
if c1.checkbox("Survey findings", value=True, key="annex_part_survey"):
    parts.append("survey")
if c2.checkbox("Roundtable feedback", value=True, key="annex_part_roundtables"):
    parts.append("roundtables")
if c3.checkbox("Audit findings", value=True, key="annex_part_audits"):
    parts.append("audits")
chosen = []
if "survey" in parts:
    if uploaded:
        raked = " It is weighted to population margins (raking), as on the Upload page: the annex says so." \
            if options[uploaded[0]].get("targets") else ""
        st.info(f"{loading.YOUR_UPLOAD} is offered: {common.markdown_literal(uploaded[0])}. It is chosen below "
                f"instead of the samples; add a sample wave to compare with it.{raked}", icon=":material/upload_file:")
    chosen = st.multiselect(
        "Surveys", respondent_options, default=uploaded or respondent_options,
        key="annex_surveys",
        help="Two waves of the same survey (same audience, different years) are compared: the annex says what "
             "changed. Upload your own survey on the Upload page.")
    with st.expander("Method: interval, level, small bases, significance test"):
        st.caption("The same settings as the survey pages (choosing them here changes them there too). Changes "
                   "between waves are tested as on the Trends page.")
        survey_ui.settings_controls()
detail = "full" if st.checkbox(
    "Full analyst's appendix", value=False, key="annex_full",
    help="Off: the publication draft (at most about 10 pages). On: also the theme counts, every point's decision "
         "and actions, every significant group, and each section's chart and table.") else "publication"
compare_waves = st.checkbox(
    "Compare survey waves", value=False, key="annex_compare_waves",
    help="State what changed from (or to) the other wave of the same survey, when two waves are chosen.")
template = st.file_uploader("House style (optional): a Word template (.docx)", type=["docx"], key="annex_template",
                            help="The annex uses its styles (Title, Heading 1-3, List Bullet, Caption, Table Grid). "
                                 "Without one, the default template in the app is used.")

if st.button("Build the annex", type="primary", icon=":material/description:", key="annex_build",
             disabled=not parts or ("survey" in parts and not chosen and parts == ["survey"])):
    from feedback.report import build, document

    bar = st.progress(0.0, text="Starting…")
    try:
        template_bytes = document.check_template(template.name, template.getvalue()) if template else None
        surveys = [survey_ui.load_choice(options[name]) for name in chosen]
        files = build.build_annex(loaded=surveys, engine=common.db_engine(), region=region, template=template_bytes,
                                  parts=[p for p in parts if p != "survey" or surveys], settings=survey_ui.settings(),
                                  detail=detail, compare_waves=compare_waves,
                                  results=lambda survey: survey_ui.results(survey, "Role", region),  # the pages' cache
                                  progress=lambda f, m: bar.progress(min(1.0, f), text=m))
    except InputError as err:
        bar.empty()
        survey_ui.show_error(err)
    else:
        st.session_state["annex_files"] = {"docx": files.docx, "xlsx": files.figures_xlsx, "ods": files.figures_ods,
                                           "figures": len(files.figures), "region": common.region_label(),
                                           "headings": document.headings(files.annex.blocks)}
        bar.progress(1.0, text=f"Done: {len(files.figures)} figures referenced.")

built = st.session_state.get("annex_files")
if built:
    st.header("Download")
    stem = export.file_stem("annex", built["region"])
    st.success(f"Annex drafted for {built['region']}: {built['figures']} figures, each with its reference.",
               icon=":material/check_circle:")
    d1, d2, d3 = st.columns(3)
    d1.download_button("Download the annex (Word)", common.logged_export(lambda: built["docx"], f"{stem}.docx"),
                       file_name=f"{stem}.docx",
                       mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                       key="annex_docx", icon=":material/description:", on_click="ignore")
    d2.download_button("Download the figures workbook (XLSX)",
                       common.logged_export(lambda: built["xlsx"], f"{stem}_figures.xlsx"),
                       file_name=f"{stem}_figures.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       key="annex_xlsx", icon=":material/grid_on:", on_click="ignore")
    d3.download_button("Download the figures workbook (ODS)",
                       common.logged_export(lambda: built["ods"], f"{stem}_figures.ods"),
                       file_name=f"{stem}_figures.ods",
                       mime="application/vnd.oasis.opendocument.spreadsheet",
                       key="annex_ods", icon=":material/grid_on:", on_click="ignore")
    st.markdown("**Headings in the document**")
    st.text("\n".join(("  " * max(0, level - 1)) + text for level, text in built["headings"] if level))
st.caption("Same annex from the command line (with the settings chosen above):")
every_sample = [k for k in respondent_options if isinstance(options[k], examples.Example)]
chosen_uploads = [options[k] for k in chosen if survey_ui.is_upload(options[k])]
cli_files = None if sorted(chosen) == sorted(every_sample) else [
    (c.data_file, c.codebook_file) if isinstance(c, examples.Example)
    else (c["filename"], c["filename"].rsplit(".", 1)[0] + ".toml",  # a raked upload: its targets, saved as CSV
          *([c["filename"].rsplit(".", 1)[0] + "_targets.csv"] if c.get("targets") else []))
    for c in (options[k] for k in chosen)]
# unstyled: the highlighter's colours fail contrast
st.code(annex_cli.annex_command(cli_files, region=region, detail=detail, compare_waves=compare_waves,
                                settings=survey_ui.settings(),
                                cap=next((c.get("cap") for c in chosen_uploads if c.get("targets")), None)),
        language=None, wrap_lines=True)
