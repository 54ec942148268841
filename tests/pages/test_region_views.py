"""Region views on Compare, Trends and Audits: the region against England, a default pair
of groups that has data, and the same suppression in a chart, its table and its download."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from feedback import regions
from feedback.survey import examples, loading, views
from tests.pages.helpers import opened


def partners():
    sample = examples.EXAMPLES[0]
    content, codebook = examples.example_files(sample)
    return loading.load_survey(sample.data_file, content, codebook, name=sample.name)


def test_rest_of_england_is_every_other_region():
    rest = regions.rest_of_england("London")
    assert "London" not in rest and len(rest) == 8
    assert regions.rest_of_england_label("London") == "Rest of England (all regions but London)"


def test_region_against_the_rest_of_england_is_tested_on_independent_samples():
    survey = partners()
    london = views.results(survey, region="London")
    rest = views.results(survey, region=regions.rest_of_england("London"))
    diff = views.compare_region_with_rest(london, rest, "London")
    assert set(diff["group_a"]) == {"London"}
    assert set(diff["group_b"]) == {"Rest of England (all regions but London)"}
    assert diff["diff"].notna().all() and diff["p_value"].notna().all()
    assert int(london.loc[london["by"] == "total", "n"].max()) + int(rest.loc[rest["by"] == "total", "n"].max()) \
        == int(views.results(survey).query("by == 'total'")["n"].max())


def test_default_pair_has_data_or_none():
    res = pd.DataFrame({"by": ["role"] * 6, "group": ["A", "A", "B", "B", "C", "C"],
                        "flag": ["[c]", "[c]", "", "[u]", "", ""]})
    assert views.default_pair(res, "role") == ("B", "C")
    res["flag"] = ["[c]", "[c]", "[c]", "[c]", "", ""]
    assert views.default_pair(res, "role") is None


def test_compare_in_london_opens_on_london_against_the_rest_of_england(tmp_path, monkeypatch):
    at = opened("compare", {}, tmp_path, monkeypatch, region="London")
    assert at.radio(key="compare_grouping").value == "London against the rest of England"
    assert any("rest of England (every other region)" in c.value for c in at.caption)
    table = at.dataframe[0].value
    assert len(table) > 0
    assert not (table.astype(str) == "not available").any().any()
    assert table["England (%)"].notna().all()  # England beside the region, not tested
    assert not table["England (%)"].equals(table["First (%)"])


def test_compare_in_london_by_role_says_why_no_pair_has_data(tmp_path, monkeypatch):
    at = opened("compare", {"compare_grouping": "Role"}, tmp_path, monkeypatch, region="London")
    assert any("No two role groups in London have enough responses" in i.value for i in at.info)


def test_audit_suppression_is_the_same_in_chart_table_and_download():
    """London's criteria are [c]: the chart's labels, the table and the CSV all give the count and
    base with the share left out, and the alt text says every share is suppressed."""
    from feedback import charts
    from feedback.audits import figures, summaries
    from feedback.audits.framework import load_framework
    from feedback.audits.sample import sample_frames

    frames, fw = sample_frames(), load_framework("wt2018")
    london = summaries.criterion_summary(frames, fw, year="2020-21", region="London")
    assert len(london) and (london["flag"] == "[c]").all()
    spec = charts.vega_spec(figures.criteria_chart(london, year="2020-21", where="London"))
    labels = {row["label"]: row["__label"] for _, rows in _find(spec, "values") for row in rows}
    for r in london.itertuples(index=False):
        assert labels[r.label] == f"{r.evidenced} of {r.n} [c]"  # the table's and CSV's counts, no share
        assert r.p != r.p  # the table's share is blank, as on the chart
    csv = london.to_csv(index=False)
    assert "[c]" in csv
    alt = figures.criteria_alt(london, year="2020-21", where="London")
    assert alt.count("[c]") >= len(london) and "Every share is suppressed [c]" in alt
    england = summaries.with_england(london, summaries.criterion_summary(frames, fw, year="2020-21"))
    assert england["england_n"].eq(18).all() and england["england_p"].notna().all()


def _rows(spec) -> list[dict]:
    return [row for _, rows in _find(spec, "values") for row in rows]


def test_london_audit_chart_draws_england_beside_each_criterion_with_london_still_suppressed():
    """In a region view each criterion has two bars, London's and England's, told apart in words (the
    labels and a legend) as well as by the two-series colours; London's share stays [c] on the chart,
    in its alt text and in the table, and England's share is drawn and said."""
    from feedback import charts
    from feedback.audits import figures, summaries, views
    from feedback.audits.framework import load_framework
    from feedback.audits.sample import sample_frames

    frames, fw = sample_frames(), load_framework("wt2018")
    london = summaries.criterion_summary(frames, fw, year="2020-21", region="London")
    england = summaries.criterion_summary(frames, fw, year="2020-21")
    spec = charts.vega_spec(figures.criteria_chart(london, year="2020-21", where="London", england=england))
    rows = _rows(spec)
    for r in london.itertuples(index=False):
        mine = [row for row in rows if row["label"] == r.label]
        assert {row["__series"] for row in mine} == {"London", "England"}, r.label
        ldn = next(row for row in mine if row["__series"] == "London")
        eng = next(row for row in mine if row["__series"] == "England")
        assert ldn["p"] is None and ldn["__label"] == f"London: {r.evidenced} of {r.n} [c]"
        e = england.set_index("criterion").loc[r.criterion]
        assert eng["p"] == pytest.approx(e["p"]) and eng["__label"] == (
            f"England: {e['evidenced']} of 18 ({charts.percent_text(e['p'])}) [u]")
    text = json.dumps(spec)
    assert charts.TWO_SERIES[1] in text and "London beside England (all regions)" in text
    assert '"legend": {"orient": "top"' in text  # the series named in a legend too, not colour alone
    assert "[c] fewer than 10 audited reports" in text and "[u] fewer than 30" in text
    alt = figures.criteria_alt(london, year="2020-21", where="London", england=england)
    assert "Every London share is suppressed [c]" in alt and "only England's bars are drawn" in alt
    first, first_england = london.iloc[0], england.iloc[0]
    assert (f"{first['label']}: London {first['evidenced']} of {first['n']}, share not shown "
            f"(fewer than 10 audited reports) [c]; England {first_england['evidenced']} of 18 "
            f"({charts.percent_text(first_england['p'])}, interval") in alt
    table = views.summary_table(london, england)
    assert table["Share fully or partly"].isna().all() and table["England: share fully or partly"].notna().all()
    # The national chart is as before: one bar per criterion, no series.
    national = _rows(charts.vega_spec(figures.criteria_chart(england, year="2020-21", where="England")))
    assert len(national) == len(england) and not any("__series" in row and ": " in row["__label"]
                                                     for row in national)


