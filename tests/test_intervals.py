"""Proportion intervals against statsmodels (binomial family) and textbook identities."""

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.weightstats import DescrStatsW

from feedback.errors import InputError
from feedback.intervals import (
    METHODS,
    SmallBase,
    check_base,
    check_level,
    count_interval,
    proportion_interval,
    small_base_flags,
)

STATSMODELS_NAME = {"wilson": "wilson", "clopper-pearson": "beta", "jeffreys": "jeffreys",
                    "agresti-coull": "agresti_coull"}


@pytest.mark.parametrize("method", list(STATSMODELS_NAME))
@pytest.mark.parametrize("n", [1, 7, 30, 523])
@pytest.mark.parametrize("level", [0.90, 0.95, 0.99])
def test_binomial_methods_equal_statsmodels_on_unweighted_counts(method, n, level):
    x = np.arange(n + 1)
    want_low, want_high = proportion_confint(x, n, alpha=1 - level, method=STATSMODELS_NAME[method])
    for low, high in (proportion_interval(x / n, n, method, level), count_interval(x, n, method, level)):
        if method == "jeffreys":
            # Brown, Cai & DasGupta's boundary rule: statsmodels leaves p = 0 outside its interval.
            assert low[0] == 0 and high[-1] == 1
            low, high, wl, wh = low[1:-1], high[1:-1], want_low[1:-1], want_high[1:-1]
        else:
            wl, wh = want_low, want_high
        np.testing.assert_allclose(low, wl, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(high, wh, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("method", ["clopper-pearson", "jeffreys", "wilson", "agresti-coull"])
def test_non_integer_counts_fall_between_their_integer_neighbours(method):
    # Weighted data give x = p * n_eff, rarely an integer: the interval must move smoothly.
    n = 23.6
    lo2, hi2 = proportion_interval(2 / n, n, method)
    lo25, hi25 = proportion_interval(2.5 / n, n, method)
    lo3, hi3 = proportion_interval(3 / n, n, method)
    assert lo2 < lo25 < lo3 and hi2 < hi25 < hi3


def test_korn_graubard_reduces_to_clopper_pearson_under_simple_random_sampling():
    n = 40
    x = np.arange(n + 1)
    cp = proportion_interval(x / n, n, "clopper-pearson")
    kg = proportion_interval(x / n, n, "beta")  # se defaults to sqrt(p(1-p)/n)
    np.testing.assert_allclose(kg, cp, rtol=1e-9, atol=1e-12)


def test_mean_method_is_the_t_interval_of_statsmodels_weighted_mean():
    rng = np.random.default_rng(3)
    y = (rng.random(60) < 0.4).astype(float)
    w = rng.uniform(0.5, 2, 60)
    # DescrStatsW's std_mean with weights summing to len(y) is the t-interval's standard error.
    d = DescrStatsW(y, weights=w * len(y) / w.sum(), ddof=1)
    low, high = proportion_interval(d.mean, len(y), "mean", se=d.std_mean, n=len(y))
    np.testing.assert_allclose((low, high), d.tconfint_mean(), rtol=1e-12)


def test_logit_interval_is_symmetric_on_the_logit_scale_with_t_quantile():
    p, se, n = 0.3, 0.05, 80
    low, high = proportion_interval(p, 50, "logit", se=se, n=n)
    half = stats.t.ppf(0.975, n - 1) * se / (p * (1 - p))
    logit = lambda v: np.log(v / (1 - v))
    assert logit(high) - logit(p) == pytest.approx(half, rel=1e-12)
    assert logit(p) - logit(low) == pytest.approx(half, rel=1e-12)


@pytest.mark.parametrize("method", ["logit", "beta", "mean"])
def test_design_methods_at_zero_and_one_run_from_the_boundary(method):
    n_eff = 12.0
    low0, high0 = proportion_interval(0.0, n_eff, method, se=0.0, n=15)
    low1, high1 = proportion_interval(1.0, n_eff, method, se=0.0, n=15)
    exact_high = 1 - 0.025 ** (1 / n_eff)  # Clopper-Pearson upper bound for 0 of n_eff
    assert low0 == 0 and high0 == pytest.approx(exact_high, rel=1e-10)
    assert high1 == 1 and low1 == pytest.approx(1 - exact_high, rel=1e-10)


@pytest.mark.parametrize("method", METHODS)
def test_empty_base_gives_missing_interval_and_scalars_give_floats(method):
    low, high = proportion_interval([0.5, 0.5], [0, np.nan], method)
    assert np.isnan(low).all() and np.isnan(high).all()
    low, high = proportion_interval(0.5, 100, method)
    assert isinstance(low, float) and 0 < low < 0.5 < high < 1


def test_level_widens_interval_and_accepts_percentages():
    widths = [np.subtract(*proportion_interval(0.4, 200, "wilson", lv)[::-1]) for lv in (0.90, 0.95, 0.99)]
    assert widths[0] < widths[1] < widths[2]
    assert proportion_interval(0.4, 200, "wilson", 95) == proportion_interval(0.4, 200, "wilson", 0.95)


@pytest.mark.parametrize("bad", [0, 1, 1.5, 100, -0.2, "high"])
def test_bad_level_is_an_input_error(bad):
    with pytest.raises(InputError, match="level"):
        check_level(bad)


def test_unknown_method_is_an_input_error_listing_the_choices():
    with pytest.raises(InputError, match="wilson"):
        proportion_interval(0.5, 10, "bayes")


# --------------------------------------------------------------------------- small-base rules


def test_small_base_rules_on_either_base():
    assert check_base("Effective base") == "n_eff" and check_base("unweighted") == "n"
    with pytest.raises(InputError, match="unknown base 'weighted'"):
        check_base("weighted")
    rules = SmallBase(suppress=10, flag=30, flag_on="effective")
    suppressed, flag = small_base_flags([0, 9, 10, 83, 83], [0, 9, 10, 29, 30], rules)
    assert suppressed.tolist() == [True, True, False, False, False]
    assert flag.tolist() == ["[c]", "[c]", "[u]", "[u]", ""]  # 83 respondents, n_eff 29: low reliability
    assert "effective base below 30" in rules.describe()[1]
