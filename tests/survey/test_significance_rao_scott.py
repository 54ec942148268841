"""Rao-Scott tests, the default test at 0% and 100%, and Holm/BH families without untestable
comparisons, against R survey 4.1.1 on apistrat (California schools, shipped with R's survey).

Reference values: scripts/r/rao_scott_reference.R (tests/fixtures/api/rao_scott_expected.csv).
Grouped by county, many groups are at 0% or 100% and many pairs are both at 0% or both at 100%.
"""

import numpy as np
import pandas as pd
import pytest

from feedback.survey.rates import SmallBase, rates_by_group
from feedback.survey.significance import pairwise
from tests.survey.engine_helpers import FIXTURES, make_codebook

API = FIXTURES / "api"
EXPECTED = pd.read_csv(API / "rao_scott_expected.csv")
ALL_ROWS = SmallBase(suppress=0, flag=0)
QUESTIONS = ["high_api", "sch_wide", "awards", "growth_50"]


def api_survey():
    frame = pd.read_csv(API / "apistrat.csv")
    codebook = make_codebook([{"id": q, "positive": ["Yes"]} for q in QUESTIONS], role="", region="",
                             weight="pw")
    return frame, codebook


@pytest.fixture(scope="module")
def results():
    frame, codebook = api_survey()
    out = {}
    for test in ("rao-scott", "design"):
        for adjust in ("holm", "bh"):
            res = rates_by_group(frame, codebook, by=(("stype",), ("cname",)), small_base=ALL_ROWS, test=test,
                                 adjust=adjust)
            out[test, adjust] = (res, pairwise(res, adjust=adjust))
    return out


def _pairs_both_ways(pairs):
    flipped = pairs.rename(columns={"group_a": "group_b", "group_b": "group_a", "p_a": "p_b", "p_b": "p_a"})
    return pd.concat([pairs, flipped.assign(t=-pairs["t"])])


def test_reference_has_the_boundary_cases():
    rest, pair = EXPECTED[EXPECTED["kind"] == "rest"], EXPECTED[EXPECTED["kind"] == "pair"]
    assert ((rest["p_a"] == 0) & rest["p_rao_scott"].notna()).sum() > 20
    assert ((rest["p_a"] == 1) & rest["p_rao_scott"].notna()).sum() > 5
    assert ((pair["p_a"] == 0) & (pair["p_b"] == 0)).sum() > 100
    assert pair.loc[(pair["p_a"] == 0) & (pair["p_b"] == 0), "p_rao_scott"].isna().all()


def test_group_against_the_rest_equals_svychisq(results):
    res = results["rao-scott", "holm"][0]
    want = EXPECTED[EXPECTED["kind"] == "rest"]
    j = want.merge(res, left_on=["question", "by", "group_a"], right_on=["question", "by", "group"],
                   validate="one_to_one")
    assert len(j) == len(want) == 4 * (3 + len(set(want.loc[want["by"] == "cname", "group_a"])))
    testable = j["p_rao_scott"].notna() & ~(((j["p_a"] == 0) & (j["p_b"] == 0)) | ((j["p_a"] == 1) & (j["p_b"] == 1)))
    assert testable.sum() > 150
    np.testing.assert_allclose(j.loc[testable, "p_value_vs_rest"], j.loc[testable, "p_rao_scott"],
                               rtol=1e-8, atol=1e-14)
    np.testing.assert_allclose(j.loc[testable, "t_vs_rest"] ** 2, j.loc[testable, "F"], rtol=1e-8, atol=1e-12)
    np.testing.assert_array_equal(j.loc[testable, "df_vs_rest"], j.loc[testable, "ddf"])
    assert (j.loc[testable, "test"] == "rao-scott").all()