def test_london_codes_years_region_and_rate_charts_draw_england():
    from datetime import date

    from feedback import charts
    from feedback.audits import figures, summaries, views
    from feedback.audits.framework import load_framework
    from feedback.audits.register import submission_rate
    from feedback.audits.sample import sample_frames

    frames, fw = sample_frames(), load_framework("wt2018")
    freq = summaries.code_frequencies(frames, fw, "priorities", year="2020-21", region="London")
    eng = summaries.code_frequencies(frames, fw, "priorities", year="2020-21")
    rows = _rows(charts.vega_spec(figures.codes_chart(freq, list_name="Priorities", year="2020-21", where="London",
                                                      england=eng)))
    assert {(r["label"], r["__series"]) for r in rows} == {(lab, s) for lab in freq["label"]
                                                          for s in ("London", "England")}
    assert "Neglect: London" in figures.codes_alt(freq, list_name="Priorities", year="2020-21", where="London",
                                                  england=eng) and ", England 11 of 18" in figures.codes_alt(
        freq, list_name="Priorities", year="2020-21", where="London", england=eng)
    yoy, yoy_eng = summaries.year_on_year(frames, fw, region="London"), summaries.year_on_year(frames, fw)
    rows = _rows(charts.vega_spec(figures.years_chart(yoy, where="London", england=yoy_eng)))
    bars = {r["__bar"] for r in rows}
    assert bars == {"London 2019-20", "England 2019-20", "London 2020-21", "England 2020-21"}
    assert any(r["__label"].startswith("London 2020-21: ") and r["__label"].endswith("[c]") for r in rows)
    assert all(r["p"] is not None for r in rows if r["__series"] == "England")
    years_alt = figures.years_alt(yoy, where="London", england=yoy_eng)
    assert "London beside England" in years_alt and ", England 49 of 68 (72%)" in years_alt
    by_region = views.by_region_with_england(
        summaries.criterion_summary(frames, fw, year="2020-21", region="London", by_region=True),
        summaries.criterion_summary(frames, fw, year="2020-21"))
    heat = json.dumps(charts.vega_spec(figures.region_chart(by_region, year="2020-21",
                                                            regions=views.regions_in(by_region))))
    assert '"region": "England"' in heat and '"region": "London"' in heat and "(England: all" in heat
    by = date(2022, 6, 1)
    rate = views.rate_with_england(submission_rate(frames["register"], "2020-21", by, region="London"),
                                   submission_rate(frames["register"], "2020-21", by))
    assert "London: 16 of 29" in figures.rate_alt(rate, year="2020-21", by=by) and "England: 67 of 137" in \
        figures.rate_alt(rate, year="2020-21", by=by)


def _find(node, key):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key and isinstance(v, list) and v and isinstance(v[0], dict) and "__label" in v[0]:
                yield k, v
            else:
                yield from _find(v, key)
    elif isinstance(node, list):
        for v in node:
            yield from _find(v, key)


