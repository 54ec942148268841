"""Every proportion in the summaries carries the Wilson interval statsmodels gives for it."""

import numpy as np
import pytest
from statsmodels.stats.proportion import proportion_confint

from feedback.audits import summaries
from feedback.audits.framework import load_framework
from feedback.audits.sample import sample_frames
from feedback.survey.rates import SmallBase

FW = load_framework("wt2018")
SAMPLE = sample_frames()


def _check(table, count, n="n", low="ci_low", high="ci_high", alpha=0.05):
    assert len(table) > 0
    exp_low, exp_high = proportion_confint(table[count].astype(int), table[n].astype(int), alpha=alpha, method="wilson")
    np.testing.assert_allclose(table[low].astype(float), exp_low, rtol=0, atol=1e-12)
    np.testing.assert_allclose(table[high].astype(float), exp_high, rtol=0, atol=1e-12)


def test_criterion_summary_intervals_match_statsmodels():
    table = summaries.criterion_summary(SAMPLE, FW)
    _check(table, "evidenced")
    _check(table, "fully", low="fully_ci_low", high="fully_ci_high")
    # includes the edge cases 0 of n and n of n
    assert (table["evidenced"] == table["n"]).any() or (table["not_evidenced"] == 0).any()


def test_score_shares_and_code_frequencies_match_statsmodels():
    _check(summaries.score_shares(SAMPLE, FW, year="2020-21"), "count")
    freq = summaries.code_frequencies(SAMPLE, FW, "practice_themes")
    assert (freq["count"] == 0).any()
    _check(freq, "count")


NO_SUPPRESSION = SmallBase(suppress=0, flag=0)  # the interval arithmetic itself, on every base


def test_region_breakdown_and_other_levels_match_statsmodels():
    _check(summaries.criterion_summary(SAMPLE, FW, year="2019-20", by_region=True, small_base=NO_SUPPRESSION),
           "evidenced")
    table = summaries.criterion_summary(SAMPLE, FW, year="2020-21", level=0.9)
    _check(table, "evidenced", alpha=0.10)


def test_empty_selection_gives_an_empty_table_not_an_error():
    assert summaries.criterion_summary(SAMPLE, FW, year="2021-22").empty
    assert summaries.code_frequencies(SAMPLE, FW, "priorities", year="2021-22").empty


def test_region_filter_restricts_the_base():
    london = summaries.criterion_summary(SAMPLE, FW, year="2020-21", region="London", small_base=NO_SUPPRESSION)
    assert set(london["n"]) == {2}
    assert set(summaries.criterion_summary(SAMPLE, FW, year="2020-21", region="London")["flag"]) == {"[c]"}
    everyone = summaries.criterion_summary(SAMPLE, FW, year="2020-21", by_region=True, small_base=NO_SUPPRESSION)
    assert everyone.groupby("criterion")["n"].sum().eq(18).all()
    assert pytest.approx(everyone.query("region == 'London'")["p"].to_numpy()) == london["p"].to_numpy()
