"""The Tables page's shared pieces: the breaks a survey offers, and the cached tab book."""

from __future__ import annotations

import dataclasses

import pandas as pd
import streamlit as st

from feedback.survey import loading
from feedback.survey.settings import Settings
from feedback.survey.tabbook import break_keys, tab_book

CROSSING = "role × region"


def break_options(survey: loading.Survey) -> dict[str, str]:
    """{break key: label}: role, region, their crossing, the codebook's break columns, each question (its text)."""
    cb = survey.codebook
    texts = {q.id: q.text or q.id for q in cb.questions}
    keys = break_keys(cb)
    out = {k: ("Role" if k == "role" else "Region" if k == "region" else f"Question: {texts[k]}" if k in texts
               else f"Column: {k}") for k in keys}
    if "role" in out and "region" in out:
        out = {"role": out["role"], "region": out["region"], CROSSING: "Role × region",
               **{k: v for k, v in out.items() if k not in ("role", "region")}}
    return out


def filter_answers(survey: loading.Survey, key: str) -> list[str]:
    """The answers (or break labels) a filter on ``key`` can take."""
    cb = survey.codebook
    column = next((q.column for q in cb.questions if q.id == key), None) or getattr(cb, key, "") or key
    values = survey.frame[column].dropna().astype(str)
    return sorted(v for v in values.unique() if v.strip())


@st.cache_data(max_entries=64, ttl=3600, show_spinner="Calculating the tables…")
def _table(key: str, _survey: loading.Survey, by: tuple, filter_items: tuple, dont_know: bool,
           settings_key: tuple, _settings: Settings) -> pd.DataFrame:
    by = [tuple(b.split(" × ")) for b in by]
    return tab_book(_survey.frame, _survey.codebook, by=by, filter=dict(filter_items) or None,
                    **_settings.engine(), dont_know=dont_know)


def table(survey: loading.Survey, by: list[str], filter: dict, dont_know: bool, settings: Settings) -> pd.DataFrame:
    """The tab book for the page's choices and the survey pages' method settings (cached by content)."""
    return _table(survey.key or survey.name, survey, tuple(by), tuple(sorted(filter.items())), dont_know,
                  dataclasses.astuple(settings), settings)
