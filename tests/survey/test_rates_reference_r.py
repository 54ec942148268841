"""Weighted estimates against R survey 4.1.1 (svymean deff="replace", svyciprop) to 1e-8."""

import numpy as np
import pandas as pd
import pytest

from feedback.survey.rates import SmallBase, rates_by_group
from tests.survey.engine_helpers import FIXTURES, reference_survey

EXPECTED = pd.read_csv(FIXTURES / "weighted_survey_expected.csv")
ALL_ROWS = SmallBase(suppress=0, flag=0)


@pytest.fixture(scope="module")
def joined():
    frame, codebook = reference_survey()
    out = {}
    for method in ("logit", "beta", "mean"):
        ours = rates_by_group(frame, codebook, method=method, small_base=ALL_ROWS)
        out[method] = EXPECTED.merge(ours, on=["question", "by", "group"], how="left", suffixes=("_r", ""),
                                     validate="one_to_one")
    return out


def test_every_question_and_group_of_the_reference_is_produced(joined):
    j = joined["logit"]
    assert len(j) == len(EXPECTED) == 45
    assert j["p"].notna().all()
    assert (j["n"] == j["n_r"]).all()


@pytest.mark.parametrize("column", ["p", "se", "deff"])
def test_point_estimate_se_and_design_effect_match_r(joined, column):
    j = joined["logit"]
    rows = j[j[f"{column}_r"].notna()]
    assert len(rows) >= 44
    np.testing.assert_allclose(rows[column], rows[f"{column}_r"], rtol=0, atol=1e-8)


@pytest.mark.parametrize("method", ["logit", "beta", "mean"])
def test_interval_matches_r_svyciprop(joined, method):
    j = joined[method]
    inner = j[(j["p_r"] > 0) & (j["p_r"] < 1)]
    assert len(inner) == 44
    # R's "mean" interval can leave [0, 1] (one row goes to -0.025); ours is clipped there.
    np.testing.assert_allclose(inner["ci_low"], inner[f"{method}_low"].clip(0, 1), rtol=0, atol=1e-8)
    np.testing.assert_allclose(inner["ci_high"], inner[f"{method}_high"].clip(0, 1), rtol=0, atol=1e-8)
    assert (inner[f"{method}_low"] < 0).any() == (method == "mean")


@pytest.mark.parametrize("method", ["logit", "beta", "mean"])
def test_zero_proportion_gets_an_interval_from_zero(joined, method):
    # Business managers: none attended a webinar. R's logit gives [9e-12, 5e-11] and beta NA;
    # a reader needs "0%, and with 10 respondents it could plausibly be up to about a third".
    row = joined[method].query("question == 'attended_webinar' and group == 'Business manager'").iloc[0]
    assert row["p"] == 0 and row["ci_low"] == 0
    assert 0.25 < row["ci_high"] < 0.45  # Clopper-Pearson on Kish n_eff (8.1) is 0.36; on n = 10 it is 0.31


def test_kish_effective_base_and_weighted_base(joined):
    frame, _ = reference_survey()
    j = joined["logit"].query("by == 'role' and question == 'heard_of_panel'")
    for _, row in j.iterrows():
        w = frame.loc[frame["role"] == row["group"], "weight"]
        assert row["base_weighted"] == pytest.approx(w.sum(), rel=1e-12)
        assert row["n_eff"] == pytest.approx(w.sum() ** 2 / (w**2).sum(), rel=1e-12)