def test_audits_in_london_show_england_beside_and_alt_text_on_the_chart(tmp_path, monkeypatch):
    at = opened("audits", {}, tmp_path, monkeypatch, region="London")
    assert any("England's figures are beside London's" in c.value for c in at.caption)
    table = at.dataframe[0].value
    assert "England: share fully or partly" in table.columns and table["England: share fully or partly"].notna().all()
    assert table["Share fully or partly"].isna().all()  # suppressed as on the chart
    charts_ = at.get("vega_lite_chart")
    # The chart draws England's bars beside London's suppressed ones (it used to draw none), and its
    # own alt text says both.
    assert charts_ and "Every London share is suppressed [c]" in charts_[0].alt  # the chart's own alt text
    assert "; England 13 of 18 (72%" in charts_[0].alt
    spec = charts_[0].spec
    assert '"__series": "England"' in spec and '"__series": "London"' in spec and "England: 13 of 18" in spec
    assert table["England: flag"].eq("[u]").all()


@pytest.mark.parametrize("tab", ["Themes", "By region and year", "Register"])
def test_every_audit_chart_in_london_draws_england(tab, tmp_path, monkeypatch):
    at = opened("audits", {"aud_tab": tab}, tmp_path, monkeypatch, region="London")
    charts_ = at.get("vega_lite_chart")
    assert charts_
    for chart in charts_:
        assert "England" in chart.spec and "London" in chart.spec
        assert "England" in chart.alt and "London" in chart.alt


def test_trends_in_london_show_england_beside_the_region(tmp_path, monkeypatch):
    at = opened("trends", {}, tmp_path, monkeypatch, region="London")
    trend = at.dataframe[0].value
    groups = set(trend.iloc[:, 2])
    assert "England" in groups and "London (all)" in groups, groups
    charts_ = at.get("vega_lite_chart")
    assert "England" in charts_[0].spec
    audit_chart = charts_[-1]  # the audit criteria by year: England's bars beside London's
    assert '"__series": "England"' in audit_chart.spec and "London beside England" in audit_chart.alt
    audit_table = at.dataframe[-1].value
    assert "England: share" in audit_table.columns and audit_table["England: share"].notna().all()


def test_the_readme_link_shows_london_once(tmp_path, monkeypatch):
    """results?region=London&survey_grouping=Region: London's bar once, England beside it."""
    at = opened("results", {"survey_grouping": "Region"}, tmp_path, monkeypatch, region="London")
    assert at.radio(key="survey_grouping").value == "Region"
    table = at.dataframe[0].value
    group_col = next(c for c in table.columns if c.lower() == "group")
    first_q = table[table.iloc[:, 0] == table.iloc[0, 0]]
    groups = list(first_q[group_col])
    assert sum("London" in str(g) for g in groups) == 1, groups
    assert "England" in groups, groups


def test_clear_all_on_results_clears(tmp_path, monkeypatch):
    at = opened("results", {}, tmp_path, monkeypatch)
    box = at.multiselect(key="survey_questions")
    assert len(box.value) == 3  # the three default questions on a first visit
    box.set_value([]).run()
    assert at.multiselect(key="survey_questions").value == []
    at.run()  # and it stays cleared on the next run
    assert at.multiselect(key="survey_questions").value == []
    assert any("Pick one or more questions" in i.value for i in at.info)


def test_csv_percentages_match_their_headers():
    import io

    from feedback.export import percent_csv_bytes

    df = pd.DataFrame({"Criterion": ["A", "B"], "Share": [0.8705, None], "Positive (%)": [0.5, 0.25], "n": [10, 3]})
    back = pd.read_csv(io.BytesIO(percent_csv_bytes(df, ("Share", "Positive (%)"))), encoding="utf-8-sig")
    assert list(back.columns) == ["Criterion", "Share (%)", "Positive (%)", "n"]
    assert back["Share (%)"].iloc[0] == 87.05 and pd.isna(back["Share (%)"].iloc[1])
    assert list(back["Positive (%)"]) == [50.0, 25.0] and list(back["n"]) == [10, 3]


def test_p_values_in_exports_are_numbers():
    import io

    import openpyxl

    from feedback import export

    table = export.PublishedTable(sheet="T", title="P values", frame=pd.DataFrame({"p": [0.00001234, 0.2345]}),
                                  p_value_columns=["p"])
    wb = openpyxl.load_workbook(io.BytesIO(export.publication_workbook([table], title="T")))
    ws = wb[wb.sheetnames[-1]]
    values = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, float)]
    assert 1.2e-05 in values and 0.234 in values  # numbers, not "<0.001" text
    ods = export.xlsx_to_ods(export.publication_workbook([table], title="T"))
    import zipfile

    content = zipfile.ZipFile(io.BytesIO(ods)).read("content.xml").decode()
    assert "&lt;0.001" in content and 'office:value="1.2e-05"' in content
    csv = pd.read_csv(io.BytesIO(export.publication_csv(table)))
    assert pd.api.types.is_float_dtype(csv["p"])
