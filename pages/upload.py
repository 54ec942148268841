"""Upload a survey: respondent-level CSV / XLSX / SAV (with a suggested,
editable codebook) or a YouGov-style data tables workbook. Once accepted, the
survey feeds every page, for this session only."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from feedback.errors import InputError
from feedback.survey import codebook as cbmod
from feedback.survey import codebook_form as form
from feedback.survey import examples, loading, waves
from ui import common, navigation, survey_ui, upload_ui, weighting_ui

navigation.route_through_app()  # a bookmark to this page on a fresh server goes through app.py

survey_ui.keep_state()
PENDING = "upload_pending"  # the file being worked on, kept for the session when the person leaves the page
CHECKED = "upload_checked"  # (file, codebook, checks, preview): the last check of the codebook against the data


st.title("Upload a survey")
st.write("Upload the survey supplier's export. What you upload is used in your session only: other people "
         "using the app do not see it, and it is not saved.")

file = st.file_uploader("Survey file", type=["csv", "xlsx", "sav"], key="upload_file",
                        help="CSV (UTF-8 or Windows-1252; comma, semicolon or tab), Excel XLSX or SPSS SAV.")
codebook_file = st.file_uploader("Codebook (optional, TOML)", type=["toml"], key="upload_codebook",
                                 help="Leave empty to start from a suggested codebook, which you can edit below.")
kind = st.radio("What kind of file is it?", list(loading.FILE_KINDS), format_func=loading.FILE_KINDS.get,
                key="upload_kind", horizontal=True)

current = st.session_state.get(survey_ui.UPLOAD_KEY)
if current:
    st.success(f"In use this session: {common.markdown_literal(current.get('name') or current['filename'])}. "
               "Choose it at the top of the "
               "Overview, Results and Compare pages.", icon=":material/check_circle:")
    if st.button("Stop using the uploaded survey", key="upload_forget"):
        survey_ui.drop_upload()
        st.rerun()

if file is not None:
    codebook_given = codebook_file.getvalue().decode("utf-8", errors="replace") if codebook_file else None
    before = st.session_state.get(PENDING)
    if not (before and before["file_id"] == file.file_id and before["codebook_text"] == codebook_given):
        # Hashed once per file (and codebook), not on every rerun: a 40 MB file costs ~0.1 s a hash.
        content = file.getvalue()
        st.session_state[PENDING] = {
            "filename": file.name, "content": content, "codebook_text": codebook_given, "file_id": file.file_id,
            "data_key": loading.content_hash(content), "key": loading.content_hash(content, codebook_given)}
pending = st.session_state.get(PENDING)
if pending is None:
    survey_ui.left_upload_page()  # no file: nothing read from one is kept either
    st.stop()
if file is None:
    left, right = st.columns([3, 1])
    left.info(f"Still working on {common.markdown_literal(pending['filename'])}, uploaded earlier in this session, "
              "with your codebook edits.", icon=":material/history:")
    if right.button("Start again with another file", key="upload_clear"):
        for k in [k for k in st.session_state
                  if str(k).startswith(("cb_", PENDING, CHECKED, "upload_form_"))]:
            del st.session_state[k]
        survey_ui.left_upload_page()
        st.rerun()

content = pending["content"]
filename = pending["filename"]
codebook_text = pending["codebook_text"]
data_key = pending["data_key"]  # the file's readings are cached by its content alone
# The form's key includes the codebook: one given after the data starts the choices and questions
# from it, not from the suggestion kept for the data alone.
key = pending["key"]


def _read(key: str, filename: str, content: bytes):
    """The file in the uploader, read once: kept in this session's state, not a shared cache, so a
    rerun reads nothing again."""
    from feedback.survey import read

    def once():
        with st.spinner("Reading the file…"):
            return read.read_survey(filename, content)

    return survey_ui.read_once_for_session(survey_ui.UPLOAD_PAGE_READ_KEY, key, once)


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def _is_tables(key: str, filename: str, _content: bytes) -> bool:
    return loading.is_data_tables(filename, _content)


@st.cache_data(max_entries=16, ttl=3600, show_spinner="Suggesting a codebook…")
def _suggest(key: str, _data) -> tuple[cbmod.Codebook, dict[str, tuple[str, str, bool]]]:
    """The suggested codebook and, per role/region/weight slot, the column chosen, why,
    and whether it is sure. Ids follow the embedded surveys' codebooks where the question texts
    match; what the platform's layout says (metadata columns, question sets, "[ASK IF …]"
    routing) is applied by the suggestion, as ``codebook suggest`` does."""
    from feedback.survey import codebook as cbmod

    known = [cbmod.load_codebook(text) for s in examples.available_examples()
             if s.kind == "respondents" and (text := examples.example_files(s)[1])]
    suggestion = cbmod.suggest(_data, known=known)
    reasons = {slot: (c.column, c.reason, c.sure) for slot, c in suggestion.columns.items()}
    return suggestion.codebook, reasons


def use(upload: dict) -> None:
    try:
        survey = survey_ui.load_upload(upload)
    except InputError as err:
        survey_ui.show_error(err)
        return
    st.session_state[survey_ui.UPLOAD_KEY] = upload
    st.session_state[survey_ui.CHOICE_KEY] = survey_ui.upload_label(upload)
    st.session_state.pop("survey_questions", None)
    st.success(f"Loaded {common.markdown_literal(survey.name)}: {survey.n:,} respondents, "
               f"{len(survey.questions())} questions. Every survey page now offers it.", icon=":material/check_circle:")
    st.page_link("pages/results.py", label="See its results", icon=":material/bar_chart:")


resolved = kind
if kind == "auto":
    with common.upload_queue():
        resolved = "data tables" if codebook_text is None and _is_tables(data_key, filename, content) else "respondents"

if resolved == "data tables":
    st.header("Data tables workbook")
    upload = {"filename": filename, "content": content, "codebook": None, "kind": "data tables",
              "name": filename}
    try:
        survey = survey_ui.load_upload(upload)
    except InputError as err:
        survey_ui.show_error(err)
        st.stop()
    st.write(f"Read {len(survey.questions())} question(s) with their published bases.")
    st.dataframe(survey.questions().rename(columns={"question": "Question id", "question_text": "Question",
                                                    "base_label": "Base"}), hide_index=True, width="stretch")
    if st.button("Use this survey in every page", type="primary", key="upload_use"):
        use(upload)
    st.stop()

try:
    with common.upload_queue():
        data = _read(data_key, filename, content)
except InputError as err:
    survey_ui.show_error(err)
    st.stop()

st.header("The data")
st.write(f"{len(data.frame):,} respondents and {data.frame.shape[1]:,} columns.")
if getattr(data, "layout", None) is not None:  # which supplier's export layout was read, and what was done
    st.text(data.layout.describe())
with st.expander("First rows"):
    st.dataframe(data.frame.head(20), width="stretch")



def _given_codebook() -> cbmod.Codebook:
    """The codebook file uploaded with the data, read once (kept with the file being worked on)."""
    if "codebook" not in pending:
        pending["codebook"] = cbmod.load_codebook(codebook_text)
    return pending["codebook"]


FORM = f"upload_form_{key}"  # the form's values, kept for the session (Streamlit drops a widget's value on leaving)
try:
    suggested, column_reasons = _suggest(data_key, data)
    if FORM not in st.session_state:  # the form starts from the codebook given, or else the suggestion
        st.session_state[FORM] = form.form_values(_given_codebook() if codebook_text else suggested, filename)
except InputError as err:
    survey_ui.show_error(err)
    st.stop()

st.header("The survey")
st.write("What the survey is and which wave of its series. Trends links an upload to the earlier waves of its "
         "audience by question id.")
survey_vals, question_vals = st.session_state[FORM]

c1, c2 = st.columns([2, 1])
survey_vals["title"] = c1.text_input("Survey title", value=survey_vals["title"], key=f"cb_title_{key}")
survey_vals["fieldwork"] = c2.text_input("Fieldwork", value=survey_vals["fieldwork"], key=f"cb_fieldwork_{key}",
                                         help="Read from the file's title rows when it has them, e.g. June to "
                                              "September 2021.")
c3, c4, c5 = st.columns([1, 1, 2])
audiences = ["", *waves.AUDIENCE_NAMES]
if survey_vals["audience"] not in audiences:
    audiences.append(survey_vals["audience"])
survey_vals["audience"] = c3.selectbox(
    "Audience", audiences, index=audiences.index(survey_vals["audience"]), key=f"cb_audience_{key}",
    accept_new_options=True, format_func=lambda a: waves.audience_words(a) if a else "Not part of a series",
    help="Who answered: the series its waves belong to (type another audience to start a new series).")
survey_vals["wave"] = c4.text_input("Wave", value=survey_vals["wave"], key=f"cb_wave_{key}", max_chars=40,
                                    help="Which wave of the series, e.g. 2023 (the year of its fieldwork).")
survey_vals["source"] = c5.text_input("Source line for charts", value=survey_vals["source"], key=f"cb_source_{key}")

st.header("Columns for role, region and weight")
st.write("The columns the results are grouped and weighted by. Check the suggestion: what each holds is shown "
         "under it.")
columns = [form.NONE, *map(str, data.frame.columns)]
r1, r2, r3 = st.columns(3)
for slot, col, label, help_text in (("role", r1, "Role column", "Results by role group on it."),
                                    ("region", r2, "Region column", "Results by region group on it."),
                                    ("weight", r3, "Weight column", "Leave as (none) for unweighted data.")):
    chosen = survey_vals[slot] if survey_vals[slot] in columns else form.NONE
    survey_vals[slot] = col.selectbox(label, columns, index=columns.index(chosen), key=f"cb_{slot}_{key}",
                                      help=help_text)
    col.caption(common.markdown_literal(form.column_summary(data.frame, survey_vals[slot], numbers=slot == "weight")))
    suggested_column, reason, sure = column_reasons.get(slot, ("", "", True))
    if not codebook_text and reason and survey_vals[slot] == (suggested_column or form.NONE):
        (col.caption if sure else col.warning)(common.markdown_literal(("Suggested: " if sure else "Check: ") + reason))

answers = survey_ui.read_once_for_session(survey_ui.UPLOAD_PAGE_ANSWERS_KEY, f"{data_key}\x1f{survey_vals['weight']}",
                         lambda: form.distributions(data.frame, [v["column"] for v in question_vals],
                                                    survey_vals["weight"]))
st.header("Questions")
st.write("One form per question. Tick the answers its percentage counts as positive; answers left out of the "
         "base are not counted at all. The preview under each form shows the figure the survey pages will show.")
waiting = form.still_to_tick(question_vals)
if waiting:
    st.warning(("1 question, marked with a warning sign, needs its" if len(waiting) == 1 else
                f"{len(waiting)} questions, marked with a warning sign, need their") + " positive answers ticked: "
               "the suggestion could not tell which of their answers are favourable.", icon=":material/warning:")
ids = [v["id"] for v in question_vals]
shorts = form.short_texts(question_vals)
slots = {}
for label, members in form.question_groups(question_vals):
    if label:
        st.subheader(common.markdown_literal(label))
        st.caption("Questions made from one multi-select or one grid.")
    for i in members:
        if question_vals[i]["column"] not in answers and question_vals[i]["column"] in data.frame.columns:
            answers[question_vals[i]["column"]] = form.distribution(data.frame, question_vals[i]["column"],
                                                                    survey_vals["weight"])
        question_vals[i], slots[i] = upload_ui.question_form(i, question_vals[i],
                                                             answers.get(question_vals[i]["column"]),
                                                             key, ids, shorts[i])

unused = form.unused_columns(data.frame.columns, survey_vals, question_vals)
if unused:
    a1, a2 = st.columns([3, 1], vertical_alignment="bottom")
    adding = a1.selectbox("Add a question from another column", unused, key=f"cb_add_{key}")
    if a2.button("Add this question", key=f"cb_add_button_{key}", icon=":material/add:"):
        question_vals.append(form.new_question(data.frame, adding, ids, getattr(data, "question_text", {})))
        st.rerun()

edited_cb = form.to_codebook(survey_vals, question_vals)  # the codebook as an object: TOML only for its file


def _checked(codebook: cbmod.Codebook):
    """The codebook's checks and preview, worked out once per version of the codebook (a
    rerun with nothing changed, such as another upload's progress, does not check again)."""
    checked = st.session_state.get(CHECKED)
    if checked is None or checked[0] != data_key or checked[1] != codebook:  # compared as objects, field by field
        checked = (data_key, codebook, form.checks(codebook, data.frame), form.preview(data.frame, codebook))
        st.session_state[CHECKED] = checked
    return checked[2], checked[3]


