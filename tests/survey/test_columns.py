"""Role, region and weight columns found by their values as well as their names; ids,
dates, status and free text left out; every choice with its reason."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from feedback.survey.codebook import suggest, validate
from feedback.survey.columns import choose_columns
from feedback.survey.read import SurveyData

N = 60


def cycle(values, n=N):
    return [values[i % len(values)] for i in range(n)]


def data(**columns) -> SurveyData:
    return SurveyData(frame=pd.DataFrame(columns, dtype=object), filename="test.csv")


@pytest.mark.parametrize("values", [
    ["Yorks & Humber", "North East England", "NE", "LONDON", "East"],
    ["Yorkshire and The Humber", "north west", "South East", "East of England"],
    ["E12000001", "E12000003", "E12000007", "E12000009"],
    ["the South West", "West Mids", "East Midlands", "London Region", "Wales"],
])
def test_region_found_by_its_values_whatever_the_spelling(values):
    found = choose_columns(data(area_code=cycle(values), q1=cycle(["Yes", "No"])))
    assert found["region"].column == "area_code" and found["region"].sure
    assert "English regions" in found["region"].reason


def test_region_named_by_its_derivation_and_a_region_named_column_without_regions():
    found = choose_columns(data(**{"Region (derived from postcode)": cycle(["London", "Wales", "South West"]),
                                   "q1": cycle(["Yes", "No"])}))
    assert found["region"].column == "Region (derived from postcode)" and "Wales" in found["region"].reason
    coded = choose_columns(data(region=cycle(["1", "2", "3"]), q1=cycle(["Yes", "No"])))["region"]
    assert coded.column == "region" and not coded.sure and "not English region names" in coded.reason
    assert choose_columns(data(q1=cycle(["Yes", "No"])))["region"].column == ""


@pytest.mark.parametrize("name", ["role", "Role", "job_role", "JobRole", "Job role",
                                  "S1. Which of the following best describes your current job role?",
                                  "Profession", "Organisation type", "What type of organisation do you work for?"])
def test_role_found_by_its_name(name):
    found = choose_columns(data(**{"Q1. Aware?": cycle(["Yes", "No"]), name: cycle(["Police", "Health", "LA"])}))
    assert found["role"].column == name and "named like a role" in found["role"].reason


def test_role_falls_back_to_the_first_categorical_column_that_is_not_a_question_and_says_so():
    found = choose_columns(data(**{
        "ResponseId": [f"R_{i}" for i in range(N)],
        "Q1. Have you heard of the Panel?": cycle(["Yes", "No"]),
        "Q2. Colour": cycle(["Red", "Blue"]),
        "Staff": cycle(["Manager", "Practitioner"]),
        "Team": cycle(["A", "B", "C"]),
    }))
    assert found["role"].column == "Staff" and not found["role"].sure and "check" in found["role"].reason
    demographics = choose_columns(data(Gender=cycle(["Female", "Male"]), age_band=cycle(["18-34", "35+"]),
                                       q1=cycle(["Yes", "No"])))
    assert demographics["role"].column == "" and not demographics["role"].sure  # gender is not a role


def test_weight_by_name_and_values():
    rng = np.random.default_rng(3)
    weights = [f"{w:.4f}" for w in rng.uniform(0.4, 1.6, N)]
    found = choose_columns(data(**{"Final weight": weights, "q1": cycle(["Yes", "No"])}))
    assert found["weight"].column == "Final weight" and found["weight"].sure
    two = choose_columns(data(**{"design wt": weights, "Final weight": weights[::-1], "q1": cycle(["Yes", "No"])}))
    assert two["weight"].column == "Final weight" and "design wt" in two["weight"].reason
    unnamed = choose_columns(data(factor=weights, q1=cycle(["Yes", "No"])))["weight"]
    assert unnamed.column == "" and not unnamed.sure and "'factor'" in unnamed.reason
    negative = choose_columns(data(weight=cycle(["1.2", "-0.2"]), q1=cycle(["Yes", "No"])))["weight"]
    assert negative.column == "" and not negative.sure
    grossing = choose_columns(data(wt=[f"{1000 * w:.1f}" for w in rng.uniform(0.4, 1.6, N)],
                                   q1=cycle(["Yes", "No"])))["weight"]
    assert grossing.column == "wt" and not grossing.sure and "not near 1" in grossing.reason


def test_ids_dates_status_durations_contacts_and_free_text_are_left_out():
    suggestion = suggest(data(**{
        "Response ID": [f"R_{i:04d}" for i in range(N)],
        "Start time": [f"2023-06-{1 + i % 28:02d} 10:{i % 60:02d}" for i in range(N)],
        "Status": cycle(["IP Address"]),
        "Finished": cycle(["True", "False"]),
        "Duration (in seconds)": [str(100 + i) for i in range(N)],
        "Email": [f"p{i}@example.gov.uk" for i in range(N)],
        "First name": cycle(["Ann", "Bo", "Cy"]),
        "Q9. Any other comments?": cycle(["Fine", "Too long", None]),
        "Q1. Have you heard of the Panel?": cycle(["Yes", "No", "Don't know"]),
    }))
    assert [q.column for q in suggestion.codebook.questions] == ["Q1. Have you heard of the Panel?"]
    assert suggestion.left_out == {"Response ID": "id", "Start time": "date", "Status": "status",
                                   "Finished": "status", "Duration (in seconds)": "duration",
                                   "Email": "e-mail or name", "First name": "e-mail or name",
                                   "Q9. Any other comments?": "free text"}
    assert suggestion.codebook.question("q1_heard").kind == "awareness"


def test_a_realistic_export_end_to_end():
    """The layout that went wrong: role, region and weight named in words, questions with text."""
    rng = np.random.default_rng(7)
    n = 300
    frame = pd.DataFrame({
        "Response ID": [f"R_{i:05d}" for i in range(n)],
        "S1. Which of the following best describes your current job role?":
            list(rng.choice(["Social worker", "Health visitor", "Police officer", "Teacher"], n)),
        "Region (derived from postcode)": list(rng.choice(["Yorkshire and The Humber", "North East", "LONDON",
                                                           "East", "Wales"], n)),
        "Final weight": [f"{w:.4f}" for w in rng.uniform(0.5, 1.5, n)],
        "Q5. Overall, how would you rate the Panel's communication with your organisation?":
            list(rng.choice(["Very good", "Fairly good", "Fairly poor", "Very poor"], n)),
        "Q6. How much, if anything, do you know about the Panel?":
            list(rng.choice(["Know a great deal", "Know a fair amount", "Know just a little",
                             "Heard of, know nothing about", "Never heard of"], n)),
        "Q8. How often do you read the Panel's newsletters?":
            list(rng.choice(["Always", "Often", "Sometimes", "Rarely", "Never"], n)),
    })
    suggestion = suggest(SurveyData(frame=frame, filename="export.csv"))
    cb = suggestion.codebook
    assert (cb.role, cb.region, cb.weight) == ("S1. Which of the following best describes your current job role?",
                                               "Region (derived from postcode)", "Final weight")
    assert [q.id for q in cb.questions] == ["q5_rate_communication", "q6_know", "q8_read_newsletters"]
    assert cb.question("q5_rate_communication").positive == ["Very good", "Fairly good"]
    assert cb.question("q6_know").positive == ["Know a great deal", "Know a fair amount"]
    assert cb.question("q6_know").kind == "awareness"
    often = cb.question("q8_read_newsletters")
    assert (often.positive, often.check) == (["Always", "Often"], "why")  # suggested, still to confirm
    problems = validate(cb, frame)
    assert len(problems) == 1 and "q8_read_newsletters" in problems[0] and "tick its positive answers" in problems[0]
    assert any(line.startswith("CHECK q8_read_newsletters") for line in suggestion.notes())
    assert suggestion.toml().startswith("# Suggested codebook")


def test_a_labelled_demographic_is_not_a_question_to_tick():
    frame = pd.DataFrame({"gender": cycle(["Female", "Male", "Prefer not to say"]),
                          "q1": cycle(["Yes", "No"])}, dtype=object)
    suggestion = suggest(SurveyData(frame=frame, question_text={"gender": "What is your gender?",
                                                                 "q1": "Have you heard of the Panel?"}))
    assert [q.column for q in suggestion.codebook.questions] == ["q1"]
    assert "who the respondents are" in suggestion.left_out["gender"]
