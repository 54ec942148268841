"""Codebook: TOML round trip, structural errors, suggestion from data, validation."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from feedback.errors import InputError
from feedback.survey import loading
from feedback.survey.codebook import Codebook, Question, dump_codebook, load_codebook, suggest_codebook, validate
from feedback.survey.read import SurveyData, read_survey

SURVEYS = Path(__file__).resolve().parents[2] / "data" / "surveys"

EXAMPLE = """
[survey]
title = "Safeguarding partners survey 2021"
audience = "partners"
fieldwork = "June to September 2021"
source = "Source: YouGov"

[columns]
role = "role"
region = "region"
weight = ""

[[questions]]
id = "aware_ce_review"
column = "q7_aware_ce"
text = "Are you aware of the Panel's national review of criminal exploitation?"
kind = "awareness"
positive = ["Yes"]
exclude = []
base_question = ""
base_label = "All safeguarding partners"

[[questions]]
id = "ce_changes"
column = "q8_ce_changes"
kind = "yes_no"
positive = "Yes"
base_question = "aware_ce_review"
"""


def test_load_example_and_round_trip(tmp_path):
    cb = load_codebook(EXAMPLE)
    assert (cb.title, cb.audience, cb.role, cb.region, cb.weight) == \
        ("Safeguarding partners survey 2021", "partners", "role", "region", "")
    first, second = cb.questions
    assert first == Question(id="aware_ce_review", column="q7_aware_ce",
                             text="Are you aware of the Panel's national review of criminal exploitation?",
                             kind="awareness", positive=["Yes"], exclude=[], base_question="",
                             base_label="All safeguarding partners")
    assert second.positive == ["Yes"] and second.base_question == "aware_ce_review" and second.exclude == []
    assert load_codebook(dump_codebook(cb)) == cb
    path = tmp_path / "cb.toml"
    path.write_text(dump_codebook(cb), encoding="utf-8")
    assert load_codebook(path) == cb and load_codebook(str(path)) == cb


def test_sample_codebooks_load_round_trip_and_fit_their_data():
    for data_name, cb_name in (("partners_2021.sav", "partners_2021.toml"),
                               ("frontline_2021.xlsx", "frontline_2021.toml")):
        cb = load_codebook((SURVEYS / cb_name).read_text(encoding="utf-8"))
        assert load_codebook(dump_codebook(cb)) == cb
        assert validate(cb, read_survey(data_name, (SURVEYS / data_name).read_bytes()).frame) == []


@pytest.mark.parametrize("text, message", [
    ("[survey\ntitle = 1", r"codebook: not valid TOML"),
    ("[survey]\ntitle = 'x'\n", r"no \[\[questions\]\] found"),
    ("[[questions]]\ncolumn = 'q1'\n", r"question 1 has no id"),
    ("[[questions]]\nid = 'a'\nkind = 'rating'\n", r"question 'a' has kind 'rating'; use one of awareness"),
    ("[[questions]]\nid = 'a'\n[[questions]]\nid = 'a'\n", r"question id 'a' is used twice"),
    ("[[questions]]\nid = 'a'\npositve = ['Yes']\n", r"question 1 has unknown key\(s\) positve"),
    ("[[questions]]\nid = 'a'\npositive = [['Yes']]\n", r"question 'a' positive must be a list of answers"),
])
def test_load_errors(text, message):
    with pytest.raises(InputError, match=message):
        load_codebook(text)


# ------------------------------------------------------------------ suggestion
def survey_frame() -> SurveyData:
    n = 40
    cycle = lambda values: [values[i % len(values)] for i in range(n)]  # noqa: E731
    frame = pd.DataFrame({
        "Respondent ID": [str(1000 + i) for i in range(n)],
        "Job Role": cycle(["Police", "Health", "Education"]),
        "REGION": cycle(["London", "North East"]),
        "Wt": cycle(["1.2", "0.8"]),
        "q1_heard_of_panel": cycle(["Yes", "No", "Don't know"]),
        "q2_improves": cycle(["Tend to agree", "Strongly disagree", "Strongly agree", "Neither agree nor disagree"]),
        "q3_useful": cycle(["Fairly useful", "Not very useful", "Very useful", "Don't know"]),
        "q4_independent": cycle(["Yes", "No", "Not sure"]),
        "q5_read_report": cycle(["Yes, some of it", "No, none of it", "Yes, all of it"]),
        "q6_letters": cycle(["Selected", "Not selected"]),
        "q7_emails": cycle(["1", "0"]),
        "q8_other": cycle(["0", "1"]),
        "comments": [f"comment {i}" for i in range(n)],
        "q9_colour": cycle(["Red", "Blue"]),
    }, dtype=str)
    return SurveyData(frame=frame, question_text={"q7_emails": "Emails from the Panel"}, filename="test.csv")


def test_suggest_recognises_columns_and_scales():
    cb = suggest_codebook(survey_frame())
    assert (cb.role, cb.region, cb.weight) == ("Job Role", "REGION", "Wt")
    got = {q.id: (q.column, q.kind, q.positive, q.exclude, q.check) for q in cb.questions}
    assert got == {
        "heard_of_panel": ("q1_heard_of_panel", "awareness", ["Yes"], [], ""),
        "improves": ("q2_improves", "agreement", ["Strongly agree", "Tend to agree"], [], ""),
        "useful": ("q3_useful", "usefulness", ["Very useful", "Fairly useful"], [], ""),
        "independent": ("q4_independent", "yes_no", ["Yes"], [], ""),
        "read_report": ("q5_read_report", "yes_no", ["Yes, all of it", "Yes, some of it"], [], ""),
        "letters": ("q6_letters", "multi_select", ["Selected"], [], ""),
        "emails": ("q7_emails", "multi_select", ["1"], [], ""),
        # named like questions, answers the vocabulary cannot read: a person ticks them, nothing guessed
        "other": ("q8_other", "multi_select", [], [], "why"),
        "colour": ("q9_colour", "agreement", [], [], "why"),
    }  # short ids; no id or free text; positive answers strongest first; "Don't know" stays in the base
    assert cb.question("emails").text == "Emails from the Panel"
    problems = validate(cb, survey_frame().frame)
    assert len(problems) == 2 and all("tick its positive answers" in p for p in problems)
    assert "'q8_other'" in problems[0] and "'q9_colour'" in problems[1]
    assert load_codebook(dump_codebook(cb)) == cb


@pytest.mark.parametrize("name", ["role", "Role", "job_role", "JobRole", "job role"])
def test_role_column_names(name):
    data = SurveyData(frame=pd.DataFrame({name: ["a", "b"], "q": ["Yes", "No"]}, dtype=str))
    assert suggest_codebook(data).role == name


def test_suggest_on_the_sample_spss_matches_its_codebook():
    data = read_survey("partners_2021.sav", (SURVEYS / "partners_2021.sav").read_bytes())
    suggested = {q.column: q for q in suggest_codebook(data).questions}
    published = load_codebook((SURVEYS / "partners_2021.toml").read_text(encoding="utf-8"))
    for q in published.questions:
        s = suggested[q.column]
        assert (s.kind, s.positive) == (q.kind, q.positive), q.id
        assert s.text == q.text  # SPSS variable label


def test_cli_codebook_suggest(capsys):
    from feedback.__main__ import main

    assert main(["codebook", "suggest", str(SURVEYS / "frontline_2021.xlsx")]) == 0
    cb = load_codebook(capsys.readouterr().out)
    assert cb.weight == "weight" and [q.id for q in cb.questions][:2] == ["heard_of_panel", "aware_panel_reviews"]


def test_suggestion_on_the_frontline_sample_finds_title_fieldwork_ids_and_routing():
    """The suggestion from the respondent file alone comes close to the hand-written codebook."""
    data = read_survey("frontline_2021.xlsx", (SURVEYS / "frontline_2021.xlsx").read_bytes())
    cb = suggest_codebook(data)
    published = load_codebook((SURVEYS / "frontline_2021.toml").read_text(encoding="utf-8"))
    assert cb.title == "Frontline professionals survey 2021" and cb.fieldwork == "June to September 2021"
    assert [q.id for q in cb.questions] == [q.id for q in published.questions]
    routed = {q.id: q.base_question for q in cb.questions if q.base_question}
    assert routed == {q.id: q.base_question for q in published.questions if q.base_question}
    assert all(q.base_label.startswith("Those answering Yes to") for q in cb.questions if q.base_question)
    assert validate(cb, data.frame) == []


def test_routing_needs_everyone_else_blank():
    filt = ["Yes"] * 20 + ["No"] * 20
    follow = ["Very useful"] * 10 + ["Not very useful"] * 10 + [None] * 20
    leaky = follow[:-1] + ["Very useful"]  # one person answered without passing the filter
    frame = pd.DataFrame({"aware": filt, "useful": follow, "useful2": leaky}, dtype=object)
    cb = suggest_codebook(SurveyData(frame=frame))
    assert cb.question("useful").base_question == "aware"
    assert cb.question("useful2").base_question == ""


def test_ids_follow_a_loaded_survey_where_the_text_matches():
    frame = pd.DataFrame({"Q7": ["Yes", "No"], "Q8": ["Yes", "No"]}, dtype=str)
    data = SurveyData(frame=frame, question_text={"Q7": "Are you aware of the Panel's review?",
                                                  "Q8": "Something new?"})
    known = Codebook(questions=[Question(id="aware_review", column="x", text="Are you  aware of the panel's review?")])
    assert [q.id for q in suggest_codebook(data, known=[known]).questions] == ["aware_review", "q8_new"]


def test_short_ids_and_title_rows_and_answers():
    from feedback.survey.codebook import column_answers, short_id, title_and_fieldwork

    assert short_id("q01_understand_remit") == "understand_remit"
    assert short_id("Q23_1_letters") == "letters"
    assert short_id("How useful, if at all, do you find the Panel's pages on the gov.uk website?") == \
        "useful_pages_govuk"
    assert title_and_fieldwork(["Partners survey 2021", "Fieldwork dates: 7 June - 30 September 2021"]) == \
        ("Partners survey 2021", "7 June - 30 September 2021")
    answers = column_answers(pd.DataFrame({"q": ["Yes", "No", "Yes", None]}))
    assert answers == {"q": "Yes; No"}


# ------------------------------------------------------------------ validation
def test_validate_names_each_problem():
    frame = pd.DataFrame({"role": ["a", "b", "c"], "wt": ["1", "x", "-2"], "q1": ["Yes", "No", "Yes"],
                          "q2": ["Tend to agree", "Strongly agree", "Disagree"]}, dtype=str)
    cb = Codebook(role="role", region="area", weight="wt", questions=[
        Question(id="q1", column="q1", positive=["Ja"]),
        Question(id="q2", column="q2", positive=["Strongly agree", "Tend to agre"], kind="agreement"),
        Question(id="q3", column="Q2", positive=["Yes"], base_question="q9"),
        Question(id="q4", column="q1", positive=[]),
    ])
    problems = validate(cb, frame)
    assert problems == [
        "the region column 'area' named in the codebook's [columns] is not in the data",
        "the weight column 'wt' is not numeric (data row 2: 'x'); weights must be numbers",
        "the weight column 'wt' has 1 negative weight(s); weights must be 0 or more",
        "question 'q1': none of its positive answers ['Ja'] is in column 'q1' (answers there: Yes, No)",
        "question 'q2': positive answer 'Tend to agre' is not in column 'q2'; did you mean 'Tend to agree'?",
        "question 'q3': base_question 'q9' is not a question id in the codebook",
        "question 'q3': column 'Q2' is not in the data (did you mean 'q2'?)",
        "question 'q4' (column 'q1') lists no positive answers",
    ]


def test_validate_fine_and_case_insensitive():
    frame = pd.DataFrame({"q1": ["yes ", "No"], "w": ["1.5", "0"]}, dtype=str)
    cb = Codebook(weight="w", questions=[Question(id="q1", column="q1", positive=["YES"])])
    assert validate(cb, frame) == []


def test_positive_answers_are_matched_per_distinct_answer_as_per_row():
    """The routing check matches each distinct answer once; the result must be the row-by-row rule."""
    import numpy as np

    from feedback.survey import codebook as cbmod
    from feedback.survey.answers import answer_key

    values = ["Yes", " yes ", "YES", "No", None, np.nan, 1.0, "1", 2, "Strongly  agree"] * 3
    for series in (pd.Series(values, dtype=object), pd.Series([str(v) if isinstance(v, str) else v for v in values]),
                   pd.Series(["Yes", None, "No"] * 5, dtype="string[pyarrow]")):
        positive = ["yes", "1", "strongly agree"]
        wanted = {answer_key(p) for p in positive}
        by_row = np.array([pd.notna(v) and answer_key(v) in wanted for v in series], dtype=bool)
        assert (cbmod._positive_mask(series, positive) == by_row).all()


# ------------------------------------------------------------------ what is left to check
def test_fits_the_data_only_when_nothing_is_left_to_tick():
    from feedback.survey.codebook import FITS, review, to_check

    frame = pd.DataFrame({"q1": ["Always", "Never", "Often"], "q2": ["Yes", "No", "Yes"]}, dtype=str)
    cb = Codebook(questions=[Question(id="q1", column="q1", check="why"),
                             Question(id="q2", column="q2", positive=["Yes"])])
    checked = review(cb, frame, {"q1": "a frequency scale"})
    assert not checked.ok and checked.problems == [] and checked.message != FITS
    assert checked.to_tick == to_check(cb, {"q1": "a frequency scale"})
    assert "tick its positive answers" in checked.to_tick[0] and "Why: a frequency scale" in checked.to_tick[0]
    assert validate(cb, frame) == to_check(cb)  # the page's and the loader's check both say it
    with pytest.raises(InputError, match="tick its positive answers"):
        from feedback import safety
        from feedback.survey import loading

        with safety.in_process():
            loading.load_survey("x.csv", frame.to_csv(index=False).encode(), dump_codebook(cb))
    cb.questions[0].positive, cb.questions[0].check = ["Always", "Often"], ""
    assert review(cb, frame).ok and review(cb, frame).message == FITS


def test_an_unreviewed_suggestion_loads_without_the_questions_to_tick_and_says_so():
    from feedback import safety

    csv = "q1_read,q2_aware\n" + "".join(f"{a},{b}\n" for a, b in [("Always", "Yes"), ("Never", "No")] * 10)
    with safety.in_process():
        survey = loading.load_survey("x.csv", csv.encode())
    assert [q.id for q in survey.codebook.questions] == ["aware"]
    assert survey.notes == ["1 question(s) left out until their positive answers are ticked (the suggestion could "
                            "not tell which answers are favourable): read."]


# ------------------------------------------------------------------ ids
@pytest.mark.parametrize("column, text, qid", [
    ("Q5. Overall, how would you rate the Panel's communication with your organisation?", "", "q5_rate_communication"),
    ("S1. Which of the following best describes your current job role?", "", "s1_job_role"),
    ("Q6_1. Where do you look for information about the Panel? - My organisation", "", "q6_1_organisation"),
    ("To what extent do you agree or disagree: I have a good understanding of the Panel's remit", "",
     "good_understanding_remit"),
    ("Q12a. How much, if anything, do you know about the Panel's national thematic reviews?", "",
     "q12a_know_national_thematic"),
    ("Q7", "How likely are you to recommend the Panel to a colleague?", "q7_likely_recommend_colleague"),
    ("q01_understand_remit", "", "understand_remit"),
    ("Q1_heard_of_panel", "", "heard_of_panel"),
    ("QID12", "", "qid12"),
])
def test_ids_are_the_question_number_and_key_words(column, text, qid):
    from feedback.survey.codebook import short_id

    assert short_id(column, text) == qid
    assert len(qid) <= 32 and short_id(column, text) == short_id(column, text)  # deterministic


def test_ids_are_unique_within_a_file():
    frame = pd.DataFrame({"How useful is the Panel's newsletter?": ["Very useful", "Not very useful"],
                          "How useful is the Panel newsletter?": ["Very useful", "Not very useful"],
                          "Q3 How useful is the newsletter?": ["Very useful", "Not very useful"]}, dtype=str)
    ids = [q.id for q in suggest_codebook(SurveyData(frame=frame)).questions]
    assert ids == ["useful_newsletter", "useful_newsletter_2", "q3_useful_newsletter"]


@pytest.mark.parametrize("data_name", ["partners_2021.sav", "partners_2022.sav", "frontline_2021.xlsx",
                                       "frontline_2022.xlsx"])
def test_the_suggestion_is_each_sample_codebook_in_kinds_positive_and_excluded_answers(data_name):
    """The hand-written sample codebooks are what the suggestion proposes: nothing left to check,
    every column choice sure, "Have not used it" excluded as the partners' codebook does."""
    from feedback import safety
    from feedback.survey.codebook import suggest

    with safety.in_process():
        data = read_survey(data_name, (SURVEYS / data_name).read_bytes())
    suggestion = suggest(data)
    published = load_codebook((SURVEYS / (Path(data_name).stem + ".toml")).read_text(encoding="utf-8"))
    got = {q.column: (q.kind, q.positive, q.exclude, q.check) for q in suggestion.codebook.questions}
    assert got == {q.column: (q.kind, q.positive, q.exclude, "") for q in published.questions}
    assert {slot: c.column for slot, c in suggestion.columns.items()} == \
        {"role": published.role, "region": published.region, "weight": published.weight}
    assert all(c.sure for c in suggestion.columns.values()) and suggestion.to_check() == []
    assert suggestion.left_out == {"respondent_id": "id"}


