"""Open-ended survey answers coded with the theme codebook (suggest, then a person accepts), and
theme rates by role and region from the survey engine equal to the rates on the coded column."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from feedback.errors import InputError
from feedback.roundtables import suggest, verbatims
from feedback.roundtables.themes import load_themes
from feedback.survey.rates import rates_by_group
from tests.survey.engine_helpers import frontline_like


@pytest.fixture
def survey():
    frame, codebook = frontline_like(n=300, seed=5, weighted=True)
    texts = [e.text for e in suggest.load_examples()]
    rng = np.random.default_rng(3)
    answers = np.array(texts, dtype=object)[rng.integers(0, len(texts), len(frame))]
    answers[rng.random(len(frame)) < 0.2] = ""  # some leave the box empty
    frame["comments"] = answers
    return frame, codebook


def test_answers_get_ranked_suggestions_with_reasons(survey):
    frame, _ = survey
    table = verbatims.suggest_answers(frame, "comments", load_themes())
    answered = frame.index[frame["comments"] != ""]
    assert set(table["row"]) == set(answered)
    assert list(table.columns) == ["row", "answer", "rank", "code", "sub_theme", "score", "suggested", "reason",
                                   "coder"]
    assert (table["coder"] == "suggester tfidf-1").all()
    again = verbatims.suggest_answers(frame, "comments", load_themes())
    pd.testing.assert_frame_equal(table, again)
    with pytest.raises(InputError, match="no column"):
        verbatims.suggest_answers(frame, "nope", load_themes())


def test_coded_answers_give_theme_rates_equal_to_rates_on_the_coded_column(survey):
    frame, codebook = survey
    themes = load_themes()
    table = verbatims.suggest_answers(frame, "comments", themes)
    # A person accepts the suggestions, rejects one code on every fifth answer, and leaves 10 rows uncoded.
    accepted = {}
    for i, (row, group) in enumerate(table.groupby("row", sort=True)):
        codes = list(group.loc[group["suggested"], "code"])
        accepted[row] = codes[1:] if i % 5 == 0 else codes
    for row in list(accepted)[:10]:
        del accepted[row]
    out, cb = verbatims.theme_questions(frame, codebook, "comments", accepted, themes)
    assert len(cb.questions) == len(codebook.questions) + len(themes.codes)
    res = rates_by_group(out, cb, by=(("role",), ("region",)))
    weights = out[codebook.weight].to_numpy()
    checked = 0
    for code in themes.codes:
        col = f"comments: {code.name}"
        coded_rows = out[col] != ""
        assert coded_rows.sum() == len(accepted)
        yes = (out[col] == "Yes").to_numpy()
        for by, column in (("role", codebook.role), ("region", codebook.region)):
            for group in out[column].dropna().unique():
                inside = (coded_rows & (out[column] == group)).to_numpy()
                if not inside.any():
                    continue
                row = res[(res["question"] == f"theme_{code.id}") & (res["by"] == by) & (res["group"] == group)]
                assert len(row) == 1
                assert int(row["n"].iloc[0]) == inside.sum()
                assert row["p"].iloc[0] == pytest.approx((weights * yes)[inside].sum() / weights[inside].sum())
                assert row["ci_low"].iloc[0] <= row["p"].iloc[0] <= row["ci_high"].iloc[0]
                checked += 1
    assert checked > 50
    with pytest.raises(InputError, match="Unknown sub-theme"):
        verbatims.theme_questions(frame, codebook, "comments", {frame.index[0]: ["nope"]}, themes)


def test_cli_suggests_for_a_survey_s_free_text_column(capsys, tmp_path):
    import io

    from feedback.__main__ import main

    data = tmp_path / "survey.csv"
    data.write_text("role,region,comments\nHealth,London,Young people in crisis wait weeks for a psychiatric bed.\n"
                    "Police,North East,\nSocial care,London,The Panel newsletter is useful\n", encoding="utf-8")
    assert main(["roundtables", "suggest-themes", str(data), "--column", "comments", "--format", "csv"]) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out.lstrip("\ufeff")))
    assert table[table["rank"] == 1][["point", "code", "suggested"]].values.tolist() == [
        [1, "mental_health_suicide", True], [3, "panel_engagement", True]]  # the empty answer (row 2) left out
    assert main(["roundtables", "suggest-themes", str(data), "--column", "comments"]) == 0
    assert "survey.csv answer 3: The Panel newsletter is useful" in capsys.readouterr().out


# ---------------------------------------------------------------- the Open answers page's model

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "open_answers"


@pytest.fixture
def staff():
    from feedback.isolation import in_process
    from feedback.survey import loading

    with in_process():
        return loading.load_survey("staff_comments.csv", (FIXTURE / "staff_comments.csv").read_bytes(),
                                   (FIXTURE / "staff_comments.toml").read_text(encoding="utf-8"))


def test_free_text_columns_are_the_unused_columns_of_mostly_distinct_sentences(staff):
    found = verbatims.free_text_columns(staff.frame, staff.codebook).set_index("column")
    assert list(found.index) == ["respondent_id", "job_title", "comments"]  # role, region, the question: used
    assert found.loc["comments", "free_text"] and "differ" in found.loc["comments", "why"]
    assert found.loc["comments", "answers"] + found.loc["comments", "blank"] == len(staff.frame)
    assert not found.loc["job_title", "free_text"] and "categories" in found.loc["job_title", "why"]
    assert not found.loc["respondent_id", "free_text"] and "word" in found.loc["respondent_id", "why"]


def test_theme_level_indicator_is_yes_when_any_sub_theme_of_the_theme_is_coded(survey):
    frame, codebook = survey
    themes = load_themes()
    code = themes.codes[0]
    rows = list(frame.index[:3])
    accepted = {rows[0]: [code.id], rows[1]: [], rows[2]: [c.id for c in themes.codes if c.theme != code.theme][:1]}
    out, cb = verbatims.theme_questions(frame, codebook, "comments", accepted, themes, level="theme")
    assert len(cb.questions) == len(codebook.questions) + len(themes.themes)
    col = f"comments: {code.theme}"
    assert list(out.loc[rows, col]) == ["Yes", "No", "No"]
    assert (out.loc[frame.index[3:], col] == "").all()
    with pytest.raises(InputError, match="unknown level"):
        verbatims.theme_questions(frame, codebook, "comments", accepted, themes, level="nope")


def test_page_model_suggests_pages_summarises_rates_and_exports(staff):
    from feedback.survey.settings import Settings

    themes = load_themes()
    frame = staff.frame
    answers = verbatims.answers_with_suggestions(frame, "comments", themes)
    blank = int((frame["comments"].astype("string").fillna("").str.strip() == "").sum())
    assert len(answers) == len(frame) - blank > 0
    assert [a.number for a in answers] == sorted(a.number for a in answers)
    assert frame.loc[answers[0].row, "comments"] == answers[0].text
    assert all(s.reason for a in answers for s in a.offered)
    assert verbatims.page_count(len(answers)) == -(-len(answers) // 20)
    assert verbatims.page(answers, 2) == answers[20:40]
    assert verbatims.page(answers, 99) == answers[20 * (verbatims.page_count(len(answers)) - 1):]

    accepted = {a.row: a.suggested for a in answers[:20]}
    s = Settings()
    summary = verbatims.coding_summary(frame, "comments", accepted, s)
    assert (summary["answers"], summary["blank"], summary["coded"]) == (len(answers), blank, 20)
    assert "fewer than 30" in summary["few"]
    accepted = {a.row: a.suggested for a in answers}
    assert verbatims.coding_summary(frame, "comments", accepted, s)["few"] == ""

    rates = verbatims.theme_rates(frame, staff.codebook, "comments", accepted, themes, by="region", settings=s)
    assert set(rates["by"]) == {"total", "region"}
    total = rates[rates["by"] == "total"].set_index("question")
    for theme in themes.themes:
        ids = {c.id for c in themes.codes if c.theme == theme}
        share = sum(bool(ids & set(codes)) for codes in accepted.values()) / len(accepted)
        qid = next(q for q in total.index if total.loc[q, "question_text"] == f"comments: {theme}")
        assert total.loc[qid, "p"] == pytest.approx(share)
        assert total.loc[qid, "n"] == len(accepted)
    with pytest.raises(InputError, match="No answer is coded"):
        verbatims.theme_rates(frame, staff.codebook, "comments", {}, themes)

    first = answers[0]
    table = verbatims.codings_table(frame, "comments", accepted, answers, themes, coder="A. Coder")
    assert len(table) == len(answers)
    assert table["Respondent row"].iloc[0] == first.number
    assert set(table["Coded by"]) == {"A. Coder"} and set(table["Same as suggested"]) == {"Yes"}
    assert (table["Suggester"] == suggest.SUGGESTER_CODER).all()
    hostile = [verbatims.Answer(first.row, first.number, "=HYPERLINK(\"http://x\")", ())]
    assert verbatims.codings_table(frame, "comments", {first.row: []}, hostile, themes, coder="me")[
        "Answer"].iloc[0].startswith("'=")
