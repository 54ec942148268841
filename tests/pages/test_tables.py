"""AppTest runs of the Tables page (the tab book) on the embedded sample surveys."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from feedback.survey import examples, loading
from feedback.survey.tabbook import tab_book, wide_table

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("FEEDBACK_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    at.switch_page("pages/tables.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _survey(at: AppTest) -> loading.Survey:
    name = at.selectbox(key="survey_choice").value if any(w.key == "survey_choice" for w in at.selectbox) else None
    samples = [s for s in examples.available_examples() if s.kind == "respondents"]
    sample = next(s for s in samples if s.name == name) if name else samples[0]
    content, codebook = examples.example_files(sample)
    return loading.load_survey(sample.data_file, content, codebook, name=sample.name, kind=sample.kind)


def test_tables_page_shows_every_answer_by_role_with_bases_letters_and_text(app):
    survey = _survey(app)
    first = survey.codebook.questions[0]
    headers = [h.value.replace("\\", "") for h in app.subheader]  # plain(): Markdown escaped
    assert headers[:2] == [q.text or q.id for q in survey.codebook.questions[:2]]
    shown = app.dataframe[0].value
    assert shown.iloc[0, 0] == "Base (unweighted)" and list(shown.columns[:2]) == ["Answer", "Total"]
    assert any(c.startswith("role: ") and c.endswith("(A)") for c in shown.columns)
    want = wide_table(tab_book(survey.frame, survey.codebook, by=[("role",)]), first.id)
    assert shown.equals(want)  # the page draws exactly what the package computes
    assert "Positive net" in list(shown["Answer"])


def test_tables_page_switches_dont_know_breaks_by_a_question_and_filters(app):
    survey = _survey(app)
    dk_question = next(q for q in survey.codebook.questions
                        if survey.frame[q.column].astype(str).str.casefold().str.contains("don.t know").any())
    before = {h.value.replace("\\", ""): df.value for h, df in zip(app.subheader, app.dataframe)}
    app.toggle(key="tables_dont_know").set_value(False).run()
    assert not app.exception
    after = {h.value.replace("\\", ""): df.value for h, df in zip(app.subheader, app.dataframe)}
    text = dk_question.text or dk_question.id
    assert "Don't know" in set(before[text]["Answer"]) and "Don't know" not in set(after[text]["Answer"])
    assert int(after[text].iloc[0, 1]) < int(before[text].iloc[0, 1])
    app.multiselect(key="tables_by").set_value(["role × region"]).run()
    assert not app.exception
    assert any(c.startswith("role × region: ") and " / " in c for c in app.dataframe[0].value.columns)
    q = survey.codebook.questions[0]
    app.multiselect(key="tables_by").set_value([q.id]).run()
    assert not app.exception
    assert any(c.startswith(f"{q.id}: ") for c in app.dataframe[0].value.columns)
    app.selectbox(key="tables_filter_by").set_value("role").run()
    role = app.selectbox(key="tables_filter").value
    app.run()
    assert not app.exception
    base = int(app.dataframe[0].value.iloc[0, 1])
    assert 0 < base < len(survey.frame) and role


def test_tables_page_sorts_by_value_and_offers_downloads(app):
    app.checkbox(key="tables_sort").check().run()
    assert not app.exception
    shown = app.dataframe[0].value
    answers = shown.iloc[1:][~shown.iloc[1:]["Answer"].isin(["Positive net", "Negative net"])]
    values = [float(v.split("%")[0]) for v in answers["Total"] if v != "[c]"]
    assert values == sorted(values, reverse=True)
    labels = [b.label for b in app.get("download_button")]
    assert "Download table (CSV)" in labels and "Download tab book (XLSX, one table per sheet)" in labels
    assert "Download tab book (ODS, one table per sheet)" in labels


def test_tables_page_in_a_region_view_shows_that_region_only(app):
    survey = _survey(app)
    app.session_state["region"] = "London"
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    base = int(app.dataframe[0].value.iloc[0, 1])
    region_column = survey.codebook.region
    assert base == int((survey.frame[region_column] == "London").sum()) < len(survey.frame)