def test_each_pair_equals_svychisq_on_the_subset(results):
    pairs = _pairs_both_ways(results["rao-scott", "holm"][1])
    want = EXPECTED[EXPECTED["kind"] == "pair"]
    j = want.merge(pairs, on=["question", "by", "group_a", "group_b"], suffixes=("_r", ""), validate="one_to_one")
    assert len(j) == len(want) > 3000
    # One school at 0% against one of the same weight at 100%: no variance at all, F is infinite
    # and R's p is rounding (5e-17 or NaN); here p = 0. Everywhere else R's p-value to 1e-8.
    perfect = np.isinf(j["t"])
    assert perfect.sum() == 33 and ((j["n_a"] == 1) & (j["n_b"] == 1))[perfect].all()
    assert (j.loc[perfect, "p_value"] == 0).all() and (j.loc[perfect, "p_rao_scott"].fillna(0) < 1e-15).all()
    ok = j["p_rao_scott"].notna() & ~perfect
    np.testing.assert_allclose(j.loc[ok, "p_value"], j.loc[ok, "p_rao_scott"], rtol=1e-8, atol=1e-14)
    np.testing.assert_array_equal(j.loc[ok, "df"], j.loc[ok, "ddf"])
    # R stops on a pair both at 0% (or 100%): untestable here, marked [z], no p-value
    none = j["p_rao_scott"].isna() & ~perfect
    assert none.sum() == 805
    assert j.loc[none, "p_value"].isna().all() and (j.loc[none, "sig"] == "[z]").all()


@pytest.mark.parametrize("adjust", ["holm", "bh"])
def test_default_test_switches_at_the_boundary_and_families_leave_untestable_out(results, adjust):
    res, pairs = results["design", adjust]
    column = {"holm": "holm", "bh": "bh"}[adjust]
    rest = EXPECTED[EXPECTED["kind"] == "rest"].merge(
        res, left_on=["question", "by", "group_a"], right_on=["question", "by", "group"], validate="one_to_one")
    pair = EXPECTED[EXPECTED["kind"] == "pair"].merge(
        _pairs_both_ways(pairs), on=["question", "by", "group_a", "group_b"], suffixes=("_r", ""),
        validate="one_to_one")
    for j, p_col, adj_col, sig_col in ((rest, "p_value_vs_rest", "p_adj_vs_rest", "sig_vs_rest"),
                                       (pair, "p_value", "p_adj", "sig")):
        edge = j[["p_a", "p_b"]].isin([0, 1]).any(axis=1)
        none = ((j["p_a"] == 0) & (j["p_b"] == 0)) | ((j["p_a"] == 1) & (j["p_b"] == 1))
        assert (j.loc[edge & ~none, "test"] == "rao-scott").all() and (j.loc[~edge, "test"] == "design").all()
        assert (j.loc[none, sig_col] == "[z]").all() and j.loc[none, adj_col].isna().all()
        assert none.sum() == (805 if sig_col == "sig" else 0)
        np.testing.assert_allclose(j[p_col], j["p_used"], rtol=1e-8, atol=1e-14)
        np.testing.assert_allclose(j[adj_col], j[column], rtol=1e-8, atol=1e-14)


def test_compare_page_tests_two_groups_at_the_boundary_as_pairwise_does(results):
    from feedback.survey.compare import compare_groups

    res, pairs = results["design", "holm"]
    pairs = pairs[pairs["by"] == "cname"]
    edge = pairs[(pairs["test"] == "rao-scott")].iloc[0]
    got = compare_groups(res, group_a=edge["group_a"], group_b=edge["group_b"], adjust="none")
    row = got[got["question"] == edge["question"]].iloc[0]
    assert row["test"] == "rao-scott" and row["p_value"] == pytest.approx(edge["p_value"], rel=1e-12)
    want = EXPECTED.query("kind == 'pair' and question == @edge.question and group_a == @edge.group_a "
                          "and group_b == @edge.group_b")
    assert len(want) == 1 and row["p_value"] == pytest.approx(want["p_rao_scott"].iloc[0], rel=1e-8)
