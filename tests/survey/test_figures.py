"""The survey charts' texts, read from the Vega-Lite spec: each group's base and column letter on
its bar, the letters of the groups it is higher than beside its value, and "No significant
differences between groups" exactly when no group is higher than another."""

from __future__ import annotations

import json

import pytest

from feedback.charts import vega_spec
from feedback.survey import examples, figures, loading, views


@pytest.fixture(scope="module")
def partners():
    sample = examples.EXAMPLES[0]
    content, codebook = examples.example_files(sample)
    survey = loading.load_survey(sample.data_file, content, codebook)
    return {region: views.results(survey, grouping="Role", region=region) for region in (None, "London")}


def drawn(chart) -> dict[str, str]:
    """Each drawn category (group with its letter) and its value label."""
    spec = vega_spec(chart)
    rows = [v for layer in spec["vconcat"][:-1] for v in layer["data"]["values"]]
    return {row["__category"]: row["__label"] for row in rows}


def notes_of(chart) -> str:
    return " ".join(row["line"] for row in vega_spec(chart)["vconcat"][-1]["data"]["values"])


def test_groups_carry_letter_and_base_and_the_letters_they_are_higher_than(partners):
    rows = partners[None].query("question == 'well_informed'")
    labels = drawn(figures.survey_chart(rows))
    assert labels == {"Total": "87% (n=139)", "Local authority (A)": "88% (n=41)", "Police (B)": "77% (n=30)",
                      "Health (ICB/CCG) (C)": "81% (n=32)", "Business manager (D)": "100% ▲ (n=36) > B, C"}
    notes = notes_of(figures.survey_chart(rows))
    assert "'> B, C' after a value: significantly higher than groups B and C" in notes
    assert "'Significantly higher than'" in notes and figures.NO_DIFFERENCES not in notes
    spec = vega_spec(figures.survey_chart(rows))
    assert spec["vconcat"][0]["layer"][0]["encoding"]["y"]["sort"] == list(labels)


def test_a_suppressed_group_keeps_its_base(partners):
    rows = partners["London"].query("question == 'understand_remit'")
    labels = drawn(figures.survey_chart(rows, region="London"))
    assert labels["Local authority (A)"] == "[c] (n=6)" and labels["Health (ICB/CCG) (C)"] == "73% [u] (n=11)"
    assert "Local authority (A)" not in drawn(figures.survey_chart(rows, region="London", hide_c=True))


@pytest.mark.parametrize("region", [None, "London"])
def test_no_significant_differences_is_said_exactly_when_no_group_is_higher_than_another(partners, region):
    said = []
    for _, rows in partners[region].groupby("question", sort=False):
        higher = (rows["higher_than"].fillna("") != "").any()
        chart = figures.survey_chart(rows, region=region)
        text = json.dumps(vega_spec(chart), ensure_ascii=False)
        assert (figures.NO_DIFFERENCES[:-1] in text) == (not higher), rows["question"].iloc[0]
        assert text.count("No significant differences") <= 1  # one line, in the notes
        assert (figures.NO_DIFFERENCES in figures.survey_alt_text(rows, region=region)) == (not higher)
        said.append(not higher)
    assert any(said) and (region == "London" or not all(said))  # both cases are met in England


def test_without_column_letters_no_difference_is_claimed(partners):
    rows = partners[None].query("question == 'understand_remit'").drop(columns=["letter", "higher_than"])
    chart = figures.survey_chart(rows)
    assert figures.NO_DIFFERENCES not in json.dumps(vega_spec(chart), ensure_ascii=False)
    assert drawn(chart)["Police"] == "87% (n=30)"


def panel_headings(chart) -> list[str]:
    return [" ".join(panel["title"]["text"]) for panel in vega_spec(chart)["vconcat"][:-1]]


def test_combined_chart_says_it_per_question_or_once(partners):
    res = partners[None].query("question in ['understand_remit', 'well_informed']")
    chart = figures.survey_questions_chart(res, title="Two")
    remit, informed = panel_headings(chart)
    assert remit.endswith(figures.NO_DIFFERENCES) and figures.NO_DIFFERENCES not in informed
    assert figures.NO_DIFFERENCES not in notes_of(chart)
    assert drawn(chart)["Business manager (D)"] == "100% ▲ (n=36) > B, C"
    london = partners["London"].query("question in ['understand_remit', 'well_informed']")
    chart = figures.survey_questions_chart(london, title="Two", region="London")
    assert not any(figures.NO_DIFFERENCES in heading for heading in panel_headings(chart))
    assert figures.NO_DIFFERENCES[:-1] in notes_of(chart)  # said once, in the notes


def test_no_differences_between_groups_is_told_apart_from_a_difference_with_the_rest(partners):
    rows = partners["London"].query("question == 'knowledge_improved'")  # Health lower than the rest, no pair
    notes = notes_of(figures.survey_chart(rows, region="London"))
    assert "No significant differences between groups (compared pairwise; ▲ / ▼ compare a group" in notes


def test_alt_text_names_letters_bases_and_higher_than(partners):
    rows = partners[None].query("question == 'well_informed'")
    text = figures.survey_alt_text(rows)
    assert "Police (B): 77% (interval 59% to 88%, base 30)" in text
    assert "significantly higher than groups B and C" in text and "bases are unweighted" in text
    london = figures.survey_alt_text(partners["London"].query("question == 'well_informed'"), region="London")
    assert "Police (B): not shown, fewer than the minimum responses [c], base 6" in london


@pytest.mark.parametrize("letters, text", [("BC", "> B, C"), ("", ""), ("AA AB", "> AA, AB"), ("A", "> A")])
def test_higher_text(letters, text):
    assert figures.higher_text(letters) == text
