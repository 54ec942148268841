"""Streamlit glue for year-on-year views (the Trends page, Overview cards, the
tracker's re-measure): the embedded series of waves, and cached calls into
``feedback.survey.waves``. Caches are keyed by the waves' content hashes and
the choices, never by anything personal. No statistics here.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from feedback.errors import InputError
from feedback.survey import explorer, waves
from ui import survey_ui

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


def load_series(audience: str, kind: str = "respondents") -> list[waves.Wave]:
    """The embedded waves of an audience, oldest first (each read once per content, cached)."""
    out = []
    for sample in waves.sample_series(kind).get(audience, []):
        survey = survey_ui.load_sample(sample)
        out.append(waves.Wave(waves.wave_label(survey), survey))
    return waves.sort_waves(out)


def upload_wave(audience: str, kind: str, series: list[waves.Wave]) -> tuple[waves.Wave | None, str]:
    """The session's uploaded survey as one more wave of this series, or why it cannot be one.

    This is how next year's survey joins the trends: upload it (with a codebook that
    keeps the question ids and names its wave) and it is compared with the waves
    before it. Returns (None, "") when nothing is uploaded."""
    upload = st.session_state.get(survey_ui.UPLOAD_KEY)
    if not upload:
        return None, ""
    name = upload.get("name") or upload["filename"]
    try:
        survey = survey_ui.load_upload(upload)
    except InputError as err:
        return None, f"Your upload {name} could not be read: {err}"
    if survey.kind != kind:
        return None, f"Your upload {name} is {survey.kind}, these waves are {kind}: it cannot be added as a wave."
    if survey.audience != audience:
        return None, (f"Your upload {name} is for the audience '{survey.audience or 'not given'}', these waves are "
                      f"for '{audience}': set audience = \"{audience}\" under [survey] in its codebook to add it.")
    label = waves.wave_label(survey)
    if not label:
        return None, (f"Your upload {name} names no wave: set wave = \"2023\" (its year) under [survey] in its "
                      "codebook to add it.")
    if label in {w.label for w in series}:
        return None, (f"Your upload {name} has the wave label '{label}', the same as a wave already shown: give it "
                      "its own wave = \"...\" under [survey] in its codebook.")
    return waves.Wave(label, survey), ""


def _key(series: list[waves.Wave]) -> tuple:
    return tuple((w.label, w.survey.key) for w in series)


@st.cache_data(max_entries=128, ttl=3600, show_spinner=False)
def _trend(key: tuple, _series: list, grouping: str, region: str | None, method: str, level: float,
           suppress: int, flag: int, suppress_on: str = "n", flag_on: str = "n") -> pd.DataFrame:
    from feedback.survey.rates import SmallBase

    out = waves.trend(_series, by=explorer.GROUPINGS[grouping], filter={"region": region} if region else None,
                      level=level, method=method, small_base=SmallBase(suppress, flag, suppress_on, flag_on))
    return out.assign(level=level)


@st.cache_data(max_entries=128, ttl=3600, show_spinner=False)
def _change(key: tuple, _before, _after, grouping: str, region: str | None, level: float, adjust: str,
            suppress: int, flag: int, suppress_on: str = "n", flag_on: str = "n") -> pd.DataFrame:
    from feedback.survey.rates import SmallBase

    out = waves.change(_before, _after, by=explorer.GROUPINGS[grouping],
                       filter={"region": region} if region else None, level=level, adjust=adjust,
                       small_base=SmallBase(suppress, flag, suppress_on, flag_on))
    out.attrs["left_out"] = dict(out.attrs.get("left_out") or {})
    return out


def grouping_for(series: list[waves.Wave], grouping: str) -> str:
    """Published tables do not cross role with region: fall back to role and region apart."""
    if any(w.survey.kind != "respondents" for w in series) and grouping == "Role × region":
        return "Role and region"
    return grouping


def trend(series: list[waves.Wave], grouping: str, region: str | None) -> pd.DataFrame:
    s = survey_ui.settings()
    return _trend(_key(series), series, grouping_for(series, grouping), region, s["method"], s["level"],
                  s["suppress"], s["flag"], s["suppress_on"], s["flag_on"])


def change(before: waves.Wave, after: waves.Wave, grouping: str, region: str | None) -> pd.DataFrame:
    s = survey_ui.settings()
    return _change(_key([before, after]), before, after, grouping_for([before, after], grouping), region,
                   s["level"], s["adjust"], s["suppress"], s["flag"], s["suppress_on"], s["flag_on"])


def _position(survey: explorer.Survey) -> tuple[list, int]:
    """The embedded series (samples, oldest first) the survey is one of, and its place; ([], -1) if none.
    Read from the codebooks only: no survey file is opened here."""
    samples = waves.sample_series(survey.kind).get(survey.audience or "", [])
    for i, sample in enumerate(samples):
        if sample.data_file == survey.filename and sample.name == survey.name:
            return samples, i
    return [], -1


def card_changes(survey: explorer.Survey, region: str | None) -> tuple[dict[str, str], str]:
    """For the Overview cards: {question: "Since 2021: ▲ 5 pts, significant"} when the survey has an
    earlier wave, and a line naming the latest wave when a later one exists."""
    samples, at = _position(survey)
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
