"""Region views on Compare, Trends and Audits: the region against England, a default pair
of groups that has data, and the same suppression in a chart, its table and its download."""

from __future__ import annotations

import pandas as pd

from feedback.survey import explorer
from tests.test_views import opened


def partners():
    sample = explorer.SAMPLES[0]
    content, codebook = explorer.sample_files(sample)
    return explorer.load_survey(sample.data_file, content, codebook, name=sample.name)


def test_rest_of_england_is_every_other_region():
    rest = explorer.rest_of_england("London")
    assert "London" not in rest and len(rest) == 8
    assert explorer.rest_of_england_label("London") == "Rest of England (all regions but London)"


def test_region_against_the_rest_of_england_is_tested_on_independent_samples():
    survey = partners()
    london = explorer.results(survey, region="London")
    rest = explorer.results(survey, region=explorer.rest_of_england("London"))
    diff = explorer.compare_region_with_rest(london, rest, "London")
    assert set(diff["group_a"]) == {"London"}
    assert set(diff["group_b"]) == {"Rest of England (all regions but London)"}
    assert diff["diff"].notna().all() and diff["p_value"].notna().all()
    assert int(london.loc[london["by"] == "total", "n"].max()) + int(rest.loc[rest["by"] == "total", "n"].max()) \
        == int(explorer.results(survey).query("by == 'total'")["n"].max())


def test_default_pair_has_data_or_none():
    res = pd.DataFrame({"by": ["role"] * 6, "group": ["A", "A", "B", "B", "C", "C"],
                        "flag": ["[c]", "[c]", "", "[u]", "", ""]})
    assert explorer.default_pair(res, "role") == ("B", "C")
    res["flag"] = ["[c]", "[c]", "[c]", "[c]", "", ""]
    assert explorer.default_pair(res, "role") is None


def test_compare_in_london_opens_on_london_against_the_rest_of_england(tmp_path, monkeypatch):
    at = opened("compare", {}, tmp_path, monkeypatch, region="London")
    assert at.radio(key="compare_grouping").value == "London against the rest of England"
    assert any("rest of England (every other region)" in c.value for c in at.caption)
    table = at.dataframe[0].value
    assert len(table) > 0
    assert not (table.astype(str) == "not available").any().any()


def test_compare_in_london_by_role_says_why_no_pair_has_data(tmp_path, monkeypatch):
    at = opened("compare", {"compare_grouping": "Role"}, tmp_path, monkeypatch, region="London")
    assert any("No two role groups in London have enough responses" in i.value for i in at.info)
