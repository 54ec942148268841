"""Streamlit glue shared by the survey pages (Overview, Results, Compare, Upload):
which survey this session has loaded, the method settings (``Settings``), and cached
calls into the survey page model (``feedback.survey.views``). No statistics here.

Caches (``st.cache_data``) are shared by every user, so they are keyed by the
file's content hash; what this user uploaded lives in ``st.session_state``, and
so does what was read from it (``read_once_for_session``), so that it goes when the session drops
the upload (a shared cache would keep a pickled copy of every upload for an hour).
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import streamlit as st

from feedback.errors import InputError
from feedback.isolation import in_process
from feedback.regions import region_name
from feedback.survey import examples, loading, views
from feedback.survey.settings import DEFAULT_SETTINGS, Adjust, Base, Level, Method, Settings, SignificanceTest
from ui import common  # first import hands a deep link over to app.py

UPLOAD_KEY = "survey_upload"          # {"filename", "content", "codebook" (object) or "codebook_text", "kind", "name"}
UPLOAD_SURVEY_KEY = "survey_upload_read"  # (content hash, Survey) of the upload, read once per session
UPLOAD_PAGE_READ_KEY = "upload_page_read"  # (content hash, SurveyData) of the file in the Upload page's uploader
UPLOAD_PAGE_ANSWERS_KEY = "upload_page_answers"  # (content hash + weight, answer distributions) of that file
CHOICE_KEY = "survey_choice"
COMBINE_KEY = "combine"               # neighbouring regions added to the sidebar's region
SETTING_PREFIX = "survey_"           # each setting's widget key: "survey_" + its Settings field
# The method settings' widget keys and defaults: ``Settings()``'s (an address without them means these).
SETTINGS_DEFAULTS = {SETTING_PREFIX + name: value for name, value in DEFAULT_SETTINGS.as_dict().items()}
# Widget options for a view kept in the page address (bind="query-params"): a bookmark or an
# e-mailed link reopens it. The widgets' defaults are the app's defaults, so an address without
# a choice means the default.
SAVED_IN_ADDRESS = common.KEPT_IN_ADDRESS
# Choices kept for the session when the person moves to another page (Streamlit drops a widget's
# state when a page without it runs; re-assigning it each run keeps it).
KEPT_BETWEEN_PAGES = (CHOICE_KEY, COMBINE_KEY, *SETTINGS_DEFAULTS, "survey_grouping", "survey_questions", "survey_mark",
                      "survey_layout", "survey_sort_value", "survey_hide_c", "compare_mode", "compare_grouping",
                      "compare_a", "compare_b", "compare_survey_a", "compare_survey_b")


def keep_state() -> None:
    """Re-assign kept widget values so they survive moving between pages."""
    for key in KEPT_BETWEEN_PAGES:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]




# ---------------------------------------------------------------- loading (cached by content)

@st.cache_data(max_entries=32, ttl=3600, show_spinner="Reading the survey…")
def _load(key: str, filename: str, _content: bytes, codebook_text: str | None, name: str,
          kind: str) -> loading.Survey:
    return loading.load_survey(filename, _content, codebook_text, name=name, kind=kind)


@st.cache_data(max_entries=256, ttl=3600, show_spinner=False)
def _results(key: str, _survey: loading.Survey, grouping: str, region: str | None, settings_key: tuple,
             _settings: Settings) -> pd.DataFrame:
    return views.results(_survey, grouping=grouping, region=region, settings=_settings)


@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def _bases(key: str, _survey: loading.Survey, region: str | None) -> pd.DataFrame:
    return views.bases(_survey, region)


def load_sample(sample: examples.Example) -> loading.Survey:
    content, codebook_text = examples.example_files(sample)
    key = loading.content_hash(content, codebook_text)
    with in_process():  # the app's own files: read without a child process
        survey = _load(key, sample.data_file, content, codebook_text, sample.name, sample.kind)
    survey.key = key
    return survey


def read_once_for_session(slot: str, key: str, read):
    """``read()`` once per session and content, kept in this session's state under ``slot``: one
    object (no pickled copy in a cache shared by every user), replaced by the next upload's and
    gone when the session drops the upload or ends. Errors are not kept (the next run says them
    again)."""
    kept = st.session_state.get(slot)
    if kept is not None and kept[0] == key:
        return kept[1]
    st.session_state.pop(slot, None)  # the previous upload's frame goes before the next one is read
    value = read()
    st.session_state[slot] = (key, value)
    return value


def left_upload_page() -> None:
    """Another page runs: Streamlit drops the file in the Upload page's uploader, so what was read
    from it goes too (the upload the session uses, if any, stays under ``UPLOAD_KEY``)."""
    st.session_state.pop(UPLOAD_PAGE_READ_KEY, None)
    st.session_state.pop(UPLOAD_PAGE_ANSWERS_KEY, None)


def drop_upload() -> None:
    """Stop using the session's upload: the file and everything read from it."""
    for slot in (UPLOAD_KEY, CHOICE_KEY, UPLOAD_SURVEY_KEY):
        st.session_state.pop(slot, None)