def test_routing_found_by_counting_first_matches_trying_every_earlier_question():
    """The routed questions (and their bases) are those found by trying every earlier question, on
    surveys where many questions could route others."""
    import numpy as np

    from feedback.survey.codebook import _positive_mask

    def every_earlier(frame, questions):
        out = {}
        for i, q in enumerate(questions):
            asked = frame[q.column].notna().to_numpy()
            if asked.all() or not asked.any():
                continue
            for earlier in reversed(questions[:i]):
                filt = _positive_mask(frame[earlier.column], earlier.positive)
                if filt.sum() and not (asked & ~filt).any() and asked.sum() >= 0.9 * filt.sum():
                    out[q.id] = earlier.id
                    break
        return out

    rng = np.random.default_rng(3)
    found = 0
    for _ in range(20):
        n, width = 30, 12
        columns = {}
        for j in range(width):
            base = columns.get(f"q{int(rng.integers(j))}") if j and rng.random() < 0.6 else None
            answers = pd.Series(rng.choice(["Yes", "No"], n, p=[0.6, 0.4]), dtype=object)
            if j and rng.random() < 0.3:  # the same answers as the last question: two could route the next
                answers = columns[f"q{j - 1}"].copy()
            elif base is not None:  # routed: answered by (most of) those saying Yes to an earlier one
                answers = answers.where((base == "Yes") & (rng.random(n) < 0.95))
            columns[f"q{j}"] = answers
        cb = suggest_codebook(SurveyData(frame=pd.DataFrame(columns)))
        routed = {q.id: q.base_question for q in cb.questions if q.base_question}
        assert routed == every_earlier(pd.DataFrame(columns), cb.questions)
        found += len(routed)
    assert found > 20  # the surveys did route questions