checks, preview = _checked(edited_cb)
by_id = {row["question"]: row for row in preview.to_dict("records")}
for i, slot in slots.items():
    row = by_id.get(question_vals[i]["id"].strip()) if question_vals[i].get("use", True) else None
    slot.caption(common.markdown_literal("Preview: " + (form.share_words(row) if row else "not used.")))

st.header("Preview")
st.write("Each question's positive share over all respondents in its base (weighted when a weight column is "
         "chosen), as the Overview will show it. A figure that looks wrong usually means the wrong answers are "
         "ticked.")
upload_ui.preview_table(preview)

st.header("Checks")
if checks.fits:
    st.success(checks.summary(), icon=":material/check_circle:")
else:
    st.warning(checks.summary(), icon=":material/warning:")
    if checks.pending:
        st.caption(common.markdown_literal("Still to tick: " + ", ".join(checks.pending) + ". Or untick \"Use this "
                                   "question\" to leave a question out."))
    if checks.problems:
        st.dataframe(pd.DataFrame({"Problem": checks.problems}), hide_index=True, width="stretch")

st.download_button("Download this codebook (TOML)", lambda: cbmod.dump_codebook(edited_cb),
                   file_name=f"{filename.rsplit('.', 1)[0]}.toml",
                   mime="application/toml", on_click="ignore", key="upload_codebook_download",
                   icon=":material/download:")
raking = weighting_ui.weight_step(data.frame, edited_cb) if checks.fits else {}  # "Weight to population"
if st.button("Use this survey in every page", type="primary", key="upload_use", disabled=not checks.fits):
    # the file as read above and the codebook object: "Use" parses nothing again
    use({"filename": filename, "content": content, "codebook": edited_cb, "data_key": data_key,
         "kind": "respondents", "name": survey_vals["title"] or filename, **raking})