def load_upload(upload: dict) -> loading.Survey:
    """The session's upload as a Survey, built once per file, codebook and weighting. Its
    ``codebook`` is an object (the Upload page's form, or linked on the Trends page); a
    ``codebook_text`` is a codebook file's TOML. The file itself is not parsed again when the
    Upload page has just read it (its ``data_key`` is that reading's)."""
    raked = [f"{upload['targets']}|{upload.get('cap') or ''}"] if upload.get("targets") else []  # its own key
    codebook = upload["codebook"] if "codebook" in upload else upload.get("codebook_text")
    key = loading.content_hash(upload["content"], loading.codebook_key(codebook) if "codebook" in upload
                               else codebook, upload.get("kind", "auto"), *raked)

    def read() -> loading.Survey:
        page = st.session_state.get(UPLOAD_PAGE_READ_KEY)
        data = page[1] if page and upload.get("data_key") and page[0] == upload["data_key"] else None
        with common.upload_queue(), st.spinner("Reading the survey…"):
            return loading.load_survey(upload["filename"], upload["content"], codebook,
                                       name=upload.get("name") or upload["filename"],
                                       kind=upload.get("kind", "auto"), targets=upload.get("targets"),
                                       cap=upload.get("cap"), data=data)

    survey = read_once_for_session(UPLOAD_SURVEY_KEY, key, read)
    survey.key = key
    return survey


def upload_label(upload: dict) -> str:
    """The session's upload as the survey selectors name it."""
    return loading.upload_label(upload.get("name") or upload["filename"])


def is_upload(choice) -> bool:
    """Is this choice (a value of ``choices()``) the session's upload rather than an example?"""
    return isinstance(choice, dict)


def choices() -> dict[str, object]:
    """Label -> example survey or the session's upload, in the order shown."""
    out: dict[str, object] = {}
    upload = st.session_state.get(UPLOAD_KEY)
    if upload:
        out[upload_label(upload)] = upload
    for example in examples.available_examples():
        out[example.name] = example
    return out


def load_choice(choice) -> loading.Survey:
    if isinstance(choice, examples.Example):
        return load_sample(choice)
    return load_upload(choice)


def pick_survey(label: str = "Survey", key: str = CHOICE_KEY, *, respondents_only: bool = False,
                exclude: str | None = None) -> loading.Survey | None:
    """The survey selector at the top of a survey page; returns the loaded survey (or None after an error)."""
    options = choices()
    if respondents_only:
        options = {k: v for k, v in options.items()
                   if not (isinstance(v, examples.Example) and v.kind == "data tables")}
    if exclude:
        options = {k: v for k, v in options.items() if k != exclude} or options
    if not options:
        st.warning("No survey is loaded: the sample data files are missing. Upload a survey on the Upload page.")
        return None
    if key in st.session_state and st.session_state[key] not in options:
        del st.session_state[key]  # back to the first survey
    name = st.selectbox(label, list(options), key=key, **SAVED_IN_ADDRESS,
                        help="The embedded samples are synthetic records built to reproduce the Panel's "
                             "published 2021 figures. Upload your own survey on the Upload page.")
    try:
        return load_choice(options[name])
    except InputError as err:
        show_error(err)
        return None


def show_error(err: Exception) -> None:
    """A bad-input error as plain text (the message may quote the user's file)."""
    st.error(common.markdown_literal(err) if isinstance(err, InputError)
             else "Something went wrong reading this survey.",
             icon=":material/error:")


def settings() -> Settings:
    """The method settings chosen on the Results page (``Settings()``'s defaults where none is chosen)."""
    chosen = {name: st.session_state[SETTING_PREFIX + name] for name in DEFAULT_SETTINGS.as_dict()
              if SETTING_PREFIX + name in st.session_state}
    return Settings(**chosen)


def _choice(column, label: str, options: type, name: str, **kwargs) -> None:
    """A select box of one setting's options, labelled in users' words, on the default unless chosen."""
    values = options.values()
    column.selectbox(label, values, format_func=options.label_of, key=SETTING_PREFIX + name,
                     index=values.index(getattr(DEFAULT_SETTINGS, name)), **SAVED_IN_ADDRESS, **kwargs)


