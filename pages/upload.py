"""Upload a survey: respondent-level CSV / XLSX / SAV (with a suggested,
editable codebook) or a YouGov-style data tables workbook. Once accepted, the
survey feeds every page, for this session only."""

from __future__ import annotations

import dataclasses

import pandas as pd
import streamlit as st

from feedback.errors import InputError
from feedback.survey import explorer
from ui import common, survey_ui, weighting_ui

survey_ui.keep_state()
PENDING = "upload_pending"  # the file being worked on, kept for the session when the person leaves the page
KEPT = "upload_kept"  # the codebook choices, kept for the session (Streamlit drops a widget's value on leaving)
CHECKED = "upload_checked"  # (file, codebook, problems): the last check of the codebook against the data


def kept(name: str, default):
    """The value this person last chose for a codebook field, else the suggestion."""
    return st.session_state.get(KEPT, {}).get(name, default)


def keep(name: str, value):
    st.session_state.setdefault(KEPT, {})[name] = value
    return value


st.title("Upload a survey")
st.write("Upload the survey supplier's export. What you upload is used in your session only: other people "
         "using the app do not see it, and it is not saved.")

KINDS = {"auto": "Work it out from the file", "respondents": "One row per respondent (CSV, XLSX or SAV)",
         "data tables": "Data tables workbook (crosstabs, XLSX)"}

file = st.file_uploader("Survey file", type=["csv", "xlsx", "sav"], key="upload_file",
                        help="CSV (UTF-8 or Windows-1252; comma, semicolon or tab), Excel XLSX or SPSS SAV.")
codebook_file = st.file_uploader("Codebook (optional, TOML)", type=["toml"], key="upload_codebook",
                                 help="Leave empty to start from a suggested codebook, which you can edit below.")
kind = st.radio("What kind of file is it?", list(KINDS), format_func=KINDS.get, key="upload_kind", horizontal=True)

current = st.session_state.get(survey_ui.UPLOAD_KEY)
if current:
    st.success(f"In use this session: {survey_ui.plain(current.get('name') or current['filename'])}. "
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
            "data_key": explorer.content_hash(content), "key": explorer.content_hash(content, codebook_given)}
pending = st.session_state.get(PENDING)
if pending is None:
    survey_ui.left_upload_page()  # no file: nothing read from one is kept either
    st.stop()
if file is None:
    left, right = st.columns([3, 1])
    left.info(f"Still working on {survey_ui.plain(pending['filename'])}, uploaded earlier in this session, with "
              "your codebook edits.", icon=":material/history:")
    if right.button("Start again with another file", key="upload_clear"):
        for k in [k for k in st.session_state
                  if str(k).startswith(("cb_", PENDING, KEPT, CHECKED, "upload_rows_", "upload_base_"))]:
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
    """The file in the uploader, read once, with each column's distinct answers (for the codebook
    editor): kept in this session's state, not a shared cache, so a rerun reads nothing again."""
    from feedback.survey import codebook as cbmod, read

    def once():
        with st.spinner("Reading the file…"):
            data = read.read_survey(filename, content)
            return data, cbmod.column_answers(data.frame)

    return survey_ui.held(survey_ui.UPLOAD_PAGE_READ_KEY, key, once)


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def _is_tables(key: str, filename: str, _content: bytes) -> bool:
    return explorer.is_data_tables(filename, _content)


@st.cache_data(max_entries=16, ttl=3600, show_spinner="Suggesting a codebook…")
def _suggest(key: str, _data) -> str:
    """Ids follow the embedded surveys' codebooks where the question texts match."""
    from feedback.survey import codebook as cbmod

    known = [cbmod.load_codebook(text) for s in explorer.available_samples()
             if s.kind == "respondents" and (text := explorer.sample_files(s)[1])]
    return cbmod.dump_codebook(cbmod.suggest_codebook(_data, known=known))


