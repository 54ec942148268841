"""Streamlit glue for year-on-year views (the Trends page, Overview cards, the
tracker's re-measure): the embedded series of waves, and cached calls into
``feedback.survey.waves``. Caches are keyed by the waves' content hashes and
the choices, never by anything personal. No statistics here.
"""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from feedback.errors import InputError
from feedback.survey import loading, views, wave_join, waves
from ui import common, survey_ui

AUDIENCE_NAMES = waves.AUDIENCE_NAMES


def series_options() -> dict[str, tuple[str, str]]:
    """Label -> (audience, kind) for every embedded audience with two or more waves."""
    out = {}
    for kind in ("respondents", "data tables"):
        for audience in waves.sample_series(kind):
            name = AUDIENCE_NAMES.get(audience, audience.capitalize())
            # no count of waves in the label: an uploaded wave can join the series
            label = f"{name}, " + ("published data tables" if kind == "data tables" else "respondent-level data")
            out[label] = (audience, kind)
    return out


def upload_series_index(options: dict[str, tuple[str, str]]) -> int:
    """Where the selector of series starts: the series of the session's upload, if it has one
    (0 once the selector has a value: a choice already made, or set by a button, stands)."""
    upload = st.session_state.get(survey_ui.UPLOAD_KEY)
    if not upload or "trends_series" in st.session_state:
        return 0
    try:
        survey = survey_ui.load_upload(upload)
    except InputError:
        return 0
    found = [i for i, (audience, kind) in enumerate(options.values())
             if audience == survey.audience and kind == survey.kind]
    return found[0] if found else 0


def load_series(audience: str, kind: str = "respondents") -> list[waves.Wave]:
    """The embedded waves of an audience, oldest first (each read once per content, cached)."""
    out = []
    for sample in waves.sample_series(kind).get(audience, []):
        survey = survey_ui.load_sample(sample)
        out.append(waves.Wave(waves.wave_label(survey), survey))
    return waves.sort_waves(out)


def upload_wave(audience: str, kind: str, series: list[waves.Wave]) -> wave_join.Join | None:
    """The session's uploaded survey as one more wave of this series, or why it cannot be one
    (``feedback.survey.wave_join``). None when nothing is uploaded.

    This is how next year's survey joins the trends: upload it (its Audience and Wave set on
    the Upload page) and it is compared with the waves before it."""
    upload = st.session_state.get(survey_ui.UPLOAD_KEY)
    if not upload:
        return None
    return wave_join.assess_upload(lambda: survey_ui.load_upload(upload), name=upload.get("name") or upload["filename"],
                                   audience=audience, kind=kind, series=series)


def _relink(codebook) -> None:
    """Use the upload with this codebook (its questions linked, or its audience set)."""
    upload = {k: v for k, v in st.session_state[survey_ui.UPLOAD_KEY].items() if k != "codebook_text"}
    upload["codebook"] = codebook  # the object: no TOML between the Trends page and the survey
    st.session_state[survey_ui.UPLOAD_KEY] = upload
    st.session_state[survey_ui.CHOICE_KEY] = survey_ui.upload_label(upload)


def _link(matches, keys: list[str]) -> None:
    """The person confirmed the matches: the upload takes the series' ids."""
    survey = survey_ui.load_upload(st.session_state[survey_ui.UPLOAD_KEY])
    mapping = {qid: st.session_state.get(key) or "" for qid, key in zip(matches["upload_id"], keys)}
    try:
        linked = wave_join.apply_mapping(survey.codebook, mapping)
    except InputError as err:
        st.session_state["trends_link_error"] = str(err)
        return
    _relink(linked)
    n = sum(1 for v in mapping.values() if v)
    st.session_state["trends_linked"] = f"{n} question{'s' if n != 1 else ''} of your upload now carry the ids " \
                                        "of the series' questions they match."


def join_advice(join: wave_join.Join, audience: str, options: dict[str, tuple[str, str]], kind: str) -> None:
    """Say why the upload is not a wave of this series and offer what fixes it: its own series,
    this series' audience, or its questions matched to the series' by their text."""
    st.info(common.markdown_literal(join.message), icon=":material/info:")
    if join.status == wave_join.OTHER_AUDIENCE:
        label = next((lab for lab, (a, k) in options.items() if a == join.audience and k == kind), None)
        if label:
            st.button(f"Show the {waves.audience_words(join.audience)} series", key="trends_other_series",
                      icon=":material/swap_horiz:", on_click=lambda: st.session_state.update(trends_series=label))
    elif join.status == wave_join.NO_AUDIENCE:
        if st.button(f"Add it to these waves as a survey of {waves.audience_words(audience).lower()}",
                     key="trends_set_audience", icon=":material/add:"):
            survey = survey_ui.load_upload(st.session_state[survey_ui.UPLOAD_KEY])
            _relink(wave_join.with_audience(survey.codebook, audience))
            st.rerun()
    elif join.status == wave_join.NO_SHARED_IDS:
        _mapping_form(join.matches, join.series_questions)


