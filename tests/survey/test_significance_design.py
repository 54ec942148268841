"""Design-based tests against R survey 4.1.1 (svyttest), on a fixture with a routed question,
item non-response, respondents of weight 0 and respondents with no role.

The reference values come from scripts/r/design_tests_reference.R (run it with Rscript to
remake tests/fixtures/design_survey*.csv); CI has no R and compares with the committed CSV.
"""

import numpy as np
import pandas as pd
import pytest

from feedback.survey.rates import SmallBase, rates_by_group
from feedback.survey.significance import pairwise
from tests.survey.engine_helpers import FIXTURES, design_survey

EXPECTED = pd.read_csv(FIXTURES / "design_survey_expected.csv", keep_default_na=False, na_values=[""])
EXPECTED["filter"] = EXPECTED["filter"].fillna("")
ALL_ROWS = SmallBase(suppress=0, flag=0)
TOL = dict(rtol=1e-8, atol=1e-10)


@pytest.fixture(scope="module")
def ours():
    frame, codebook = design_survey()
    out = {}
    for filter in ("", "region=London"):
        flt = {"region": "London"} if filter else None
        res = rates_by_group(frame, codebook, by=(("role",), ("region",)), filter=flt, small_base=ALL_ROWS,
                             adjust="none", method="logit")
        out[filter] = (res, pairwise(res, adjust="none"))
    return out


def test_the_fixture_has_what_the_rules_are_about():
    frame, _ = design_survey()
    assert (frame["weight"] == 0).sum() == 3
    assert frame["role"].isna().sum() == 4
    assert frame["knows_panel_role"].notna().sum() == (frame["heard_of_panel"] == "Yes").sum()
    assert set(EXPECTED["kind"]) == {"domain", "rest", "pair"} and set(EXPECTED["filter"]) == {"", "region=London"}


def test_domain_estimates_match_r_with_zero_weights_and_routing(ours):
    want = EXPECTED[EXPECTED["kind"] == "domain"]
    for filter, part in want.groupby("filter"):
        res = ours[filter][0]
        j = part.merge(res, left_on=["question", "by", "group_a"], right_on=["question", "by", "group"],
                       suffixes=("_r", ""), validate="one_to_one")
        assert len(j) == len(part) > 10
        assert (j["n"] == j["n_r"]).all()
        for col in ("p", "se", "deff"):
            np.testing.assert_allclose(j[col], j[f"{col}_r"], **TOL)


def test_each_group_against_the_rest_matches_svyttest(ours):
    want = EXPECTED[EXPECTED["kind"] == "rest"]
    for filter, part in want.groupby("filter"):
        res = ours[filter][0]
        j = part.merge(res, left_on=["question", "by", "group_a"], right_on=["question", "by", "group"],
                       validate="one_to_one")
        # A group at 0% or 100% is tested by Rao-Scott (tests/survey/test_significance_rao_scott.py),
        # the rest by svyttest.
        edge = j["p_y"].isin([0, 1])  # p_y: ours (R's rest rows have no p)
        assert (j.loc[edge, "test"] == "rao-scott").all() and edge.sum() <= 2
        j = j[~edge]
        assert len(j) > 10 and (j["test"] == "design").all()
        np.testing.assert_allclose(j["t_vs_rest"], j["t"], **TOL)
        np.testing.assert_allclose(j["df_vs_rest"], j["df"], rtol=0, atol=0)
        np.testing.assert_allclose(j["p_value_vs_rest"], j["p_value"], rtol=1e-8, atol=1e-12)


def test_every_pair_matches_svyttest_on_the_subset(ours):
    want = EXPECTED[EXPECTED["kind"] == "pair"]
    for filter, part in want.groupby("filter"):
        pairs = ours[filter][1]
        # R orders the two groups alphabetically, the engine in display order (regions as the Panel lists them).
        flipped = pairs.rename(columns={"group_a": "group_b", "group_b": "group_a"}).assign(t=-pairs["t"])
        pairs = pd.concat([pairs, flipped])
        j = part.merge(pairs, on=["question", "by", "group_a", "group_b"], suffixes=("_r", ""),
                       validate="one_to_one")
        assert len(j) == len(part) > 20
        edge = j["p_a"].isin([0, 1]) | j["p_b"].isin([0, 1])
        assert (j.loc[edge, "test"] == "rao-scott").all() and edge.sum() <= 10
        j = j[~edge]
        np.testing.assert_allclose(j["t"], j["t_r"], **TOL)
        np.testing.assert_allclose(j["df"], j["df_r"], rtol=0, atol=0)
        np.testing.assert_allclose(j["p_value"], j["p_value_r"], rtol=1e-8, atol=1e-12)


def test_blank_roles_are_in_no_group_and_counted(ours):
    res = ours[""][0]
    frame, _ = design_survey()
    heard = res[(res["question"] == "heard_of_panel")]
    blank_counted = int(((frame["role"].isna()) & (frame["weight"] > 0)).sum())
    assert (heard.loc[heard["by"] == "role", "n_not_grouped"] == blank_counted).all()
    assert (heard.loc[heard["by"] == "region", "n_not_grouped"] == 0).all()
    roles = heard[heard["by"] == "role"]
    assert roles["n"].sum() == heard.loc[heard["by"] == "total", "n"].iloc[0] - blank_counted


def test_zero_weight_respondents_count_nowhere(ours):
    frame, _ = design_survey()
    res = ours[""][0]
    total = res[(res["by"] == "total") & (res["question"] == "heard_of_panel")].iloc[0]
    assert total["n"] == (frame["weight"] > 0).sum() == 517
    bm = res[(res["group"] == "Business manager") & (res["question"] == "heard_of_panel")].iloc[0]
    assert bm["n"] == 9  # one of the ten weighs 0