def use(upload: dict) -> None:
    try:
        survey = survey_ui.load_upload(upload)
    except InputError as err:
        survey_ui.show_error(err)
        return
    st.session_state[survey_ui.UPLOAD_KEY] = upload
    st.session_state[survey_ui.CHOICE_KEY] = f"Your upload: {upload.get('name') or upload['filename']}"
    st.session_state.pop("survey_questions", None)
    st.success(f"Loaded {survey_ui.plain(survey.name)}: {survey.n:,} respondents, {len(survey.questions())} questions. "
               "Every survey page now offers it.", icon=":material/check_circle:")
    st.page_link("pages/results.py", label="See its results", icon=":material/bar_chart:")


resolved = kind
if kind == "auto":
    with common.upload_queue():
        resolved = "data tables" if codebook_text is None and _is_tables(data_key, filename, content) else "respondents"

if resolved == "data tables":
    st.header("Data tables workbook")
    upload = {"filename": filename, "content": content, "codebook_text": None, "kind": "data tables",
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
        data, answers = _read(data_key, filename, content)
except InputError as err:
    survey_ui.show_error(err)
    st.stop()

st.header("The data")
st.write(f"{len(data.frame):,} respondents and {data.frame.shape[1]:,} columns.")
with st.expander("First rows"):
    st.dataframe(data.frame.head(20), width="stretch")

from feedback.survey import codebook as cbmod  # noqa: E402

try:
    cb = cbmod.load_codebook(codebook_text) if codebook_text else cbmod.load_codebook(_suggest(data_key, data))
except InputError as err:
    survey_ui.show_error(err)
    st.stop()

st.header("Codebook")
st.write("What the columns mean. Check the suggestion: the positive answers are what each question's "
         "percentage counts; answers left out of the base are not counted at all (\"Don't know\" stays in "
         "the base unless you list it).")
columns = ["(none)", *map(str, data.frame.columns)]


def _index(value: str) -> int:
    return columns.index(value) if value in columns else 0


c1, c2, c3 = st.columns(3)
role = keep(f"role_{key}", c1.selectbox("Role column", columns, index=_index(kept(f"role_{key}", cb.role)),
                                        key=f"cb_role_{key}"))
region = keep(f"region_{key}", c2.selectbox("Region column", columns,
                                            index=_index(kept(f"region_{key}", cb.region)), key=f"cb_region_{key}"))
weight = keep(f"weight_{key}", c3.selectbox("Weight column", columns, index=_index(kept(f"weight_{key}", cb.weight)),
                                            key=f"cb_weight_{key}", help="Leave as (none) for unweighted data."))
c4, c5, c6 = st.columns([2, 1, 2])
title = keep(f"title_{key}", c4.text_input("Survey title", value=kept(f"title_{key}", cb.title or filename),
                                           key=f"cb_title_{key}"))
fieldwork = keep(f"fieldwork_{key}", c5.text_input("Fieldwork", value=kept(f"fieldwork_{key}", cb.fieldwork),
                                                   key=f"cb_fieldwork_{key}", help="Read from the file's title "
                                                   "rows when it has them, e.g. June to September 2021."))
source = keep(f"source_{key}", c6.text_input("Source line for charts",
                                             value=kept(f"source_{key}", cb.source or f"Source: {filename}"),
                                             key=f"cb_source_{key}"))

KINDS_Q = ["awareness", "agreement", "usefulness", "yes_no", "multi_select"]
editor_key, saved_key = f"cb_questions_{key}", f"upload_rows_{key}"
if editor_key not in st.session_state or saved_key not in st.session_state:
    # First time, or back from another page: start from the last edits (else the suggestion).
    st.session_state[f"upload_base_{key}"] = st.session_state.get(saved_key, pd.DataFrame([{
        "use": True, "id": q.id, "kind": q.kind, "positive": "; ".join(q.positive or []),
        "exclude": "; ".join(q.exclude or []), "text": q.text, "base_question": q.base_question or "",
        "base_label": q.base_label or "", "column": q.column, "answers": answers.get(q.column, ""),
    } for q in cb.questions]))
rows = st.session_state[f"upload_base_{key}"]
st.caption("Add a question with the + under the table (choose its column; its answers then show after the "
           "next change). The Id column stays in view when you scroll sideways.")
edited = st.data_editor(
    rows, key=editor_key, hide_index=True, width="stretch", num_rows="dynamic",
    disabled=["answers"],
    column_config={
        "use": st.column_config.CheckboxColumn("Use", help="Untick to leave the question out.", default=True),
        "id": st.column_config.TextColumn("Id", pinned=True, required=True,
                                          help="Short id; the same id in two surveys lets them be compared."),
        "answers": st.column_config.TextColumn("Answers in the data", width="medium",
                                               help="The column's distinct answers, most common first."),
        "column": st.column_config.SelectboxColumn("Column", options=list(map(str, data.frame.columns))),
        "text": st.column_config.TextColumn("Question text", width="medium"),
        "kind": st.column_config.SelectboxColumn("Kind", options=KINDS_Q),
        "positive": st.column_config.TextColumn("Positive answers (separate with ;)", width="medium",
                                                help="The answers counted as positive, e.g. Strongly agree; Tend to agree"),
        "exclude": st.column_config.TextColumn("Left out of the base (;)"),
        "base_question": st.column_config.TextColumn("Only those positive on (question id)"),
        "base_label": st.column_config.TextColumn("Base label"),
    },
)


def _split(text) -> list[str]:
    return [p.strip() for p in str(text or "").split(";") if p.strip()]


edited = edited.assign(answers=edited["column"].map(lambda c: answers.get(str(c), "") if pd.notna(c) else ""))
st.session_state[saved_key] = edited  # kept for the session, with the upload


def _text(value) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


questions = [
    cbmod.Question(
        id=_text(row["id"]).strip(), column=_text(row["column"]), text=_text(row["text"]),
        kind=_text(row["kind"]) or "yes_no", positive=_split(_text(row["positive"])),
        exclude=_split(_text(row["exclude"])), base_question=_text(row["base_question"]).strip(),
        base_label=_text(row["base_label"]),
    )
    for row in edited.to_dict("records") if row["use"] is not False and (_text(row["id"]) or _text(row["column"]))
]
edited_cb = dataclasses.replace(cb, role="" if role == "(none)" else role, region="" if region == "(none)" else region,
                                weight="" if weight == "(none)" else weight, title=title, source=source,
                                fieldwork=fieldwork,
                                questions=questions)
toml_text = cbmod.dump_codebook(edited_cb)


def _checked(toml_text: str) -> list[str]:
    """The codebook's problems with the data, worked out once per version of the codebook (a
    rerun with nothing changed, such as another upload's progress, does not check again)."""
    checked = st.session_state.get(CHECKED)
    if checked is None or checked[:2] != (data_key, toml_text):
        checked = (data_key, toml_text, cbmod.validate(edited_cb, data.frame))
        st.session_state[CHECKED] = checked
    return checked[2]


problems = _checked(toml_text) if questions else ["Tick at least one question to use."]

st.header("Checks")
if problems:
    st.error(f"{len(problems)} problem(s) to fix before the survey can be used:", icon=":material/error:")
    st.dataframe(pd.DataFrame({"Problem": problems}), hide_index=True, width="stretch")
else:
    st.success("The codebook fits the data.", icon=":material/check_circle:")

st.download_button("Download this codebook (TOML)", toml_text, file_name=f"{filename.rsplit('.', 1)[0]}.toml",
                   mime="application/toml", on_click="ignore", key="upload_codebook_download",
                   icon=":material/download:")
raking = {} if problems else weighting_ui.weight_step(data.frame, edited_cb)  # "Weight to population"
if st.button("Use this survey in every page", type="primary", key="upload_use", disabled=bool(problems)):
    use({"filename": filename, "content": content, "codebook_text": toml_text, "kind": "respondents",
         "name": title or filename, **raking})
