"""Group tests against statsmodels: z tests, Newcombe intervals, Holm and BH."""

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

from feedback.errors import InputError
from feedback.survey.compare import compare_groups
from feedback.survey.rates import SmallBase, rates_by_group
from feedback.survey.significance import adjust_pvalues, difference_interval, pairwise, two_proportion_test
from tests.survey.engine_helpers import frontline_like

SM_ADJUST = {"holm": "holm", "bh": "fdr_bh"}


@pytest.mark.parametrize("adjust", ["holm", "bh"])
def test_grouped_adjustment_equals_multipletests_family_by_family(adjust):
    rng = np.random.default_rng(0)
    p = rng.random(300) ** 3
    families = rng.integers(0, 17, 300)
    p[rng.random(300) < 0.1] = np.nan
    got = adjust_pvalues(p, families, adjust)
    for f in np.unique(families):
        idx = np.flatnonzero((families == f) & ~np.isnan(p))
        if len(idx):
            want = multipletests(p[idx], method=SM_ADJUST[adjust])[1]
            np.testing.assert_allclose(got[idx], want, rtol=1e-14)
    assert np.isnan(got[np.isnan(p)]).all()


def test_two_proportion_test_equals_proportions_ztest():
    x1, n1, x2, n2 = np.array([12, 40, 0]), np.array([30, 90, 15]), np.array([25, 41, 3]), np.array([100, 90, 40])
    z, pv = two_proportion_test(x1 / n1, n1, x2 / n2, n2)
    for i in range(3):
        wz, wp = proportions_ztest([x1[i], x2[i]], [n1[i], n2[i]])
        assert z[i] == pytest.approx(wz, rel=1e-12) and pv[i] == pytest.approx(wp, rel=1e-10)
    z, pv = two_proportion_test(0.0, 20, 0.0, 30)  # no variation: no evidence of a difference
    assert z == 0 and pv == 1


def test_difference_interval_is_newcombe():
    x1, n1, x2, n2 = 18, 45, 30, 120
    diff, low, high = difference_interval(x1 / n1, n1, x2 / n2, n2)
    want = confint_proportions_2indep(x1, n1, x2, n2, method="newcomb", compare="diff")
    assert diff == pytest.approx(x1 / n1 - x2 / n2)
    assert (low, high) == pytest.approx(want, rel=1e-12)


def test_each_group_against_the_rest_of_the_sample_by_hand():
    frame, codebook = frontline_like(n=700, seed=21)
    for adjust in ("holm", "bh"):
        out = rates_by_group(frame, codebook, by=(("role",),), adjust=adjust, test="effective-base")
        rows = out[(out["question"] == "aware_reviews") & (out["by"] == "role")].set_index("group")
        aware = frame["aware"] == "Yes"
        raw = []
        for role in rows.index:
            inside = frame["role"] == role
            _, want = proportions_ztest([aware[inside].sum(), aware[~inside].sum()], [inside.sum(), (~inside).sum()])
            assert rows.loc[role, "p_value_vs_rest"] == pytest.approx(want, rel=1e-9)
            raw.append(want)
        adjusted = multipletests(raw, method=SM_ADJUST[adjust])[1]
        np.testing.assert_allclose(rows["p_adj_vs_rest"], adjusted, rtol=1e-9)
        # Social workers were built to be far more aware than the rest; police far less.
        assert rows.loc["Social worker", "sig_vs_rest"] == "higher"
        assert rows.loc["Police", "sig_vs_rest"] == "lower"
        total = out[out["by"] == "total"]
        assert (total["sig_vs_rest"] == "").all() and total["p_value_vs_rest"].isna().all()


def test_significance_marks_follow_the_confidence_level():
    frame, codebook = frontline_like(n=700, seed=22)
    out = rates_by_group(frame, codebook, by=(("role",), ("region",)), level=0.99)
    marked = out["sig_vs_rest"] != ""
    assert (out.loc[marked, "p_adj_vs_rest"] < 0.01).all()
    assert (out.loc[~marked & out["p_adj_vs_rest"].notna(), "p_adj_vs_rest"] >= 0.01).all()


