"""The Upload page's codebook form without Streamlit: codebook <-> form values, answer
distributions, what is left to check, and the preview of each question's positive share."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from feedback.survey import codebook as cbmod
from feedback.survey import codebook_form as form
from feedback.survey.rates import rates_by_group


@pytest.fixture
def frame():
    rng = np.random.default_rng(7)
    n = 200
    return pd.DataFrame({
        "Job role": rng.choice(["Police", "Health", "Education"], n),
        "Final weight": rng.uniform(0.4, 1.8, n),
        "Q5": rng.choice(["Brilliant", "Okay-ish", "Rubbish", None], n, p=[0.3, 0.3, 0.3, 0.1]),
        "Q6": rng.choice(["Yes", "No", "Don't know"], n),
    })


@pytest.fixture
def codebook():
    return cbmod.Codebook(title="Partners survey 2023", role="Job role", weight="Final weight", questions=[
        cbmod.Question("q5_rating", "Q5", "How would you rate it?", kind="agreement", check="why"),
        cbmod.Question("q6_heard", "Q6", "Have you heard of it?", kind="yes_no", positive=["Yes"],
                       base_label="All respondents", comparable=True, section="Awareness"),
    ])


def test_form_values_round_trip_keeps_every_field(codebook):
    codebook.questions[1].exclude = ["Don't know"]
    survey, questions = form.form_values(codebook, "partners_2023.csv")
    assert survey["region"] == form.NONE and survey["weight"] == "Final weight"
    assert survey["wave"] == "2023"  # the year in the title
    back = form.to_codebook(survey, questions)
    assert back.region == "" and back.weight == "Final weight" and back.wave == "2023"
    assert back.questions[1] == codebook.questions[1]  # comparable, section, exclude kept
    assert back.questions[0].check == "why"  # nothing ticked yet: still to check
    assert cbmod.load_codebook(cbmod.dump_codebook(back)).questions[0].check == "why"


def test_ticking_a_positive_answer_clears_the_check(codebook):
    survey, questions = form.form_values(codebook)
    questions[0]["positive"] = ["Brilliant"]
    q = form.to_codebook(survey, questions).questions[0]
    assert q.positive == ["Brilliant"] and q.check == ""
    # a suggestion's own ticks are not a person's: they settle it only when confirmed
    suggested = form.question_values(cbmod.Question("q", "Q5", positive=["Brilliant"], check="why"))
    assert form.to_question(suggested).check == "why"
    assert form.to_question({**suggested, "confirmed": True}).check == ""


def test_a_question_left_out_is_dropped_and_so_is_its_use_as_a_base(codebook):
    codebook.questions[0].positive, codebook.questions[0].check = ["Brilliant"], ""
    codebook.questions[1].base_question = "q5_rating"
    survey, questions = form.form_values(codebook)
    questions[0]["use"] = False
    back = form.to_codebook(survey, questions)
    assert [q.id for q in back.questions] == ["q6_heard"]
    assert back.questions[0].base_question == ""


def test_new_question_shows_its_kind_and_asks_for_its_positive_answers(frame):
    values = form.new_question(frame, "Q6", taken=["q6"])
    assert values["kind"] == "yes_no" and values["check"] == "why" and values["positive"] == []
    assert values["id"] == "q6_2"
    assert form.new_question(frame, "Q5", taken=[])["kind"] == "agreement"


def test_distribution_counts_and_weighted_shares(frame):
    dist = form.distribution(frame, "Q5", "Final weight", also=["Superb"])
    answered = frame["Q5"].notna()
    assert dist.attrs["missing"] == int((~answered).sum()) and dist.attrs["weighted"]
    row = dist.set_index("answer").loc["Brilliant"]
    w = frame["Final weight"]
    assert row["count"] == int((frame["Q5"] == "Brilliant").sum())
    assert row["share"] == pytest.approx(w[frame["Q5"] == "Brilliant"].sum() / w[answered].sum(), rel=1e-12)
    assert dist.iloc[-1]["answer"] == "Superb" and dist.iloc[-1]["count"] == 0  # named, given by nobody
    assert dist["share"].sum() == pytest.approx(1.0)
    unweighted = form.distribution(frame, "Q5", form.NONE)
    assert not unweighted.attrs["weighted"]
    assert unweighted.set_index("answer").loc["Brilliant", "share"] == pytest.approx(
        (frame["Q5"] == "Brilliant").sum() / answered.sum())


def test_distribution_keeps_a_labelled_scale_in_its_order():
    series = pd.Categorical(["Poor", "Good", "Good", "Very good"], categories=["Very good", "Good", "Poor"])
    dist = form.distribution(pd.DataFrame({"q": series}), "q")
    assert dist["answer"].tolist() == ["Very good", "Good", "Poor"]


def test_checks_green_only_when_nothing_is_left(frame, codebook):
    checks = form.checks(codebook, frame)
    assert checks.pending == ["q5_rating"] and not checks.problems and not checks.fits
    assert checks.summary() == ("Before this survey can be used: 1 question still needs its positive answers "
                                "ticked.")
    assert "fits" not in checks.summary()
    codebook.questions[0].positive, codebook.questions[0].check = ["Brilliant"], ""
    assert form.checks(codebook, frame).fits
    assert form.checks(codebook, frame).summary() == "The codebook fits the data."
    codebook.questions[0].column = "Q99"
    checks = form.checks(codebook, frame)
    assert not checks.fits and any("Q99" in p for p in checks.problems)
    assert "1 problem to fix" in checks.summary()


def test_preview_is_the_engine_figure_and_moves_with_the_ticks(frame, codebook):
    before = form.preview(frame, codebook).set_index("question")
    assert before.loc["q5_rating", "note"] == "tick its positive answers" and np.isnan(before.loc["q5_rating", "p"])
    survey, questions = form.form_values(codebook)
    questions[0]["positive"] = ["Brilliant"]
    one = form.preview(frame, form.to_codebook(survey, questions)).set_index("question")
    questions[0]["positive"] = ["Brilliant", "Okay-ish"]
    cb_two = form.to_codebook(survey, questions)
    two = form.preview(frame, cb_two).set_index("question")
    assert two.loc["q5_rating", "p"] > one.loc["q5_rating", "p"] > 0
    engine = rates_by_group(frame, cb_two, by=())
    engine = engine.set_index("question")
    assert two.loc["q5_rating", "p"] == pytest.approx(engine.loc["q5_rating", "p"], rel=1e-12)
    assert two.loc["q5_rating", "n"] == int(frame["Q5"].notna().sum())
    assert form.share_words(two.reset_index().iloc[0]).startswith(f"{100 * two.loc['q5_rating', 'p']:.1f}% positive")
    assert form.share_words(before.reset_index().iloc[0]) == "No figure yet: tick its positive answers."


def test_preview_explains_a_question_routed_through_one_not_counted(frame, codebook):
    codebook.questions[1].base_question = "q5_rating"
    rows = form.preview(frame, codebook).set_index("question")
    assert "base question q5_rating" in rows.loc["q6_heard", "note"]


def test_question_sets_are_drawn_together():
    questions = [{"question_set": ""}, {"question_set": "Q7"}, {"question_set": ""}, {"question_set": "Q7"}]
    assert form.question_groups(questions) == [("", [0]), ("Q7", [1, 3]), ("", [2])]


def test_every_kind_has_words():
    assert set(form.KIND_LABELS) == set(cbmod.KINDS)  # a new kind in the codebook needs its words here
    assert form.kind_label("top_box") == "Top box"  # one not known yet is still shown


def test_audience_guessed_from_the_title_or_file_name():
    assert form.guess_audience(cbmod.Codebook(title="Frontline professionals survey 2021")) == "frontline"
    assert form.guess_audience(cbmod.Codebook(title="Export"), "partners_2023.sav") == "partners"
    assert form.guess_audience(cbmod.Codebook(title="Partners and frontline staff")) == ""  # both: not guessed
    assert form.guess_audience(cbmod.Codebook(title="Staff survey")) == ""
    assert form.survey_values(cbmod.Codebook(title="Staff survey", audience="youth"))["audience"] == "youth"


def test_an_answer_both_positive_and_left_out_is_a_problem(frame, codebook):
    codebook.questions[1].exclude = ["yes"]
    problems = form.checks(codebook, frame).problems
    assert any("'Yes' is ticked as positive and also left out" in p for p in problems), problems


def test_a_question_of_a_set_is_named_by_its_option_or_row():
    stem = "Q5. Which of the following Panel publications have you read? Please select all that apply."
    assert form.item_text(f"{stem} - Annual report", stem) == "Annual report"
    assert form.item_text("Q6. How would you rate it? - Webinars", "q6. how would you rate it?") == "Webinars"
    assert form.item_text("Heard of the Panel?", "Q7. Where") == "Heard of the Panel?"
    assert form.item_text("Heard of the Panel?", "") == "Heard of the Panel?"


def test_the_page_helpers_name_questions_and_what_is_left():
    questions = [
        {"id": "q1", "column": "Q1", "text": "To what extent do you agree: the Panel listens", "use": True,
         "check": ""},
        {"id": "q2", "column": "Q2", "text": "To what extent do you agree: the Panel acts", "use": True,
         "check": "why"},
        {"id": "q3", "column": "Q3", "text": "", "use": False, "check": "why"},
    ]
    assert form.short_texts(questions) == ["The Panel listens", "The Panel acts", "Q3"]
    assert form.still_to_tick(questions) == ["q2"]  # q3 is not used
    survey = {"role": "Role", "region": form.NONE, "weight": "w"}
    assert form.unused_columns(["Role", "Q1", "Q2", "Q3", "w", "Notes"], survey, questions) == ["Notes"]
    twice = [dict(questions[0]), dict(questions[0])]
    assert form.short_texts(twice) == ["The Panel listens (0)", "The Panel listens (1)"]
