"""Property tests: intervals contain p within [0, 1]; results ignore row order and weight scale."""

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from feedback.intervals import METHODS, proportion_interval
from feedback.survey.compare import compare_groups
from feedback.survey.rates import SmallBase, rates_by_group
from tests.survey.engine_helpers import make_codebook

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NUMBERS = ["n", "base_weighted", "p", "ci_low", "ci_high", "n_eff", "deff", "se", "p_value_vs_rest",
           "p_adj_vs_rest", "deff_kish", "t_vs_rest", "df_vs_rest"]


@SETTINGS
@given(p=st.floats(0, 1), n_eff=st.floats(1, 1e5), deff=st.floats(0.3, 4), level=st.sampled_from([0.9, 0.95, 0.99]),
       method=st.sampled_from(METHODS))
def test_interval_contains_p_and_stays_in_unit_range(p, n_eff, deff, level, method):
    se = np.sqrt(p * (1 - p) / n_eff * deff)
    low, high = proportion_interval(p, n_eff, method, level, se=se, n=max(n_eff, 2))
    assert 0 <= low <= high <= 1
    assert low <= p + 1e-12 and p - 1e-12 <= high


@st.composite
def surveys(draw):
    n = draw(st.integers(12, 120))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "role": rng.choice(["A", "B", "C"], n),
        "region": rng.choice(["London", "North East"], n),
        "q1": rng.choice(["Yes", "No", None], n, p=[yes := draw(st.floats(0, 0.9)), 0.95 - yes, 0.05]),
        "q2": rng.choice(["Agree", "Disagree", "Don't know"], n),
        "w": rng.lognormal(0, draw(st.floats(0, 1)), n),
    })
    frame.loc[rng.random(n) < 0.1, "q2"] = None
    return frame


CODEBOOK = make_codebook([{"id": "q1", "positive": ["Yes"]},
                          {"id": "q2", "positive": ["Agree"], "exclude": ["Don't know"]},
                          {"id": "q3", "column": "q2", "positive": ["Agree"], "base_question": "q1"}],
                         weight="w")
BY = (("role",), ("region",), ("role", "region"))
LOOSE = SmallBase(suppress=3, flag=5)


@SETTINGS
@given(frame=surveys(), method=st.sampled_from(METHODS))
def test_every_row_has_p_inside_its_interval(frame, method):
    out = rates_by_group(frame, CODEBOOK, by=BY, method=method, small_base=LOOSE)
    shown = out[out["p"].notna()]
    assert ((shown["ci_low"] >= 0) & (shown["ci_high"] <= 1)).all()
    assert ((shown["ci_low"] <= shown["p"] + 1e-12) & (shown["p"] <= shown["ci_high"] + 1e-12)).all()
    assert (out.loc[out["p"].isna(), "flag"] == "[c]").all()


def _same(a: pd.DataFrame, b: pd.DataFrame):
    pd.testing.assert_frame_equal(a.drop(columns=NUMBERS), b.drop(columns=NUMBERS))
    np.testing.assert_allclose(a[NUMBERS].to_numpy(float), b[NUMBERS].to_numpy(float), rtol=1e-9, atol=1e-12)


@SETTINGS
@given(frame=surveys(), seed=st.integers(0, 1000), method=st.sampled_from(["wilson", "logit", "beta"]))
def test_results_do_not_depend_on_row_order(frame, seed, method):
    shuffled = frame.sample(frac=1, random_state=seed).reset_index(drop=True)
    _same(rates_by_group(frame, CODEBOOK, by=BY, method=method, small_base=LOOSE),
          rates_by_group(shuffled, CODEBOOK, by=BY, method=method, small_base=LOOSE))


@SETTINGS
@given(frame=surveys(), scale=st.floats(1e-3, 1e3), method=st.sampled_from(["wilson", "logit", "mean"]),
       test=st.sampled_from(["design", "effective-base"]))
def test_results_do_not_depend_on_the_scale_of_the_weights(frame, scale, method, test):
    scaled = frame.assign(w=frame["w"] * scale)
    a = rates_by_group(frame, CODEBOOK, by=BY, method=method, small_base=LOOSE, test=test)
    b = rates_by_group(scaled, CODEBOOK, by=BY, method=method, small_base=LOOSE, test=test)
    assert np.allclose(b["base_weighted"], a["base_weighted"] * scale, rtol=1e-9, equal_nan=True)
    for column in ("sw2_pos", "sw2_neg"):  # sums of squared weights
        assert np.allclose(b[column], a[column] * scale**2, rtol=1e-9, atol=1e-300, equal_nan=True)
    same = dict(base_weighted=0.0, sw2_pos=0.0, sw2_neg=0.0)
    _same(a.assign(**same), b.assign(**same))


PAIR_NUMBERS = ["diff", "se", "t", "df", "p_value", "p_adj", "diff_low", "diff_high"]