def settings_controls() -> None:
    """Interval method, level, small-base thresholds and multiple-comparison adjustment."""
    c1, c2, c3 = st.columns(3)
    d = DEFAULT_SETTINGS
    _choice(c1, "Interval method", Method, "method",
            help="Wilson is the default. The design-based methods (logit, beta, mean) follow R's survey "
                 "package; with weights, intervals use the effective base.")
    _choice(c2, "Confidence level", Level, "level")
    _choice(c3, "Multiple comparisons", Adjust, "adjust",
            help="How p values are adjusted when many groups are tested at once.")
    c4, c5, c6 = st.columns(3)
    c4.number_input("Suppress below [c]", min_value=1, max_value=1000, step=1, key="survey_suppress",
                    value=d.suppress, **SAVED_IN_ADDRESS)
    _choice(c5, "Suppression counts", Base, "suppress_on",
            help="Apply the suppression rule to the unweighted base (the default) or to the effective base.")
    _choice(c6, "Significance test", SignificanceTest, "test",
            help="Design-based: R survey's svyttest on the full design (the default; a group at 0% or 100% "
                 "is tested by Rao-Scott instead). Rao-Scott: R's svychisq, valid at 0% and 100%. The z test "
                 "on effective bases is the tab-book convention of Q, Displayr and SPSS Custom Tables.")
    c7, c8, _ = st.columns(3)
    c7.number_input("Flag as low reliability below [u]", min_value=1, max_value=1000, step=1, key="survey_flag",
                    value=d.flag, **SAVED_IN_ADDRESS)
    _choice(c8, "Low-reliability flag counts", Base, "flag_on",
                 help="e.g. suppress below 10 responses and flag below an effective base of 30: a weighted "
                      "group of 83 respondents can have an effective base of 29.")


def region_scope(survey: loading.Survey | None = None):
    """The region the survey pages show: None (England), the sidebar's region, or that
    region combined with neighbouring ones (a tuple) when its own figures are too few.
    Draws the "Combine with" choice in a region view of respondent-level data."""
    from feedback.regions import neighbours

    region = common.current_region()
    if not region or survey is None or survey.kind != "respondents":
        return region
    options = neighbours(region)
    kept = st.session_state.get(COMBINE_KEY) or []
    if any(r not in options for r in kept):
        st.session_state[COMBINE_KEY] = [r for r in kept if r in options]
    label = "Combine with neighbouring regions" + (f": {', '.join(kept)}" if kept else "")
    with st.expander(label, expanded=bool(kept), icon=":material/merge:"):
        combined = st.multiselect("Combine with neighbouring regions", options, key=COMBINE_KEY, **SAVED_IN_ADDRESS,
                                  placeholder="None: this region alone", label_visibility="collapsed",
                                  help="Add neighbouring regions when the region alone has too few responses "
                                       "to show its figures.")
    return (region, *combined) if combined else region


def scope_name(scope) -> str:
    """Plain words for the region scope, for headings, captions and file names."""
    return region_name(scope)


def title(text: str, scope=None) -> None:
    """The page heading, naming the region shown (several when combined)."""
    common.page_title(text, region_name(scope) if scope else None)


def suppressed_advice(res: pd.DataFrame, scope) -> bool:
    """When every figure of a region view is suppressed, say what to do instead (with buttons
    that do it) and return True; otherwise nothing and False."""
    from feedback.regions import ALL_REGIONS, neighbours

    if not scope or not views.all_suppressed(res):
        return False
    total = res[res["by"] == "total"]
    st.warning(views.suppressed_advice(scope, suppress=settings().suppress, largest_base=int(total["n"].max())),
               icon=":material/info:")
    c1, c2, _ = st.columns([1, 2, 1])
    c1.button("Show England", key="advice_england", icon=":material/public:",
              on_click=lambda: st.session_state.update({common.REGION_KEY: ALL_REGIONS}))
    names = [scope] if isinstance(scope, str) else list(scope)
    near = neighbours(names)
    if near and survey_kind_allows_combine(res):
        c2.button(f"Combine with {near[0]}", key="advice_combine", icon=":material/merge:",
                  on_click=lambda: st.session_state.update({COMBINE_KEY: [*names[1:], near[0]]}))
    return True


def survey_kind_allows_combine(res: pd.DataFrame) -> bool:
    return bool(len(res)) and "source" in res and (res["source"] == "respondents").all()


def results(survey: loading.Survey, grouping: str, region: str | None) -> pd.DataFrame:
    s = settings()
    return _results(survey.key, survey, grouping, region, dataclasses.astuple(s), s)


def results_with_england(survey: loading.Survey, grouping: str, scope) -> pd.DataFrame:
    """A region view's results with England's total beside the region's (England view: as is)."""
    res = results(survey, grouping, scope)
    if not scope:
        return res
    return views.with_england(res, results(survey, grouping, None))


def bases(survey: loading.Survey, region) -> pd.DataFrame:
    return _bases(survey.key, survey, region)


def percent_columns(df: pd.DataFrame, columns=("p_a", "p_b",
                                               "diff", "diff_low", "diff_high", "Confidence level")) -> dict:
    """column_config showing proportions as percentages in st.dataframe."""
    config = {c: st.column_config.NumberColumn(c, format="percent") for c in columns if c in df.columns}
    for c in ("Weighted base", "Effective n", "Design effect", "Design effect (variance ratio)",
              "Weighting effect (Kish deff)", "Standard error", "Test statistic"):
        if c in df.columns:
            config[c] = st.column_config.NumberColumn(c, format="%.2f" if c != "Weighted base" else "%.1f")
    return config
