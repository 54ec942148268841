"""Raking against R survey 4.1.1's calibrate(calfun = "raking") on apistrat (two margins) and
apiclus1 (three margins), raked to apipop's counts: weights, and p and se of every domain mean
(variance allowing for the calibration), the test of a group against the rest, and Rao-Scott.

Reference values: scripts/r/raking_reference.R (tests/fixtures/api/*_raked_*.csv).
"""

import numpy as np
import pandas as pd
import pytest

from feedback.survey import loading
from feedback.survey.rates import SmallBase, rates_by_group
from feedback.survey.weighting import rake, read_targets
from tests.survey.engine_helpers import FIXTURES, make_codebook

API = FIXTURES / "api"
QUESTIONS = ["high_api", "sch_wide", "awards", "growth_50"]
DATASETS = {"apistrat": ["stype", "size"], "apiclus1": ["stype", "size", "meals"]}


def load(name):
    frame = pd.read_csv(API / f"{name}_rake.csv")
    codebook = make_codebook([{"id": q, "positive": ["Yes"]} for q in QUESTIONS], role="", region="", weight="pw")
    targets = read_targets((API / f"{name}_targets.csv").read_bytes())
    return frame, codebook, targets


@pytest.fixture(scope="module", params=list(DATASETS))
def case(request):
    name = request.param
    frame, codebook, targets = load(name)
    raking = rake(frame, codebook, targets)
    expected = pd.read_csv(API / f"{name}_raked_expected.csv")
    res = {test: rates_by_group(frame, codebook, by=(("stype",), ("size",)), small_base=SmallBase(0, 0),
                                adjust="none", test=test, method="logit", raking=raking)
           for test in ("design", "rao-scott")}
    return name, frame, raking, expected, res


def test_margins_and_weights_equal_r(case):
    name, frame, raking, _, _ = case
    assert raking.variables == DATASETS[name]
    r = pd.read_csv(API / f"{name}_raked_weights.csv")
    assert (r["id"].to_numpy() == frame["id"].to_numpy()).all()
    np.testing.assert_allclose(raking.weights, r["rake_weight"], rtol=1e-9, atol=0)
    _, _, targets = load(name)
    for var, part in targets.groupby("variable"):
        got = frame.assign(w=raking.weights).groupby(var)["w"].sum()
        np.testing.assert_allclose(got[part["category"]].to_numpy(), part["target"].to_numpy(), rtol=1e-10)
    assert 0 < raking.efficiency < 1 and raking.kish_deff == pytest.approx(1 / raking.efficiency)