def test_pairwise_within_a_grouping_by_hand():
    frame, codebook = frontline_like(n=700, seed=23)
    results = rates_by_group(frame, codebook, by=(("role",), ("region",)), test="effective-base")
    pairs = pairwise(results, by="role")
    aware = pairs[pairs["question"] == "aware_reviews"]
    assert len(aware) == 6 and set(aware["by"]) == {"role"}
    # Pairs follow display order (roles alphabetically), so Police comes before Social worker.
    row = aware[(aware["group_a"] == "Police") & (aware["group_b"] == "Social worker")].iloc[0]
    po, sw = frame["role"] == "Police", frame["role"] == "Social worker"
    x1, n1, x2, n2 = (frame["aware"][po] == "Yes").sum(), po.sum(), (frame["aware"][sw] == "Yes").sum(), sw.sum()
    assert row["p_value"] == pytest.approx(proportions_ztest([x1, x2], [n1, n2])[1], rel=1e-9)
    want = confint_proportions_2indep(x1, n1, x2, n2, method="newcomb", compare="diff")
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(want, rel=1e-12)
    assert row["test"] == "effective-base" and np.isnan(row["df"])
    np.testing.assert_allclose(aware["p_adj"], multipletests(aware["p_value"], method="holm")[1], rtol=1e-12)
    assert row["sig"] == "lower"
    everything = pairwise(results)
    assert set(everything["by"]) == {"role", "region"}


def test_compare_two_audiences_on_shared_question_ids():
    partners, cb_p = frontline_like(n=300, seed=24)
    frontline, cb_f = frontline_like(n=900, seed=25, weighted=True)
    cb_f.questions = cb_f.questions[:2]  # the frontline survey lacks the agree question
    res_p = rates_by_group(partners, cb_p, by=())
    res_f = rates_by_group(frontline, cb_f, by=())
    out = compare_groups(res_p, res_f, label_a="Partners", label_b="Frontline", test="effective-base")
    assert out["question"].tolist() == ["aware_reviews", "review_useful"]
    assert (out["group_a"] == "Partners").all() and (out["group_b"] == "Frontline").all()
    row = out.iloc[0]
    a, b = res_p.iloc[0], res_f.iloc[0]
    assert row["diff"] == pytest.approx(a["p"] - b["p"])
    z, pv = two_proportion_test(a["p"], a["n_eff"], b["p"], b["n_eff"])
    assert row["p_value"] == pytest.approx(pv)
    np.testing.assert_allclose(out["p_adj"], multipletests(out["p_value"], method="holm")[1])


def test_compare_two_groups_of_one_survey_and_refuse_overlapping_ones():
    frame, codebook = frontline_like(n=700, seed=26)
    res = rates_by_group(frame, codebook, by=(("role",), ("region",)))
    out = compare_groups(res, group_a="Social worker", group_b="Police")
    pw = pairwise(res, by="role", adjust="none").set_index(["question", "group_a", "group_b"])
    for _, row in out.iterrows():
        assert row["p_value"] == pytest.approx(pw.loc[(row["question"], "Police", "Social worker"), "p_value"])
    assert (out["sig"] == "higher").any() and not (out["sig"] == "lower").any()
    with pytest.raises(InputError, match="overlap"):
        compare_groups(res, group_a="Health", group_b="London")
    with pytest.raises(InputError, match="overlap"):
        compare_groups(res, group_a="Total", group_b="Police")
    with pytest.raises(InputError, match="Nurses"):
        compare_groups(res, group_a="Nurses", group_b="Police")


def test_suppressed_groups_are_not_tested():
    frame, codebook = frontline_like(n=200, seed=27)
    res = rates_by_group(frame, codebook, by=(("role", "region"),), small_base=SmallBase(suppress=15, flag=30))
    c = res["flag"] == "[c]"
    assert c.any() and res.loc[c, "p_value_vs_rest"].isna().all()
    pairs = pairwise(res)
    shown = set(zip(res.loc[~c, "question"], res.loc[~c, "group"]))
    assert all((q, g) in shown for q, g in zip(pairs["question"], pairs["group_a"]))