@SETTINGS
@given(frame=surveys(), test=st.sampled_from(["design", "effective-base"]))
def test_a_against_b_is_the_negative_of_b_against_a(frame, test):
    res = rates_by_group(frame, CODEBOOK, by=(("role",),), small_base=LOOSE, test=test)
    shown = set(res.loc[res["p"].notna() & (res["by"] == "role"), "group"])
    assume({"A", "B"} <= shown)  # both groups shown: otherwise there is no pair to compare
    ab = compare_groups(res, group_a="A", group_b="B")
    ba = compare_groups(res, group_a="B", group_b="A")
    # the design test hands a pair with a side at 0% or 100% to Rao-Scott
    edge = ab[["p_a", "p_b"]].isin([0.0, 1.0]).any(axis=1) if test == "design" else np.zeros(len(ab), dtype=bool)
    assert (ab["test"] == np.where(edge, "rao-scott", test)).all() and (ba["test"] == ab["test"]).all()
    np.testing.assert_allclose(ab["diff"], -ba["diff"], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(ab["t"], -ba["t"], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(ab["se"], ba["se"], rtol=1e-12)
    np.testing.assert_allclose(ab["p_value"], ba["p_value"], rtol=1e-12)
    np.testing.assert_allclose(ab["diff_low"], -ba["diff_high"], rtol=1e-9, atol=1e-12)
    assert list(ab["sig"].map({"higher": "lower", "lower": "higher", "": "", "[z]": "[z]"})) == list(ba["sig"])


@SETTINGS
@given(frame=surveys(), extra=st.integers(1, 30), seed=st.integers(0, 1000),
       test=st.sampled_from(["design", "effective-base"]), method=st.sampled_from(["wilson", "logit", "beta"]))
def test_adding_zero_weight_rows_changes_nothing(frame, extra, seed, test, method):
    rng = np.random.default_rng(seed)
    ghosts = frame.sample(n=extra, replace=True, random_state=seed).reset_index(drop=True)
    ghosts["q1"] = rng.choice(["Yes", "No"], extra)  # answers of their own: still nowhere
    ghosts["w"] = 0.0
    both = pd.concat([frame, ghosts]).sample(frac=1, random_state=seed).reset_index(drop=True)
    a = rates_by_group(frame, CODEBOOK, by=BY, method=method, small_base=LOOSE, test=test)
    b = rates_by_group(both, CODEBOOK, by=BY, method=method, small_base=LOOSE, test=test)
    _same(a, b)


def test_a_group_whose_respondents_all_weigh_zero_is_suppressed():
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"role": rng.choice(["A", "B"], 80), "region": "London",
                          "q1": rng.choice(["Yes", "No"], 80), "q2": rng.choice(["Agree", "Disagree"], 80),
                          "w": rng.lognormal(0, 0.3, 80)})
    frame.loc[:5, "role"], frame.loc[:5, "w"] = "Nobody", 0.0
    out = rates_by_group(frame, CODEBOOK, by=(("role",),), small_base=SmallBase(suppress=0, flag=0))
    nobody = out[out["group"] == "Nobody"]
    assert len(nobody) == 3 and (nobody["flag"] == "[c]").all() and (nobody["n"] == 0).all()
    assert nobody["p"].isna().all() and nobody["p_value_vs_rest"].isna().all() and (nobody["higher_than"] == "").all()


def test_a_suppressed_cell_is_never_tested_even_with_lowered_thresholds():
    rng = np.random.default_rng(4)
    n = 300
    frame = pd.DataFrame({"role": rng.choice(["A", "B", "C"], n, p=[0.49, 0.49, 0.02]), "region": "London",
                          "q1": rng.choice(["Yes", "No"], n), "q2": rng.choice(["Agree", "Disagree"], n),
                          "w": rng.lognormal(0, 1.2, n)})
    rules = SmallBase(suppress=2, flag=3, suppress_on="n_eff", flag_on="n_eff")
    out = rates_by_group(frame, CODEBOOK, by=(("role",),), small_base=rules)
    c = out["flag"] == "[c]"
    assert (out.loc[c, "n_eff"] < 2).all() and out.loc[c, "p_value_vs_rest"].isna().all()
    from feedback.survey.significance import pairwise

    pairs = pairwise(out)
    hidden = set(zip(out.loc[c, "question"], out.loc[c, "group"]))
    assert not any((q, g) in hidden for q, g in zip(pairs["question"], pairs["group_a"]))
    assert not any((q, g) in hidden for q, g in zip(pairs["question"], pairs["group_b"]))


def test_small_base_rules_on_the_effective_base():
    rng = np.random.default_rng(5)
    n = 400
    frame = pd.DataFrame({"role": rng.choice(["A", "B", "C"], n, p=[0.6, 0.3, 0.1]), "region": "London",
                          "q1": rng.choice(["Yes", "No"], n), "q2": rng.choice(["Agree", "Disagree"], n),
                          "w": rng.lognormal(0, 1.0, n)})
    plain = rates_by_group(frame, CODEBOOK, by=(("role",),), small_base=SmallBase(10, 30))
    mixed = rates_by_group(frame, CODEBOOK, by=(("role",),), small_base=SmallBase(10, 30, flag_on="n_eff"))
    assert (plain.loc[plain["n"] >= 30, "flag"] == "").all()
    want = np.where(mixed["n"] < 10, "[c]", np.where(mixed["n_eff"] < 30, "[u]", ""))
    assert list(mixed["flag"]) == list(want)
    assert (mixed["flag"] != plain["flag"]).any()  # some groups of 30+ respondents have n_eff under 30