def _mapping_form(matches, series: dict[str, str]) -> None:
    st.header("Match your questions to the series'")
    st.caption("Each question of your upload with the series question whose wording is most alike (similarity "
               "0 to 100). Change a match, or choose \"Not in these waves\", then confirm.")
    ids = ["", *series]
    keys = []
    # keyed by what is matched: another upload (or series) starts from its own suggested matches
    tag = hashlib.sha1(repr((list(matches["upload_id"]), ids)).encode()).hexdigest()[:8]
    with st.form("trends_link_form", border=True):
        for i, row in enumerate(matches.itertuples(index=False)):
            key = f"trends_link_{tag}_{i}"
            keys.append(key)
            st.selectbox(f"{common.markdown_literal(row.upload_text)} ({common.markdown_literal(row.upload_id)})", ids,
                         index=ids.index(row.series_id) if row.series_id in ids else 0, key=key,
                         format_func=lambda q: f"{q}: {series.get(q, '')}" if q else "Not in these waves",
                         help=f"Similarity of the suggested match: {row.score:.0f} of 100." if row.series_id
                         else "No question of the series has a similar wording.")
        st.form_submit_button("Link these questions and add the upload", type="primary", icon=":material/link:",
                              key="trends_link_confirm",
                              on_click=_link, args=(matches, keys))
    table = matches[["upload_id", "series_id", "score", "upload_text", "series_text"]].rename(columns={
        "upload_id": "Your id", "upload_text": "Your question", "series_id": "Series id",
        "series_text": "Series question", "score": "Similarity (0-100)"})
    st.dataframe(table, hide_index=True, width="stretch")


def _key(series: list[waves.Wave]) -> tuple:
    return tuple((w.label, w.survey.key) for w in series)


@st.cache_data(max_entries=128, ttl=3600, show_spinner=False)
def _trend(key: tuple, _series: list, grouping: str, region: str | None, method: str, level: float,
           suppress: int, flag: int, suppress_on: str = "n", flag_on: str = "n") -> pd.DataFrame:
    from feedback.intervals import SmallBase

    out = waves.trend(_series, by=views.GROUPINGS[grouping], filter={"region": region} if region else None,
                      level=level, method=method, small_base=SmallBase(suppress, flag, suppress_on, flag_on))
    return out.assign(level=level)


@st.cache_data(max_entries=128, ttl=3600, show_spinner=False)
def _change(key: tuple, _before, _after, grouping: str, region: str | None, level: float, adjust: str,
            suppress: int, flag: int, suppress_on: str = "n", flag_on: str = "n") -> pd.DataFrame:
    from feedback.intervals import SmallBase

    out = waves.change(_before, _after, by=views.GROUPINGS[grouping],
                       filter={"region": region} if region else None, level=level, adjust=adjust,
                       small_base=SmallBase(suppress, flag, suppress_on, flag_on))
    out.attrs["left_out"] = dict(out.attrs.get("left_out") or {})
    return out


def trend(series: list[waves.Wave], grouping: str, region: str | None) -> pd.DataFrame:
    s = survey_ui.settings()
    return _trend(_key(series), series, waves.grouping_for(series, grouping), region, s.method, s.level,
                  s.suppress, s.flag, s.suppress_on, s.flag_on)


def change(before: waves.Wave, after: waves.Wave, grouping: str, region: str | None) -> pd.DataFrame:
    s = survey_ui.settings()
    return _change(_key([before, after]), before, after, waves.grouping_for([before, after], grouping), region,
                   s.level, s.adjust, s.suppress, s.flag, s.suppress_on, s.flag_on)


def card_changes(survey: loading.Survey, region: str | None) -> tuple[dict[str, str], str]:
    """For the Overview cards: {question: "Since 2021: ▲ 5 pts, significant"} when the survey has an
    earlier wave, and a line naming the latest wave when a later one exists."""
    samples, at = waves.series_position(survey)
    if at < 0:
        return {}, ""
    later = ""
    if at < len(samples) - 1:
        later = (f"A later wave is loaded: {samples[-1].name}. Choose it above to see the change since this "
                 "wave, or open the Trends page.")
    if at == 0:
        return {}, later
    previous = survey_ui.load_sample(samples[at - 1])
    rows = change(waves.Wave(waves.wave_label(previous), previous), waves.Wave(waves.wave_label(survey), survey),
                  "Role", region)
    rows = rows[rows["by"] == "total"]
    return ({r.question: f"Since {r.wave_before}: {waves.change_words(r)}" for r in rows.itertuples(index=False)},
            later)
