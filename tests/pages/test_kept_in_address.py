"""The whole view kept in the page address, and a regional lead's context, run
through app.py's navigation in Streamlit's AppTest on the embedded sample surveys."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from feedback import regions
from feedback.survey import examples, loading, views
from tests.pages.helpers import opened

ROOT = Path(__file__).resolve().parents[2]
PARTNERS = "Safeguarding partners 2021 (sample)"
FRONTLINE = "Frontline professionals 2021 (sample)"


def frontline_text(qid: str) -> str:
    sample = examples.EXAMPLES[1]
    content, codebook = examples.example_files(sample)
    survey = loading.load_survey(sample.data_file, content, codebook, name=sample.name)
    questions = survey.questions()
    return str(questions.loc[questions["question"] == qid, "question_text"].iloc[0])


def test_results_address_reopens_survey_questions_grouping_method_and_level(tmp_path, monkeypatch):
    q1, q2 = "know_thematic_reviews", "aware_ce_review"
    at = opened("results", {"survey_choice": FRONTLINE,
                            "survey_questions": [frontline_text(q1), frontline_text(q2)],
                            "survey_grouping": "Role and region", "survey_method": "Jeffreys",
                            "survey_level": "90%", "survey_layout": "Combined"}, tmp_path, monkeypatch)
    assert at.selectbox(key="survey_choice").value == FRONTLINE
    assert at.multiselect(key="survey_questions").value == [q1, q2]
    assert at.radio(key="survey_grouping").value == "Role and region"
    assert at.radio(key="survey_layout").value == "Combined"
    assert at.selectbox(key="survey_method").value == "jeffreys"
    assert at.selectbox(key="survey_level").value == 0.90
    table = at.dataframe[-1].value
    assert set(table["Question id"]) == {q1, q2}
    assert set(table["Grouping"]) == {"total", "role", "region"}
    assert set(table["Interval method"]) == {"jeffreys"} and set(table["Confidence level"]) == {0.9}


def test_an_address_without_choices_opens_the_defaults(tmp_path, monkeypatch):
    at = opened("results", {}, tmp_path, monkeypatch)
    assert at.selectbox(key="survey_choice").value == PARTNERS
    assert at.selectbox(key="survey_method").value == "wilson"
    assert at.selectbox(key="survey_level").value == 0.95
    assert at.radio(key="survey_grouping").value == "Role"
    assert len(at.multiselect(key="survey_questions").value) == 3


def test_a_bad_address_value_falls_back_to_the_default(tmp_path, monkeypatch):
    at = opened("results", {"survey_choice": "Your upload: gone.csv", "survey_level": "42%"}, tmp_path, monkeypatch)
    assert at.selectbox(key="survey_choice").value == PARTNERS
    assert at.selectbox(key="survey_level").value == 0.95


def test_compare_address_reopens_groups(tmp_path, monkeypatch):
    at = opened("compare", {"compare_grouping": "Region", "compare_a": "London", "compare_b": "South East"},
                tmp_path, monkeypatch)
    assert at.radio(key="compare_grouping").value == "Region"
    assert (at.selectbox(key="compare_a").value, at.selectbox(key="compare_b").value) == ("London", "South East")
    table = at.dataframe[-1].value
    assert set(table["First"]) == {"London"} and set(table["Second"]) == {"South East"}


def test_settings_kept_when_moving_between_pages(tmp_path, monkeypatch):
    at = opened("results", {}, tmp_path, monkeypatch)
    at.selectbox(key="survey_level").set_value(0.99).run()
    at.switch_page("pages/overview.py")
    at.run()
    assert not at.exception
    assert any("99%" in c.value for c in at.caption)
    at.switch_page("pages/results.py")
    at.run()
    assert at.selectbox(key="survey_level").value == 0.99


def test_region_view_names_the_region_and_shows_england_beside_it(tmp_path, monkeypatch):
    at = opened("overview", {}, tmp_path, monkeypatch, region="North West")
    assert at.title[0].value == "Survey overview: North West"
    remit = next(m for m in at.metric if "remit" in m.label.lower())
    cards = [c.value for c in at.caption]
    assert remit.value == "95% [u]"
    assert any("England 87%" in c for c in cards), cards  # England beside the region's own figure

    at.switch_page("pages/results.py")
    at.run()
    assert at.title[0].value == "Results by role: North West"
    table = at.dataframe[-1].value
    first = table[table["Question id"] == table["Question id"].iloc[0]]
    assert list(first["Group"].iloc[:2]) == ["North West (all)", "England"]
    assert "Total" not in set(table["Group"])


def test_all_suppressed_region_says_what_to_do_and_combining_shows_figures(tmp_path, monkeypatch):
    at = opened("overview", {}, tmp_path, monkeypatch, region="North East")
    advice = " ".join(w.value for w in at.warning)
    assert "too few responses" in advice and "All England" in advice and "North West" in advice
    assert not [m for m in at.metric if m.value == "[c]"]  # no page of [c] cards
    at.button(key="advice_combine").click().run()
    assert not at.exception
    assert at.multiselect(key="combine").value == ["North West"]
    assert not at.warning
    values = [m.value for m in at.metric if "remit" in m.label.lower()]
    assert values and values[0] != "[c]"
    respondents = next(m for m in at.metric if m.label.startswith("Respondents"))
    assert respondents.value == "30"  # 9 in the North East + 21 in the North West
    at.switch_page("pages/results.py")
    at.run()
    table = at.dataframe[-1].value
    assert "North East and North West (all)" in set(table["Group"])


def test_show_england_button_clears_the_region(tmp_path, monkeypatch):
    at = opened("overview", {}, tmp_path, monkeypatch, region="North East")
    at.button(key="advice_england").click().run()
    assert at.session_state["region"] == "All England"
    assert at.title[0].value == "Survey overview"


def test_headline_cards_group_multi_select_items_under_their_stem(tmp_path, monkeypatch):
    at = opened("overview", {}, tmp_path, monkeypatch)
    headings = [m.value for m in at.markdown]
    now = [h for h in headings if "currently receive information" in h]
    future = [h for h in headings if "would you like to receive information" in h]
    assert len(now) == 1 and len(future) == 1, headings  # one card per question, not one per item
    labels = [m.label for m in at.metric]
    assert {"Letters from the Panel", "Emails from the Panel", "A Panel newsletter",
            "Webinars run by the Panel"} <= set(labels)


def test_headline_cards_in_the_package():
    head = pd.DataFrame({
        "question": ["a", "m1", "m2", "n1", "n2"],
        "question_text": ["Single?", "How now? Letters", "How now? Emails", "Would like? Newsletter",
                          "Would like? Webinars"],
        "p": [0.5, 0.6, 0.58, 0.66, float("nan")], "flag": ["", "", "", "", "[c]"],
        "base_label": [""] * 5, "by": ["total"] * 5,
    })
    kinds = pd.DataFrame({"question": head["question"], "kind": ["yes_no"] + ["multi_select"] * 4})
    cards = views.headline_cards(head, kinds)
    assert [c.title for c in cards] == ["Single?", "How now?", "Would like?"]
    assert cards[1].summary == "Letters 60%, Emails 58%"
    assert cards[2].summary == "Newsletter 66%, Webinars [c]"


def test_headline_cards_match_a_row_by_row_grouping():
    """Cards are runs of consecutive multi-select rows with one stem; any other row is a card of
    its own (a multi-select item alone under its stem too), checked against itertools.groupby."""
    import itertools

    texts = ["A? x", "A? y", "B? x", "Single?", "C? only", "A? z", "A? w", "Other?", "D? p", "D? q"]
    kinds = ["multi_select"] * 3 + ["yes_no", "multi_select", "multi_select", "multi_select", "yes_no",
                                    "multi_select", "multi_select"]
    questions = [f"q{i}" for i in range(len(texts))]
    head = pd.DataFrame({"question": questions, "question_text": texts, "p": np.linspace(0.1, 0.9, len(texts)),
                         "flag": [""] * len(texts), "base_label": [""] * len(texts), "by": ["total"] * len(texts),
                         "n": range(10, 10 + len(texts))})
    cards = views.headline_cards(head, pd.DataFrame({"question": questions, "kind": kinds}))
    stems = [t.split("? ")[0] + "?" if k == "multi_select" else f"alone {i}" for i, (t, k) in
             enumerate(zip(texts, kinds))]
    expected = []
    for _, run in itertools.groupby(range(len(texts)), key=lambda i: stems[i]):
        run = list(run)
        expected += [run] if len(run) > 1 else [[i] for i in run]
    assert [list(c.rows["question"]) for c in cards] == [[questions[i] for i in run] for run in expected]
    assert [c.title for c in cards] == ["A?", "B? x", "Single?", "C? only", "A?", "Other?", "D?"]
    assert list(cards[0].rows["item"]) == ["x", "y"] and list(cards[1].rows["item"]) == ["B? x"]
    # lines() gives what itertuples gives, for the columns asked for that are there
    for card in cards:
        asked = ("question", "item", "p", "n", "p_england")
        there = [c for c in asked if c in card.rows.columns]
        assert [tuple(r) for r in card.lines(asked)] == list(card.rows[there].itertuples(index=False, name=None))
        assert card.lines(asked)[0].item == card.rows["item"].iloc[0]


def test_region_helpers():
    from feedback.regions import neighbours

    assert neighbours("North East") == ["North West", "Yorkshire and the Humber"]
    assert regions.region_total_label(("North East", "North West")) == "North East and North West (all)"
    assert list(views.p_value_text([0.00001, 0.0123, None])) == ["< 0.001", "0.012", ""]
    assert list(views.points_text([-0.482, 0.03])) == ["\u221248.2 pts", "+3.0 pts"]
    assert views.one_source("Source: A.", "Source: B") == "Source: A; B."
    assert views.one_source("Source: A", "Source: A") == "Source: A."


def test_upload_and_codebook_edits_survive_leaving_the_page(tmp_path, monkeypatch):
    at = opened("upload", {}, tmp_path, monkeypatch)
    content = (ROOT / "data" / "surveys" / "frontline_2021.xlsx").read_bytes()
    at.file_uploader(key="upload_file").set_value(
        ("frontline_2021.xlsx", content, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    title_key = next(w.key for w in at.text_input if str(w.key).startswith("cb_title_"))
    # The suggestion reads the title and fieldwork from the file's title rows.
    assert at.text_input(key=title_key).value == "Frontline professionals survey 2021"
    at.text_input(key=title_key).set_value("My edited title").run()
    at.switch_page("pages/overview.py")
    at.run()
    at.switch_page("pages/upload.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Still working on frontline" in i.value for i in at.info)
    assert at.text_input(key=title_key).value == "My edited title"
    assert not at.button(key="upload_use").disabled
    at.button(key="upload_use").click().run()
    assert any("Loaded My edited title" in s.value for s in at.success)
