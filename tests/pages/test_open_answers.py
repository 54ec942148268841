"""AppTest runs of the Open answers page on a synthetic survey with a free-text column
(tests/fixtures/open_answers): pick the column, accept the suggestions, and the theme rates
table equals rates_by_group on indicator columns built here from the same codings."""

from __future__ import annotations

import io
import json
import os
import shlex
import subprocess
import sys

import pandas as pd
from streamlit.testing.v1 import AppTest

from feedback.export import to_csv_bytes
from feedback.roundtables import verbatims
from feedback.roundtables.themes import load_themes
from feedback.survey.codebook import Question, load_codebook
from feedback.survey.loading import load_survey
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


def test_answers_and_column_names_from_the_file_are_shown_as_plain_text(app):
    hostile = "**Bold** [click](https://evil.example) <img src=x onerror=alert(1)> meets :red[colour] in our area"
    frame = pd.read_csv(io.BytesIO(CSV), dtype=str, keep_default_na=False)
    first = frame.index[frame["comments"] != ""][0]
    frame.loc[first, "comments"] = hostile
    at = goto(app, "upload")
    at.file_uploader(key="upload_file").set_value(("hostile.csv", frame.to_csv(index=False).encode(), "text/csv"))
    at.file_uploader(key="upload_codebook").set_value(("staff_comments.toml", TOML, "application/toml"))
    at.run()
    at.button(key="upload_use").click().run()
    at = goto(at, "open_answers")
    assert hostile in [t.value for t in at.text]  # st.text: never Markdown
    shown = " ".join(e.value for e in [*at.markdown, *at.caption, *at.info, *at.warning, *at.error])
    assert "evil.example" not in shown and "onerror" not in shown


def test_the_codings_export_and_the_command_shown_give_the_table_s_rates(app, tmp_path):
    at = uploaded(app)
    at.button(key="open_answers_accept").click().run()
    at.radio(key="open_answers_by").set_value("Region").run()
    page_rates = at.dataframe[-1].value
    command = next(c.value for c in at.code if "theme-rates" in c.value)
    # The export the download button gives (its data is built when clicked: built here the same way).
    survey = load_survey("staff_comments.csv", CSV, TOML.decode())
    answers = verbatims.answers_with_suggestions(survey.frame, "comments", load_themes())
    codes = next(iter(at.session_state["open_answers_codings"].values()))
    table = verbatims.codings_table(survey.frame, "comments", codes, answers, load_themes(), coder="me")
    (tmp_path / "codings.csv").write_bytes(to_csv_bytes(table))
    (tmp_path / "staff_comments.csv").write_bytes(CSV)
    (tmp_path / "staff_comments.toml").write_bytes(TOML)
    args = shlex.split(command)[3:]  # after "python -m feedback"
    out = subprocess.run([sys.executable, "-m", "feedback", *args, "--format", "json"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert out.returncode == 0, out.stderr
    cli = table_for_display(pd.DataFrame(json.loads(out.stdout)))
    cols = ["Question", "Group", "Unweighted n", "Positive (%)", "Interval from (%)", "Interval to (%)"]
    pd.testing.assert_frame_equal(cli[cols].reset_index(drop=True), page_rates[cols].reset_index(drop=True),
                                  check_dtype=False)
