"""Property tests: intervals contain p within [0, 1]; results ignore row order and weight scale."""

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedback.survey.intervals import METHODS, proportion_interval
from feedback.survey.rates import SmallBase, rates_by_group
from tests.survey.engine_helpers import make_codebook

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NUMBERS = ["n", "base_weighted", "p", "ci_low", "ci_high", "n_eff", "deff", "se", "p_value_vs_rest",
           "p_adj_vs_rest"]


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
@given(frame=surveys(), scale=st.floats(1e-3, 1e3), method=st.sampled_from(["wilson", "logit", "mean"]))
def test_results_do_not_depend_on_the_scale_of_the_weights(frame, scale, method):
    scaled = frame.assign(w=frame["w"] * scale)
    a = rates_by_group(frame, CODEBOOK, by=BY, method=method, small_base=LOOSE)
    b = rates_by_group(scaled, CODEBOOK, by=BY, method=method, small_base=LOOSE)
    assert np.allclose(b["base_weighted"], a["base_weighted"] * scale, rtol=1e-9, equal_nan=True)
    _same(a.assign(base_weighted=0.0), b.assign(base_weighted=0.0))
