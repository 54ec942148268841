"""The audit framework file loads, and a broken one is refused with plain-English reasons."""

from pathlib import Path

import pytest

from feedback.audits.framework import (
    DATA_DIR,
    available_editions,
    framework_for_year,
    load_framework,
    normalise_year,
    score_id,
)
from feedback.errors import InputError

GOOD = (DATA_DIR / "framework_wt2018.toml").read_text(encoding="utf-8")


def test_wt2018_has_the_themes_criteria_and_lists_the_issue_asks_for():
    fw = load_framework("wt2018")
    assert fw.edition == "Working Together to Safeguard Children 2018"
    assert [t.name for t in fw.themes] == ["Prioritisation, progress and impact",
                                           "Dissemination and embedding of learning",
                                           "Meeting the guidance's requirements"]
    ids = {c.id for c in fw.criteria}
    assert {"partner_activity", "effectiveness", "impact", "little_progress", "review_actions",
            "child_family_feedback", "independent_scrutiny", "wt_requirements"} <= ids
    priorities = fw.code_list("priorities").labels()
    themes = fw.code_list("practice_themes").labels()
    assert {"neglect", "domestic_abuse"} <= set(priorities)
    assert {"learning_from_reviews", "information_sharing", "trauma_informed"} <= set(themes)
    assert fw.covers("2019-20") and fw.covers("2020-21") and not fw.covers("2018-19")


def test_editions_are_found_by_file_and_year():
    assert "wt2018" in available_editions()
    assert framework_for_year("2020/21").id == "wt2018"
    with pytest.raises(InputError, match="No audit framework covers the reporting year 2017-18"):
        framework_for_year("2017-18")
    with pytest.raises(InputError, match="no audit framework for edition 'wt1999'"):
        load_framework("wt1999")


def test_a_2023_edition_is_just_another_file(tmp_path: Path):
    text = GOOD.replace('id = "wt2018"', 'id = "wt2023"').replace('first_year = "2019-20"', 'first_year = "2023-24"')
    fw = load_framework(text, name="framework_wt2023.toml")
    assert fw.id == "wt2023" and fw.covers("2024-25") and not fw.covers("2022-23")


@pytest.mark.parametrize(("change", "message"), [
    (("theme = \"prioritisation\"\nlabel = \"What the partners have done\"",
      "theme = \"prioritisaton\"\nlabel = \"What the partners have done\""),
     "Criterion 'partner_activity' names theme 'prioritisaton', which is not one of the themes"),
    (('id = "effectiveness"', 'id = "partner_activity"'), "Criterion id 'partner_activity' is used twice"),
    (('id = "wt2018"', 'id = "WT 2018"'), "id must be lower-case letters"),
    (('first_year = "2019-20"', 'first_year = "2019"'), "first_year must be a reporting year like 2019-20"),
    (('label = "Independent scrutiny"\n', ''), "Criterion 'independent_scrutiny' needs both a short label"),
    (('{ id = "neglect", label = "Neglect" }', '{ id = "neglect", label = "" }'),
     "Code 'neglect' in list 'priorities' has no label"),
    (("[framework]", "[frame]"), "It has no [framework] table"),
    (('edition = "Working', 'edition = ["Working'), "not valid TOML"),
])
def test_broken_framework_is_refused_with_the_reason(change, message):
    old, new = change
    assert old in GOOD
    with pytest.raises(InputError) as err:
        load_framework(GOOD.replace(old, new, 1), name="framework_test.toml")
    assert message in str(err.value)
    assert str(err.value).startswith("framework_test.toml")


def test_every_problem_is_reported_at_once():
    broken = GOOD.replace('theme = "learning"', 'theme = "nowhere"')
    with pytest.raises(InputError) as err:
        load_framework(broken)
    assert "has 3 problems" in str(err.value)
    assert str(err.value).count("names theme 'nowhere'") == 3


@pytest.mark.parametrize(("text", "year"), [("2020-21", "2020-21"), ("2020/21", "2020-21"),
                                            ("2020-2021", "2020-21"), (" 1999-00 ", "1999-00")])
def test_reporting_years_are_normalised(text, year):
    assert normalise_year(text) == year


@pytest.mark.parametrize("text", ["2020", "2020-22", "20-21", "next year", ""])
def test_bad_reporting_years_are_refused(text):
    with pytest.raises(InputError, match="write it like 2020-21"):
        normalise_year(text)


def test_scores_read_as_people_write_them():
    assert [score_id(s) for s in ["Fully evidenced", "partly", " Not  evidenced ", "PARTIALLY", "maybe", None]] == [
        "fully", "partly", "not", "partly", None, None]
