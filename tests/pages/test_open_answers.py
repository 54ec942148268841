"""AppTest runs of the Open answers page on a synthetic survey with a free-text column
(tests/fixtures/open_answers): pick the column, accept the suggestions, and the theme rates
table equals rates_by_group on indicator columns built here from the same codings."""

from __future__ import annotations

import io

import pandas as pd
from streamlit.testing.v1 import AppTest

from feedback.roundtables.themes import load_themes
from feedback.survey.codebook import Question, load_codebook
from feedback.survey.rates import rates_by_group
from feedback.survey.views import table_for_display
from tests.pages.helpers import ROOT, goto

FIXTURE = ROOT / "tests" / "fixtures" / "open_answers"
CSV = (FIXTURE / "staff_comments.csv").read_bytes()
TOML = (FIXTURE / "staff_comments.toml").read_bytes()


def uploaded(app: AppTest) -> AppTest:
    at = goto(app, "upload")
    at.file_uploader(key="upload_file").set_value(("staff_comments.csv", CSV, "text/csv"))
    at.file_uploader(key="upload_codebook").set_value(("staff_comments.toml", TOML, "application/toml"))
    at.run()
    at.button(key="upload_use").click().run()
    assert not at.exception and any("Loaded" in s.value for s in at.success)
    return goto(at, "open_answers")


def expected_rates(codes: dict[int, list[str]], by: str) -> pd.DataFrame:
    """The theme rates computed here: one yes/no column per theme (blank where not coded), by rates_by_group."""
    frame = pd.read_csv(io.BytesIO(CSV), dtype=str, keep_default_na=False)
    codebook = load_codebook(TOML.decode())
    themes = load_themes()
    questions = []
    for i, theme in enumerate(themes.themes):
        ids = {c.id for c in themes.codes if c.theme == theme}
        col = f"ind_{i}"
        frame[col] = ""
        for row, chosen in codes.items():
            frame.loc[row, col] = "Yes" if ids & set(chosen) else "No"
        questions.append(Question(id=f"q{i}", column=col, text=f"comments: {theme}", kind="yes_no",
                                  positive=["Yes"]))
    codebook.questions = questions
    return rates_by_group(frame, codebook, by=((by,),))


def test_pick_column_accept_suggestions_and_rates_equal_the_engine(app):
    at = uploaded(app)
    assert at.selectbox(key="survey_choice").value.startswith("Your upload")
    column = at.selectbox(key="open_answers_column")
    assert column.options == ["comments"]  # respondent_id and job_title are not free text
    assert any("comments" in d.value["column"].tolist() for d in at.dataframe if "why" in d.value.columns)
    # Before any coding: nothing coded, the rates tab says so.
    assert any("No answer is coded yet" in i.value for i in at.info)
    codings = [m for m in at.multiselect if m.key.startswith("open_answers_codes_")]
    assert len(codings) == 20 and all(m.value == [] for m in codings)  # pre-filled with nothing
    assert any("suggester tfidf-1" in c.value for c in at.caption)

    at.button(key="open_answers_accept").click().run()
    assert not at.exception, [e.value for e in at.exception]
    coded = {m.key: m.value for m in at.multiselect if m.key.startswith("open_answers_codes_")}
    assert any(coded.values())
    state = next(iter(at.session_state["open_answers_codings"].values()))
    assert len(state) == 20
    assert any("20 coded" in t.value for t in at.text)
    assert any("Only 20 answer(s) are coded" in w.value for w in at.warning)  # few coded: flagged

    # Reject one: "None of these" codes it as none.
    first = next(k for k, v in coded.items() if v)
    at.button(key=first + "_none").click().run()
    state = dict(next(iter(at.session_state["open_answers_codings"].values())))
    assert state[int(first.rsplit("_", 1)[1]) - 1] == []

    for by in ("Role", "Region"):
        at.radio(key="open_answers_by").set_value(by).run()
        assert not at.exception
        shown = at.dataframe[-1].value
        want = table_for_display(expected_rates(state, by.lower()))
        got = shown.sort_values(["Question", "Group"]).reset_index(drop=True)
        want = want.sort_values(["Question", "Group"]).reset_index(drop=True)
        cols = ["Question", "Group", "Unweighted n", "Positive (%)", "Interval from (%)", "Interval to (%)", "Flag"]
        pd.testing.assert_frame_equal(got[cols], want[cols], check_dtype=False)
    assert len(at.get("vega_lite_chart")) == 1


def test_pages_of_twenty_and_codings_survive_a_page_switch(app):
    at = uploaded(app)
    at.button(key="open_answers_accept").click().run()
    first = [int(m.key.rsplit("_", 1)[1]) for m in at.multiselect if m.key.startswith("open_answers_codes_")]
    box = next(s for s in at.selectbox if s.key.endswith("page"))
    box.set_value(2).run()
    numbers = [int(m.key.rsplit("_", 1)[1]) for m in at.multiselect if m.key.startswith("open_answers_codes_")]
    assert len(numbers) == 20 and min(numbers) > max(first)
    at = goto(at, "results")
    at = goto(at, "open_answers")
    state = next(iter(at.session_state["open_answers_codings"].values()))
    assert len(state) == 20  # the first page's codings are kept for the session
