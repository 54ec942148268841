"""The audit charts build, render and carry their counts, bases and sample note in words."""

from datetime import date

import pytest

from feedback import charts
from feedback.audits import figures, summaries
from feedback.audits.framework import load_framework
from feedback.audits.register import submission_rate
from feedback.audits.sample import sample_frames
from feedback.regions import REGIONS

FW = load_framework("wt2018")
SAMPLE = sample_frames()


def test_criteria_chart_and_alt_text():
    summary = summaries.criterion_summary(SAMPLE, FW, year="2020-21")
    chart = figures.criteria_chart(summary, year="2020-21", where="England", sample=True)
    spec = str(chart.to_dict())
    assert "Base: 18 audited reports" in spec and figures.SAMPLE_NOTE in spec and "13 of 18 (72%)" in spec
    alt = figures.criteria_alt(summary, year="2020-21", where="England")
    # 18 audited reports: under the survey pages' 30, so flagged [u] as low reliability.
    assert "Independent scrutiny: 13 of 18 (72%, interval 49% to 88%, low reliability); fully 7, partly 6, not 5" in alt
    assert "13 of 18 (72%) [u]" in spec and "[u] fewer than 30 audited reports" in spec


def test_audits_follow_the_small_base_rules():
    """The survey pages' rules: a base under 10 reports is [c] (share and interval not shown)."""
    by_region = summaries.criterion_summary(SAMPLE, FW, year="2020-21", by_region=True)
    small = by_region[by_region["n"] < 10]
    assert len(small) and (small["flag"] == "[c]").all() and small["p"].isna().all() and small["ci_low"].isna().all()
    assert (small["evidenced"] >= 0).all()  # counts of published reports stay
    summary = summaries.criterion_summary(SAMPLE, FW, year="2020-21")
    assert set(summary["flag"]) == {"[u]"} and summary["p"].notna().all()
    region = by_region["region"].iloc[0]
    one = summaries.criterion_summary(SAMPLE, FW, year="2020-21", region=region)
    chart = str(figures.criteria_chart(one, year="2020-21", where=region).to_dict())
    assert "[c] fewer than 10 audited reports" in chart
    assert "share not shown (fewer than 10 audited reports) [c]" in figures.criteria_alt(one, year="2020-21",
                                                                                          where=region)


def test_codes_years_region_and_rate_charts_render():
    freq = summaries.code_frequencies(SAMPLE, FW, "priorities", year="2020-21")
    assert "Neglect: 11 of 18" in figures.codes_alt(freq, list_name="Safeguarding priorities", year="2020-21",
                                                    where="England")
    yoy = summaries.year_on_year(SAMPLE, FW)
    assert "Meets the WT 2018 requirements overall, 2019-20: 49 of 68" in figures.years_alt(yoy, where="England")
    rate = submission_rate(SAMPLE["register"], "2020-21", date(2022, 6, 1))
    assert "England: 67 of 137 (49%)" in figures.rate_alt(rate, year="2020-21", by=date(2022, 6, 1))
    by_region = summaries.criterion_summary(SAMPLE, FW, year="2020-21", by_region=True)
    built = [figures.codes_chart(freq, list_name="Safeguarding priorities", year="2020-21", where="England"),
             figures.years_chart(yoy, where="England"),
             figures.rate_chart(rate, year="2020-21", by=date(2022, 6, 1)),
             figures.region_chart(by_region, year="2020-21", regions=list(REGIONS))]
    png = charts.chart_png(built[2], ppi=72)
    assert png.startswith(b"\x89PNG")
    for chart in built:
        assert "<svg" in charts.chart_svg(chart)


@pytest.mark.parametrize("year", ["2019-20", "2020-21"])
def test_labels_give_counts_not_only_percentages(year):
    summary = summaries.criterion_summary(SAMPLE, FW, year=year)
    spec = str(figures.criteria_chart(summary, year=year, where="England").to_dict())
    n = int(summary["n"].iloc[0])
    assert all(f"{e} of {n} (" in spec for e in summary["evidenced"])
