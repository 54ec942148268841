"""The survey page model: results for a grouping, region and settings are the engine's own,
questions come in the order asked, and comparisons use the settings' level and adjustment."""

from __future__ import annotations

import pandas as pd
import pytest

from feedback.regions import region_total_label
from feedback.survey import examples, loading, views
from feedback.survey.compare import compare_groups
from feedback.survey.rates import rates_by_group
from feedback.survey.settings import Settings

CHOSEN = Settings(method="clopper-pearson", level=0.9, suppress=20, flag=60, flag_on="n_eff", adjust="bh",
                  test="rao-scott")


@pytest.fixture(scope="module")
def partners():
    example = examples.EXAMPLES[0]
    return loading.load_survey(example.data_file, *examples.example_files(example), name=example.name)


@pytest.mark.parametrize("grouping", ["Role", "Role × region"])
def test_results_are_rates_by_group_for_the_same_settings(partners, grouping):
    got = views.results(partners, grouping=grouping, settings=CHOSEN)
    want = rates_by_group(partners.frame, partners.codebook, by=views.GROUPINGS[grouping],
                          method="clopper-pearson", level=0.9, small_base=CHOSEN.small_base, adjust="bh",
                          test="rao-scott")
    pd.testing.assert_frame_equal(got, want.reset_index(drop=True))
    assert set(got["method"]) == {"clopper-pearson"} and set(got["level"]) == {0.9}


def test_the_settings_change_the_figures(partners):
    default = views.results(partners, settings=Settings())
    chosen = views.results(partners, settings=CHOSEN)
    assert not default["ci_low"].equals(chosen["ci_low"])
    assert (chosen["flag"] != "").sum() > (default["flag"] != "").sum()  # flagged below an effective base of 60


def test_a_region_view_names_its_total_and_keeps_the_domain(partners):
    res = views.results(partners, region="London")
    total = res[res["by"] == "total"]
    assert set(total["group"]) == {region_total_label("London")}
    n_london = int(views.bases(partners, "London").query("by == 'total'")["n"].iloc[0])
    assert total["n"].max() <= n_london


def test_questions_come_in_the_order_asked(partners):
    ids = list(partners.questions()["question"])
    asked = [ids[2], ids[0], "not a question", ids[2]]
    res = views.results(partners, questions=asked)
    assert list(pd.unique(res["question"])) == [ids[2], ids[0]]
    everything = views.results(partners)
    pd.testing.assert_frame_equal(views.for_questions(everything, asked), res)


def test_comparisons_use_the_settings_level_and_adjustment(partners):
    res = views.results(partners, settings=CHOSEN)
    roles = res[res["by"] == "role"]
    a, b = views.default_pair(res, "role")
    got = views.compare_two_groups(roles, a, b, settings=CHOSEN)
    want = compare_groups(roles, group_a=a, group_b=b, level=0.9, adjust="bh")
    pd.testing.assert_frame_equal(got, want)
    assert not views.compare_two_groups(roles, a, b, settings=Settings())["diff_low"].equals(got["diff_low"])


def test_headline_is_the_total_rows_for_the_settings(partners):
    head = views.headline(partners, region="London", settings=CHOSEN)
    res = views.results(partners, region="London", settings=CHOSEN)
    pd.testing.assert_frame_equal(head, res[res["by"] == "total"].reset_index(drop=True))


def test_the_difference_chart_rows_are_in_points_with_labels():
    diff = pd.DataFrame({"question": ["a", "b"], "question_text": ["First?", "Second?"], "diff": [0.1, -0.25],
                         "diff_low": [0.05, -0.3], "diff_high": [0.15, -0.2], "sig": ["higher", ""]})
    rows = views.difference_rows(diff, symbols={"higher": "▲"})
    assert rows["diff"].tolist() == pytest.approx([10.0, -25.0])
    assert rows["label"].tolist() == ["+10.0 pts ▲", "\u221225.0 pts"]
    assert rows["question_label"].tolist() == ["First?", "Second?"]


def test_data_tables_offer_no_crossing_of_role_and_region():
    assert views.groupings_for("respondents") == list(views.GROUPINGS)
    assert views.groupings_for("data tables") == ["Role", "Region", "Role and region"]
