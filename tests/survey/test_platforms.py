"""Survey platforms' exports (tests/fixtures/suppliers, from scripts/make_supplier_corpus.py) read in
their own layouts, and the engine's rates on them, with the hand-written expected codebooks,
equal to figures computed independently on the raw files (tests/survey/supplier_helpers.py)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from feedback import isolation
from feedback.__main__ import build_parser
from feedback.errors import InputError
from feedback.regions import normalise_regions
from feedback.survey import platforms
from feedback.survey.cli import compute_rates
from feedback.survey.codebook import load_codebook, validate
from feedback.survey.read import read_survey
from tests.survey.supplier_helpers import FILES, SUPPLIERS, independent_rates, raw_frame

LAYOUTS = {
    "qualtrics_partners.csv": "Qualtrics CSV export (three header rows: ids, question text, ImportId)",
    "qualtrics_frontline.sav": "Qualtrics SPSS export (variable and value labels)",
    "surveymonkey_partners.xlsx": "SurveyMonkey XLSX export (two header rows: question text, answer options)",
    "surveymonkey_frontline.csv": "SurveyMonkey CSV export (two header rows: question text, answer options)",
    "smartsurvey_practitioners.csv": "SmartSurvey CSV export (one header row)",
    "msforms_roundtable.xlsx": "Microsoft Forms XLSX export (one header row)",
    "googleforms_event.csv": "Google Forms CSV export (one header row)",
    "yougov_frontline.sav": "YouGov SPSS export (variable and value labels)",
    "yougov_partners.csv": "YouGov CSV export (one header row)",
}


def read(path: Path):
    with isolation.in_process():
        return read_survey(path.name, path.read_bytes())


@pytest.fixture(scope="module")
def corpus():
    return {p.name: read(p) for p in FILES}


def test_corpus_has_every_layout_and_an_expected_codebook():
    assert sorted(p.name for p in FILES) == sorted(LAYOUTS)
    for p in FILES:
        assert (SUPPLIERS / f"{p.stem}.expected.toml").exists(), p.name


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_layout_detected_and_named(corpus, name):
    layout = corpus[name].layout
    assert layout.name == LAYOUTS[name]
    assert layout.describe().startswith(f"Read as a {LAYOUTS[name]}.")


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_rates_equal_independent_figures(name, tmp_path):
    """The CLI's rates (``python -m feedback rates FILE --codebook CB --by role --by region``) with the
    expected codebook equal plain weighted shares on the raw file, to 1e-12, for every group."""
    path = SUPPLIERS / name
    cb_path = SUPPLIERS / f"{path.stem}.expected.toml"
    cb = load_codebook(cb_path)
    data = read(path)
    assert validate(cb, data.frame) == []
    args = build_parser().parse_args(["rates", str(path), "--codebook", str(cb_path), "--by", "role",
                                      "--by", "region", "--small-base", "1,1"])
    with isolation.in_process():
        results, _ = compute_rates(args)
    # The engine names groups as the loaded survey does (regions in the Panel's spelling): the
    # independent figures take each respondent's group label from it, row by row, after checking that
    # each raw value has one label. Answers, weights and bases all come from the raw file.
    raw = raw_frame(path, [cb.role, cb.region])
    assert len(raw) == len(data.frame)
    labels = {}
    for by, column in (("role", cb.role), ("region", cb.region)):
        pairs = pd.DataFrame({"raw": raw[column].to_numpy(), "read": data.frame[column].astype(object).to_numpy()})
        assert pairs.dropna().drop_duplicates()["raw"].is_unique, by
        if by == "role":  # roles are read as they are written
            assert pairs["raw"].equals(pairs["read"])
        read_labels = pd.Series(pairs["read"].to_numpy())
        if by == "region":  # regions are named in the Panel's spelling when a survey is loaded
            read_labels = normalise_regions(read_labels).values.astype(object)
        labels[by] = read_labels
    expected = independent_rates(path, cb, labels)
    for by in ("role", "region"):
        assert sorted(results.loc[results["by"] == by, "group"].unique()) == sorted(
            expected.loc[expected["by"] == by, "group"].unique()), by
    merged = expected.merge(results[["question", "by", "group", "n", "p"]], on=["question", "by", "group"],
                            suffixes=("_raw", "_engine"), how="left", validate="one_to_one")
    assert len(merged) == len(expected) and merged["p_engine"].notna().sum() == merged["p_raw"].notna().sum()
    assert (merged["n_raw"] == merged["n_engine"]).all()
    assert np.allclose(merged["p_engine"], merged["p_raw"], rtol=0, atol=1e-12, equal_nan=True)
    assert len(merged) >= 7 * len(cb.questions)  # total, and several roles and regions


def test_qualtrics_header_rows_are_question_text_not_respondents(corpus):
    data = corpus["qualtrics_partners.csv"]
    assert len(data.frame) == 240
    assert not data.frame["ResponseId"].isin(["Response ID"]).any()
    assert not data.frame["StartDate"].str.startswith('{"ImportId"').any()
    assert data.question_text["Q3"] == ("Q3. Before today, had you heard of the Child Safeguarding Practice Review "
                                        "Panel?")
    assert "Header rows 2 and 3 (question text, ImportId) read as question text" in data.layout.describe()


def test_joined_multi_select_split_on_options_seen(corpus):
    """Qualtrics joins choices with ",": an option holding a comma stays whole."""
    data = corpus["qualtrics_partners.csv"]
    options = [c for c in data.frame.columns if c.startswith("Q5 [")]
    assert sorted(options) == sorted(["Q5 [Annual report]", "Q5 [Child protection in England]",
                                      "Q5 [Practice guidance: reviews, rapid reviews and LCSPRs]",
                                      "Q5 [Safeguarding children with disabilities in residential settings]",
                                      "Q5 [None of these]"])
    assert "Q5" not in data.frame.columns
    raw = pd.read_csv(SUPPLIERS / "qualtrics_partners.csv", skiprows=[1, 2], dtype=str, keep_default_na=False)
    guidance = data.frame["Q5 [Practice guidance: reviews, rapid reviews and LCSPRs]"]
    assert (guidance == "Selected").sum() == raw["Q5"].str.contains("Practice guidance: reviews,", regex=False).sum()
    assert guidance.isna().sum() == (raw["Q5"] == "").sum() > 0  # not answered: missing, not "Not selected"
    assert set(guidance.dropna()) == {"Selected", "Not selected"}
    assert {data.layout.question_sets[c] for c in options} == {
        "Q5. Which of the following Panel publications have you read? Please select all that apply."}
    assert data.question_text["Q5 [None of these]"].endswith("Please select all that apply. - None of these")
    assert "'Q5' (a multi-select, options joined with ',') split into 5 Selected / Not selected columns" in \
        data.layout.notes


@pytest.mark.parametrize("name,stem,sep,count", [
    ("msforms_roundtable.xlsx", "Which parts of the session were most useful to you?", ";", 4),
    ("googleforms_event.csv", "Which topics should future events cover?", ", ", 4)])
def test_forms_multi_selects(corpus, name, stem, sep, count):
    data = corpus[name]
    options = [c for c in data.frame.columns if c.startswith(stem + " [")]
    assert len(options) == count and stem not in data.frame.columns
    assert any("," in c for c in options)  # "Neglect, including chronic neglect" / "Presentations, including…"
    assert {data.layout.question_sets[c] for c in options} == {stem}
    assert f"(a multi-select, options joined with {sep!r}) split into {count}" in data.layout.describe()


@pytest.mark.parametrize("name,count", [("surveymonkey_partners.xlsx", 5), ("surveymonkey_frontline.csv", 4),
                                        ("smartsurvey_practitioners.csv", 4), ("qualtrics_frontline.sav", 5),
                                        ("yougov_frontline.sav", 5), ("yougov_partners.csv", 4)])
def test_one_column_per_option_multi_selects(corpus, name, count):
    data = corpus[name]
    options = [c for c in data.layout.options]
    assert len(options) == count
    assert len({data.layout.question_sets[c] for c in options}) == 1
    for c in options:
        assert set(data.frame[c].dropna()) <= {"Selected", "Not selected"}
    answered = data.frame[options].notna()
    assert (answered.all(axis=1) | ~answered.any(axis=1)).all()  # answered all options or none


@pytest.mark.parametrize("name,columns,label", [
    ("qualtrics_partners.csv", ["Q6_1", "Q6_2", "Q6_3", "Q6_4"],
     "Q6. How would you rate the Panel's communication through each of the following?"),
    ("surveymonkey_partners.xlsx", [f"How useful, if at all, have you found each of the following? [{r}]" for r in
                                    ("Rapid review template", "National review reports", "Panel newsletters")],
     "How useful, if at all, have you found each of the following?"),
    ("googleforms_event.csv", [f"How confident do you feel about each of the following? [{r}]" for r in
                               ("Sharing information with partners", "Challenging other agencies",
                                "Using review findings")],
     "How confident do you feel about each of the following?"),
    ("yougov_frontline.sav", ["Q4_1", "Q4_2", "Q4_3", "Q4_4"],
     "How well, if at all, do the following agencies work together with you to keep children safe?"),
    ("yougov_partners.csv", ["Q4_1", "Q4_2", "Q4_3"], "Q4")])
def test_grids_grouped(corpus, name, columns, label):
    data = corpus[name]
    assert [data.layout.question_sets.get(c) for c in columns] == [label] * len(columns)
    assert all(c not in data.layout.options for c in columns)
    assert f"a grid of {len(columns)} rows kept together as one question set" in data.layout.describe()


@pytest.mark.parametrize("name,column,base,answers", [
    ("qualtrics_partners.csv", "Q4", "Q3", ["Yes"]),
    ("qualtrics_frontline.sav", "Q6", "Q5", ["Very confident", "Fairly confident"]),
    ("smartsurvey_practitioners.csv",
     "5. [ASK IF Q3 = Very effective / Fairly effective] Has learning shared locally changed how you work?",
     "3. How effective, if at all, are local arrangements for sharing learning from reviews?",
     ["Very effective", "Fairly effective"]),
    ("yougov_frontline.sav", "Q3", "Q1", ["Yes"])])
def test_routing_from_ask_if(corpus, name, column, base, answers):
    data = corpus[name]
    route = data.layout.routes[column]
    assert (route.base, route.answers) == (base, answers)
    assert "ASK IF" not in data.question_text[column]


def test_routing_sets_base_question_in_a_codebook(corpus):
    from feedback.survey.codebook import Codebook, Question

    data = corpus["qualtrics_partners.csv"]
    cb = Codebook(questions=[Question(id="heard", column="Q3", text="Heard of the Panel?", positive=["Yes"]),
                             Question(id="know", column="Q4", positive=["Know a great deal"]),
                             Question(id="opt", column="Q5 [None of these]", positive=["Selected"]),
                             Question(id="finished", column="Finished", positive=["True"])])
    platforms.annotate_codebook(cb, data)
    assert [q.id for q in cb.questions] == ["heard", "know", "opt"]  # Finished is the platform's column
    assert cb.question("know").base_question == "heard"
    assert cb.question("know").base_label == "Those answering Yes to “Heard of the Panel?”"
    assert cb.question("opt").question_set.startswith("Q5. Which of the following Panel publications")


@pytest.mark.parametrize("name,expected", [
    ("qualtrics_partners.csv", {"StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)",
                                "Finished", "RecordedDate", "ResponseId", "RecipientEmail", "UserLanguage"}),
    ("surveymonkey_partners.xlsx", {"Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address",
                                    "Email Address", "First Name", "Last Name", "Custom Data 1"}),
    ("smartsurvey_practitioners.csv", {"UserNo", "Name", "Email", "IP Address", "Unique ID", "Started", "Ended"}),
    ("msforms_roundtable.xlsx", {"ID", "Start time", "Completion time", "Email", "Name"}),
    ("googleforms_event.csv", {"Timestamp", "Email address"}),
    ("yougov_frontline.sav", {"record", "starttime", "endtime", "disposition"})])
def test_metadata_columns_are_not_questions(corpus, name, expected):
    meta = set(corpus[name].layout.metadata)
    assert expected <= meta
    cb = load_codebook(SUPPLIERS / f"{Path(name).stem}.expected.toml")
    assert not meta & ({q.column for q in cb.questions} | {cb.role, cb.region, cb.weight})


def test_plain_file_keeps_its_columns():
    content = b"id,role,region,q1\n1,Police,London,Yes\n2,Health,North East,No\n"
    data = read_survey("plain.csv", content)
    assert list(data.frame.columns) == ["id", "role", "region", "q1"]
    assert data.layout.name == "respondent CSV (one header row)" and data.layout.platform == ""
    assert data.layout.metadata == ["id"] and data.layout.question_sets == {}


def test_single_choice_answers_with_commas_are_not_split():
    content = (b"Timestamp,Did you read it?\n2025-01-01,\"Yes, all of it\"\n2025-01-02,\"Yes, some of it\"\n"
               b"2025-01-03,\"No, none of it\"\n")
    data = read_survey("g.csv", content)
    assert data.layout.platform == "googleforms"
    assert data.frame["Did you read it?"].tolist() == ["Yes, all of it", "Yes, some of it", "No, none of it"]


def test_surveymonkey_header_without_answers_is_one_clear_line():
    content = b"Respondent ID,Collector ID,Q1\n,,Response\n"
    with pytest.raises(InputError, match=r"^sm\.csv: the two header rows have no answers below them") as err:
        read_survey("sm.csv", content)
    assert "\n" not in str(err.value)


def test_read_in_the_isolated_child_gives_the_layout():
    path = SUPPLIERS / "surveymonkey_frontline.csv"
    data = read_survey(path.name, path.read_bytes())  # the real path: parsed in a limited child
    assert data.layout.platform == "surveymonkey" and data.layout.header_rows == 2
    assert len(data.frame) == 260


def test_ask_if_yes_at_and_ask_all_in_a_plain_file():
    content = (b"id,Q3. Are you aware of the review?,Q4. (ASK IF YES AT Q3) How useful is it?,"
               b"Q5. [ASK ALL] Any comments?,Q6. [ASK IF Q9 = Yes] Why?\n"
               b"1,Yes,Very useful,None,\n2,No,,Fine,\n3,Yes,Not very useful,,\n")
    data = read_survey("plain.csv", content)
    route = data.layout.routes["Q4. (ASK IF YES AT Q3) How useful is it?"]
    assert (route.base, route.answers) == ("Q3. Are you aware of the review?", ["Yes"])
    assert data.question_text["Q4. (ASK IF YES AT Q3) How useful is it?"] == "Q4. How useful is it?"
    assert data.question_text["Q5. [ASK ALL] Any comments?"] == "Q5. Any comments?"
    assert set(data.layout.routes) == {"Q4. (ASK IF YES AT Q3) How useful is it?"}
    assert ("'Q6. [ASK IF Q9 = Yes] Why?': routing '[ASK IF Q9 = Yes]' names no earlier question found in the "
            "file; set its base question by hand") in data.layout.notes


def test_qualtrics_xlsx_three_header_rows():
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["StartDate", "ResponseId", "Finished", "Q1", "Q2"])
    ws.append(["Start Date", "Response ID", "Finished", "Q1. Role", "Q2. Which have you read? - Selected Choice"])
    ws.append(['{"ImportId":"startDate"}', '{"ImportId":"_recordId"}', '{"ImportId":"finished"}',
               '{"ImportId":"QID1"}', '{"ImportId":"QID2"}'])
    for row in (["2025-01-01", "R_1", "True", "Police", "Annual report,Briefings, guidance and notes"],
                ["2025-01-02", "R_2", "True", "Health", "Annual report"],
                ["2025-01-03", "R_3", "True", "Police", None],
                ["2025-01-04", "R_4", "True", "Education", "Briefings, guidance and notes"]):
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    data = read_survey("q.xlsx", buf.getvalue())
    assert data.layout.name == "Qualtrics XLSX export (three header rows: ids, question text, ImportId)"
    assert data.frame["Q1"].tolist() == ["Police", "Health", "Police", "Education"]
    assert data.frame["Q2 [Briefings, guidance and notes]"].tolist()[:2] == ["Selected", "Not selected"]
    assert pd.isna(data.frame["Q2 [Annual report]"].iloc[2])
    assert data.question_text["Q2 [Annual report]"] == "Q2. Which have you read? - Annual report"
    assert data.question_text["Q1"] == "Q1. Role"


def test_options_only_seen_together_are_kept_whole_and_named():
    content = (b"Timestamp,Which apply?\n1,\"Neglect, Domestic abuse\"\n2,Neglect\n"
               b"3,\"Neglect, Online, social media\"\n4,Domestic abuse\n")
    data = read_survey("g.csv", content)
    assert sorted(data.layout.options.values()) == ["Domestic abuse", "Neglect", "Online, social media"]
    assert data.frame["Which apply? [Online, social media]"].tolist() == ["Not selected", "Not selected",
                                                                         "Selected", "Not selected"]
    assert "option(s) only seen alongside others, check them: Online, social media" in data.layout.describe()


def test_cli_codebook_suggest_says_the_layout_and_keeps_sets(capsys):
    from feedback.__main__ import main

    path = SUPPLIERS / "yougov_frontline.sav"
    with isolation.in_process():
        assert main(["codebook", "suggest", str(path)]) == 0
    out, err = capsys.readouterr()
    assert err.startswith("Read as a YouGov SPSS export (variable and value labels).")
    cb = load_codebook(out)
    assert {q.question_set for q in cb.questions if q.column.startswith("Q2_")} == {
        "How do you usually hear about learning from safeguarding reviews?"}
    assert cb.question(next(q.id for q in cb.questions if q.column == "Q3")).base_question == \
        next(q.id for q in cb.questions if q.column == "Q1")
    assert not {"record", "starttime", "endtime", "disposition"} & {q.column for q in cb.questions}


def test_option_columns_with_hyphens_and_a_stem_with_a_dash():
    stem = "Thinking about last year - which of these helped?"
    content = (f"UserNo,Started,{stem} - Multi-agency training,{stem} - Supervision,{stem} - Peer-led groups\n"
               "1,2025-01-01,Multi-agency training,,Peer-led groups\n2,2025-01-02,,Supervision,\n"
               "3,2025-01-03,,,\n").encode()
    data = read_survey("s.csv", content)
    assert data.layout.platform == "smartsurvey"
    assert sorted(data.layout.options.values()) == ["Multi-agency training", "Peer-led groups", "Supervision"]
    assert set(data.layout.question_sets.values()) == {stem}
    assert data.frame[f"{stem} - Peer-led groups"].tolist()[:2] == ["Selected", "Not selected"]
    assert pd.isna(data.frame[f"{stem} - Supervision"].iloc[2])  # chose nothing: not answered


def test_grid_rows_numbered_in_their_column_names():
    stem = "Where do you find learning from reviews?"
    rows = ["My organisation", "The local partnership", "The Panel"]
    names = [f"Q6_{i + 1}. {stem} - {r}" for i, r in enumerate(rows)]
    content = ("id," + ",".join(names) + "\n1,Often,Never,Always\n2,Sometimes,Often,Never\n").encode()
    data = read_survey("grid.csv", content)
    assert [data.layout.question_sets.get(c) for c in names] == [f"Q6. {stem}"] * 3
    assert data.layout.options == {}
    assert data.frame[names[0]].tolist() == ["Often", "Sometimes"]
    assert f"'Q6. {stem}': a grid of 3 rows kept together as one question set" in data.layout.notes