def test_p_and_se_of_every_domain_equal_svymean_on_the_calibrated_design(case):
    _, _, _, expected, res = case
    want = expected[expected["kind"] == "domain"]
    j = want.merge(res["design"], on=["question", "by", "group"], suffixes=("_r", ""), validate="one_to_one")
    assert len(j) == len(want) == 28  # 4 questions x (total, 3 school types, 3 sizes)
    np.testing.assert_allclose(j["p"], j["p_r"], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(j["se"], j["se_r"], rtol=1e-8, atol=1e-12)
    # and the calibration matters: the weights-only se of the same raked weights differs
    frame, codebook, _ = load(case[0])
    plain = rates_by_group(frame.assign(pw=case[2].weights), codebook, by=(("stype",), ("size",)),
                           small_base=SmallBase(0, 0), adjust="none")
    k = want.merge(plain, on=["question", "by", "group"], suffixes=("_r", ""))
    assert np.max(np.abs(k["se"] - k["se_r"]) / k["se_r"]) > 0.01


def test_group_against_the_rest_equals_svyttest_and_svychisq_on_the_calibrated_design(case):
    _, _, _, expected, res = case
    for kind, test, stat in (("rest", "design", "t_vs_rest"), ("rao-scott", "rao-scott", "t_vs_rest")):
        want = expected[expected["kind"] == kind]
        j = want.merge(res[test], on=["question", "by", "group"], suffixes=("_r", ""), validate="one_to_one")
        assert len(j) == len(want) >= 24
        value = j[stat] if kind == "rest" else j[stat] ** 2
        np.testing.assert_allclose(value, j["stat"], rtol=1e-8, atol=1e-12)
        np.testing.assert_allclose(j["df_vs_rest"], j["df"], rtol=0, atol=0)
        np.testing.assert_allclose(j["p_value_vs_rest"], j["p_value"], rtol=1e-8, atol=1e-14)


def test_a_survey_loaded_with_targets_uses_the_raked_design_everywhere():
    from feedback.errors import InputError
    from feedback.survey import views
    from feedback.survey.compare import compare_groups
    from feedback.survey.settings import Settings

    content = (API / "apiclus1_rake.csv").read_bytes()
    codebook = ('[columns]\nrole = "stype"\nregion = ""\nweight = "pw"\n'
                '[[questions]]\nid = "awards"\ncolumn = "awards"\npositive = ["Yes"]\n')
    targets = (API / "apiclus1_targets.csv").read_text(encoding="utf-8")
    survey = loading.load_survey("apiclus1_rake.csv", content, codebook, targets=targets)
    res = views.results(survey, grouping="Role", settings=Settings(suppress=1, flag=1))
    want = pd.read_csv(API / "apiclus1_raked_expected.csv").query("kind == 'domain' and question == 'awards'")
    j = want.assign(by=want["by"].replace({"stype": "role"})).merge(res, on=["by", "group"], suffixes=("_r", ""))
    assert len(j) == 4
    np.testing.assert_allclose(j["se"], j["se_r"], rtol=1e-8)
    from feedback.survey.significance import pairwise

    pairs = pairwise(res)  # the calibration's pieces survive the page's reshaping of the results
    assert len(pairs) == 3 and pairs["p_value"].notna().all() and (pairs["test"] == "design").all()
    with pytest.raises(InputError, match="two groups of one raked survey"):
        compare_groups(res, group_a="E", group_b="H")
    plain = views.results(loading.load_survey("apiclus1_rake.csv", content, codebook), grouping="Role")
    assert not np.allclose(plain["p"], res["p"])


def test_two_surveys_one_raked_compare_as_independent_samples():
    from feedback.survey import views
    from feedback.survey.compare import compare_groups

    content = (API / "apiclus1_rake.csv").read_bytes()
    codebook = ('[columns]\nrole = "stype"\nregion = ""\nweight = "pw"\n'
                '[[questions]]\nid = "awards"\ncolumn = "awards"\npositive = ["Yes"]\n')
    raked = views.results(loading.load_survey("a.csv", content, codebook,
                                                  targets=(API / "apiclus1_targets.csv").read_text()))
    plain = views.results(loading.load_survey("a.csv", content, codebook))
    out = compare_groups(raked, plain)
    total = lambda r: r[r["by"] == "total"].iloc[0]  # noqa: E731
    assert out["se"].iloc[0] == pytest.approx(np.hypot(total(raked)["se"], total(plain)["se"]), rel=1e-12)


@pytest.mark.parametrize("test, kind", [("design", "pair"), ("rao-scott", "pair-rao-scott")])
def test_pairs_on_the_raked_design_equal_svyttest_and_svychisq(case, test, kind):
    from feedback.survey.significance import pairwise

    _, _, _, expected, res = case
    pairs = pairwise(res[test], adjust="none")
    pairs = pairs.assign(group=pairs["group_a"] + " - " + pairs["group_b"])
    want = expected[expected["kind"] == kind]
    j = want.merge(pairs, on=["question", "by", "group"], suffixes=("_r", ""), validate="one_to_one")
    assert len(j) == len(want) == 24 and (j["test"] == ("design" if test == "design" else "rao-scott")).all()
    value = j["t"] if kind == "pair" else j["t"] ** 2
    np.testing.assert_allclose(value, j["stat"], rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(j["df_r"] if "df_r" in j else j["df"], j["df"], rtol=0, atol=0)
    np.testing.assert_allclose(j["p_value"], j["p_value_r"], rtol=1e-8, atol=1e-14)
